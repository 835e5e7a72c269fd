//! Nodes: `node ls`, `node inspect`.

use super::*;
use crate::Cluster;
use crate::base::time::{SimTime, bytes_size};
use crate::lang::docker::ListOpts;
use serde_json::{Value, json};

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
