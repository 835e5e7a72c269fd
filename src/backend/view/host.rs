//! Hosts: swarm nodes, and the one host a plain engine has.

use super::{Common, Labels};
use serde::{Deserialize, Serialize};

/// Whether a host takes part in running the cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HostRole {
    Manager,
    Worker,
}

/// Whether a host is up, as its managers see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HostStatus {
    Ready,
    Down,
    Disconnected,
    Unknown,
}

impl HostStatus {
    /// Docker's word ("ready").
    pub fn parse(s: &str) -> HostStatus {
        match s {
            "ready" => HostStatus::Ready,
            "down" => HostStatus::Down,
            "disconnected" => HostStatus::Disconnected,
            _ => HostStatus::Unknown,
        }
    }
    /// As `docker node ls` shows it.
    pub fn title(self) -> &'static str {
        match self {
            HostStatus::Ready => "Ready",
            HostStatus::Down => "Down",
            HostStatus::Disconnected => "Disconnected",
            HostStatus::Unknown => "Unknown",
        }
    }
}

/// Whether new work may be placed on a host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Schedulable {
    Active,
    Pause,
    Drain,
}

impl Schedulable {
    pub fn parse(s: &str) -> Schedulable {
        match s {
            "pause" => Schedulable::Pause,
            "drain" => Schedulable::Drain,
            _ => Schedulable::Active,
        }
    }
    /// As `docker node ls` shows it.
    pub fn title(self) -> &'static str {
        match self {
            Schedulable::Active => "Active",
            Schedulable::Pause => "Pause",
            Schedulable::Drain => "Drain",
        }
    }
}

/// A manager's place in the raft cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ManagerStatus {
    /// Not a manager.
    None,
    Leader,
    Reachable,
    Unreachable,
    Unknown,
}

impl ManagerStatus {
    /// Docker's reachability word, for a manager that is not the leader.
    pub fn of_reachability(s: &str) -> ManagerStatus {
        match s {
            "reachable" => ManagerStatus::Reachable,
            "unreachable" => ManagerStatus::Unreachable,
            _ => ManagerStatus::Unknown,
        }
    }

    /// As `docker node ls` shows it (empty for a worker).
    pub fn title(self) -> &'static str {
        match self {
            ManagerStatus::None => "",
            ManagerStatus::Leader => "Leader",
            ManagerStatus::Reachable => "Reachable",
            ManagerStatus::Unreachable => "Unreachable",
            ManagerStatus::Unknown => "Unknown",
        }
    }
}

/// A machine of the cluster: `c.r.name` is its hostname.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HostView {
    pub c: Common,
    pub ip: String,
    pub role: HostRole,
    pub status: HostStatus,
    pub availability: Schedulable,
    pub manager_status: ManagerStatus,
    pub engine: String,
    pub platform: String,
    pub nano_cpus: i64,
    pub memory: i64,
    pub reserved_cpus: i64,
    pub reserved_memory: i64,
    /// Replicas assigned and running or about to run.
    pub tasks: u32,
    /// Its engine runs (only the built-in cluster can stop one).
    pub engine_up: bool,
    /// What a Kubernetes node has besides (none for Docker's hosts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kube: Option<Box<KubeHost>>,
}

/// A Kubernetes node's own columns. Its allocatable CPU and memory are the host's
/// `nano_cpus`/`memory`, its pods' requests `reserved_*`, its pod count `tasks`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct KubeHost {
    /// kubectl's STATUS ("Ready,SchedulingDisabled").
    pub status: String,
    /// kubectl's ROLES ("control-plane,master", "<none>").
    pub roles: String,
    /// The kubelet's version.
    pub version: String,
    /// `key=value:Effect` each.
    pub taints: Vec<String>,
    /// Pods' limits on it.
    pub limit_cpus: i64,
    pub limit_memory: i64,
}

impl HostView {
    pub fn id(&self) -> &str {
        &self.c.r.uid
    }
    pub fn hostname(&self) -> &str {
        &self.c.r.name
    }
    pub fn labels(&self) -> &Labels {
        &self.c.labels
    }
    pub fn is_manager(&self) -> bool {
        self.role == HostRole::Manager
    }
}
