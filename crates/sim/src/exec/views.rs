//! What docker prints for lists, inspections and `info`, computed from the cluster.

use super::format::*;
use crate::Cluster;
use crate::base::rng::stable_hex64;
use crate::base::time::{SimTime, bytes_size, format_go_duration, human_duration};
use crate::infra::images;
use crate::lang::docker::ListOpts;
use crate::model::*;
use crate::swarm::tasks::task_name;
use serde_json::{Value, json};

/// `docker node ls` columns, and the format placeholders they show.
pub const NODE_HEADERS: &[&str] = &[
    "ID",
    "HOSTNAME",
    "STATUS",
    "AVAILABILITY",
    "MANAGER STATUS",
    "ENGINE VERSION",
];
pub const NODE_KEYS: &[&str] = &[
    "ID",
    "Hostname",
    "Status",
    "Availability",
    "ManagerStatus",
    "EngineVersion",
];

/// `docker service ps` columns, and the format placeholders they show.
pub const TASK_HEADERS: &[&str] = &[
    "ID",
    "NAME",
    "IMAGE",
    "NODE",
    "DESIRED STATE",
    "CURRENT STATE",
    "ERROR",
    "PORTS",
];
pub const TASK_KEYS: &[&str] = &[
    "ID",
    "Name",
    "Image",
    "Node",
    "DesiredState",
    "CurrentState",
    "Error",
    "Ports",
];

/// Rows as JSON objects keyed like docker's format placeholders, then either the default
/// table, `-q`, or the user's `--format`.
pub struct Listing {
    pub headers: &'static [&'static str],
    pub keys: &'static [&'static str],
    pub rows: Vec<Value>,
    /// Key printed by `-q`.
    pub quiet_key: &'static str,
}

impl Listing {
    pub fn render(&self, opts: &ListOpts) -> Result<String, String> {
        if opts.quiet {
            let mut out = String::new();
            for r in &self.rows {
                out.push_str(r.get(self.quiet_key).and_then(|v| v.as_str()).unwrap_or(""));
                out.push('\n');
            }
            return Ok(out);
        }
        if let Some(f) = &opts.format {
            return render_rows(f, &self.rows);
        }
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| {
                self.keys
                    .iter()
                    .map(|k| r.get(*k).and_then(|v| v.as_str()).unwrap_or("").to_string())
                    .collect()
            })
            .collect();
        Ok(table(self.headers, &rows))
    }
}

fn filter_match(filters: &[(String, String)], key: &str, f: impl Fn(&str) -> bool) -> bool {
    let vals: Vec<&String> = filters
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v)
        .collect();
    vals.is_empty() || vals.iter().any(|v| f(v))
}

fn label_match(labels: &Labels, want: &str) -> bool {
    match want.split_once('=') {
        Some((k, v)) => labels.get(k).is_some_and(|x| x == v),
        None => labels.contains_key(want),
    }
}

/// Rejects filter keys a command does not know, with docker's message.
pub fn check_filters(filters: &[(String, String)], allowed: &[&str]) -> Result<(), String> {
    for (k, _) in filters {
        if !allowed.contains(&k.as_str()) {
            return Err(format!("Error response from daemon: Invalid filter '{k}'"));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Nodes

pub fn node_ls(cl: &Cluster, self_id: &str, opts: &ListOpts) -> Result<String, String> {
    check_filters(
        &opts.filters,
        &["id", "label", "node.label", "membership", "name", "role"],
    )?;
    let mut nodes: Vec<&Node> = cl
        .state()
        .all::<Node>()
        .filter(|n| filter_match(&opts.filters, "id", |v| n.id.starts_with(v)))
        .filter(|n| {
            filter_match(&opts.filters, "name", |v| {
                n.hostname().starts_with(v) || n.spec.name.starts_with(v)
            })
        })
        .filter(|n| {
            filter_match(&opts.filters, "role", |v| {
                v == if n.is_manager() { "manager" } else { "worker" }
            })
        })
        .filter(|_| filter_match(&opts.filters, "membership", |v| v == "accepted"))
        .filter(|n| {
            filter_match(&opts.filters, "node.label", |v| {
                label_match(&n.spec.labels, v)
            })
        })
        .filter(|n| {
            filter_match(&opts.filters, "label", |v| {
                label_match(&n.description.engine.labels, v)
            })
        })
        .collect();
    nodes.sort_by(|a, b| natural_cmp(a.hostname(), b.hostname()));
    let rows = nodes
        .iter()
        .map(|n| {
            json!({
                "ID": format!("{} {}", n.id, if n.id == self_id { "*" } else { " " }),
                "RawID": n.id,
                "Self": n.id == self_id,
                "Hostname": n.hostname(),
                "Status": node_status(n),
                "Availability": title(n.spec.availability.as_str()),
                "ManagerStatus": manager_status(n),
                "EngineVersion": n.description.engine.engine_version,
                "TLSStatus": "Ready",
            })
        })
        .collect();
    let l = Listing {
        headers: NODE_HEADERS,
        keys: NODE_KEYS,
        rows,
        quiet_key: "RawID",
    };
    l.render(opts)
}

/// The STATUS column of `docker node ls`.
pub fn node_status(n: &Node) -> String {
    title(match n.status.state {
        NodeState::Ready => "ready",
        NodeState::Down => "down",
        NodeState::Unknown => "unknown",
        NodeState::Disconnected => "disconnected",
    })
}

/// The MANAGER STATUS column of `docker node ls`.
pub fn manager_status(n: &Node) -> String {
    match &n.manager_status {
        Some(m) if m.leader => "Leader".to_string(),
        Some(m) => title(match m.reachability {
            Reachability::Reachable => "reachable",
            Reachability::Unreachable => "unreachable",
            Reachability::Unknown => "unknown",
        }),
        None => String::new(),
    }
}

pub fn node_json(n: &Node) -> Value {
    serde_json::to_value(n).unwrap_or(Value::Null)
}

pub fn node_pretty(n: &Node) -> String {
    let mut s = format!("ID:\t\t\t{}\n", n.id);
    if !n.spec.name.is_empty() {
        s.push_str(&format!("Name:\t\t\t{}\n", n.spec.name));
    }
    if !n.spec.labels.is_empty() {
        s.push_str("Labels:\n");
        for (k, v) in &n.spec.labels {
            s.push_str(&format!(
                " - {k}{}\n",
                if v.is_empty() {
                    String::new()
                } else {
                    format!("={v}")
                }
            ));
        }
    }
    s.push_str(&format!("Hostname:              \t{}\n", n.hostname()));
    s.push_str(&format!(
        "Joined at:             \t{}\n",
        go_time(n.created_at)
    ));
    s.push_str("Status:\n");
    s.push_str(&format!(
        " State:\t\t\t{}\n",
        title(match n.status.state {
            NodeState::Ready => "ready",
            NodeState::Down => "down",
            NodeState::Unknown => "unknown",
            NodeState::Disconnected => "disconnected",
        })
    ));
    if !n.status.message.is_empty() {
        s.push_str(&format!(" Message:              \t{}\n", n.status.message));
    }
    s.push_str(&format!(
        " Availability:         \t{}\n",
        title(n.spec.availability.as_str())
    ));
    s.push_str(&format!(" Address:\t\t{}\n", n.ip()));
    if let Some(m) = &n.manager_status {
        s.push_str("Manager Status:\n");
        s.push_str(&format!(" Address:\t\t{}\n", m.addr));
        s.push_str(&format!(
            " Raft Status:\t\t{}\n",
            title(match m.reachability {
                Reachability::Reachable => "reachable",
                Reachability::Unreachable => "unreachable",
                Reachability::Unknown => "unknown",
            })
        ));
        s.push_str(&format!(
            " Leader:\t\t{}\n",
            if m.leader { "Yes" } else { "No" }
        ));
    }
    s.push_str("Platform:\n");
    s.push_str(&format!(
        " Operating System:\t{}\n",
        n.description.platform.os
    ));
    s.push_str(&format!(
        " Architecture:\t\t{}\n",
        n.description.platform.architecture
    ));
    s.push_str("Resources:\n");
    s.push_str(&format!(
        " CPUs:\t\t\t{}\n",
        n.description.resources.nano_cpus / 1_000_000_000
    ));
    s.push_str(&format!(
        " Memory:\t\t{}\n",
        bytes_size(n.description.resources.memory_bytes)
    ));
    s.push_str("Plugins:\n");
    let mut by_type: std::collections::BTreeMap<&str, Vec<&str>> =
        std::collections::BTreeMap::new();
    for p in &n.description.engine.plugins {
        by_type.entry(&p.r#type).or_default().push(&p.name);
    }
    for (t, names) in by_type {
        s.push_str(&format!(" {t}:\t\t{}\n", names.join(", ")));
    }
    s.push_str(&format!(
        "Engine Version:\t\t{}\n",
        n.description.engine.engine_version
    ));
    s
}

/// Go's default `time.Time` String(): "2018-10-21 02:50:02.123456789 +0000 utc".
pub fn go_time(t: SimTime) -> String {
    let c = t.civil();
    let frac = if c.nanos > 0 {
        format!(".{}", format!("{:09}", c.nanos).trim_end_matches('0'))
    } else {
        String::new()
    };
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}{frac} +0000 utc",
        c.year, c.month, c.day, c.hour, c.min, c.sec
    )
}

// ---------------------------------------------------------------------------
// Services

pub fn replicas_column(cl: &Cluster, s: &Service) -> String {
    let (running, desired) = cl.replica_counts(s);
    match s.spec.mode {
        ServiceMode::Replicated { .. } => {
            let max = s.spec.task_template.max_replicas();
            if max > 0 {
                format!("{running}/{desired} (max {max} per node)")
            } else {
                format!("{running}/{desired}")
            }
        }
        ServiceMode::Global {} => format!("{running}/{desired}"),
        ServiceMode::ReplicatedJob {
            total_completions, ..
        } => {
            let done = job_completed(cl, s);
            format!("{running}/{desired} ({done}/{total_completions} completed)")
        }
        ServiceMode::GlobalJob {} => {
            let done = job_completed(cl, s);
            format!(
                "{running}/{desired} ({done}/{} completed)",
                cl.state().all::<Node>().count()
            )
        }
    }
}

fn job_completed(cl: &Cluster, s: &Service) -> u64 {
    let it = s.job_status.as_ref().map(|j| j.job_iteration);
    cl.tasks_of_service(&s.id)
        .iter()
        .filter(|t| t.job_iteration == it && t.status.state == TaskState::Complete)
        .count() as u64
}

pub fn service_row(cl: &Cluster, s: &Service) -> Value {
    json!({
        "ID": trunc_id(&s.id),
        "RawID": s.id,
        "Name": s.spec.name,
        "Mode": s.spec.mode.name(),
        "Replicas": replicas_column(cl, s),
        "Image": images::display(&s.spec.task_template.container_spec.image),
        "Ports": service_ports(&s.endpoint.ports),
    })
}

pub fn services_listing(cl: &Cluster, services: Vec<&Service>) -> Listing {
    let mut services = services;
    services.sort_by(|a, b| natural_cmp(&a.spec.name, &b.spec.name));
    Listing {
        headers: &["ID", "NAME", "MODE", "REPLICAS", "IMAGE", "PORTS"],
        keys: &["ID", "Name", "Mode", "Replicas", "Image", "Ports"],
        rows: services.iter().map(|s| service_row(cl, s)).collect(),
        quiet_key: "RawID",
    }
}

pub fn service_ls(cl: &Cluster, opts: &ListOpts) -> Result<String, String> {
    check_filters(&opts.filters, &["id", "label", "mode", "name"])?;
    let services: Vec<&Service> = cl
        .state()
        .all::<Service>()
        .filter(|s| filter_match(&opts.filters, "id", |v| s.id.starts_with(v)))
        .filter(|s| filter_match(&opts.filters, "name", |v| s.spec.name.starts_with(v)))
        .filter(|s| filter_match(&opts.filters, "label", |v| label_match(&s.spec.labels, v)))
        .filter(|s| {
            filter_match(&opts.filters, "mode", |v| {
                (v == "replicated" && matches!(s.spec.mode, ServiceMode::Replicated { .. }))
                    || (v == "global" && matches!(s.spec.mode, ServiceMode::Global {}))
            })
        })
        .collect();
    services_listing(cl, services).render(opts)
}

pub fn service_json(s: &Service) -> Value {
    serde_json::to_value(s).unwrap_or(Value::Null)
}

fn dur_or_zero(d: crate::base::time::SimDuration) -> String {
    format_go_duration(d)
}

/// `docker service inspect --pretty`, with docker's literal tabs.
pub fn service_pretty(cl: &Cluster, s: &Service) -> String {
    let spec = &s.spec;
    let mut o = format!("\nID:\t\t{}\nName:\t\t{}\n", s.id, spec.name);
    if !spec.labels.is_empty() {
        o.push_str("Labels:\n");
        for (k, v) in &spec.labels {
            o.push_str(&format!(
                " {k}{}\n",
                if v.is_empty() {
                    String::new()
                } else {
                    format!("={v}")
                }
            ));
        }
    }
    match spec.mode {
        ServiceMode::Global {} => o.push_str("Service Mode:\tGlobal\n"),
        ServiceMode::Replicated { replicas } => o.push_str(&format!("Service Mode:\tReplicated\n Replicas:\t{replicas}\n")),
        ServiceMode::ReplicatedJob { max_concurrent, total_completions } => {
            o.push_str(&format!("Service Mode:\tReplicatedJob\n Max Concurrent Tasks:\t{max_concurrent}\n Total Completions:\t{total_completions}\n"))
        }
        ServiceMode::GlobalJob {} => o.push_str("Service Mode:\tGlobalJob\n"),
    }
    if let Some(us) = &s.update_status {
        o.push_str(&format!(
            "UpdateStatus:\n State:\t\t{}\n",
            us.state.as_str()
        ));
        if let Some(t) = us.started_at {
            o.push_str(&format!(" Started:\t{}\n", human_duration(cl.now() - t)));
        }
        if let Some(t) = us.completed_at {
            o.push_str(&format!(" Completed:\t{}\n", human_duration(cl.now() - t)));
        }
        o.push_str(&format!(" Message:\t{}\n", us.message));
    }
    o.push_str("Placement:\n");
    let t = &spec.task_template;
    if !t.constraints().is_empty() {
        o.push_str(&format!(" Constraints:\t[{}]\n", t.constraints().join(" ")));
    }
    if !t.preferences().is_empty() {
        let p: Vec<String> = t
            .preferences()
            .iter()
            .map(|p| format!("spread={}", p.spread.spread_descriptor))
            .collect();
        o.push_str(&format!(" Preferences:   [{}]\n", p.join(" ")));
    }
    if t.max_replicas() > 0 {
        o.push_str(&format!(" Max Replicas Per Node:   {}\n", t.max_replicas()));
    }
    for (label, cfg, order) in [
        ("UpdateConfig", spec.update_config, "Update order:     "),
        ("RollbackConfig", spec.rollback_config, "Rollback order:   "),
    ] {
        let Some(c) = cfg else { continue };
        o.push_str(&format!("{label}:\n Parallelism:\t{}\n", c.parallelism));
        if !c.delay.is_zero() {
            o.push_str(&format!(" Delay:\t\t{}\n", dur_or_zero(c.delay)));
        }
        o.push_str(&format!(" On failure:\t{}\n", c.failure_action.as_str()));
        if !c.monitor.is_zero() {
            o.push_str(&format!(" Monitoring Period: {}\n", dur_or_zero(c.monitor)));
        }
        o.push_str(&format!(" Max failure ratio: {}\n", c.max_failure_ratio));
        o.push_str(&format!(" {order} {}\n", c.order.as_str()));
    }
    let cs = &t.container_spec;
    o.push_str(&format!("ContainerSpec:\n Image:\t\t{}\n", cs.image));
    if !cs.args.is_empty() {
        o.push_str(&format!(" Args:\t\t{} \n", cs.args.join(" ")));
    }
    if !cs.env.is_empty() {
        o.push_str(&format!(" Env:\t\t{} \n", cs.env.join(" ")));
    }
    if !cs.dir.is_empty() {
        o.push_str(&format!(" Dir:\t\t{}\n", cs.dir));
    }
    o.push_str(&format!(" Init:\t\t{}\n", cs.init.unwrap_or(false)));
    if !cs.user.is_empty() {
        o.push_str(&format!(" User: {}\n", cs.user));
    }
    if !cs.mounts.is_empty() {
        o.push_str("Mounts:\n");
        for m in &cs.mounts {
            o.push_str(&format!(
                " Target:\t{}\n  Source:\t{}\n  ReadOnly:\t{}\n  Type:\t\t{}\n",
                m.target,
                m.source,
                m.read_only,
                m.r#type.as_str()
            ));
        }
    }
    o.push_str("Resources:\n");
    let r = t.reservations();
    if !r.is_empty() {
        o.push_str(" Reservations:\n");
        if r.nano_cpus > 0 {
            o.push_str(&format!("  CPU:\t\t{}\n", r.nano_cpus as f64 / 1e9));
        }
        if r.memory_bytes > 0 {
            o.push_str(&format!("  Memory:\t{}\n", bytes_size(r.memory_bytes)));
        }
    }
    let l = t.limits();
    if !l.is_empty() {
        o.push_str(" Limits:\n");
        if l.nano_cpus > 0 {
            o.push_str(&format!("  CPU:\t\t{}\n", l.nano_cpus as f64 / 1e9));
        }
        if l.memory_bytes > 0 {
            o.push_str(&format!("  Memory:\t{}\n", bytes_size(l.memory_bytes)));
        }
    }
    if !t.networks.is_empty() {
        let names: Vec<String> = t
            .networks
            .iter()
            .map(|n| {
                cl.find_network(&n.target)
                    .map(|x| x.name.clone())
                    .unwrap_or_else(|| n.target.clone())
            })
            .collect();
        o.push_str(&format!("Networks: {} \n", names.join(" ")));
    }
    o.push_str(&format!(
        "Endpoint Mode:\t{}\n",
        spec.endpoint().mode.as_str()
    ));
    if !s.endpoint.ports.is_empty() {
        o.push_str("Ports:\n");
        for p in &s.endpoint.ports {
            o.push_str(&format!(
                " PublishedPort = {}\n  Protocol = {}\n  TargetPort = {}\n  PublishMode = {}\n",
                p.published_port,
                p.protocol.as_str(),
                p.target_port,
                p.publish_mode.as_str()
            ));
        }
    }
    o
}

// ---------------------------------------------------------------------------
// Tasks (`service ps`, `node ps`, `stack ps`)

pub fn tasks_listing(cl: &Cluster, tasks: Vec<&Task>, opts: &ListOpts) -> Result<String, String> {
    check_filters(&opts.filters, &["id", "name", "node", "desired-state"])?;
    let now = cl.now();
    let svc_name = |t: &Task| {
        cl.state()
            .get::<Service>(&t.service_id)
            .map(|s| s.spec.name.clone())
            .unwrap_or_else(|| t.service_id.clone())
    };
    let mut tasks: Vec<&Task> = tasks
        .into_iter()
        .filter(|t| filter_match(&opts.filters, "id", |v| t.id.starts_with(v)))
        .filter(|t| {
            filter_match(&opts.filters, "name", |v| {
                task_name(&svc_name(t), t).starts_with(v)
            })
        })
        .filter(|t| {
            filter_match(&opts.filters, "node", |v| {
                t.node_id.starts_with(v)
                    || cl
                        .state()
                        .get::<Node>(&t.node_id)
                        .is_some_and(|n| n.hostname() == v)
            })
        })
        .filter(|t| {
            filter_match(&opts.filters, "desired-state", |v| match v {
                "running" => t.desired_state <= TaskState::Running,
                "shutdown" => t.desired_state >= TaskState::Shutdown,
                "accepted" => t.desired_state == TaskState::Accepted,
                "ready" => t.desired_state == TaskState::Ready,
                _ => false,
            })
        })
        .collect();
    // docker: by service name order of appearance, slot, then newest first.
    tasks.sort_by(|a, b| {
        natural_cmp(&svc_name(a), &svc_name(b))
            .then(a.slot.cmp(&b.slot))
            .then(if a.slot == 0 {
                a.node_id.cmp(&b.node_id)
            } else {
                std::cmp::Ordering::Equal
            })
            .then(b.created_at.cmp(&a.created_at))
            .then(b.id.cmp(&a.id))
    });
    let mut prev = String::new();
    let table_mode = opts
        .format
        .as_deref()
        .is_none_or(|f| f.starts_with("table"));
    let rows: Vec<Value> = tasks
        .iter()
        .map(|t| {
            let name = task_name(&svc_name(t), t);
            let shown = if name == prev && table_mode {
                format!(" \\_ {name}")
            } else {
                name.clone()
            };
            prev = name;
            let node = cl
                .state()
                .get::<Node>(&t.node_id)
                .map(|n| n.hostname().to_string())
                .unwrap_or_else(|| t.node_id.clone());
            let err = if t.status.err.is_empty() {
                String::new()
            } else if opts.no_trunc {
                format!("\"{}\"", t.status.err)
            } else {
                format!("\"{}\"", ellipsis(&t.status.err, 30))
            };
            let image = if opts.no_trunc {
                t.spec.container_spec.image.clone()
            } else {
                images::display(&t.spec.container_spec.image)
            };
            let ports: Vec<String> = t
                .sim
                .host_ports
                .iter()
                .map(|(proto, p)| format!("*:{p}->{p}/{}", proto.as_str()))
                .collect();
            json!({
                "ID": if opts.no_trunc { t.id.clone() } else { trunc_id(&t.id).to_string() },
                "RawID": t.id,
                "Name": shown,
                "Image": image,
                "Node": node,
                "DesiredState": t.desired_state.pretty(),
                "CurrentState": state_ago(t.status.state, t.status.timestamp, now),
                "Error": err,
                "Ports": ports.join(","),
            })
        })
        .collect();
    let l = Listing {
        headers: TASK_HEADERS,
        keys: TASK_KEYS,
        rows,
        quiet_key: "RawID",
    };
    l.render(opts)
}

// ---------------------------------------------------------------------------
// Containers

fn docker_command(c: &Container) -> String {
    let mut s = c.path.clone();
    for a in &c.args {
        s.push(' ');
        if a.contains(' ') {
            s.push_str(&format!("'{a}'"));
        } else {
            s.push_str(a);
        }
    }
    s
}

pub fn container_status(c: &Container, now: SimTime) -> String {
    if c.state.running {
        return format!(
            "Up {}",
            human_duration(now - c.state.started_at.unwrap_or(now))
        );
    }
    match (c.state.started_at, c.state.finished_at) {
        (None, _) => "Created".into(),
        (Some(_), None) => String::new(),
        (Some(_), Some(f)) => format!(
            "Exited ({}) {} ago",
            c.state.exit_code,
            human_duration(now - f)
        ),
    }
}

pub fn container_ls(
    cl: &Cluster,
    node: &str,
    all: bool,
    last: Option<usize>,
    opts: &ListOpts,
) -> Result<String, String> {
    check_filters(
        &opts.filters,
        &["id", "name", "status", "label", "ancestor", "exited"],
    )?;
    let now = cl.now();
    let mut cs: Vec<&Container> = cl.containers_on_node(node);
    cs.sort_by(|a, b| b.created.cmp(&a.created).then(b.id.cmp(&a.id)));
    let show_all = all
        || last.is_some()
        || opts
            .filters
            .iter()
            .any(|(k, _)| k == "status" || k == "exited");
    let mut cs: Vec<&Container> = cs
        .into_iter()
        .filter(|c| show_all || c.is_running())
        .filter(|c| filter_match(&opts.filters, "id", |v| c.id.starts_with(v)))
        .filter(|c| filter_match(&opts.filters, "name", |v| c.short_name().contains(v)))
        .filter(|c| filter_match(&opts.filters, "label", |v| label_match(&c.config.labels, v)))
        .filter(|c| {
            filter_match(&opts.filters, "ancestor", |v| {
                c.sim.image_ref.starts_with(v)
            })
        })
        .filter(|c| {
            filter_match(&opts.filters, "exited", |v| {
                !c.is_running()
                    && c.state.started_at.is_some()
                    && v.parse::<i64>().ok() == Some(c.state.exit_code)
            })
        })
        .filter(|c| {
            filter_match(&opts.filters, "status", |v| match v {
                "running" => c.is_running(),
                "exited" => !c.is_running() && c.state.started_at.is_some(),
                "created" => c.state.started_at.is_none(),
                _ => false,
            })
        })
        .collect();
    if let Some(n) = last {
        cs.truncate(n);
    }
    let rows = cs
        .iter()
        .map(|c| {
            let cmd = docker_command(c);
            json!({
                "ID": if opts.no_trunc { c.id.clone() } else { trunc_id(&c.id).to_string() },
                "RawID": trunc_id(&c.id),
                "Image": images::display(&c.config.image),
                "Command": format!("\"{}\"", if opts.no_trunc { cmd } else { ellipsis(&cmd, 20) }),
                "CreatedAt": c.created.rfc3339(),
                "RunningFor": ago(c.created, now),
                "Status": container_status(c, now),
                "Ports": c.config.exposed_ports.keys().cloned().collect::<Vec<_>>().join(", "),
                "Names": c.short_name(),
                "Labels": c.config.labels.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(","),
                "State": c.state.status,
            })
        })
        .collect();
    let l = Listing {
        headers: &[
            "CONTAINER ID",
            "IMAGE",
            "COMMAND",
            "CREATED",
            "STATUS",
            "PORTS",
            "NAMES",
        ],
        keys: &[
            "ID",
            "Image",
            "Command",
            "RunningFor",
            "Status",
            "Ports",
            "Names",
        ],
        rows,
        quiet_key: "RawID",
    };
    l.render(opts)
}

pub fn container_json(c: &Container) -> Value {
    let mut v = serde_json::to_value(c).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.insert("Name".into(), Value::String(c.name.clone()));
        m.insert(
            "NetworkSettings".into(),
            json!({ "Networks": c.network_settings }),
        );
        m.remove("x-sim");
    }
    v
}

// ---------------------------------------------------------------------------
// Volumes and networks

pub fn volume_ls(cl: &Cluster, node: &str, opts: &ListOpts) -> Result<String, String> {
    check_filters(&opts.filters, &["dangling", "driver", "label", "name"])?;
    let used = cl.volumes_in_use(node);
    let mut vols: Vec<&Volume> = cl
        .state()
        .all::<Volume>()
        .filter(|v| v.sim.node == node)
        .filter(|v| filter_match(&opts.filters, "name", |x| v.name.contains(x)))
        .filter(|v| filter_match(&opts.filters, "driver", |x| v.driver == x))
        .filter(|v| filter_match(&opts.filters, "label", |x| label_match(&v.labels, x)))
        .filter(|v| {
            filter_match(&opts.filters, "dangling", |x| {
                (x == "true" || x == "1") != used.contains_key(&v.name)
            })
        })
        .collect();
    vols.sort_by(|a, b| a.name.cmp(&b.name));
    let rows = vols.iter().map(|v| json!({"Driver": v.driver, "Name": v.name, "Mountpoint": v.mountpoint, "Scope": v.scope})).collect();
    Listing {
        headers: &["DRIVER", "VOLUME NAME"],
        keys: &["Driver", "Name"],
        rows,
        quiet_key: "Name",
    }
    .render(opts)
}

pub fn volume_json(v: &Volume) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// The node-local networks every engine has; IDs are stable per node.
pub const LOCAL_NETWORKS: &[(&str, &str)] = &[
    ("bridge", "bridge"),
    ("docker_gwbridge", "bridge"),
    ("host", "host"),
    ("none", "null"),
];

pub fn local_network_id(node: &str, name: &str) -> String {
    stable_hex64(&format!("net:{node}:{name}"))
}

/// Swarm networks a node sees: all on managers; on workers ingress and those its tasks use.
pub fn visible_networks<'a>(cl: &'a Cluster, node: &Node) -> Vec<&'a Network> {
    cl.state()
        .all::<Network>()
        .filter(|n| {
            node.is_manager()
                || n.ingress
                || cl.tasks_on_node(&node.id).iter().any(|t| {
                    t.status.state <= TaskState::Running
                        && t.networks_attachments.iter().any(|a| a.network.id == n.id)
                })
        })
        .collect()
}

pub fn network_ls(cl: &Cluster, node: &Node, opts: &ListOpts) -> Result<String, String> {
    check_filters(
        &opts.filters,
        &["driver", "id", "label", "name", "scope", "type"],
    )?;
    let mut rows: Vec<(String, Value)> = Vec::new();
    for (name, driver) in LOCAL_NETWORKS {
        let id = local_network_id(&node.id, name);
        rows.push((
            name.to_string(),
            json!({"ID": id, "Name": name, "Driver": driver, "Scope": "local", "Labels": ""}),
        ));
    }
    for n in visible_networks(cl, node) {
        rows.push((n.name.clone(), json!({"ID": n.id, "Name": n.name, "Driver": n.driver, "Scope": n.scope, "Labels": n.labels.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")})));
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let rows: Vec<Value> = rows
        .into_iter()
        .map(|(_, v)| v)
        .filter(|v| {
            let s = |k: &str| v[k].as_str().unwrap_or("").to_string();
            filter_match(&opts.filters, "name", |x| s("Name").contains(x))
                && filter_match(&opts.filters, "id", |x| s("ID").starts_with(x))
                && filter_match(&opts.filters, "driver", |x| s("Driver") == x)
                && filter_match(&opts.filters, "scope", |x| s("Scope") == x)
                && filter_match(&opts.filters, "type", |x| {
                    (x == "builtin") == (s("Scope") == "local" || s("Name") == "ingress")
                })
        })
        .map(|mut v| {
            if !opts.no_trunc {
                let id = trunc_id(v["ID"].as_str().unwrap_or("")).to_string();
                v["ID"] = Value::String(id);
            }
            v
        })
        .collect();
    Listing {
        headers: &["NETWORK ID", "NAME", "DRIVER", "SCOPE"],
        keys: &["ID", "Name", "Driver", "Scope"],
        rows,
        quiet_key: "ID",
    }
    .render(opts)
}

pub fn network_json(cl: &Cluster, n: &Network, node: &Node) -> Value {
    let mut containers = serde_json::Map::new();
    for c in cl
        .containers_on_node(&node.id)
        .into_iter()
        .filter(|c| c.is_running())
    {
        if let Some(ep) = c.network_settings.values().find(|e| e.network_id == n.id) {
            containers.insert(
                c.id.clone(),
                json!({"Name": c.short_name(), "EndpointID": ep.endpoint_id, "MacAddress": ep.mac_address, "IPv4Address": format!("{}/{}", ep.ip_address, ep.ip_prefix_len), "IPv6Address": ""}),
            );
        }
    }
    json!({
        "Name": n.name,
        "Id": n.id,
        "Created": n.created.rfc3339_nano(),
        "Scope": n.scope,
        "Driver": n.driver,
        "EnableIPv6": n.enable_ipv6,
        "IPAM": n.ipam,
        "Internal": n.internal,
        "Attachable": n.attachable,
        "Ingress": n.ingress,
        "ConfigFrom": {"Network": ""},
        "ConfigOnly": false,
        "Containers": containers,
        "Options": n.options,
        "Labels": n.labels,
    })
}

pub fn local_network_json(node: &Node, name: &str, driver: &str) -> Value {
    json!({
        "Name": name,
        "Id": local_network_id(&node.id, name),
        "Scope": "local",
        "Driver": driver,
        "EnableIPv6": false,
        "IPAM": {"Driver": "default", "Options": null, "Config": if driver == "bridge" { json!([{"Subnet": if name == "bridge" { "172.17.0.0/16" } else { "172.18.0.0/16" }, "Gateway": if name == "bridge" { "172.17.0.1" } else { "172.18.0.1" }}]) } else { json!([]) }},
        "Internal": false,
        "Attachable": false,
        "Ingress": false,
        "Containers": {},
        "Options": {},
        "Labels": {},
    })
}

// ---------------------------------------------------------------------------
// Stacks

pub fn stacks(cl: &Cluster) -> std::collections::BTreeMap<String, Vec<&Service>> {
    let mut m: std::collections::BTreeMap<String, Vec<&Service>> =
        std::collections::BTreeMap::new();
    for s in cl.state().all::<Service>() {
        if let Some(ns) = s.spec.stack_namespace() {
            m.entry(ns.to_string()).or_default().push(s);
        }
    }
    m
}

pub fn stack_ls(cl: &Cluster, opts: &ListOpts) -> Result<String, String> {
    let rows = stacks(cl).iter().map(|(name, svcs)| json!({"Name": name, "Services": svcs.len().to_string(), "Orchestrator": "Swarm"})).collect();
    Listing {
        headers: &["NAME", "SERVICES", "ORCHESTRATOR"],
        keys: &["Name", "Services", "Orchestrator"],
        rows,
        quiet_key: "Name",
    }
    .render(opts)
}

// ---------------------------------------------------------------------------
// info, version, images

pub fn info(cl: &Cluster, node: &Node) -> String {
    let cs = cl.containers_on_node(&node.id);
    let running = cs.iter().filter(|c| c.is_running()).count();
    let managers: Vec<&Node> = cl
        .state()
        .all::<Node>()
        .filter(|n| n.is_manager())
        .collect();
    let mut o = String::new();
    o.push_str(&format!(
        "Containers: {}\n Running: {running}\n Paused: 0\n Stopped: {}\n",
        cs.len(),
        cs.len() - running
    ));
    o.push_str(&format!("Images: {}\n", node.sim.images.len()));
    o.push_str(&format!(
        "Server Version: {}\n",
        node.description.engine.engine_version
    ));
    o.push_str("Storage Driver: overlay2\n Backing Filesystem: xfs\nLogging Driver: json-file\nCgroup Driver: cgroupfs\n");
    o.push_str("Plugins:\n Volume: local\n Network: bridge host macvlan null overlay\n Log: awslogs fluentd json-file journald syslog\n");
    o.push_str("Swarm: active\n");
    o.push_str(&format!(
        " NodeID: {}\n Is Manager: {}\n",
        node.id,
        node.is_manager()
    ));
    if node.is_manager() {
        let sw = &cl.state().meta.swarm;
        o.push_str(&format!(
            " ClusterID: {}\n Managers: {}\n Nodes: {}\n",
            sw.id,
            managers.len(),
            cl.state().count::<Node>()
        ));
        o.push_str(&format!(
            " Orchestration:\n  Task History Retention Limit: {}\n",
            sw.task_history_retention_limit
        ));
        o.push_str(" Raft:\n  Snapshot Interval: 10000\n  Number of Old Snapshots to Retain: 0\n  Heartbeat Tick: 1\n  Election Tick: 10\n");
        o.push_str(" Dispatcher:\n  Heartbeat Period: 5 seconds\n");
        o.push_str(" CA Configuration:\n  Expiry Duration: 3 months\n  Force Rotate: 0\n");
        o.push_str(&format!(" Autolock Managers: false\n Root Rotation In Progress: false\n Node Address: {}\n Manager Addresses:\n", node.ip()));
        for m in &managers {
            o.push_str(&format!("  {}:2377\n", m.ip()));
        }
    } else {
        o.push_str(&format!(
            " Node Address: {}\n Manager Addresses:\n",
            node.ip()
        ));
        for m in &managers {
            o.push_str(&format!("  {}:2377\n", m.ip()));
        }
    }
    o.push_str("Runtimes: runc\nDefault Runtime: runc\nInit Binary: docker-init\n");
    o.push_str("Kernel Version: 3.10.0-862.el7.x86_64\nOperating System: CentOS Linux 7 (Core)\nOSType: linux\n");
    o.push_str(&format!(
        "Architecture: {}\nCPUs: {}\nTotal Memory: {}\nName: {}\n",
        node.description.platform.architecture,
        node.description.resources.nano_cpus / 1_000_000_000,
        bytes_size(node.description.resources.memory_bytes),
        node.hostname()
    ));
    o.push_str(&format!("ID: {}\nDocker Root Dir: /var/lib/docker\nDebug Mode (client): false\nDebug Mode (server): false\nRegistry: https://index.docker.io/v1/\n", trunc_id(&stable_hex64(&node.id)).to_uppercase()));
    o.push_str("Live Restore Enabled: false\n\nopsconsole: this engine is simulated by the built-in cluster (`opsconsole ctl sim status`).\n");
    o
}

pub fn version(node: &Node) -> String {
    let v = &node.description.engine.engine_version;
    format!(
        "Client:\n Version:           {v}\n API version:       1.38\n Go version:        go1.10.3\n Git commit:        0ffa825\n Built:             Wed Jul 18 19:08:18 2018\n OS/Arch:           linux/amd64\n Experimental:      false\n\nServer:\n Engine:\n  Version:          {v}\n  API version:      1.38 (minimum version 1.12)\n  Go version:       go1.10.3\n  Git commit:       0ffa825\n  Built:            Wed Jul 18 19:10:42 2018\n  OS/Arch:          linux/amd64\n  Experimental:     false\n  opsconsole:       simulated engine ({})\n",
        env!("CARGO_PKG_VERSION")
    )
}

pub fn images_ls(cl: &Cluster, node: &Node, quiet: bool) -> String {
    let mut rows = Vec::new();
    for familiar in &node.sim.images {
        let Some((info, r)) = images::lookup(familiar) else {
            continue;
        };
        let id = images::image_id_of(familiar);
        let h = crate::base::rng::stable_hash(familiar);
        let created = SimTime::parse_rfc3339("2019-06-01T00:00:00Z")
            .map(|t| t + crate::base::time::SimDuration::from_hours((h % 9000) as i64))
            .unwrap_or_default();
        let size = (info.memory_mb.max(1) * 3 + (h % 60) as i64) * 1_000_000;
        if quiet {
            rows.push(vec![trunc_id(&id).to_string()]);
        } else {
            rows.push(vec![
                r.repo.clone(),
                r.tag.clone(),
                trunc_id(&id).to_string(),
                ago(created, cl.now()),
                crate::base::time::human_size(size),
            ]);
        }
    }
    if quiet {
        return rows.iter().map(|r| format!("{}\n", r[0])).collect();
    }
    table(&["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"], &rows)
}
