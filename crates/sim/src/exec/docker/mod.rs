//! `docker ...` against the built-in cluster: [`run`] hands each command to its group's
//! file, which does what the engine would and prints what the docker CLI prints.

mod container;
mod network;
mod node;
mod service;
mod stack;
mod swarm;
mod volume;

use super::format::{self, inspect_json};
use super::*;
use crate::Cluster;
use crate::base::time::SimTime;
use crate::infra::images;
use crate::lang::docker::{DockerCmd, InspectOpts};
use crate::{ApiError, Outcome};
use serde_json::Value;

/// What a docker command runs with.
pub(super) struct Cx<'a, 'e, 'o> {
    pub cl: &'a mut Cluster,
    pub env: &'a mut Env<'e>,
    pub io: &'a mut Io<'o>,
    /// Set when docker would wait for the command (its progress, a stop, followed logs).
    pub pending: &'a mut Option<Pending>,
}

pub(super) fn run(
    cl: &mut Cluster,
    d: DockerCmd,
    env: &mut Env,
    io: &mut Io,
    pending: &mut Option<Pending>,
) -> i32 {
    use DockerCmd::*;
    let question = d.confirmation();
    let cx = Cx {
        cl,
        env,
        io,
        pending,
    };
    match d {
        SwarmInit | SwarmJoin => swarm::init_or_join(cx),
        SwarmJoinToken {
            manager: mgr,
            quiet,
            rotate,
        } => swarm::join_token(cx, mgr, quiet, rotate),
        SwarmLeave { force } => swarm::leave(cx, force),
        SwarmUpdate { task_history_limit } => swarm::update(cx, task_history_limit),
        Info => swarm::info(cx),
        Version => swarm::version(cx),
        Images { quiet } => swarm::images(cx, quiet),
        NodeLs(opts) => node::ls(cx, opts),
        NodeInspect(opts) => node::inspect(cx, opts),
        NodePs { nodes, list } => node::ps(cx, nodes, list),
        NodeUpdate {
            node,
            availability,
            role,
            label_add,
            label_rm,
        } => node::update(cx, node, availability, role, label_add, label_rm),
        NodePromote(names) => node::promote(cx, names),
        NodeDemote(names) => node::demote(cx, names),
        NodeRm { nodes, force } => node::rm(cx, nodes, force),
        ServiceCreate(c) => service::create(cx, c),
        ServiceUpdate(u) => service::update(cx, u),
        ServiceLs(opts) => service::ls(cx, opts),
        ServicePs { services, list } => service::ps(cx, services, list),
        ServiceInspect(opts) => service::inspect(cx, opts),
        ServiceScale { pairs, detach } => service::scale(cx, pairs, detach),
        ServiceRollback {
            service,
            detach,
            quiet,
        } => service::rollback(cx, service, detach, quiet),
        ServiceRm(names) => service::rm(cx, names),
        ServiceLogs(opts) => service::logs(cx, opts),
        VolumeCreate {
            name,
            driver,
            labels,
            opts,
        } => volume::create(cx, name, driver, labels, opts),
        VolumeLs(opts) => volume::ls(cx, opts),
        VolumeInspect(opts) => volume::inspect(cx, opts),
        VolumeRm { names, force } => volume::rm(cx, names, force),
        VolumePrune { all, .. } => volume::prune(cx, all, question),
        NetworkCreate(req) => network::create(cx, req),
        NetworkLs(opts) => network::ls(cx, opts),
        NetworkInspect(opts) => network::inspect(cx, opts),
        NetworkRm(names) => network::rm(cx, names),
        StackDeploy { files, name, prune } => stack::deploy(cx, files, name, prune),
        StackLs(opts) => stack::ls(cx, opts),
        StackServices { name, list } => stack::services(cx, name, list),
        StackPs { name, list } => stack::ps(cx, name, list),
        StackRm(names) => stack::rm(cx, names),
        ContainerLs { all, last, list } => container::ls(cx, all, last, list),
        ContainerStop { names, time } => container::stop(cx, names, time),
        ContainerStart(_) | ContainerRestart { .. } => container::start_or_restart(cx),
        ContainerKill { names, signal } => container::kill(cx, names, signal),
        ContainerRm {
            names,
            force,
            volumes,
        } => container::rm(cx, names, force, volumes),
        ContainerLogs(opts) => container::logs(cx, opts),
        ContainerInspect(opts) => container::inspect(cx, opts),
        ContainerPrune { .. } => container::prune(cx, question),
        Inspect(opts) => container::inspect_any(cx, opts),
    }
}

/// `docker ... prune` output.
fn print_pruned(io: &mut Io, what: &str, r: Result<Outcome, ApiError>) -> i32 {
    match r {
        Ok(Outcome::Ids(ids)) => {
            if !ids.is_empty() {
                io.outln(&format!("Deleted {what}:"));
                for id in &ids {
                    io.outln(id);
                }
                io.outln("");
            }
            io.outln("Total reclaimed space: 0B");
            0
        }
        Ok(_) => 0,
        Err(e) => io.daemon(&e),
    }
}

pub(super) fn daemon_error(e: ApiError) -> String {
    format!("Error response from daemon: {e}")
}

/// Runs `f` for each target, printing the target when it succeeds and the error when it does
/// not; like docker, it goes on with the rest and fails if any failed.
fn for_each_target(
    io: &mut Io,
    names: &[String],
    mut f: impl FnMut(&str) -> Result<(), String>,
) -> i32 {
    let mut code = 0;
    for name in names {
        match f(name) {
            Ok(()) => io.outln(name),
            Err(e) => code = io.fail(&e),
        }
    }
    code
}

fn confirm(env: &mut Env, prompt: &str) -> bool {
    match env.confirm.as_mut() {
        Some(f) => f(prompt),
        None => false,
    }
}

/// The docker CLI's warning when no registry can pin an image to a digest.
fn warn_unpinned(io: &mut Io, image: &str) {
    if images::lookup(image).is_none() {
        let shown = images::ImageRef::parse(image)
            .map(|r| r.familiar())
            .unwrap_or_else(|| image.to_string());
        io.errln(&format!(
            "image {shown} could not be accessed on a registry to record\nits digest. Each node will access {shown} independently,\npossibly leading to different nodes running different\nversions of the image.\n"
        ));
    }
}

/// Resolves every name of an inspect command. At the first unknown one it prints what was
/// found so far (as docker prints `[]` for none, unless a format or `--pretty` is in use) and
/// fails with `missing: NAME`.
fn resolve_all<T>(
    io: &mut Io,
    opts: &InspectOpts,
    find: impl Fn(&str) -> Option<T>,
    json: impl Fn(&T) -> Value,
    missing: &str,
) -> Result<Vec<T>, i32> {
    let mut found = Vec::new();
    for name in &opts.names {
        match find(name) {
            Some(x) => found.push(x),
            None => {
                if !opts.pretty && opts.format.is_none() {
                    io.out(&inspect_json(&found.iter().map(&json).collect::<Vec<_>>()));
                }
                return Err(io.fail(&format!("{missing}: {name}")));
            }
        }
    }
    Ok(found)
}

fn print_inspect(io: &mut Io, values: Vec<Value>, opts: &InspectOpts) -> i32 {
    match &opts.format {
        Some(f) => {
            for v in &values {
                match format::render_template(f, &format::strip_sim(v)) {
                    Ok(s) => io.outln(&s),
                    Err(e) => return io.fail(&e),
                }
            }
            0
        }
        None => {
            io.out(&inspect_json(&values));
            0
        }
    }
}

/// `--since`: an RFC 3339 time, a Unix timestamp, or a duration before now ("10m").
fn parse_since(s: &Option<String>, now: SimTime) -> Result<Option<SimTime>, String> {
    let Some(s) = s else { return Ok(None) };
    if let Ok(t) = SimTime::parse_rfc3339(s) {
        return Ok(Some(t));
    }
    if let Ok(d) = crate::base::time::parse_go_duration(s) {
        return Ok(Some(now - d));
    }
    if let Ok(secs) = s.parse::<f64>() {
        return Ok(Some(SimTime((secs * 1e9) as i64)));
    }
    Err(format!(
        "invalid value for \"since\": failed to parse value as time or duration: {s:?}"
    ))
}

/// The built-in cluster's registry, as the CLI asks it: the images it knows are pinned to
/// their digests, others are sent as typed (and fail on the nodes: no such image).
pub(super) fn registry(image: &str) -> String {
    images::pin(image).unwrap_or_else(|| image.to_string())
}
