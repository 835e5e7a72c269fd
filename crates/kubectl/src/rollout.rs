//! `kubectl rollout status|history|undo|pause|resume|restart` for Deployments, DaemonSets and
//! StatefulSets, as kubectl's polymorphic helpers do them: status from the object's
//! generation and status counts, followed by a watch; history from the ReplicaSets (or
//! ControllerRevisions) the object controls; undo by copying a revision's template back.

use crate::api::{Api, Failure, enc};
use crate::discovery::Discovery;
use crate::target::{NOTHING_NAMED, Target, named};
use crate::{Out, finish};
use futures::StreamExt;
use opsconsole_sim::base::time::parse_go_duration;
use opsconsole_sim::lang::kubectl::{Rollout, RolloutAction};
use serde_json::{Value, json};
use std::time::Duration;

mod history;
mod status;

pub async fn run(api: &Api, namespace: &str, enforce: bool, r: &Rollout, out: &mut Out) -> i32 {
    let fail = |out: &mut Out, e: &str| {
        out.eprint(&format!("{e}\n"));
        1
    };
    if r.targets.args.is_empty() && r.targets.filenames.is_empty() {
        return fail(out, "error: required resource not specified");
    }
    let discovery = match Discovery::load(api).await {
        Ok(d) => d,
        Err(e) => return fail(out, &e.to_string()),
    };
    let (found, mut errors) =
        match named(api, &discovery, &r.targets, namespace, enforce, out).await {
            Ok(x) => x,
            Err(e) => return fail(out, &e),
        };
    if found.targets.is_empty() && errors.is_empty() {
        return fail(out, NOTHING_NAMED);
    }
    match r.action {
        RolloutAction::Status => {
            if found.targets.len() != 1 {
                return fail(
                    out,
                    &format!(
                        "error: rollout status is only supported on individual resources and resource collections, but {} resources were found",
                        found.targets.len()
                    ),
                );
            }
            let limit = match r.timeout.as_deref().map(parse_go_duration) {
                None => None,
                Some(Ok(d)) if d.is_zero() => None,
                Some(Ok(d)) => Some(Duration::from_secs_f64(d.as_secs_f64().max(0.0))),
                Some(Err(e)) => {
                    return fail(
                        out,
                        &format!(
                            "invalid argument {:?} for \"--timeout\" flag: {e}",
                            r.timeout.as_deref().unwrap_or_default()
                        ),
                    );
                }
            };
            let follow = status::follow(api, &found.targets[0], r, out);
            let result = match limit {
                Some(l) => tokio::time::timeout(l, follow)
                    .await
                    .unwrap_or_else(|_| Err("error: timed out waiting for the condition".into())),
                None => follow.await,
            };
            if let Err(e) = result {
                errors.push(e);
            }
        }
        RolloutAction::History => {
            for t in &found.targets {
                match history::show(api, t, r.revision.as_deref()).await {
                    Ok(text) => out.print(&text),
                    Err(e) => errors.push(e),
                }
            }
        }
        RolloutAction::Undo => {
            for t in &found.targets {
                match history::undo(api, t, r).await {
                    Ok(text) => out.print(&text),
                    Err(e) => errors.push(e),
                }
            }
        }
        RolloutAction::Pause | RolloutAction::Resume | RolloutAction::Restart => {
            for t in &found.targets {
                match pause_resume_restart(api, t, r).await {
                    Ok(text) => out.print(&text),
                    Err(e) => errors.push(e),
                }
            }
        }
    }
    finish(&errors, out)
}

/// The current time as RFC 3339 (kubectl's `restartedAt`), from the server's clock where it
/// has one: the time the object was last read is close enough; else the local clock.
fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    opsconsole_sim::base::time::SimTime::from_secs(secs).rfc3339()
}

/// `pause`, `resume` and `restart`: a strategic merge patch of the object, or kubectl's
/// refusal.
async fn pause_resume_restart(api: &Api, t: &Target<'_>, r: &Rollout) -> Result<String, String> {
    let obj = api
        .get(&t.path(), "application/json")
        .await
        .map_err(|e| e.report())?;
    let kind = t.res.kind.as_str();
    let qualified = t.res.qualified();
    let paused = obj["spec"]["paused"].as_bool().unwrap_or(false);
    // kubectl's pauser, resumer and restarter refuse with these words, as
    // `error: RESOURCE "NAME" WHY`.
    let refuse = |why: &str| format!("error: {qualified} {:?} {why}", t.name);
    let deployment = kind == "Deployment";
    let (patch, message) = match r.action {
        RolloutAction::Pause if !deployment => return Err(refuse("pausing is not supported")),
        RolloutAction::Resume if !deployment => return Err(refuse("resuming is not supported")),
        RolloutAction::Pause if paused => return Err(refuse("is already paused")),
        RolloutAction::Resume if !paused => return Err(refuse("is not paused")),
        RolloutAction::Pause => (json!({"spec": {"paused": true}}), "paused"),
        RolloutAction::Resume => (json!({"spec": {"paused": null}}), "resumed"),
        _ if !matches!(kind, "Deployment" | "DaemonSet" | "StatefulSet") => {
            return Err(refuse("restarting is not supported"));
        }
        _ if deployment && paused => {
            return Err(refuse(
                "can't restart paused deployment (run rollout resume first)",
            ));
        }
        _ => (
            json!({"spec": {"template": {"metadata": {"annotations": {
                "kubectl.kubernetes.io/restartedAt": now_rfc3339()}}}}}),
            "restarted",
        ),
    };
    let manager = r.field_manager.as_deref().unwrap_or("kubectl-rollout");
    let url = format!("{}?fieldManager={}", t.path(), enc(manager));
    api.patch(&url, "strategic-merge-patch+json", &patch)
        .await
        .map_err(|e| e.report())?;
    Ok(format!("{}/{} {message}\n", t.res.kind_name(), t.name))
}

/// The objects' events from a list then a watch by name, until `done` says so.
pub(crate) async fn watch_object<F>(api: &Api, t: &Target<'_>, mut seen: F) -> Result<(), String>
where
    F: FnMut(&str, &Value) -> Result<bool, String>,
{
    let by_name = format!(
        "fieldSelector={}",
        enc(&format!("metadata.name={}", t.name))
    );
    let base = t.res.path(t.namespace.as_deref());
    let list = api
        .get(&format!("{base}?{by_name}"), "application/json")
        .await
        .map_err(|e: Failure| e.report())?;
    let items = list["items"].as_array().cloned().unwrap_or_default();
    let Some(first) = items.first() else {
        return Err(Failure::Status {
            code: 404,
            reason: "NotFound".into(),
            message: format!("{} {:?} not found", t.res.qualified(), t.name),
            details: Value::Null,
        }
        .report());
    };
    if seen("ADDED", first)? {
        return Ok(());
    }
    let mut rv = list["metadata"]["resourceVersion"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    loop {
        let events = api
            .watch(&format!(
                "{base}?{by_name}&resourceVersion={rv}&watch=true&allowWatchBookmarks=true"
            ))
            .await
            .map_err(|e| e.report())?;
        let mut events = std::pin::pin!(events);
        while let Some(e) = events.next().await {
            let (kind, obj) = e.map_err(|e| e.report())?;
            if let Some(v) = obj["metadata"]["resourceVersion"].as_str() {
                rv = v.to_string();
            }
            match kind {
                "BOOKMARK" => {}
                "DELETED" => return Err("error: object has been deleted".into()),
                k => {
                    if seen(k, &obj)? {
                        return Ok(());
                    }
                }
            }
        }
    }
}
