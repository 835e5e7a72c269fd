//! `kubectl delete`: objects by name, `TYPE/NAME`, selector or `--all`, with kubectl's
//! cascade and grace-period options, its messages, and its wait until each object is gone.

use crate::Out;
use crate::api::{Api, Failure, enc};
use crate::discovery::Discovery;
use crate::target::{NOTHING_NAMED, Target, uid};
use futures::StreamExt;
use opsconsole_sim::base::time::parse_go_duration;
use opsconsole_sim::lang::kubectl::Delete;
use serde_json::json;
use std::time::Duration;

/// kubectl's grace period from `--grace-period`, `--now` and `--force`.
fn grace(d: &Delete) -> Result<i64, String> {
    let mut g: i64 = match &d.grace_period {
        Some(v) => v.parse().map_err(|_| {
            format!("invalid argument \"{v}\" for \"--grace-period\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax")
        })?,
        None => -1,
    };
    if d.now {
        if g != -1 {
            return Err("error: --now and --grace-period cannot be specified together".into());
        }
        g = 1;
    }
    if g == 0 && !d.force {
        // kubectl turns --grace-period=0 into 1 unless --force is given.
        g = 1;
    }
    if d.force && g < 0 {
        g = 0;
    }
    Ok(g)
}

fn propagation(cascade: Option<&str>) -> Result<&'static str, String> {
    match cascade.unwrap_or("background") {
        "background" | "true" => Ok("Background"),
        "foreground" => Ok("Foreground"),
        "orphan" | "false" => Ok("Orphan"),
        other => Err(format!(
            "error: invalid cascade value ({other}). Must be \"background\", \"foreground\", or \"orphan\""
        )),
    }
}

/// Waits until the object with `uid` no longer exists: a list by name, then a watch from
/// that list's resourceVersion until it is deleted.
async fn gone(api: &Api, t: &Target<'_>, want: &str) -> Result<(), Failure> {
    let by_name = format!(
        "fieldSelector={}",
        enc(&format!("metadata.name={}", t.name))
    );
    let base = t.res.path(t.namespace.as_deref());
    loop {
        let list = api
            .get(&format!("{base}?{by_name}"), "application/json")
            .await?;
        let items = list["items"].as_array().cloned().unwrap_or_default();
        if !items.iter().any(|i| uid(i) == want) {
            return Ok(());
        }
        let rv = list["metadata"]["resourceVersion"]
            .as_str()
            .unwrap_or_default();
        let events = api
            .watch(&format!(
                "{base}?{by_name}&resourceVersion={rv}&watch=true&allowWatchBookmarks=true"
            ))
            .await?;
        let mut events = std::pin::pin!(events);
        while let Some(e) = events.next().await {
            match e? {
                ("DELETED", v) if uid(&v) == want => return Ok(()),
                _ => {}
            }
        }
    }
}

pub async fn run(api: &Api, namespace: &str, enforce: bool, d: &Delete, out: &mut Out) -> i32 {
    let fail = |out: &mut Out, e: &str| {
        out.eprint(&format!("{e}\n"));
        1
    };
    let from_files = !d.targets.filenames.is_empty();
    if from_files && !d.targets.args.is_empty() {
        return fail(
            out,
            "error: resource/name arguments cannot be provided when a path is specified",
        );
    }
    if d.targets.args.is_empty() && !from_files {
        return fail(out, NOTHING_NAMED);
    }
    let (grace, policy) = match (grace(d), propagation(d.cascade.as_deref())) {
        (Ok(g), Ok(p)) => (g, p),
        (Err(e), _) | (_, Err(e)) => return fail(out, &e),
    };
    let timeout = match d.timeout.as_deref().map(parse_go_duration) {
        None => Duration::ZERO,
        Some(Ok(t)) => Duration::from_secs_f64(t.as_secs_f64().max(0.0)),
        Some(Err(e)) => {
            return fail(
                out,
                &format!(
                    "invalid argument \"{}\" for \"--timeout\" flag: {e}",
                    d.timeout.as_deref().unwrap_or_default()
                ),
            );
        }
    };
    let discovery = match Discovery::load(api).await {
        Ok(d) => d,
        Err(e) => return fail(out, &e.to_string()),
    };
    let (found, mut errors) =
        match crate::target::named(api, &discovery, &d.targets, namespace, enforce, out).await {
            Ok(x) => x,
            Err(e) => return fail(out, &e),
        };
    if from_files && enforce && found.targets.iter().any(|t| !t.res.namespaced) {
        out.eprint(
            "Warning: deleting cluster-scoped resources, not scoped to the provided namespace\n",
        );
    }
    if grace == 0 && d.force {
        out.eprint("Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n");
    }
    let mut body =
        json!({"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": policy});
    if grace >= 0 {
        body["gracePeriodSeconds"] = json!(grace);
    }
    let mut deleted = Vec::new();
    for t in &found.targets {
        match api.delete(&t.path(), &body).await {
            Ok(answer) => {
                if d.output.as_deref() == Some("name") {
                    out.print(&format!("{}\n", t.slash_name()));
                } else {
                    out.print(&format!("{} \"{}\" deleted\n", t.res.kind_name(), t.name));
                }
                deleted.push((t, uid(&answer)));
            }
            Err(e) if e.is_not_found() && d.ignore_not_found => {}
            Err(e) => match &t.source {
                Some(f) => errors.push(e.with_source("deleting", f).report()),
                None => errors.push(e.report()),
            },
        }
    }
    if found.targets.is_empty() && found.by_selector && !d.ignore_not_found {
        out.print("No resources found\n");
    }
    // kubectl waits for what it deleted, unless told not to or the deletion was forced.
    if d.wait && !(grace == 0 && d.force) {
        let limit = if timeout.is_zero() {
            Duration::from_secs(7 * 24 * 3600)
        } else {
            timeout
        };
        for (t, want) in &deleted {
            if want.is_empty() {
                continue;
            }
            match tokio::time::timeout(limit, gone(api, t, want)).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => errors.push(e.to_string()),
                Err(_) => errors.push(format!(
                    "error: timed out waiting for the condition on {}/{}",
                    t.res.qualified(),
                    t.name
                )),
            }
        }
    }
    for e in &errors {
        out.eprint(&format!("{e}\n"));
    }
    if errors.is_empty() { 0 } else { 1 }
}
