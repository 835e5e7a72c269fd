//! Runs parsed commands against the built-in cluster and prints what docker prints, with
//! docker's exit statuses. Commands docker waits on let simulated time pass through a
//! [`Waiter`], so the same code serves `opsconsole ctl` (time fast-forwards) and a live
//! console (time runs on its own).

pub mod format;
pub mod pending;
pub mod progress;
pub mod views;
/// Prints the error and returns docker's failure status (1) if `$e` is an error.
macro_rules! try_or_fail {
    ($io:expr, $e:expr) => {
        match $e {
            Ok(v) => v,
            Err(msg) => return $io.fail(&msg),
        }
    };
}

mod docker;
mod sim;

use crate::base::time::{SimDuration, format_go_duration};
use crate::lang::docker::DockerCmd;
use crate::lang::{Cmd, SimCmd};
use crate::model::*;
use crate::{ApiError, Cluster, Command, NO_LEADER, Outcome};
pub use pending::Pending;
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
    /// What the caller sends on standard input (`stack deploy -c -`).
    pub stdin: Option<String>,
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
        self.fail(&docker::daemon_error(e.clone()))
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
        Cmd::Sim(s) => sim::run(cl, s, env, io, &mut pending),
        Cmd::Docker(d) => docker::run(cl, d, env, io, &mut pending),
        Cmd::Kubectl(k) => io.fail(&format!(
            "opsconsole: `kubectl {}` is not run from here yet: use `opsconsole ctl kubectl` (or real kubectl with `opsconsole serve --kube-api`)",
            k.command
        )),
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
