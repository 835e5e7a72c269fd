//! `docker container ...` and `docker inspect`.

use super::*;
use crate::Cluster;
use crate::Command;
use crate::base::time::SimDuration;
use crate::exec::pending::LogSource;
use crate::exec::*;
use crate::lang::docker::*;
use crate::model::*;
use serde_json::Value;

pub(super) fn ls(cx: Cx, all: bool, last: Option<usize>, list: ListOpts) -> i32 {
    let Cx { cl, env, io, .. } = cx;
    let n = try_or_fail!(io, on_node(cl, env));
    io.out(&try_or_fail!(
        io,
        views::container_ls(cl, &n.id, all, last, &list)
    ));
    0
}

pub(super) fn stop(cx: Cx, names: Vec<String>, time: Option<i64>) -> i32 {
    let Cx {
        cl,
        env,
        io,
        pending,
    } = cx;
    let n = try_or_fail!(io, on_node(cl, env));
    let mut code = 0;
    let mut targets = Vec::new();
    for name in names {
        let Some(c) = cl.find_container(&n.id, &name).cloned() else {
            code = io.fail(&format!(
                "Error response from daemon: No such container: {name}"
            ));
            continue;
        };
        let timeout = time.map(crate::lang::docker::secs);
        if let Err(e) = cl.apply(Command::StopContainer {
            container: c.id.clone(),
            timeout,
        }) {
            code = io.daemon(&e);
            continue;
        }
        // `docker stop` returns once the container has exited.
        let limit = timeout.unwrap_or(SimDuration::from_secs(10)) + SimDuration::from_secs(1);
        targets.push((c.id.clone(), name.clone(), cl.now() + limit));
    }
    *pending = Some(Pending::stop(targets, code));
    code
}

pub(super) fn start_or_restart(cx: Cx) -> i32 {
    let Cx { io, .. } = cx;
    io.fail(
        "Error response from daemon: the built-in cluster runs only swarm task containers, \
             and swarm starts and restarts those itself (stop one with `docker stop`, and its \
             restart policy decides)",
    )
}

pub(super) fn kill(cx: Cx, names: Vec<String>, signal: String) -> i32 {
    let Cx { cl, env, io, .. } = cx;
    let n = try_or_fail!(io, on_node(cl, env));
    for_each_target(io, &names, |name| {
        let container = cl
            .find_container(&n.id, name)
            .ok_or_else(|| format!("Error response from daemon: Cannot kill container: {name}: No such container: {name}"))?
            .id
            .clone();
        cl.apply(Command::KillContainer {
            container,
            signal: signal.clone(),
        })
        .map(drop)
        .map_err(daemon_error)
    })
}

pub(super) fn rm(cx: Cx, names: Vec<String>, force: bool, volumes: bool) -> i32 {
    let Cx { cl, env, io, .. } = cx;
    let n = try_or_fail!(io, on_node(cl, env));
    for_each_target(io, &names, |name| {
        let container = cl
            .find_container(&n.id, name)
            .ok_or_else(|| format!("Error response from daemon: No such container: {name}"))?
            .id
            .clone();
        cl.apply(Command::RemoveContainer {
            container,
            force,
            volumes,
        })
        .map(drop)
        .map_err(daemon_error)
    })
}

pub(super) fn logs(cx: Cx, opts: LogsOpts) -> i32 {
    let Cx {
        cl,
        env,
        io,
        pending,
    } = cx;
    let n = try_or_fail!(io, on_node(cl, env));
    let Some(c) = cl.find_container(&n.id, &opts.target).cloned() else {
        return io.fail(&format!(
            "Error response from daemon: No such container: {}",
            opts.target
        ));
    };
    let since = try_or_fail!(io, parse_since(&opts.since, cl.now()));
    *pending = Some(Pending::follow(
        LogSource::Container(c.id.clone()),
        opts,
        since,
    ));
    0
}

pub(super) fn inspect(cx: Cx, opts: InspectOpts) -> i32 {
    let Cx { cl, env, io, .. } = cx;
    let n = try_or_fail!(io, on_node(cl, env));
    let find = |name: &str| cl.find_container(&n.id, name).map(views::container_json);
    match resolve_all(io, &opts, find, Value::clone, "Error: No such container") {
        Ok(found) => print_inspect(io, found, &opts),
        Err(code) => code,
    }
}

pub(super) fn prune(cx: Cx, question: Option<String>) -> i32 {
    let Cx { cl, env, io, .. } = cx;
    let n = try_or_fail!(io, on_node(cl, env));
    if let Some(prompt) = &question
        && !confirm(env, prompt)
    {
        return 0;
    }
    let r = cl.apply(Command::PruneContainers { node: n.id.clone() });
    print_pruned(io, "Containers", r)
}

pub(super) fn inspect_any(cx: Cx, opts: InspectOpts) -> i32 {
    let Cx { cl, env, io, .. } = cx;
    generic_inspect(cl, env, io, &opts)
}

fn generic_inspect(cl: &Cluster, env: &Env, io: &mut Io, opts: &InspectOpts) -> i32 {
    let n = try_or_fail!(io, on_node(cl, env));
    let find = |name: &str| {
        if let Some(c) = cl.find_container(&n.id, name) {
            Some(views::container_json(c))
        } else if n.is_manager()
            && let Some(node) = cl.find_node(name)
        {
            Some(views::node_json(node))
        } else if n.is_manager()
            && let Some(s) = cl.find_service(name)
        {
            Some(views::service_json(s))
        } else if n.is_manager()
            && let Some(t) = cl.find_task(name)
        {
            Some(serde_json::to_value(t).unwrap_or(Value::Null))
        } else if let Some(net) = cl.find_network(name) {
            Some(views::network_json(cl, net, &n))
        } else {
            cl.state()
                .get::<Volume>(&Volume::key_of(&n.id, name))
                .map(views::volume_json)
        }
    };
    match resolve_all(io, opts, find, Value::clone, "Error: No such object") {
        Ok(found) => print_inspect(io, found, opts),
        Err(code) => code,
    }
}
