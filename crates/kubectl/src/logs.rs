//! `kubectl logs`: a container's log (`POD [CONTAINER]`, `TYPE/NAME` for the pod a
//! controller or Service picks, `-l` for every pod a selector matches), with `-c`,
//! `--all-containers`, `-f`, `--tail`, `--timestamps`, `-p`, `--since`, `--since-time`,
//! `--limit-bytes` and `--prefix`, streamed as it comes.

use crate::api::{Api, Failure, enc};
use crate::discovery::Discovery;
use crate::{Out, finish};
use futures::StreamExt;
use opsconsole_sim::base::time::parse_go_duration;
use opsconsole_sim::lang::kubectl::Logs;
use serde_json::Value;

/// kubectl's `podutils.ByLogging`: the pod to read first.
fn by_logging(a: &Value, b: &Value) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let node = |p: &Value| {
        p["spec"]["nodeName"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let (na, nb) = (node(a), node(b));
    if na != nb && (na.is_empty() || nb.is_empty()) {
        return if !na.is_empty() {
            Ordering::Less
        } else {
            Ordering::Greater
        };
    }
    let phase = |p: &Value| match p["status"]["phase"].as_str() {
        Some("Unknown") => 1,
        Some("Pending") => 2,
        _ => 0,
    };
    if phase(a) != phase(b) {
        return phase(a).cmp(&phase(b));
    }
    let ready_at = |p: &Value| {
        p["status"]["conditions"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["type"] == "Ready" && c["status"] == "True")
            .map(|c| {
                c["lastTransitionTime"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            })
    };
    match (ready_at(a), ready_at(b)) {
        (Some(_), None) => return Ordering::Less,
        (None, Some(_)) => return Ordering::Greater,
        (Some(x), Some(y)) if x != y => return x.cmp(&y),
        _ => {}
    }
    let restarts = |p: &Value| {
        p["status"]["containerStatuses"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| c["restartCount"].as_i64().unwrap_or(0))
            .max()
            .unwrap_or(0)
    };
    if restarts(a) != restarts(b) {
        return restarts(b).cmp(&restarts(a));
    }
    let created = |p: &Value| {
        p["metadata"]["creationTimestamp"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    created(a).cmp(&created(b))
}

/// `podcmd.AllContainerNames`: `a, b, i (init), e (ephem)`.
fn all_container_names(pod: &Value) -> String {
    let names = |k: &str, suffix: &str| -> Vec<String> {
        pod["spec"][k]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| format!("{}{suffix}", c["name"].as_str().unwrap_or_default()))
            .collect()
    };
    let mut all = names("containers", "");
    all.extend(names("initContainers", " (init)"));
    all.extend(names("ephemeralContainers", " (ephem)"));
    all.join(", ")
}

/// The container a command picks in a pod without `-c`: the default-container annotation's,
/// else the first (saying so on stderr when there was a choice).
pub(crate) fn default_container(pod: &Value, out: &mut Out) -> Option<String> {
    let name = pod["metadata"]["name"].as_str().unwrap_or_default();
    let containers = pod["spec"]["containers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if let Some(d) = pod["metadata"]["annotations"]["kubectl.kubernetes.io/default-container"]
        .as_str()
        .filter(|d| !d.is_empty())
    {
        if containers.iter().any(|c| c["name"] == d) {
            return Some(d.to_string());
        }
        out.eprint(&format!(
            "Default container name {d:?} not found in pod {name}\n"
        ));
    }
    let first = containers.first()?["name"].as_str()?.to_string();
    let more = containers.len() > 1
        || pod["spec"]["initContainers"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
        || pod["spec"]["ephemeralContainers"]
            .as_array()
            .is_some_and(|a| !a.is_empty());
    if more {
        out.eprint(&format!(
            "Defaulted container {first:?} out of: {}\n",
            all_container_names(pod)
        ));
    }
    Some(first)
}

/// The pod a `TYPE/NAME` stands for: itself, or the first (by kubectl's order) of the pods
/// its selector matches. `builder_errors`: a missing object is worded as kubectl's
/// resource builder words it (`logs`), else as the server does (`exec`).
pub(crate) async fn pod_for(
    api: &Api,
    d: &Discovery,
    namespace: &str,
    word: &str,
    builder_errors: bool,
    out: &mut Out,
) -> Result<Value, String> {
    let (ty, name) = match word.split_once('/') {
        Some((t, n)) => (t, n),
        None => ("pods", word),
    };
    let res = d
        .resolve(ty)
        .and_then(|r| r.first().copied())
        .ok_or_else(|| crate::target::unknown_type(ty))?;
    let ns = res.namespaced.then_some(namespace);
    let obj = api
        .get(&format!("{}/{name}", res.path(ns)), "application/json")
        .await
        .map_err(|e| match e {
            // The resource builder's words for an object that is not there.
            e if e.is_not_found() && builder_errors => match ns {
                Some(ns) => format!(
                    "error: error from server (NotFound): {} {name:?} not found in namespace {ns:?}",
                    res.qualified()
                ),
                None => format!(
                    "error: error from server (NotFound): {} {name:?} not found",
                    res.qualified()
                ),
            },
            e => e.report(),
        })?;
    if res.kind == "Pod" {
        return Ok(obj);
    }
    let selector = if res.kind == "Service" {
        crate::describe::format_labels(
            serde_json::from_value::<std::collections::BTreeMap<String, String>>(
                obj["spec"]["selector"].clone(),
            )
            .ok()
            .as_ref(),
        )
    } else {
        let ls: Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector> =
            serde_json::from_value(obj["spec"]["selector"].clone()).ok();
        crate::describe::selector_string(ls.as_ref())
    };
    if selector.is_empty() || selector == "<none>" {
        return Err(format!(
            "error: cannot get the logs from {}",
            res.kind_name()
        ));
    }
    let mut pods = api
        .list_all(&format!(
            "/api/v1/namespaces/{namespace}/pods?labelSelector={}",
            enc(&selector)
        ))
        .await
        .map_err(|e| e.report())?;
    if pods.is_empty() {
        return Err("error: timed out waiting for the condition".into());
    }
    pods.sort_by(by_logging);
    if pods.len() > 1 {
        out.eprint(&format!(
            "Found {} pods, using pod/{}\n",
            pods.len(),
            pods[0]["metadata"]["name"].as_str().unwrap_or_default()
        ));
    }
    Ok(pods.remove(0))
}

/// The query of a log request.
fn query(l: &Logs, container: &str, tail: Option<i64>) -> Result<String, String> {
    let mut q = vec![format!("container={}", enc(container))];
    if l.follow {
        q.push("follow=true".into());
    }
    if l.previous {
        q.push("previous=true".into());
    }
    if let Some(s) = &l.since {
        let d = parse_go_duration(s)
            .map_err(|e| format!("invalid argument {s:?} for \"--since\" flag: {e}"))?;
        let secs = (d.as_secs_f64().ceil() as i64).max(1);
        q.push(format!("sinceSeconds={secs}"));
    }
    if let Some(t) = &l.since_time {
        q.push(format!("sinceTime={}", enc(t)));
    }
    if l.timestamps {
        q.push("timestamps=true".into());
    }
    if let Some(t) = tail.filter(|t| *t >= 0) {
        q.push(format!("tailLines={t}"));
    }
    if let Some(b) = l
        .limit_bytes
        .as_deref()
        .and_then(|b| b.parse::<i64>().ok())
        .filter(|b| *b > 0)
    {
        q.push(format!("limitBytes={b}"));
    }
    Ok(q.join("&"))
}

/// Streams one container's log to stdout (each line after `prefix`).
async fn stream_one(
    api: &Api,
    pod: &Value,
    container: &str,
    l: &Logs,
    tail: Option<i64>,
    out: &mut Out,
) -> Result<(), Failure> {
    let ns = pod["metadata"]["namespace"].as_str().unwrap_or_default();
    let name = pod["metadata"]["name"].as_str().unwrap_or_default();
    let q = query(l, container, tail).map_err(Failure::Transport)?;
    let url = format!("/api/v1/namespaces/{ns}/pods/{name}/log?{q}");
    let body = api.stream(&url).await?;
    let prefix = l.prefix.then(|| format!("[pod/{name}/{container}] "));
    let mut body = std::pin::pin!(body);
    let mut pending = String::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk?;
        let text = String::from_utf8_lossy(&chunk);
        match &prefix {
            None => out.print(&text),
            Some(p) => {
                pending.push_str(&text);
                while let Some(i) = pending.find('\n') {
                    let line: String = pending.drain(..=i).collect();
                    out.print(&format!("{p}{line}"));
                }
            }
        }
        out.flush_to_terminal();
    }
    if let (Some(p), false) = (&prefix, pending.is_empty()) {
        out.print(&format!("{p}{pending}"));
    }
    Ok(())
}

pub async fn run(api: &Api, namespace: &str, l: &Logs, out: &mut Out) -> i32 {
    let fail = |out: &mut Out, e: &str| {
        out.eprint(&format!("{e}\n"));
        1
    };
    let tail: Option<i64> = match &l.tail {
        Some(t) => t.parse().ok(),
        None if l.selector.is_some() => Some(10),
        None => None,
    };
    if l.selector.is_some() && !l.args.is_empty() {
        return fail(
            out,
            "error: only a selector (-l) or a POD name is allowed\nSee 'kubectl logs -h' for help and examples",
        );
    }
    if l.selector.is_none() && l.args.is_empty() {
        return fail(
            out,
            "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples",
        );
    }
    if l.args.len() > 2 {
        return fail(
            out,
            "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples",
        );
    }
    if l.container.is_some() && l.args.len() == 2 {
        return fail(
            out,
            "error: only one of -c or an inline [CONTAINER] arg is allowed",
        );
    }
    let pods: Vec<Value> = if let Some(sel) = &l.selector {
        match api
            .list_all(&format!(
                "/api/v1/namespaces/{namespace}/pods?labelSelector={}",
                enc(sel)
            ))
            .await
        {
            Ok(p) => p,
            Err(e) => return fail(out, &e.report()),
        }
    } else {
        let discovery = match Discovery::load(api).await {
            Ok(d) => d,
            Err(e) => return fail(out, &e.to_string()),
        };
        match pod_for(api, &discovery, namespace, &l.args[0], true, out).await {
            Ok(p) => vec![p],
            Err(e) => return fail(out, &e),
        }
    };
    if pods.is_empty() {
        out.eprint(&format!("No resources found in {namespace} namespace.\n"));
        return 0;
    }
    let container_arg = l.container.clone().or_else(|| l.args.get(1).cloned());
    // Each stream: a pod and one of its containers.
    let mut streams: Vec<(Value, String)> = Vec::new();
    for pod in &pods {
        if l.all_containers {
            for k in ["initContainers", "containers", "ephemeralContainers"] {
                for c in pod["spec"][k].as_array().into_iter().flatten() {
                    streams.push((pod.clone(), c["name"].as_str().unwrap_or_default().into()));
                }
            }
            continue;
        }
        let c = match &container_arg {
            Some(c) => Some(c.clone()),
            None => default_container(pod, out),
        };
        if let Some(c) = c {
            // kubectl looks the container up itself before asking for its log.
            let known = ["containers", "initContainers", "ephemeralContainers"]
                .iter()
                .any(|k| {
                    pod["spec"][*k]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|x| x["name"] == c.as_str())
                });
            if !known {
                return fail(
                    out,
                    &format!(
                        "error: container {c} is not valid for pod {}",
                        pod["metadata"]["name"].as_str().unwrap_or_default()
                    ),
                );
            }
            streams.push((pod.clone(), c));
        }
    }
    let max: usize = l
        .max_log_requests
        .as_deref()
        .and_then(|m| m.parse().ok())
        .unwrap_or(5);
    if l.follow && streams.len() > max {
        return fail(
            out,
            &format!(
                "error: you are attempting to follow {} log streams, but maximum allowed concurrency is {max}, use --max-log-requests to increase the limit",
                streams.len()
            ),
        );
    }
    let mut errors = Vec::new();
    for (pod, c) in &streams {
        if let Err(e) = stream_one(api, pod, c, l, tail, out).await {
            if l.ignore_errors {
                continue;
            }
            errors.push(e.report());
            break;
        }
    }
    finish(&errors, out)
}
