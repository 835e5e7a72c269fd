//! The container runtime every node runs: it creates, starts, stops, kills and signals
//! containers, lets them exit when their program ends, and keeps their volumes. It knows
//! nothing of the control planes: when a container that an owner placed exits, it returns
//! an [`Exited`] report, and the caller hands it to whichever plane owns the container.

use super::images::{self, Program};
use crate::base::time::{SimDuration, SimTime};
use crate::engine::*;
use crate::model::*;
use crate::state::State;

pub const DEFAULT_STOP_GRACE: SimDuration = SimDuration::from_secs(10);

/// A container with an owner exited: what its owner is told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exited {
    /// Who placed the container.
    pub owner: Owner,
    /// The node it ran on.
    pub node: String,
    pub code: i64,
}

/// The program a container runs, from its image and command line.
pub fn program_of(c: &Container) -> Program {
    match images::lookup(&c.sim.image_ref) {
        Some((info, _)) => {
            let mut argv = vec![c.path.clone()];
            argv.extend(c.args.iter().cloned());
            images::program_for(info, &argv, &c.config.env)
        }
        None => images::shell_program(std::slice::from_ref(&c.path)),
    }
}

/// The mount points of a new container on `node`: named volumes are created on first use,
/// anonymous ones per container.
pub fn mount_points(st: &mut State, node: &str, mounts: &[Mount]) -> Vec<MountPoint> {
    let mut out = Vec::new();
    for m in mounts {
        match m.r#type {
            MountType::Volume => {
                let name = if m.source.is_empty() {
                    st.meta.rng.hex_id()
                } else {
                    m.source.clone()
                };
                let key = Volume::key_of(node, &name);
                if st.get::<Volume>(&key).is_none() {
                    create_volume(
                        st,
                        node,
                        &name,
                        m.volume_driver(),
                        m.source.is_empty(),
                        Labels::new(),
                        Labels::new(),
                    );
                }
                out.push(MountPoint {
                    r#type: "volume".into(),
                    name: name.clone(),
                    source: format!("/var/lib/docker/volumes/{name}/_data"),
                    destination: m.target.clone(),
                    driver: m.volume_driver().to_string(),
                    mode: "z".into(),
                    rw: !m.read_only,
                    propagation: String::new(),
                });
            }
            MountType::Bind => out.push(MountPoint {
                r#type: "bind".into(),
                name: String::new(),
                source: m.source.clone(),
                destination: m.target.clone(),
                driver: String::new(),
                mode: String::new(),
                rw: !m.read_only,
                propagation: "rprivate".into(),
            }),
            MountType::Tmpfs => out.push(MountPoint {
                r#type: "tmpfs".into(),
                name: String::new(),
                source: String::new(),
                destination: m.target.clone(),
                driver: String::new(),
                mode: String::new(),
                rw: true,
                propagation: String::new(),
            }),
        }
    }
    out
}

/// Starts a created container. Its program may fail to start (the error docker reports),
/// or run out of a memory limit (`memory_limit` bytes, 0 for none) and be killed 2 s later.
/// Returns the PID.
pub fn start(st: &mut State, cid: &str, memory_limit: i64) -> Result<i64, String> {
    let now = st.now();
    let Some(c) = st.get::<Container>(cid) else {
        return Err(format!("No such container: {cid}"));
    };
    let prog = program_of(c);
    if let Some(err) = prog.start_error {
        st.update::<Container>(cid, |c| {
            c.state.status = "created".into();
            c.state.exit_code = 128;
            c.state.error = err
                .trim_start_matches("starting container failed: ")
                .to_string();
        });
        return Err(err);
    }
    st.meta.pid_seq += 1;
    let pid = 1000 + st.meta.pid_seq * 7 % 30000;
    let exit = if memory_limit > 0 && prog.memory_mb * 1024 * 1024 > memory_limit {
        Some((now + SimDuration::from_secs(2), 137))
    } else {
        prog.exit.map(|(d, code)| (now + d, code))
    };
    st.update::<Container>(cid, |c| {
        c.state.status = "running".into();
        c.state.running = true;
        c.state.pid = pid;
        c.state.started_at = Some(now);
        c.state.finished_at = None;
        c.sim.exit_at = exit;
        c.sim.wake = exit.map(|e| e.0);
    });
    Ok(pid)
}

/// A container's timer: it exits (by itself, or at the end of a stop).
pub fn container_wake(st: &mut State, cid: &str) -> Option<Exited> {
    let c = st.get::<Container>(cid)?.clone();
    let now = st.now();
    if let Some((at, code)) = c.sim.stopping
        && at <= now
    {
        return exit(st, cid, code, false);
    }
    if let Some((at, code)) = c.sim.exit_at
        && at <= now
    {
        let prog = program_of(&c);
        let oom = code == 137 && prog.exit.is_none_or(|e| e.1 != 137);
        return exit(st, cid, code, oom);
    }
    None
}

/// Marks a container exited; its owner, if it has one, is to be told.
fn exit(st: &mut State, cid: &str, code: i64, oom: bool) -> Option<Exited> {
    let now = st.now();
    let c = st.get::<Container>(cid)?;
    if !c.is_running() {
        return None;
    }
    let report = c.sim.owner.clone().map(|owner| Exited {
        owner,
        node: c.sim.node.clone(),
        code,
    });
    st.update::<Container>(cid, |c| {
        c.state.status = "exited".into();
        c.state.running = false;
        c.state.pid = 0;
        c.state.exit_code = code;
        c.state.oom_killed = oom;
        c.state.finished_at = Some(now);
        c.sim.exit_at = None;
        c.sim.stopping = None;
        c.sim.wake = None;
    });
    report
}

/// `docker stop`: SIGTERM, then SIGKILL after the grace period if the process ignores it.
pub fn stop(st: &mut State, cid: &str, grace: Option<SimDuration>) -> Option<Exited> {
    let c = st.get::<Container>(cid)?;
    if !c.is_running() || c.sim.stopping.is_some() {
        return None;
    }
    let prog = program_of(c);
    let grace = grace.unwrap_or(DEFAULT_STOP_GRACE);
    let now = st.now();
    let (at, code) = if prog.handles_sigterm {
        (now + prog.stop_time.min(grace), 0)
    } else {
        (now + grace, 137)
    };
    if at <= now {
        return exit(st, cid, code, false);
    }
    st.update::<Container>(cid, |c| {
        c.sim.stopping = Some((at, code));
        c.sim.wake = Some(at);
    });
    None
}

/// `docker kill`: the container exits at once.
pub fn kill(st: &mut State, cid: &str, code: i64) -> Option<Exited> {
    exit(st, cid, code, false)
}

/// The container dies with its engine (or after its owner gave up on it): nobody is told.
pub fn kill_silently(st: &mut State, cid: &str, code: i64) {
    let now = st.now();
    st.update::<Container>(cid, |c| {
        if c.state.running {
            c.state.status = "exited".into();
            c.state.running = false;
            c.state.pid = 0;
            c.state.exit_code = code;
            c.state.finished_at = Some(now);
            c.sim.exit_at = None;
            c.sim.stopping = None;
            c.sim.wake = None;
        }
    });
}

/// Whether `docker kill -s` accepts a signal name or number.
pub fn valid_signal(sig: &str) -> bool {
    matches!(
        sig,
        "KILL" | "TERM" | "INT" | "QUIT" | "HUP" | "USR1" | "USR2" | "9" | "15" | "2" | "3" | "1"
    )
}

/// `docker kill -s SIGNAL`: KILL ends it; TERM/INT stop it if handled; others are ignored.
pub fn signal(st: &mut State, cid: &str, signal: &str) -> Option<Exited> {
    match signal {
        "KILL" | "9" => kill(st, cid, 137),
        "TERM" | "15" | "INT" | "2" | "QUIT" | "3" => {
            let c = st.get::<Container>(cid)?;
            let prog = program_of(c);
            if prog.handles_sigterm {
                let code = match signal {
                    "INT" | "2" => 130,
                    "QUIT" | "3" => 131,
                    _ => 0,
                };
                let at = st.now() + prog.stop_time;
                st.update::<Container>(cid, |c| {
                    c.sim.stopping = Some((at, code));
                    c.sim.wake = Some(at);
                });
            }
            None
        }
        _ => None,
    }
}

/// Kills every running container of a node, as its engine stops (TERM-handling programs
/// exit 0, the others 137).
pub fn engine_stopped(st: &mut State, node: &str) {
    let cids: Vec<String> = st
        .index()
        .containers_on_node(node)
        .map(str::to_string)
        .collect();
    for cid in cids {
        let Some(c) = st.get::<Container>(&cid) else {
            continue;
        };
        if c.is_running() {
            let code = if program_of(c).handles_sigterm {
                0
            } else {
                137
            };
            kill_silently(st, &cid, code);
        }
    }
}

pub fn create_volume(
    st: &mut State,
    node: &str,
    name: &str,
    driver: &str,
    anonymous: bool,
    labels: Labels,
    options: Labels,
) {
    let now = SimTime::from_secs(st.now().0.div_euclid(1_000_000_000));
    st.insert(Volume {
        created_at: now,
        driver: driver.to_string(),
        labels,
        mountpoint: format!("/var/lib/docker/volumes/{name}/_data"),
        name: name.to_string(),
        options,
        scope: "local".into(),
        sim: VolumeSim {
            node: node.to_string(),
            anonymous,
        },
    });
}

/// Removing a container can remove its anonymous volumes with it.
pub fn remove_container_volumes(st: &mut State, cid: &str) {
    let Some(c) = st.get::<Container>(cid) else {
        return;
    };
    let node = c.sim.node.clone();
    let anon: Vec<String> = c
        .mounts
        .iter()
        .filter(|m| m.r#type == "volume")
        .map(|m| Volume::key_of(&node, &m.name))
        .filter(|k| st.get::<Volume>(k).is_some_and(|v| v.sim.anonymous))
        .collect();
    for k in anon {
        st.remove::<Volume>(&k);
    }
}
