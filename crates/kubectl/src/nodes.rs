//! `kubectl cordon`, `uncordon`, `drain` and `taint`, as kubectl's drain helper and taint
//! command do them: cordoning by a strategic merge patch of `spec.unschedulable`; draining
//! by kubectl's pod filters (DaemonSet pods, mirror pods, local storage, unmanaged pods),
//! then evictions (where the server has `pods/eviction`) or deletions, each awaited; taints
//! added, overwritten and removed by kubectl's rules and messages.

use crate::api::{Api, enc};
use crate::discovery::Discovery;
use crate::target::{NOTHING_NAMED, Target, named};
use crate::{Out, finish};
use opsconsole_sim::lang::kubectl::{NodeAction, NodeCmd, Taint};
use serde_json::{Value, json};
use std::time::Duration;

fn dry_suffix(dry: Option<&str>) -> &'static str {
    match dry {
        Some("client") => " (dry run)",
        Some("server") => " (server dry run)",
        _ => "",
    }
}

/// Cordons (or uncordons) one node; what kubectl prints for it.
async fn cordon_one(
    api: &Api,
    t: &Target<'_>,
    desired: bool,
    dry: Option<&str>,
) -> Result<String, String> {
    let node = api
        .get(&t.path(), "application/json")
        .await
        .map_err(|e| e.report())?;
    let now = node["spec"]["unschedulable"].as_bool().unwrap_or(false);
    let verb = if desired { "cordoned" } else { "uncordoned" };
    if now == desired {
        return Ok(format!(
            "node/{} already {verb}{}\n",
            t.name,
            dry_suffix(dry)
        ));
    }
    if dry != Some("client") {
        let value = if desired { json!(true) } else { Value::Null };
        let mut url = t.path();
        if dry == Some("server") {
            url.push_str("?dryRun=All");
        }
        api.patch(
            &url,
            "strategic-merge-patch+json",
            &json!({"spec": {"unschedulable": value}}),
        )
        .await
        .map_err(|e| {
            format!(
                "error: unable to {} node {:?}: {}",
                if desired { "cordon" } else { "uncordon" },
                t.name,
                e.report()
            )
        })?;
    }
    Ok(format!("node/{} {verb}{}\n", t.name, dry_suffix(dry)))
}

/// What kubectl's drain filters decide for a pod.
enum Decision {
    Delete,
    /// Left alone (mirror pods).
    Skip,
    /// Left alone, or deleted, with a warning.
    Warn(bool, &'static str),
    Refuse(String),
}

fn finished(pod: &Value) -> bool {
    matches!(
        pod["status"]["phase"].as_str(),
        Some("Succeeded" | "Failed")
    )
}

fn controller(pod: &Value) -> Option<&Value> {
    pod["metadata"]["ownerReferences"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["controller"].as_bool() == Some(true))
}

/// kubectl's filters, in its order: each decides unless it keeps the pod, and the last
/// one that ran decides (so a warning an earlier filter gave is lost, as in kubectl).
async fn decide(api: &Api, pod: &Value, n: &NodeCmd) -> Decision {
    // DaemonSet-managed pods.
    if let Some(c) = controller(pod).filter(|c| c["kind"] == "DaemonSet")
        && !finished(pod)
    {
        let ns = pod["metadata"]["namespace"].as_str().unwrap_or_default();
        let name = c["name"].as_str().unwrap_or_default();
        match api
            .get(
                &format!("/apis/apps/v1/namespaces/{ns}/daemonsets/{name}"),
                "application/json",
            )
            .await
        {
            Err(e) if e.is_not_found() && n.force => {}
            Err(e) => return Decision::Refuse(e.to_string()),
            Ok(_) if !n.ignore_daemonsets => {
                return Decision::Refuse(
                    "DaemonSet-managed Pods (use --ignore-daemonsets to ignore)".into(),
                );
            }
            Ok(_) => return Decision::Warn(false, "ignoring DaemonSet-managed Pods"),
        }
    }
    if pod["metadata"]["annotations"]["kubernetes.io/config.mirror"].is_string() {
        return Decision::Skip;
    }
    let local = pod["spec"]["volumes"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|v| v.get("emptyDir").is_some());
    if local && !finished(pod) && !n.delete_emptydir_data {
        return Decision::Refuse(
            "Pods with local storage (use --delete-emptydir-data to override)".into(),
        );
    }
    // The last filter: unreplicated pods.
    if finished(pod) || controller(pod).is_some() {
        return Decision::Delete;
    }
    if n.force {
        return Decision::Warn(true, "deleting Pods that declare no controller");
    }
    Decision::Refuse(
        "cannot delete Pods that declare no controller (use --force to override)".into(),
    )
}

/// Messages grouped as kubectl groups them: `MESSAGE: ns/a, ns/b`.
fn grouped(items: &[(String, String)]) -> Vec<String> {
    let mut order: Vec<&String> = Vec::new();
    for (m, _) in items {
        if !order.contains(&m) {
            order.push(m);
        }
    }
    order
        .iter()
        .map(|m| {
            let pods: Vec<&str> = items
                .iter()
                .filter(|(x, _)| x == *m)
                .map(|(_, p)| p.as_str())
                .collect();
            format!("{m}: {}", pods.join(", "))
        })
        .collect()
}

/// Whether the server evicts pods (`pods/eviction` in its core resources).
async fn eviction_supported(api: &Api) -> bool {
    api.get("/api/v1", "application/json")
        .await
        .map(|v| {
            v["resources"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|r| r["name"] == "pods/eviction" && r["kind"] == "Eviction")
        })
        .unwrap_or(false)
}

/// The pods of a node to delete (or an error listing those that block the drain).
async fn pods_to_delete(
    api: &Api,
    node: &str,
    n: &NodeCmd,
    out: &mut Out,
) -> Result<Vec<Value>, String> {
    let mut url = format!(
        "/api/v1/pods?fieldSelector={}",
        enc(&format!("spec.nodeName={node}"))
    );
    if let Some(sel) = &n.pod_selector {
        url.push_str(&format!("&labelSelector={}", enc(sel)));
    }
    let pods = api.list_all(&url).await.map_err(|e| e.report())?;
    let mut delete = Vec::new();
    let mut warnings: Vec<(String, String)> = Vec::new();
    let mut refusals: Vec<(String, String)> = Vec::new();
    for p in pods {
        let id = format!(
            "{}/{}",
            p["metadata"]["namespace"].as_str().unwrap_or_default(),
            p["metadata"]["name"].as_str().unwrap_or_default()
        );
        match decide(api, &p, n).await {
            Decision::Delete => delete.push(p),
            Decision::Skip => {}
            Decision::Warn(del, w) => {
                warnings.push((w.to_string(), id));
                if del {
                    delete.push(p);
                }
            }
            Decision::Refuse(why) => refusals.push((why, id)),
        }
    }
    if !refusals.is_empty() {
        // kubectl 1.32 puts "cannot delete " before every message (twice, for the one that
        // already starts so).
        let errs: Vec<String> = grouped(&refusals)
            .into_iter()
            .map(|e| format!("cannot delete {e}"))
            .collect();
        return Err(errs.join("\n"));
    }
    if !warnings.is_empty() {
        out.eprint(&format!("Warning: {}\n", grouped(&warnings).join("; ")));
    }
    Ok(delete)
}

/// Evicts (or deletes) the pods and waits until each is gone, printing kubectl's lines.
async fn delete_pods(api: &Api, pods: &[Value], n: &NodeCmd, out: &mut Out) -> Result<(), String> {
    let evict = !n.disable_eviction && eviction_supported(api).await;
    let grace: Option<i64> = n
        .grace_period
        .as_deref()
        .and_then(|g| g.parse().ok())
        .filter(|g| *g >= 0);
    let mut options = json!({});
    if let Some(g) = grace {
        options["gracePeriodSeconds"] = json!(g);
    }
    for p in pods {
        let ns = p["metadata"]["namespace"].as_str().unwrap_or_default();
        let name = p["metadata"]["name"].as_str().unwrap_or_default();
        let path = format!("/api/v1/namespaces/{ns}/pods/{name}");
        if evict {
            out.print(&format!("evicting pod {ns}/{name}\n"));
            out.flush_to_terminal();
            let body = json!({"apiVersion": "policy/v1", "kind": "Eviction",
                "metadata": {"name": name, "namespace": ns}, "deleteOptions": options});
            loop {
                match api
                    .call(
                        "POST",
                        &format!("{path}/eviction"),
                        "application/json",
                        serde_json::to_vec(&body).unwrap_or_default(),
                        "application/json",
                    )
                    .await
                {
                    Ok(_) => break,
                    Err(e) if e.is_not_found() => break,
                    Err(crate::api::Failure::Status {
                        code: 429, message, ..
                    }) => {
                        out.eprint(&format!(
                            "error when evicting pods/{name:?} -n {ns:?} (will retry after 5s): {message}\n"
                        ));
                        out.flush_to_terminal();
                        api.pause(Duration::from_secs(5)).await;
                    }
                    Err(e) => return Err(e.report()),
                }
            }
        } else {
            match api.delete(&path, &options).await {
                Ok(_) => {}
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(e.report()),
            }
        }
    }
    // Each pod is done when it is gone (or replaced by another of the same name).
    let mut pending: Vec<&Value> = pods.iter().collect();
    while !pending.is_empty() {
        let mut still = Vec::new();
        for p in pending {
            let ns = p["metadata"]["namespace"].as_str().unwrap_or_default();
            let name = p["metadata"]["name"].as_str().unwrap_or_default();
            let now = api
                .get(
                    &format!("/api/v1/namespaces/{ns}/pods/{name}"),
                    "application/json",
                )
                .await;
            let gone = match &now {
                Err(e) if e.is_not_found() => true,
                Ok(v) => v["metadata"]["uid"] != p["metadata"]["uid"],
                Err(e) => return Err(e.report()),
            };
            if gone {
                let verb = if evict { "evicted" } else { "deleted" };
                out.print(&format!("pod/{name} {verb}\n"));
                out.flush_to_terminal();
            } else {
                still.push(p);
            }
        }
        pending = still;
        if !pending.is_empty() {
            api.pause(Duration::from_millis(500)).await;
        }
    }
    Ok(())
}

pub async fn run(api: &Api, namespace: &str, n: &NodeCmd, out: &mut Out) -> i32 {
    let fail = |out: &mut Out, e: &str| {
        out.eprint(&format!("{e}\n"));
        1
    };
    if n.targets.args.is_empty() && n.targets.selector.is_none() {
        let verb = match n.action {
            NodeAction::Cordon => "cordon",
            NodeAction::Uncordon => "uncordon",
            NodeAction::Drain => "drain",
        };
        return fail(
            out,
            &format!(
                "error: USAGE: {verb} NODE [flags]\nSee 'kubectl {verb} -h' for help and examples"
            ),
        );
    }
    let discovery = match Discovery::load(api).await {
        Ok(d) => d,
        Err(e) => return fail(out, &e.to_string()),
    };
    let (found, mut errors) = match named(api, &discovery, &n.targets, namespace, false, out).await
    {
        Ok(x) => x,
        Err(e) => return fail(out, &e),
    };
    if found.targets.is_empty() && errors.is_empty() {
        return fail(out, NOTHING_NAMED);
    }
    let desired = n.action != NodeAction::Uncordon;
    for t in &found.targets {
        match cordon_one(api, t, desired, n.dry_run.as_deref()).await {
            Ok(line) => out.print(&line),
            Err(e) => errors.push(e),
        }
    }
    // A drain whose cordon failed goes no further (kubectl's `RunDrain`).
    if n.action != NodeAction::Drain || !errors.is_empty() {
        return finish(&errors, out);
    }
    let names: Vec<String> = found.targets.iter().map(|t| t.name.clone()).collect();
    for (i, t) in found.targets.iter().enumerate() {
        let result = match pods_to_delete(api, &t.name, n, out).await {
            Ok(pods) if n.dry_run.as_deref() == Some("client") => {
                for p in &pods {
                    out.print(&format!(
                        "evicting pod {}/{} (dry run)\n",
                        p["metadata"]["namespace"].as_str().unwrap_or_default(),
                        p["metadata"]["name"].as_str().unwrap_or_default()
                    ));
                }
                Ok(())
            }
            Ok(pods) => delete_pods(api, &pods, n, out).await,
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => out.print(&format!(
                "node/{} drained{}\n",
                t.name,
                dry_suffix(n.dry_run.as_deref())
            )),
            Err(e) => {
                let why = match e.lines().count() {
                    1 => e.clone(),
                    _ => format!("[{}]", e.lines().collect::<Vec<_>>().join(", ")),
                };
                out.eprint(&format!(
                    "error: unable to drain node {:?} due to error: {why}, continuing command...\n",
                    t.name
                ));
                out.eprint("There are pending nodes to be drained:\n");
                for rest in &names[i..] {
                    out.eprint(&format!(" {rest}\n"));
                }
                // The drain's errors end the command as they are (no `error: `).
                errors.push(if e.starts_with("error: ") {
                    e
                } else {
                    format!("{e}\n")
                });
                break;
            }
        }
    }
    finish(&errors, out)
}

// ---------------------------------------------------------------------------
// Taints

/// `key[=value]:effect` (`key` alone, or `key:effect`, for removals).
#[derive(Clone, Debug, PartialEq)]
struct Spec {
    key: String,
    value: String,
    effect: String,
}

impl Spec {
    fn text(&self) -> String {
        let mut s = self.key.clone();
        if !self.value.is_empty() {
            s.push_str(&format!("={}", self.value));
        }
        if !self.effect.is_empty() {
            s.push_str(&format!(":{}", self.effect));
        }
        s
    }
    fn matches(&self, v: &Value) -> bool {
        v["key"] == self.key.as_str() && v["effect"] == self.effect.as_str()
    }
}

fn parse_taint(st: &str) -> Result<Spec, String> {
    let parts: Vec<&str> = st.split(':').collect();
    let (key, value, effect) = match parts.as_slice() {
        [k] => (k.to_string(), String::new(), String::new()),
        [kv, e] => {
            if !matches!(*e, "NoSchedule" | "PreferNoSchedule" | "NoExecute") {
                return Err(format!(
                    "invalid taint effect: {e}, unsupported taint effect"
                ));
            }
            let kv: Vec<&str> = kv.split('=').collect();
            match kv.as_slice() {
                [k] => (k.to_string(), String::new(), e.to_string()),
                [k, v] => {
                    let errs = crate::validation::label_value(v);
                    if !errs.is_empty() {
                        return Err(format!("invalid taint spec: {st}, {}", errs.join("; ")));
                    }
                    (k.to_string(), v.to_string(), e.to_string())
                }
                _ => return Err(format!("invalid taint spec: {st}")),
            }
        }
        _ => return Err(format!("invalid taint spec: {st}")),
    };
    let errs = crate::validation::qualified_name(&key);
    if !errs.is_empty() {
        return Err(format!("invalid taint spec: {st}, {}", errs.join("; ")));
    }
    Ok(Spec { key, value, effect })
}

/// The taints to add and to remove.
fn parse_taints(specs: &[String]) -> Result<(Vec<Spec>, Vec<Spec>), String> {
    let mut add: Vec<Spec> = Vec::new();
    let mut remove = Vec::new();
    for s in specs {
        if let Some(r) = s.strip_suffix('-') {
            let t = parse_taint(r)?;
            remove.push(Spec {
                value: String::new(),
                ..t
            });
            continue;
        }
        let t = parse_taint(s)?;
        if t.effect.is_empty() {
            return Err(format!("invalid taint spec: {s}"));
        }
        if add.iter().any(|a| a.key == t.key && a.effect == t.effect) {
            return Err(format!(
                "duplicated taints with the same key and effect: {{{} {} {} <nil>}}",
                t.key, t.value, t.effect
            ));
        }
        add.push(t);
    }
    Ok((add, remove))
}

/// The node's taints after the change, and kubectl's word for it.
fn reorganize(
    node: &Value,
    overwrite: bool,
    add: &[Spec],
    remove: &[Spec],
) -> Result<(&'static str, Vec<Value>), String> {
    let old: Vec<Value> = node["spec"]["taints"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut new: Vec<Value> = add
        .iter()
        .map(|t| {
            let mut v = json!({"key": t.key, "effect": t.effect});
            if !t.value.is_empty() {
                v["value"] = json!(t.value);
            }
            v
        })
        .collect();
    for o in &old {
        if !new
            .iter()
            .any(|n| n["key"] == o["key"] && n["effect"] == o["effect"])
        {
            new.push(o.clone());
        }
    }
    let added = old.len() != new.len();
    let mut deleted = false;
    let mut errs = Vec::new();
    for r in remove {
        let before = new.len();
        if r.effect.is_empty() {
            new.retain(|t| t["key"] != r.key.as_str());
        } else {
            new.retain(|t| !r.matches(t));
        }
        deleted = new.len() != before;
        if !deleted {
            errs.push(format!("taint {:?} not found", r.text()));
        }
    }
    if !errs.is_empty() {
        return Err(errs.join("\n"));
    }
    let word = if (added && deleted) || overwrite {
        "modified"
    } else if added {
        "tainted"
    } else {
        "untainted"
    };
    Ok((word, new))
}

pub async fn taint(api: &Api, namespace: &str, t: &Taint, out: &mut Out) -> i32 {
    let fail = |out: &mut Out, e: &str| {
        out.eprint(&format!("{e}\n"));
        1
    };
    let mut resources = Vec::new();
    let mut specs = Vec::new();
    for a in &t.targets.args {
        let is_taint = a.contains('=') || a.contains(':') || a.ends_with('-');
        match (specs.is_empty(), is_taint) {
            (_, true) => specs.push(a.clone()),
            (true, false) => resources.push(a.clone()),
            (false, false) => {
                return fail(
                    out,
                    &format!("error: all resources must be specified before taint changes: {a}"),
                );
            }
        }
    }
    if resources.is_empty() {
        return fail(
            out,
            "error: one or more resources must be specified as <resource> <name>",
        );
    }
    if specs.is_empty() {
        return fail(out, "error: at least one taint update is required");
    }
    let (add, remove) = match parse_taints(&specs) {
        Ok(x) => x,
        Err(e) => {
            return fail(
                out,
                &format!("error: {e}\nSee 'kubectl taint -h' for help and examples"),
            );
        }
    };
    let discovery = match Discovery::load(api).await {
        Ok(d) => d,
        Err(e) => return fail(out, &e.to_string()),
    };
    let ty = resources[0].to_lowercase();
    match discovery.resolve(&ty) {
        Some(r) if r[0].kind == "Node" => {}
        Some(_) => {
            return fail(
                out,
                &format!("error: invalid resource type {ty}, only node types are supported"),
            );
        }
        None => return fail(out, &crate::target::unknown_type(&ty)),
    }
    let mut conflicts = Vec::new();
    for a in &add {
        for r in &remove {
            if a.key == r.key && (r.effect.is_empty() || a.effect == r.effect) {
                conflicts.push(format!("{}={}", r.key, r.effect));
            }
        }
    }
    if !conflicts.is_empty() {
        return fail(
            out,
            &format!(
                "error: can not both modify and remove the following taint(s) in the same command: {}",
                conflicts.join(", ")
            ),
        );
    }
    let all = t.targets.all;
    let selector = t.targets.selector.clone();
    if all && selector.is_some() {
        return fail(
            out,
            "error: setting 'all' parameter with a non empty selector is prohibited",
        );
    }
    if !all && selector.is_none() && resources.len() < 2 {
        return fail(
            out,
            "error: at least one resource name must be specified since 'all' parameter is not set",
        );
    }
    let mut targets = opsconsole_sim::lang::kubectl::Targets {
        args: vec!["nodes".into()],
        selector,
        all,
        ..Default::default()
    };
    if !all && targets.selector.is_none() {
        targets.args.extend(resources[1..].iter().cloned());
    }
    let (found, mut errors) = match named(api, &discovery, &targets, namespace, false, out).await {
        Ok(x) => x,
        Err(e) => return fail(out, &e),
    };
    for n in &found.targets {
        let node = match api.get(&n.path(), "application/json").await {
            Ok(v) => v,
            Err(e) => {
                errors.push(e.report());
                continue;
            }
        };
        if !t.overwrite {
            let exists: Vec<String> = add
                .iter()
                .flat_map(|a| {
                    node["spec"]["taints"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter(|o| a.matches(o))
                        .map(|_| a.key.clone())
                })
                .collect();
            if !exists.is_empty() {
                errors.push(format!(
                    "error: node {} already has {} taint(s) with same effect(s) and --overwrite is false",
                    n.name,
                    exists.join(",")
                ));
                continue;
            }
        }
        let (word, taints) = match reorganize(&node, t.overwrite, &add, &remove) {
            Ok(x) => x,
            Err(e) => {
                errors.push(format!("error: {e}"));
                continue;
            }
        };
        let value = if taints.is_empty() {
            Value::Null
        } else {
            json!(taints)
        };
        if t.dry_run.as_deref() != Some("client") {
            let mut url = format!("{}?fieldManager=kubectl-taint", n.path());
            if t.dry_run.as_deref() == Some("server") {
                url.push_str("&dryRun=All");
            }
            if let Err(e) = api
                .patch(
                    &url,
                    "strategic-merge-patch+json",
                    &json!({"spec": {"taints": value}}),
                )
                .await
            {
                errors.push(e.report());
                continue;
            }
        }
        out.print(&format!(
            "node/{} {word}{}\n",
            n.name,
            dry_suffix(t.dry_run.as_deref())
        ));
    }
    finish(&errors, out)
}
