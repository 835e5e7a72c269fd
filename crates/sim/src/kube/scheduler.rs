//! kube-scheduler: binds each pending pod to a node that passes the filters (Ready, not
//! cordoned, taints tolerated, nodeSelector, resource requests, pod count), preferring the
//! node with the fewest pods of the same owner, then the fewest pods, then the lower name.
//! A pod no node takes stays Pending with the scheduler's own message.

use super::events;
use super::search::Window;
use crate::base::rng::WordBuild;
use crate::model::kube::*;
use crate::state::{Key, State};
use k8s_openapi::api::core::v1::{ObjectReference, PodCondition, PodSpec, Taint, Toleration};
use std::collections::{BTreeMap, HashMap};

pub use crate::base::quantity::quantity;

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
struct Fit<'a> {
    name: &'a str,
    labels: &'a BTreeMap<String, String>,
    /// Not Ready, and no condition taint says so (a node that is not Ready takes nothing).
    not_ready: bool,
    unschedulable: bool,
    /// NoSchedule and NoExecute taints, then PreferNoSchedule ones.
    hard: Vec<&'a Taint>,
    soft: Vec<&'a Taint>,
    /// Its capacity (allocatable pods, millicores, bytes).
    room: Room,
}

/// What a node still has room for during a pass: kept apart from [`Fit`], small and
/// contiguous, because the search reads it for hundreds of nodes per pod.
#[derive(Clone, Copy)]
struct Room {
    pods: i64,
    free_pods: i64,
    cpu: i64,
    memory: i64,
}

impl Room {
    /// Room for one more pod with these requests, or why not.
    fn why_not(&self, req: (i64, i64)) -> Option<Why> {
        if self.free_pods < 1 {
            return Some(Why::TooManyPods);
        }
        if req.0 > 0 && self.cpu < req.0 {
            return Some(Why::Cpu);
        }
        if req.1 > 0 && self.memory < req.1 {
            return Some(Why::Memory);
        }
        None
    }

    fn take(&mut self, req: (i64, i64)) {
        self.pods += 1;
        self.free_pods -= 1;
        self.cpu = self.cpu.saturating_sub(req.0);
        self.memory = self.memory.saturating_sub(req.1);
    }
}

static NO_LABELS: BTreeMap<String, String> = BTreeMap::new();

impl<'a> Fit<'a> {
    fn new(n: &'a KubeNode) -> Fit<'a> {
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
                .collect(),
            soft: taints
                .iter()
                .filter(|t| t.effect == "PreferNoSchedule")
                .collect(),
            room: Room {
                pods: 0,
                free_pods: get("pods", false),
                cpu: get("cpu", true),
                memory: get("memory", false),
            },
            name: n.metadata.name.as_deref().unwrap_or_default(),
            labels: n.metadata.labels.as_ref().unwrap_or(&NO_LABELS),
        }
    }

    /// What holds for the whole pass: readiness, cordon, taints, selectors.
    fn why_not_ever(&self, p: &PodSpec, tols: &[Toleration], affinity: bool) -> Option<Why> {
        if self.not_ready {
            return Some(Why::NotReady);
        }
        if self.unschedulable {
            return Some(Why::Unschedulable);
        }
        if let Some(i) = self.hard.iter().position(|t| !tolerates(tols, t)) {
            return Some(Why::Taint(i));
        }
        if affinity && !selected_by(p, self.name, self.labels) {
            return Some(Why::Selector);
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

/// What the pods of one controller share during a pass: where they could ever go (with
/// their soft score there), their requests, and the search over the nodes' scores.
struct Shape {
    soft: Vec<u16>,
    req: (i64, i64),
    window: Window,
}

/// A node's score for a pod (`u64::MAX`: it cannot take it now).
fn value(soft: u16, counts: Option<&[u32]>, room: &Room, req: (i64, i64), i: usize) -> u64 {
    if soft == NEVER || room.why_not(req).is_some() {
        return u64::MAX;
    }
    score_key(soft, counts.map_or(0, |c| c[i]), room.pods, i)
}

/// A node no pod of this shape can ever go to during the pass.
const NEVER: u16 = u16::MAX;
const NODE_BITS: u64 = (1 << 24) - 1;

/// A node's score for a pod as one number, lower is better: untolerated PreferNoSchedule
/// taints, then pods of the same controller there, then pods there, then the node's place
/// (each field saturating in its bits).
fn score_key(soft: u16, same: u32, pods: i64, i: usize) -> u64 {
    (u64::from(soft.min(255)) << 56)
        | (u64::from(same.min(0xffff)) << 40)
        | ((pods.clamp(0, 0xffff) as u64) << 24)
        | (i as u64 & NODE_BITS)
}

/// The nodes a pod's required node affinity names by `metadata.name` (as the DaemonSet
/// controller pins its pods), when every term names some: kube-scheduler's NodeAffinity
/// PreFilter result.
fn pinned(spec: &PodSpec) -> Option<Vec<&str>> {
    let terms = spec
        .affinity
        .as_ref()?
        .node_affinity
        .as_ref()?
        .required_during_scheduling_ignored_during_execution
        .as_ref()?;
    let mut names = Vec::new();
    for t in &terms.node_selector_terms {
        let named = t
            .match_fields
            .iter()
            .flatten()
            .find(|r| r.key == "metadata.name" && r.operator == "In")?;
        names.extend(named.values.iter().flatten().map(String::as_str));
    }
    (!names.is_empty()).then_some(names)
}

/// Whether a node passes the pod's nodeSelector and required node affinity (label
/// expressions, and `metadata.name` fields as DaemonSet pods carry them).
pub fn selected(spec: &k8s_openapi::api::core::v1::PodSpec, n: &KubeNode) -> bool {
    let empty = BTreeMap::new();
    let labels = n.metadata.labels.as_ref().unwrap_or(&empty);
    selected_by(spec, n.metadata.name.as_deref().unwrap_or_default(), labels)
}

fn selected_by(spec: &PodSpec, name: &str, labels: &BTreeMap<String, String>) -> bool {
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
    let name = name.to_string();
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

/// What one pass decided for a pending pod.
struct Decision {
    key: Key,
    about: ObjectReference,
    outcome: Outcome,
}

enum Outcome {
    Bind(String),
    /// No node takes it: the FailedScheduling message (new, or changed since it was said).
    Unschedulable(String),
}

type Hashed<K, V> = HashMap<K, V, WordBuild>;

/// One scheduling pass over every pending pod, oldest first: the scheduling cycle decides
/// every placement on a snapshot of the cluster (the pods it has placed assumed there, as
/// kube-scheduler's cache assumes them), then the binding cycle writes them.
pub fn run(st: &mut State) {
    let decisions = plan(st);
    let now = time(st.now());
    for Decision {
        key,
        about,
        outcome,
    } in decisions
    {
        let key = key.as_str();
        match outcome {
            Outcome::Bind(node) => {
                let mut msg = String::with_capacity(32 + key.len() + node.len());
                msg.push_str("Successfully assigned ");
                msg.push_str(key);
                msg.push_str(" to ");
                msg.push_str(&node);
                events::record(st, about, false, "Scheduled", &msg, &events::SCHEDULER);
                let now = now.clone();
                st.update::<Pod>(key, |p| {
                    p.status.get_or_insert_default().host_ip = Some(node.clone());
                    p.spec.get_or_insert_default().node_name = Some(node);
                    super::kubelet::set_condition(
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
            Outcome::Unschedulable(message) => {
                events::record(
                    st,
                    about,
                    true,
                    "FailedScheduling",
                    &message,
                    &events::SCHEDULER,
                );
                let now = now.clone();
                st.update::<Pod>(key, |p| {
                    super::kubelet::set_condition(
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

/// The scheduling cycle: where each pending pod goes, or why it goes nowhere.
fn plan(st: &State) -> Vec<Decision> {
    let mut pending: Vec<(SimTimeKey, &Key, &Pod)> = st
        .entries::<Pod>()
        .filter(|(_, p)| unscheduled(p))
        .map(|(k, p)| {
            let t = p.metadata.creation_timestamp.as_ref();
            (t.map_or(0, |t| sim_time(t).0), k, p)
        })
        .collect();
    if pending.is_empty() {
        return Vec::new();
    }
    pending.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    let fits: Vec<Fit> = st.all::<KubeNode>().map(Fit::new).collect();
    let mut rooms: Vec<Room> = fits.iter().map(|f| f.room).collect();
    let index: Hashed<&str, usize> = fits.iter().enumerate().map(|(i, f)| (f.name, i)).collect();
    // Spreading: how many pods of each pending pod's controller each node has.
    let mut owners: Hashed<&str, Vec<u32>> = Hashed::default();
    for (_, _, p) in &pending {
        if let Some(r) = controller_of(&p.metadata) {
            owners
                .entry(r.uid.as_str())
                .or_insert_with(|| vec![0; fits.len()]);
        }
    }
    for q in st.all::<Pod>().filter(|q| !super::kubelet::finished(q)) {
        let Some(i) = q
            .spec
            .as_ref()
            .and_then(|s| s.node_name.as_deref())
            .and_then(|n| index.get(n))
        else {
            continue;
        };
        rooms[*i].take(requests(q));
        if let Some(counts) =
            controller_of(&q.metadata).and_then(|r| owners.get_mut(r.uid.as_str()))
        {
            counts[*i] += 1;
        }
    }
    let wanted = feasible_to_find(fits.len());
    let mut start = 0usize;
    let mut shapes: Hashed<&str, Shape> = Hashed::default();
    let mut decisions = Vec::with_capacity(pending.len());
    for (_, key, pod) in pending {
        let Some(spec) = pod.spec.as_ref() else {
            continue;
        };
        let req = requests(pod);
        let owner = controller_of(&pod.metadata).map(|r| r.uid.as_str());
        let tols = spec.tolerations.as_deref().unwrap_or_default();
        let affinity = spec.node_selector.is_some()
            || spec
                .affinity
                .as_ref()
                .is_some_and(|a| a.node_affinity.is_some());
        let counts = owner.and_then(|o| owners.get(o)).map(Vec::as_slice);
        let soft = |f: &Fit| {
            f.soft
                .iter()
                .filter(|t| !tolerates(tols, t))
                .count()
                .min(254) as u16
        };
        let mut best = u64::MAX;
        let pins = pinned(spec);
        // PreFilter: a pod pinned to nodes by name (a DaemonSet's) is tried on those alone.
        for &i in pins.iter().flatten().filter_map(|n| index.get(n)) {
            if fits[i].why_not_ever(spec, tols, affinity).is_none()
                && rooms[i].why_not(req).is_none()
            {
                best = best.min(value(soft(&fits[i]), counts, &rooms[i], req, i));
            }
        }
        let mut seen = 0;
        if best == u64::MAX {
            // Per node, for the pass: its soft score if it can ever take the pod, else
            // NEVER. Pods of one controller share their template (and requests), so they
            // share this and a search window over it; a pod of its own walks the nodes.
            let ever = |f: &Fit| match f.why_not_ever(spec, tols, affinity) {
                None => soft(f),
                Some(_) => NEVER,
            };
            let cached = owner.filter(|_| pins.is_none());
            if let Some(o) = cached
                && !shapes.contains_key(o)
            {
                let soft: Vec<u16> = fits.iter().map(ever).collect();
                let scores = (0..fits.len()).map(|i| value(soft[i], counts, &rooms[i], req, i));
                let window = Window::new(scores);
                shapes.insert(o, Shape { soft, req, window });
            }
            match cached
                .and_then(|o| shapes.get(o))
                .filter(|sh| sh.req == req)
            {
                Some(sh) => {
                    let found = sh.window.search(start, wanted);
                    seen = found.seen;
                    best = found.best.unwrap_or(u64::MAX);
                }
                None => {
                    // Every node, from where the last pod's search stopped, until enough
                    // feasible ones are found; the best of those wins.
                    let n = fits.len();
                    let mut feasible = 0;
                    let mut i = start;
                    while seen < n && feasible < wanted {
                        let here = i;
                        i = if i + 1 == n { 0 } else { i + 1 };
                        seen += 1;
                        let s = value(ever(&fits[here]), counts, &rooms[here], req, here);
                        if s != u64::MAX {
                            feasible += 1;
                            best = best.min(s);
                        }
                    }
                }
            }
        }
        if !fits.is_empty() {
            start = (start + seen) % fits.len();
        }
        let outcome = if best != u64::MAX {
            let i = (best & NODE_BITS) as usize;
            rooms[i].take(req);
            if let Some(counts) = owner.and_then(|o| owners.get_mut(o)) {
                counts[i] += 1;
            }
            // Node i's scores change for every shape's search.
            for (o, sh) in shapes.iter_mut() {
                let counts = owners.get(o).map(Vec::as_slice);
                let s = value(sh.soft[i], counts, &rooms[i], sh.req, i);
                sh.window.set(i, s);
            }
            Outcome::Bind(fits[i].name.to_string())
        } else {
            // Fits nowhere: why, node by node (every node was looked at).
            let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
            for (i, f) in fits.iter().enumerate() {
                let why = f.why_not_ever(spec, tols, affinity);
                if let Some(w) = why.or_else(|| rooms[i].why_not(req)) {
                    *reasons.entry(f.wording(w)).or_default() += 1;
                }
            }
            let mut parts: Vec<String> = reasons.iter().map(|(r, n)| format!("{n} {r}")).collect();
            parts.sort();
            let n = fits.len();
            let message = format!(
                "0/{n} nodes are available: {}. preemption: 0/{n} nodes are available: {n} Preemption is not helpful for scheduling.",
                parts.join(", "),
            );
            let said = pod
                .status
                .as_ref()
                .and_then(|s| s.conditions.as_ref())
                .and_then(|cs| cs.iter().find(|c| c.type_ == "PodScheduled"))
                .and_then(|c| c.message.as_deref());
            if said == Some(message.as_str()) {
                continue;
            }
            Outcome::Unschedulable(message)
        };
        decisions.push(Decision {
            key: key.clone(),
            about: events::about(pod),
            outcome,
        });
    }
    decisions
}

type SimTimeKey = i64;
