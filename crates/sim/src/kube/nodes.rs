//! Node lifecycle, as kube-controller-manager's node lifecycle and taint-eviction
//! controllers do it: a kubelet that stops posting status (`sim node down`) has its node's
//! conditions turn `Unknown` after the monitor grace period, the node tainted
//! `node.kubernetes.io/unreachable` (NoSchedule and NoExecute) and its pods marked not
//! ready; pods that tolerate the NoExecute taint for a while (five minutes unless they say
//! otherwise, [`DEFAULT_TOLERATION_SECONDS`]) are then deleted, and stay Terminating until
//! their kubelet is back to confirm. `sim node up` brings the kubelet back: the node is
//! Ready again, the taints go, and the containers it had restart. `sim node add --cluster
//! kubernetes` registers new nodes.

use super::{events, kubelet, names, scheduler, seed};
use crate::base::time::{SimDuration, SimTime};
use crate::model::NodeTemplate;
use crate::model::kube::*;
use crate::state::State;
use k8s_openapi::api::core::v1::Taint;

/// kube-controller-manager's `--node-monitor-grace-period` (1.32).
pub const GRACE: SimDuration = SimDuration::from_secs(40);
pub use super::defaults::{CONDITION_TAINTS, DEFAULT_TOLERATION_SECONDS};
const NOT_READY: &str = CONDITION_TAINTS[0];
const UNREACHABLE: &str = CONDITION_TAINTS[1];

/// The simulator's changes to the Kubernetes cluster's machines.
#[derive(Clone, Debug, PartialEq)]
pub enum KubeCommand {
    /// The node's kubelet stops (the machine goes down).
    NodeDown { node: String },
    /// It starts again.
    NodeUp { node: String },
    /// New nodes register.
    AddNodes(NodeTemplate),
    /// A running container of a pod (`namespace/name`) exits with a code.
    ContainerExit {
        pod: String,
        container: Option<String>,
        code: i32,
    },
}

/// Applies one command (inside the caller's transaction); returns the names it touched.
pub fn handle(st: &mut State, cmd: KubeCommand) -> Result<Vec<String>, String> {
    let out = match cmd {
        KubeCommand::NodeDown { node } => down(st, &node).map(|()| vec![node]),
        KubeCommand::NodeUp { node } => up(st, &node).map(|()| vec![node]),
        KubeCommand::AddNodes(tpl) => add(st, &tpl),
        KubeCommand::ContainerExit {
            pod,
            container,
            code,
        } => {
            kubelet::exit_container(st, &pod, container.as_deref(), code, "Error").map(|c| vec![c])
        }
    }?;
    Ok(out)
}

/// A node by its name or its host name (`192.168.122.13` or `node1`).
pub fn find<'a>(st: &'a State, key: &str) -> Option<&'a KubeNode> {
    st.get::<KubeNode>(key).or_else(|| {
        st.all::<KubeNode>().find(|n| {
            n.status
                .as_ref()
                .and_then(|s| s.addresses.as_ref())
                .is_some_and(|a| a.iter().any(|a| a.type_ == "Hostname" && a.address == key))
        })
    })
}

/// Whether a node's kubelet is stopped.
pub fn is_down(st: &State, node: &str) -> bool {
    st.meta.kube.down.contains_key(node)
}

fn down(st: &mut State, node: &str) -> Result<(), String> {
    if st.get::<KubeNode>(node).is_none() {
        return Err(format!("no such node: {node}"));
    }
    if is_down(st, node) {
        return Err(format!("{node} is already down"));
    }
    let now = st.now();
    st.meta.kube.down.insert(node.to_string(), now);
    Ok(())
}

fn up(st: &mut State, node: &str) -> Result<(), String> {
    let Some(n) = st.get::<KubeNode>(node).cloned() else {
        return Err(format!("no such node: {node}"));
    };
    if st.meta.kube.down.remove(node).is_none() {
        return Err(format!("{node} is not down"));
    }
    let now = st.now();
    let t = time(now);
    let boot = names::uid(&mut st.meta.kube.rng);
    let was_ready = scheduler::node_ready(&n);
    st.update::<KubeNode>(node, |n| {
        let s = n.status.get_or_insert_default();
        s.conditions = Some(seed::healthy_conditions(&t));
        if let Some(info) = s.node_info.as_mut() {
            info.boot_id = boot;
        }
        if let Some(spec) = n.spec.as_mut() {
            spec.taints = spec.taints.take().and_then(|ts| {
                let kept: Vec<Taint> = ts
                    .into_iter()
                    .filter(|t| !CONDITION_TAINTS.contains(&t.key.as_str()))
                    .collect();
                (!kept.is_empty()).then_some(kept)
            });
        }
    });
    let kubelet = events::Reporter {
        component: "kubelet",
        host: Some(node),
    };
    let about = events::about(&n);
    events::record(
        st,
        about.clone(),
        false,
        "Starting",
        "Starting kubelet.",
        &kubelet,
    );
    if !was_ready {
        let msg = format!("Node {node} status is now: NodeReady");
        events::record(st, about, false, "NodeReady", &msg, &kubelet);
    }
    // The machine restarted: every container it ran has gone and is started again.
    let pods: Vec<String> = st
        .all::<Pod>()
        .filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(node))
        .filter(|p| p.metadata.deletion_timestamp.is_none() && !kubelet::finished(p))
        .map(|p| object_key(&p.metadata))
        .collect();
    for key in pods {
        let containers: Vec<String> = st
            .get::<Pod>(&key)
            .and_then(|p| p.spec.as_ref())
            .map(|s| s.containers.iter().map(|c| c.name.clone()).collect())
            .unwrap_or_default();
        for c in containers {
            // A container that was not running (waiting, ended) has nothing to lose.
            let _ = kubelet::exit_container(st, &key, Some(&c), 255, "Unknown");
        }
    }
    Ok(())
}

fn valid_name(n: &str) -> bool {
    !n.is_empty()
        && n.len() <= 253
        && n.split('.').all(|part| {
            !part.is_empty()
                && part.len() <= 63
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !part.starts_with('-')
                && !part.ends_with('-')
        })
}

/// The first `n` unused `/26` pod blocks: 10.3.0.0/16 first (the seed's Calico pool),
/// then the /16s after it for a cluster bigger than that pool.
fn free_blocks(st: &State, n: usize) -> Vec<String> {
    let used: std::collections::HashSet<String> = st
        .all::<KubeNode>()
        .filter_map(|n| n.spec.as_ref().and_then(|s| s.pod_cidr.clone()))
        .collect();
    (0..253 * 1024u32)
        .map(|i| {
            let b = i % 1024;
            format!("10.{}.{}.{}/26", 3 + i / 1024, b / 4, (b % 4) * 64)
        })
        .filter(|b| !used.contains(b))
        .take(n)
        .collect()
}

/// The first `n` unused node addresses: 192.168.122.15 up (after the seed's four), then
/// the /24s after it.
fn free_ips(st: &State, n: usize) -> Vec<String> {
    let used: std::collections::HashSet<String> = st
        .all::<KubeNode>()
        .flat_map(|n| {
            n.status
                .iter()
                .flat_map(|s| s.addresses.iter().flatten())
                .map(|a| a.address.clone())
                .collect::<Vec<_>>()
        })
        .collect();
    (122..=255u32)
        .flat_map(|third| {
            let first = if third == 122 { 15 } else { 1 };
            (first..255u32).map(move |last| format!("192.168.{third}.{last}"))
        })
        .filter(|ip| !used.contains(ip))
        .take(n)
        .collect()
}

fn add(st: &mut State, tpl: &NodeTemplate) -> Result<Vec<String>, String> {
    let names = tpl.names()?;
    // Every name and host name taken, once (not a search of all nodes per new one).
    let taken: std::collections::HashSet<&str> = st
        .all::<KubeNode>()
        .flat_map(|n| {
            let hosts = n
                .status
                .iter()
                .flat_map(|s| s.addresses.iter().flatten())
                .filter(|a| a.type_ == "Hostname")
                .map(|a| a.address.as_str());
            n.metadata.name.as_deref().into_iter().chain(hosts)
        })
        .collect();
    for n in &names {
        if !valid_name(n) {
            return Err(format!(
                "invalid node name {n:?}: a lowercase RFC 1123 subdomain (letters, digits, '-' and '.')"
            ));
        }
        if taken.contains(n.as_str()) || st.index().node_names.contains_key(n) {
            return Err(format!("a node named {n} already exists"));
        }
    }
    let milli = (tpl.cpus * 1000.0).round() as i64;
    let cpu = if milli % 1000 == 0 {
        (milli / 1000).to_string()
    } else {
        format!("{milli}m")
    };
    let memory_ki = (tpl.memory / 1024).max(1) as u64;
    let control_plane = tpl.role == crate::model::NodeRole::Manager;
    let ips = free_ips(st, names.len());
    let blocks = free_blocks(st, names.len());
    if ips.len() < names.len() {
        return Err("no free node addresses left in 192.168.122.0-192.168.255.0".into());
    }
    if blocks.len() < names.len() {
        return Err("no free pod blocks left in 10.3.0.0-10.255.255.0".into());
    }
    for ((name, ip), block) in names.iter().zip(ips).zip(blocks) {
        let mut node = seed::node(st, name, name, control_plane, &block, &cpu, memory_ki);
        if let Some(a) = node.status.as_mut().and_then(|s| s.addresses.as_mut()) {
            a[0].address = ip.clone();
        }
        let labels = node.metadata.labels.get_or_insert_default();
        labels.insert("kubernetes.io/arch".into(), arch(&tpl.arch).into());
        labels.insert("beta.kubernetes.io/arch".into(), arch(&tpl.arch).into());
        for (k, v) in &tpl.labels {
            labels.insert(k.clone(), v.clone());
        }
        if let Some(info) = node.status.as_mut().and_then(|s| s.node_info.as_mut()) {
            info.architecture = arch(&tpl.arch).into();
        }
        let about = events::about(&node);
        st.insert(node);
        let msg = format!("Node {name} event: Registered Node {name} in Controller");
        events::record(
            st,
            about,
            false,
            "RegisteredNode",
            &msg,
            &events::controller("node-controller"),
        );
    }
    Ok(names)
}

/// Docker's architecture names as Kubernetes spells them.
fn arch(a: &str) -> &str {
    match a {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

/// One pass of the node lifecycle and taint-eviction controllers: returns when it is next
/// due.
pub fn run(st: &mut State) -> Option<SimTime> {
    let now = st.now();
    let mut next: Option<SimTime> = None;
    for (node, since) in st.meta.kube.down.clone() {
        let due = since + GRACE;
        if now < due {
            next = Some(next.map_or(due, |n: SimTime| n.min(due)));
        } else if st.get::<KubeNode>(&node).is_some_and(scheduler::node_ready) {
            unreachable(st, &node, now);
        }
    }
    match (next, evict(st, now)) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The kubelet has not been heard from for the grace period.
fn unreachable(st: &mut State, node: &str, now: SimTime) {
    let t = time(now);
    st.update::<KubeNode>(node, |n| {
        let s = n.status.get_or_insert_default();
        for c in s.conditions.iter_mut().flatten() {
            c.status = "Unknown".into();
            c.reason = Some("NodeStatusUnknown".into());
            c.message = Some("Kubelet stopped posting node status.".into());
            c.last_transition_time = Some(t.clone());
        }
        let taints = n
            .spec
            .get_or_insert_default()
            .taints
            .get_or_insert_default();
        taints.retain(|x| x.key != NOT_READY);
        for effect in ["NoSchedule", "NoExecute"] {
            if !taints
                .iter()
                .any(|x| x.key == UNREACHABLE && x.effect == effect)
            {
                taints.push(Taint {
                    key: UNREACHABLE.into(),
                    effect: effect.into(),
                    time_added: Some(t.clone()),
                    value: None,
                });
            }
        }
    });
    let Some(n) = st.get::<KubeNode>(node).cloned() else {
        return;
    };
    let controller = events::controller("node-controller");
    let msg = format!("Node {node} status is now: NodeNotReady");
    events::record(
        st,
        events::about(&n),
        false,
        "NodeNotReady",
        &msg,
        &controller,
    );
    let pods: Vec<String> = st
        .all::<Pod>()
        .filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(node))
        .filter(|p| !kubelet::finished(p))
        .map(|p| object_key(&p.metadata))
        .collect();
    for key in pods {
        let Some(p) = st.get::<Pod>(&key).cloned() else {
            continue;
        };
        st.update::<Pod>(&key, |p| {
            for c in p
                .status
                .iter_mut()
                .flat_map(|s| s.conditions.iter_mut().flatten())
            {
                if c.type_ == "Ready" && c.status != "False" {
                    c.status = "False".into();
                    c.last_transition_time = Some(t.clone());
                }
            }
        });
        events::record(
            st,
            events::about(&p),
            true,
            "NodeNotReady",
            "Node is not ready",
            &controller,
        );
    }
}

/// When a pod on a node with NoExecute taints must go: now for a taint it does not
/// tolerate, after the shortest tolerationSeconds of the ones it does, never if it
/// tolerates them all for ever.
fn eviction_time(p: &Pod, taints: &[Taint]) -> Option<SimTime> {
    let tols = p
        .spec
        .as_ref()
        .and_then(|s| s.tolerations.as_deref())
        .unwrap_or_default();
    let mut at: Option<SimTime> = None;
    for t in taints.iter().filter(|t| t.effect == "NoExecute") {
        let added = t.time_added.as_ref().map(sim_time).unwrap_or(SimTime(0));
        let matching: Vec<_> = tols
            .iter()
            .filter(|tol| scheduler::tolerates(std::slice::from_ref(tol), t))
            .collect();
        let when = if matching.is_empty() {
            Some(added)
        } else if matching.iter().any(|tol| tol.toleration_seconds.is_none()) {
            None
        } else {
            let secs = matching
                .iter()
                .filter_map(|tol| tol.toleration_seconds)
                .min()
                .unwrap_or(0)
                .max(0);
            Some(added + SimDuration::from_secs(secs))
        };
        if let Some(w) = when {
            at = Some(at.map_or(w, |a: SimTime| a.min(w)));
        }
    }
    at
}

/// Deletes the pods whose NoExecute taints are due; returns the next such moment.
fn evict(st: &mut State, now: SimTime) -> Option<SimTime> {
    let tainted: Vec<(String, Vec<Taint>)> = st
        .all::<KubeNode>()
        .filter_map(|n| {
            let ts = n.spec.as_ref()?.taints.as_ref()?;
            ts.iter()
                .any(|t| t.effect == "NoExecute")
                .then(|| (n.metadata.name.clone().unwrap_or_default(), ts.clone()))
        })
        .collect();
    let mut next: Option<SimTime> = None;
    for (node, taints) in tainted {
        let due: Vec<(String, SimTime)> = st
            .all::<Pod>()
            .filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(&node))
            .filter(|p| p.metadata.deletion_timestamp.is_none() && !kubelet::finished(p))
            .filter_map(|p| Some((object_key(&p.metadata), eviction_time(p, &taints)?)))
            .collect();
        for (key, at) in due {
            if at > now {
                next = Some(next.map_or(at, |n: SimTime| n.min(at)));
                continue;
            }
            let Some(p) = st.get::<Pod>(&key).cloned() else {
                continue;
            };
            let msg = format!("Marking for deletion Pod {key}");
            events::record(
                st,
                events::about(&p),
                false,
                "TaintManagerEviction",
                &msg,
                &events::controller("taint-eviction-controller"),
            );
            super::gc::delete_pod(st, &key, None);
        }
    }
    next
}
