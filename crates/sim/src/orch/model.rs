//! The cluster's objects. Field names follow the Docker Engine API (`docker inspect` prints
//! these structs as they are, minus the `x-sim` part that only the simulation uses).
//! Every object has a stable ID, a name, labels, a version index and, where it has one, an
//! owner link (task -> service, container -> task), so Kubernetes objects fit the same shape.

use super::time::{SimDuration, SimTime};
use serde::{Deserialize, Serialize, Serializer};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

pub type Labels = BTreeMap<String, String>;

fn is_false(b: &bool) -> bool {
    !*b
}
fn is_zero_u64(v: &u64) -> bool {
    *v == 0
}
fn is_zero_i64(v: &i64) -> bool {
    *v == 0
}
fn is_zero_dur(v: &SimDuration) -> bool {
    v.is_zero()
}

/// Go's JSON prints a whole float32 without a fraction ("0", not "0.0").
fn ser_ratio<S: Serializer>(v: &f32, s: S) -> Result<S::Ok, S::Error> {
    if v.fract() == 0.0 && v.abs() < 1e9 {
        s.serialize_i64(*v as i64)
    } else {
        s.serialize_f64(*v as f64)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    #[serde(rename = "Index")]
    pub index: u64,
}

/// Which kind of object an ID refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Cluster,
    Node,
    Service,
    Task,
    Container,
    Volume,
    Network,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Cluster => "cluster",
            Kind::Node => "node",
            Kind::Service => "service",
            Kind::Task => "task",
            Kind::Container => "container",
            Kind::Volume => "volume",
            Kind::Network => "network",
        }
    }
}

// ---------------------------------------------------------------------------
// Nodes

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeRole {
    Worker,
    Manager,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Availability {
    Active,
    Pause,
    Drain,
}

impl Availability {
    pub fn as_str(self) -> &'static str {
        match self {
            Availability::Active => "active",
            Availability::Pause => "pause",
            Availability::Drain => "drain",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeState {
    Unknown,
    Down,
    Ready,
    Disconnected,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Reachability {
    Unknown,
    Unreachable,
    Reachable,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NodeSpec {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    pub labels: Labels,
    pub role: NodeRole,
    pub availability: Availability,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Platform {
    pub architecture: String,
    #[serde(rename = "OS")]
    pub os: String,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resources {
    #[serde(rename = "NanoCPUs", default, skip_serializing_if = "is_zero_i64")]
    pub nano_cpus: i64,
    #[serde(rename = "MemoryBytes", default, skip_serializing_if = "is_zero_i64")]
    pub memory_bytes: i64,
}

impl Resources {
    pub fn is_empty(&self) -> bool {
        self.nano_cpus == 0 && self.memory_bytes == 0
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PluginDescription {
    pub r#type: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EngineDescription {
    pub engine_version: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: Labels,
    pub plugins: Vec<PluginDescription>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NodeDescription {
    pub hostname: String,
    pub platform: Platform,
    pub resources: Resources,
    pub engine: EngineDescription,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NodeStatus {
    pub state: NodeState,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    pub addr: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ManagerStatus {
    #[serde(default, skip_serializing_if = "is_false")]
    pub leader: bool,
    pub reachability: Reachability,
    pub addr: String,
}

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

// ---------------------------------------------------------------------------
// Services

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum MountType {
    Bind,
    #[default]
    Volume,
    Tmpfs,
}

impl MountType {
    pub fn as_str(self) -> &'static str {
        match self {
            MountType::Bind => "bind",
            MountType::Volume => "volume",
            MountType::Tmpfs => "tmpfs",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct DriverConfig {
    pub name: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub options: Labels,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct VolumeOptions {
    #[serde(default, skip_serializing_if = "is_false")]
    pub no_copy: bool,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: Labels,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver_config: Option<DriverConfig>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct Mount {
    pub r#type: MountType,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    pub target: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub read_only: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_options: Option<VolumeOptions>,
}

impl Mount {
    pub fn volume_driver(&self) -> &str {
        self.volume_options
            .as_ref()
            .and_then(|o| o.driver_config.as_ref())
            .map(|d| d.name.as_str())
            .unwrap_or("local")
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerSpec {
    pub image: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: Labels,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub hostname: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub dir: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub user: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mounts: Vec<Mount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_grace_period: Option<SimDuration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub init: Option<bool>,
    #[serde(default)]
    pub isolation: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceRequirements {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<Resources>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reservations: Option<Resources>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum RestartCondition {
    #[serde(rename = "none")]
    None,
    #[serde(rename = "on-failure")]
    OnFailure,
    #[default]
    #[serde(rename = "any")]
    Any,
}

impl RestartCondition {
    pub fn as_str(self) -> &'static str {
        match self {
            RestartCondition::None => "none",
            RestartCondition::OnFailure => "on-failure",
            RestartCondition::Any => "any",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct RestartPolicy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<RestartCondition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay: Option<SimDuration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_attempts: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<SimDuration>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SpreadOver {
    pub spread_descriptor: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PlacementPreference {
    pub spread: SpreadOver,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct Placement {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub constraints: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub preferences: Vec<PlacementPreference>,
    #[serde(default, skip_serializing_if = "is_zero_u64")]
    pub max_replicas: u64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub platforms: Vec<Platform>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkAttachmentConfig {
    pub target: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct TaskSpec {
    pub container_spec: ContainerSpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourceRequirements>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart_policy: Option<RestartPolicy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placement: Option<Placement>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub networks: Vec<NetworkAttachmentConfig>,
    #[serde(default)]
    pub force_update: u64,
    #[serde(default)]
    pub runtime: String,
}

impl TaskSpec {
    pub fn reservations(&self) -> Resources {
        self.resources
            .and_then(|r| r.reservations)
            .unwrap_or_default()
    }
    pub fn limits(&self) -> Resources {
        self.resources.and_then(|r| r.limits).unwrap_or_default()
    }
    pub fn constraints(&self) -> &[String] {
        self.placement
            .as_ref()
            .map(|p| p.constraints.as_slice())
            .unwrap_or(&[])
    }
    pub fn preferences(&self) -> &[PlacementPreference] {
        self.placement
            .as_ref()
            .map(|p| p.preferences.as_slice())
            .unwrap_or(&[])
    }
    pub fn max_replicas(&self) -> u64 {
        self.placement.as_ref().map(|p| p.max_replicas).unwrap_or(0)
    }
    pub fn platforms(&self) -> &[Platform] {
        self.placement
            .as_ref()
            .map(|p| p.platforms.as_slice())
            .unwrap_or(&[])
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ServiceMode {
    Replicated {
        #[serde(rename = "Replicas")]
        replicas: u64,
    },
    Global {},
    ReplicatedJob {
        #[serde(rename = "MaxConcurrent")]
        max_concurrent: u64,
        #[serde(rename = "TotalCompletions")]
        total_completions: u64,
    },
    GlobalJob {},
}

impl ServiceMode {
    pub fn name(&self) -> &'static str {
        match self {
            ServiceMode::Replicated { .. } => "replicated",
            ServiceMode::Global {} => "global",
            ServiceMode::ReplicatedJob { .. } => "replicated job",
            ServiceMode::GlobalJob {} => "global job",
        }
    }
    pub fn is_job(&self) -> bool {
        matches!(
            self,
            ServiceMode::ReplicatedJob { .. } | ServiceMode::GlobalJob {}
        )
    }
    pub fn is_global(&self) -> bool {
        matches!(self, ServiceMode::Global {} | ServiceMode::GlobalJob {})
    }
    pub fn same_kind(&self, o: &ServiceMode) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(o)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum FailureAction {
    #[default]
    Pause,
    Continue,
    Rollback,
}

impl FailureAction {
    pub fn as_str(self) -> &'static str {
        match self {
            FailureAction::Pause => "pause",
            FailureAction::Continue => "continue",
            FailureAction::Rollback => "rollback",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum UpdateOrder {
    #[default]
    #[serde(rename = "stop-first")]
    StopFirst,
    #[serde(rename = "start-first")]
    StartFirst,
}

impl UpdateOrder {
    pub fn as_str(self) -> &'static str {
        match self {
            UpdateOrder::StopFirst => "stop-first",
            UpdateOrder::StartFirst => "start-first",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateConfig {
    pub parallelism: u64,
    #[serde(default, skip_serializing_if = "is_zero_dur")]
    pub delay: SimDuration,
    pub failure_action: FailureAction,
    #[serde(default, skip_serializing_if = "is_zero_dur")]
    pub monitor: SimDuration,
    #[serde(serialize_with = "ser_ratio")]
    pub max_failure_ratio: f32,
    pub order: UpdateOrder,
}

impl Default for UpdateConfig {
    /// swarmkit's defaults (B21).
    fn default() -> Self {
        UpdateConfig {
            parallelism: 1,
            delay: SimDuration::ZERO,
            failure_action: FailureAction::Pause,
            monitor: SimDuration::from_secs(5),
            max_failure_ratio: 0.0,
            order: UpdateOrder::StopFirst,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum EndpointMode {
    #[default]
    Vip,
    Dnsrr,
}

impl EndpointMode {
    pub fn as_str(self) -> &'static str {
        match self {
            EndpointMode::Vip => "vip",
            EndpointMode::Dnsrr => "dnsrr",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    #[default]
    Tcp,
    Udp,
    Sctp,
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Sctp => "sctp",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum PublishMode {
    #[default]
    Ingress,
    Host,
}

impl PublishMode {
    pub fn as_str(self) -> &'static str {
        match self {
            PublishMode::Ingress => "ingress",
            PublishMode::Host => "host",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PortConfig {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    pub protocol: Protocol,
    pub target_port: u32,
    #[serde(default, skip_serializing_if = "is_zero_u32")]
    pub published_port: u32,
    pub publish_mode: PublishMode,
}

fn is_zero_u32(v: &u32) -> bool {
    *v == 0
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct EndpointSpec {
    pub mode: EndpointMode,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<PortConfig>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ServiceSpec {
    pub name: String,
    #[serde(default)]
    pub labels: Labels,
    pub task_template: TaskSpec,
    pub mode: ServiceMode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_config: Option<UpdateConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollback_config: Option<UpdateConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_spec: Option<EndpointSpec>,
}

impl ServiceSpec {
    pub fn endpoint(&self) -> EndpointSpec {
        self.endpoint_spec.clone().unwrap_or_default()
    }
    pub fn update_cfg(&self) -> UpdateConfig {
        self.update_config.unwrap_or_default()
    }
    pub fn rollback_cfg(&self) -> UpdateConfig {
        self.rollback_config.unwrap_or_default()
    }
    pub fn replicas(&self) -> Option<u64> {
        match self.mode {
            ServiceMode::Replicated { replicas } => Some(replicas),
            _ => None,
        }
    }
    pub fn stack_namespace(&self) -> Option<&str> {
        self.labels.get(STACK_LABEL).map(|s| s.as_str())
    }
}

pub const STACK_LABEL: &str = "com.docker.stack.namespace";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VirtualIp {
    #[serde(rename = "NetworkID")]
    pub network_id: String,
    pub addr: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct Endpoint {
    pub spec: EndpointSpec,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<PortConfig>,
    #[serde(default, rename = "VirtualIPs", skip_serializing_if = "Vec::is_empty")]
    pub virtual_ips: Vec<VirtualIp>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UpdateState {
    Updating,
    Paused,
    Completed,
    RollbackStarted,
    RollbackPaused,
    RollbackCompleted,
}

impl UpdateState {
    pub fn as_str(self) -> &'static str {
        match self {
            UpdateState::Updating => "updating",
            UpdateState::Paused => "paused",
            UpdateState::Completed => "completed",
            UpdateState::RollbackStarted => "rollback_started",
            UpdateState::RollbackPaused => "rollback_paused",
            UpdateState::RollbackCompleted => "rollback_completed",
        }
    }
    pub fn in_progress(self) -> bool {
        matches!(self, UpdateState::Updating | UpdateState::RollbackStarted)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateStatus {
    pub state: UpdateState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<SimTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<SimTime>,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct JobStatus {
    pub job_iteration: Version,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_execution: Option<SimTime>,
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

// ---------------------------------------------------------------------------
// Containers

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerState {
    pub status: String,
    pub running: bool,
    pub paused: bool,
    pub restarting: bool,
    #[serde(rename = "OOMKilled")]
    pub oom_killed: bool,
    pub dead: bool,
    pub pid: i64,
    pub exit_code: i64,
    pub error: String,
    #[serde(serialize_with = "ser_opt_time", deserialize_with = "opt_time_de::de")]
    pub started_at: Option<SimTime>,
    #[serde(serialize_with = "ser_opt_time", deserialize_with = "opt_time_de::de")]
    pub finished_at: Option<SimTime>,
}

/// Docker prints Go's zero time for "never".
fn ser_opt_time<S: Serializer>(t: &Option<SimTime>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&t.rfc3339_nano()),
        None => s.serialize_str("0001-01-01T00:00:00Z"),
    }
}

pub mod opt_time_de {
    use super::SimTime;
    use serde::{Deserialize, Deserializer};
    pub fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SimTime>, D::Error> {
        let s = String::deserialize(d)?;
        if s.starts_with("0001-01-01") {
            Ok(None)
        } else {
            SimTime::parse_rfc3339(&s)
                .map(Some)
                .map_err(serde::de::Error::custom)
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MountPoint {
    pub r#type: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    pub source: String,
    pub destination: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub driver: String,
    pub mode: String,
    #[serde(rename = "RW")]
    pub rw: bool,
    pub propagation: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EndpointSettings {
    #[serde(rename = "NetworkID")]
    pub network_id: String,
    #[serde(rename = "EndpointID")]
    pub endpoint_id: String,
    pub gateway: String,
    #[serde(rename = "IPAddress")]
    pub ip_address: String,
    #[serde(rename = "IPPrefixLen")]
    pub ip_prefix_len: u8,
    pub mac_address: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerConfig {
    pub hostname: String,
    #[serde(default)]
    pub env: Vec<String>,
    #[serde(default)]
    pub cmd: Vec<String>,
    pub image: String,
    #[serde(default)]
    pub labels: Labels,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub exposed_ports: BTreeMap<String, serde_json::Value>,
}

/// What a container does while it runs (derived from its image and command).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ContainerSim {
    pub node: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    /// Image reference as given ("nginx:latest").
    pub image_ref: String,
    /// Seed for the container's generated log lines.
    pub log_seed: u64,
    /// When the container will exit by itself, and with which code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_at: Option<(SimTime, i64)>,
    /// A stop in progress: the container exits at this time with this code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopping: Option<(SimTime, i64)>,
    pub wake: Option<SimTime>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Container {
    pub id: String,
    pub created: SimTime,
    pub path: String,
    pub args: Vec<String>,
    pub state: ContainerState,
    pub image: String,
    pub name: String,
    pub restart_count: u64,
    pub driver: String,
    pub platform: String,
    pub config: ContainerConfig,
    pub mounts: Vec<MountPoint>,
    pub network_settings: BTreeMap<String, EndpointSettings>,
    #[serde(rename = "x-sim", default)]
    pub sim: ContainerSim,
}

impl Container {
    /// The name without docker's leading slash.
    pub fn short_name(&self) -> &str {
        self.name.trim_start_matches('/')
    }
    pub fn is_running(&self) -> bool {
        self.state.running
    }
    /// The full command line, as `docker ps` shows it.
    pub fn command_line(&self) -> String {
        let mut parts = vec![self.path.clone()];
        parts.extend(self.args.iter().cloned());
        parts.join(" ")
    }
}

// ---------------------------------------------------------------------------
// Volumes and networks

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct VolumeSim {
    pub node: String,
    pub anonymous: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Volume {
    #[serde(serialize_with = "ser_secs_time")]
    pub created_at: SimTime,
    pub driver: String,
    pub labels: Labels,
    pub mountpoint: String,
    pub name: String,
    pub options: Labels,
    pub scope: String,
    #[serde(rename = "x-sim", default)]
    pub sim: VolumeSim,
}

fn ser_secs_time<S: Serializer>(t: &SimTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.rfc3339())
}

impl Volume {
    /// The store key: volumes are local to a node.
    pub fn key_of(node: &str, name: &str) -> String {
        format!("{node}/{name}")
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IpamConfig {
    pub subnet: String,
    pub gateway: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Ipam {
    pub driver: String,
    pub options: Option<Labels>,
    pub config: Vec<IpamConfig>,
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

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct JoinTokens {
    pub worker: String,
    pub manager: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Swarm {
    #[serde(rename = "ID")]
    pub id: String,
    pub version: Version,
    pub created_at: SimTime,
    pub updated_at: SimTime,
    /// `--task-history-limit` (B11); negative keeps everything.
    pub task_history_retention_limit: i64,
    pub join_tokens: JoinTokens,
    /// The default subnet pool for overlay networks.
    pub default_addr_pool: Vec<String>,
    pub subnet_size: u8,
}
