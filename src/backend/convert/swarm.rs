//! Swarm objects as views: hosts, workloads and their revisions, replicas. The columns
//! both the built-in cluster and a real engine show (REPLICAS, update progress, ports, a
//! task's name) are computed here, once.

use crate::backend::view::*;
use opsconsole_sim::base::time::SimTime;
use opsconsole_sim::engine::PortConfig;
use opsconsole_sim::exec::format::service_ports;

/// What the built-in cluster can do to each kind of object.
pub fn builtin_caps() -> Vec<(ResKind, Caps)> {
    vec![
        (ResKind::SwarmNode, node_caps() | Caps::POWER),
        (ResKind::SwarmService, service_caps() | Caps::PAUSE),
        (ResKind::SwarmTask, Caps::EXIT),
        (ResKind::Volume, Caps::REMOVE),
    ]
}

/// What a real swarm manager can be asked to do to each kind of object.
pub fn swarm_caps() -> Vec<(ResKind, Caps)> {
    vec![
        (ResKind::SwarmNode, node_caps()),
        (ResKind::SwarmService, service_caps()),
        (ResKind::SwarmTask, Caps::STATS),
        (ResKind::Volume, Caps::REMOVE),
    ]
}

/// What a plain engine can be asked to do to each kind of object.
pub fn engine_caps() -> Vec<(ResKind, Caps)> {
    vec![
        (
            ResKind::Container,
            Caps::START | Caps::STOP | Caps::RESTART | Caps::REMOVE | Caps::STATS,
        ),
        (ResKind::Volume, Caps::REMOVE),
    ]
}

/// What a swarm can create (services also as stacks), and a plain engine.
pub const SWARM_CREATES: &[ResKind] = &[ResKind::SwarmService, ResKind::Volume];
pub const ENGINE_CREATES: &[ResKind] = &[ResKind::Volume];

fn node_caps() -> Caps {
    Caps::AVAILABILITY | Caps::PROMOTE | Caps::DEMOTE | Caps::LABEL
}

fn service_caps() -> Caps {
    Caps::SCALE | Caps::SET_IMAGE | Caps::ROLLBACK | Caps::REMOVE | Caps::RESUME
}

/// A reference's capabilities, from its backend's table.
pub fn caps_of(table: &[(ResKind, Caps)], kind: ResKind) -> Caps {
    table
        .iter()
        .filter(|(k, _)| *k == kind)
        .fold(Caps::NONE, |a, (_, c)| a | *c)
}

// ---------------------------------------------------------------------------
// Hosts

/// A node as either backend reads it.
pub struct NodeFacts {
    pub id: String,
    pub hostname: String,
    pub ip: String,
    pub manager: bool,
    pub status: HostStatus,
    pub availability: Schedulable,
    pub manager_status: ManagerStatus,
    pub engine: String,
    pub platform: String,
    pub labels: Labels,
    pub created: SimTime,
    pub nano_cpus: i64,
    pub memory: i64,
    pub engine_up: bool,
}

/// What runs on a node: reserved resources and tasks assigned and running or about to.
#[derive(Clone, Copy, Debug, Default)]
pub struct Usage {
    pub reserved_cpus: i64,
    pub reserved_memory: i64,
    pub tasks: u32,
}

pub fn host(kind: ResKind, f: NodeFacts, u: Usage, caps: Caps) -> HostView {
    HostView {
        c: Common {
            r: ObjRef::new(kind, f.hostname, f.id),
            labels: f.labels,
            created: f.created,
            owner: None,
            caps,
        },
        ip: f.ip,
        role: if f.manager {
            HostRole::Manager
        } else {
            HostRole::Worker
        },
        status: f.status,
        availability: f.availability,
        manager_status: f.manager_status,
        engine: f.engine,
        platform: f.platform,
        nano_cpus: f.nano_cpus,
        memory: f.memory,
        reserved_cpus: u.reserved_cpus,
        reserved_memory: u.reserved_memory,
        tasks: u.tasks,
        engine_up: f.engine_up,
        kube: None,
    }
}

// ---------------------------------------------------------------------------
// Workloads and revisions

/// A service as either backend reads it.
pub struct ServiceFacts {
    pub id: String,
    pub name: String,
    pub mode: WorkloadMode,
    pub labels: Labels,
    pub created: SimTime,
    pub updated: SimTime,
    /// Image as the spec has it (a digest is dropped).
    pub image: String,
    pub ports: Vec<PortConfig>,
    /// `MaxReplicas` of its placement (0: no limit).
    pub max_per_node: u64,
    pub update: Option<UpdateFacts>,
    pub update_config: Option<StrategyView>,
    pub rollback_config: Option<StrategyView>,
    /// The spec, and the previous one, as the backend reports them.
    pub spec: serde_json::Value,
    pub previous_spec: Option<serde_json::Value>,
}

/// `UpdateStatus` as either backend reads it.
pub struct UpdateFacts {
    pub state: Word,
    pub message: String,
    pub started_at: Option<SimTime>,
    pub completed_at: Option<SimTime>,
}

/// How many of a service's replicas run, how many it wants, and for jobs how many of how
/// many completed.
#[derive(Clone, Copy, Debug, Default)]
pub struct Counts {
    pub running: u64,
    pub desired: u64,
    pub completed: Option<(u64, u64)>,
}

/// docker's REPLICAS column.
pub fn replicas_column(c: Counts, max_per_node: u64) -> String {
    let mut out = format!("{}/{}", c.running, c.desired);
    if max_per_node > 0 {
        out.push_str(&format!(" (max {max_per_node} per node)"));
    }
    if let Some((done, total)) = c.completed {
        out.push_str(&format!(" ({done}/{total} completed)"));
    }
    out
}

/// A task as update progress counts it.
pub struct TaskProgress {
    /// It should run.
    pub wanted: bool,
    pub running: bool,
    /// It runs the service's current template.
    pub current: bool,
}

/// Slots running the current spec, of the slots the service wants.
pub fn update_progress(desired: u64, tasks: impl Iterator<Item = TaskProgress>) -> (u64, u64) {
    let updated = tasks.filter(|t| t.wanted && t.running && t.current).count() as u64;
    (updated.min(desired), desired)
}

/// The workload view, and its revisions: the spec it runs and, if it has one, the
/// previous one.
pub fn workload(
    f: ServiceFacts,
    counts: Counts,
    progress: Option<(u64, u64)>,
    caps: Caps,
) -> (WorkloadView, Vec<RevisionView>) {
    let r = ObjRef::new(ResKind::SwarmService, f.name, f.id);
    let revisions = revisions(&r, f.spec, f.previous_spec, f.created, f.updated);
    let stack = f.labels.get(opsconsole_sim::engine::STACK_LABEL).cloned();
    let rollout = f.update.and_then(|u| {
        Some(RolloutView {
            state: RolloutState::of_update_state(u.state.as_str())?,
            status: u.state,
            message: u.message,
            started_at: u.started_at,
            completed_at: u.completed_at,
            progress,
        })
    });
    let w = WorkloadView {
        c: Common {
            r,
            labels: f.labels,
            created: f.created,
            owner: None,
            caps,
        },
        mode: f.mode,
        running: counts.running,
        desired: counts.desired,
        replicas: replicas_column(counts, f.max_per_node),
        image: f.image,
        ports: service_ports(&f.ports),
        stack,
        updated_at: f.updated,
        rollout,
        update_config: f.update_config,
        rollback_config: f.rollback_config,
        kube: None,
    };
    (w, revisions)
}

/// The uid of a service's current spec, and of its previous one.
pub fn revision_uids(service_id: &str) -> [String; 2] {
    [
        format!("{service_id}#current"),
        format!("{service_id}#previous"),
    ]
}

/// A swarm service keeps two specs: the one it runs (revision 2, or 1 if it has no other)
/// and the one before it (revision 1).
fn revisions(
    svc: &ObjRef,
    spec: serde_json::Value,
    previous: Option<serde_json::Value>,
    created: SimTime,
    updated: SimTime,
) -> Vec<RevisionView> {
    let [cur_uid, prev_uid] = revision_uids(&svc.uid);
    let rev = |uid: String, number: u64, current: bool, template, at| RevisionView {
        c: Common {
            r: ObjRef::new(ResKind::SwarmSpec, format!("{}#{number}", svc.name), uid),
            labels: Labels::new(),
            created: at,
            owner: Some(svc.clone()),
            caps: Caps::NONE,
        },
        number,
        current,
        template,
    };
    let mut out = Vec::new();
    let n = match previous {
        Some(p) => {
            out.push(rev(prev_uid, 1, false, p, created));
            2
        }
        None => 1,
    };
    out.push(rev(cur_uid, n, true, spec, updated));
    out
}

// ---------------------------------------------------------------------------
// Replicas

/// A task as either backend reads it.
pub struct TaskFacts {
    pub id: String,
    pub service_id: String,
    pub service_name: String,
    pub slot: u64,
    pub node_id: String,
    pub node_name: String,
    pub image: String,
    /// Docker's task states.
    pub state: Word,
    pub desired: Word,
    pub since: SimTime,
    pub err: String,
    pub message: String,
    pub exit_code: Option<i64>,
    pub created: SimTime,
    pub container_id: Option<String>,
    pub ports: String,
}

/// docker's task name: `svc.slot`, or `svc.nodeid` for global tasks.
pub fn task_name(service_name: &str, slot: u64, node_id: &str) -> String {
    if slot != 0 {
        format!("{service_name}.{slot}")
    } else {
        format!("{service_name}.{node_id}")
    }
}

pub fn replica(f: TaskFacts, caps: Caps) -> ReplicaView {
    let phase = Phase::of_task_state(f.state.as_str());
    ReplicaView {
        c: Common {
            r: ObjRef::new(
                ResKind::SwarmTask,
                task_name(&f.service_name, f.slot, &f.node_id),
                f.id,
            ),
            labels: Labels::new(),
            created: f.created,
            owner: Some(ObjRef::new(
                ResKind::SwarmService,
                f.service_name,
                f.service_id,
            )),
            caps,
        },
        slot: f.slot,
        node_id: f.node_id,
        node_name: f.node_name,
        image: f.image,
        phase,
        desired: Phase::of_task_state(f.desired.as_str()),
        status: f.state,
        desired_status: f.desired,
        since: f.since,
        err: f.err,
        message: f.message,
        exit_code: f.exit_code.filter(|_| phase.ended()),
        container_id: f.container_id,
        ports: f.ports,
        kube: None,
    }
}

/// Host-mode published ports, as `docker service ps` shows them.
pub fn host_ports<'a>(ports: impl Iterator<Item = (u32, u32, &'a str)>) -> String {
    ports
        .map(|(published, target, proto)| format!("*:{published}->{target}/{proto}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// The changes that turn the views `old` into `new` (by uid).
pub fn diff(old: &[View], new: &[View]) -> Vec<Change> {
    let before: std::collections::HashMap<&str, &View> =
        old.iter().map(|v| (v.common().r.uid.as_str(), v)).collect();
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for v in new {
        let uid = v.common().r.uid.as_str();
        if before.get(uid).is_none_or(|o| *o != v) {
            out.push(Change::Upsert(v.clone()));
        }
        seen.insert(uid);
    }
    for (uid, v) in &before {
        if !seen.contains(uid) {
            out.push(Change::Removed(v.common().r.clone()));
        }
    }
    out
}
