//! kube-scheduler: binds each pending pod to a node that passes the filters (Ready, not
//! cordoned, taints tolerated, nodeSelector, resource requests, pod count), preferring the
//! node with the fewest pods of the same owner, then the fewest pods, then the lower name.
//! A pod no node takes stays Pending with the scheduler's own message.

use crate::model::kube::*;
use crate::state::State;
use k8s_openapi::api::core::v1::{PodCondition, Taint, Toleration};
use std::collections::BTreeMap;

/// A quantity as a number: CPU in millicores, everything else in units (`128Mi`, `1.5G`).
pub fn quantity(q: &str, milli: bool) -> i64 {
    let q = q.trim();
    let split = q.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(q.len());
    let (num, unit) = q.split_at(split);
    let n: f64 = num.parse().unwrap_or(0.0);
    let mult: f64 = match unit {
        "m" => 0.001,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "Ki" => 1024.0,
        "Mi" => 1024.0 * 1024.0,
        "Gi" => 1024.0 * 1024.0 * 1024.0,
        "Ti" => 1024f64.powi(4),
        _ => 1.0,
    };
    let v = n * mult;
    (if milli { v * 1000.0 } else { v }).round() as i64
}

fn requests(p: &Pod) -> (i64, i64) {
    let mut cpu = 0;
    let mut mem = 0;
    for c in p.spec.iter().flat_map(|s| s.containers.iter()) {
        let r = c.resources.as_ref().and_then(|r| r.requests.as_ref());
        cpu += r
            .and_then(|r| r.get("cpu"))
            .map_or(0, |q| quantity(&q.0, true));
        mem += r
            .and_then(|r| r.get("memory"))
            .map_or(0, |q| quantity(&q.0, false));
    }
    (cpu, mem)
}

pub fn tolerates(tols: &[Toleration], t: &Taint) -> bool {
    tols.iter().any(|tol| {
        let key_ok = match tol.key.as_deref() {
            None | Some("") => tol.operator.as_deref() == Some("Exists"),
            Some(k) => k == t.key,
        };
        let effect_ok = tol
            .effect
            .as_deref()
            .is_none_or(|e| e.is_empty() || e == t.effect);
        let value_ok = match tol.operator.as_deref() {
            Some("Exists") => true,
            _ => tol.value.as_deref().unwrap_or("") == t.value.as_deref().unwrap_or(""),
        };
        key_ok && effect_ok && value_ok
    })
}

/// Whether a node is Ready.
pub fn node_ready(n: &KubeNode) -> bool {
    n.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|cs| cs.iter().find(|c| c.type_ == "Ready"))
        .is_some_and(|c| c.status == "True")
}

/// Why a node does not take a pod (the scheduler's wording), or None if it does.
fn unfit(p: &Pod, n: &KubeNode, on_node: &[&Pod]) -> Option<String> {
    let spec = p.spec.as_ref()?;
    let taints = n
        .spec
        .as_ref()
        .and_then(|s| s.taints.as_deref())
        .unwrap_or_default();
    // A node that is not Ready carries a taint saying why; until it does, it takes nothing.
    if !node_ready(n)
        && !taints
            .iter()
            .any(|t| crate::kube::nodes::CONDITION_TAINTS.contains(&t.key.as_str()))
    {
        return Some("node(s) had untolerated taint {node.kubernetes.io/not-ready: }".into());
    }
    if n.spec.as_ref().and_then(|s| s.unschedulable) == Some(true) {
        return Some("node(s) were unschedulable".into());
    }
    let tols = spec.tolerations.as_deref().unwrap_or_default();
    for t in taints {
        if (t.effect == "NoSchedule" || t.effect == "NoExecute") && !tolerates(tols, t) {
            return Some(format!(
                "node(s) had untolerated taint {{{}: {}}}",
                t.key,
                t.value.as_deref().unwrap_or("")
            ));
        }
    }
    if !selected(spec, n) {
        return Some("node(s) didn't match Pod's node affinity/selector".into());
    }
    let alloc = n
        .status
        .as_ref()
        .and_then(|s| s.allocatable.clone())
        .unwrap_or_default();
    let get = |k: &str, milli| alloc.get(k).map_or(i64::MAX, |q| quantity(&q.0, milli));
    if on_node.len() as i64 + 1 > get("pods", false) {
        return Some("Too many pods".into());
    }
    let (cpu, mem) = requests(p);
    let used = on_node
        .iter()
        .map(|q| requests(q))
        .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    if cpu > 0 && used.0 + cpu > get("cpu", true) {
        return Some("Insufficient cpu".into());
    }
    if mem > 0 && used.1 + mem > get("memory", false) {
        return Some("Insufficient memory".into());
    }
    None
}

/// Whether a node passes the pod's nodeSelector and required node affinity (label
/// expressions, and `metadata.name` fields as DaemonSet pods carry them).
pub fn selected(spec: &k8s_openapi::api::core::v1::PodSpec, n: &KubeNode) -> bool {
    let labels = n.metadata.labels.clone().unwrap_or_default();
    if let Some(sel) = spec.node_selector.as_ref()
        && sel.iter().any(|(k, v)| labels.get(k) != Some(v))
    {
        return false;
    }
    let terms = spec
        .affinity
        .as_ref()
        .and_then(|a| a.node_affinity.as_ref())
        .and_then(|a| {
            a.required_during_scheduling_ignored_during_execution
                .as_ref()
        })
        .map(|r| r.node_selector_terms.as_slice());
    let Some(terms) = terms.filter(|t| !t.is_empty()) else {
        return true;
    };
    let name = n.metadata.name.clone().unwrap_or_default();
    let req = |r: &k8s_openapi::api::core::v1::NodeSelectorRequirement, v: Option<&String>| {
        let vals = r.values.as_deref().unwrap_or_default();
        match r.operator.as_str() {
            "In" => v.is_some_and(|v| vals.contains(v)),
            "NotIn" => v.is_none_or(|v| !vals.contains(v)),
            "Exists" => v.is_some(),
            "DoesNotExist" => v.is_none(),
            _ => false,
        }
    };
    terms.iter().any(|t| {
        t.match_expressions
            .iter()
            .flatten()
            .all(|r| req(r, labels.get(&r.key)))
            && t.match_fields.iter().flatten().all(|r| {
                let v = (r.key == "metadata.name").then_some(&name);
                req(r, v)
            })
    })
}

fn unscheduled(p: &Pod) -> bool {
    p.metadata.deletion_timestamp.is_none()
        && p.spec
            .as_ref()
            .is_some_and(|s| s.node_name.as_deref().unwrap_or("").is_empty())
        && !super::kubelet::finished(p)
}

fn set_condition(p: &mut Pod, c: PodCondition) {
    let st = p.status.get_or_insert_default();
    let cs = st.conditions.get_or_insert_default();
    match cs.iter_mut().find(|x| x.type_ == c.type_) {
        Some(x) => *x = c,
        None => cs.push(c),
    }
}

/// One scheduling pass over every pending pod, oldest first.
pub fn run(st: &mut State) {
    let mut pending: Vec<(SimTimeKey, String)> = st
        .all::<Pod>()
        .filter(|p| unscheduled(p))
        .map(|p| {
            let t = p
                .metadata
                .creation_timestamp
                .as_ref()
                .map(|t| sim_time(t).0)
                .unwrap_or(0);
            (t, object_key(&p.metadata))
        })
        .collect();
    if pending.is_empty() {
        return;
    }
    pending.sort();
    let nodes: Vec<KubeNode> = st.all::<KubeNode>().cloned().collect();
    // The pods on each node, built once per pass and kept up to date as pods are bound.
    let mut on: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for q in st.all::<Pod>().filter(|q| !super::kubelet::finished(q)) {
        if let Some(n) = q.spec.as_ref().and_then(|s| s.node_name.clone()) {
            on.entry(n).or_default().push(object_key(&q.metadata));
        }
    }
    for (_, key) in pending {
        let Some(pod) = st.get::<Pod>(&key).cloned() else {
            continue;
        };
        let owner = controller_of(&pod.metadata).map(|r| r.uid.clone());
        let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
        let mut best: Option<((usize, usize, usize, String), String)> = None;
        let tols = pod
            .spec
            .as_ref()
            .and_then(|s| s.tolerations.clone())
            .unwrap_or_default();
        for n in &nodes {
            let name = n.metadata.name.clone().unwrap_or_default();
            let on_node: Vec<&Pod> = on
                .get(&name)
                .into_iter()
                .flatten()
                .filter_map(|k| st.get::<Pod>(k))
                .collect();
            if let Some(why) = unfit(&pod, n, &on_node) {
                *reasons.entry(why).or_default() += 1;
                continue;
            }
            let same = on_node
                .iter()
                .filter(|q| {
                    owner.is_some() && controller_of(&q.metadata).map(|r| &r.uid) == owner.as_ref()
                })
                .count();
            // TaintToleration scoring: untolerated PreferNoSchedule taints count against.
            let soft = n
                .spec
                .as_ref()
                .and_then(|s| s.taints.as_ref())
                .into_iter()
                .flatten()
                .filter(|t| t.effect == "PreferNoSchedule" && !tolerates(&tols, t))
                .count();
            let score = (soft, same, on_node.len(), name.clone());
            if best.as_ref().is_none_or(|(b, _)| score < *b) {
                best = Some((score, name));
            }
        }
        let now = time(st.now());
        match best {
            Some((_, node)) => {
                on.entry(node.clone()).or_default().push(key.clone());
                let msg = format!("Successfully assigned {key} to {node}");
                crate::kube::events::record(
                    st,
                    crate::kube::events::about(&pod),
                    false,
                    "Scheduled",
                    &msg,
                    &crate::kube::events::SCHEDULER,
                );
                let host_ip = node.clone();
                st.update::<Pod>(&key, |p| {
                    p.spec.get_or_insert_default().node_name = Some(node);
                    p.status.get_or_insert_default().host_ip = Some(host_ip);
                    set_condition(
                        p,
                        PodCondition {
                            type_: "PodScheduled".into(),
                            status: "True".into(),
                            last_transition_time: Some(now),
                            ..Default::default()
                        },
                    );
                });
            }
            None => {
                let mut parts: Vec<String> =
                    reasons.iter().map(|(r, n)| format!("{n} {r}")).collect();
                parts.sort();
                let message = format!(
                    "0/{} nodes are available: {}. preemption: 0/{} nodes are available: {} Preemption is not helpful for scheduling.",
                    nodes.len(),
                    parts.join(", "),
                    nodes.len(),
                    nodes.len()
                );
                let already = pod
                    .status
                    .as_ref()
                    .and_then(|s| s.conditions.as_ref())
                    .and_then(|cs| cs.iter().find(|c| c.type_ == "PodScheduled"))
                    .is_some_and(|c| c.message.as_deref() == Some(message.as_str()));
                if !already {
                    crate::kube::events::record(
                        st,
                        crate::kube::events::about(&pod),
                        true,
                        "FailedScheduling",
                        &message,
                        &crate::kube::events::SCHEDULER,
                    );
                    st.update::<Pod>(&key, |p| {
                        set_condition(
                            p,
                            PodCondition {
                                type_: "PodScheduled".into(),
                                status: "False".into(),
                                reason: Some("Unschedulable".into()),
                                message: Some(message),
                                last_transition_time: Some(now),
                                ..Default::default()
                            },
                        )
                    });
                }
            }
        }
    }
}

type SimTimeKey = i64;
