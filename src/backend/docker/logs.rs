//! Log streams: `docker service logs` (merged, each line labelled `svc.slot.task@node` from
//! the details the engine adds), a task's logs, or a plain engine's container logs. Lines are
//! sent in batches; a reader that falls behind gets a count of the lines skipped instead of an
//! ever-growing queue.

use super::api_error;
use crate::backend::{LogEvent, LogLineView, LogRequest, LogTarget};
use bollard::container::LogOutput;
use bollard::query_parameters::{ListNodesOptions, ListTasksOptions, LogsOptions};
use futures::{Stream, StreamExt};
use opsconsole_sim::base::time::SimTime;
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::mpsc::Sender;
use tokio::sync::mpsc::error::TrySendError;

/// Lines sent at once, and how long a batch may wait for more.
const BATCH: usize = 2000;
const BATCH_WAIT: Duration = Duration::from_millis(50);
/// Batches the console may have not taken yet before this stream starts skipping lines.
pub const QUEUE: usize = 16;

/// Task ID → label, filled from the engine when an unknown task writes.
struct Labels {
    c: bollard::Docker,
    known: HashMap<String, String>,
}

impl Labels {
    async fn label(&mut self, task: &str, service_hint: &str) -> String {
        if let Some(l) = self.known.get(task) {
            return l.clone();
        }
        self.reload(service_hint).await;
        self.known
            .get(task)
            .cloned()
            .unwrap_or_else(|| task.chars().take(12).collect())
    }

    async fn reload(&mut self, service: &str) {
        let mut filters = HashMap::new();
        if !service.is_empty() {
            filters.insert("service".to_string(), vec![service.to_string()]);
        }
        let tasks = self
            .c
            .list_tasks(Some(ListTasksOptions {
                filters: Some(filters),
            }))
            .await
            .unwrap_or_default();
        let nodes: HashMap<String, String> = self
            .c
            .list_nodes(None::<ListNodesOptions>)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|n| {
                (
                    n.id.unwrap_or_default(),
                    n.description.and_then(|d| d.hostname).unwrap_or_default(),
                )
            })
            .collect();
        let mut names: HashMap<String, String> = HashMap::new();
        for t in tasks {
            let id = t.id.clone().unwrap_or_default();
            let sid = t.service_id.clone().unwrap_or_default();
            let name = match names.get(&sid) {
                Some(n) => n.clone(),
                None => {
                    let n = self
                        .c
                        .inspect_service(&sid, None)
                        .await
                        .ok()
                        .and_then(|s| s.spec.and_then(|s| s.name))
                        .unwrap_or_else(|| sid.clone());
                    names.insert(sid.clone(), n.clone());
                    n
                }
            };
            let node = t.node_id.clone().unwrap_or_default();
            let slot = match t.slot {
                Some(s) if s > 0 => s.to_string(),
                _ => node.clone(),
            };
            let short: String = id.chars().take(12).collect();
            let host = nodes.get(&node).cloned().unwrap_or(node);
            self.known
                .insert(id, format!("{name}.{slot}.{short}@{host}"));
        }
    }
}

/// Splits `[timestamp] [details] text`.
fn parse_line(line: &str) -> (SimTime, HashMap<String, String>, String) {
    let mut rest = line;
    let mut at = SimTime::default();
    let mut details = HashMap::new();
    for _ in 0..2 {
        let (head, tail) = rest.split_once(' ').unwrap_or((rest, ""));
        if at.0 == 0
            && let Ok(t) = SimTime::parse_rfc3339(head)
        {
            at = t;
            rest = tail;
        } else if details.is_empty() && head.contains("com.docker.swarm.") {
            for kv in head.split(',') {
                if let Some((k, v)) = kv.split_once('=') {
                    details.insert(k.to_string(), v.to_string());
                }
            }
            rest = tail;
        }
    }
    (at, details, rest.to_string())
}

type Source =
    std::pin::Pin<Box<dyn Stream<Item = Result<LogOutput, bollard::errors::Error>> + Send>>;

pub async fn stream(c: bollard::Docker, req: LogRequest, swarm: bool, tx: Sender<LogEvent>) {
    let opts = LogsOptions {
        follow: req.follow,
        stdout: true,
        stderr: true,
        timestamps: true,
        tail: req.tail.map_or("all".to_string(), |n| n.to_string()),
        ..Default::default()
    };
    let mut labels = Labels {
        c: c.clone(),
        known: HashMap::new(),
    };
    let (source, service): (Source, String) = match &req.target {
        LogTarget::Service(s) => (Box::pin(c.service_logs(s, Some(opts))), s.clone()),
        LogTarget::Task(t) if swarm => (Box::pin(c.task_logs(t, Some(opts))), String::new()),
        LogTarget::Task(t) => (Box::pin(c.logs(t, Some(opts))), String::new()),
        LogTarget::Pod { pod, .. } | LogTarget::Workload(pod) => {
            let _ = tx
                .send(LogEvent::Error(format!(
                    "{} {}: a Docker engine has no Kubernetes objects",
                    pod.kind.noun(),
                    pod.name
                )))
                .await;
            let _ = tx.send(LogEvent::End).await;
            return;
        }
    };
    let labelled = matches!(req.target, LogTarget::Service(_));
    let mut source = source;
    let mut batch: Vec<LogLineView> = Vec::new();
    let mut dropped = 0u64;
    let mut partial = String::new();
    loop {
        let next = if batch.is_empty() {
            source.next().await.map(Some)
        } else {
            match tokio::time::timeout(BATCH_WAIT, source.next()).await {
                Ok(v) => v.map(Some),
                Err(_) => Some(None),
            }
        };
        match next {
            Some(Some(Ok(out))) => {
                partial.push_str(&String::from_utf8_lossy(out.as_ref()));
                while let Some(i) = partial.find('\n') {
                    let line: String = partial.drain(..=i).collect();
                    let (at, details, text) = parse_line(line.trim_end_matches(['\n', '\r']));
                    let label = match details.get("com.docker.swarm.task.id") {
                        Some(task) if labelled => labels.label(task, &service).await,
                        _ => String::new(),
                    };
                    batch.push(LogLineView { at, label, text });
                }
                if batch.len() < BATCH {
                    continue;
                }
            }
            Some(Some(Err(e))) => {
                let _ = tx.send(LogEvent::Error(api_error(&e))).await;
                break;
            }
            Some(None) => {}
            None => break,
        }
        if !flush(&tx, &mut batch, &mut dropped) {
            return;
        }
    }
    if !partial.is_empty() {
        let (at, _, text) = parse_line(&partial);
        batch.push(LogLineView {
            at,
            label: String::new(),
            text,
        });
    }
    if flush(&tx, &mut batch, &mut dropped) {
        if dropped > 0 {
            let _ = tx.send(LogEvent::Dropped(dropped)).await;
        }
        let _ = tx.send(LogEvent::End).await;
    }
}

/// Sends a batch, or counts it as dropped if the console is too far behind (the queue is
/// full). False when nobody listens any more.
fn flush(tx: &Sender<LogEvent>, batch: &mut Vec<LogLineView>, dropped: &mut u64) -> bool {
    if batch.is_empty() {
        return !tx.is_closed();
    }
    if *dropped > 0 {
        match tx.try_send(LogEvent::Dropped(*dropped)) {
            Ok(()) => *dropped = 0,
            Err(TrySendError::Full(_)) => {
                *dropped += batch.len() as u64;
                batch.clear();
                return true;
            }
            Err(TrySendError::Closed(_)) => return false,
        }
    }
    match tx.try_send(LogEvent::Lines(std::mem::take(batch))) {
        Ok(()) => true,
        Err(TrySendError::Full(LogEvent::Lines(b))) => {
            *dropped += b.len() as u64;
            true
        }
        Err(TrySendError::Full(_)) => true,
        Err(TrySendError::Closed(_)) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_and_timestamps() {
        let (at, d, text) = parse_line(
            "2026-11-22T08:40:00.5Z com.docker.swarm.node.id=n1,com.docker.swarm.service.id=s1,com.docker.swarm.task.id=t1 hello world",
        );
        assert_eq!(
            at,
            SimTime::parse_rfc3339("2026-11-22T08:40:00.5Z").unwrap()
        );
        assert_eq!(d["com.docker.swarm.task.id"], "t1");
        assert_eq!(text, "hello world");
        let (_, d, text) = parse_line("2026-11-22T08:40:00Z plain line");
        assert!(d.is_empty());
        assert_eq!(text, "plain line");
    }
}
