//! The worker side of the swarm: each node's agent prepares, starts and stops its task
//! containers through the node's container runtime and reports task states (B4–B6); nodes
//! go down and come back (B14, B17, B18).

use crate::base::time::SimDuration;
use crate::infra::ipam::mac_for;
use crate::infra::runtime::Exited;
use crate::infra::{images, runtime};
use crate::model::*;
use crate::state::State;
use crate::swarm::*;

/// Heartbeat period 5s; the manager marks a node down after about 3 missed (B14).
pub const HEARTBEAT_GRACE: SimDuration = SimDuration::from_secs(15);
/// A node down this long has its tasks orphaned (B18).
pub const ORPHAN_AFTER: SimDuration = SimDuration::from_hours(24);

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
                let r = runtime::stop(st, &cid, grace);
                report(st, r);
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
    let mounts = runtime::mount_points(st, &node_id, &cs.mounts);
    let svc_name = st
        .get::<Service>(&t.service_id)
        .map(|s| s.spec.name.clone())
        .unwrap_or_default();
    let stack = st
        .get::<Service>(&t.service_id)
        .and_then(|s| s.spec.stack_namespace().map(|x| x.to_string()));
    let task_name = tasks::task_name(&svc_name, t);
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
                    endpoint_id: crate::base::rng::stable_hex64(&format!("ep:{cid}:{}", n.id)),
                    gateway: n
                        .ipam
                        .config
                        .first()
                        .map(|c| c.gateway.clone())
                        .unwrap_or_default(),
                    ip_address: ip.to_string(),
                    ip_prefix_len: len.parse().unwrap_or(24),
                    mac_address: mac_for(ip),
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
            owner: Some(Owner::SwarmTask(t.id.clone())),
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
    if st.get::<Container>(&cid).is_none() {
        return;
    }
    let pid = match runtime::start(st, &cid, t.spec.limits().memory_bytes) {
        Ok(pid) => pid,
        Err(err) => {
            set_task_state(st, &t.id, TaskState::Failed, "starting", Some(err));
            orchestrator::task_stopped(st, &t.id);
            return;
        }
    };
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

/// A task's container exited: its agent reports it, if the node's engine runs.
pub fn container_exited(st: &mut State, e: Exited) {
    if let Some(task) = e.owner.swarm_task()
        && engine_up(st, &e.node)
    {
        task_container_exited(st, task, e.code);
    }
}

/// Hands a runtime report, if there is one, to the task's agent.
pub fn report(st: &mut State, e: Option<Exited>) {
    if let Some(e) = e {
        container_exited(st, e);
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

/// `sim node down`: the node's engine stops. Its containers stop with it; the manager notices
/// only when heartbeats stop arriving.
pub fn engine_stop(st: &mut State, node_id: &str) {
    let now = st.now();
    st.update::<Node>(node_id, |n| {
        n.sim.engine_up = false;
        n.sim.engine_down_since = Some(now);
        n.sim.wake = Some(now + HEARTBEAT_GRACE);
    });
    runtime::engine_stopped(st, node_id);
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
    let tids = tasks::task_ids_on(st, node_id);
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
    raft::elect(st);
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
        raft::elect(st);
        if raft::has_leader(st) {
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
