//! Rolling updates and rollbacks (B20–B28).
//!
//! An update replaces every out-of-date slot, `parallelism` at a time: stop-first shuts the
//! old task down before the new one starts, start-first starts the new one and shuts the old
//! one down once the new one runs; each worker then sleeps `delay`. A replacement that ends
//! before RUNNING, or within `monitor` after it, is a failure; too many failures pause the
//! update, roll it back, or are ignored. After the last slot the update completes one monitor
//! period later.

use crate::base::time::{SimDuration, SimTime};
use crate::model::*;
use crate::state::State;
use crate::swarm::endpoint::allocate_endpoint;
use crate::swarm::tasks::{Lifecycle, spec_hash};
use crate::swarm::*;
use std::collections::BTreeMap;

fn config(svc: &Service, rollback: bool) -> UpdateConfig {
    if rollback {
        svc.spec.rollback_cfg()
    } else {
        svc.spec.update_cfg()
    }
}

fn set_status(st: &mut State, svc_id: &str, state: UpdateState, message: String, completed: bool) {
    let now = st.now();
    st.update::<Service>(svc_id, |s| {
        let started = s
            .update_status
            .as_ref()
            .and_then(|u| u.started_at)
            .unwrap_or(now);
        s.update_status = Some(UpdateStatus {
            state,
            started_at: Some(started),
            completed_at: completed.then_some(now),
            message,
        });
    });
}

fn slot_order(k: &str) -> (u64, String) {
    (k.parse().unwrap_or(u64::MAX), k.to_string())
}

/// Starts (or restarts) the update of a service over its runnable slots.
pub fn start(
    st: &mut State,
    svc_id: &str,
    slots: &BTreeMap<String, Vec<String>>,
    lc: &dyn Lifecycle,
) {
    let Some(svc) = st.get::<Service>(svc_id).cloned() else {
        return;
    };
    let hash = spec_hash(&svc.spec);
    let rollback = svc
        .update_status
        .as_ref()
        .is_some_and(|u| u.state == UpdateState::RollbackStarted);
    let mut dirty: Vec<String> = slots
        .iter()
        .filter(|(_, ids)| {
            ids.iter()
                .any(|id| st.get::<Task>(id).is_some_and(|t| t.sim.spec_hash != hash))
        })
        .map(|(k, _)| k.clone())
        .collect();
    dirty.sort_by_key(|k| slot_order(k));
    let state = svc.update_status.as_ref().map(|u| u.state);
    if dirty.is_empty() {
        if svc.sim.update.is_none()
            && matches!(
                state,
                Some(UpdateState::Updating) | Some(UpdateState::RollbackStarted)
            )
        {
            let (s, m) = if rollback {
                (UpdateState::RollbackCompleted, "rollback completed")
            } else {
                (UpdateState::Completed, "update completed")
            };
            set_status(st, svc_id, s, m.into(), true);
        }
        return;
    }
    // A paused update waits for the next service update (B25).
    if matches!(
        state,
        Some(UpdateState::Paused) | Some(UpdateState::RollbackPaused)
    ) {
        return;
    }
    // Already running for this spec (a reconcile triggered by something else).
    if svc.sim.update.is_some()
        && svc
            .update_status
            .as_ref()
            .is_some_and(|u| u.state.in_progress())
    {
        return;
    }
    let cfg = config(&svc, rollback);
    let workers = if cfg.parallelism == 0 {
        dirty.len()
    } else {
        cfg.parallelism as usize
    };
    let run = UpdateRun {
        rollback,
        dirty_total: dirty.len() as u64,
        queue: dirty,
        workers: vec![UpdateWorker::Idle; workers.max(1)],
        failures: 0,
        watched: BTreeMap::new(),
        completes_at: None,
    };
    let now = st.now();
    st.update::<Service>(svc_id, |s| {
        s.sim.update = Some(run);
        if !rollback {
            s.update_status = Some(UpdateStatus {
                state: UpdateState::Updating,
                started_at: Some(now),
                completed_at: None,
                message: "update in progress".into(),
            });
        }
    });
    tick(st, svc_id, lc);
}

/// Hands slots to idle workers and notices when the run is done.
pub fn tick(st: &mut State, svc_id: &str, lc: &dyn Lifecycle) {
    let now = st.now();
    loop {
        let Some(svc) = st.get::<Service>(svc_id).cloned() else {
            return;
        };
        let Some(mut run) = svc.sim.update.clone() else {
            return;
        };
        let mut dispatched = None;
        for (i, w) in run.workers.iter_mut().enumerate() {
            if let UpdateWorker::Delaying { until } = w
                && *until <= now
            {
                *w = UpdateWorker::Idle;
            }
            if *w == UpdateWorker::Idle && dispatched.is_none() && !run.queue.is_empty() {
                let slot = run.queue.remove(0);
                dispatched = Some((i, slot));
            }
        }
        if let Some((i, slot)) = dispatched {
            st.update::<Service>(svc_id, |s| s.sim.update = Some(run.clone()));
            match update_slot(st, &svc, &slot, lc) {
                Some(task) => {
                    run.workers[i] = UpdateWorker::Waiting {
                        slot,
                        task: task.clone(),
                    };
                    run.watched.insert(task, None);
                }
                None => run.workers[i] = UpdateWorker::Idle,
            }
            st.update::<Service>(svc_id, |s| {
                if s.sim.update.is_some() {
                    s.sim.update = Some(run);
                }
            });
            continue;
        }
        let idle = run.workers.iter().all(|w| *w == UpdateWorker::Idle);
        if idle && run.queue.is_empty() && run.completes_at.is_none() {
            let monitor = config(&svc, run.rollback).monitor;
            run.completes_at = Some(now + monitor);
        }
        let wake = run
            .workers
            .iter()
            .filter_map(|w| {
                if let UpdateWorker::Delaying { until } = w {
                    Some(*until)
                } else {
                    None
                }
            })
            .chain(run.completes_at)
            .min();
        st.update::<Service>(svc_id, |s| {
            s.sim.update = Some(run);
            s.sim.wake = wake;
        });
        return;
    }
}

/// Replaces the tasks of one slot with a task of the current spec. Returns the new task.
fn update_slot(st: &mut State, svc: &Service, slot: &str, lc: &dyn Lifecycle) -> Option<String> {
    let hash = spec_hash(&svc.spec);
    let old: Vec<Task> = tasks::slot_tasks(st, &svc.id, slot)
        .into_iter()
        .filter(|t| t.is_runnable())
        .cloned()
        .collect();
    if old.is_empty() {
        return None;
    }
    // A slot that already has an up-to-date task keeps it.
    if let Some(clean) = old.iter().find(|t| t.sim.spec_hash == hash) {
        for t in old.iter().filter(|t| t.id != clean.id) {
            tasks::set_desired(st, &t.id, TaskState::Shutdown, lc);
        }
        return None;
    }
    let rollback = svc
        .update_status
        .as_ref()
        .is_some_and(|u| u.state == UpdateState::RollbackStarted);
    let cfg = config(svc, rollback);
    let spec = tasks::Template::of(svc);
    let (slot_no, node) = if svc.spec.mode.is_global() {
        (0, slot.to_string())
    } else {
        (slot.parse().unwrap_or(0), String::new())
    };
    let new_id = tasks::new_task(st, &svc.id, &spec, slot_no, &node)?;
    if cfg.order == UpdateOrder::StopFirst {
        let wait = old
            .iter()
            .find(|t| t.status.state <= TaskState::Running && t.status.state >= TaskState::Assigned)
            .map(|t| t.id.clone());
        for t in &old {
            tasks::set_desired(st, &t.id, TaskState::Shutdown, lc);
        }
        let now = st.now();
        st.update::<Task>(&new_id, |t| {
            t.desired_state = TaskState::Ready;
            t.sim.start_after = Some(now);
            t.sim.wait_for = wait;
        });
    }
    tasks::reap_slot(st, &svc.id, slot);
    Some(new_id)
}

fn worker_done(
    st: &mut State,
    svc_id: &str,
    task_id: &str,
    start_first_cleanup: bool,
    lc: &dyn Lifecycle,
) {
    let Some(svc) = st.get::<Service>(svc_id).cloned() else {
        return;
    };
    let Some(mut run) = svc.sim.update.clone() else {
        return;
    };
    let now = st.now();
    let delay = config(&svc, run.rollback).delay;
    let mut slot_done = None;
    for w in run.workers.iter_mut() {
        if let UpdateWorker::Waiting { slot, task } = w
            && task == task_id
        {
            slot_done = Some(slot.clone());
            *w = if delay.is_zero() {
                UpdateWorker::Idle
            } else {
                UpdateWorker::Delaying { until: now + delay }
            };
        }
    }
    let Some(slot) = slot_done else { return };
    st.update::<Service>(svc_id, |s| s.sim.update = Some(run));
    if start_first_cleanup {
        let others: Vec<String> = tasks::slot_tasks(st, svc_id, &slot)
            .iter()
            .filter(|t| t.is_runnable() && t.id != task_id)
            .map(|t| t.id.clone())
            .collect();
        for id in others {
            tasks::set_desired(st, &id, TaskState::Shutdown, lc);
        }
    }
    tick(st, svc_id, lc);
}

/// A task reached RUNNING.
pub fn task_running(st: &mut State, t: &Task, lc: &dyn Lifecycle) {
    let Some(svc) = st.get::<Service>(&t.service_id) else {
        return;
    };
    let Some(run) = &svc.sim.update else { return };
    if !run.watched.contains_key(&t.id) {
        return;
    }
    let start_first = config(svc, run.rollback).order == UpdateOrder::StartFirst;
    let now = st.now();
    st.update::<Service>(&t.service_id, |s| {
        if let Some(r) = s.sim.update.as_mut() {
            r.watched.insert(t.id.clone(), Some(now));
        }
    });
    worker_done(st, &t.service_id, &t.id, start_first, lc);
}

/// A task ended: if it was one of this update's replacements and ended before RUNNING or
/// within the monitor period, it is a failure (B23).
pub fn task_ended(st: &mut State, t: &Task, lc: &dyn Lifecycle) {
    let Some(svc) = st.get::<Service>(&t.service_id).cloned() else {
        return;
    };
    let Some(run) = svc.sim.update.clone() else {
        return;
    };
    let Some(started) = run.watched.get(&t.id).copied() else {
        return;
    };
    let cfg = config(&svc, run.rollback);
    let now = st.now();
    let failed = started.is_none_or(|s| now - s <= cfg.monitor);
    // The worker waiting on it moves on either way.
    worker_done(st, &svc.id, &t.id, false, lc);
    if !failed {
        return;
    }
    let failures = run.failures + 1;
    st.update::<Service>(&svc.id, |s| {
        if let Some(r) = s.sim.update.as_mut() {
            r.failures = failures;
        }
    });
    if (failures as f32) / (run.dirty_total.max(1) as f32) <= cfg.max_failure_ratio {
        return;
    }
    let pause = |st: &mut State, state: UpdateState, what: &str| {
        st.update::<Service>(&svc.id, |s| stop_run(s, None));
        set_status(
            st,
            &svc.id,
            state,
            format!(
                "{what} paused due to failure or early termination of task {}",
                t.id
            ),
            false,
        );
    };
    match cfg.failure_action {
        FailureAction::Continue => {}
        FailureAction::Pause if run.rollback => pause(st, UpdateState::RollbackPaused, "rollback"),
        FailureAction::Pause => pause(st, UpdateState::Paused, "update"),
        FailureAction::Rollback if run.rollback => {}
        FailureAction::Rollback => {
            let Some(prev) = svc.previous_spec.clone() else {
                pause(st, UpdateState::Paused, "update");
                return;
            };
            let now = st.now();
            let message = format!(
                "update rolled back due to failure or early termination of task {}",
                t.id
            );
            st.update::<Service>(&svc.id, |s| {
                s.spec = prev;
                s.previous_spec = None;
                stop_run(s, Some(rollback_started(now, message)));
            });
            allocate_endpoint(st, &svc.id);
            lc.reconcile(st, &svc.id);
        }
    }
}

/// Ends the update run of a service, optionally setting a new status.
pub fn stop_run(s: &mut Service, status: Option<UpdateStatus>) {
    s.sim.update = None;
    s.sim.wake = None;
    if status.is_some() {
        s.update_status = status;
    }
}

/// The status of a rollback that starts now (B27, B28).
pub fn rollback_started(now: SimTime, message: String) -> UpdateStatus {
    UpdateStatus {
        state: UpdateState::RollbackStarted,
        started_at: Some(now),
        completed_at: None,
        message,
    }
}

/// The service's timer: a worker's delay ended, or the run completes.
pub fn service_wake(st: &mut State, svc_id: &str, lc: &dyn Lifecycle) {
    let Some(svc) = st.get::<Service>(svc_id).cloned() else {
        return;
    };
    let Some(run) = svc.sim.update.clone() else {
        return;
    };
    let now = st.now();
    if let Some(at) = run.completes_at
        && at <= now
        && run.queue.is_empty()
        && run.workers.iter().all(|w| *w == UpdateWorker::Idle)
    {
        st.update::<Service>(svc_id, |s| stop_run(s, None));
        let (state, msg) = if run.rollback {
            (UpdateState::RollbackCompleted, "rollback completed")
        } else {
            (UpdateState::Completed, "update completed")
        };
        set_status(st, svc_id, state, msg.into(), true);
        return;
    }
    tick(st, svc_id, lc);
}

/// For progress displays: how many of the run's slots are done.
pub fn progress(svc: &Service) -> Option<(u64, u64)> {
    let run = svc.sim.update.as_ref()?;
    let waiting = run
        .workers
        .iter()
        .filter(|w| matches!(w, UpdateWorker::Waiting { .. }))
        .count() as u64;
    Some((
        run.dirty_total - run.queue.len() as u64 - waiting,
        run.dirty_total,
    ))
}

/// Default monitor period (B21), exposed for displays.
pub const DEFAULT_MONITOR: SimDuration = SimDuration::from_secs(5);
