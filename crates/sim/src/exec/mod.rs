//! Runs parsed commands against the built-in cluster and prints what docker prints, with
//! docker's exit statuses. Commands docker waits on let simulated time pass through a
//! [`Waiter`], so the same code serves `opsconsole ctl` (time fast-forwards) and a live
//! console (time runs on its own).

pub mod format;
pub mod pending;
pub mod progress;
pub mod views;

use crate::base::time::{SimDuration, SimTime, format_go_duration};
use crate::compose;
use crate::infra::images;
use crate::lang::docker::{DockerCmd, InspectOpts, LogsOpts};
use crate::lang::service::{create_spec, update_spec};
use crate::lang::{Cmd, SimCmd};
use crate::model::*;
use crate::{ApiError, Cluster, Command, NO_LEADER, Outcome};
use format::inspect_json;
use pending::LogSource;
pub use pending::Pending;
use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;

/// How a waiting command lets simulated time pass.
pub trait Waiter {
    /// Lets `d` pass. `live` asks for real time (following logs); otherwise the waiter may
    /// fast-forward. Returns false when the user interrupted the wait.
    fn wait(&mut self, cl: &mut Cluster, d: SimDuration, live: bool) -> bool;
}

/// Fast-forwards simulated time: what `opsconsole ctl` does when no console runs.
pub struct FastForward;

impl Waiter for FastForward {
    fn wait(&mut self, cl: &mut Cluster, d: SimDuration, _live: bool) -> bool {
        cl.advance(d);
        true
    }
}

/// Where and how a command runs.
pub struct Env<'a> {
    /// The node the CLI talks to (hostname or ID); `None` means the leader.
    pub on: Option<String>,
    /// Directory relative paths (compose files) resolve against.
    pub cwd: PathBuf,
    pub getenv: &'a dyn Fn(&str) -> Option<String>,
    /// Asks the user to confirm (prune prompts); `None` means not interactive: refuse.
    pub confirm: Option<&'a mut dyn FnMut(&str) -> bool>,
    /// Give up waiting for convergence after this much simulated time.
    pub wait_limit: SimDuration,
}

/// Output sinks.
pub struct Io<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
}

impl Io<'_> {
    pub(crate) fn out(&mut self, s: &str) {
        let _ = self.out.write_all(s.as_bytes());
    }
    pub(crate) fn outln(&mut self, s: &str) {
        let _ = writeln!(self.out, "{s}");
    }
    pub(crate) fn errln(&mut self, s: &str) {
        let _ = writeln!(self.err, "{s}");
    }
    /// Prints an error and returns docker's failure status.
    fn fail(&mut self, s: &str) -> i32 {
        self.errln(s);
        1
    }
    fn daemon(&mut self, e: &ApiError) -> i32 {
        self.fail(&daemon_error(e.clone()))
    }
}

const NOT_MANAGER: &str = "Error response from daemon: This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager.";
const NO_DAEMON: &str = "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?";
const ALREADY_IN_SWARM: &str = "Error response from daemon: This node is already part of a swarm. Use \"docker swarm leave\" to leave this swarm and join another one.";

/// The node the CLI is connected to.
fn on_node(cl: &Cluster, env: &Env) -> Result<Node, String> {
    let node = match &env.on {
        Some(n) => cl.find_node(n).cloned().ok_or_else(|| {
            format!("opsconsole: no node named {n} in this cluster (see `docker node ls`)")
        })?,
        None => match cl.leader() {
            Some(l) => l.clone(),
            None => {
                let mut managers: Vec<&Node> = cl
                    .state()
                    .all::<Node>()
                    .filter(|n| n.is_manager())
                    .collect();
                managers.sort_by(|a, b| format::natural_cmp(a.hostname(), b.hostname()));
                managers
                    .first()
                    .map(|n| (*n).clone())
                    .ok_or("opsconsole: the cluster has no manager node")?
            }
        },
    };
    if !node.sim.engine_up {
        return Err(NO_DAEMON.into());
    }
    Ok(node)
}

/// The node the CLI is on, which must be a manager of a swarm with a leader.
fn manager(cl: &Cluster, env: &Env) -> Result<Node, String> {
    let n = on_node(cl, env)?;
    if !n.is_manager() {
        return Err(NOT_MANAGER.into());
    }
    if cl.leader().is_none() {
        return Err(format!("Error response from daemon: {NO_LEADER}"));
    }
    Ok(n)
}

macro_rules! try_or_fail {
    ($io:expr, $e:expr) => {
        match $e {
            Ok(v) => v,
            Err(msg) => return $io.fail(&msg),
        }
    };
}

/// A command's state after it starts.
pub enum Run {
    Done(i32),
    /// Still running: poll it as simulated time passes.
    Waiting(Pending),
}

/// Starts one command: everything it changes is applied now; if docker would wait, the wait
/// is returned to be driven by the caller.
pub fn start(cl: &mut Cluster, cmd: Cmd, env: &mut Env, io: &mut Io) -> Run {
    let mut pending = None;
    let code = match cmd {
        Cmd::Help(text) => {
            io.out(&text);
            0
        }
        Cmd::Sim(s) => sim(cl, s, env, io, &mut pending),
        Cmd::Docker(d) => docker(cl, d, env, io, &mut pending),
    };
    match pending {
        Some(p) => Run::Waiting(p),
        None => Run::Done(code),
    }
}

/// Runs one command to the end, letting `waiter` pass time while it waits.
pub fn run(cl: &mut Cluster, cmd: Cmd, env: &mut Env, io: &mut Io, waiter: &mut dyn Waiter) -> i32 {
    match start(cl, cmd, env, io) {
        Run::Done(code) => code,
        Run::Waiting(mut p) => loop {
            if let Some(code) = p.poll(cl, io) {
                return code;
            }
            if !waiter.wait(cl, p.step(cl.now()), p.live()) {
                return p.interrupt(io);
            }
        },
    }
}

fn docker(
    cl: &mut Cluster,
    d: DockerCmd,
    env: &mut Env,
    io: &mut Io,
    pending: &mut Option<Pending>,
) -> i32 {
    use DockerCmd::*;
    let question = d.confirmation();
    match d {
        SwarmInit | SwarmJoin => {
            try_or_fail!(io, on_node(cl, env));
            io.fail(ALREADY_IN_SWARM)
        }
        SwarmJoinToken {
            manager: mgr,
            quiet,
            rotate,
        } => {
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
        SwarmLeave { force } => {
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
        SwarmUpdate { task_history_limit } => {
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
        Info => {
            let n = try_or_fail!(io, on_node(cl, env));
            io.out(&views::info(cl, &n));
            0
        }
        Version => {
            let n = try_or_fail!(io, on_node(cl, env));
            io.out(&views::version(&n));
            0
        }
        Images { quiet } => {
            let n = try_or_fail!(io, on_node(cl, env));
            io.out(&views::images_ls(cl, &n, quiet));
            0
        }
        NodeLs(opts) => {
            let me = try_or_fail!(io, manager(cl, env));
            io.out(&try_or_fail!(io, views::node_ls(cl, &me.id, &opts)));
            0
        }
        NodeInspect(opts) => node_inspect(cl, env, io, &opts),
        NodePs { nodes, list } => {
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
        NodeUpdate {
            node,
            availability,
            role,
            label_add,
            label_rm,
        } => {
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
        NodePromote(names) => promote_demote(cl, env, io, &names, NodeRole::Manager),
        NodeDemote(names) => promote_demote(cl, env, io, &names, NodeRole::Worker),
        NodeRm { nodes, force } => {
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
        ServiceCreate(c) => {
            let _ = try_or_fail!(io, manager(cl, env));
            let name = c
                .flags
                .name
                .clone()
                .unwrap_or_else(|| cl.state_mut().meta.rng.container_name());
            let spec = match create_spec(&c.flags, name) {
                Ok(s) => s,
                Err(e) => return io.fail(&e),
            };
            warn_unpinned(io, &spec.task_template.container_spec.image);
            let id = match cl.apply(Command::CreateService { spec }) {
                Ok(Outcome::Id(id)) => id,
                Ok(_) => return 1,
                Err(e) => return io.daemon(&e),
            };
            io.outln(&id);
            if !(c.detach || c.quiet) {
                *pending = Some(Pending::progress(
                    vec![(id, false)],
                    Vec::new(),
                    env.wait_limit,
                ));
            }
            0
        }
        ServiceUpdate(u) => {
            let _ = try_or_fail!(io, manager(cl, env));
            let Some(svc) = cl.find_service(&u.service).cloned() else {
                return io.fail(&format!("Error: No such service: {}", u.service));
            };
            let r = if u.rollback {
                cl.apply(Command::RollbackService {
                    service: svc.id.clone(),
                })
            } else {
                let spec = match update_spec(&svc.spec, &u.flags) {
                    Ok(s) => s,
                    Err(e) => return io.fail(&e),
                };
                if u.flags.image.is_some() {
                    warn_unpinned(io, &spec.task_template.container_spec.image);
                }
                cl.apply(Command::UpdateService {
                    service: svc.id.clone(),
                    spec,
                })
            };
            if let Err(e) = r {
                return io.daemon(&e);
            }
            io.outln(&u.service);
            if !(u.detach || u.quiet) {
                *pending = Some(Pending::progress(
                    vec![(svc.id.clone(), u.rollback)],
                    Vec::new(),
                    env.wait_limit,
                ));
            }
            0
        }
        ServiceLs(opts) => {
            let _ = try_or_fail!(io, manager(cl, env));
            io.out(&try_or_fail!(io, views::service_ls(cl, &opts)));
            0
        }
        ServicePs { services, list } => {
            let _ = try_or_fail!(io, manager(cl, env));
            let mut tasks = Vec::new();
            for s in &services {
                let Some(svc) = cl.find_service(s) else {
                    return io.fail(&format!("no such service: {s}"));
                };
                tasks.extend(cl.tasks_of_service(&svc.id));
            }
            io.out(&try_or_fail!(io, views::tasks_listing(cl, tasks, &list)));
            0
        }
        ServiceInspect(opts) => {
            let _ = try_or_fail!(io, manager(cl, env));
            let found = match resolve_all(
                io,
                &opts,
                |n| cl.find_service(n).cloned(),
                views::service_json,
                "Error: no such service",
            ) {
                Ok(f) => f,
                Err(code) => return code,
            };
            if opts.pretty {
                for s in &found {
                    io.out(&views::service_pretty(cl, s));
                }
                io.out("\n");
                return 0;
            }
            print_inspect(io, found.iter().map(views::service_json).collect(), &opts)
        }
        ServiceScale { pairs, detach } => {
            let _ = try_or_fail!(io, manager(cl, env));
            let mut errors = Vec::new();
            let mut scaled = Vec::new();
            for (name, n) in pairs {
                let Some(svc) = cl.find_service(&name).cloned() else {
                    errors.push(format!("{name}: Error: No such service: {name}"));
                    continue;
                };
                let mut spec = svc.spec.clone();
                match &mut spec.mode {
                    ServiceMode::Replicated { replicas } => *replicas = n,
                    ServiceMode::ReplicatedJob {
                        total_completions, ..
                    } => *total_completions = n,
                    _ => {
                        errors.push(format!(
                            "{name}: scale can only be used with replicated or replicated-job mode"
                        ));
                        continue;
                    }
                }
                match cl.apply(Command::UpdateService {
                    service: svc.id.clone(),
                    spec,
                }) {
                    Ok(_) => {
                        io.outln(&format!("{name} scaled to {n}"));
                        scaled.push(svc.id.clone());
                    }
                    Err(e) => errors.push(format!("{name}: Error response from daemon: {e}")),
                }
            }
            if !detach && !scaled.is_empty() {
                let services = scaled.into_iter().map(|id| (id, false)).collect();
                *pending = Some(Pending::progress(services, errors, env.wait_limit));
                return 0;
            }
            if !errors.is_empty() {
                return io.fail(&errors.join("\n"));
            }
            0
        }
        ServiceRollback {
            service,
            detach,
            quiet,
        } => {
            let _ = try_or_fail!(io, manager(cl, env));
            let Some(svc) = cl.find_service(&service).cloned() else {
                return io.fail(&format!("Error: No such service: {service}"));
            };
            if let Err(e) = cl.apply(Command::RollbackService {
                service: svc.id.clone(),
            }) {
                return io.daemon(&e);
            }
            io.outln(&service);
            if !(detach || quiet) {
                *pending = Some(Pending::progress(
                    vec![(svc.id.clone(), true)],
                    Vec::new(),
                    env.wait_limit,
                ));
            }
            0
        }
        ServiceRm(names) => {
            let _ = try_or_fail!(io, manager(cl, env));
            for_each_target(io, &names, |n| {
                let service = cl
                    .find_service(n)
                    .ok_or_else(|| format!("Error: No such service: {n}"))?
                    .id
                    .clone();
                cl.apply(Command::RemoveService { service })
                    .map(drop)
                    .map_err(daemon_error)
            })
        }
        ServiceLogs(opts) => {
            let _ = try_or_fail!(io, manager(cl, env));
            service_logs(cl, io, opts, pending)
        }
        VolumeCreate {
            name,
            driver,
            labels,
            opts,
        } => {
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
        VolumeLs(opts) => {
            let n = try_or_fail!(io, on_node(cl, env));
            io.out(&try_or_fail!(io, views::volume_ls(cl, &n.id, &opts)));
            0
        }
        VolumeInspect(opts) => {
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
        VolumeRm { names, force } => {
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
        VolumePrune { all, .. } => {
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
        NetworkCreate(req) => {
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
        NetworkLs(opts) => {
            let n = try_or_fail!(io, on_node(cl, env));
            io.out(&try_or_fail!(io, views::network_ls(cl, &n, &opts)));
            0
        }
        NetworkInspect(opts) => {
            let n = try_or_fail!(io, on_node(cl, env));
            let find = |name: &str| {
                let local = views::LOCAL_NETWORKS.iter().find(|(l, _)| {
                    *l == name
                        || views::local_network_id(&n.id, l).starts_with(name) && name.len() >= 4
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
        NetworkRm(names) => {
            let _ = try_or_fail!(io, manager(cl, env));
            for_each_target(io, &names, |n| {
                cl.apply(Command::RemoveNetwork {
                    network: n.to_string(),
                })
                .map(drop)
                .map_err(daemon_error)
            })
        }
        StackDeploy { files, name, prune } => stack_deploy(cl, env, io, &files, &name, prune),
        StackLs(opts) => {
            let _ = try_or_fail!(io, manager(cl, env));
            io.out(&try_or_fail!(io, views::stack_ls(cl, &opts)));
            0
        }
        StackServices { name, list } => {
            let _ = try_or_fail!(io, manager(cl, env));
            let Some(svcs) = views::stacks(cl).remove(&name) else {
                return io.fail(&format!("Nothing found in stack: {name}"));
            };
            let svcs: Vec<&Service> = svcs.into_iter().collect();
            io.out(&try_or_fail!(
                io,
                views::services_listing(cl, svcs).render(&list)
            ));
            0
        }
        StackPs { name, list } => {
            let _ = try_or_fail!(io, manager(cl, env));
            let Some(svcs) = views::stacks(cl).remove(&name) else {
                return io.fail(&format!("Nothing found in stack: {name}"));
            };
            let tasks: Vec<&Task> = svcs
                .iter()
                .flat_map(|s| cl.tasks_of_service(&s.id))
                .collect();
            io.out(&try_or_fail!(io, views::tasks_listing(cl, tasks, &list)));
            0
        }
        StackRm(names) => {
            let _ = try_or_fail!(io, manager(cl, env));
            let mut code = 0;
            for name in names {
                let svcs: Vec<(String, String)> = views::stacks(cl)
                    .remove(&name)
                    .unwrap_or_default()
                    .iter()
                    .map(|s| (s.id.clone(), s.spec.name.clone()))
                    .collect();
                let nets: Vec<(String, String)> = cl
                    .state()
                    .all::<Network>()
                    .filter(|n| n.labels.get(STACK_LABEL) == Some(&name))
                    .map(|n| (n.id.clone(), n.name.clone()))
                    .collect();
                if svcs.is_empty() && nets.is_empty() {
                    code = io.fail(&format!("Nothing found in stack: {name}"));
                    continue;
                }
                let mut cmds: Vec<Command> = Vec::new();
                for (id, n) in &svcs {
                    io.outln(&format!("Removing service {n}"));
                    cmds.push(Command::RemoveService {
                        service: id.clone(),
                    });
                }
                for (id, n) in &nets {
                    io.outln(&format!("Removing network {n}"));
                    cmds.push(Command::RemoveNetwork {
                        network: id.clone(),
                    });
                }
                if let Err((_, e)) = cl.apply_all(cmds) {
                    code = io.daemon(&e);
                }
            }
            code
        }
        ContainerLs { all, last, list } => {
            let n = try_or_fail!(io, on_node(cl, env));
            io.out(&try_or_fail!(
                io,
                views::container_ls(cl, &n.id, all, last, &list)
            ));
            0
        }
        ContainerStop { names, time } => {
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
                let limit =
                    timeout.unwrap_or(SimDuration::from_secs(10)) + SimDuration::from_secs(1);
                targets.push((c.id.clone(), name.clone(), cl.now() + limit));
            }
            *pending = Some(Pending::stop(targets, code));
            code
        }
        ContainerStart(_) | ContainerRestart { .. } => io.fail(
            "Error response from daemon: the built-in cluster runs only swarm task containers, \
             and swarm starts and restarts those itself (stop one with `docker stop`, and its \
             restart policy decides)",
        ),
        ContainerKill { names, signal } => {
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
        ContainerRm {
            names,
            force,
            volumes,
        } => {
            let n = try_or_fail!(io, on_node(cl, env));
            for_each_target(io, &names, |name| {
                let container = cl
                    .find_container(&n.id, name)
                    .ok_or_else(|| {
                        format!("Error response from daemon: No such container: {name}")
                    })?
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
        ContainerLogs(opts) => {
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
        ContainerInspect(opts) => {
            let n = try_or_fail!(io, on_node(cl, env));
            let find = |name: &str| cl.find_container(&n.id, name).map(views::container_json);
            match resolve_all(io, &opts, find, Value::clone, "Error: No such container") {
                Ok(found) => print_inspect(io, found, &opts),
                Err(code) => code,
            }
        }
        ContainerPrune { .. } => {
            let n = try_or_fail!(io, on_node(cl, env));
            if let Some(prompt) = &question
                && !confirm(env, prompt)
            {
                return 0;
            }
            let r = cl.apply(Command::PruneContainers { node: n.id.clone() });
            print_pruned(io, "Containers", r)
        }
        Inspect(opts) => generic_inspect(cl, env, io, &opts),
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

fn daemon_error(e: ApiError) -> String {
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

fn service_logs(
    cl: &mut Cluster,
    io: &mut Io,
    opts: LogsOpts,
    pending: &mut Option<Pending>,
) -> i32 {
    let target = opts.target.clone();
    let (svc_id, task_only) = match cl.find_service(&target) {
        Some(s) => (s.id.clone(), None),
        None => match cl.find_task(&target) {
            Some(t) => (t.service_id.clone(), Some(t.id.clone())),
            None => return io.fail(&format!("Error: No such service: {target}")),
        },
    };
    let since = try_or_fail!(io, parse_since(&opts.since, cl.now()));
    let source = LogSource::Service {
        svc_id,
        task_only,
        no_ids: opts.no_task_ids,
        no_trunc: opts.no_trunc,
        raw: opts.raw,
    };
    *pending = Some(Pending::follow(source, opts, since));
    0
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

fn stack_deploy(
    cl: &mut Cluster,
    env: &mut Env,
    io: &mut Io,
    files: &[String],
    name: &str,
    prune: bool,
) -> i32 {
    let _ = try_or_fail!(io, manager(cl, env));
    let plan = match compose::plan_files(files, &env.cwd, name, env.getenv) {
        Ok(p) => p,
        Err(e) => return io.fail(&e),
    };
    for w in &plan.warnings {
        io.errln(w);
    }
    for ext in &plan.external_networks {
        if cl.find_network(ext).is_none() {
            return io.fail(&format!("network \"{ext}\" is declared as external, but could not be found. You need to create a swarm-scoped network before the stack is deployed"));
        }
    }
    let mut cmds = Vec::new();
    let mut lines = Vec::new();
    if prune {
        let keep: Vec<&str> = plan.services.iter().map(|s| s.name.as_str()).collect();
        for s in views::stacks(cl).remove(name).unwrap_or_default() {
            if !keep.contains(&s.spec.name.as_str()) {
                lines.push(format!("Removing service {}", s.spec.name));
                cmds.push(Command::RemoveService {
                    service: s.id.clone(),
                });
            }
        }
    }
    for n in &plan.networks {
        if cl.find_network(&n.name).is_none() {
            lines.push(format!("Creating network {}", n.name));
            cmds.push(Command::CreateNetwork(n.clone()));
        }
    }
    for spec in &plan.services {
        match cl.find_service(&spec.name) {
            Some(existing) => {
                lines.push(format!(
                    "Updating service {} (id: {})",
                    spec.name, existing.id
                ));
                cmds.push(Command::UpdateService {
                    service: existing.id.clone(),
                    spec: spec.clone(),
                });
            }
            None => {
                lines.push(format!("Creating service {}", spec.name));
                cmds.push(Command::CreateService { spec: spec.clone() });
            }
        }
    }
    match cl.apply_all(cmds) {
        Ok(_) => {
            for l in lines {
                io.outln(&l);
            }
            0
        }
        Err((i, e)) => {
            for l in lines.iter().take(i) {
                io.outln(l);
            }
            io.fail(&format!(
                "failed to {}: Error response from daemon: {e}\nopsconsole: nothing was deployed",
                lines.get(i).map(|l| l.to_lowercase()).unwrap_or_default()
            ))
        }
    }
}

/// The demo workloads `sim demo` adds, as the command lines a trainer would type.
pub const DEMO_SCRIPT: &[&str] = &[
    "docker network create -d overlay demo_net",
    "docker service create --detach --name web --replicas 4 --network demo_net -p 8080:80 --update-delay 10s nginx:1.16-alpine",
    "docker service create --detach --name api --replicas 3 --network demo_net --reserve-memory 256M --update-parallelism 1 --update-failure-action rollback tomcat:9.0",
    "docker service create --detach --name db --network demo_net --constraint node.role==manager --mount type=volume,src=dbdata,dst=/var/lib/mysql -e MYSQL_ROOT_PASSWORD=secret mysql:5.7",
    "docker service create --detach --name cache --mode global redis:alpine",
    "docker service create --detach --name ticker --network demo_net centos sh -c \"while true;do echo tang;sleep 1;done\"",
    "docker service create --detach --name viz --constraint node.role==manager -p 9090:8080 dockersamples/visualizer",
];

fn sim(
    cl: &mut Cluster,
    s: SimCmd,
    env: &mut Env,
    io: &mut Io,
    pending: &mut Option<Pending>,
) -> i32 {
    let node_of = |cl: &Cluster, name: &str| {
        cl.find_node(name)
            .map(|n| (n.id.clone(), n.hostname().to_string()))
    };
    match s {
        SimCmd::Advance(d) => {
            cl.advance(d);
            io.outln(&format!(
                "simulated time is now {} (+{})",
                cl.now().rfc3339(),
                format_go_duration(d)
            ));
            0
        }
        SimCmd::NodeDown(name) => {
            let Some((id, host)) = node_of(cl, &name) else {
                return io.fail(&format!("no such node: {name}"));
            };
            match cl.apply(Command::NodeDown { node: id }) {
                Ok(_) => {
                    io.outln(&format!("{host}: engine stopped; the managers mark it Down after 15s without heartbeats"));
                    0
                }
                Err(e) => io.fail(&e.0),
            }
        }
        SimCmd::NodeUp(name) => {
            let Some((id, host)) = node_of(cl, &name) else {
                return io.fail(&format!("no such node: {name}"));
            };
            match cl.apply(Command::NodeUp { node: id }) {
                Ok(_) => {
                    io.outln(&format!(
                        "{host}: engine started; the node is Ready (no tasks move back to it)"
                    ));
                    0
                }
                Err(e) => io.fail(&e.0),
            }
        }
        SimCmd::NodeAdd(tpl) => match cl.apply(Command::AddNodes(tpl)) {
            Ok(Outcome::Ids(ids)) => {
                for id in ids {
                    if let Some(n) = cl.state().get::<Node>(&id) {
                        io.outln(&format!(
                            "added {} ({}, {}, {} CPUs, {})",
                            n.hostname(),
                            n.ip(),
                            if n.is_manager() { "manager" } else { "worker" },
                            n.description.resources.nano_cpus as f64 / 1e9,
                            crate::base::time::bytes_size(n.description.resources.memory_bytes)
                        ));
                    }
                }
                0
            }
            Ok(_) => 0,
            Err(e) => io.fail(&e.0),
        },
        SimCmd::TaskStop(task) | SimCmd::TaskCrash { task, .. }
            if resolve_task(cl, &task).is_none() =>
        {
            io.fail(&format!(
                "no such task: {task} (give a task ID, an ID prefix, or a name like my_nginx.2)"
            ))
        }
        SimCmd::TaskStop(task) => {
            let id = resolve_task(cl, &task).unwrap_or_default();
            match cl.apply(Command::TaskExit {
                task: id.clone(),
                code: 0,
            }) {
                Ok(_) => {
                    io.outln(&format!("{id}: container exited (0)"));
                    0
                }
                Err(e) => io.fail(&e.0),
            }
        }
        SimCmd::TaskCrash { task, code } => {
            let id = resolve_task(cl, &task).unwrap_or_default();
            match cl.apply(Command::TaskExit {
                task: id.clone(),
                code,
            }) {
                Ok(_) => {
                    io.outln(&format!("{id}: container exited ({code})"));
                    0
                }
                Err(e) => io.fail(&e.0),
            }
        }
        SimCmd::UpdatePause(name) | SimCmd::UpdateResume(name)
            if cl.find_service(&name).is_none() =>
        {
            io.fail(&format!("Error: no such service: {name}"))
        }
        SimCmd::UpdatePause(name) => {
            let service = cl
                .find_service(&name)
                .map(|s| s.id.clone())
                .unwrap_or_default();
            match cl.apply(Command::PauseUpdate { service }) {
                Ok(_) => {
                    io.outln(&format!("{name}: update paused"));
                    0
                }
                Err(e) => io.daemon(&e),
            }
        }
        SimCmd::UpdateResume(name) => {
            let service = cl
                .find_service(&name)
                .map(|s| s.id.clone())
                .unwrap_or_default();
            match cl.apply(Command::ResumeUpdate { service }) {
                Ok(_) => {
                    io.outln(&format!("{name}: update resumed"));
                    0
                }
                Err(e) => io.daemon(&e),
            }
        }
        SimCmd::Strategy(s) => match cl.apply(Command::SetStrategy(s)) {
            Ok(_) => {
                io.outln(&format!("placement strategy: {}", s.as_str()));
                0
            }
            Err(e) => io.fail(&e.0),
        },
        SimCmd::Demo => {
            let mut code = 0;
            for line in DEMO_SCRIPT {
                let Ok(Cmd::Docker(d)) = crate::lang::parse_line(line) else {
                    continue;
                };
                let exists = match &d {
                    DockerCmd::ServiceCreate(c) => c
                        .flags
                        .name
                        .as_ref()
                        .is_some_and(|n| cl.find_service(n).is_some()),
                    DockerCmd::NetworkCreate(n) => cl.find_network(&n.name).is_some(),
                    _ => false,
                };
                if exists {
                    continue;
                }
                io.outln(&format!("$ {line}"));
                code |= docker(cl, d, env, io, &mut None);
            }
            // Let the demo come up, as a trainer would wait a minute and a half.
            let at = cl.now() + SimDuration::from_secs(90);
            *pending = Some(Pending::until(
                at,
                "demo workloads are up: see `docker service ls`".into(),
                code,
            ));
            code
        }
        SimCmd::Status => {
            let m = &cl.state().meta;
            io.outln(&format!("simulated time:   {}", m.now.rfc3339()));
            io.outln(&format!("seed:             {}", m.seed));
            io.outln(&format!("strategy:         {}", m.strategy.as_str()));
            io.outln(&format!(
                "leader:           {}",
                cl.leader()
                    .map(|n| n.hostname().to_string())
                    .unwrap_or_else(|| "none (no quorum)".into())
            ));
            io.outln(&format!(
                "objects:          {} nodes, {} services, {} tasks, {} containers, {} volumes, {} networks",
                cl.state().count::<Node>(),
                cl.state().count::<Service>(),
                cl.state().count::<Task>(),
                cl.state().count::<Container>(),
                cl.state().count::<Volume>(),
                cl.state().count::<Network>()
            ));
            0
        }
    }
}

/// A task by ID, ID prefix, or `svc.slot` (its current task).
fn resolve_task(cl: &Cluster, key: &str) -> Option<String> {
    if let Some(t) = cl.find_task(key) {
        return Some(t.id.clone());
    }
    let (svc, slot) = key.rsplit_once('.')?;
    let s = cl.find_service(svc)?;
    let slot_no: Option<u64> = slot.parse().ok();
    let mut tasks: Vec<&Task> = cl
        .tasks_of_service(&s.id)
        .into_iter()
        .filter(|t| match slot_no {
            Some(n) => t.slot == n,
            None => {
                t.node_id == slot
                    || cl
                        .state()
                        .get::<Node>(&t.node_id)
                        .is_some_and(|n| n.hostname() == slot)
            }
        })
        .collect();
    tasks.sort_by_key(|t| std::cmp::Reverse(t.created_at));
    tasks
        .iter()
        .find(|t| t.status.state == TaskState::Running)
        .or(tasks.first())
        .map(|t| t.id.clone())
}
