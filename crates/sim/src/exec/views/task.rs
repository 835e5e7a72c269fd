//! Tasks: `service ps`, `node ps`, `stack ps`.

use super::*;
use crate::Cluster;
use crate::infra::images;
use crate::lang::docker::ListOpts;
use crate::swarm::tasks::task_name;
use serde_json::{Value, json};

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
                "CurrentState": state_ago(t.status.state.as_str(), t.status.timestamp, now),
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
