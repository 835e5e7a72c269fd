//! The kubelets: a pod bound to a node has its images pulled from the simulated catalog and
//! its containers started a moment later (an unknown image stays in ErrImagePull), gets an IP
//! from its node's pod block, and turns Ready. Each container runs its image's program (the
//! same programs the swarm's containers run): one that exits is restarted as the pod's
//! restartPolicy says, with CrashLoopBackOff's doubling back-off, or ends the pod Succeeded
//! or Failed. A deleted pod's containers get SIGTERM and the pod goes once they have exited
//! (or its grace period is over).

use crate::base::time::{SimDuration, SimTime};
use crate::infra::images::{self, Program};
use crate::kube::events::{self, Reporter};
use crate::kube::names;
use crate::model::kube::*;
use crate::state::State;
use k8s_openapi::api::core::v1::{
    Container, ContainerImage, ContainerState, ContainerStateRunning, ContainerStateTerminated,
    ContainerStateWaiting, ContainerStatus, PodCondition, PodIP,
};

/// From binding to running containers (pull and start).
pub const STARTUP: SimDuration = SimDuration::from_secs(2);
/// The longest CrashLoopBackOff back-off.
const MAX_BACKOFF: SimDuration = SimDuration::from_secs(300);

/// A pod whose containers have all ended for good.
pub fn finished(p: &Pod) -> bool {
    matches!(
        p.status.as_ref().and_then(|s| s.phase.as_deref()),
        Some("Succeeded" | "Failed")
    )
}

pub fn condition<'a>(p: &'a Pod, ty: &str) -> Option<&'a PodCondition> {
    p.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|cs| cs.iter().find(|c| c.type_ == ty))
}

/// Sets one of the pod's conditions (replacing the one of its type).
pub(super) fn set_condition(p: &mut Pod, c: PodCondition) {
    let st = p.status.get_or_insert_default();
    let cs = st.conditions.get_or_insert_default();
    match cs.iter_mut().find(|x| x.type_ == c.type_) {
        Some(x) => *x = c,
        None => cs.push(c),
    }
}

/// Whether the pod is Ready.
pub fn ready(p: &Pod) -> bool {
    condition(p, "Ready").is_some_and(|c| c.status == "True")
}

/// The pod addresses in use on each node, read from the pods once per kubelet pass (when a
/// pod first needs one) and kept up to date as the pass gives them out.
#[derive(Default)]
struct PodIps(Option<std::collections::HashMap<String, std::collections::HashSet<String>>>);

impl PodIps {
    /// The first free address of the node's pod block (10.3.104.0/26 gives 10.3.104.1, ...),
    /// taken.
    fn take(&mut self, st: &State, node: &str) -> Option<String> {
        let n = st.get::<KubeNode>(node)?;
        let cidr = n.spec.as_ref()?.pod_cidr.as_deref()?;
        let (base, bits) = cidr.split_once('/')?;
        let base: std::net::Ipv4Addr = base.parse().ok()?;
        let bits: u32 = bits.parse().ok()?;
        let size = 1u32 << (32 - bits.min(32));
        let all = self.0.get_or_insert_with(|| {
            let mut all: std::collections::HashMap<_, std::collections::HashSet<_>> =
                Default::default();
            for p in st.all::<Pod>() {
                let on = p.spec.as_ref().and_then(|s| s.node_name.clone());
                let ip = p.status.as_ref().and_then(|s| s.pod_ip.clone());
                if let (Some(on), Some(ip)) = (on, ip) {
                    all.entry(on).or_default().insert(ip);
                }
            }
            all
        });
        let used = all.entry(node.to_string()).or_default();
        let ip = (1..size.saturating_sub(1))
            .map(|i| std::net::Ipv4Addr::from(u32::from(base) + i).to_string())
            .find(|ip| !used.contains(ip))?;
        used.insert(ip.clone());
        Some(ip)
    }
}

fn cond(ty: &str, ok: bool, at: &Time) -> PodCondition {
    PodCondition {
        type_: ty.into(),
        status: if ok { "True" } else { "False" }.into(),
        last_transition_time: Some(at.clone()),
        ..Default::default()
    }
}

/// What a pod's container runs: its image's program for its command, args and env (`None`
/// for an image the catalog does not have).
pub fn program(c: &Container) -> Option<Program> {
    let (info, _) = images::lookup(c.image.as_deref().unwrap_or_default())?;
    let argv = images::effective_argv(
        info,
        c.command.as_deref().unwrap_or_default(),
        c.args.as_deref().unwrap_or_default(),
    );
    let env: Vec<String> = c
        .env
        .iter()
        .flatten()
        .map(|e| format!("{}={}", e.name, e.value.as_deref().unwrap_or_default()))
        .collect();
    Some(images::program_for(info, &argv, &env))
}

/// The seed of a container run's log (its ID).
pub fn log_seed(s: &ContainerStatus) -> u64 {
    crate::base::rng::stable_hash(s.container_id.as_deref().unwrap_or(&s.name))
}

fn backoff(restarts: i32) -> SimDuration {
    if restarts <= 0 {
        return SimDuration::ZERO;
    }
    let d = SimDuration::from_secs(10 << (restarts - 1).min(5));
    if d > MAX_BACKOFF { MAX_BACKOFF } else { d }
}

/// Runs every kubelet's pods up to now; returns when one is next due.
pub fn run(st: &mut State) -> Option<SimTime> {
    let now = st.now();
    let keys: Vec<String> = st
        .all::<Pod>()
        .filter(|p| {
            p.spec
                .as_ref()
                .and_then(|s| s.node_name.as_deref())
                .is_some_and(|n| !st.meta.kube.down.contains_key(n))
                && (!finished(p) || p.metadata.deletion_timestamp.is_some())
        })
        .map(|p| object_key(&p.metadata))
        .collect();
    let mut next: Option<SimTime> = None;
    let mut ips = PodIps::default();
    for key in keys {
        if let Some(t) = pod(st, &key, now, &mut ips) {
            next = Some(next.map_or(t, |n: SimTime| n.min(t)));
        }
    }
    next
}

fn kubelet(node: &str) -> Reporter<'_> {
    Reporter {
        component: "kubelet",
        host: Some(node),
    }
}

/// Admits a pod that came bound to its node: scheduled as of its creation, on the node's
/// address; the kubelet goes on with it at once.
fn admit(st: &mut State, key: &str, p: &Pod, node: &str, now: SimTime) -> Option<SimTime> {
    let created = p
        .metadata
        .creation_timestamp
        .clone()
        .unwrap_or_else(|| time(now));
    let node = node.to_string();
    st.update::<Pod>(key, |p| {
        p.status.get_or_insert_default().host_ip = Some(node);
        set_condition(
            p,
            PodCondition {
                type_: "PodScheduled".into(),
                status: "True".into(),
                last_transition_time: Some(created),
                ..Default::default()
            },
        );
    });
    Some(now)
}

/// One pod on its node: returns when it next needs the kubelet.
fn pod(st: &mut State, key: &str, now: SimTime, ips: &mut PodIps) -> Option<SimTime> {
    let p = st.get::<Pod>(key)?.clone();
    let spec = p.spec.clone()?;
    let node = spec.node_name.clone()?;
    if p.metadata.deletion_timestamp.is_some() {
        return terminate(st, key, &p, now);
    }
    let bound = match condition(&p, "PodScheduled").filter(|c| c.status == "True") {
        Some(c) => sim_time(c.last_transition_time.as_ref()?),
        // A pod created bound to this node (`spec.nodeName`, no scheduler): the kubelet
        // admits it and reports it scheduled, from its creation.
        None => return admit(st, key, &p, &node, now),
    };
    let start = bound + STARTUP;
    let mut statuses = p
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.clone())
        .unwrap_or_default();
    if now < start {
        if statuses.is_empty() {
            pulling(st, &p, &node, &spec.containers);
            let creating = spec
                .containers
                .iter()
                .map(|c| waiting(c, "ContainerCreating", None));
            let statuses: Vec<ContainerStatus> = creating.collect();
            st.update::<Pod>(key, |p| {
                p.status.get_or_insert_default().container_statuses = Some(statuses);
            });
        }
        return Some(start);
    }
    let policy = spec.restart_policy.as_deref().unwrap_or("Always");
    let mut next: Option<SimTime> = None;
    let mut first_start = false;
    for c in &spec.containers {
        let i = match statuses.iter().position(|s| s.name == c.name) {
            Some(i) => i,
            None => {
                statuses.push(waiting(c, "ContainerCreating", None));
                statuses.len() - 1
            }
        };
        let s = &mut statuses[i];
        let Some(prog) = program(c) else {
            if !is_waiting(s, "ErrImagePull") {
                let image = c.image.clone().unwrap_or_default();
                let msg = pull_denied(&image);
                let about = events::about_container(&p, &c.name);
                events::record(
                    st,
                    about.clone(),
                    true,
                    "Failed",
                    &format!("Failed to pull image \"{image}\": {msg}"),
                    &kubelet(&node),
                );
                events::record(
                    st,
                    about,
                    true,
                    "Failed",
                    "Error: ErrImagePull",
                    &kubelet(&node),
                );
                *s = waiting(c, "ErrImagePull", Some(msg));
            }
            continue;
        };
        first_start |= is_waiting(s, "ContainerCreating");
        if let Some(t) = evolve(st, &p, &node, c, s, &prog, policy, start, now) {
            next = Some(next.map_or(t, |n: SimTime| n.min(t)));
        }
    }
    let ip = match p.status.as_ref().and_then(|s| s.pod_ip.clone()) {
        Some(ip) => Some(ip),
        None if first_start && spec.host_network == Some(true) => st
            .get::<KubeNode>(&node)
            .and_then(|n| n.status.as_ref()?.addresses.as_ref()?.first().cloned())
            .map(|a| a.address),
        None if first_start => ips.take(st, &node),
        None => None,
    };
    let phase = phase(&statuses, policy);
    let all_running = statuses
        .iter()
        .all(|s| s.state.as_ref().is_some_and(|x| x.running.is_some()));
    let t = time(now);
    let mut updated = p.clone();
    let s = updated.status.get_or_insert_default();
    s.phase = Some(phase.into());
    s.start_time = s.start_time.clone().or_else(|| Some(time(bound)));
    if let Some(ip) = ip {
        s.pod_ip = Some(ip.clone());
        s.pod_ips = Some(vec![PodIP { ip }]);
    }
    s.host_ips = s
        .host_ip
        .clone()
        .map(|ip| vec![k8s_openapi::api::core::v1::HostIP { ip }]);
    let old_conds = s.conditions.clone().unwrap_or_default();
    let keep = |ty: &str, ok: bool| -> PodCondition {
        match old_conds.iter().find(|c| c.type_ == ty) {
            Some(c) if (c.status == "True") == ok => c.clone(),
            _ => cond(ty, ok, &t),
        }
    };
    let done = matches!(phase, "Succeeded" | "Failed");
    let mut ready = keep("Ready", all_running);
    let mut containers_ready = keep("ContainersReady", all_running);
    if done {
        ready.reason = Some("PodCompleted".into());
        containers_ready.reason = Some("PodCompleted".into());
    }
    let scheduled = old_conds
        .iter()
        .find(|c| c.type_ == "PodScheduled")
        .cloned();
    s.conditions = Some(
        [
            Some(keep("PodReadyToStartContainers", !done)),
            Some(keep("Initialized", true)),
            Some(ready),
            Some(containers_ready),
            scheduled,
        ]
        .into_iter()
        .flatten()
        .collect(),
    );
    for c in s.conditions.iter_mut().flatten() {
        if c.type_ == "Initialized" && done {
            c.reason = Some("PodCompleted".into());
        }
    }
    s.container_statuses = Some(statuses);
    if updated.status != p.status {
        let status = updated.status;
        st.update::<Pod>(key, |p| p.status = status);
    }
    if done { None } else { next }
}

fn pull_denied(image: &str) -> String {
    let q = qualified(image);
    format!(
        "failed to pull and unpack image \"{q}\": failed to resolve reference \"{q}\": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed"
    )
}

/// The pull events of a pod's images, and the images recorded on the node.
fn pulling(st: &mut State, p: &Pod, node: &str, containers: &[Container]) {
    for c in containers {
        let image = c.image.clone().unwrap_or_default();
        let Some((info, r)) = images::lookup(&image) else {
            events::record(
                st,
                events::about_container(p, &c.name),
                false,
                "Pulling",
                &format!("Pulling image \"{image}\""),
                &kubelet(node),
            );
            continue;
        };
        let name = qualified(&r.familiar());
        let present = st.get::<KubeNode>(node).is_some_and(|n| {
            n.status
                .as_ref()
                .and_then(|s| s.images.as_ref())
                .is_some_and(|is| {
                    is.iter()
                        .any(|i| i.names.iter().flatten().any(|n| *n == name))
                })
        });
        let about = events::about_container(p, &c.name);
        if present && c.image_pull_policy.as_deref() != Some("Always") {
            let msg = format!("Container image \"{image}\" already present on machine");
            events::record(st, about, false, "Pulled", &msg, &kubelet(node));
            continue;
        }
        events::record(
            st,
            about.clone(),
            false,
            "Pulling",
            &format!("Pulling image \"{image}\""),
            &kubelet(node),
        );
        let size = info.memory_mb.max(1) * 1_048_576 + 4_000_000;
        let secs = (info.pull_ms as f64 / 4000.0).max(0.5);
        let msg = format!(
            "Successfully pulled image \"{image}\" in {secs:.3}s ({secs:.3}s including waiting). Image size: {size} bytes."
        );
        events::record(st, about, false, "Pulled", &msg, &kubelet(node));
        if !present {
            let digest = format!(
                "{}@{}",
                qualified(&r.repo),
                images::digest_of(&r.familiar())
            );
            st.update::<KubeNode>(node, |n| {
                n.status
                    .get_or_insert_default()
                    .images
                    .get_or_insert_default()
                    .push(ContainerImage {
                        names: Some(vec![digest, name]),
                        size_bytes: Some(size),
                    });
            });
        }
    }
}

fn waiting(c: &Container, reason: &str, message: Option<String>) -> ContainerStatus {
    ContainerStatus {
        name: c.name.clone(),
        image: c.image.clone().unwrap_or_default(),
        image_id: String::new(),
        ready: false,
        started: Some(false),
        restart_count: 0,
        state: Some(ContainerState {
            waiting: Some(ContainerStateWaiting {
                reason: Some(reason.into()),
                message,
            }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn is_waiting(s: &ContainerStatus, reason: &str) -> bool {
    s.state
        .as_ref()
        .and_then(|x| x.waiting.as_ref())
        .and_then(|w| w.reason.as_deref())
        == Some(reason)
}

/// Starts a container run at `at`.
fn run_container(st: &mut State, c: &Container, s: &mut ContainerStatus, at: SimTime) {
    let image = c.image.clone().unwrap_or_default();
    if let Some((_, r)) = images::lookup(&image) {
        s.image = qualified(&r.familiar());
        s.image_id = format!(
            "{}@{}",
            qualified(&r.repo),
            images::digest_of(&r.familiar())
        );
    }
    s.container_id = Some(format!(
        "containerd://{}",
        names::hex(&mut st.meta.kube.rng, 64)
    ));
    s.ready = true;
    s.started = Some(true);
    s.state = Some(ContainerState {
        running: Some(ContainerStateRunning {
            started_at: Some(time(at)),
        }),
        ..Default::default()
    });
}

/// Moves one container along from its status to now: first start, exits, restarts.
#[allow(clippy::too_many_arguments)]
fn evolve(
    st: &mut State,
    p: &Pod,
    node: &str,
    c: &Container,
    s: &mut ContainerStatus,
    prog: &Program,
    policy: &str,
    start: SimTime,
    now: SimTime,
) -> Option<SimTime> {
    let about = || events::about_container(p, &c.name);
    // A container that crashes fast goes round many times in a long jump; the back-off
    // caps that at one turn per five minutes.
    for _ in 0..10_000 {
        let state = s.state.clone().unwrap_or_default();
        if state.waiting.as_ref().and_then(|w| w.reason.as_deref()) == Some("ContainerCreating") {
            run_container(st, c, s, start);
            events::record(
                st,
                about(),
                false,
                "Created",
                &format!("Created container {}", c.name),
                &kubelet(node),
            );
            events::record(
                st,
                about(),
                false,
                "Started",
                &format!("Started container {}", c.name),
                &kubelet(node),
            );
            continue;
        }
        if let Some(r) = &state.running {
            let began = r.started_at.as_ref().map(sim_time).unwrap_or(start);
            let (after, code) = prog.exit?;
            let end = began + after;
            if end > now {
                return Some(end);
            }
            let term = ContainerStateTerminated {
                exit_code: code as i32,
                reason: Some(if code == 0 { "Completed" } else { "Error" }.into()),
                started_at: r.started_at.clone(),
                finished_at: Some(time(end)),
                container_id: s.container_id.clone(),
                ..Default::default()
            };
            if !ended(st, p, node, c, s, term, policy, end) {
                return None;
            }
            continue;
        }
        if state.waiting.as_ref().and_then(|w| w.reason.as_deref()) == Some("CrashLoopBackOff") {
            let ended = s
                .last_state
                .as_ref()
                .and_then(|l| l.terminated.as_ref())
                .and_then(|t| t.finished_at.as_ref())
                .map(sim_time)
                .unwrap_or(now);
            let due = ended + backoff(s.restart_count);
            if due > now {
                return Some(due);
            }
            s.restart_count += 1;
            run_container(st, c, s, due);
            continue;
        }
        return None;
    }
    None
}

/// A container run has ended (`term`, at `end`): restarted at once, put in CrashLoopBackOff,
/// or left terminated, as the pod's restartPolicy says. Returns whether it runs again.
#[allow(clippy::too_many_arguments)]
fn ended(
    st: &mut State,
    p: &Pod,
    node: &str,
    c: &Container,
    s: &mut ContainerStatus,
    term: ContainerStateTerminated,
    policy: &str,
    end: SimTime,
) -> bool {
    let restart = policy == "Always" || (policy == "OnFailure" && term.exit_code != 0);
    s.ready = false;
    s.started = Some(false);
    if !restart {
        s.state = Some(ContainerState {
            terminated: Some(term),
            ..Default::default()
        });
        return false;
    }
    s.last_state = Some(ContainerState {
        terminated: Some(term),
        ..Default::default()
    });
    let wait = backoff(s.restart_count);
    if wait.is_zero() {
        s.restart_count += 1;
        run_container(st, c, s, end);
        return true;
    }
    let pod = format!(
        "{}_{}({})",
        p.metadata.name.as_deref().unwrap_or_default(),
        p.metadata.namespace.as_deref().unwrap_or_default(),
        p.metadata.uid.as_deref().unwrap_or_default()
    );
    let msg = format!(
        "back-off {} restarting failed container={} pod={pod}",
        crate::kube::print::human_duration(wait.0),
        c.name,
    );
    events::record(
        st,
        events::about_container(p, &c.name),
        true,
        "BackOff",
        &format!(
            "Back-off restarting failed container {} in pod {pod}",
            c.name
        ),
        &kubelet(node),
    );
    s.state = Some(ContainerState {
        waiting: Some(ContainerStateWaiting {
            reason: Some("CrashLoopBackOff".into()),
            message: Some(msg),
        }),
        ..Default::default()
    });
    true
}

/// A running container of a pod exits now with `code` (`sim pod crash`, or `255`/`Unknown`
/// when its node restarts); the kubelet handles it as any exit. Returns the container's name.
pub fn exit_container(
    st: &mut State,
    key: &str,
    container: Option<&str>,
    code: i32,
    reason: &str,
) -> Result<String, String> {
    let p = st
        .get::<Pod>(key)
        .cloned()
        .ok_or_else(|| format!("no such pod: {key}"))?;
    let spec = p.spec.clone().unwrap_or_default();
    let node = spec
        .node_name
        .clone()
        .ok_or_else(|| format!("pod {key} is not running: it is not on a node yet"))?;
    let c = match container {
        Some(name) => spec
            .containers
            .iter()
            .find(|c| c.name == name)
            .ok_or_else(|| format!("pod {key} has no container {name:?}"))?,
        None => spec
            .containers
            .first()
            .ok_or_else(|| format!("pod {key} has no containers"))?,
    };
    let mut statuses = p
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.clone())
        .unwrap_or_default();
    let now = st.now();
    let s = statuses
        .iter_mut()
        .find(|s| s.name == c.name)
        .filter(|s| s.state.as_ref().is_some_and(|x| x.running.is_some()))
        .ok_or_else(|| format!("container {} of pod {key} is not running", c.name))?;
    let term = ContainerStateTerminated {
        exit_code: code,
        reason: Some(reason.into()),
        started_at: s
            .state
            .as_ref()
            .and_then(|x| x.running.as_ref())
            .and_then(|r| r.started_at.clone()),
        finished_at: Some(time(now)),
        container_id: s.container_id.clone(),
        ..Default::default()
    };
    let policy = spec.restart_policy.as_deref().unwrap_or("Always");
    ended(st, &p, &node, c, s, term, policy, now);
    st.update::<Pod>(key, |p| {
        p.status.get_or_insert_default().container_statuses = Some(statuses);
    });
    Ok(c.name.clone())
}

/// A pod's phase from its containers.
fn phase(statuses: &[ContainerStatus], policy: &str) -> &'static str {
    let term: Vec<Option<i32>> = statuses
        .iter()
        .map(|s| {
            s.state
                .as_ref()
                .and_then(|x| x.terminated.as_ref())
                .map(|t| t.exit_code)
        })
        .collect();
    if statuses.iter().any(|s| {
        s.state
            .as_ref()
            .and_then(|x| x.waiting.as_ref())
            .and_then(|w| w.reason.as_deref())
            .is_some_and(|r| r == "ContainerCreating" || r.contains("Image"))
            && s.restart_count == 0
            && s.last_state.is_none()
    }) {
        return "Pending";
    }
    if policy != "Always" && !term.is_empty() && term.iter().all(Option::is_some) {
        return if term.iter().all(|c| *c == Some(0)) {
            "Succeeded"
        } else {
            "Failed"
        };
    }
    "Running"
}

/// A deleted pod: SIGTERM to its containers, and the pod goes when they have exited (or its
/// grace period is over). Returns when to look again.
fn terminate(st: &mut State, key: &str, p: &Pod, now: SimTime) -> Option<SimTime> {
    let deadline = sim_time(p.metadata.deletion_timestamp.as_ref()?);
    let grace = SimDuration::from_secs(p.metadata.deletion_grace_period_seconds.unwrap_or(0));
    let began = SimTime(deadline.0 - grace.0);
    let spec = p.spec.as_ref()?;
    let statuses = p
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.clone())
        .unwrap_or_default();
    let mut gone_at = began;
    for c in &spec.containers {
        let running = statuses
            .iter()
            .any(|s| s.name == c.name && s.state.as_ref().is_some_and(|x| x.running.is_some()));
        if !running {
            continue;
        }
        let stop = match program(c) {
            Some(prog) if prog.handles_sigterm => {
                let t = began + prog.stop_time.max(SimDuration::from_millis(100));
                if t < deadline { t } else { deadline }
            }
            _ => deadline,
        };
        gone_at = gone_at.max(stop);
    }
    if now < gone_at {
        return Some(gone_at);
    }
    st.remove::<Pod>(key);
    None
}

/// Records that a pod's containers are being stopped (the API server's graceful delete).
pub fn killing(st: &mut State, p: &Pod) {
    let Some(node) = p.spec.as_ref().and_then(|s| s.node_name.clone()) else {
        return;
    };
    if st.meta.kube.down.contains_key(&node) {
        return;
    }
    for c in p.spec.iter().flat_map(|s| &s.containers) {
        events::record(
            st,
            events::about_container(p, &c.name),
            false,
            "Killing",
            &format!("Stopping container {}", c.name),
            &kubelet(&node),
        );
    }
}

/// The full reference containerd reports: `nginx:1.15-alpine` →
/// `docker.io/library/nginx:1.15-alpine` (Docker Hub's official images), `calico/node:v3` →
/// `docker.io/calico/node:v3`, `registry.k8s.io/pause:3.10` as it is.
fn qualified(image: &str) -> String {
    let first = image.split('/').next().unwrap_or_default();
    if image.contains('/') && (first.contains('.') || first.contains(':')) {
        image.to_string()
    } else if image.contains('/') {
        format!("docker.io/{image}")
    } else {
        format!("docker.io/library/{image}")
    }
}
