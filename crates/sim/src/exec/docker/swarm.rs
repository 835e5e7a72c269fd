//! `docker swarm ...`, `info`, `version`, `images`.

use super::*;
use crate::Command;
use crate::exec::*;
use crate::model::*;

pub(super) fn init_or_join(cx: Cx) -> i32 {
    let Cx { cl, env, io, .. } = cx;
    try_or_fail!(io, on_node(cl, env));
    io.fail(ALREADY_IN_SWARM)
}

pub(super) fn join_token(cx: Cx, mgr: bool, quiet: bool, rotate: bool) -> i32 {
    let Cx { cl, env, io, .. } = cx;
    let _ = try_or_fail!(io, manager(cl, env));
    if rotate {
        let r = cl.apply(Command::RotateJoinToken { manager: mgr });
        if let Err(e) = r {
            return io.daemon(&e);
        }
    }
    let sw = &cl.state().meta.swarm;
    let token = if mgr {
        sw.join_tokens.manager.clone()
    } else {
        sw.join_tokens.worker.clone()
    };
    if quiet {
        io.outln(&token);
        return 0;
    }
    let role = if mgr { "manager" } else { "worker" };
    if rotate {
        io.outln(&format!("Successfully rotated {role} join token.\n"));
    }
    let addr = cl
        .leader()
        .map(|l| format!("{}:2377", l.ip()))
        .unwrap_or_default();
    io.out(&format!("To add a {role} to this swarm, run the following command:\n\n    docker swarm join --token {token} {addr}\n\n"));
    0
}

pub(super) fn leave(cx: Cx, force: bool) -> i32 {
    let Cx { cl, env, io, .. } = cx;
    let n = try_or_fail!(io, on_node(cl, env));
    if n.is_manager() {
        let managers = cl.state().all::<Node>().filter(|x| x.is_manager()).count();
        if !force || managers == 1 {
            return io.fail("Error response from daemon: You are attempting to leave the swarm on a node that is participating as a manager. Removing the last manager erases all current state of the swarm. Use `--force` to ignore this message.");
        }
        return io.fail("Error response from daemon: opsconsole: demote the node (`docker node demote`) before it leaves the swarm");
    }
    match cl.apply(Command::NodeDown { node: n.id.clone() }) {
        Ok(_) => {
            io.outln("Node left the swarm.");
            0
        }
        Err(e) => io.daemon(&e),
    }
}

pub(super) fn update(cx: Cx, task_history_limit: Option<i64>) -> i32 {
    let Cx { cl, env, io, .. } = cx;
    let _ = try_or_fail!(io, manager(cl, env));
    if let Some(l) = task_history_limit
        && let Err(e) = cl.apply(Command::UpdateSwarm {
            task_history_limit: l,
        })
    {
        return io.daemon(&e);
    }
    io.outln("Swarm updated.");
    0
}

pub(super) fn info(cx: Cx) -> i32 {
    let Cx { cl, env, io, .. } = cx;
    let n = try_or_fail!(io, on_node(cl, env));
    io.out(&views::info(cl, &n));
    0
}

pub(super) fn version(cx: Cx) -> i32 {
    let Cx { cl, env, io, .. } = cx;
    let n = try_or_fail!(io, on_node(cl, env));
    io.out(&views::version(&n));
    0
}

pub(super) fn images(cx: Cx, quiet: bool) -> i32 {
    let Cx { cl, env, io, .. } = cx;
    let n = try_or_fail!(io, on_node(cl, env));
    io.out(&views::images_ls(cl, &n, quiet));
    0
}
