//! Indexes derived from the objects (kept in step by every change, rebuilt on load): members
//! of services, slots and nodes, tasks waiting for the scheduler, per-node usage, names.

use super::key::{Key, by_str};
use crate::base::rng::WordBuild;
use crate::model::*;
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasher, Hasher};

/// Per-node scheduler bookkeeping (swarmkit's NodeInfo), derived from the tasks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeUsage {
    /// Reservations of tasks observed PENDING..RUNNING on the node (A5, A6).
    pub reserved: Resources,
    /// Tasks observed ASSIGNED..RUNNING whose desired state is at most COMPLETE.
    pub active: u32,
    active_by_service: BTreeMap<Key, u32>,
    /// Host-mode published ports in use (A8).
    pub host_ports: BTreeMap<(Protocol, u32), u32>,
}

/// The membership sets (read through the methods, in ID order) hold [`Key`]s: an entry is
/// not an allocation, and a lookup does not chase a pointer per key it passes.
#[derive(Clone, Debug, Default)]
pub struct Index {
    tasks_by_service: BTreeMap<Key, BTreeSet<Key>>,
    /// Tasks of each service by slot key (slot number, or node for global services).
    tasks_by_slot: BTreeMap<Key, BTreeMap<Key, BTreeSet<Key>>>,
    tasks_by_node: BTreeMap<Key, BTreeSet<Key>>,
    /// Tasks waiting for the scheduler (observed PENDING or earlier, still wanted); a hash
    /// set, as tasks leave it one by one in slot order (the scheduler sorts what it reads).
    unscheduled: HashSet<Key, WordBuild>,
    usage: BTreeMap<Key, NodeUsage>,
    containers_by_node: BTreeMap<Key, BTreeSet<Key>>,
    pub container_by_task: BTreeMap<String, String>,
    pub container_names: BTreeMap<(String, String), String>,
    pub service_names: BTreeMap<String, String>,
    pub node_names: BTreeMap<String, String>,
    pub network_names: BTreeMap<String, String>,
    /// Kubernetes Events by [`event_hash`] of what client-go's correlator compares: a
    /// repeat finds the event it repeats without reading all of its object's events (a
    /// 10,000-replica ReplicaSet has 10,000 "Created pod" events).
    events_like: HashMap<u64, Keys, WordBuild>,
    /// Something changed that may let a pending task fit: a task became pending, a task
    /// released its node's resources, or a node changed.
    pub sched_hint: bool,
}

fn add_set(m: &mut BTreeMap<Key, BTreeSet<Key>>, k: &str, v: &str) {
    match by_str!(k, |k| m.get_mut(k)) {
        Some(s) => {
            s.insert(Key::new(v));
        }
        None => {
            m.insert(Key::new(k), BTreeSet::from([Key::new(v)]));
        }
    }
}

fn usage_mut<'a>(m: &'a mut BTreeMap<Key, NodeUsage>, node: &str) -> &'a mut NodeUsage {
    m.entry(Key::new(node)).or_default()
}
fn del_set(m: &mut BTreeMap<Key, BTreeSet<Key>>, k: &str, v: &str) {
    if let Some(s) = by_str!(k, |k| m.get_mut(k)) {
        by_str!(v, |k| s.remove(k));
        if s.is_empty() {
            by_str!(k, |k| m.remove(k));
        }
    }
}

/// How a task counts towards its node's usage.
fn task_usage(t: &Task) -> Option<(Resources, bool)> {
    if t.node_id.is_empty()
        || t.status.state < TaskState::Assigned
        || t.status.state > TaskState::Running
    {
        return None;
    }
    Some((
        t.spec.reservations(),
        t.desired_state <= TaskState::Complete,
    ))
}

fn members<'a>(
    m: &'a BTreeMap<Key, BTreeSet<Key>>,
    k: &str,
) -> impl Iterator<Item = &'a str> + use<'a> {
    by_str!(k, |k| m.get(k))
        .into_iter()
        .flatten()
        .map(Key::as_str)
}

impl NodeUsage {
    /// Tasks of a service that count as active on the node.
    pub fn active_of(&self, svc_id: &str) -> Option<u32> {
        by_str!(svc_id, |k| self.active_by_service.get(k)).copied()
    }
}

impl Index {
    /// A service's tasks.
    pub fn tasks_of_service(&self, svc_id: &str) -> impl Iterator<Item = &str> {
        members(&self.tasks_by_service, svc_id)
    }
    /// The tasks of one slot of a service (slot number, or node for global services).
    pub fn tasks_in_slot(&self, svc_id: &str, slot_key: &str) -> impl Iterator<Item = &str> {
        self.tasks_by_slot
            .get(Key::of(svc_id))
            .into_iter()
            .flat_map(move |slots| members(slots, slot_key))
    }
    pub fn tasks_on_node(&self, node_id: &str) -> impl Iterator<Item = &str> {
        members(&self.tasks_by_node, node_id)
    }
    pub fn containers_on_node(&self, node_id: &str) -> impl Iterator<Item = &str> {
        members(&self.containers_by_node, node_id)
    }
    pub fn container_count_on(&self, node_id: &str) -> usize {
        self.containers_by_node
            .get(Key::of(node_id))
            .map_or(0, BTreeSet::len)
    }
    pub fn usage_of(&self, node_id: &str) -> Option<&NodeUsage> {
        by_str!(node_id, |k| self.usage.get(k))
    }
    /// Tasks waiting for the scheduler, in no particular order.
    pub fn unscheduled(&self) -> impl Iterator<Item = &Key> {
        self.unscheduled.iter()
    }
    pub fn has_unscheduled(&self) -> bool {
        !self.unscheduled.is_empty()
    }

    pub(super) fn task(&mut self, old: Option<&Task>, new: Option<&Task>) {
        // Membership indexes only change when their key does (a task's service and slot
        // never change; its node changes once, when it is assigned).
        let same_svc = matches!((old, new), (Some(o), Some(n)) if o.service_id == n.service_id);
        let same_node = matches!((old, new), (Some(o), Some(n)) if o.node_id == n.node_id);
        let mut was_unscheduled = false;
        if let Some(t) = old {
            if !same_svc {
                del_set(&mut self.tasks_by_service, &t.service_id, &t.id);
                if let Some(slots) = by_str!(&t.service_id, |k| self.tasks_by_slot.get_mut(k)) {
                    del_set(slots, &t.slot_key(), &t.id);
                    if slots.is_empty() {
                        by_str!(&t.service_id, |k| self.tasks_by_slot.remove(k));
                    }
                }
            }
            if !same_node && !t.node_id.is_empty() {
                del_set(&mut self.tasks_by_node, &t.node_id, &t.id);
            }
            was_unscheduled = by_str!(&t.id, |k| self.unscheduled.remove(k));
            if task_usage(t).is_some() && new.is_none_or(|n| task_usage(n).is_none()) {
                self.sched_hint = true;
            }
            if let Some((res, active)) = task_usage(t) {
                let u = usage_mut(&mut self.usage, &t.node_id);
                u.reserved.nano_cpus -= res.nano_cpus;
                u.reserved.memory_bytes -= res.memory_bytes;
                for p in &t.sim.host_ports {
                    if let Some(c) = u.host_ports.get_mut(p) {
                        *c -= 1;
                        if *c == 0 {
                            u.host_ports.remove(p);
                        }
                    }
                }
                if active {
                    u.active -= 1;
                    if let Some(c) = by_str!(&t.service_id, |k| u.active_by_service.get_mut(k)) {
                        *c -= 1;
                        if *c == 0 {
                            by_str!(&t.service_id, |k| u.active_by_service.remove(k));
                        }
                    }
                }
            }
        }
        if let Some(t) = new {
            if !same_svc {
                add_set(&mut self.tasks_by_service, &t.service_id, &t.id);
                match by_str!(&t.service_id, |k| self.tasks_by_slot.get_mut(k)) {
                    Some(slots) => add_set(slots, &t.slot_key(), &t.id),
                    None => {
                        let mut slots = BTreeMap::new();
                        add_set(&mut slots, &t.slot_key(), &t.id);
                        self.tasks_by_slot.insert(Key::new(&t.service_id), slots);
                    }
                }
            }
            if !same_node && !t.node_id.is_empty() {
                add_set(&mut self.tasks_by_node, &t.node_id, &t.id);
            }
            if t.status.state <= TaskState::Pending && t.is_runnable() {
                self.unscheduled.insert(Key::new(&t.id));
                if !was_unscheduled {
                    self.sched_hint = true;
                }
            }
            if let Some((res, active)) = task_usage(t) {
                let u = usage_mut(&mut self.usage, &t.node_id);
                u.reserved.nano_cpus += res.nano_cpus;
                u.reserved.memory_bytes += res.memory_bytes;
                for p in t.sim.host_ports.iter().copied() {
                    *u.host_ports.entry(p).or_default() += 1;
                }
                if active {
                    u.active += 1;
                    match by_str!(&t.service_id, |k| u.active_by_service.get_mut(k)) {
                        Some(c) => *c += 1,
                        None => {
                            u.active_by_service.insert(Key::new(&t.service_id), 1);
                        }
                    }
                }
            }
        }
    }

    pub(super) fn container(&mut self, old: Option<&Container>, new: Option<&Container>) {
        if let Some(c) = old {
            del_set(&mut self.containers_by_node, &c.sim.node, &c.id);
            self.container_names
                .remove(&(c.sim.node.clone(), c.short_name().to_string()));
            if let Some(t) = c.sim.owner.as_ref().and_then(Owner::swarm_task) {
                self.container_by_task.remove(t);
            }
        }
        if let Some(c) = new {
            add_set(&mut self.containers_by_node, &c.sim.node, &c.id);
            self.container_names.insert(
                (c.sim.node.clone(), c.short_name().to_string()),
                c.id.clone(),
            );
            if let Some(t) = c.sim.owner.as_ref().and_then(Owner::swarm_task) {
                self.container_by_task.insert(t.to_string(), c.id.clone());
            }
        }
    }
}

// The index hooks of the kinds registry: what each kind's changes do to the indexes.

pub fn node(ix: &mut Index, _: &str, old: Option<&Node>, new: Option<&Node>) {
    if let Some(n) = old {
        ix.node_names.remove(n.hostname());
    }
    if let Some(n) = new {
        ix.node_names.insert(n.hostname().to_string(), n.id.clone());
    }
    ix.sched_hint = true;
}

pub fn service(ix: &mut Index, _: &str, old: Option<&Service>, new: Option<&Service>) {
    if let Some(s) = old {
        ix.service_names.remove(&s.spec.name);
    }
    if let Some(s) = new {
        ix.service_names.insert(s.spec.name.clone(), s.id.clone());
    }
}

pub fn task(ix: &mut Index, _: &str, old: Option<&Task>, new: Option<&Task>) {
    ix.task(old, new)
}

pub fn container(ix: &mut Index, _: &str, old: Option<&Container>, new: Option<&Container>) {
    ix.container(old, new)
}

pub fn network(ix: &mut Index, _: &str, old: Option<&Network>, new: Option<&Network>) {
    if let Some(n) = old {
        ix.network_names.remove(&n.name);
    }
    if let Some(n) = new {
        ix.network_names.insert(n.name.clone(), n.id.clone());
    }
}

/// What client-go's event correlator compares two events by, as one number.
pub fn event_hash(uid: Option<&str>, field_path: Option<&str>, reason: &str, message: &str) -> u64 {
    let mut h = WordBuild::default().build_hasher();
    for part in [uid, field_path, Some(reason), Some(message)] {
        match part {
            Some(p) => {
                h.write_u8(1);
                h.write(p.as_bytes());
            }
            None => h.write_u8(0),
        }
    }
    h.finish()
}

fn hash_of(e: &kube::KubeEvent) -> u64 {
    let o = &e.involved_object;
    event_hash(
        o.uid.as_deref(),
        o.field_path.as_deref(),
        e.reason.as_deref().unwrap_or_default(),
        e.message.as_deref().unwrap_or_default(),
    )
}

pub fn kube_event(
    ix: &mut Index,
    key: &str,
    old: Option<&kube::KubeEvent>,
    new: Option<&kube::KubeEvent>,
) {
    let (was, now) = (old.map(hash_of), new.map(hash_of));
    // A repeat (its count and last time) changes nothing the index holds.
    if was.is_some() && was == now {
        return;
    }
    if let Some(h) = was
        && let Some(keys) = ix.events_like.get_mut(&h)
        && keys.remove(key)
    {
        ix.events_like.remove(&h);
    }
    if let Some(h) = now {
        match ix.events_like.entry(h) {
            Entry::Occupied(mut e) => e.get_mut().push(Key::new(key)),
            Entry::Vacant(e) => {
                e.insert(Keys::One(Key::new(key)));
            }
        }
    }
}

/// The keys of one [`event_hash`]: almost always one, kept without a vector of its own.
#[derive(Clone, Debug)]
enum Keys {
    One(Key),
    Many(Vec<Key>),
}

impl Keys {
    fn as_slice(&self) -> &[Key] {
        match self {
            Keys::One(k) => std::slice::from_ref(k),
            Keys::Many(v) => v,
        }
    }
    fn push(&mut self, k: Key) {
        match self {
            Keys::One(first) => *self = Keys::Many(vec![first.clone(), k]),
            Keys::Many(v) => v.push(k),
        }
    }
    /// Removes `key`; true if none are left.
    fn remove(&mut self, key: &str) -> bool {
        match self {
            Keys::One(k) => k.as_str() == key,
            Keys::Many(v) => {
                v.retain(|k| k.as_str() != key);
                v.is_empty()
            }
        }
    }
}

impl Index {
    /// The events that may be repeats of one with this [`event_hash`] (equal hashes: the
    /// caller compares the fields).
    pub fn events_like(&self, hash: u64) -> &[Key] {
        self.events_like.get(&hash).map_or(&[], Keys::as_slice)
    }
}

/// Kinds without indexes.
pub fn none<T>(_: &mut Index, _: &str, _: Option<&T>, _: Option<&T>) {}
