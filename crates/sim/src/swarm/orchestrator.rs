//! Manager-side orchestration: keeps each service's tasks matching its spec.
//!
//! * Replicated services fill slots 1..N, lowest missing first; scale-down removes the
//!   busiest nodes' highest copies, not-running first (B2, B12, B13).
//! * Global services run one task per eligible node (B3); jobs run to completion.
//! * The restart supervisor replaces dead tasks under the restart policy (B5–B10), the task
//!   reaper trims history per slot (B11), and node failures and drains move tasks (B14–B19).

use crate::base::time::SimDuration;
use crate::infra::{images, runtime};
use crate::model::*;
use crate::state::State;
use crate::swarm::tasks::{
    Lifecycle, Template, delete_task, new_task, reap_slot, runnable_slots, task_ids_on,
};
use crate::swarm::*;
use std::collections::BTreeMap;

/// Default restart delay (B7).
pub const DEFAULT_RESTART_DELAY: SimDuration = SimDuration::from_secs(5);
/// How long a stop-first replacement waits for the old task before starting anyway (B6).
pub const OLD_TASK_TIMEOUT: SimDuration = SimDuration::from_mins(1);

/// The orchestrator as the updater and the task primitives report to it.
pub struct Orchestrator;

impl Lifecycle for Orchestrator {
    fn task_stopped(&self, st: &mut State, task_id: &str) {
        task_stopped(st, task_id)
    }
    fn reconcile(&self, st: &mut State, svc_id: &str) {
        reconcile(st, svc_id)
    }
}

/// Sets a task's desired state. A task that never got to a node is deleted when removed.
pub fn set_desired(st: &mut State, task_id: &str, desired: TaskState) {
    tasks::set_desired(st, task_id, desired, &Orchestrator)
}

/// Brings a service's tasks in line with its spec (called on every spec change).
pub fn reconcile(st: &mut State, svc_id: &str) {
    let Some(svc) = st.get::<Service>(svc_id) else {
        return;
    };
    match svc.spec.mode {
        ServiceMode::Replicated { replicas } => reconcile_replicated(st, svc_id, replicas),
        ServiceMode::Global {} => reconcile_global(st, svc_id, false),
        ServiceMode::GlobalJob {} => reconcile_global(st, svc_id, true),
        ServiceMode::ReplicatedJob {
            max_concurrent,
            total_completions,
        } => reconcile_job(st, svc_id, max_concurrent, total_completions),
    }
}

/// Reconciles every global service (after node changes).
pub fn reconcile_globals(st: &mut State) {
    let ids: Vec<String> = st
        .all::<Service>()
        .filter(|s| s.spec.mode.is_global())
        .map(|s| s.id.clone())
        .collect();
    for id in ids {
        reconcile(st, &id);
    }
}

fn reconcile_replicated(st: &mut State, svc_id: &str, replicas: u64) {
    let slots = runnable_slots(st, svc_id);
    let have = slots.len() as u64;
    let spec = match st.get::<Service>(svc_id) {
        Some(s) => Template::of(s),
        None => return,
    };
    if replicas >= have {
        updater::start(st, svc_id, &slots, &Orchestrator);
        let mut slot = 0u64;
        for _ in have..replicas {
            loop {
                slot += 1;
                if !slots.contains_key(&slot.to_string()) {
                    break;
                }
            }
            new_task(st, svc_id, &spec, slot, "");
            reap_slot(st, svc_id, &slot.to_string());
        }
        return;
    }
    let order = scale_down_order(st, &slots);
    let keep: BTreeMap<String, Vec<String>> = order[..replicas as usize]
        .iter()
        .map(|k| (k.clone(), slots[k].clone()))
        .collect();
    updater::start(st, svc_id, &keep, &Orchestrator);
    for k in &order[replicas as usize..] {
        for id in &slots[k] {
            set_desired(st, id, TaskState::Remove);
        }
    }
}

/// Which slots to keep first when scaling down (B13): fewer copies on the same node first,
/// running before not running, then lower slot.
fn scale_down_order(st: &State, slots: &BTreeMap<String, Vec<String>>) -> Vec<String> {
    let mut keys: Vec<&String> = slots.keys().collect();
    let running = |k: &String| {
        slots[k].iter().any(|id| {
            st.get::<Task>(id)
                .is_some_and(|t| t.status.state == TaskState::Running)
        })
    };
    keys.sort_by_key(|k| (!running(k), k.parse::<u64>().unwrap_or(u64::MAX)));
    let mut per_node: BTreeMap<String, i64> = BTreeMap::new();
    let mut indexed: Vec<(i64, &String)> = Vec::new();
    for k in keys {
        let ids = &slots[k];
        let node = if ids.len() == 1 {
            st.get::<Task>(&ids[0])
                .map(|t| t.node_id.clone())
                .unwrap_or_default()
        } else {
            String::new()
        };
        if node.is_empty() {
            indexed.push((i64::MAX, k));
        } else {
            let c = per_node.entry(node).or_insert(0);
            *c += 1;
            indexed.push((*c, k));
        }
    }
    indexed.sort_by_key(|(i, _)| *i);
    indexed.into_iter().map(|(_, k)| k.clone()).collect()
}

fn reconcile_global(st: &mut State, svc_id: &str, job: bool) {
    let Some(svc) = st.get::<Service>(svc_id) else {
        return;
    };
    let constraints = constraint::parse(svc.spec.task_template.constraints()).unwrap_or_default();
    let spec = Template::of(svc);
    let iteration = svc.job_status.as_ref().map(|j| j.job_iteration);
    let slots = runnable_slots(st, svc_id);
    // Nodes whose task of this job iteration already completed.
    let done: Vec<String> = if job {
        st.index()
            .tasks_of_service(svc_id)
            .filter_map(|id| st.get::<Task>(id))
            .filter(|t| t.status.state == TaskState::Complete && t.job_iteration == iteration)
            .map(|t| t.node_id.clone())
            .collect()
    } else {
        Vec::new()
    };
    let mut to_stop = Vec::new();
    let mut to_start = Vec::new();
    for n in st.all::<Node>() {
        let keep = n.status.state != NodeState::Down
            && n.spec.availability != Availability::Drain
            && constraint::node_matches(&constraints, n);
        let has = slots.get(&n.id);
        if !keep {
            if let Some(ids) = has {
                to_stop.extend(ids.iter().cloned());
            }
        } else if has.is_none()
            && n.spec.availability == Availability::Active
            && !done.contains(&n.id)
        {
            to_start.push(n.id.clone());
        }
    }
    // Tasks on nodes that no longer exist.
    for (k, ids) in &slots {
        if st.get::<Node>(k).is_none() {
            to_stop.extend(ids.iter().cloned());
        }
    }
    let kept: BTreeMap<String, Vec<String>> = slots
        .iter()
        .filter(|(_, ids)| !ids.iter().any(|i| to_stop.contains(i)))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for id in &to_stop {
        set_desired(st, id, TaskState::Shutdown);
    }
    updater::start(st, svc_id, &kept, &Orchestrator);
    for node in to_start {
        new_task(st, svc_id, &spec, 0, &node);
        reap_slot(st, svc_id, &node);
    }
}

fn reconcile_job(st: &mut State, svc_id: &str, max_concurrent: u64, total: u64) {
    let Some(svc) = st.get::<Service>(svc_id) else {
        return;
    };
    let iteration = svc.job_status.as_ref().map(|j| j.job_iteration);
    let spec = Template::of(svc);
    let mut completed = 0u64;
    let mut active = 0u64;
    for t in st
        .index()
        .tasks_of_service(svc_id)
        .filter_map(|id| st.get::<Task>(id))
    {
        if t.job_iteration != iteration {
            continue;
        }
        if t.status.state == TaskState::Complete {
            completed += 1;
        } else if t.is_runnable() {
            active += 1;
        }
    }
    let target = total.saturating_sub(completed).min(max_concurrent.max(1));
    while active < target {
        let slot = st
            .get::<Service>(svc_id)
            .map(|s| s.sim.next_job_slot + 1)
            .unwrap_or(1);
        st.update::<Service>(svc_id, |s| s.sim.next_job_slot = slot);
        new_task(st, svc_id, &spec, slot, "");
        active += 1;
    }
}

/// The restart condition in force for a task (jobs default to on-failure).
fn restart_condition(t: &Task, job: bool) -> RestartCondition {
    t.spec
        .restart_policy
        .and_then(|p| p.condition)
        .unwrap_or(if job {
            RestartCondition::OnFailure
        } else {
            RestartCondition::Any
        })
}

fn should_restart(st: &State, svc: &Service, t: &Task) -> bool {
    let job = svc.spec.mode.is_job();
    match restart_condition(t, job) {
        RestartCondition::None => return false,
        RestartCondition::OnFailure if t.status.state == TaskState::Complete => return false,
        RestartCondition::Any if job && t.status.state == TaskState::Complete => return false,
        _ => {}
    }
    let policy = t.spec.restart_policy.unwrap_or_default();
    let max = policy.max_attempts.unwrap_or(0);
    if max == 0 {
        return true;
    }
    let Some(rec) = svc.sim.restarts.get(&t.slot_key()) else {
        return true;
    };
    if rec.spec_hash != t.sim.spec_hash {
        return true;
    }
    match policy.window {
        Some(w) if !w.is_zero() => {
            let since = st.now() - w;
            (rec.times.iter().filter(|t| **t > since).count() as u64) < max
        }
        _ => rec.total < max,
    }
}

/// The restart supervisor (B6–B10): shuts the old task down and, if the policy says so,
/// starts a replacement in the same slot (same node for global services).
pub fn restart(st: &mut State, task_id: &str, no_delay: bool) {
    let Some(t) = st.get::<Task>(task_id).cloned() else {
        return;
    };
    if t.desired_state > TaskState::Complete {
        return;
    }
    let Some(svc) = st.get::<Service>(&t.service_id).cloned() else {
        return;
    };
    set_desired(st, task_id, TaskState::Shutdown);
    let Some(t) = st.get::<Task>(task_id).cloned() else {
        return;
    };
    if !should_restart(st, &svc, &t) {
        return;
    }
    let node = st.get::<Node>(&t.node_id);
    let drained = node.is_some_and(|n| n.spec.availability == Availability::Drain);
    let node_down = node.is_none_or(|n| n.status.state == NodeState::Down);
    let delay = if no_delay || drained {
        SimDuration::ZERO
    } else {
        t.spec
            .restart_policy
            .and_then(|p| p.delay)
            .unwrap_or(DEFAULT_RESTART_DELAY)
    };
    let wait_stop = !(node_down || t.status.state > TaskState::Running);
    let spec = Template::of(&svc);
    let node_for_new = if svc.spec.mode.is_global() {
        t.node_id.clone()
    } else {
        String::new()
    };
    let Some(new_id) = new_task(st, &svc.id, &spec, t.slot, &node_for_new) else {
        return;
    };
    let now = st.now();
    st.update::<Task>(&new_id, |n| {
        n.desired_state = TaskState::Ready;
        n.sim.start_after = Some(now + delay);
        n.sim.wait_for = wait_stop.then(|| t.id.clone());
    });
    let key = t.slot_key();
    let hash = t.sim.spec_hash;
    let window = t
        .spec
        .restart_policy
        .and_then(|p| p.window)
        .unwrap_or(SimDuration::ZERO);
    st.update::<Service>(&svc.id, |s| {
        let rec = s.sim.restarts.entry(key.clone()).or_default();
        if rec.spec_hash != hash {
            *rec = RestartRecord {
                spec_hash: hash,
                total: 0,
                times: Vec::new(),
            };
        }
        rec.total += 1;
        rec.times.push(now);
        if !window.is_zero() {
            rec.times.retain(|x| *x > now - window);
        } else if rec.times.len() > 16 {
            rec.times.drain(..rec.times.len() - 16);
        }
    });
    reap_slot(st, &svc.id, &key);
}

/// Called whenever a task's observed state becomes terminal.
pub fn task_stopped(st: &mut State, task_id: &str) {
    let Some(t) = st.get::<Task>(task_id).cloned() else {
        return;
    };
    for a in &t.networks_attachments {
        network::release(st, &a.network.id, task_id);
    }
    scheduler::record_failure(st, &t);
    // Wake a replacement that waits for this task to stop (B6).
    let ids: Vec<String> = st
        .index()
        .tasks_of_service(&t.service_id)
        .map(str::to_string)
        .collect();
    let now = st.now();
    for id in ids {
        if st
            .get::<Task>(&id)
            .is_some_and(|x| x.sim.wait_for.as_deref() == Some(task_id))
        {
            st.update::<Task>(&id, |x| x.sim.wake = Some(now));
        }
    }
    if t.desired_state == TaskState::Remove {
        // Scale-down leaves the exited container on its node; removing the service does not.
        let service_gone = st.get::<Service>(&t.service_id).is_none();
        delete_task(st, task_id, service_gone);
        return;
    }
    updater::task_ended(st, &t, &Orchestrator);
    let Some(svc) = st.get::<Service>(&t.service_id) else {
        return;
    };
    if svc.spec.mode.is_job() && t.status.state == TaskState::Complete {
        let id = svc.id.clone();
        reconcile(st, &id);
        return;
    }
    if t.desired_state <= TaskState::Complete {
        restart(st, task_id, false);
    }
}

/// Called when a task reaches RUNNING.
pub fn task_started(st: &mut State, task_id: &str) {
    if let Some(t) = st.get::<Task>(task_id).cloned() {
        updater::task_running(st, &t, &Orchestrator);
    }
}

/// A node stopped answering (B14) or was drained (B15): its replicated tasks are restarted
/// elsewhere (after the restart delay when it went down, at once when drained) and its global
/// tasks stop.
pub fn evacuate_node(st: &mut State, node_id: &str, drained: bool) {
    let ids = task_ids_on(st, node_id);
    for id in ids {
        let Some(t) = st.get::<Task>(&id) else {
            continue;
        };
        if !t.is_runnable() {
            continue;
        }
        let global = st
            .get::<Service>(&t.service_id)
            .is_some_and(|s| s.spec.mode.is_global());
        if global {
            set_desired(st, &id, TaskState::Shutdown);
        } else {
            restart(st, &id, drained);
        }
    }
    reconcile_globals(st);
}

/// A node's labels, role or resources changed (B19): tasks whose constraints or reservations
/// it no longer meets are rejected and rescheduled.
pub fn enforce_constraints(st: &mut State, node_id: &str) {
    let Some(node) = st.get::<Node>(node_id).cloned() else {
        return;
    };
    let ids = task_ids_on(st, node_id);
    let mut reserved = Resources::default();
    let now = st.now();
    for id in ids {
        let Some(t) = st.get::<Task>(&id) else {
            continue;
        };
        if !t.is_runnable()
            || t.status.state < TaskState::Assigned
            || t.status.state > TaskState::Running
        {
            continue;
        }
        if st
            .get::<Service>(&t.service_id)
            .is_some_and(|s| s.spec.mode.is_global())
        {
            continue;
        }
        let cons = constraint::parse(t.spec.constraints()).unwrap_or_default();
        let r = t.spec.reservations();
        reserved.nano_cpus += r.nano_cpus;
        reserved.memory_bytes += r.memory_bytes;
        let fits = reserved.nano_cpus <= node.description.resources.nano_cpus
            && reserved.memory_bytes <= node.description.resources.memory_bytes;
        if constraint::node_matches(&cons, &node) && fits {
            continue;
        }
        if let Some(cid) = st.index().container_by_task.get(&id).cloned() {
            runtime::kill_silently(st, &cid, 137);
        }
        st.update::<Task>(&id, |t| {
            t.status.state = TaskState::Rejected;
            t.status.message = "task rejected by constraint enforcer".into();
            t.status.err = "assigned node no longer meets constraints".into();
            t.status.timestamp = now;
        });
        task_stopped(st, &id);
    }
    reconcile_globals(st);
}

/// Tasks of a node that was removed, or down for 24 hours, are orphaned (B18).
pub fn orphan_tasks(st: &mut State, node_id: &str, message: &str) {
    let ids = task_ids_on(st, node_id);
    let now = st.now();
    for id in ids {
        let Some(t) = st.get::<Task>(&id) else {
            continue;
        };
        if t.status.state < TaskState::Assigned || t.status.state > TaskState::Running {
            continue;
        }
        st.update::<Task>(&id, |t| {
            t.status.state = TaskState::Orphaned;
            t.status.message = message.to_string().into();
            t.status.timestamp = now;
        });
        task_stopped(st, &id);
    }
}

/// Checks an image reference at task preparation; the error docker's agent reports.
pub fn image_error(image: &str) -> Option<String> {
    match images::lookup(image) {
        Some(_) => None,
        None => {
            let shown = images::ImageRef::parse(image)
                .map(|r| r.familiar())
                .unwrap_or_else(|| image.to_string());
            Some(format!("No such image: {shown}"))
        }
    }
}
