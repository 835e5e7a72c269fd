//! What the console shows, independent of the backend: compact views of nodes, services,
//! tasks, volumes and networks, and the changes that keep them current.

use opsconsole_sim::base::time::{SimDuration, SimTime};
use opsconsole_sim::model::{TaskState, UpdateState};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NodeView {
    pub id: String,
    pub hostname: String,
    pub ip: String,
    pub manager: bool,
    /// "Ready", "Down", ...
    pub status: String,
    /// "Active", "Pause", "Drain"
    pub availability: String,
    /// "Leader", "Reachable", "Unreachable" or "".
    pub manager_status: String,
    pub engine: String,
    pub platform: String,
    pub labels: BTreeMap<String, String>,
    pub nano_cpus: i64,
    pub memory: i64,
    pub reserved_cpus: i64,
    pub reserved_memory: i64,
    /// Tasks assigned and running or about to run.
    pub tasks: u32,
    /// Only the built-in cluster can take a node down or bring it up.
    pub engine_up: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UpdateCfgView {
    pub parallelism: u64,
    pub delay: SimDuration,
    pub failure_action: String,
    pub monitor: SimDuration,
    pub max_failure_ratio: f32,
    pub order: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UpdateStatusView {
    pub state: UpdateState,
    pub message: String,
    pub started_at: Option<SimTime>,
    pub completed_at: Option<SimTime>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceView {
    pub id: String,
    pub name: String,
    /// "replicated", "global", "replicated job", "global job"
    pub mode: String,
    pub running: u64,
    pub desired: u64,
    /// docker's REPLICAS column ("3/4", "1/3 (max 1 per node)").
    pub replicas: String,
    /// Image without digest.
    pub image: String,
    /// docker's PORTS column.
    pub ports: String,
    pub stack: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub update_status: Option<UpdateStatusView>,
    pub update_config: Option<UpdateCfgView>,
    pub rollback_config: Option<UpdateCfgView>,
    /// Slots done and total of the update in progress.
    pub progress: Option<(u64, u64)>,
    /// The spec and the previous spec, as the engine reports them.
    pub spec: serde_json::Value,
    pub previous_spec: Option<serde_json::Value>,
    pub created_at: SimTime,
    pub updated_at: SimTime,
    pub replicated: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskView {
    pub id: String,
    pub service_id: String,
    pub service_name: String,
    /// The slot, or 0 for a global task.
    pub slot: u64,
    pub node_id: String,
    pub node_name: String,
    pub image: String,
    pub desired: TaskState,
    pub state: TaskState,
    pub state_since: SimTime,
    pub err: String,
    /// The agent's message ("started", "preparing", ...).
    pub message: String,
    pub exit_code: Option<i64>,
    pub created_at: SimTime,
    pub container_id: Option<String>,
    /// Host-mode published ports ("*:8080->80/tcp").
    pub ports: String,
    /// A plain engine's container name (its "tasks" are containers, which have no slot).
    #[serde(default)]
    pub name: Option<String>,
}

impl TaskView {
    /// docker's task name: `svc.slot`, or `svc.nodeid` for global tasks.
    pub fn name(&self) -> String {
        if let Some(n) = &self.name {
            n.clone()
        } else if self.slot != 0 {
            format!("{}.{}", self.service_name, self.slot)
        } else {
            format!("{}.{}", self.service_name, self.node_id)
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum VolumeKind {
    Volume,
    Bind,
}

/// A volume, or a host path bind-mounted into containers, on one node.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VolumeView {
    pub kind: VolumeKind,
    pub node_id: String,
    pub node_name: String,
    pub name: String,
    pub driver: String,
    pub scope: String,
    pub mountpoint: String,
    pub created_at: SimTime,
    pub anonymous: bool,
    /// Containers using it (names), with `:ro` for read-only mounts.
    pub used_by: Vec<String>,
}

impl VolumeView {
    pub fn key(&self) -> String {
        match self.kind {
            VolumeKind::Volume => format!("{}/{}", self.node_id, self.name),
            VolumeKind::Bind => format!("{}/bind:{}", self.node_id, self.name),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetworkView {
    pub id: String,
    pub name: String,
    pub driver: String,
    pub scope: String,
    pub subnet: String,
    pub gateway: String,
    pub ingress: bool,
    pub encrypted: bool,
    pub attachable: bool,
}

/// How to tell the backend's time: for the built-in cluster, simulated time running at
/// `speed` from `base` (at the wall-clock instant `base_wall_ms`); for real engines, wall time.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClockInfo {
    pub base: SimTime,
    pub base_wall_ms: i64,
    pub speed: f64,
}

impl ClockInfo {
    pub fn wall() -> ClockInfo {
        ClockInfo {
            base: SimTime(0),
            base_wall_ms: 0,
            speed: 1.0,
        }
    }

    /// The backend's "now" at a wall-clock instant (milliseconds since the Unix epoch).
    pub fn now_at(&self, wall_ms: i64) -> SimTime {
        let d = ((wall_ms - self.base_wall_ms) as f64 * 1e6 * self.speed) as i64;
        SimTime(self.base.0 + d)
    }

    /// The wall-clock instant at which the backend's time reaches `t`.
    pub fn wall_at(&self, t: SimTime) -> i64 {
        if self.speed <= 0.0 {
            return i64::MAX;
        }
        self.base_wall_ms + ((t.0 - self.base.0) as f64 / 1e6 / self.speed) as i64
    }
}

pub fn wall_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Everything the console shows, at once.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ClusterView {
    pub nodes: Vec<NodeView>,
    pub services: Vec<ServiceView>,
    pub tasks: Vec<TaskView>,
    pub volumes: Vec<VolumeView>,
    pub networks: Vec<NetworkView>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ViewKind {
    Node,
    Service,
    Task,
    Volume,
    Network,
}

/// One change to the cluster as the console sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Change {
    Node(NodeView),
    Service(Box<ServiceView>),
    Task(TaskView),
    Volume(VolumeView),
    Network(NetworkView),
    Removed(ViewKind, String),
}

/// One line of a log stream.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogLineView {
    pub at: SimTime,
    /// `svc.slot.id@node` for service logs, empty for a container's.
    pub label: String,
    pub text: String,
}

/// One reading of a container's resource use (`docker stats`, one shot).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StatsView {
    pub container: String,
    /// Nanoseconds of CPU the container has used, and the host has, so far.
    pub cpu_total: u64,
    pub system_total: u64,
    pub online_cpus: u32,
    pub mem_usage: u64,
    pub mem_limit: u64,
}

impl StatsView {
    /// CPU use between two readings, in percent of one core (docker's CPU %).
    pub fn cpu_percent(&self, before: &StatsView) -> Option<f64> {
        let dc = self.cpu_total.checked_sub(before.cpu_total)? as f64;
        let ds = self.system_total.checked_sub(before.system_total)? as f64;
        (ds > 0.0).then(|| dc / ds * self.online_cpus.max(1) as f64 * 100.0)
    }
}
