//! `docker volume ...`.

use super::*;
use crate::exec::*;
use crate::lang::docker::*;
use crate::model::*;
use crate::{Command, Outcome};
use serde_json::Value;

pub(super) fn create(
    cx: Cx,
    name: Option<String>,
    driver: String,
    labels: Labels,
    opts: Labels,
) -> i32 {
    let Cx { cl, env, io, .. } = cx;
    let n = try_or_fail!(io, on_node(cl, env));
    match cl.apply(Command::CreateVolume {
        node: n.id.clone(),
        name,
        driver,
        labels,
        options: opts,
    }) {
        Ok(Outcome::Id(name)) => {
            io.outln(&name);
            0
        }
        Ok(_) => 1,
        Err(e) => io.daemon(&e),
    }
}

pub(super) fn ls(cx: Cx, opts: ListOpts) -> i32 {
    let Cx { cl, env, io, .. } = cx;
    let n = try_or_fail!(io, on_node(cl, env));
    io.out(&try_or_fail!(io, views::volume_ls(cl, &n.id, &opts)));
    0
}

pub(super) fn inspect(cx: Cx, opts: InspectOpts) -> i32 {
    let Cx { cl, env, io, .. } = cx;
    let n = try_or_fail!(io, on_node(cl, env));
    let find = |name: &str| {
        cl.state()
            .get::<Volume>(&Volume::key_of(&n.id, name))
            .map(views::volume_json)
    };
    match resolve_all(io, &opts, find, Value::clone, "Error: No such volume") {
        Ok(found) => print_inspect(io, found, &opts),
        Err(code) => code,
    }
}

pub(super) fn rm(cx: Cx, names: Vec<String>, force: bool) -> i32 {
    let Cx { cl, env, io, .. } = cx;
    let n = try_or_fail!(io, on_node(cl, env));
    for_each_target(io, &names, |name| {
        let r = cl.apply(Command::RemoveVolume {
            node: n.id.clone(),
            name: name.to_string(),
            force,
        });
        r.map(drop).map_err(daemon_error)
    })
}

pub(super) fn prune(cx: Cx, all: bool, question: Option<String>) -> i32 {
    let Cx { cl, env, io, .. } = cx;
    let n = try_or_fail!(io, on_node(cl, env));
    if let Some(prompt) = &question
        && !confirm(env, prompt)
    {
        return 0;
    }
    let r = cl.apply(Command::PruneVolumes {
        node: n.id.clone(),
        all,
    });
    print_pruned(io, "Volumes", r)
}
