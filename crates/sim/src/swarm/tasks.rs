//! Tasks and slots, the pieces the orchestrator and the updater build with: a service's
//! task template and its fingerprint, creating a task for a slot, changing what a task
//! should be doing, and trimming a slot's history.

use crate::base::rng::stable_hash;
use crate::infra::runtime;
use crate::model::*;
use crate::state::State;
use crate::swarm::*;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What a task's lifecycle reports to: the orchestrator, which restarts, reconciles and
/// updates (the updater is handed it, so it needs no orchestrator of its own).
pub trait Lifecycle {
    /// A task's observed state became terminal.
    fn task_stopped(&self, st: &mut State, task_id: &str);
    /// A service's tasks should be brought in line with its spec.
    fn reconcile(&self, st: &mut State, svc_id: &str);
}

/// The fingerprint that decides whether a task is out of date (B20): the task template and
/// the endpoint spec. Replicas and update settings do not count.
pub fn spec_hash(spec: &ServiceSpec) -> u64 {
    let t = serde_json::to_string(&spec.task_template).unwrap_or_default();
    let e = serde_json::to_string(&spec.endpoint()).unwrap_or_default();
    stable_hash(&format!("{t}\u{0}{e}"))
}

/// The task name docker shows: `svc.slot`, or `svc.nodeid` for global tasks.
pub fn task_name(service_name: &str, t: &Task) -> String {
    if t.slot != 0 {
        format!("{service_name}.{}", t.slot)
    } else {
        format!("{service_name}.{}", t.node_id)
    }
}

/// A service's current task template, shared by the tasks created from it, with its hash.
#[derive(Clone)]
pub struct Template {
    pub spec: Arc<TaskSpec>,
    pub hash: u64,
}

impl Template {
    pub fn of(svc: &Service) -> Template {
        Template {
            spec: Arc::new(svc.spec.task_template.clone()),
            hash: spec_hash(&svc.spec),
        }
    }
}

/// Creates a task for a slot (or, for global services, a node). Returns its ID.
pub fn new_task(
    st: &mut State,
    svc_id: &str,
    tpl: &Template,
    slot: u64,
    node: &str,
) -> Option<String> {
    let svc = st.get::<Service>(svc_id)?;
    let hash = tpl.hash;
    let spec = tpl.spec.clone();
    let desired = if svc.spec.mode.is_job() {
        TaskState::Complete
    } else {
        TaskState::Running
    };
    let host_ports: Vec<(Protocol, u32)> = svc
        .endpoint
        .ports
        .iter()
        .filter(|p| p.publish_mode == PublishMode::Host && p.published_port != 0)
        .map(|p| (p.protocol, p.published_port))
        .collect();
    let nets = network::task_networks(st, &svc.spec);
    let job_iteration = svc.job_status.as_ref().map(|j| j.job_iteration);
    let now = st.now();
    let id = st.meta.rng.swarm_id();
    let mut attachments = Vec::new();
    for n in nets {
        if let Some(addr) = network::allocate(st, &n, &id) {
            attachments.push(NetworkAttachment {
                network: NetworkRef { id: n },
                addresses: vec![addr],
            });
        }
    }
    let task = Task {
        id: id.clone(),
        version: Version::default(),
        created_at: now,
        updated_at: now,
        labels: Labels::new(),
        spec,
        service_id: svc_id.to_string(),
        slot,
        node_id: node.to_string(),
        status: TaskStatus {
            timestamp: now,
            state: TaskState::Pending,
            message: "pending task scheduling".into(),
            err: String::new(),
            container_status: None,
        },
        desired_state: desired,
        networks_attachments: attachments,
        job_iteration,
        sim: TaskSim {
            spec_hash: hash,
            host_ports,
            ..Default::default()
        },
    };
    st.insert(task);
    Some(id)
}

/// Sets a task's desired state. A task that never got to a node is deleted when removed.
pub fn set_desired(st: &mut State, task_id: &str, desired: TaskState, lc: &dyn Lifecycle) {
    let Some(t) = st.get::<Task>(task_id) else {
        return;
    };
    if t.desired_state >= desired && desired != TaskState::Running {
        return;
    }
    let unstarted = t.status.state < TaskState::Assigned
        || t.node_id.is_empty() && t.status.state <= TaskState::Pending;
    let now = st.now();
    st.update::<Task>(task_id, |t| {
        t.desired_state = desired;
        if desired > TaskState::Complete {
            t.sim.wake = Some(now);
        }
    });
    if desired > TaskState::Complete && unstarted {
        // Nothing runs yet: it stops at once.
        st.update::<Task>(task_id, |t| {
            t.status.state = TaskState::Shutdown;
            t.status.message = "shutdown".into();
            t.status.timestamp = now;
            t.sim.wake = None;
        });
        lc.task_stopped(st, task_id);
    }
}

/// Runnable tasks of a service grouped by slot key (slot number, or node for global).
pub fn runnable_slots(st: &State, svc_id: &str) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for id in st.index().tasks_of_service(svc_id) {
        if let Some(t) = st.get::<Task>(id)
            && t.is_runnable()
        {
            out.entry(t.slot_key()).or_default().push(id.to_string());
        }
    }
    out
}

/// All tasks of one slot of a service.
pub fn slot_tasks<'a>(st: &'a State, svc_id: &str, slot_key: &str) -> Vec<&'a Task> {
    st.index()
        .tasks_in_slot(svc_id, slot_key)
        .filter_map(|id| st.get::<Task>(id))
        .collect()
}

/// Deletes a task; its container goes too unless it was a scale-down (docker leaves those
/// exited containers on the node).
pub fn delete_task(st: &mut State, task_id: &str, with_container: bool) {
    let Some(t) = st.remove::<Task>(task_id) else {
        return;
    };
    for a in &t.networks_attachments {
        network::release(st, &a.network.id, task_id);
    }
    if with_container && let Some(cid) = st.index().container_by_task.get(task_id).cloned() {
        runtime::remove_container_volumes(st, &cid);
        st.remove::<Container>(&cid);
    }
}

/// The task reaper (B11): keep at most the history limit of tasks per slot, deleting the
/// oldest finished ones first.
pub fn reap_slot(st: &mut State, svc_id: &str, slot_key: &str) {
    let Some(svc) = st.get::<Service>(svc_id) else {
        return;
    };
    let mut limit = st.meta.swarm.task_history_retention_limit;
    if let Some(max) = svc
        .spec
        .task_template
        .restart_policy
        .and_then(|p| p.max_attempts)
        && max > 0
    {
        limit = max as i64 + 1;
    }
    if limit < 0 {
        return;
    }
    let mut tasks: Vec<&Task> = slot_tasks(st, svc_id, slot_key);
    if tasks.len() as i64 <= limit {
        return;
    }
    tasks.sort_by_key(|t| (t.status.timestamp, t.created_at));
    let mut excess = tasks.len() as i64 - limit;
    let mut doomed = Vec::new();
    for t in tasks {
        if excess <= 0 {
            break;
        }
        if t.status.state > TaskState::Running
            || (t.status.state < TaskState::Assigned && t.desired_state > TaskState::Running)
        {
            doomed.push(t.id.clone());
            excess -= 1;
        }
    }
    for id in doomed {
        delete_task(st, &id, true);
    }
}

/// The IDs of the tasks on a node, in ID order.
pub fn task_ids_on(st: &State, node_id: &str) -> Vec<String> {
    st.index()
        .tasks_on_node(node_id)
        .map(str::to_string)
        .collect()
}
