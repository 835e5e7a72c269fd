//! A pod's logs: one container's, or every container's merged and labelled with its name
//! (`kubectl logs --all-containers --prefix`); a workload's: the pods its selector picks,
//! merged and labelled with the pod's name (as a Swarm service's tasks are); with the API
//! server's timestamps, and the previous instance's log on request.

use super::Shared;
use crate::backend::{LogEvent, LogLineView, LogRequest, LogTarget, ObjRef};
use futures::stream::{BoxStream, StreamExt};
use futures::{AsyncBufReadExt, TryStreamExt};
use k8s_openapi::api::core::v1::Pod;
use kube::api::LogParams;
use opsconsole_sim::base::time::SimTime;
use std::sync::Arc;
use tokio::sync::mpsc::Sender;

/// Lines sent at once, at most.
const BATCH: usize = 1000;

/// The most pods a workload's merged log follows at once.
pub const MAX_PODS: usize = 20;

/// One log stream to open: a pod's container, and the label its lines carry.
struct Source {
    pod: String,
    container: String,
    label: String,
}

/// A pod's containers' streams: one container's, or all of them labelled by container
/// (`prefix`: labels start with the pod's name, as in a workload's merged log).
fn sources_of(p: &Pod, only: Option<&str>, prefix: bool) -> Vec<Source> {
    let pod = p.metadata.name.clone().unwrap_or_default();
    let containers: Vec<String> = match only {
        Some(c) => vec![c.to_string()],
        None => p
            .spec
            .iter()
            .flat_map(|s| s.containers.iter().map(|c| c.name.clone()))
            .collect(),
    };
    let several = containers.len() > 1;
    containers
        .into_iter()
        .map(|c| {
            let label = match (prefix, several) {
                (true, true) => format!("{pod}/{c}"),
                (true, false) => pod.clone(),
                (false, true) => c.clone(),
                (false, false) => String::new(),
            };
            Source {
                pod: pod.clone(),
                container: c,
                label,
            }
        })
        .collect()
}

/// The pods a workload's selector picks, by name.
async fn pods_of(shared: &Shared, w: &ObjRef, api: &kube::Api<Pod>) -> Result<Vec<Pod>, String> {
    let url = super::object_url(w).map_err(|e| e.message)?;
    let req = http::Request::get(url)
        .body(Vec::new())
        .map_err(|e| e.to_string())?;
    let obj: serde_json::Value = shared
        .client
        .request(req)
        .await
        .map_err(|e| super::failure(shared, e).message)?;
    // A CronJob's pods are its Jobs' (which carry its name in their label).
    let labels = match obj["spec"]["selector"]["matchLabels"].as_object() {
        Some(m) => m
            .iter()
            .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
            .collect::<Vec<_>>()
            .join(","),
        None => return Err(format!("{} {} selects no pods", w.kind.noun(), w.name)),
    };
    let list = api
        .list(&kube::api::ListParams::default().labels(&labels))
        .await
        .map_err(|e| super::failure(shared, e).message)?;
    let mut pods = list.items;
    pods.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
    Ok(pods)
}

pub(super) async fn stream(shared: Arc<Shared>, req: LogRequest, tx: Sender<LogEvent>) {
    let end = |e: Option<String>| {
        let tx = tx.clone();
        async move {
            if let Some(e) = e {
                let _ = tx.send(LogEvent::Error(e)).await;
            }
            let _ = tx.send(LogEvent::End).await;
        }
    };
    let (of, container) = match &req.target {
        LogTarget::Pod { pod, container } => (pod, container.as_deref()),
        LogTarget::Workload(w) => (w, None),
        _ => return end(Some("a Kubernetes cluster's logs are its pods'".into())).await,
    };
    let Some(ns) = of.ns.clone() else {
        return end(Some(format!(
            "{} {} has no namespace",
            of.kind.noun(),
            of.name
        )))
        .await;
    };
    let api: kube::Api<Pod> = kube::Api::namespaced(shared.client.clone(), &ns);
    let wanted = match &req.target {
        LogTarget::Workload(w) => match pods_of(&shared, w, &api).await {
            Ok(pods) if pods.is_empty() => {
                return end(Some(format!("{} {} has no pods", w.kind.noun(), w.name))).await;
            }
            Ok(pods) => {
                if pods.len() > MAX_PODS {
                    let note = format!(
                        "following the first {MAX_PODS} of {} pods (open a pod for the others)",
                        pods.len()
                    );
                    let _ = tx.send(LogEvent::Error(note)).await;
                }
                pods.iter()
                    .take(MAX_PODS)
                    .flat_map(|p| sources_of(p, None, true))
                    .collect()
            }
            Err(e) => return end(Some(e)).await,
        },
        _ => match container {
            Some(c) => vec![Source {
                pod: of.name.clone(),
                container: c.to_string(),
                label: String::new(),
            }],
            None => match api.get(&of.name).await {
                Ok(p) => sources_of(&p, None, false),
                Err(e) => return end(Some(super::failure(&shared, e).message)).await,
            },
        },
    };
    let mut sources: Vec<BoxStream<'static, Result<LogLineView, String>>> = Vec::new();
    for s in wanted {
        let params = LogParams {
            container: Some(s.container.clone()),
            follow: req.follow,
            tail_lines: req.tail.map(|n| n.min(i64::MAX as u64) as i64),
            timestamps: true,
            previous: req.previous,
            ..LogParams::default()
        };
        let label = s.label;
        match api.log_stream(&s.pod, &params).await {
            Ok(r) => sources.push(
                r.lines()
                    .map_ok(move |l| line(&l, &label))
                    .map_err(|e| e.to_string())
                    .boxed(),
            ),
            Err(e) => return end(Some(super::failure(&shared, e).message)).await,
        }
    }
    let mut all = futures::stream::select_all(sources).ready_chunks(BATCH);
    while let Some(batch) = all.next().await {
        let mut lines = Vec::with_capacity(batch.len());
        let mut failed = None;
        for l in batch {
            match l {
                Ok(l) => lines.push(l),
                Err(e) => failed = Some(e),
            }
        }
        if !lines.is_empty() && tx.send(LogEvent::Lines(lines)).await.is_err() {
            return;
        }
        if let Some(e) = failed {
            return end(Some(e)).await;
        }
    }
    end(None).await
}

/// A line as the server sends it with `timestamps=true`: `2024-05-01T10:00:00.123456789Z text`.
fn line(raw: &str, label: &str) -> LogLineView {
    let (at, text) = match raw.split_once(' ') {
        Some((t, rest)) => match SimTime::parse_rfc3339(t) {
            Ok(at) => (at, rest),
            Err(_) => (SimTime(0), raw),
        },
        None => (SimTime(0), raw),
    };
    LogLineView {
        at,
        label: label.to_string(),
        text: text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_line_keeps_its_timestamp_and_text() {
        let l = super::line("2024-05-01T10:00:00.5Z hello world", "web");
        assert_eq!(l.text, "hello world");
        assert_eq!(l.label, "web");
        assert_eq!(l.at.rfc3339(), "2024-05-01T10:00:00Z");
        assert_eq!(super::line("no stamp", "").text, "no stamp");
    }
}
