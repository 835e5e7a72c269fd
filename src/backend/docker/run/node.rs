//! `docker node ...` on a real engine.

use super::*;
use opsconsole_sim::engine::{Availability, NodeRole};

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

pub(super) async fn update(
    c: &bollard::Docker,
    out: &mut Out,
    node: String,
    avail: Option<Availability>,
    role: Option<NodeRole>,
    label_add: Vec<(String, String)>,
    label_rm: Vec<String>,
) -> R<()> {
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
    Ok(())
}

pub(super) async fn promote(c: &bollard::Docker, out: &mut Out, nodes: Vec<String>) -> R<()> {
    for n in nodes {
        let r = node_update(c, &n, |s| s["Role"] = json!("manager")).await;
        out.result(r.map(|_| format!("Node {n} promoted to a manager in the swarm.")));
    }
    Ok(())
}

pub(super) async fn demote(c: &bollard::Docker, out: &mut Out, nodes: Vec<String>) -> R<()> {
    for n in nodes {
        let r = node_update(c, &n, |s| s["Role"] = json!("worker")).await;
        out.result(r.map(|_| format!("Manager {n} demoted in the swarm.")));
    }
    Ok(())
}

pub(super) async fn rm(
    c: &bollard::Docker,
    out: &mut Out,
    nodes: Vec<String>,
    force: bool,
) -> R<()> {
    each(out, c, &nodes, |c, n| async move {
        c.delete_node(&n, Some(DeleteNodeOptions { force })).await
    })
    .await;
    Ok(())
}
