//! The scheduler: assigns pending tasks to nodes.
//!
//! * Filters (A1–A8) run in swarmkit's order; the first failure explains a node's rejection.
//! * `spread` (the default) is swarmkit's scheduler: nodes ordered by recent failures, tasks
//!   of this service, then tasks in total (A9), walked as a batch (A10), with placement
//!   preferences as a decision tree (A13–A15) whose loop always terminates (A16).
//!   Ties swarmkit leaves to Go map order go to the lower node ID.
//! * `binpack` and `random` are classic swarm's strategies (A17–A20), one task at a time.
//! * A task no node can take stays PENDING with `no suitable node (...)` (A11); tasks of
//!   global services come with their node and only have the filters checked (A12).

use crate::base::rng::Rng;
use crate::base::time::SimDuration;
use crate::infra::images;
use crate::model::*;
use crate::state::{Key, State};
use crate::swarm::constraint::Constraint;
use crate::swarm::*;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Filter {
    Ready,
    Resource,
    Plugin,
    Constraint,
    Platform,
    HostPort,
    MaxReplicas,
}

impl Filter {
    /// swarmkit's explanation for `n` nodes failing this filter.
    pub fn explain(self, n: usize) -> String {
        let nodes = if n == 1 {
            "1 node".to_string()
        } else {
            format!("{n} nodes")
        };
        match self {
            Filter::Ready => format!("{nodes} not available for new tasks"),
            Filter::Resource => format!("insufficient resources on {nodes}"),
            Filter::Plugin => format!("missing plugin on {nodes}"),
            Filter::Constraint => format!("scheduling constraints not satisfied on {nodes}"),
            Filter::Platform => format!("unsupported platform on {nodes}"),
            Filter::HostPort => format!("host-mode port already in use on {nodes}"),
            Filter::MaxReplicas => "max replicas per node limit exceed".to_string(),
        }
    }
}

/// Failed/rejected tasks of a service version on a node within this window push the node to
/// the back of the order once there are this many (A9a).
const FAILURE_WINDOW: SimDuration = SimDuration::from_mins(5);
const MAX_FAILURES: u32 = 5;

/// What the filters need to know about the tasks being placed.
pub struct TaskReq {
    pub service_id: String,
    pub constraints: Vec<Constraint>,
    pub reservations: Resources,
    pub platforms: Vec<Platform>,
    pub host_ports: Vec<(Protocol, u32)>,
    pub max_replicas: u64,
    pub plugins: Vec<String>,
}

impl TaskReq {
    pub fn of(spec: &TaskSpec, service_id: &str, host_ports: &[(Protocol, u32)]) -> TaskReq {
        let mut platforms: Vec<Platform> = spec.platforms().to_vec();
        if platforms.is_empty()
            && let Some((info, _)) = images::lookup(&spec.container_spec.image)
        {
            platforms.push(Platform {
                architecture: "amd64".into(),
                os: "linux".into(),
            });
            if info.arm64 {
                platforms.push(Platform {
                    architecture: "arm64".into(),
                    os: "linux".into(),
                });
            }
        }
        let plugins = spec
            .container_spec
            .mounts
            .iter()
            .filter(|m| m.r#type == MountType::Volume && m.volume_driver() != "local")
            .map(|m| m.volume_driver().to_string())
            .collect();
        TaskReq {
            service_id: service_id.to_string(),
            // Constraints were validated when the service was created.
            constraints: constraint::parse(spec.constraints()).unwrap_or_default(),
            reservations: spec.reservations(),
            platforms,
            host_ports: host_ports.to_vec(),
            max_replicas: spec.max_replicas(),
            plugins,
        }
    }
}

fn norm_arch(a: &str) -> &str {
    match a {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

/// A node as the filters and the ordering see it during one scheduling pass.
#[derive(Clone, Debug)]
pub struct Cand {
    pub id: String,
    static_fail: Option<Filter>,
    plugin_fail: bool,
    constraint_fail: bool,
    platform_fail: bool,
    capacity: Resources,
    reserved: Resources,
    pub svc_tasks: u32,
    pub active: u32,
    failures: u32,
    host_ports: BTreeSet<(Protocol, u32)>,
    /// Containers on the node, stopped ones included (classic strategies, A19).
    containers: u32,
}

impl Cand {
    fn new(st: &State, n: &Node, req: &TaskReq, failures: u32) -> Cand {
        let usage = st.index().usage_of(&n.id);
        let ready = n.is_ready() && n.spec.availability == Availability::Active;
        let plugin_fail = req.plugins.iter().any(|p| {
            !n.description
                .engine
                .plugins
                .iter()
                .any(|q| q.r#type == "Volume" && &q.name == p)
        });
        let constraint_fail = !constraint::node_matches(&req.constraints, n);
        let platform_fail = !req.platforms.is_empty()
            && !req.platforms.iter().any(|p| {
                (p.os.is_empty() || p.os.eq_ignore_ascii_case(&n.description.platform.os))
                    && (p.architecture.is_empty()
                        || norm_arch(&p.architecture)
                            == norm_arch(&n.description.platform.architecture))
            });
        Cand {
            id: n.id.clone(),
            static_fail: (!ready).then_some(Filter::Ready),
            plugin_fail,
            constraint_fail,
            platform_fail,
            capacity: n.description.resources,
            reserved: usage.map(|u| u.reserved).unwrap_or_default(),
            svc_tasks: usage
                .and_then(|u| u.active_of(&req.service_id))
                .unwrap_or(0),
            active: usage.map(|u| u.active).unwrap_or(0),
            failures,
            host_ports: usage
                .map(|u| u.host_ports.keys().copied().collect())
                .unwrap_or_default(),
            containers: st.index().container_count_on(&n.id) as u32,
        }
    }

    /// The first filter this node fails for the request, in pipeline order (A1).
    pub fn first_failure(&self, req: &TaskReq) -> Option<Filter> {
        if let Some(f) = self.static_fail {
            return Some(f);
        }
        let r = req.reservations;
        if (r.nano_cpus > 0 && self.capacity.nano_cpus - self.reserved.nano_cpus < r.nano_cpus)
            || (r.memory_bytes > 0
                && self.capacity.memory_bytes - self.reserved.memory_bytes < r.memory_bytes)
        {
            return Some(Filter::Resource);
        }
        if self.plugin_fail {
            return Some(Filter::Plugin);
        }
        if self.constraint_fail {
            return Some(Filter::Constraint);
        }
        if self.platform_fail {
            return Some(Filter::Platform);
        }
        if req.host_ports.iter().any(|p| self.host_ports.contains(p)) {
            return Some(Filter::HostPort);
        }
        if req.max_replicas > 0 && self.svc_tasks as u64 >= req.max_replicas {
            return Some(Filter::MaxReplicas);
        }
        None
    }

    fn passes(&self, req: &TaskReq) -> bool {
        self.first_failure(req).is_none()
    }

    fn add_task(&mut self, req: &TaskReq) {
        self.svc_tasks += 1;
        self.active += 1;
        self.containers += 1;
        self.reserved.nano_cpus += req.reservations.nano_cpus;
        self.reserved.memory_bytes += req.reservations.memory_bytes;
        self.host_ports.extend(req.host_ports.iter().copied());
    }

    /// swarmkit's `nodeLess`: strictly better, without any tie-break.
    fn better_than(&self, o: &Cand) -> bool {
        if self.failures >= MAX_FAILURES || o.failures >= MAX_FAILURES {
            if self.failures > o.failures {
                return false;
            }
            if o.failures > self.failures {
                return true;
            }
        }
        if self.svc_tasks != o.svc_tasks {
            return self.svc_tasks < o.svc_tasks;
        }
        self.active < o.active
    }

    /// A total order consistent with `better_than`, ties to the lower node ID.
    fn order_key(&self) -> (u32, u32, u32, &str) {
        (
            if self.failures >= MAX_FAILURES {
                self.failures
            } else {
                0
            },
            self.svc_tasks,
            self.active,
            &self.id,
        )
    }
}

/// Formats the explanation for a task no node accepted (A11): counts per first-failing
/// filter over every node, most frequent first.
pub fn explain(cands: &[Cand], req: &TaskReq) -> String {
    let mut counts: BTreeMap<Filter, usize> = BTreeMap::new();
    for c in cands {
        if let Some(f) = c.first_failure(req) {
            *counts.entry(f).or_default() += 1;
        }
    }
    let mut v: Vec<(Filter, usize)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v.iter()
        .map(|(f, n)| f.explain(*n))
        .collect::<Vec<_>>()
        .join("; ")
}

/// One placement decision.
pub struct Placed {
    pub task: String,
    pub node: String,
}

/// Runs one scheduling pass over every pending task.
pub fn run(st: &mut State) {
    let mut pending: Vec<Key> = st.index().unscheduled().cloned().collect();
    if pending.is_empty() {
        return;
    }
    // ID order: deterministic, and the task table is read in its own order.
    pending.sort_unstable();
    let strategy = st.meta.strategy;
    // Group the tasks: preassigned ones on their own, the rest by (service, spec version).
    let mut groups: BTreeMap<(String, u64), Vec<(u64, Key)>> = BTreeMap::new();
    let mut preassigned = Vec::new();
    for id in pending {
        let Some(t) = st.get::<Task>(id.as_str()) else {
            continue;
        };
        if t.status.state > TaskState::Pending || !t.is_runnable() {
            continue;
        }
        if !t.node_id.is_empty() {
            preassigned.push(id);
        } else {
            groups
                .entry((t.service_id.clone(), t.sim.spec_hash))
                .or_default()
                .push((t.slot, id));
        }
    }
    for id in preassigned {
        place_preassigned(st, id.as_str());
    }
    for ((service_id, spec_hash), mut slotted) in groups {
        // Slot order, so the lowest slots are placed first.
        slotted.sort_unstable();
        let ids: Vec<Key> = slotted.into_iter().map(|(_, id)| id).collect();
        let Some(first) = st.get::<Task>(ids[0].as_str()) else {
            continue;
        };
        let spec: Arc<TaskSpec> = first.spec.clone();
        let req = TaskReq::of(&spec, &service_id, &first.sim.host_ports);
        let failures = recent_failures(st, &service_id, spec_hash);
        let mut cands: Vec<Cand> = st
            .all::<Node>()
            .map(|n| Cand::new(st, n, &req, failures.get(&n.id).copied().unwrap_or(0)))
            .collect();
        let placed = match strategy {
            Strategy::Spread => place_spread(st, &spec, &req, &mut cands, ids.len()),
            Strategy::Binpack => place_classic(&req, &mut cands, ids.len(), None),
            Strategy::Random => {
                let mut rng = st.meta.rng.clone();
                let r = place_classic(&req, &mut cands, ids.len(), Some(&mut rng));
                st.meta.rng = rng;
                r
            }
        };
        let now = st.now();
        for (task_id, node_idx) in ids.iter().zip(placed.iter()) {
            assign(st, task_id.as_str(), &cands[*node_idx].id);
        }
        if placed.len() < ids.len() {
            let why = explain(&cands, &req);
            let err = if why.is_empty() {
                "no suitable node".to_string()
            } else {
                format!("no suitable node ({why})")
            };
            for id in &ids[placed.len()..] {
                st.update::<Task>(id.as_str(), |t| {
                    if t.status.err != err {
                        t.status.err = err.clone();
                        t.status.timestamp = now;
                    }
                });
            }
        }
    }
}

fn assign(st: &mut State, task_id: &str, node_id: &str) {
    let now = st.now();
    st.update::<Task>(task_id, |t| {
        t.node_id = node_id.to_string();
        t.status.state = TaskState::Assigned;
        t.status.message = "scheduler assigned task to node".into();
        t.status.err.clear();
        t.status.timestamp = now;
        t.sim.wake = Some(now + SimDuration::from_millis(20));
    });
}

/// Global tasks come with their node; only the filters are checked (A12).
fn place_preassigned(st: &mut State, task_id: &str) {
    let Some(t) = st.get::<Task>(task_id) else {
        return;
    };
    let req = TaskReq::of(&t.spec, &t.service_id, &t.sim.host_ports);
    let node_id = t.node_id.clone();
    let Some(node) = st.get::<Node>(&node_id) else {
        return;
    };
    let cand = Cand::new(st, node, &req, 0);
    match cand.first_failure(&req) {
        None => assign(st, task_id, &node_id),
        Some(f) => {
            let err = f.explain(1);
            let now = st.now();
            st.update::<Task>(task_id, |t| {
                if t.status.err != err {
                    t.status.err = err;
                    t.status.timestamp = now;
                }
            });
        }
    }
}

/// Recent failures of this service version, per node (A9a).
fn recent_failures(st: &State, service_id: &str, spec_hash: u64) -> BTreeMap<String, u32> {
    let key = failure_key(service_id, spec_hash);
    let since = st.now() - FAILURE_WINDOW;
    st.all::<Node>()
        .filter_map(|n| {
            let k = n
                .sim
                .failures
                .get(&key)?
                .iter()
                .filter(|t| **t >= since)
                .count() as u32;
            (k > 0).then(|| (n.id.clone(), k))
        })
        .collect()
}

pub fn failure_key(service_id: &str, spec_hash: u64) -> String {
    format!("{service_id}:{spec_hash:x}")
}

/// Records a failed or rejected task against its node (not for global tasks, whose node the
/// scheduler does not choose).
pub fn record_failure(st: &mut State, t: &Task) {
    if t.slot == 0
        || t.node_id.is_empty()
        || !matches!(t.status.state, TaskState::Failed | TaskState::Rejected)
    {
        return;
    }
    let key = failure_key(&t.service_id, t.sim.spec_hash);
    let now = st.now();
    st.update::<Node>(&t.node_id, |n| {
        let since = now - FAILURE_WINDOW;
        n.sim.failures.retain(|_, v| {
            v.retain(|x| *x >= since);
            !v.is_empty()
        });
        n.sim.failures.entry(key).or_default().push(now);
    });
}

// ---------------------------------------------------------------------------
// spread: swarmkit

struct Tree {
    tasks: u64,
    next: BTreeMap<String, Tree>,
    nodes: Vec<usize>,
}

fn pref_value<'a>(descriptor: &str, n: &'a Node) -> Option<&'a str> {
    let d = descriptor;
    if d.len() > constraint::NODE_LABEL_PREFIX.len()
        && d[..constraint::NODE_LABEL_PREFIX.len()]
            .eq_ignore_ascii_case(constraint::NODE_LABEL_PREFIX)
    {
        Some(
            n.spec
                .labels
                .get(&d[constraint::NODE_LABEL_PREFIX.len()..])
                .map(|s| s.as_str())
                .unwrap_or(""),
        )
    } else if d.len() > constraint::ENGINE_LABEL_PREFIX.len()
        && d[..constraint::ENGINE_LABEL_PREFIX.len()]
            .eq_ignore_ascii_case(constraint::ENGINE_LABEL_PREFIX)
    {
        Some(
            n.description
                .engine
                .labels
                .get(&d[constraint::ENGINE_LABEL_PREFIX.len()..])
                .map(|s| s.as_str())
                .unwrap_or(""),
        )
    } else {
        None
    }
}

fn place_spread(
    st: &State,
    spec: &TaskSpec,
    req: &TaskReq,
    cands: &mut [Cand],
    n: usize,
) -> Vec<usize> {
    let prefs: Vec<&str> = spec
        .preferences()
        .iter()
        .map(|p| p.spread.spread_descriptor.as_str())
        .collect();
    let mut root = Tree {
        tasks: 0,
        next: BTreeMap::new(),
        nodes: Vec::new(),
    };
    for (i, node) in st.all::<Node>().enumerate() {
        let mut tree = &mut root;
        tree.tasks += cands[i].svc_tasks as u64;
        for d in &prefs {
            let Some(v) = pref_value(d, node) else {
                continue;
            };
            tree = tree.next.entry(v.to_string()).or_insert_with(|| Tree {
                tasks: 0,
                next: BTreeMap::new(),
                nodes: Vec::new(),
            });
            tree.tasks += cands[i].svc_tasks as u64;
        }
        tree.nodes.push(i);
    }
    let mut out = Vec::with_capacity(n);
    subtree(&mut root, n, req, cands, &mut out);
    out
}

fn subtree(
    tree: &mut Tree,
    n: usize,
    req: &TaskReq,
    cands: &mut [Cand],
    out: &mut Vec<usize>,
) -> usize {
    if n == 0 {
        return 0;
    }
    if tree.next.is_empty() {
        let got = on_nodes(&tree.nodes, n, req, cands, out);
        tree.tasks += got as u64;
        return got;
    }
    let mut scheduled = 0usize;
    let mut no_room: BTreeSet<String> = BTreeSet::new();
    let branches: Vec<String> = tree.next.keys().cloned().collect();
    while scheduled < n && no_room.len() < branches.len() {
        let usable = (branches.len() - no_room.len()) as u64;
        let usable_tasks: u64 = branches
            .iter()
            .filter(|b| !no_room.contains(*b))
            .map(|b| tree.next[b].tasks)
            .sum();
        let total = usable_tasks + (n - scheduled) as u64;
        let desired = total / usable;
        let mut remainder = total % usable;
        let mut progress = false;
        for b in &branches {
            if scheduled >= n {
                break;
            }
            if no_room.contains(b) {
                continue;
            }
            let Some(sub) = tree.next.get_mut(b) else {
                continue;
            };
            let have = sub.tasks;
            if have < desired || (have == desired && remainder > 0) {
                let mut want = (desired - have) as usize;
                if remainder > 0 {
                    want += 1;
                }
                let want = want.min(n - scheduled);
                let got = subtree(sub, want, req, cands, out);
                scheduled += got;
                if got < want {
                    no_room.insert(b.clone());
                } else {
                    remainder = remainder.saturating_sub(1);
                }
                progress = true;
            }
        }
        if !progress {
            // Every usable branch is at or above its share (upstream can loop here forever,
            // swarmkit #3200): give the rest to the least-loaded branches that have room.
            while scheduled < n {
                let Some(b) = branches
                    .iter()
                    .filter(|b| !no_room.contains(*b))
                    .min_by_key(|b| tree.next[*b].tasks)
                    .cloned()
                else {
                    break;
                };
                let Some(sub) = tree.next.get_mut(&b) else {
                    break;
                };
                let got = subtree(sub, 1, req, cands, out);
                scheduled += got;
                if got == 0 {
                    no_room.insert(b);
                }
            }
        }
    }
    tree.tasks += scheduled as u64;
    scheduled
}

/// swarmkit's `scheduleNTasksOnNodes` over the best `n` passing nodes of a leaf (A10).
fn on_nodes(
    nodes: &[usize],
    n: usize,
    req: &TaskReq,
    cands: &mut [Cand],
    out: &mut Vec<usize>,
) -> usize {
    let mut order: Vec<usize> = nodes
        .iter()
        .copied()
        .filter(|&i| cands[i].passes(req))
        .collect();
    order.sort_by(|&a, &b| cands[a].order_key().cmp(&cands[b].order_key()));
    order.truncate(n);
    let count = order.len();
    if count == 0 {
        return 0;
    }
    let mut failed = vec![false; count];
    let mut it = 0usize;
    let mut placed = 0usize;
    while placed < n {
        let idx = order[it % count];
        cands[idx].add_task(req);
        out.push(idx);
        placed += 1;
        if placed == n {
            break;
        }
        if it + 1 < count {
            // First pass: stay on a node until the next one is strictly better.
            if cands[order[it + 1]].better_than(&cands[idx]) {
                it += 1;
            }
        } else {
            // Later passes: round-robin over the nodes that still pass.
            it += 1;
        }
        let start = it;
        while failed[it % count] || !cands[order[it % count]].passes(req) {
            failed[it % count] = true;
            it += 1;
            if it - start == count {
                return placed;
            }
        }
    }
    placed
}

// ---------------------------------------------------------------------------
// binpack and random: classic swarm

fn classic_weight(c: &Cand, req: &TaskReq) -> Option<i64> {
    let r = req.reservations;
    if c.capacity.memory_bytes < r.memory_bytes || c.capacity.nano_cpus < r.nano_cpus {
        return None;
    }
    let cpu = if r.nano_cpus > 0 && c.capacity.nano_cpus > 0 {
        (c.reserved.nano_cpus + r.nano_cpus) as i128 * 100 / c.capacity.nano_cpus as i128
    } else {
        100
    };
    let mem = if r.memory_bytes > 0 && c.capacity.memory_bytes > 0 {
        (c.reserved.memory_bytes + r.memory_bytes) as i128 * 100 / c.capacity.memory_bytes as i128
    } else {
        100
    };
    (cpu <= 100 && mem <= 100).then_some((cpu + mem) as i64)
}

/// Binpack (descending weight, ties to more containers) or, with an RNG, random (A18–A20).
fn place_classic(req: &TaskReq, cands: &mut [Cand], n: usize, rng: Option<&mut Rng>) -> Vec<usize> {
    let mut out = Vec::with_capacity(n);
    let mut alive: Vec<usize> = (0..cands.len()).filter(|&i| cands[i].passes(req)).collect();
    if let Some(rng) = rng {
        while out.len() < n && !alive.is_empty() {
            let k = rng.below(alive.len() as u64) as usize;
            let i = alive[k];
            if cands[i].passes(req) {
                cands[i].add_task(req);
                out.push(i);
            } else {
                alive.swap_remove(k);
            }
        }
        return out;
    }
    // Ordered set: best first = highest weight, then most containers, then lower ID.
    let mut set: BTreeSet<(i64, i64, String, usize)> = BTreeSet::new();
    let key = |c: &Cand, i: usize, req: &TaskReq| {
        classic_weight(c, req).map(|w| (-w, -(c.containers as i64), c.id.clone(), i))
    };
    for &i in &alive {
        if let Some(k) = key(&cands[i], i, req) {
            set.insert(k);
        }
    }
    while out.len() < n {
        let Some(first) = set.pop_first() else { break };
        let i = first.3;
        if !cands[i].passes(req) {
            continue;
        }
        cands[i].add_task(req);
        out.push(i);
        if let Some(k) = key(&cands[i], i, req) {
            set.insert(k);
        }
    }
    out
}
