//! The worker side: each node's engine prepares, starts and stops task containers and reports
//! task states (B4–B6), and nodes go down and come back (B14, B17, B18).

use super::images::{self, Program};
use super::model::*;
use super::network;
use super::orchestrator;
use super::state::State;
use super::time::{SimDuration, SimTime};

/// Heartbeat period 5s; the manager marks a node down after about 3 missed (B14).
pub const HEARTBEAT_GRACE: SimDuration = SimDuration::from_secs(15);
/// A node down this long has its tasks orphaned (B18).
pub const ORPHAN_AFTER: SimDuration = SimDuration::from_hours(24);
pub const DEFAULT_STOP_GRACE: SimDuration = SimDuration::from_secs(10);

fn engine_up(st: &State, node_id: &str) -> bool {
    st.get::<Node>(node_id).is_some_and(|n| n.sim.engine_up)
}

fn set_task_state(
    st: &mut State,
    id: &str,
    state: TaskState,
    message: &'static str,
    err: Option<String>,
) {
    let now = st.now();
    st.update::<Task>(id, |t| {
        if state > t.status.state {
            t.status.state = state;
        }
        t.status.message = message.into();
        t.status.timestamp = now;
        if let Some(e) = err {
            t.status.err = e;
        }
    });
}

fn reject(st: &mut State, id: &str, err: String) {
    set_task_state(st, id, TaskState::Rejected, "preparing", Some(err));
    orchestrator::task_stopped(st, id);
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

/// Advances one task on its node.
pub fn task_wake(st: &mut State, id: &str) {
    let Some(t) = st.get::<Task>(id).cloned() else {
        return;
    };
    if t.node_id.is_empty() || !engine_up(st, &t.node_id) || t.status.state > TaskState::Running {
        return;
    }
    let now = st.now();
    if t.desired_state > TaskState::Complete {
        // Shut down: stop the container if it runs, else report shutdown at once.
        match st.index().container_by_task.get(id).cloned() {
            Some(cid) if st.get::<Container>(&cid).is_some_and(|c| c.is_running()) => {
                let grace = t.spec.container_spec.stop_grace_period;
                stop_container(st, &cid, grace);
            }
            _ => {
                set_task_state(st, id, TaskState::Shutdown, "shutdown", None);
                orchestrator::task_stopped(st, id);
            }
        }
        return;
    }
    match t.status.state {
        TaskState::Assigned | TaskState::Accepted => {
            if let Some(err) = orchestrator::image_error(&t.spec.container_spec.image) {
                set_task_state(st, id, TaskState::Preparing, "preparing", None);
                reject(st, id, err);
                return;
            }
            let (info, r) = images::lookup(&t.spec.container_spec.image).expect("checked above");
            let cached = st
                .get::<Node>(&t.node_id)
                .is_some_and(|n| n.sim.images.contains(&r.familiar()));
            let took = if cached {
                SimDuration::from_millis(150)
            } else {
                SimDuration::from_millis(info.pull_ms)
            };
            set_task_state(st, id, TaskState::Preparing, "preparing", None);
            st.update::<Task>(id, |t| t.sim.wake = Some(now + took));
        }
        TaskState::Preparing => prepare_done(st, &t),
        TaskState::Ready => {
            if t.desired_state == TaskState::Ready {
                // A delayed (re)start: wait for the delay and for the old task to stop (B6).
                let delay_over = t.sim.start_after.is_none_or(|s| now >= s);
                let old_gone = match &t.sim.wait_for {
                    None => true,
                    Some(old) => match st.get::<Task>(old) {
                        None => true,
                        Some(o) => {
                            o.status.state > TaskState::Running
                                || !engine_up(st, &o.node_id)
                                || now >= t.created_at + orchestrator::OLD_TASK_TIMEOUT
                        }
                    },
                };
                if !(delay_over && old_gone) {
                    let mut next = t
                        .sim
                        .start_after
                        .filter(|s| *s > now)
                        .unwrap_or(now + SimDuration::from_secs(1));
                    if !old_gone {
                        next = next.min(t.created_at + orchestrator::OLD_TASK_TIMEOUT);
                        if next <= now {
                            next = now + SimDuration::from_millis(100);
                        }
                    }
                    st.update::<Task>(id, |t| t.sim.wake = Some(next));
                    return;
                }
                st.update::<Task>(id, |t| {
                    t.desired_state = TaskState::Running;
                    t.sim.start_after = None;
                    t.sim.wait_for = None;
                });
            }
            let start_ms = images::lookup(&t.spec.container_spec.image)
                .map(|(i, _)| i.start_ms)
                .unwrap_or(300);
            set_task_state(st, id, TaskState::Starting, "starting", None);
            st.update::<Task>(id, |t| {
                t.sim.wake = Some(now + SimDuration::from_millis(start_ms))
            });
        }
        TaskState::Starting => start_done(st, &t),
        _ => {}
    }
}

fn prepare_done(st: &mut State, t: &Task) {
    let now = st.now();
    let cs = &t.spec.container_spec;
    let Some((info, r)) = images::lookup(&cs.image) else {
        return;
    };
    let node_id = t.node_id.clone();
    st.update::<Node>(&node_id, |n| {
        n.sim.images.insert(r.familiar());
    });
    // Volumes: named ones are created on first use, anonymous ones per container.
    let mut mounts = Vec::new();
    for m in &cs.mounts {
        match m.r#type {
            MountType::Volume => {
                let name = if m.source.is_empty() {
                    st.meta.rng.hex_id()
                } else {
                    m.source.clone()
                };
                let key = Volume::key_of(&node_id, &name);
                if st.get::<Volume>(&key).is_none() {
                    create_volume(
                        st,
                        &node_id,
                        &name,
                        m.volume_driver(),
                        m.source.is_empty(),
                        Labels::new(),
                        Labels::new(),
                    );
                }
                mounts.push(MountPoint {
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
            MountType::Bind => mounts.push(MountPoint {
                r#type: "bind".into(),
                name: String::new(),
                source: m.source.clone(),
                destination: m.target.clone(),
                driver: String::new(),
                mode: String::new(),
                rw: !m.read_only,
                propagation: "rprivate".into(),
            }),
            MountType::Tmpfs => mounts.push(MountPoint {
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
    let svc_name = st
        .get::<Service>(&t.service_id)
        .map(|s| s.spec.name.clone())
        .unwrap_or_default();
    let stack = st
        .get::<Service>(&t.service_id)
        .and_then(|s| s.spec.stack_namespace().map(|x| x.to_string()));
    let task_name = orchestrator::task_name(&svc_name, t);
    let argv = images::effective_argv(info, &cs.command, &cs.args);
    let cid = st.meta.rng.hex_id();
    let mut labels = cs.labels.clone();
    labels.insert("com.docker.swarm.node.id".into(), node_id.clone());
    labels.insert("com.docker.swarm.service.id".into(), t.service_id.clone());
    labels.insert("com.docker.swarm.service.name".into(), svc_name.clone());
    labels.insert("com.docker.swarm.task".into(), String::new());
    labels.insert("com.docker.swarm.task.id".into(), t.id.clone());
    labels.insert(
        "com.docker.swarm.task.name".into(),
        format!("{task_name}.{}", t.id),
    );
    if let Some(ns) = stack {
        labels.insert(STACK_LABEL.into(), ns);
    }
    let mut nets = std::collections::BTreeMap::new();
    for a in &t.networks_attachments {
        if let Some(n) = st.get::<Network>(&a.network.id) {
            let addr = a.addresses.first().cloned().unwrap_or_default();
            let (ip, len) = addr.split_once('/').unwrap_or((&addr, "24"));
            nets.insert(
                n.name.clone(),
                EndpointSettings {
                    network_id: n.id.clone(),
                    endpoint_id: super::rng::stable_hex64(&format!("ep:{cid}:{}", n.id)),
                    gateway: n
                        .ipam
                        .config
                        .first()
                        .map(|c| c.gateway.clone())
                        .unwrap_or_default(),
                    ip_address: ip.to_string(),
                    ip_prefix_len: len.parse().unwrap_or(24),
                    mac_address: network::mac_for(ip),
                },
            );
        }
    }
    let c = Container {
        id: cid.clone(),
        created: now,
        path: argv.first().cloned().unwrap_or_default(),
        args: argv.iter().skip(1).cloned().collect(),
        state: ContainerState {
            status: "created".into(),
            running: false,
            paused: false,
            restarting: false,
            oom_killed: false,
            dead: false,
            pid: 0,
            exit_code: 0,
            error: String::new(),
            started_at: None,
            finished_at: None,
        },
        image: images::image_id_of(&r.familiar()),
        name: format!("/{task_name}.{}", t.id),
        restart_count: 0,
        driver: "overlay2".into(),
        platform: "linux".into(),
        config: ContainerConfig {
            hostname: cid[..12].to_string(),
            env: cs.env.clone(),
            cmd: argv
                .iter()
                .skip(if cs.command.is_empty() && !info.entrypoint.is_empty() {
                    info.entrypoint.len()
                } else {
                    0
                })
                .cloned()
                .collect(),
            image: cs.image.clone(),
            labels,
            exposed_ports: info
                .exposed
                .iter()
                .map(|p| (p.to_string(), serde_json::json!({})))
                .collect(),
        },
        mounts,
        network_settings: nets,
        sim: ContainerSim {
            node: node_id,
            task: Some(t.id.clone()),
            image_ref: r.familiar(),
            log_seed: st.meta.rng.next_u64(),
            exit_at: None,
            stopping: None,
            wake: None,
        },
    };
    st.insert(c);
    let id = t.id.clone();
    set_task_state(st, &id, TaskState::Ready, "prepared", None);
    st.update::<Task>(&id, |t| {
        t.sim.container = Some(cid);
        t.sim.wake = Some(now);
    });
}

fn start_done(st: &mut State, t: &Task) {
    let now = st.now();
    let Some(cid) = st.index().container_by_task.get(&t.id).cloned() else {
        return;
    };
    let Some(c) = st.get::<Container>(&cid) else {
        return;
    };
    let prog = program_of(c);
    if let Some(err) = prog.start_error {
        st.update::<Container>(&cid, |c| {
            c.state.status = "created".into();
            c.state.exit_code = 128;
            c.state.error = err
                .trim_start_matches("starting container failed: ")
                .to_string();
        });
        set_task_state(st, &t.id, TaskState::Failed, "starting", Some(err));
        orchestrator::task_stopped(st, &t.id);
        return;
    }
    st.meta.pid_seq += 1;
    let pid = 1000 + st.meta.pid_seq * 7 % 30000;
    let limit = t.spec.limits().memory_bytes;
    let exit = if limit > 0 && prog.memory_mb * 1024 * 1024 > limit {
        Some((now + SimDuration::from_secs(2), 137))
    } else {
        prog.exit.map(|(d, code)| (now + d, code))
    };
    st.update::<Container>(&cid, |c| {
        c.state.status = "running".into();
        c.state.running = true;
        c.state.pid = pid;
        c.state.started_at = Some(now);
        c.state.finished_at = None;
        c.sim.exit_at = exit;
        c.sim.wake = exit.map(|e| e.0);
    });
    let id = t.id.clone();
    set_task_state(st, &id, TaskState::Running, "started", None);
    st.update::<Task>(&id, |t| {
        t.sim.running_since.get_or_insert(now);
        t.status.container_status = Some(ContainerStatus {
            container_id: cid.clone(),
            pid,
            exit_code: 0,
        });
    });
    orchestrator::task_started(st, &id);
}

/// A container's timer: it exits (by itself, or at the end of a stop).
pub fn container_wake(st: &mut State, cid: &str) {
    let Some(c) = st.get::<Container>(cid).cloned() else {
        return;
    };
    let now = st.now();
    if let Some((at, code)) = c.sim.stopping
        && at <= now
    {
        exit(st, cid, code, false);
        return;
    }
    if let Some((at, code)) = c.sim.exit_at
        && at <= now
    {
        let prog = program_of(&c);
        let oom = code == 137 && prog.exit.is_none_or(|e| e.1 != 137);
        exit(st, cid, code, oom);
    }
}

/// Marks a container exited and reports its task (if the node's agent is alive).
fn exit(st: &mut State, cid: &str, code: i64, oom: bool) {
    let now = st.now();
    let Some(c) = st.get::<Container>(cid).cloned() else {
        return;
    };
    if !c.is_running() {
        return;
    }
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
    if let Some(tid) = &c.sim.task
        && engine_up(st, &c.sim.node)
    {
        task_container_exited(st, tid, code);
    }
}

fn task_container_exited(st: &mut State, tid: &str, code: i64) {
    let Some(t) = st.get::<Task>(tid).cloned() else {
        return;
    };
    if t.status.state > TaskState::Running {
        return;
    }
    if t.desired_state > TaskState::Complete {
        set_task_state(st, tid, TaskState::Shutdown, "shutdown", None);
    } else if code == 0 {
        set_task_state(st, tid, TaskState::Complete, "finished", None);
    } else {
        set_task_state(
            st,
            tid,
            TaskState::Failed,
            "started",
            Some(format!("task: non-zero exit ({code})")),
        );
    }
    st.update::<Task>(tid, |t| {
        if let Some(cs) = t.status.container_status.as_mut() {
            cs.exit_code = code;
            cs.pid = 0;
        }
    });
    orchestrator::task_stopped(st, tid);
}

/// `docker stop`: SIGTERM, then SIGKILL after the grace period if the process ignores it.
pub fn stop_container(st: &mut State, cid: &str, grace: Option<SimDuration>) {
    let Some(c) = st.get::<Container>(cid) else {
        return;
    };
    if !c.is_running() || c.sim.stopping.is_some() {
        return;
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
        exit(st, cid, code, false);
        return;
    }
    st.update::<Container>(cid, |c| {
        c.sim.stopping = Some((at, code));
        c.sim.wake = Some(at);
    });
}

/// `docker kill`: the container exits at once.
pub fn kill_now(st: &mut State, cid: &str, code: i64, report: bool) {
    if report {
        exit(st, cid, code, false);
        return;
    }
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

/// `docker kill -s SIGNAL`: KILL ends it; TERM/INT stop it if handled; others are ignored.
pub fn signal_container(st: &mut State, cid: &str, signal: &str) {
    match signal {
        "KILL" | "9" => kill_now(st, cid, 137, true),
        "TERM" | "15" | "INT" | "2" | "QUIT" | "3" => {
            let Some(c) = st.get::<Container>(cid) else {
                return;
            };
            if program_of(c).handles_sigterm {
                let code = match signal {
                    "INT" | "2" => 130,
                    "QUIT" | "3" => 131,
                    _ => 0,
                };
                let now = st.now();
                let at = now + program_of(c).stop_time;
                st.update::<Container>(cid, |c| {
                    c.sim.stopping = Some((at, code));
                    c.sim.wake = Some(at);
                });
            }
        }
        _ => {}
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

/// Removing a task container also removes its anonymous volumes.
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

/// `sim node down`: the node's engine stops. Its containers stop with it; the manager notices
/// only when heartbeats stop arriving.
pub fn engine_stop(st: &mut State, node_id: &str) {
    let now = st.now();
    let cids: Vec<String> = st
        .index()
        .containers_by_node
        .get(node_id)
        .map(|s| s.iter().cloned().collect())
        .unwrap_or_default();
    st.update::<Node>(node_id, |n| {
        n.sim.engine_up = false;
        n.sim.engine_down_since = Some(now);
        n.sim.wake = Some(now + HEARTBEAT_GRACE);
    });
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
            kill_now(st, &cid, code, false);
        }
    }
}

/// `sim node up`: the engine starts, the node registers again, and its agent reports what
/// happened to its tasks. Nothing moves back (B17).
pub fn engine_start(st: &mut State, node_id: &str) {
    let now = st.now();
    st.update::<Node>(node_id, |n| {
        n.sim.engine_up = true;
        n.sim.engine_down_since = None;
        n.sim.wake = None;
        n.status.state = NodeState::Ready;
        n.status.message.clear();
        if let Some(m) = n.manager_status.as_mut() {
            m.reachability = Reachability::Reachable;
        }
    });
    let tids = orchestrator::task_ids_on(st, node_id);
    for tid in tids {
        let Some(t) = st.get::<Task>(&tid).cloned() else {
            continue;
        };
        if t.status.state < TaskState::Assigned || t.status.state > TaskState::Running {
            continue;
        }
        if t.desired_state > TaskState::Complete {
            set_task_state(st, &tid, TaskState::Shutdown, "shutdown", None);
            orchestrator::task_stopped(st, &tid);
        } else if t.status.state == TaskState::Running || t.status.state == TaskState::Starting {
            let code = st
                .index()
                .container_by_task
                .get(&tid)
                .and_then(|c| st.get::<Container>(c))
                .map(|c| c.state.exit_code)
                .unwrap_or(0);
            task_container_exited(st, &tid, code);
        } else {
            st.update::<Task>(&tid, |t| t.sim.wake = Some(now));
        }
    }
    super::cluster_health::elect(st);
    orchestrator::reconcile_globals(st);
}

/// A node's timer: heartbeat expiry, then orphaning after a day down.
pub fn node_wake(st: &mut State, node_id: &str) {
    let Some(n) = st.get::<Node>(node_id).cloned() else {
        return;
    };
    let Some(since) = n.sim.engine_down_since else {
        return;
    };
    let now = st.now();
    if n.sim.engine_up {
        return;
    }
    if n.status.state != NodeState::Down && now >= since + HEARTBEAT_GRACE {
        st.update::<Node>(node_id, |n| {
            n.status.state = NodeState::Down;
            n.status.message = "heartbeat failure".into();
            if let Some(m) = n.manager_status.as_mut() {
                m.reachability = Reachability::Unreachable;
                m.leader = false;
            }
            n.sim.wake = Some(since + ORPHAN_AFTER);
        });
        super::cluster_health::elect(st);
        if super::cluster_health::has_leader(st) {
            orchestrator::evacuate_node(st, node_id, false);
        }
        return;
    }
    if n.status.state == NodeState::Down && now >= since + ORPHAN_AFTER {
        orchestrator::orphan_tasks(
            st,
            node_id,
            "Task belonged to a node that has been down for 24 hours",
        );
    }
}
