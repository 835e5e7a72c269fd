//! Waiting for a service to converge, printing what the docker CLI prints while it waits
//! (a port of docker/cli's `service/progress`). The display keeps one line per progress ID,
//! updated in place, and the final frame is what a terminal shows when the command ends.

use super::format::{progress_bar, trunc_id};
use crate::Cluster;
use crate::base::time::{SimDuration, SimTime};
use crate::model::*;
use crate::swarm::tasks::spec_hash;
use std::collections::BTreeMap;

const MAX_PROGRESS: i64 = 9;
const MAX_PROGRESS_BARS: u64 = 20;
/// Width of the longest non-terminal state name ("allocated", "preparing").
const LONGEST_STATE: usize = 9;

fn numbered(s: TaskState) -> i64 {
    match s {
        TaskState::New => 1,
        TaskState::Allocated => 2,
        TaskState::Pending => 3,
        TaskState::Assigned => 4,
        TaskState::Accepted => 5,
        TaskState::Preparing => 6,
        TaskState::Ready => 7,
        TaskState::Starting => 8,
        TaskState::Running => 9,
        TaskState::Complete => 10,
        TaskState::Shutdown => 11,
        TaskState::Failed => 12,
        TaskState::Rejected => 13,
        TaskState::Remove | TaskState::Orphaned => 0,
    }
}

fn terminal(s: TaskState) -> bool {
    numbered(s) > numbered(TaskState::Running)
}

fn state_to_progress(s: TaskState, rollback: bool) -> i64 {
    if rollback {
        numbered(TaskState::Running) - numbered(s)
    } else {
        numbered(s)
    }
}

fn trunc_error(e: &str) -> String {
    let e = e.replace('\n', " ");
    if e.chars().count() > 75 {
        format!("{}…", e.chars().take(74).collect::<String>())
    } else {
        e
    }
}

/// The outcome of one poll.
pub enum Poll {
    Pending,
    Done(Result<(), String>),
}

/// The state of one `docker service create/update/scale/rollback` wait.
pub struct Progress {
    svc_id: String,
    /// Lines by progress ID, in the order they first appeared.
    lines: Vec<(String, String)>,
    initialized: bool,
    slot_map: BTreeMap<u64, usize>,
    done: bool,
    converged: bool,
    converged_at: Option<SimTime>,
    rollback: bool,
    /// The command was a rollback: completing one is success, not an error.
    manual_rollback: bool,
}

impl Progress {
    pub fn new(svc_id: &str, manual_rollback: bool) -> Progress {
        Progress {
            svc_id: svc_id.to_string(),
            lines: Vec::new(),
            initialized: false,
            slot_map: BTreeMap::new(),
            done: false,
            converged: false,
            converged_at: None,
            rollback: false,
            manual_rollback,
        }
    }

    pub fn service_id(&self) -> &str {
        &self.svc_id
    }

    fn write(&mut self, id: &str, text: String) {
        match self.lines.iter_mut().find(|(i, _)| i == id) {
            Some(l) => l.1 = text,
            None => self.lines.push((id.to_string(), text)),
        }
    }

    fn write_bar(&mut self, id: &str, state: TaskState) {
        let action = format!("{:<w$}", state.as_str(), w = LONGEST_STATE);
        let bar = progress_bar(state_to_progress(state, self.rollback), MAX_PROGRESS);
        self.write(id, format!("{action} {bar}"));
    }

    fn overall(&mut self, n: u64, d: u64) {
        let text = if self.rollback {
            format!("rolling back update: {n} out of {d} tasks")
        } else {
            format!("{n} out of {d} tasks")
        };
        self.write("overall progress", text);
    }

    /// The frame a terminal would show now.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (id, text) in &self.lines {
            out.push_str(format!("{id}: {text}").trim_end());
            out.push('\n');
        }
        out
    }

    /// One poll, as docker's loop does every 200ms.
    pub fn poll(&mut self, cl: &Cluster) -> Poll {
        let now = cl.now();
        let Some(svc) = cl.state().get::<Service>(&self.svc_id).cloned() else {
            return Poll::Done(Err(format!("Error: No such service: {}", self.svc_id)));
        };
        let monitor = svc
            .spec
            .update_config
            .map(|u| u.monitor)
            .filter(|m| !m.is_zero())
            .unwrap_or(SimDuration::from_secs(5));
        if let Some(us) = &svc.update_status {
            match us.state {
                UpdateState::Updating => self.rollback = false,
                UpdateState::Completed => {
                    if !self.converged {
                        return Poll::Done(Ok(()));
                    }
                }
                UpdateState::Paused => {
                    return Poll::Done(Err(format!("service update paused: {}", us.message)));
                }
                UpdateState::RollbackStarted => {
                    if !self.rollback && !us.message.is_empty() {
                        self.write("rollback", us.message.clone());
                    }
                    self.rollback = true;
                }
                UpdateState::RollbackPaused => {
                    return Poll::Done(Err(format!("service rollback paused: {}", us.message)));
                }
                UpdateState::RollbackCompleted => {
                    // An update that rolled itself back failed, whatever the tasks do now.
                    if !self.manual_rollback {
                        return Poll::Done(Err(format!("service rolled back: {}", us.message)));
                    }
                    self.rollback = true;
                }
            }
        }
        if self.converged
            && let Some(at) = self.converged_at
            && now - at >= monitor
        {
            self.write("verify", "Service converged".into());
            return Poll::Done(Ok(()));
        }
        let hash = spec_hash(&svc.spec);
        let tasks: Vec<&Task> = cl
            .tasks_of_service(&svc.id)
            .into_iter()
            .filter(|t| t.sim.spec_hash == hash)
            .collect();
        let active: Vec<String> = cl
            .state()
            .all::<Node>()
            .filter(|n| n.status.state != NodeState::Down)
            .map(|n| n.id.clone())
            .collect();
        if svc.spec.mode.is_job() {
            // Jobs are done when enough tasks complete; there is no stability period.
            let total = match svc.spec.mode {
                ServiceMode::ReplicatedJob {
                    total_completions, ..
                } => total_completions,
                _ => 0,
            };
            return if self.update_job(&svc, total, cl) {
                Poll::Done(Ok(()))
            } else {
                Poll::Pending
            };
        }
        self.converged = match svc.spec.mode {
            ServiceMode::Replicated { replicas } => {
                self.update_replicated(replicas, &tasks, &active)
            }
            ServiceMode::Global {} => self.update_global(&tasks, &active),
            ServiceMode::ReplicatedJob { .. } | ServiceMode::GlobalJob {} => false,
        };
        if self.converged {
            let at = *self.converged_at.get_or_insert(now);
            let waited = now - at;
            if waited <= monitor {
                let wait = monitor.0 - waited.0;
                self.write(
                    "verify",
                    format!(
                        "Waiting {} seconds to verify that tasks are stable...",
                        wait / 1_000_000_000 + 1
                    ),
                );
            }
        } else {
            if self.converged_at.is_some() {
                self.write("verify", "Detected task failure".into());
            }
            self.converged_at = None;
        }
        Poll::Pending
    }

    fn tasks_by_slot<'a>(
        tasks: &[&'a Task],
        active: &[String],
        by_node: bool,
    ) -> BTreeMap<String, &'a Task> {
        let mut out: BTreeMap<String, &Task> = BTreeMap::new();
        for t in tasks {
            if numbered(t.desired_state) == 0 || numbered(t.status.state) == 0 {
                continue;
            }
            let key = if by_node {
                t.node_id.clone()
            } else {
                t.slot.to_string()
            };
            if let Some(e) = out.get(&key) {
                if numbered(e.desired_state) < numbered(t.desired_state) {
                    continue;
                }
                if numbered(e.desired_state) == numbered(t.desired_state)
                    && numbered(e.status.state) <= numbered(t.status.state)
                {
                    continue;
                }
            }
            if !t.node_id.is_empty() && !active.contains(&t.node_id) {
                continue;
            }
            out.insert(key, t);
        }
        out
    }

    fn update_replicated(&mut self, replicas: u64, tasks: &[&Task], active: &[String]) -> bool {
        if !self.initialized {
            self.overall(0, replicas);
            if replicas <= MAX_PROGRESS_BARS {
                for i in 1..=replicas {
                    self.write(&format!("{i}/{replicas}"), " ".into());
                }
            }
            self.initialized = true;
        }
        let by_slot = Self::tasks_by_slot(tasks, active, false);
        if self.done
            && by_slot
                .values()
                .any(|t| t.status.state != TaskState::Running)
        {
            self.done = false;
        }
        let mut running = 0u64;
        let mut slots: Vec<(&String, &&Task)> = by_slot.iter().collect();
        slots.sort_by_key(|(k, _)| k.parse::<u64>().unwrap_or(0));
        for (_, t) in slots {
            let next = self.slot_map.len() + 1;
            let mapped = *self.slot_map.entry(t.slot).or_insert(next);
            if !terminal(t.desired_state) && t.status.state == TaskState::Running {
                running += 1;
            }
            if self.done || replicas > MAX_PROGRESS_BARS || mapped as u64 > replicas {
                continue;
            }
            let id = format!("{mapped}/{replicas}");
            if !t.status.err.is_empty() {
                self.write(&id, trunc_error(&t.status.err));
            } else if !terminal(t.desired_state) && !terminal(t.status.state) {
                self.write_bar(&id, t.status.state);
            }
        }
        if !self.done {
            self.overall(running, replicas);
            if running == replicas {
                self.done = true;
            }
        }
        running == replicas
    }

    fn update_global(&mut self, tasks: &[&Task], active: &[String]) -> bool {
        let by_node = Self::tasks_by_slot(tasks, active, true);
        let count = by_node.len() as u64;
        if !self.initialized {
            if count == 0 {
                self.write("overall progress", "waiting for new tasks".into());
                return false;
            }
            self.overall(0, count);
            self.initialized = true;
        }
        if self.done
            && by_node
                .values()
                .any(|t| t.status.state != TaskState::Running)
        {
            self.done = false;
        }
        let mut running = 0;
        for t in by_node.values() {
            if !active.contains(&t.node_id) {
                continue;
            }
            if !terminal(t.desired_state) && t.status.state == TaskState::Running {
                running += 1;
            }
            if self.done || count > MAX_PROGRESS_BARS {
                continue;
            }
            let id = trunc_id(&t.node_id).to_string();
            if !t.status.err.is_empty() {
                self.write(&id, trunc_error(&t.status.err));
            } else if !terminal(t.desired_state) && !terminal(t.status.state) {
                self.write_bar(&id, t.status.state);
            }
        }
        if !self.done {
            self.overall(running, count);
            if running == count {
                self.done = true;
            }
        }
        running == count
    }

    fn update_job(&mut self, svc: &Service, total: u64, cl: &Cluster) -> bool {
        let iteration = svc.job_status.as_ref().map(|j| j.job_iteration);
        let tasks: Vec<&Task> = cl
            .tasks_of_service(&svc.id)
            .into_iter()
            .filter(|t| t.job_iteration == iteration)
            .collect();
        let done = tasks
            .iter()
            .filter(|t| t.status.state == TaskState::Complete)
            .count() as u64;
        let total = if total == 0 {
            tasks.len().max(1) as u64
        } else {
            total
        };
        self.write("job progress", format!("{done} out of {total} complete"));
        let running = tasks
            .iter()
            .filter(|t| t.status.state == TaskState::Running)
            .count();
        self.write(
            "active tasks",
            format!(
                "{running} out of {} tasks",
                tasks.iter().filter(|t| t.is_runnable()).count()
            ),
        );
        if done >= total {
            self.write("job progress", format!("{total} out of {total} complete"));
            self.write("verify", "Job complete".into());
            self.done = true;
        }
        done >= total
    }
}
