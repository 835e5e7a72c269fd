//! A pod's logs: one container's, or every container's merged and labelled with its name
//! (`kubectl logs --all-containers --prefix`), with the API server's timestamps.

use super::Shared;
use crate::backend::{LogEvent, LogLineView, LogRequest, LogTarget};
use futures::stream::{BoxStream, StreamExt};
use futures::{AsyncBufReadExt, TryStreamExt};
use k8s_openapi::api::core::v1::Pod;
use kube::api::LogParams;
use opsconsole_sim::base::time::SimTime;
use std::sync::Arc;
use tokio::sync::mpsc::Sender;

/// Lines sent at once, at most.
const BATCH: usize = 1000;

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
    let LogTarget::Pod { pod, container } = &req.target else {
        return end(Some("a Kubernetes cluster's logs are its pods'".into())).await;
    };
    let Some(ns) = pod.ns.clone() else {
        return end(Some(format!("pod {} has no namespace", pod.name))).await;
    };
    let api: kube::Api<Pod> = kube::Api::namespaced(shared.client.clone(), &ns);
    let containers = match container {
        Some(c) => vec![c.clone()],
        None => match api.get(&pod.name).await {
            Ok(p) => p
                .spec
                .map(|s| s.containers.into_iter().map(|c| c.name).collect())
                .unwrap_or_default(),
            Err(e) => return end(Some(super::failure(&shared, e).message)).await,
        },
    };
    let labelled = containers.len() > 1;
    let mut sources: Vec<BoxStream<'static, Result<LogLineView, String>>> = Vec::new();
    for c in containers {
        let params = LogParams {
            container: Some(c.clone()),
            follow: req.follow,
            tail_lines: req.tail.map(|n| n.min(i64::MAX as u64) as i64),
            timestamps: true,
            ..LogParams::default()
        };
        let label = if labelled { c } else { String::new() };
        match api.log_stream(&pod.name, &params).await {
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
