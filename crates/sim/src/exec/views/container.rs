//! Containers: `ps`, `inspect`.

use super::*;
use crate::Cluster;
use crate::base::time::{SimTime, human_duration};
use crate::infra::images;
use crate::lang::docker::ListOpts;
use serde_json::{Value, json};

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
