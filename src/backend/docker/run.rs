//! The command language against a real engine: each parsed command becomes the API calls the
//! docker CLI makes for it, and prints what the CLI prints. `service update` works like the
//! CLI: read the service's spec, apply the flags, send it back with the version read; only the
//! fields the flags changed are touched, so whatever else the spec holds survives.

use super::convert::{self, Raw};
use super::{api_error, json};
use crate::backend::{BackendError, CmdOutput, Invocation, Plan, PlannedMove, RunOpts};
use bollard::query_parameters::*;
use opsconsole_sim::exec::format::{inspect_json, render_template, trunc_id};
use opsconsole_sim::exec::views::{Listing, NODE_HEADERS, NODE_KEYS, TASK_HEADERS, TASK_KEYS};
use opsconsole_sim::lang::docker::{DockerCmd, InspectOpts, ListOpts};
use opsconsole_sim::lang::service::{ServiceFlags, create_spec, update_spec};
use opsconsole_sim::lang::{Cmd, SimCmd};
use opsconsole_sim::model::{Availability, NodeRole, STACK_LABEL, ServiceSpec};
use serde_json::{Value, json};
use std::collections::HashMap;

#[derive(Default)]
struct Out {
    stdout: String,
    stderr: String,
    code: i32,
}

impl Out {
    fn line(&mut self, s: impl AsRef<str>) {
        self.stdout.push_str(s.as_ref());
        self.stdout.push('\n');
    }
    fn fail(&mut self, s: impl AsRef<str>) {
        self.stderr.push_str(s.as_ref());
        self.stderr.push('\n');
        self.code = 1;
    }
    fn result(&mut self, r: Result<String, String>) {
        match r {
            Ok(s) => self.line(s),
            Err(e) => self.fail(e),
        }
    }
}

type R<T> = Result<T, String>;

fn err(e: bollard::errors::Error) -> String {
    api_error(&e)
}

fn from_json<T: serde::de::DeserializeOwned>(v: Value) -> R<T> {
    serde_json::from_value(v).map_err(|e| format!("opsconsole: cannot build the request: {e}"))
}

/// The image as the user typed it, with `:latest` when it has no tag or digest (what the
/// docker CLI sends when no registry can resolve a digest).
fn image_ref(image: &str) -> String {
    let last = image.rsplit('/').next().unwrap_or(image);
    if last.contains(':') || image.contains('@') {
        image.to_string()
    } else {
        format!("{image}:latest")
    }
}

/// Makes `orig` differ from what it was in exactly the ways `after` differs from `before`.
pub fn patch(orig: &mut Value, before: &Value, after: &Value) {
    match (before, after) {
        (Value::Object(b), Value::Object(a)) => {
            if !orig.is_object() {
                *orig = Value::Object(Default::default());
            }
            let Some(o) = orig.as_object_mut() else {
                return;
            };
            for (k, av) in a {
                match b.get(k) {
                    Some(bv) if bv == av => {}
                    Some(bv) if bv.is_object() && av.is_object() => {
                        patch(o.entry(k.clone()).or_insert(Value::Null), bv, av)
                    }
                    _ => {
                        o.insert(k.clone(), av.clone());
                    }
                }
            }
            for k in b.keys() {
                if !a.contains_key(k) {
                    o.remove(k);
                }
            }
        }
        _ if before != after => *orig = after.clone(),
        _ => {}
    }
}

/// Runs `f` for each name; prints the name when it worked and the engine's error when not.
async fn each<F, Fut>(out: &mut Out, c: &bollard::Docker, names: &[String], f: F)
where
    F: Fn(bollard::Docker, String) -> Fut,
    Fut: std::future::Future<Output = Result<(), bollard::errors::Error>> + Send,
{
    for n in names {
        match f(c.clone(), n.clone()).await {
            Ok(()) => out.line(n),
            Err(e) => out.fail(err(e)),
        }
    }
}

struct Current {
    id: String,
    name: String,
    version: i32,
    spec: Value,
}

async fn service(c: &bollard::Docker, name: &str) -> R<Current> {
    let s = c
        .inspect_service(name, None::<InspectServiceOptions>)
        .await
        .map_err(|e| match &e {
            bollard::errors::Error::DockerResponseServerError {
                status_code: 404, ..
            } => format!("Error: No such service: {name}"),
            _ => err(e),
        })?;
    let v = json(&s);
    Ok(Current {
        id: convert::s(&v, "/ID").to_string(),
        name: convert::s(&v, "/Spec/Name").to_string(),
        version: v
            .pointer("/Version/Index")
            .and_then(Value::as_i64)
            .unwrap_or(0) as i32,
        spec: v.get("Spec").cloned().unwrap_or(Value::Null),
    })
}

async fn send_update(c: &bollard::Docker, cur: &Current, spec: Value, rollback: bool) -> R<()> {
    let opts = UpdateServiceOptions {
        version: cur.version,
        rollback: rollback.then(|| "previous".to_string()),
        ..Default::default()
    };
    let resp = c
        .update_service(&cur.id, from_json(spec)?, opts, None)
        .await
        .map_err(err)?;
    let _ = resp;
    Ok(())
}

/// `service update`: the flags applied to the engine's own spec.
async fn service_update(c: &bollard::Docker, name: &str, flags: &ServiceFlags) -> R<String> {
    let cur = service(c, name).await?;
    let parsed: ServiceSpec = serde_json::from_value(cur.spec.clone())
        .map_err(|e| format!("opsconsole: cannot read the spec of {name}: {e}"))?;
    let mut updated = update_spec(&parsed, flags)?;
    if let Some(img) = &flags.image {
        updated.task_template.container_spec.image = image_ref(img);
    } else {
        updated.task_template.container_spec.image =
            parsed.task_template.container_spec.image.clone();
    }
    let mut spec = cur.spec.clone();
    patch(&mut spec, &json(&parsed), &json(&updated));
    send_update(c, &cur, spec, false).await?;
    Ok(cur.name)
}

fn create_body(flags: &ServiceFlags) -> R<Value> {
    let name = flags.name.clone().unwrap_or_default();
    let mut spec = create_spec(flags, name)?;
    spec.task_template.container_spec.image = image_ref(flags.image.as_deref().unwrap_or(""));
    Ok(json(&spec))
}

fn availability(a: Availability) -> &'static str {
    match a {
        Availability::Active => "active",
        Availability::Pause => "pause",
        Availability::Drain => "drain",
    }
}

async fn node_update(
    c: &bollard::Docker,
    node: &str,
    change: impl FnOnce(&mut Value),
) -> R<(String, Value)> {
    let n = json(c.inspect_node(node).await.map_err(err)?);
    let version = n
        .pointer("/Version/Index")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let mut spec = n.get("Spec").cloned().unwrap_or(json!({}));
    change(&mut spec);
    let id = convert::s(&n, "/ID").to_string();
    c.update_node(&id, from_json(spec)?, UpdateNodeOptions { version })
        .await
        .map_err(err)?;
    Ok((id, n))
}

/// The body of `POST /networks/create` for `network create` (and a stack's networks).
fn network_body(n: &opsconsole_sim::NetworkCreate) -> Value {
    let mut body = json!({"Name": n.name, "Driver": n.driver, "Attachable": n.attachable,
        "Internal": n.internal, "Labels": n.labels, "Options": n.options});
    if n.encrypted {
        body["Options"]["encrypted"] = json!("");
    }
    if let Some(subnet) = &n.subnet {
        let mut cfg = json!({"Subnet": subnet});
        if let Some(g) = &n.gateway {
            cfg["Gateway"] = json!(g);
        }
        body["IPAM"] = json!({"Driver": "default", "Config": [cfg]});
    }
    body
}

fn filters(list: &ListOpts) -> HashMap<String, Vec<String>> {
    let mut m: HashMap<String, Vec<String>> = HashMap::new();
    for (k, v) in &list.filters {
        m.entry(k.clone()).or_default().push(v.clone());
    }
    m
}

fn print_inspect(out: &mut Out, values: Vec<Value>, opts: &InspectOpts) {
    match &opts.format {
        Some(f) => {
            for v in &values {
                match render_template(f, v) {
                    Ok(s) => out.line(s),
                    Err(e) => out.fail(e),
                }
            }
        }
        None => out.stdout.push_str(&inspect_json(&values)),
    }
}

async fn raw_for_lists(c: &bollard::Docker, list: &ListOpts, containers: bool) -> R<Raw> {
    let mut raw = Raw::default();
    let f = filters(list);
    raw.info = json(c.info().await.map_err(err)?);
    raw.swarm = convert::s(&raw.info, "/Swarm/LocalNodeState") == "active";
    if containers {
        let opts = ListContainersOptions {
            all: true,
            filters: Some(f),
            ..Default::default()
        };
        raw.containers = c
            .list_containers(Some(opts))
            .await
            .map_err(err)?
            .into_iter()
            .map(json)
            .collect();
    }
    Ok(raw)
}

fn listing(out: &mut Out, l: Listing, opts: &ListOpts) {
    out.result(l.render(opts).map(|s| s.trim_end_matches('\n').to_string()));
}

async fn lists(c: &bollard::Docker, cmd: &DockerCmd, out: &mut Out) -> R<()> {
    match cmd {
        DockerCmd::ServiceLs(list) => {
            let f = filters(list);
            let mut raw = Raw {
                swarm: true,
                ..Raw::default()
            };
            raw.services = c
                .list_services(Some(ListServicesOptions {
                    filters: Some(f),
                    status: Some(true),
                }))
                .await
                .map_err(err)?
                .into_iter()
                .map(json)
                .collect();
            raw.tasks = c
                .list_tasks(None::<ListTasksOptions>)
                .await
                .map_err(err)?
                .into_iter()
                .map(json)
                .collect();
            let rows = convert::service_views(&raw)
                .into_iter()
                .map(|s| {
                    json!({"ID": trunc_id(&s.id), "Name": s.name, "Mode": s.mode,
                        "Replicas": s.replicas, "Image": s.image, "Ports": s.ports})
                })
                .collect();
            let l = Listing {
                headers: &["ID", "NAME", "MODE", "REPLICAS", "IMAGE", "PORTS"],
                keys: &["ID", "Name", "Mode", "Replicas", "Image", "Ports"],
                rows,
                quiet_key: "ID",
            };
            listing(out, l, list);
        }
        DockerCmd::NodeLs(list) => {
            let raw = Raw {
                swarm: true,
                info: json(c.info().await.map_err(err)?),
                nodes: c
                    .list_nodes(Some(ListNodesOptions {
                        filters: Some(filters(list)),
                    }))
                    .await
                    .map_err(err)?
                    .into_iter()
                    .map(json)
                    .collect(),
                ..Raw::default()
            };
            let me = convert::s(&raw.info, "/Swarm/NodeID").to_string();
            let rows = convert::node_views(&raw, "")
                .into_iter()
                .map(|n| {
                    let star = if n.id == me { " *" } else { "" };
                    json!({"ID": format!("{}{star}", n.id), "Hostname": n.hostname,
                        "Status": n.status, "Availability": n.availability,
                        "ManagerStatus": n.manager_status, "EngineVersion": n.engine})
                })
                .collect();
            let l = Listing {
                headers: NODE_HEADERS,
                keys: NODE_KEYS,
                rows,
                quiet_key: "ID",
            };
            listing(out, l, list);
        }
        DockerCmd::ServicePs { services, list } => {
            let mut raw = Raw {
                swarm: true,
                ..Raw::default()
            };
            let mut f = filters(list);
            for s in services {
                let cur = service(c, s).await?;
                f.entry("service".into()).or_default().push(cur.id);
            }
            raw.tasks = c
                .list_tasks(Some(ListTasksOptions { filters: Some(f) }))
                .await
                .map_err(err)?
                .into_iter()
                .map(json)
                .collect();
            raw.services = c
                .list_services(None::<ListServicesOptions>)
                .await
                .map_err(err)?
                .into_iter()
                .map(json)
                .collect();
            raw.nodes = c
                .list_nodes(None::<ListNodesOptions>)
                .await
                .map_err(err)?
                .into_iter()
                .map(json)
                .collect();
            let now =
                opsconsole_sim::base::time::SimTime(crate::backend::view::wall_ms() * 1_000_000);
            let mut tasks = convert::task_views(&raw);
            tasks.sort_by(|a, b| {
                (&a.service_name, a.slot, std::cmp::Reverse(a.created_at)).cmp(&(
                    &b.service_name,
                    b.slot,
                    std::cmp::Reverse(b.created_at),
                ))
            });
            let mut last = (String::new(), u64::MAX);
            let rows = tasks
                .into_iter()
                .map(|t| {
                    let key = (t.service_name.clone(), t.slot);
                    let name = if key == last {
                        format!(" \\_ {}", t.name())
                    } else {
                        t.name()
                    };
                    last = key;
                    json!({"ID": trunc_id(&t.id), "Name": name, "Image": t.image,
                        "Node": t.node_name, "DesiredState": opsconsole_sim::exec::format::title(t.desired.as_str()),
                        "CurrentState": opsconsole_sim::exec::format::state_ago(t.state, t.state_since, now),
                        "Error": t.err, "Ports": t.ports})
                })
                .collect();
            let l = Listing {
                headers: TASK_HEADERS,
                keys: TASK_KEYS,
                rows,
                quiet_key: "ID",
            };
            listing(out, l, list);
        }
        DockerCmd::ContainerLs { all, last, list } => {
            let raw = raw_for_lists(c, list, true).await?;
            let mut cs: Vec<&Value> = raw
                .containers
                .iter()
                .filter(|c| *all || convert::s(c, "/State") == "running")
                .collect();
            if let Some(n) = last {
                cs.truncate(*n);
            }
            let rows = cs
                .iter()
                .map(|c| {
                    json!({"ID": trunc_id(convert::s(c, "/Id")),
                        "Image": convert::s(c, "/Image"),
                        "Command": format!("{:?}", convert::s(c, "/Command")),
                        "Status": convert::s(c, "/Status"),
                        "Names": convert::s(c, "/Names/0").trim_start_matches('/')})
                })
                .collect();
            let l = Listing {
                headers: &["CONTAINER ID", "IMAGE", "COMMAND", "STATUS", "NAMES"],
                keys: &["ID", "Image", "Command", "Status", "Names"],
                rows,
                quiet_key: "ID",
            };
            listing(out, l, list);
        }
        DockerCmd::VolumeLs(list) => {
            let v = c
                .list_volumes(Some(ListVolumesOptions {
                    filters: Some(filters(list)),
                }))
                .await
                .map_err(err)?;
            let rows = v
                .volumes
                .unwrap_or_default()
                .into_iter()
                .map(|v| json!({"Driver": v.driver, "Name": v.name}))
                .collect();
            let l = Listing {
                headers: &["DRIVER", "VOLUME NAME"],
                keys: &["Driver", "Name"],
                rows,
                quiet_key: "Name",
            };
            listing(out, l, list);
        }
        DockerCmd::NetworkLs(list) => {
            let v = c
                .list_networks(Some(ListNetworksOptions {
                    filters: Some(filters(list)),
                }))
                .await
                .map_err(err)?;
            let rows = v
                .into_iter()
                .map(|n| {
                    json!({"ID": trunc_id(n.id.as_deref().unwrap_or("")), "Name": n.name,
                        "Driver": n.driver, "Scope": n.scope})
                })
                .collect();
            let l = Listing {
                headers: &["NETWORK ID", "NAME", "DRIVER", "SCOPE"],
                keys: &["ID", "Name", "Driver", "Scope"],
                rows,
                quiet_key: "ID",
            };
            listing(out, l, list);
        }
        _ => return Err("not a list".into()),
    }
    Ok(())
}

async fn inspects(c: &bollard::Docker, host: &str, cmd: &DockerCmd, out: &mut Out) -> R<()> {
    let (opts, kind) = match cmd {
        DockerCmd::ServiceInspect(o) => (o, "service"),
        DockerCmd::NodeInspect(o) => (o, "node"),
        DockerCmd::VolumeInspect(o) => (o, "volume"),
        DockerCmd::NetworkInspect(o) => (o, "network"),
        DockerCmd::ContainerInspect(o) => (o, "container"),
        DockerCmd::Inspect(o) => (o, "any"),
        _ => return Err("not an inspect".into()),
    };
    let mut values = Vec::new();
    for name in &opts.names {
        let name = if kind == "node" && name == "self" {
            let info = json(c.info().await.map_err(err)?);
            convert::s(&info, "/Swarm/NodeID").to_string()
        } else {
            name.clone()
        };
        if kind == "service" {
            match super::inspect_service_json(c, host, &name).await {
                Ok(v) => values.push(v),
                Err(e) => out.fail(e),
            }
            continue;
        }
        let v = match kind {
            "node" => c.inspect_node(&name).await.map(json),
            "volume" => c.inspect_volume(&name).await.map(json),
            "network" => c.inspect_network(&name, None).await.map(json),
            "container" => c.inspect_container(&name, None).await.map(json),
            _ => match c.inspect_container(&name, None).await.map(json) {
                Ok(v) => Ok(v),
                Err(_) => match c.inspect_service(&name, None).await.map(json) {
                    Ok(v) => Ok(v),
                    Err(_) => c.inspect_node(&name).await.map(json),
                },
            },
        };
        match v {
            Ok(v) => values.push(v),
            Err(e) => out.fail(err(e)),
        }
    }
    print_inspect(out, values, opts);
    Ok(())
}

async fn stack_deploy(
    c: &bollard::Docker,
    files: &[String],
    stack: &str,
    prune: bool,
    out: &mut Out,
) -> R<()> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let getenv = |k: &str| std::env::var(k).ok();
    let plan = opsconsole_sim::lang::compose::plan_files(files, &cwd, stack, &getenv)?;
    for w in &plan.warnings {
        out.stderr.push_str(w);
        out.stderr.push('\n');
    }
    let networks: Vec<String> = c
        .list_networks(None::<ListNetworksOptions>)
        .await
        .map_err(err)?
        .into_iter()
        .filter_map(|n| n.name)
        .collect();
    for ext in &plan.external_networks {
        if !networks.contains(ext) {
            return Err(format!(
                "network \"{ext}\" is declared as external, but could not be found. You need to create a swarm-scoped network before the stack is deployed"
            ));
        }
    }
    let mut sf = HashMap::new();
    sf.insert("label".to_string(), vec![format!("{STACK_LABEL}={stack}")]);
    let existing: Vec<Value> = c
        .list_services(Some(ListServicesOptions {
            filters: Some(sf),
            status: None,
        }))
        .await
        .map_err(err)?
        .into_iter()
        .map(json)
        .collect();
    if prune {
        for s in &existing {
            let name = convert::s(s, "/Spec/Name");
            if !plan.services.iter().any(|p| p.name == name) {
                out.line(format!("Removing service {name}"));
                c.delete_service(convert::s(s, "/ID")).await.map_err(err)?;
            }
        }
    }
    for n in &plan.networks {
        if networks.contains(&n.name) {
            continue;
        }
        out.line(format!("Creating network {}", n.name));
        let mut n = n.clone();
        n.labels.insert(STACK_LABEL.into(), stack.into());
        c.create_network(from_json(network_body(&n))?)
            .await
            .map_err(|e| format!("failed to create network {}: {}", n.name, api_error(&e)))?;
    }
    for spec in &plan.services {
        let mut spec = spec.clone();
        let img = spec.task_template.container_spec.image.clone();
        spec.task_template.container_spec.image = image_ref(&convert::strip_digest(&img));
        let found = existing
            .iter()
            .find(|s| convert::s(s, "/Spec/Name") == spec.name);
        match found {
            Some(s) => {
                let id = convert::s(s, "/ID").to_string();
                out.line(format!("Updating service {} (id: {id})", spec.name));
                let cur = Current {
                    id,
                    name: spec.name.clone(),
                    version: s
                        .pointer("/Version/Index")
                        .and_then(Value::as_i64)
                        .unwrap_or(0) as i32,
                    spec: s.get("Spec").cloned().unwrap_or(Value::Null),
                };
                send_update(c, &cur, json(&spec), false).await?;
            }
            None => {
                out.line(format!("Creating service {}", spec.name));
                c.create_service(from_json(json(&spec))?, None)
                    .await
                    .map_err(|e| {
                        format!("failed to create service {}: {}", spec.name, api_error(&e))
                    })?;
            }
        }
    }
    Ok(())
}

async fn stack_rm(c: &bollard::Docker, stack: &str, out: &mut Out) -> R<()> {
    let mut f = HashMap::new();
    f.insert("label".to_string(), vec![format!("{STACK_LABEL}={stack}")]);
    let services = c
        .list_services(Some(ListServicesOptions {
            filters: Some(f.clone()),
            status: None,
        }))
        .await
        .map_err(err)?;
    let networks = c
        .list_networks(Some(ListNetworksOptions { filters: Some(f) }))
        .await
        .map_err(err)?;
    if services.is_empty() && networks.is_empty() {
        out.line(format!("Nothing found in stack: {stack}"));
        return Ok(());
    }
    let mut services: Vec<Value> = services.into_iter().map(json).collect();
    services.sort_by(|a, b| convert::s(a, "/Spec/Name").cmp(convert::s(b, "/Spec/Name")));
    for s in &services {
        out.line(format!("Removing service {}", convert::s(s, "/Spec/Name")));
        if let Err(e) = c.delete_service(convert::s(s, "/ID")).await {
            out.fail(format!(
                "Failed to remove service {}: {}",
                convert::s(s, "/ID"),
                api_error(&e)
            ));
        }
    }
    for n in networks {
        let name = n.name.unwrap_or_default();
        out.line(format!("Removing network {name}"));
        if let Err(e) = c.remove_network(n.id.as_deref().unwrap_or(&name)).await {
            out.fail(format!(
                "Failed to remove network {name}: {}",
                api_error(&e)
            ));
        }
    }
    Ok(())
}

async fn docker(c: &bollard::Docker, host: &str, cmd: DockerCmd, out: &mut Out) -> R<()> {
    use DockerCmd::*;
    match cmd {
        ServiceLs(_)
        | NodeLs(_)
        | ServicePs { .. }
        | ContainerLs { .. }
        | VolumeLs(_)
        | NetworkLs(_) => lists(c, &cmd, out).await?,
        ServiceInspect(_) | NodeInspect(_) | VolumeInspect(_) | NetworkInspect(_)
        | ContainerInspect(_) | Inspect(_) => inspects(c, host, &cmd, out).await?,
        ServiceCreate(sc) => {
            let body = create_body(&sc.flags)?;
            let r = c
                .create_service(from_json(body)?, None)
                .await
                .map_err(err)?;
            out.line(r.id.unwrap_or_default());
        }
        ServiceUpdate(su) => {
            if su.rollback {
                let cur = service(c, &su.service).await?;
                let spec = cur.spec.clone();
                send_update(c, &cur, spec, true).await?;
                out.line(cur.name);
            } else {
                out.line(service_update(c, &su.service, &su.flags).await?);
            }
        }
        ServiceScale { pairs, .. } => {
            for (name, n) in pairs {
                let r = async {
                    let cur = service(c, &name).await?;
                    let mut spec = cur.spec.clone();
                    if let Some(r) = spec.pointer_mut("/Mode/Replicated/Replicas") {
                        *r = json!(n);
                    } else if let Some(r) = spec.pointer_mut("/Mode/ReplicatedJob") {
                        r["TotalCompletions"] = json!(n);
                    } else {
                        return Err(format!(
                            "{name}: scale can only be used with replicated or replicated-job mode"
                        ));
                    }
                    send_update(c, &cur, spec, false).await?;
                    Ok(format!("{name} scaled to {n}"))
                }
                .await;
                out.result(r);
            }
        }
        ServiceRollback { service: name, .. } => {
            let cur = service(c, &name).await?;
            let spec = cur.spec.clone();
            send_update(c, &cur, spec, true).await?;
            out.line(cur.name);
        }
        ServiceRm(names) => {
            for name in names {
                let r = async {
                    let cur = service(c, &name).await?;
                    c.delete_service(&cur.id).await.map_err(err)?;
                    Ok(name.clone())
                }
                .await;
                out.result(r);
            }
        }
        NodeUpdate {
            node,
            availability: avail,
            role,
            label_add,
            label_rm,
        } => {
            node_update(c, &node, |spec| {
                if let Some(a) = avail {
                    spec["Availability"] = json!(availability(a));
                }
                if let Some(r) = role {
                    spec["Role"] = json!(match r {
                        NodeRole::Manager => "manager",
                        NodeRole::Worker => "worker",
                    });
                }
                if !spec.get("Labels").is_some_and(Value::is_object) {
                    spec["Labels"] = json!({});
                }
                for k in &label_rm {
                    if let Some(l) = spec["Labels"].as_object_mut() {
                        l.remove(k);
                    }
                }
                for (k, v) in &label_add {
                    spec["Labels"][k] = json!(v);
                }
            })
            .await?;
            out.line(node);
        }
        NodePromote(nodes) => {
            for n in nodes {
                let r = node_update(c, &n, |s| s["Role"] = json!("manager")).await;
                out.result(r.map(|_| format!("Node {n} promoted to a manager in the swarm.")));
            }
        }
        NodeDemote(nodes) => {
            for n in nodes {
                let r = node_update(c, &n, |s| s["Role"] = json!("worker")).await;
                out.result(r.map(|_| format!("Manager {n} demoted in the swarm.")));
            }
        }
        NodeRm { nodes, force } => {
            each(out, c, &nodes, |c, n| async move {
                c.delete_node(&n, Some(DeleteNodeOptions { force })).await
            })
            .await
        }
        VolumeCreate {
            name,
            driver,
            labels,
            opts,
        } => {
            let body = json!({"Name": name.unwrap_or_default(), "Driver": driver,
                "Labels": labels, "DriverOpts": opts});
            let v: bollard::models::VolumeCreateRequest = from_json(body)?;
            let r = c.create_volume(v).await.map_err(err)?;
            out.line(r.name);
        }
        VolumeRm { names, force } => {
            each(out, c, &names, |c, n| async move {
                c.remove_volume(&n, Some(RemoveVolumeOptions { force }))
                    .await
            })
            .await
        }
        NetworkCreate(n) => {
            let r = c
                .create_network(from_json(network_body(&n))?)
                .await
                .map_err(err)?;
            out.line(r.id);
        }
        NetworkRm(names) => {
            each(
                out,
                c,
                &names,
                |c, n| async move { c.remove_network(&n).await },
            )
            .await
        }
        StackDeploy { files, name, prune } => stack_deploy(c, &files, &name, prune, out).await?,
        StackRm(names) => {
            for n in names {
                stack_rm(c, &n, out).await?;
            }
        }
        ContainerStart(names) => {
            each(out, c, &names, |c, n| async move {
                c.start_container(&n, None::<StartContainerOptions>).await
            })
            .await
        }
        ContainerStop { names, time } => {
            let t = time.map(|t| t as i32);
            each(out, c, &names, |c, n| async move {
                c.stop_container(&n, Some(StopContainerOptions { t, signal: None }))
                    .await
            })
            .await
        }
        ContainerRestart { names, time } => {
            let t = time.map(|t| t as i32);
            each(out, c, &names, |c, n| async move {
                c.restart_container(&n, Some(RestartContainerOptions { t, signal: None }))
                    .await
            })
            .await
        }
        ContainerKill { names, signal } => {
            each(out, c, &names, |c, n| {
                let signal = signal.clone();
                async move {
                    c.kill_container(&n, Some(KillContainerOptions { signal }))
                        .await
                }
            })
            .await
        }
        ContainerRm {
            names,
            force,
            volumes,
        } => {
            each(out, c, &names, |c, n| async move {
                let o = RemoveContainerOptions {
                    v: volumes,
                    force,
                    link: false,
                };
                c.remove_container(&n, Some(o)).await
            })
            .await
        }
        Info => {
            let i = json(c.info().await.map_err(err)?);
            for (k, p) in [
                ("Server Version", "/ServerVersion"),
                ("Name", "/Name"),
                ("Containers", "/Containers"),
                ("Running", "/ContainersRunning"),
                ("Images", "/Images"),
                ("Storage Driver", "/Driver"),
                ("Swarm", "/Swarm/LocalNodeState"),
                ("NodeID", "/Swarm/NodeID"),
                ("Operating System", "/OperatingSystem"),
                ("CPUs", "/NCPU"),
                ("Total Memory", "/MemTotal"),
            ] {
                let v = i.pointer(p).cloned().unwrap_or(Value::Null);
                let v = v.as_str().map(str::to_string).unwrap_or(v.to_string());
                out.line(format!(" {k}: {v}"));
            }
        }
        Version => {
            let v = json(c.version().await.map_err(err)?);
            out.line(format!(
                "Server:\n Engine:\n  Version:          {}\n  API version:      {} (minimum version {})\n  Go version:       {}\n  OS/Arch:          {}/{}",
                convert::s(&v, "/Version"),
                convert::s(&v, "/ApiVersion"),
                convert::s(&v, "/MinAPIVersion"),
                convert::s(&v, "/GoVersion"),
                convert::s(&v, "/Os"),
                convert::s(&v, "/Arch")
            ));
        }
        ServiceLogs(_) | ContainerLogs(_) => {
            return Err(
                "opsconsole: logs stream in the logs pane here (`:logs SERVICE` or `:logs TASK`)"
                    .into(),
            );
        }
        other => {
            return Err(format!(
                "opsconsole: `{}` is not available on a Docker engine yet; use the docker CLI",
                command_name(&other)
            ));
        }
    }
    Ok(())
}

fn command_name(c: &DockerCmd) -> String {
    let dbg = format!("{c:?}");
    let head = dbg
        .split(|ch: char| !ch.is_alphanumeric())
        .next()
        .unwrap_or("")
        .to_string();
    let mut out = String::new();
    for (i, ch) in head.chars().enumerate() {
        if ch.is_uppercase() && i > 0 {
            out.push(' ');
        }
        out.push(ch.to_ascii_lowercase());
    }
    format!("docker {out}")
}

pub async fn run(c: &bollard::Docker, host: &str, inv: Invocation, _opts: RunOpts) -> CmdOutput {
    let mut out = Out::default();
    let r = match inv.cmd {
        Cmd::Docker(d) => docker(c, host, d, &mut out).await,
        Cmd::Sim(SimCmd::Status) | Cmd::Sim(_) => Err(
            "opsconsole: `sim` commands drive the built-in cluster; this is a Docker engine".into(),
        ),
        Cmd::Help(text) => {
            out.stdout = text;
            Ok(())
        }
    };
    if let Err(e) = r {
        out.fail(e);
    }
    CmdOutput {
        code: out.code,
        stdout: out.stdout,
        stderr: out.stderr,
    }
}

/// What a drain would move: the node's running tasks, to wherever the engine's scheduler
/// puts them.
pub async fn plan(c: &bollard::Docker, inv: &Invocation) -> Result<Plan, BackendError> {
    let Cmd::Docker(DockerCmd::NodeUpdate {
        node,
        availability: Some(Availability::Drain),
        ..
    }) = &inv.cmd
    else {
        return Ok(Plan::default());
    };
    let fail = |e: bollard::errors::Error| BackendError::failed(api_error(&e));
    let n = c.inspect_node(node).await.map_err(fail)?;
    let id = n.id.unwrap_or_default();
    let mut f = HashMap::new();
    f.insert("node".to_string(), vec![id]);
    f.insert("desired-state".to_string(), vec!["running".to_string()]);
    let raw = Raw {
        swarm: true,
        tasks: c
            .list_tasks(Some(ListTasksOptions { filters: Some(f) }))
            .await
            .map_err(fail)?
            .into_iter()
            .map(json)
            .collect(),
        services: c
            .list_services(None::<ListServicesOptions>)
            .await
            .map_err(fail)?
            .into_iter()
            .map(json)
            .collect(),
        ..Raw::default()
    };
    let mut moves: Vec<PlannedMove> = convert::task_views(&raw)
        .into_iter()
        .map(|t| PlannedMove {
            task: t.name(),
            from: Some(node.clone()),
            to: None,
        })
        .collect();
    moves.sort_by(|a, b| a.task.cmp(&b.task));
    Ok(Plan {
        moves,
        notes: vec!["the engine's scheduler decides where each task goes".into()],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_touches_only_what_changed() {
        let mut orig = json!({"Name": "web", "TaskTemplate": {"ContainerSpec":
            {"Image": "busybox:latest", "Isolation": "default"}, "ForceUpdate": 0},
            "Labels": {"a": "1"}});
        let before = json!({"Name": "web", "TaskTemplate": {"ContainerSpec":
            {"Image": "busybox:latest"}}, "Labels": {"a": "1"}});
        let after = json!({"Name": "web", "TaskTemplate": {"ContainerSpec":
            {"Image": "busybox:v2"}}, "Labels": {}});
        patch(&mut orig, &before, &after);
        assert_eq!(orig["TaskTemplate"]["ContainerSpec"]["Image"], "busybox:v2");
        // Fields opsconsole does not model survive.
        assert_eq!(
            orig["TaskTemplate"]["ContainerSpec"]["Isolation"],
            "default"
        );
        assert_eq!(orig["TaskTemplate"]["ForceUpdate"], 0);
        assert_eq!(orig["Labels"], json!({}));
    }

    #[test]
    fn images_get_the_cli_default_tag() {
        assert_eq!(image_ref("busybox"), "busybox:latest");
        assert_eq!(image_ref("localhost:5000/app"), "localhost:5000/app:latest");
        assert_eq!(image_ref("nginx:1.17-alpine"), "nginx:1.17-alpine");
        assert_eq!(image_ref("a@sha256:00"), "a@sha256:00");
    }
}
