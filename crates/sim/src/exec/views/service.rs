//! Services: `service ls`, `service inspect` and the REPLICAS column.

use super::*;
use crate::Cluster;
use crate::base::time::{bytes_size, format_go_duration, human_duration};
use crate::infra::images;
use crate::lang::docker::ListOpts;
use serde_json::{Value, json};

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
