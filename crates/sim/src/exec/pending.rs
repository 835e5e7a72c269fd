//! Commands that wait (for a service to converge, a container to stop, more log lines, the
//! demo to come up) as resumable state machines. Whoever drives simulated time polls them:
//! `ctl` fast-forwards between polls, a live console lets its clock run.

use super::Io;
use super::format;
use super::progress::{Poll, Progress};
use crate::Cluster;
use crate::base::time::{SimDuration, SimTime, format_go_duration};
use crate::infra::logs::{self, Window};
use crate::lang::docker::LogsOpts;
use crate::model::*;
use std::collections::VecDeque;

/// Which containers a log command reads.
pub enum LogSource {
    Container(String),
    Service {
        svc_id: String,
        task_only: Option<String>,
        no_ids: bool,
        no_trunc: bool,
        raw: bool,
    },
}

enum Kind {
    /// Services to wait for in turn; errors to print once all are done (`service scale`).
    Progress {
        queue: VecDeque<(String, bool)>,
        current: Option<(Progress, SimTime)>,
        trailing: Vec<String>,
    },
    /// Containers `docker stop` waits for, with their deadlines.
    Stop {
        targets: VecDeque<(String, String, SimTime)>,
    },
    Follow {
        source: LogSource,
        opts: LogsOpts,
        after: Option<SimTime>,
        first: bool,
    },
    Until {
        at: SimTime,
        message: String,
    },
}

/// A command still running.
pub struct Pending {
    kind: Kind,
    code: i32,
    limit: SimDuration,
}

impl Pending {
    pub fn progress(
        services: Vec<(String, bool)>,
        trailing: Vec<String>,
        limit: SimDuration,
    ) -> Pending {
        Pending {
            kind: Kind::Progress {
                queue: services.into(),
                current: None,
                trailing,
            },
            code: 0,
            limit,
        }
    }

    pub fn stop(targets: Vec<(String, String, SimTime)>, code: i32) -> Pending {
        Pending {
            kind: Kind::Stop {
                targets: targets.into(),
            },
            code,
            limit: SimDuration::ZERO,
        }
    }

    pub fn follow(source: LogSource, opts: LogsOpts, since: Option<SimTime>) -> Pending {
        let after = since.map(|s| s - SimDuration(1));
        Pending {
            kind: Kind::Follow {
                source,
                opts,
                after,
                first: true,
            },
            code: 0,
            limit: SimDuration::ZERO,
        }
    }

    pub fn until(at: SimTime, message: String, code: i32) -> Pending {
        Pending {
            kind: Kind::Until { at, message },
            code,
            limit: SimDuration::ZERO,
        }
    }

    /// How much simulated time to let pass before the next poll.
    pub fn step(&self, now: SimTime) -> SimDuration {
        match &self.kind {
            Kind::Progress { .. } => SimDuration::from_millis(200),
            Kind::Stop { .. } => SimDuration::from_millis(100),
            Kind::Follow { .. } => SimDuration::from_millis(250),
            Kind::Until { at, .. } => (*at - now).max(SimDuration::from_millis(1)),
        }
    }

    /// Whether it must wait in real time (following logs) rather than fast-forward.
    pub fn live(&self) -> bool {
        matches!(self.kind, Kind::Follow { .. })
    }

    /// Makes progress; returns the exit status once the command is done.
    pub fn poll(&mut self, cl: &Cluster, io: &mut Io) -> Option<i32> {
        let now = cl.now();
        match &mut self.kind {
            Kind::Progress {
                queue,
                current,
                trailing,
            } => loop {
                if current.is_none() {
                    match queue.pop_front() {
                        Some((svc, manual)) => *current = Some((Progress::new(&svc, manual), now)),
                        None => {
                            if !trailing.is_empty() {
                                io.errln(&trailing.join("\n"));
                                self.code = 1;
                            }
                            return Some(self.code);
                        }
                    }
                }
                let Some((p, started)) = current.as_mut() else {
                    continue;
                };
                match p.poll(cl) {
                    Poll::Done(r) => {
                        io.out(&p.render());
                        if let Err(e) = r {
                            io.errln(&e);
                            self.code = 1;
                        }
                        *current = None;
                    }
                    Poll::Pending if now - *started >= self.limit => {
                        io.out(&p.render());
                        let name = cl
                            .state()
                            .get::<Service>(p.service_id())
                            .map(|s| s.spec.name.clone())
                            .unwrap_or_default();
                        io.errln(&format!(
                            "opsconsole: stopped waiting after {} of simulated time: the service has not converged; it carries on in the background.\nSee `docker service ps {name}`.",
                            format_go_duration(self.limit)
                        ));
                        self.code = 1;
                        *current = None;
                    }
                    Poll::Pending => return None,
                }
            },
            Kind::Stop { targets } => {
                while let Some((cid, name, deadline)) = targets.front() {
                    let running = cl
                        .state()
                        .get::<Container>(cid)
                        .is_some_and(|c| c.is_running());
                    if running && now < *deadline {
                        return None;
                    }
                    io.outln(name);
                    targets.pop_front();
                }
                Some(self.code)
            }
            Kind::Follow {
                source,
                opts,
                after,
                first,
            } => {
                print_logs(cl, io, source, opts, *after, *first);
                *first = false;
                *after = Some(now);
                if opts.follow { None } else { Some(0) }
            }
            Kind::Until { at, message } => {
                if now < *at {
                    return None;
                }
                io.outln(message);
                Some(self.code)
            }
        }
    }

    /// The caller does not wait (the console): prints what docker prints at the end that is
    /// already known, and returns the status so far.
    pub fn detach(self, io: &mut Io) -> i32 {
        match self.kind {
            Kind::Progress { trailing, .. } if !trailing.is_empty() => {
                io.errln(&trailing.join("\n"));
                1
            }
            Kind::Stop { targets } => {
                for (_, name, _) in targets {
                    io.outln(&name);
                }
                self.code
            }
            _ => self.code,
        }
    }

    /// The user gave up waiting (Ctrl-C, or the client went away).
    pub fn interrupt(&mut self, io: &mut Io) -> i32 {
        match &self.kind {
            Kind::Progress {
                current: Some((p, _)),
                ..
            } => {
                io.out(&p.render());
                io.errln("Operation continuing in background.");
                130
            }
            Kind::Follow { .. } => 0,
            _ => 130,
        }
    }
}

fn print_logs(
    cl: &Cluster,
    io: &mut Io,
    source: &LogSource,
    opts: &LogsOpts,
    after: Option<SimTime>,
    first: bool,
) {
    let now = cl.now();
    let window = Window {
        after,
        until: Some(now),
        tail: if first { opts.tail } else { None },
    };
    let parts: Vec<(String, Vec<logs::LogLine>)> = sources(cl, source)
        .into_iter()
        .filter_map(|(label, c)| Some((label, logs::read(c?, now, window))))
        .collect();
    for (label, line) in logs::merge(parts) {
        let ts = if opts.timestamps {
            format!("{} ", line.at.rfc3339_nano_fixed())
        } else {
            String::new()
        };
        if label.is_empty() {
            io.outln(&format!("{ts}{}", line.text));
        } else {
            io.outln(&format!("{label}    | {ts}{}", line.text));
        }
    }
    let _ = io.out.flush();
}

/// The labelled containers of a log source, as `docker service logs` labels them.
pub fn sources<'a>(cl: &'a Cluster, source: &LogSource) -> Vec<(String, Option<&'a Container>)> {
    match source {
        LogSource::Container(cid) => vec![(String::new(), cl.state().get::<Container>(cid))],
        LogSource::Service {
            svc_id,
            task_only,
            no_ids,
            no_trunc,
            raw,
        } => {
            let Some(svc) = cl.state().get::<Service>(svc_id) else {
                return Vec::new();
            };
            let mut tasks: Vec<&Task> = cl
                .tasks_of_service(svc_id)
                .into_iter()
                .filter(|t| task_only.as_ref().is_none_or(|x| *x == t.id))
                .collect();
            tasks.sort_by(|a, b| a.slot.cmp(&b.slot).then(a.created_at.cmp(&b.created_at)));
            let max_len = tasks.len().to_string().len();
            tasks
                .iter()
                .map(|t| {
                    let label = if *raw {
                        String::new()
                    } else {
                        let node = cl
                            .state()
                            .get::<Node>(&t.node_id)
                            .map(|n| n.hostname().to_string())
                            .unwrap_or_else(|| t.node_id.clone());
                        let mut label = crate::swarm::tasks::task_name(&svc.spec.name, t);
                        if !no_ids {
                            label.push('.');
                            label.push_str(if *no_trunc {
                                &t.id
                            } else {
                                format::trunc_id(&t.id)
                            });
                        }
                        label.push('@');
                        label.push_str(&node);
                        label.push_str(
                            &" ".repeat(max_len.saturating_sub(t.slot.max(1).to_string().len())),
                        );
                        label
                    };
                    let c = cl
                        .state()
                        .index()
                        .container_by_task
                        .get(&t.id)
                        .and_then(|c| cl.state().get::<Container>(c));
                    (label, c)
                })
                .collect()
        }
    }
}
