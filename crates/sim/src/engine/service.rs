//! Services: the spec (task template, mode, update and rollback configs, endpoint), the
//! endpoint the manager resolves, update status and job status.

use super::serde_util::*;
use super::*;
use crate::base::time::{SimDuration, SimTime};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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

impl ServiceSpec {
    /// A spec with the docker CLI's defaults filled in (`service create NAME IMAGE`).
    pub fn cli_default(name: &str, image: String, replicas: u64) -> ServiceSpec {
        ServiceSpec {
            name: name.to_string(),
            labels: Labels::new(),
            task_template: TaskSpec {
                container_spec: ContainerSpec {
                    image,
                    isolation: "default".into(),
                    ..Default::default()
                },
                resources: Some(ResourceRequirements {
                    limits: Some(Resources::default()),
                    reservations: Some(Resources::default()),
                }),
                restart_policy: Some(RestartPolicy {
                    condition: Some(RestartCondition::Any),
                    delay: Some(SimDuration::from_secs(5)),
                    max_attempts: Some(0),
                    window: None,
                }),
                placement: Some(Placement::default()),
                networks: Vec::new(),
                force_update: 0,
                runtime: "container".into(),
            },
            mode: ServiceMode::Replicated { replicas },
            update_config: Some(UpdateConfig::default()),
            rollback_config: Some(UpdateConfig::default()),
            endpoint_spec: Some(EndpointSpec {
                mode: EndpointMode::Vip,
                ports: Vec::new(),
            }),
        }
    }
}
