//! `kubectl scale`: sets the replicas of Deployments, ReplicaSets, StatefulSets and the like
//! through their `scale` subresource, with `--current-replicas` and `--resource-version`
//! preconditions, worded as kubectl words them.

use crate::Out;
use crate::api::{Api, Failure};
use crate::discovery::Discovery;
use crate::target::{NOTHING_NAMED, Target, resolve};
use opsconsole_sim::lang::kubectl::Scale;
use serde_json::json;

/// A `--replicas`-style count: kubectl's default is -1 (unset).
fn count(v: Option<&str>, flag: &str) -> Result<i64, String> {
    match v {
        None => Ok(-1),
        Some(v) => v.parse().map_err(|_| {
            format!("invalid argument \"{v}\" for \"--{flag}\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax")
        }),
    }
}

/// Scales one object: a merge patch of the scale, or, with a precondition, a read of the
/// scale, the check, and a replace at the version read.
async fn scale_one(
    api: &Api,
    t: &Target<'_>,
    replicas: i64,
    current: i64,
    version: Option<&str>,
) -> Result<(), String> {
    let path = format!("{}/scale", t.path());
    let json_ct = "application/json";
    if current < 0 && version.is_none() {
        let patch =
            serde_json::to_vec(&json!({"spec": {"replicas": replicas}})).unwrap_or_default();
        return api
            .call(
                "PATCH",
                &path,
                json_ct,
                patch,
                "application/merge-patch+json",
            )
            .await
            .map(drop)
            .map_err(|e| e.to_string());
    }
    let mut scale = api.get(&path, json_ct).await.map_err(|e| e.to_string())?;
    let now = scale["spec"]["replicas"].as_i64().unwrap_or(0);
    if current >= 0 && now != current {
        return Err(format!(
            "error: Expected replicas to be {current}, was {now}"
        ));
    }
    let rv = scale["metadata"]["resourceVersion"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if let Some(v) = version.filter(|v| *v != rv) {
        return Err(format!(
            "error: Expected resource version to be {v}, was {rv}"
        ));
    }
    scale["spec"]["replicas"] = json!(replicas);
    let body = serde_json::to_vec(&scale).unwrap_or_default();
    api.call("PUT", &path, json_ct, body, json_ct)
        .await
        .map(drop)
        .map_err(|e| e.to_string())
}

pub async fn run(api: &Api, namespace: &str, s: &Scale, out: &mut Out) -> i32 {
    let fail = |out: &mut Out, e: &str| {
        out.eprint(&format!("{e}\n"));
        1
    };
    let (replicas, current) = match (
        count(s.replicas.as_deref(), "replicas"),
        count(s.current_replicas.as_deref(), "current-replicas"),
    ) {
        (Ok(r), Ok(c)) => (r, c),
        (Err(e), _) | (_, Err(e)) => return fail(out, &e),
    };
    if s.replicas.is_none() {
        return fail(out, "error: required flag(s) \"replicas\" not set");
    }
    if replicas < 0 {
        return fail(
            out,
            "error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0",
        );
    }
    if !s.targets.filenames.is_empty() {
        return fail(out, "error: opsconsole does not scale -f FILE yet");
    }
    if s.targets.args.is_empty() {
        return fail(out, NOTHING_NAMED);
    }
    let discovery = match Discovery::load(api).await {
        Ok(d) => d,
        Err(e) => return fail(out, &e.to_string()),
    };
    let found = match resolve(api, &discovery, &s.targets, namespace).await {
        Ok(f) => f,
        Err(e) => return fail(out, &e),
    };
    // kubectl reads each named object first; one it cannot read stops it.
    let mut there = Vec::new();
    for t in &found.targets {
        match api.get(&t.path(), "application/json").await {
            Ok(_) => there.push(t),
            Err(Failure::Status { message, .. }) | Err(Failure::Transport(message)) => {
                return fail(out, &format!("error: no objects passed to scale {message}"));
            }
        }
    }
    if there.is_empty() {
        return fail(out, "error: no objects passed to scale");
    }
    let mut errors = Vec::new();
    for t in there {
        match scale_one(api, t, replicas, current, s.resource_version.as_deref()).await {
            Ok(()) => {
                if s.output.as_deref() == Some("name") {
                    out.print(&format!("{}\n", t.slash_name()));
                } else {
                    out.print(&format!("{} scaled\n", t.slash_name()));
                }
            }
            Err(e) => errors.push(e),
        }
    }
    for e in &errors {
        out.eprint(&format!("{e}\n"));
    }
    if errors.is_empty() { 0 } else { 1 }
}
