//! `docker network ...`.

use super::*;
use crate::NetworkCreate;
use crate::exec::*;
use crate::lang::docker::*;
use crate::{Command, Outcome};
use serde_json::Value;

pub(super) fn create(cx: Cx, req: NetworkCreate) -> i32 {
    let Cx { cl, env, io, .. } = cx;
    let _ = try_or_fail!(io, manager(cl, env));
    match cl.apply(Command::CreateNetwork(req)) {
        Ok(Outcome::Id(id)) => {
            io.outln(&id);
            0
        }
        Ok(_) => 1,
        Err(e) => io.daemon(&e),
    }
}

pub(super) fn ls(cx: Cx, opts: ListOpts) -> i32 {
    let Cx { cl, env, io, .. } = cx;
    let n = try_or_fail!(io, on_node(cl, env));
    io.out(&try_or_fail!(io, views::network_ls(cl, &n, &opts)));
    0
}

pub(super) fn inspect(cx: Cx, opts: InspectOpts) -> i32 {
    let Cx { cl, env, io, .. } = cx;
    let n = try_or_fail!(io, on_node(cl, env));
    let find = |name: &str| {
        let local = views::LOCAL_NETWORKS.iter().find(|(l, _)| {
            *l == name || views::local_network_id(&n.id, l).starts_with(name) && name.len() >= 4
        });
        if let Some((lname, driver)) = local {
            return Some(views::local_network_json(&n, lname, driver));
        }
        cl.find_network(name)
            .filter(|net| {
                views::visible_networks(cl, &n)
                    .iter()
                    .any(|v| v.id == net.id)
            })
            .map(|net| views::network_json(cl, net, &n))
    };
    match resolve_all(io, &opts, find, Value::clone, "Error: No such network") {
        Ok(found) => print_inspect(io, found, &opts),
        Err(code) => code,
    }
}

pub(super) fn rm(cx: Cx, names: Vec<String>) -> i32 {
    let Cx { cl, env, io, .. } = cx;
    let _ = try_or_fail!(io, manager(cl, env));
    for_each_target(io, &names, |n| {
        cl.apply(Command::RemoveNetwork {
            network: n.to_string(),
        })
        .map(drop)
        .map_err(daemon_error)
    })
}
