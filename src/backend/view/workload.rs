//! Workloads (swarm services) and their revisions (the specs a rollout goes between).

use super::{Common, Labels, ObjRef, Word};
use opsconsole_sim::base::time::{SimDuration, SimTime};
use serde::{Deserialize, Serialize};

/// How a workload runs its replicas.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WorkloadMode {
    /// A number of replicas.
    Replicated,
    /// One replica on every eligible host.
    Global,
    /// Replicas that run to completion, a number of them.
    ReplicatedJob,
    /// One run to completion on every eligible host.
    GlobalJob,
    /// Runs to completion on a schedule (a CronJob).
    Scheduled,
}

impl WorkloadMode {
    /// As `docker service ls` shows it.
    pub fn name(self) -> &'static str {
        match self {
            WorkloadMode::Replicated => "replicated",
            WorkloadMode::Global => "global",
            WorkloadMode::ReplicatedJob => "replicated job",
            WorkloadMode::GlobalJob => "global job",
            WorkloadMode::Scheduled => "scheduled",
        }
    }
    pub fn is_job(self) -> bool {
        matches!(
            self,
            WorkloadMode::ReplicatedJob | WorkloadMode::GlobalJob | WorkloadMode::Scheduled
        )
    }
}

/// Where a rollout (an update, or a rollback) stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RolloutState {
    Progressing,
    Paused,
    Complete,
    RollingBack,
    RollbackPaused,
    RolledBack,
}

impl RolloutState {
    /// Docker's `UpdateStatus.State`.
    pub fn of_update_state(s: &str) -> Option<RolloutState> {
        Some(match s {
            "updating" => RolloutState::Progressing,
            "paused" => RolloutState::Paused,
            "completed" => RolloutState::Complete,
            "rollback_started" => RolloutState::RollingBack,
            "rollback_paused" => RolloutState::RollbackPaused,
            "rollback_completed" => RolloutState::RolledBack,
            _ => return None,
        })
    }
    pub fn in_progress(self) -> bool {
        matches!(self, RolloutState::Progressing | RolloutState::RollingBack)
    }
    pub fn paused(self) -> bool {
        matches!(self, RolloutState::Paused | RolloutState::RollbackPaused)
    }
    pub fn rollback(self) -> bool {
        matches!(
            self,
            RolloutState::RollingBack | RolloutState::RollbackPaused | RolloutState::RolledBack
        )
    }
}

/// A rollout's status.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RolloutView {
    pub state: RolloutState,
    /// The backend's word for it ("rollback_started").
    pub status: Word,
    pub message: String,
    pub started_at: Option<SimTime>,
    pub completed_at: Option<SimTime>,
    /// Replicas done of those it replaces.
    pub progress: Option<(u64, u64)>,
}

/// How a rollout proceeds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StrategyView {
    pub parallelism: u64,
    pub delay: SimDuration,
    pub failure_action: Word,
    pub monitor: SimDuration,
    pub max_failure_ratio: f32,
    pub order: Word,
}

/// What runs replicas of one spec.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkloadView {
    pub c: Common,
    pub mode: WorkloadMode,
    pub running: u64,
    pub desired: u64,
    /// docker's REPLICAS column ("3/4", "1/3 (max 1 per node)").
    pub replicas: String,
    /// Image without digest.
    pub image: String,
    /// docker's PORTS column.
    pub ports: String,
    /// The stack it was deployed with.
    pub stack: Option<String>,
    pub updated_at: SimTime,
    pub rollout: Option<RolloutView>,
    pub update_config: Option<StrategyView>,
    pub rollback_config: Option<StrategyView>,
    /// What a Kubernetes workload has besides (none for swarm services).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kube: Option<Box<KubeWorkload>>,
}

/// A Kubernetes workload's own columns (kubectl's): `running`/`desired` are its READY
/// (a Job's succeeded/completions, a CronJob's active Jobs).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct KubeWorkload {
    pub up_to_date: Option<u64>,
    pub available: Option<u64>,
    /// A Job's status (Running, Complete, Failed, Suspended), a CronJob's schedule.
    pub status: String,
    /// A CronJob is suspended.
    pub suspended: bool,
    /// kubectl's SELECTOR.
    pub selector: String,
    /// The template's containers' names, in order.
    pub containers: Vec<String>,
}

impl WorkloadView {
    pub fn id(&self) -> &str {
        &self.c.r.uid
    }
    pub fn name(&self) -> &str {
        &self.c.r.name
    }
    pub fn labels(&self) -> &Labels {
        &self.c.labels
    }
    pub fn created_at(&self) -> SimTime {
        self.c.created
    }
    /// It runs a number of replicas that can be changed.
    pub fn scalable(&self) -> bool {
        self.mode == WorkloadMode::Replicated
    }
}

/// One spec of a workload's history: `c.owner` is the workload. Revisions are numbered in
/// the order they were the current spec.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RevisionView {
    pub c: Common,
    pub number: u64,
    /// It is the spec the workload runs now.
    pub current: bool,
    /// The spec as the backend reports it.
    pub template: serde_json::Value,
}

impl RevisionView {
    /// The workload it is a revision of.
    pub fn of(&self) -> Option<&ObjRef> {
        self.c.owner.as_ref()
    }
}
