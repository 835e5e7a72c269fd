//! `docker node ...`.

use super::*;
use crate::Cluster;
use crate::Command;
use crate::exec::*;
use crate::lang::docker::*;
use crate::model::*;

pub(super) fn ls(cx: Cx, opts: ListOpts) -> i32 {
    let Cx { cl, env, io, .. } = cx;
    let me = try_or_fail!(io, manager(cl, env));
    io.out(&try_or_fail!(io, views::node_ls(cl, &me.id, &opts)));
    0
}

pub(super) fn inspect(cx: Cx, opts: InspectOpts) -> i32 {
    let Cx { cl, env, io, .. } = cx;
    node_inspect(cl, env, io, &opts)
}

pub(super) fn ps(cx: Cx, nodes: Vec<String>, list: ListOpts) -> i32 {
    let Cx { cl, env, io, .. } = cx;
    let me = try_or_fail!(io, manager(cl, env));
    let nodes = if nodes.is_empty() {
        vec!["self".to_string()]
    } else {
        nodes
    };
    let mut tasks = Vec::new();
    for n in &nodes {
        let node = if n == "self" {
            Some(&me)
        } else {
            cl.find_node(n)
        };
        let Some(node) = node else {
            return io.fail(&format!("Error: No such node: {n}"));
        };
        tasks.extend(cl.tasks_on_node(&node.id));
    }
    io.out(&try_or_fail!(io, views::tasks_listing(cl, tasks, &list)));
    0
}

pub(super) fn update(
    cx: Cx,
    node: String,
    availability: Option<Availability>,
    role: Option<NodeRole>,
    label_add: Vec<(String, String)>,
    label_rm: Vec<String>,
) -> i32 {
    let Cx { cl, env, io, .. } = cx;
    let _ = try_or_fail!(io, manager(cl, env));
    let Some(n) = cl.find_node(&node).cloned() else {
        return io.fail(&format!("Error: No such node: {node}"));
    };
    let mut spec = n.spec.clone();
    if let Some(a) = availability {
        spec.availability = a;
    }
    if let Some(r) = role {
        spec.role = r;
    }
    for k in &label_rm {
        if spec.labels.remove(k).is_none() {
            return io.fail(&format!("key {k} doesn't exist in node's labels"));
        }
    }
    for (k, v) in label_add {
        spec.labels.insert(k, v);
    }
    match cl.apply(Command::UpdateNode {
        node: n.id.clone(),
        spec,
    }) {
        Ok(_) => {
            io.outln(&node);
            0
        }
        Err(e) => io.daemon(&e),
    }
}

pub(super) fn promote(cx: Cx, names: Vec<String>) -> i32 {
    let Cx { cl, env, io, .. } = cx;
    promote_demote(cl, env, io, &names, NodeRole::Manager)
}

pub(super) fn demote(cx: Cx, names: Vec<String>) -> i32 {
    let Cx { cl, env, io, .. } = cx;
    promote_demote(cl, env, io, &names, NodeRole::Worker)
}

pub(super) fn rm(cx: Cx, nodes: Vec<String>, force: bool) -> i32 {
    let Cx { cl, env, io, .. } = cx;
    let _ = try_or_fail!(io, manager(cl, env));
    for_each_target(io, &nodes, |n| {
        let node = cl
            .find_node(n)
            .ok_or_else(|| format!("Error: No such node: {n}"))?
            .id
            .clone();
        cl.apply(Command::RemoveNode { node, force })
            .map(drop)
            .map_err(daemon_error)
    })
}

fn node_inspect(cl: &Cluster, env: &Env, io: &mut Io, opts: &InspectOpts) -> i32 {
    let me = try_or_fail!(io, manager(cl, env));
    let find = |n: &str| {
        if n == "self" {
            Some(me.clone())
        } else {
            cl.find_node(n).cloned()
        }
    };
    let found = match resolve_all(io, opts, find, views::node_json, "Error: No such node") {
        Ok(f) => f,
        Err(code) => return code,
    };
    if opts.pretty {
        for (i, n) in found.iter().enumerate() {
            if i > 0 {
                io.out("\n\n");
            }
            io.out(&views::node_pretty(n));
        }
        return 0;
    }
    print_inspect(io, found.iter().map(views::node_json).collect(), opts)
}

fn promote_demote(
    cl: &mut Cluster,
    env: &Env,
    io: &mut Io,
    names: &[String],
    role: NodeRole,
) -> i32 {
    let _ = try_or_fail!(io, manager(cl, env));
    let mut code = 0;
    for name in names {
        let Some(n) = cl.find_node(name).cloned() else {
            code = io.fail(&format!("Error: No such node: {name}"));
            continue;
        };
        if n.spec.role == role {
            io.outln(&match role {
                NodeRole::Manager => format!("Node {name} is already a manager."),
                NodeRole::Worker => format!("Node {name} is already a worker."),
            });
            continue;
        }
        let mut spec = n.spec.clone();
        spec.role = role;
        match cl.apply(Command::UpdateNode {
            node: n.id.clone(),
            spec,
        }) {
            Ok(_) => io.outln(&match role {
                NodeRole::Manager => format!("Node {name} promoted to a manager in the swarm."),
                NodeRole::Worker => format!("Manager {name} demoted in the swarm."),
            }),
            Err(e) => code = io.daemon(&e),
        }
    }
    code
}
