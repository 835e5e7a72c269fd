//! `kubectl run NAME --image=IMAGE [-- ARGS...]`: the pod kubectl's generator makes (labels
//! `run=NAME`, one container named after the pod, args or `--command`, `--env`, `--port`,
//! `--restart`), printed with `--dry-run=client`; with `-i`, attached to (or, where the
//! server cannot attach, its log followed) until it ends, and deleted with `--rm`.

use crate::api::{Api, enc};
use crate::{Out, finish};
use futures::StreamExt;
use opsconsole_sim::lang::kubectl::Run;
use serde_json::{Map, Value, json};

const SEE: &str = "See 'kubectl run -h' for help and examples";

/// The pod kubectl's `run` generator makes, in the order of Go's structs (as `-o json`
/// prints a client-side object) and as Go marshals it (so `creationTimestamp: null`,
/// `resources: {}` and `status: {}` are there).
fn generate(r: &Run, namespace: Option<&str>) -> Result<Value, String> {
    let mut labels = Map::new();
    match &r.labels {
        Some(l) if !l.is_empty() => {
            for pair in l.split(',') {
                let Some((k, v)) = pair.split_once('=') else {
                    return Err(format!("error: invalid label spec: {pair}"));
                };
                labels.insert(k.to_string(), json!(v));
            }
        }
        _ => {
            labels.insert("run".into(), json!(r.name));
        }
    }
    let mut c = Map::new();
    c.insert("name".into(), json!(r.name));
    c.insert("image".into(), json!(r.image.clone().unwrap_or_default()));
    if !r.args.is_empty() {
        c.insert(
            if r.command { "command" } else { "args" }.into(),
            json!(r.args),
        );
    }
    if let Some(p) = r
        .port
        .as_deref()
        .and_then(|p| p.parse::<i64>().ok())
        .filter(|p| *p >= 0)
    {
        c.insert("ports".into(), json!([{"containerPort": p}]));
    }
    if !r.env.is_empty() {
        let env: Vec<Value> = r
            .env
            .iter()
            .map(|e| match e.split_once('=') {
                Some((k, v)) => json!({"name": k, "value": v}),
                None => json!({"name": e}),
            })
            .collect();
        c.insert("env".into(), json!(env));
    }
    c.insert("resources".into(), json!({}));
    if let Some(p) = &r.image_pull_policy {
        c.insert("imagePullPolicy".into(), json!(p));
    }
    if r.privileged {
        c.insert("securityContext".into(), json!({"privileged": true}));
    }
    if r.stdin {
        c.insert("stdin".into(), json!(true));
        c.insert("stdinOnce".into(), json!(true));
    }
    if r.tty {
        c.insert("tty".into(), json!(true));
    }
    let mut metadata = Map::new();
    metadata.insert("name".into(), json!(r.name));
    if let Some(ns) = namespace {
        metadata.insert("namespace".into(), json!(ns));
    }
    metadata.insert("creationTimestamp".into(), Value::Null);
    metadata.insert("labels".into(), Value::Object(labels));
    if !r.annotations.is_empty() {
        let mut a = Map::new();
        for pair in &r.annotations {
            if let Some((k, v)) = pair.split_once('=') {
                a.insert(k.to_string(), json!(v));
            }
        }
        metadata.insert("annotations".into(), Value::Object(a));
    }
    Ok(json!({
        "kind": "Pod",
        "apiVersion": "v1",
        "metadata": metadata,
        "spec": {
            "containers": [Value::Object(c)],
            "restartPolicy": r.restart.clone().unwrap_or_else(|| "Always".into()),
            "dnsPolicy": "ClusterFirst",
        },
        "status": {}
    }))
}

/// Waits until the pod runs or has ended (kubectl's `podRunningAndReadyOrSucceeded`).
async fn wait_started(api: &Api, path: &str) -> Result<Value, String> {
    loop {
        let pod = api
            .get(path, "application/json")
            .await
            .map_err(|e| e.report())?;
        let phase = pod["status"]["phase"].as_str().unwrap_or_default();
        if matches!(phase, "Running" | "Succeeded" | "Failed") {
            return Ok(pod);
        }
        api.pause(std::time::Duration::from_millis(200)).await;
    }
}

/// Follows the pod's log until its container ends.
async fn follow_log(api: &Api, path: &str, name: &str, out: &mut Out) -> Result<(), String> {
    let body = api
        .stream(&format!("{path}/log?container={}&follow=true", enc(name)))
        .await
        .map_err(|e| e.report())?;
    let mut body = std::pin::pin!(body);
    while let Some(chunk) = body.next().await {
        out.print(&String::from_utf8_lossy(&chunk.map_err(|e| e.report())?));
        out.flush_to_terminal();
    }
    Ok(())
}

pub async fn run(api: &Api, namespace: &str, enforce: bool, r: &Run, out: &mut Out) -> i32 {
    let fail = |out: &mut Out, e: &str| {
        out.eprint(&format!("{e}\n"));
        1
    };
    if r.image.as_deref().is_none_or(str::is_empty) {
        return fail(out, "error: required flag(s) \"image\" not set");
    }
    if r.name.is_empty() {
        return fail(out, &format!("error: NAME is required for run\n{SEE}"));
    }
    if let Some(p) = r
        .restart
        .as_deref()
        .filter(|p| !matches!(*p, "Always" | "OnFailure" | "Never"))
    {
        return fail(out, &format!("error: invalid restart policy: {p}\n{SEE}"));
    }
    let attach = r.attach.unwrap_or(r.stdin);
    if r.rm && !attach {
        return fail(
            out,
            &format!("error: --rm should only be used for attached containers\n{SEE}"),
        );
    }
    let dry = r.dry_run.as_deref().unwrap_or("none");
    let mut pod = match generate(r, enforce.then_some(namespace)) {
        Ok(p) => p,
        Err(e) => return fail(out, &e),
    };
    let format =
        match crate::printer::parse(r.output.as_deref(), None, crate::printer::CHANGE_FORMATS) {
            Ok(f) => f,
            Err(e) => return fail(out, &e),
        };
    let slash = format!("pod/{}", r.name);
    if dry == "client" {
        match crate::printer::generated(&format, &slash, &pod, "created (dry run)") {
            Ok(t) => out.print(&t),
            Err(e) => return fail(out, &e),
        }
        return 0;
    }
    if let Value::Object(m) = &mut pod {
        m.remove("status");
    }
    let collection = format!("/api/v1/namespaces/{namespace}/pods");
    let mut url = format!("{collection}?fieldManager=kubectl-run");
    if dry == "server" {
        url.push_str("&dryRun=All");
    }
    let made = match api
        .call(
            "POST",
            &url,
            "application/json",
            serde_json::to_vec(&pod).unwrap_or_default(),
            "application/json",
        )
        .await
    {
        Ok(v) => v,
        Err(e) => return fail(out, &e.report()),
    };
    if !attach {
        match crate::printer::changed(&format, &slash, &made, "created") {
            Ok(t) => out.print(&t),
            Err(e) => return fail(out, &e),
        }
        return 0;
    }
    let path = format!("{collection}/{}", r.name);
    if !r.quiet {
        out.eprint("If you don't see a command prompt, try pressing enter.\n");
    }
    let mut errors = Vec::new();
    match wait_started(api, &path).await {
        Ok(_) => {
            // The server is asked to attach; one that cannot gets kubectl's fallback.
            let attached = api
                .get(
                    &format!("{path}/attach?container={}&stdout=true", enc(&r.name)),
                    "*/*",
                )
                .await;
            if let Err(e) = attached {
                let why = match &e {
                    crate::api::Failure::Status { message, .. } => message.clone(),
                    crate::api::Failure::Transport(m) => m.clone(),
                };
                out.eprint(&format!(
                    "warning: couldn't attach to pod/{}, falling back to streaming logs: {why}\n",
                    r.name
                ));
                if let Err(e) = follow_log(api, &path, &r.name, out).await {
                    errors.push(e);
                }
            }
        }
        Err(e) => errors.push(e),
    }
    if r.rm {
        match api
            .delete(&path, &json!({"propagationPolicy": "Background"}))
            .await
        {
            Ok(_) => out.print(&format!("pod {:?} deleted\n", r.name)),
            Err(e) if e.is_not_found() => {}
            Err(e) => errors.push(e.report()),
        }
    }
    finish(&errors, out)
}
