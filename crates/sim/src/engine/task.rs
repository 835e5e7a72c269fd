//! Tasks: states in swarmkit's order, status, network attachments.

use super::serde_util::*;
use crate::base::time::SimTime;
use serde::{Deserialize, Serialize};

// ---------------------------------------------------------------------------
// Tasks

/// Task states, in swarmkit's order; a task only ever moves forward (B4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskState {
    New,
    Allocated,
    Pending,
    Assigned,
    Accepted,
    Preparing,
    Ready,
    Starting,
    Running,
    Complete,
    Shutdown,
    Failed,
    Rejected,
    Remove,
    Orphaned,
}

impl TaskState {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::New => "new",
            TaskState::Allocated => "allocated",
            TaskState::Pending => "pending",
            TaskState::Assigned => "assigned",
            TaskState::Accepted => "accepted",
            TaskState::Preparing => "preparing",
            TaskState::Ready => "ready",
            TaskState::Starting => "starting",
            TaskState::Running => "running",
            TaskState::Complete => "complete",
            TaskState::Shutdown => "shutdown",
            TaskState::Failed => "failed",
            TaskState::Rejected => "rejected",
            TaskState::Remove => "remove",
            TaskState::Orphaned => "orphaned",
        }
    }
    /// Docker's `PrettyPrint`: first letter upper-cased.
    pub fn pretty(self) -> String {
        let s = self.as_str();
        let mut c = s.chars();
        match c.next() {
            Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
            None => String::new(),
        }
    }
    pub fn parse(s: &str) -> Option<TaskState> {
        use TaskState::*;
        [
            New, Allocated, Pending, Assigned, Accepted, Preparing, Ready, Starting, Running,
            Complete, Shutdown, Failed, Rejected, Remove, Orphaned,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
    }
    /// The task has finished (its container is not running and will not run again).
    pub fn is_terminal(self) -> bool {
        self > TaskState::Running
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerStatus {
    #[serde(
        rename = "ContainerID",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub container_id: String,
    #[serde(rename = "PID", default, skip_serializing_if = "is_zero_i64")]
    pub pid: i64,
    #[serde(default)]
    pub exit_code: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TaskStatus {
    pub timestamp: SimTime,
    pub state: TaskState,
    /// Almost always one of a few fixed texts: no allocation for those.
    pub message: std::borrow::Cow<'static, str>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub err: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_status: Option<ContainerStatus>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkRef {
    #[serde(rename = "ID")]
    pub id: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkAttachment {
    pub network: NetworkRef,
    pub addresses: Vec<String>,
}
