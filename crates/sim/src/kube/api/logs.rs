//! `pods/NAME/log`: a container's log as kubectl reads it (`container`, `tailLines`,
//! `timestamps`, `previous`, `sinceSeconds`, `limitBytes`, `follow`). Lines are computed from
//! the container's program, as the swarm's container logs are; `follow` keeps the response
//! open and sends each line as it is written, until the container exits.

use super::status::Status;
use super::{ApiResponse, Query, Stream};
use crate::base::time::{NANOS_PER_SEC, SimTime};
use crate::infra::logs::{Run, Window};
use crate::kube::kubelet;
use crate::model::kube::*;
use crate::state::State;
use k8s_openapi::api::core::v1::ContainerStatus;

/// A followed log.
#[derive(Clone, Debug)]
pub struct LogFollow {
    pod: String,
    container: String,
    /// The container run (its ID) being followed.
    id: Option<String>,
    timestamps: bool,
    /// Lines up to this instant have been sent.
    sent_until: SimTime,
    pub done: bool,
}

fn bad(msg: String) -> Status {
    Status::bad_request(msg)
}

/// The run of a container that a log request reads.
fn run_of(st: &State, pod: &Pod, s: &ContainerStatus, previous: bool) -> Result<Run, Status> {
    let name = pod.metadata.name.as_deref().unwrap_or_default();
    let c = pod
        .spec
        .iter()
        .flat_map(|sp| &sp.containers)
        .find(|c| c.name == s.name)
        .ok_or_else(|| bad(format!("container {} is not valid for pod {name}", s.name)))?;
    let prog = kubelet::program(c)
        .ok_or_else(|| bad(format!("container \"{}\" in pod \"{name}\" is waiting to start: trying and failing to pull image", s.name)))?;
    let state = if previous {
        s.last_state
            .as_ref()
            .filter(|l| l.terminated.is_some())
            .ok_or_else(|| {
                bad(format!(
                    "previous terminated container \"{}\" in pod \"{name}\" not found",
                    s.name
                ))
            })?
    } else {
        s.state.as_ref().ok_or_else(|| {
            bad(format!(
                "container \"{}\" in pod \"{name}\" is waiting to start: ContainerCreating",
                s.name
            ))
        })?
    };
    let (start, end, id) = match (&state.running, &state.terminated, &state.waiting) {
        (Some(r), _, _) => (r.started_at.as_ref(), None, s.container_id.clone()),
        (_, Some(t), _) => (
            t.started_at.as_ref(),
            t.finished_at.as_ref(),
            t.container_id.clone(),
        ),
        (_, _, Some(w)) => {
            // Waiting to restart: the log is the last run's.
            match s.last_state.as_ref().and_then(|l| l.terminated.as_ref()) {
                Some(t) if s.restart_count > 0 => (
                    t.started_at.as_ref(),
                    t.finished_at.as_ref(),
                    t.container_id.clone(),
                ),
                _ => {
                    return Err(bad(format!(
                        "container \"{}\" in pod \"{name}\" is waiting to start: {}",
                        s.name,
                        w.reason.as_deref().unwrap_or("ContainerCreating")
                    )));
                }
            }
        }
        _ => {
            return Err(bad(format!(
                "container \"{}\" in pod \"{name}\" is waiting to start: ContainerCreating",
                s.name
            )));
        }
    };
    let start = start.map(sim_time).unwrap_or(st.now());
    let seed_of = ContainerStatus {
        container_id: id,
        ..s.clone()
    };
    // Timestamps keep whole seconds: a run that ended was up to the end of its last second
    // (its program writes nothing after it exits).
    let end = end.map(|t| SimTime(sim_time(t).0 + NANOS_PER_SEC - 1));
    Ok(Run {
        prog,
        start,
        end: end.unwrap_or(st.now()).min(st.now()),
        seed: kubelet::log_seed(&seed_of),
    })
}

fn status_of<'a>(pod: &'a Pod, container: Option<&str>) -> Result<&'a ContainerStatus, Status> {
    let name = pod.metadata.name.as_deref().unwrap_or_default();
    let names: Vec<&str> = pod
        .spec
        .iter()
        .flat_map(|s| &s.containers)
        .map(|c| c.name.as_str())
        .collect();
    let want = match container {
        Some(c) if !c.is_empty() => c,
        _ if names.len() == 1 => names[0],
        _ => {
            return Err(bad(format!(
                "a container name must be specified for pod {name}, choose one of: [{}]",
                names.join(" ")
            )));
        }
    };
    if !names.contains(&want) {
        return Err(bad(format!("container {want} is not valid for pod {name}")));
    }
    pod.status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .and_then(|cs| cs.iter().find(|s| s.name == want))
        .ok_or_else(|| {
            bad(format!(
                "container \"{want}\" in pod \"{name}\" is waiting to start: ContainerCreating"
            ))
        })
}

fn text(lines: Vec<crate::infra::logs::LogLine>, timestamps: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for l in lines {
        if timestamps {
            out.extend(l.at.rfc3339_nano().bytes());
            out.push(b' ');
        }
        out.extend(l.text.bytes());
        out.push(b'\n');
    }
    out
}

/// Answers a log request.
pub fn read(st: &State, key: &str, q: &Query) -> Result<ApiResponse, Status> {
    let name = key.rsplit('/').next().unwrap_or(key);
    let pod = st
        .get::<Pod>(key)
        .ok_or_else(|| Status::not_found("pods", "", name))?;
    let s = status_of(pod, q.get("container"))?;
    let previous = q.get("previous") == Some("true");
    let run = run_of(st, pod, s, previous)?;
    let timestamps = q.get("timestamps") == Some("true");
    let now = st.now();
    let after = q
        .get("sinceSeconds")
        .and_then(|s| s.parse::<i64>().ok())
        .map(|s| SimTime(now.0 - s * NANOS_PER_SEC))
        .or_else(|| {
            q.get("sinceTime")
                .and_then(|t| SimTime::parse_rfc3339(t).ok())
                .map(|t| SimTime(t.0 - 1))
        });
    let w = Window {
        after,
        until: Some(now),
        tail: q
            .get("tailLines")
            .and_then(|t| t.parse::<i64>().ok())
            .filter(|t| *t >= 0)
            .map(|t| t as u64),
    };
    let mut body = text(run.read(now, w), timestamps);
    if let Some(limit) = q.get("limitBytes").and_then(|l| l.parse::<usize>().ok()) {
        body.truncate(limit);
    }
    let running = s.state.as_ref().is_some_and(|x| x.running.is_some());
    let stream = (q.get("follow") == Some("true") && !previous && running).then(|| {
        Stream::Log(Box::new(LogFollow {
            pod: key.to_string(),
            container: s.name.clone(),
            id: s.container_id.clone(),
            timestamps,
            sent_until: now,
            done: false,
        }))
    });
    Ok(ApiResponse {
        status: 200,
        content_type: "text/plain".into(),
        body,
        stream,
        warnings: Vec::new(),
    })
}

impl LogFollow {
    /// The lines written since the last call; the stream ends when the run does.
    pub fn poll(&mut self, st: &State) -> Vec<u8> {
        if self.done {
            return Vec::new();
        }
        let Some(pod) = st.get::<Pod>(&self.pod) else {
            self.done = true;
            return Vec::new();
        };
        let Ok(s) = status_of(pod, Some(&self.container)) else {
            self.done = true;
            return Vec::new();
        };
        // The same run, or (after a restart) the one that ended.
        let (s, ended) = if s.container_id == self.id {
            (
                s.clone(),
                s.state.as_ref().is_none_or(|x| x.running.is_none()),
            )
        } else {
            let last = s.last_state.as_ref().and_then(|l| l.terminated.as_ref());
            match last {
                Some(t) if t.container_id == self.id => (
                    ContainerStatus {
                        state: s.last_state.clone(),
                        ..s.clone()
                    },
                    true,
                ),
                _ => {
                    self.done = true;
                    return Vec::new();
                }
            }
        };
        let Ok(run) = run_of(st, pod, &s, false) else {
            self.done = true;
            return Vec::new();
        };
        let now = st.now();
        let lines = run.read(
            now,
            Window {
                after: Some(self.sent_until),
                until: Some(now),
                tail: None,
            },
        );
        self.sent_until = now;
        self.done = ended || pod.metadata.deletion_timestamp.is_some() && run.end < now;
        text(lines, self.timestamps)
    }
}
