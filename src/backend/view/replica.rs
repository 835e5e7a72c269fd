//! Replicas: swarm tasks, and a plain engine's containers.

use super::{Common, Word};
use opsconsole_sim::base::time::SimTime;
use serde::{Deserialize, Serialize};

/// Where a replica is in its life, in order: everything after `Running` has ended (or is
/// ending) and will not run again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Phase {
    /// Waiting to be placed.
    Pending,
    /// Placed, and being prepared or started.
    Starting,
    Running,
    /// Ended well (a job's task completed).
    Succeeded,
    /// Stopped on purpose.
    Stopped,
    Failed,
    /// Being removed.
    Terminating,
    /// Its host is gone or has not reported.
    Unknown,
}

impl Phase {
    /// Docker's task states (`new` ... `orphaned`).
    pub fn of_task_state(s: &str) -> Phase {
        match s {
            "new" | "allocated" | "pending" => Phase::Pending,
            "assigned" | "accepted" | "preparing" | "ready" | "starting" => Phase::Starting,
            "running" => Phase::Running,
            "complete" => Phase::Succeeded,
            "shutdown" => Phase::Stopped,
            "failed" | "rejected" => Phase::Failed,
            "remove" => Phase::Terminating,
            _ => Phase::Unknown,
        }
    }

    /// It has ended (not running, and will not run again).
    pub fn ended(self) -> bool {
        self > Phase::Running
    }
}

/// One running copy of a workload: `c.r.name` is docker's task name (`svc.slot`,
/// `svc.node`) or the container's name; `c.owner` is its workload.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReplicaView {
    pub c: Common,
    /// The slot, or 0 for a global task (and for containers).
    pub slot: u64,
    pub node_id: String,
    pub node_name: String,
    pub image: String,
    pub phase: Phase,
    /// What it should be doing (`Running`, or ended: being shut down or removed).
    pub desired: Phase,
    /// The backend's words for the two ("running", "shutdown").
    pub status: Word,
    pub desired_status: Word,
    pub since: SimTime,
    pub err: String,
    /// The agent's message ("started", "preparing", ...).
    pub message: String,
    pub exit_code: Option<i64>,
    pub container_id: Option<String>,
    /// Host-mode published ports ("*:8080->80/tcp").
    pub ports: String,
    /// What a pod has besides (none for tasks and containers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kube: Option<Box<KubePod>>,
}

/// A pod's own columns: `status` is kubectl's STATUS (the reason: ContainerCreating,
/// CrashLoopBackOff, Completed, Terminating ...).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct KubePod {
    /// kubectl's READY ("1/2").
    pub ready: String,
    pub restarts: u32,
    /// When a container last restarted.
    pub last_restart: Option<SimTime>,
    pub ip: String,
    /// Its containers' names, in order (the first is logs' default).
    pub containers: Vec<String>,
    /// Why it is not running, in the words of its condition ("0/4 nodes are available:
    /// ..."), if it says.
    pub why: String,
}

impl ReplicaView {
    pub fn id(&self) -> &str {
        &self.c.r.uid
    }
    /// docker's task name (or the container's name).
    pub fn name(&self) -> &str {
        &self.c.r.name
    }
    pub fn created_at(&self) -> SimTime {
        self.c.created
    }
    /// The workload's ID and name (empty for a container).
    pub fn service_id(&self) -> &str {
        self.c.owner.as_ref().map_or("", |o| o.uid.as_str())
    }
    pub fn service_name(&self) -> &str {
        self.c.owner.as_ref().map_or("", |o| o.name.as_str())
    }
    /// Running, and meant to.
    pub fn counts_as_running(&self) -> bool {
        self.phase == Phase::Running && self.desired <= Phase::Running
    }
}
