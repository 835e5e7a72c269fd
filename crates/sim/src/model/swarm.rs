//! The swarm's objects as the simulator keeps them: the Engine API object (see
//! [`crate::engine`]) with the simulator's own state beside it in `x-sim`, which
//! `docker inspect` leaves out.

use crate::base::time::SimTime;
use crate::engine::serde_util::*;
use crate::engine::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Simulation-only node state.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeSim {
    /// The node's engine (dockerd) is running. When false the node cannot run or report anything.
    pub engine_up: bool,
    /// When the engine stopped, if it is stopped.
    pub engine_down_since: Option<SimTime>,
    /// Images present on the node (pulled once, then cached).
    pub images: BTreeSet<String>,
    /// Next time something is due on this node (heartbeat expiry, orphaning).
    pub wake: Option<SimTime>,
    /// Recent failed/rejected tasks per service version ("service:spechash"), for the
    /// scheduler's failure ordering (A9a).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub failures: BTreeMap<String, Vec<SimTime>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Node {
    #[serde(rename = "ID")]
    pub id: String,
    pub version: Version,
    pub created_at: SimTime,
    pub updated_at: SimTime,
    pub spec: NodeSpec,
    pub description: NodeDescription,
    pub status: NodeStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager_status: Option<ManagerStatus>,
    #[serde(rename = "x-sim", default)]
    pub sim: NodeSim,
}

impl Node {
    pub fn hostname(&self) -> &str {
        &self.description.hostname
    }
    pub fn ip(&self) -> &str {
        &self.status.addr
    }
    pub fn is_ready(&self) -> bool {
        self.status.state == NodeState::Ready
    }
    pub fn is_manager(&self) -> bool {
        self.spec.role == NodeRole::Manager
    }
    pub fn is_leader(&self) -> bool {
        self.manager_status.as_ref().is_some_and(|m| m.leader)
    }
}
/// Restart bookkeeping for one slot (or one node of a global service), for max-attempts (B8).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RestartRecord {
    pub spec_hash: u64,
    pub total: u64,
    pub times: Vec<SimTime>,
}

/// One worker of a rolling update (swarmkit runs `parallelism` of them).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UpdateWorker {
    Idle,
    /// Waiting for the replacement task to reach RUNNING (or end).
    Waiting {
        slot: String,
        task: String,
    },
    /// Sleeping for the update delay after finishing a slot.
    Delaying {
        until: SimTime,
    },
}

/// A rolling update (or rollback) in progress.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateRun {
    pub rollback: bool,
    pub dirty_total: u64,
    pub queue: Vec<String>,
    pub workers: Vec<UpdateWorker>,
    pub failures: u64,
    /// Replacement tasks created by this run, with the time each reached RUNNING.
    pub watched: BTreeMap<String, Option<SimTime>>,
    /// Set once every slot is done: the run completes at this time (one monitor period later).
    pub completes_at: Option<SimTime>,
}

#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct ServiceSim {
    pub restarts: BTreeMap<String, RestartRecord>,
    pub update: Option<UpdateRun>,
    pub wake: Option<SimTime>,
    /// Next slot number for replicated jobs (job slots are never reused within an iteration).
    #[serde(default)]
    pub next_job_slot: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Service {
    #[serde(rename = "ID")]
    pub id: String,
    pub version: Version,
    pub created_at: SimTime,
    pub updated_at: SimTime,
    pub spec: ServiceSpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_spec: Option<ServiceSpec>,
    pub endpoint: Endpoint,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_status: Option<UpdateStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_status: Option<JobStatus>,
    #[serde(rename = "x-sim", default)]
    pub sim: ServiceSim,
}

impl Service {
    pub fn name(&self) -> &str {
        &self.spec.name
    }
}
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TaskSim {
    /// Fingerprint of the task spec and endpoint spec it was created from (B20).
    pub spec_hash: u64,
    /// Next time the agent (or the restart supervisor) has something to do for this task.
    pub wake: Option<SimTime>,
    /// Restart delay: the task may not start before this instant (B6).
    pub start_after: Option<SimTime>,
    /// Stop-first replacement: wait for this task to stop before starting (B6).
    pub wait_for: Option<String>,
    /// The container on the task's node, once created.
    pub container: Option<String>,
    /// When the task first reached RUNNING.
    pub running_since: Option<SimTime>,
    /// Host-mode published ports the task binds on its node (A8).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub host_ports: Vec<(Protocol, u32)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Task {
    #[serde(rename = "ID")]
    pub id: String,
    pub version: Version,
    pub created_at: SimTime,
    pub updated_at: SimTime,
    #[serde(default)]
    pub labels: Labels,
    pub spec: Arc<TaskSpec>,
    #[serde(rename = "ServiceID")]
    pub service_id: String,
    #[serde(default, skip_serializing_if = "is_zero_u64")]
    pub slot: u64,
    #[serde(rename = "NodeID", default, skip_serializing_if = "String::is_empty")]
    pub node_id: String,
    pub status: TaskStatus,
    pub desired_state: TaskState,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub networks_attachments: Vec<NetworkAttachment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_iteration: Option<Version>,
    #[serde(rename = "x-sim", default)]
    pub sim: TaskSim,
}

impl Task {
    /// The key of the slot this task fills: the slot number, or the node for global tasks.
    pub fn slot_key(&self) -> String {
        if self.slot != 0 {
            self.slot.to_string()
        } else {
            self.node_id.clone()
        }
    }
    /// Desired to run (or, for jobs, to complete): it occupies its slot.
    pub fn is_runnable(&self) -> bool {
        self.desired_state <= TaskState::Running
            || (self.desired_state == TaskState::Complete
                && self.status.state <= TaskState::Running)
    }
}
/// Address allocations inside one overlay network.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct NetworkSim {
    /// Allocated host numbers (offset from the subnet base) and what holds each (a service
    /// VIP or a task).
    pub allocated: BTreeMap<u32, String>,
    pub vxlan_id: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Network {
    pub name: String,
    pub id: String,
    pub created: SimTime,
    pub scope: String,
    pub driver: String,
    #[serde(rename = "EnableIPv6")]
    pub enable_ipv6: bool,
    #[serde(rename = "IPAM")]
    pub ipam: Ipam,
    pub internal: bool,
    pub attachable: bool,
    pub ingress: bool,
    pub options: Labels,
    pub labels: Labels,
    #[serde(rename = "x-sim", default)]
    pub sim: NetworkSim,
}
// ---------------------------------------------------------------------------
// The swarm itself

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Strategy {
    #[default]
    Spread,
    Binpack,
    Random,
}

impl Strategy {
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Spread => "spread",
            Strategy::Binpack => "binpack",
            Strategy::Random => "random",
        }
    }
}

/// Versioned swarm objects: a change bumps the version index and UpdatedAt.
macro_rules! versioned_record {
    ($($ty:ty),*) => {$(
        impl super::Record for $ty {
            fn key(&self) -> String {
                self.id.clone()
            }
            fn stamp(&mut self, version: u64, now: SimTime) {
                self.version.index = version;
                self.updated_at = now;
            }
            fn wake(&self) -> Option<SimTime> {
                self.sim.wake
            }
            fn clear_wake(&mut self) {
                self.sim.wake = None;
            }
        }
    )*};
}
versioned_record!(Node, Service, Task);

impl super::Record for Network {
    fn key(&self) -> String {
        self.id.clone()
    }
}
