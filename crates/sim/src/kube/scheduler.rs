//! kube-scheduler: binds each pending pod to a node that passes the filters (Ready, not
//! cordoned, taints tolerated, nodeSelector, resource requests, pod count), preferring the
//! node with the fewest pods of the same owner, then the fewest pods, then the lower name.
//! A pod no node takes stays Pending with the scheduler's own message.

use crate::model::kube::*;
use crate::state::State;
use k8s_openapi::api::core::v1::{PodCondition, PodSpec, Taint, Toleration};
use std::collections::{BTreeMap, HashMap};

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

/// Why a node does not take a pod.
#[derive(Clone, Copy)]
enum Why {
    NotReady,
    Unschedulable,
    /// The node's hard taint of this index.
    Taint(usize),
    Selector,
    TooManyPods,
    Cpu,
    Memory,
}

/// What the scheduler knows of a node during one pass (its snapshot, kept up to date as
/// pods are bound to it).
struct Fit {
    node: KubeNode,
    /// Not Ready, and no condition taint says so (a node that is not Ready takes nothing).
    not_ready: bool,
    unschedulable: bool,
    /// NoSchedule and NoExecute taints, then PreferNoSchedule ones.
    hard: Vec<Taint>,
    soft: Vec<Taint>,
    max_pods: i64,
    cpu: i64,
    memory: i64,
    pods: i64,
    used_cpu: i64,
    used_memory: i64,
}

impl Fit {
    fn new(n: &KubeNode) -> Fit {
        let taints = n
            .spec
            .as_ref()
            .and_then(|s| s.taints.as_deref())
            .unwrap_or_default();
        let alloc = n.status.as_ref().and_then(|s| s.allocatable.as_ref());
        let get = |k: &str, milli| {
            alloc
                .and_then(|a| a.get(k))
                .map_or(i64::MAX, |q| quantity(&q.0, milli))
        };
        Fit {
            not_ready: !node_ready(n)
                && !taints
                    .iter()
                    .any(|t| crate::kube::defaults::CONDITION_TAINTS.contains(&t.key.as_str())),
            unschedulable: n.spec.as_ref().and_then(|s| s.unschedulable) == Some(true),
            hard: taints
                .iter()
                .filter(|t| t.effect == "NoSchedule" || t.effect == "NoExecute")
                .cloned()
                .collect(),
            soft: taints
                .iter()
                .filter(|t| t.effect == "PreferNoSchedule")
                .cloned()
                .collect(),
            max_pods: get("pods", false),
            cpu: get("cpu", true),
            memory: get("memory", false),
            pods: 0,
            used_cpu: 0,
            used_memory: 0,
            node: n.clone(),
        }
    }

    /// Why the node does not take a pod with these tolerations and requests, if it does not
    /// (`affinity`: the pod has a nodeSelector or node affinity to check).
    fn why_not(
        &self,
        p: &PodSpec,
        tols: &[Toleration],
        req: (i64, i64),
        affinity: bool,
    ) -> Option<Why> {
        if self.not_ready {
            return Some(Why::NotReady);
        }
        if self.unschedulable {
            return Some(Why::Unschedulable);
        }
        if let Some(i) = self.hard.iter().position(|t| !tolerates(tols, t)) {
            return Some(Why::Taint(i));
        }
        if affinity && !selected(p, &self.node) {
            return Some(Why::Selector);
        }
        if self.pods + 1 > self.max_pods {
            return Some(Why::TooManyPods);
        }
        if req.0 > 0 && self.used_cpu + req.0 > self.cpu {
            return Some(Why::Cpu);
        }
        if req.1 > 0 && self.used_memory + req.1 > self.memory {
            return Some(Why::Memory);
        }
        None
    }

    fn wording(&self, why: Why) -> String {
        match why {
            Why::NotReady => {
                "node(s) had untolerated taint {node.kubernetes.io/not-ready: }".into()
            }
            Why::Unschedulable => "node(s) were unschedulable".into(),
            Why::Taint(i) => format!(
                "node(s) had untolerated taint {{{}: {}}}",
                self.hard[i].key,
                self.hard[i].value.as_deref().unwrap_or("")
            ),
            Why::Selector => "node(s) didn't match Pod's node affinity/selector".into(),
            Why::TooManyPods => "Too many pods".into(),
            Why::Cpu => "Insufficient cpu".into(),
            Why::Memory => "Insufficient memory".into(),
        }
    }

    fn add(&mut self, req: (i64, i64)) {
        self.pods += 1;
        self.used_cpu += req.0;
        self.used_memory += req.1;
    }
}

/// How many feasible nodes kube-scheduler looks for before it scores them
/// (`percentageOfNodesToScore`'s adaptive default): all of a small cluster, 10% of 5,000.
pub fn feasible_to_find(nodes: usize) -> usize {
    if nodes < 100 {
        return nodes;
    }
    let pct = (50 - nodes as i64 / 125).max(5) as usize;
    (nodes * pct / 100).max(100)
}

/// Whether a node passes the pod's nodeSelector and required node affinity (label
/// expressions, and `metadata.name` fields as DaemonSet pods carry them).
pub fn selected(spec: &k8s_openapi::api::core::v1::PodSpec, n: &KubeNode) -> bool {
    let empty = BTreeMap::new();
    let labels = n.metadata.labels.as_ref().unwrap_or(&empty);
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
    let mut fits: Vec<Fit> = st.all::<KubeNode>().map(Fit::new).collect();
    let index: HashMap<String, usize> = fits
        .iter()
        .enumerate()
        .map(|(i, f)| (f.node.metadata.name.clone().unwrap_or_default(), i))
        .collect();
    // Spreading: how many pods of each pending pod's controller each node has.
    let mut owners: HashMap<String, Vec<u32>> = HashMap::new();
    for (_, key) in &pending {
        if let Some(r) = st.get::<Pod>(key).and_then(|p| controller_of(&p.metadata)) {
            owners
                .entry(r.uid.clone())
                .or_insert_with(|| vec![0; fits.len()]);
        }
    }
    for q in st.all::<Pod>().filter(|q| !super::kubelet::finished(q)) {
        let Some(i) = q
            .spec
            .as_ref()
            .and_then(|s| s.node_name.as_ref())
            .and_then(|n| index.get(n))
        else {
            continue;
        };
        fits[*i].add(requests(q));
        if let Some(counts) = controller_of(&q.metadata).and_then(|r| owners.get_mut(&r.uid)) {
            counts[*i] += 1;
        }
    }
    let wanted = feasible_to_find(fits.len());
    let mut start = 0usize;
    let mut failed: Vec<(usize, Why)> = Vec::new();
    for (_, key) in pending {
        let Some(pod) = st.get::<Pod>(&key) else {
            continue;
        };
        let Some(spec) = pod.spec.as_ref() else {
            continue;
        };
        let req = requests(pod);
        let owner = controller_of(&pod.metadata).map(|r| r.uid.clone());
        let tols = spec.tolerations.as_deref().unwrap_or_default();
        let affinity = spec.node_selector.is_some()
            || spec
                .affinity
                .as_ref()
                .is_some_and(|a| a.node_affinity.is_some());
        let same = owner.as_ref().and_then(|o| owners.get(o));
        failed.clear();
        let mut feasible = 0;
        let mut best: Option<((usize, u32, i64, usize), usize)> = None;
        let mut seen = 0;
        while seen < fits.len() && feasible < wanted {
            let i = (start + seen) % fits.len();
            seen += 1;
            let f = &fits[i];
            if let Some(why) = f.why_not(spec, tols, req, affinity) {
                failed.push((i, why));
                continue;
            }
            feasible += 1;
            // TaintToleration scoring: untolerated PreferNoSchedule taints count against.
            let soft = f.soft.iter().filter(|t| !tolerates(tols, t)).count();
            let score = (soft, same.map_or(0, |c| c[i]), f.pods, i);
            if best.as_ref().is_none_or(|(b, _)| score < *b) {
                best = Some((score, i));
            }
        }
        if !fits.is_empty() {
            start = (start + seen) % fits.len();
        }
        let pod = pod.clone();
        let now = time(st.now());
        match best {
            Some((_, i)) => {
                fits[i].add(req);
                if let Some(counts) = owner.as_ref().and_then(|o| owners.get_mut(o)) {
                    counts[i] += 1;
                }
                let node = fits[i].node.metadata.name.clone().unwrap_or_default();
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
                let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
                for (i, why) in &failed {
                    *reasons.entry(fits[*i].wording(*why)).or_default() += 1;
                }
                let mut parts: Vec<String> =
                    reasons.iter().map(|(r, n)| format!("{n} {r}")).collect();
                parts.sort();
                let n = fits.len();
                let message = format!(
                    "0/{n} nodes are available: {}. preemption: 0/{n} nodes are available: {n} Preemption is not helpful for scheduling.",
                    parts.join(", "),
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
