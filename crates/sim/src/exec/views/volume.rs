//! Volumes and networks: `volume ls`, `network ls`, their inspections.

use super::*;
use crate::Cluster;
use crate::base::rng::stable_hex64;
use crate::lang::docker::ListOpts;
use serde_json::{Value, json};

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
