//! Object tables with a transaction journal.
//!
//! Every change to an object goes through [`State::insert`], [`State::update`] or
//! [`State::remove`]. Inside a transaction each of them records the object's previous value,
//! bumps its version, keeps the derived indexes and the timer queue in step, and — at commit —
//! becomes a change event and a dirty key for the store. A failed command is rolled back from
//! the journal, so it changes nothing, by construction rather than by care.

use crate::base::rng::Rng;
use crate::base::time::SimTime;
use crate::model::*;
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashSet};

mod kinds;
pub use kinds::Kind;

/// The on-disk format this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// Cluster-wide simulation state that is not an object: the clock, the RNG, counters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    pub format: u32,
    pub seed: u64,
    pub now: SimTime,
    pub rng: Rng,
    pub version_seq: u64,
    pub event_seq: u64,
    pub strategy: Strategy,
    pub swarm: Swarm,
    /// When the scheduler next runs (debounced like swarmkit's commit batching).
    pub sched_at: Option<SimTime>,
    pub next_ingress_port: u32,
    pub next_vxlan: u32,
    pub pid_seq: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventAction {
    Create,
    Update,
    Remove,
}

/// A change to the cluster, published after each committed transaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub seq: u64,
    pub at: SimTime,
    pub action: EventAction,
    pub kind: Kind,
    pub id: String,
}

#[derive(Clone, Debug)]
pub enum AnyObj {
    Node(Box<Node>),
    Service(Box<Service>),
    Task(Box<Task>),
    Container(Box<Container>),
    Volume(Box<Volume>),
    Network(Box<Network>),
}

/// Per-node scheduler bookkeeping (swarmkit's NodeInfo), derived from the tasks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeUsage {
    /// Reservations of tasks observed PENDING..RUNNING on the node (A5, A6).
    pub reserved: Resources,
    /// Tasks observed ASSIGNED..RUNNING whose desired state is at most COMPLETE.
    pub active: u32,
    pub active_by_service: BTreeMap<String, u32>,
    /// Host-mode published ports in use (A8).
    pub host_ports: BTreeMap<(Protocol, u32), u32>,
}

#[derive(Clone, Debug, Default)]
pub struct Index {
    pub tasks_by_service: BTreeMap<String, BTreeSet<String>>,
    /// Tasks of each service by slot key (slot number, or node for global services).
    pub tasks_by_slot: BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
    pub tasks_by_node: BTreeMap<String, BTreeSet<String>>,
    /// Tasks waiting for the scheduler (observed PENDING or earlier, still wanted).
    pub unscheduled: BTreeSet<String>,
    pub usage: BTreeMap<String, NodeUsage>,
    pub containers_by_node: BTreeMap<String, BTreeSet<String>>,
    pub container_by_task: BTreeMap<String, String>,
    pub container_names: BTreeMap<(String, String), String>,
    pub service_names: BTreeMap<String, String>,
    pub node_names: BTreeMap<String, String>,
    pub network_names: BTreeMap<String, String>,
    /// Something changed that may let a pending task fit: a task became pending, a task
    /// released its node's resources, or a node changed.
    pub sched_hint: bool,
}

fn add_set(m: &mut BTreeMap<String, BTreeSet<String>>, k: &str, v: &str) {
    match m.get_mut(k) {
        Some(s) => {
            s.insert(v.to_string());
        }
        None => {
            m.insert(k.to_string(), BTreeSet::from([v.to_string()]));
        }
    }
}

fn usage_mut<'a>(m: &'a mut BTreeMap<String, NodeUsage>, node: &str) -> &'a mut NodeUsage {
    if !m.contains_key(node) {
        m.insert(node.to_string(), NodeUsage::default());
    }
    m.get_mut(node).expect("just inserted")
}
fn del_set(m: &mut BTreeMap<String, BTreeSet<String>>, k: &str, v: &str) {
    if let Some(s) = m.get_mut(k) {
        s.remove(v);
        if s.is_empty() {
            m.remove(k);
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

impl Index {
    fn task(&mut self, old: Option<&Task>, new: Option<&Task>) {
        // Membership indexes only change when their key does (a task's service and slot
        // never change; its node changes once, when it is assigned).
        let same_svc = matches!((old, new), (Some(o), Some(n)) if o.service_id == n.service_id);
        let same_node = matches!((old, new), (Some(o), Some(n)) if o.node_id == n.node_id);
        let mut was_unscheduled = false;
        if let Some(t) = old {
            if !same_svc {
                del_set(&mut self.tasks_by_service, &t.service_id, &t.id);
                if let Some(slots) = self.tasks_by_slot.get_mut(&t.service_id) {
                    del_set(slots, &t.slot_key(), &t.id);
                    if slots.is_empty() {
                        self.tasks_by_slot.remove(&t.service_id);
                    }
                }
            }
            if !same_node && !t.node_id.is_empty() {
                del_set(&mut self.tasks_by_node, &t.node_id, &t.id);
            }
            was_unscheduled = self.unscheduled.remove(&t.id);
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
                    if let Some(c) = u.active_by_service.get_mut(&t.service_id) {
                        *c -= 1;
                        if *c == 0 {
                            u.active_by_service.remove(&t.service_id);
                        }
                    }
                }
            }
        }
        if let Some(t) = new {
            if !same_svc {
                add_set(&mut self.tasks_by_service, &t.service_id, &t.id);
                match self.tasks_by_slot.get_mut(&t.service_id) {
                    Some(slots) => add_set(slots, &t.slot_key(), &t.id),
                    None => {
                        let mut slots = BTreeMap::new();
                        add_set(&mut slots, &t.slot_key(), &t.id);
                        self.tasks_by_slot.insert(t.service_id.clone(), slots);
                    }
                }
            }
            if !same_node && !t.node_id.is_empty() {
                add_set(&mut self.tasks_by_node, &t.node_id, &t.id);
            }
            if t.status.state <= TaskState::Pending && t.is_runnable() {
                if !was_unscheduled {
                    self.unscheduled.insert(t.id.clone());
                    self.sched_hint = true;
                } else {
                    self.unscheduled.insert(t.id.clone());
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
                    match u.active_by_service.get_mut(&t.service_id) {
                        Some(c) => *c += 1,
                        None => {
                            u.active_by_service.insert(t.service_id.clone(), 1);
                        }
                    }
                }
            }
        }
    }

    fn container(&mut self, old: Option<&Container>, new: Option<&Container>) {
        if let Some(c) = old {
            del_set(&mut self.containers_by_node, &c.sim.node, &c.id);
            self.container_names
                .remove(&(c.sim.node.clone(), c.short_name().to_string()));
            if let Some(t) = &c.sim.task {
                self.container_by_task.remove(t);
            }
        }
        if let Some(c) = new {
            add_set(&mut self.containers_by_node, &c.sim.node, &c.id);
            self.container_names.insert(
                (c.sim.node.clone(), c.short_name().to_string()),
                c.id.clone(),
            );
            if let Some(t) = &c.sim.task {
                self.container_by_task.insert(t.clone(), c.id.clone());
            }
        }
    }
}

/// A kind of object stored in a table.
pub trait Object: Clone + Sized + 'static {
    const KIND: Kind;
    fn key(&self) -> String;
    fn stamp(&mut self, version: u64, now: SimTime);
    fn wake(&self) -> Option<SimTime>;
    fn wrap(self) -> AnyObj;
    fn unwrap(o: AnyObj) -> Option<Self>;
    fn table(t: &Tables) -> &BTreeMap<String, Self>;
    fn table_mut(t: &mut Tables) -> &mut BTreeMap<String, Self>;
    fn reindex(_ix: &mut Index, _old: Option<&Self>, _new: Option<&Self>) {}
}

#[derive(Clone, Debug, Default)]
pub struct Tables {
    pub nodes: BTreeMap<String, Node>,
    pub services: BTreeMap<String, Service>,
    pub tasks: BTreeMap<String, Task>,
    pub containers: BTreeMap<String, Container>,
    pub volumes: BTreeMap<String, Volume>,
    pub networks: BTreeMap<String, Network>,
}

macro_rules! object_impl {
    ($ty:ty, $kind:expr, $variant:ident, $field:ident, key = |$k:ident| $key:expr, stamp = |$s:ident, $v:ident, $n:ident| $stamp:expr, wake = |$w:ident| $wake:expr) => {
        impl Object for $ty {
            const KIND: Kind = $kind;
            fn key(&self) -> String {
                let $k = self;
                $key
            }
            fn stamp(&mut self, $v: u64, $n: SimTime) {
                let $s = self;
                $stamp
            }
            fn wake(&self) -> Option<SimTime> {
                let $w = self;
                $wake
            }
            fn wrap(self) -> AnyObj {
                AnyObj::$variant(Box::new(self))
            }
            fn unwrap(o: AnyObj) -> Option<Self> {
                match o {
                    AnyObj::$variant(x) => Some(*x),
                    _ => None,
                }
            }
            fn table(t: &Tables) -> &BTreeMap<String, Self> {
                &t.$field
            }
            fn table_mut(t: &mut Tables) -> &mut BTreeMap<String, Self> {
                &mut t.$field
            }
            fn reindex(ix: &mut Index, old: Option<&Self>, new: Option<&Self>) {
                reindex_impl(ix, old, new)
            }
        }
    };
}

trait ReindexImpl {
    fn go(ix: &mut Index, old: Option<&Self>, new: Option<&Self>);
}
fn reindex_impl<T: ReindexImpl>(ix: &mut Index, old: Option<&T>, new: Option<&T>) {
    T::go(ix, old, new)
}

impl ReindexImpl for Node {
    fn go(ix: &mut Index, old: Option<&Self>, new: Option<&Self>) {
        if let Some(n) = old {
            ix.node_names.remove(n.hostname());
        }
        if let Some(n) = new {
            ix.node_names.insert(n.hostname().to_string(), n.id.clone());
        }
        ix.sched_hint = true;
    }
}
impl ReindexImpl for Service {
    fn go(ix: &mut Index, old: Option<&Self>, new: Option<&Self>) {
        if let Some(s) = old {
            ix.service_names.remove(&s.spec.name);
        }
        if let Some(s) = new {
            ix.service_names.insert(s.spec.name.clone(), s.id.clone());
        }
    }
}
impl ReindexImpl for Task {
    fn go(ix: &mut Index, old: Option<&Self>, new: Option<&Self>) {
        ix.task(old, new)
    }
}
impl ReindexImpl for Container {
    fn go(ix: &mut Index, old: Option<&Self>, new: Option<&Self>) {
        ix.container(old, new)
    }
}
impl ReindexImpl for Volume {
    fn go(_: &mut Index, _: Option<&Self>, _: Option<&Self>) {}
}
impl ReindexImpl for Network {
    fn go(ix: &mut Index, old: Option<&Self>, new: Option<&Self>) {
        if let Some(n) = old {
            ix.network_names.remove(&n.name);
        }
        if let Some(n) = new {
            ix.network_names.insert(n.name.clone(), n.id.clone());
        }
    }
}

/// Versioned objects carry a Version index and UpdatedAt that every change bumps.
macro_rules! versioned {
    ($ty:ident, $field:ident) => {
        object_impl!(
            $ty,
            Kind::$ty,
            $ty,
            $field,
            key = |x| x.id.clone(),
            stamp = |s, v, n| {
                s.version.index = v;
                s.updated_at = n;
            },
            wake = |x| x.sim.wake
        );
    };
}

versioned!(Node, nodes);
versioned!(Service, services);
versioned!(Task, tasks);
object_impl!(
    Container,
    Kind::Container,
    Container,
    containers,
    key = |x| x.id.clone(),
    stamp = |_s, _v, _n| {},
    wake = |x| x.sim.wake
);
object_impl!(
    Volume,
    Kind::Volume,
    Volume,
    volumes,
    key = |x| Volume::key_of(&x.sim.node, &x.name),
    stamp = |_s, _v, _n| {},
    wake = |_x| None
);
object_impl!(
    Network,
    Kind::Network,
    Network,
    networks,
    key = |x| x.id.clone(),
    stamp = |_s, _v, _n| {},
    wake = |_x| None
);

#[derive(Clone)]
struct Txn {
    /// Previous values (boxed inside `AnyObj`: objects are large, journals can be long).
    journal: Vec<(Kind, String, Option<AnyObj>)>,
    touched: HashSet<(Kind, String), crate::base::rng::FnvBuild>,
    meta_before: Meta,
}

/// A due timer: (when, insertion order, what).
type TimerEntry = Reverse<(SimTime, u64, Kind, String)>;

pub const SCHEDULER_TIMER: &str = "scheduler";

/// Cloning gives an independent copy that behaves identically (plans and previews run on one).
#[derive(Clone)]
pub struct State {
    tables: Tables,
    pub meta: Meta,
    index: Index,
    timers: BinaryHeap<TimerEntry>,
    timer_seq: u64,
    txn: Option<Txn>,
    events: Vec<Event>,
    /// Keys changed since the last save (may repeat; deduplicated when taken).
    dirty: Vec<(Kind, String)>,
    meta_dirty: bool,
}

impl State {
    pub fn new(meta: Meta) -> State {
        State {
            tables: Tables::default(),
            meta,
            index: Index::default(),
            timers: BinaryHeap::new(),
            timer_seq: 0,
            txn: None,
            events: Vec::new(),
            dirty: Vec::new(),
            meta_dirty: true,
        }
    }

    /// Rebuilds a state from stored objects: indexes and timers are derived again.
    pub fn from_parts(meta: Meta, tables: Tables) -> State {
        let mut st = State::new(meta);
        st.meta_dirty = false;
        st.tables = tables;
        let mut wakes = Vec::new();
        for n in st.tables.nodes.values() {
            Node::reindex(&mut st.index, None, Some(n));
            wakes.extend(n.wake().map(|w| (w, Kind::Node, n.id.clone())));
        }
        for s in st.tables.services.values() {
            Service::reindex(&mut st.index, None, Some(s));
            wakes.extend(s.wake().map(|w| (w, Kind::Service, s.id.clone())));
        }
        for t in st.tables.tasks.values() {
            Task::reindex(&mut st.index, None, Some(t));
            wakes.extend(t.wake().map(|w| (w, Kind::Task, t.id.clone())));
        }
        for c in st.tables.containers.values() {
            Container::reindex(&mut st.index, None, Some(c));
            wakes.extend(c.wake().map(|w| (w, Kind::Container, c.id.clone())));
        }
        for n in st.tables.networks.values() {
            Network::reindex(&mut st.index, None, Some(n));
        }
        for (w, k, id) in wakes {
            st.push_timer(w, k, id);
        }
        if let Some(t) = st.meta.sched_at {
            st.push_timer(t, Kind::Cluster, SCHEDULER_TIMER.into());
        }
        st
    }

    pub fn tables(&self) -> &Tables {
        &self.tables
    }
    pub fn index(&self) -> &Index {
        &self.index
    }
    /// Reads and clears the scheduler hint.
    pub fn take_sched_hint(&mut self) -> bool {
        std::mem::replace(&mut self.index.sched_hint, false)
    }
    pub fn now(&self) -> SimTime {
        self.meta.now
    }

    // -- reading ------------------------------------------------------------

    pub fn get<T: Object>(&self, key: &str) -> Option<&T> {
        T::table(&self.tables).get(key)
    }
    pub fn all<T: Object>(&self) -> impl DoubleEndedIterator<Item = &T> {
        T::table(&self.tables).values()
    }
    pub fn count<T: Object>(&self) -> usize {
        T::table(&self.tables).len()
    }

    // -- transactions -------------------------------------------------------

    pub fn begin(&mut self) {
        debug_assert!(self.txn.is_none(), "nested transaction");
        self.txn = Some(Txn {
            journal: Vec::new(),
            touched: HashSet::default(),
            meta_before: self.meta.clone(),
        });
    }

    pub fn in_txn(&self) -> bool {
        self.txn.is_some()
    }

    /// Makes the transaction's changes permanent and publishes them as events.
    pub fn commit(&mut self) {
        let Some(txn) = self.txn.take() else { return };
        let now = self.meta.now;
        for (kind, key, old) in txn.journal {
            let exists = self.exists(kind, &key);
            let action = match (old.is_some(), exists) {
                (false, true) => EventAction::Create,
                (true, true) => EventAction::Update,
                (true, false) => EventAction::Remove,
                (false, false) => continue,
            };
            self.meta.event_seq += 1;
            self.events.push(Event {
                seq: self.meta.event_seq,
                at: now,
                action,
                kind,
                id: key.clone(),
            });
            self.dirty.push((kind, key));
        }
        if txn.meta_before.swarm != self.meta.swarm
            || txn.meta_before.strategy != self.meta.strategy
        {
            self.meta.event_seq += 1;
            let id = self.meta.swarm.id.clone();
            self.events.push(Event {
                seq: self.meta.event_seq,
                at: now,
                action: EventAction::Update,
                kind: Kind::Cluster,
                id,
            });
        }
        if txn.meta_before != self.meta {
            self.meta_dirty = true;
        }
    }

    /// Undoes every change made since [`State::begin`].
    pub fn rollback(&mut self) {
        let Some(txn) = self.txn.take() else { return };
        for (kind, key, old) in txn.journal.into_iter().rev() {
            match kind {
                Kind::Node => self.restore::<Node>(&key, old),
                Kind::Service => self.restore::<Service>(&key, old),
                Kind::Task => self.restore::<Task>(&key, old),
                Kind::Container => self.restore::<Container>(&key, old),
                Kind::Volume => self.restore::<Volume>(&key, old),
                Kind::Network => self.restore::<Network>(&key, old),
                Kind::Cluster => {}
            }
        }
        self.meta = txn.meta_before;
    }

    fn restore<T: Object>(&mut self, key: &str, old: Option<AnyObj>) {
        let old = old.and_then(T::unwrap);
        let cur = T::table_mut(&mut self.tables).remove(key);
        T::reindex(&mut self.index, cur.as_ref(), old.as_ref());
        if let Some(o) = old {
            if let Some(w) = o.wake() {
                self.push_timer(w, T::KIND, key.to_string());
            }
            T::table_mut(&mut self.tables).insert(key.to_string(), o);
        }
    }

    fn exists(&self, kind: Kind, key: &str) -> bool {
        match kind {
            Kind::Node => self.tables.nodes.contains_key(key),
            Kind::Service => self.tables.services.contains_key(key),
            Kind::Task => self.tables.tasks.contains_key(key),
            Kind::Container => self.tables.containers.contains_key(key),
            Kind::Volume => self.tables.volumes.contains_key(key),
            Kind::Network => self.tables.networks.contains_key(key),
            Kind::Cluster => true,
        }
    }

    fn journal<T: Object>(&mut self, key: &str) {
        let Some(txn) = self.txn.as_mut() else {
            debug_assert!(false, "change outside a transaction");
            return;
        };
        if txn.touched.insert((T::KIND, key.to_string())) {
            let old = T::table(&self.tables).get(key).cloned().map(T::wrap);
            txn.journal.push((T::KIND, key.to_string(), old));
        }
    }

    fn next_version(&mut self) -> u64 {
        self.meta.version_seq += 1;
        self.meta.version_seq
    }

    // -- writing ------------------------------------------------------------

    /// Inserts or replaces an object.
    pub fn insert<T: Object>(&mut self, mut obj: T) {
        let key = obj.key();
        self.journal::<T>(&key);
        let v = self.next_version();
        obj.stamp(v, self.meta.now);
        let wake = obj.wake();
        let old = T::table_mut(&mut self.tables).insert(key.clone(), obj);
        let new = T::table(&self.tables).get(&key);
        T::reindex(&mut self.index, old.as_ref(), new);
        if let Some(w) = wake
            && old.as_ref().and_then(|o| o.wake()) != Some(w)
        {
            self.push_timer(w, T::KIND, key);
        }
    }

    /// Changes an object in place. Returns false if it does not exist.
    pub fn update<T: Object>(&mut self, key: &str, f: impl FnOnce(&mut T)) -> bool {
        self.meta.version_seq += 1;
        let (v, now) = (self.meta.version_seq, self.meta.now);
        // One lookup, and one copy of the old value, which serves the index update and, on
        // the first change in this transaction, the journal.
        let Some(obj) = T::table_mut(&mut self.tables).get_mut(key) else {
            self.meta.version_seq -= 1;
            return false;
        };
        let old = obj.clone();
        f(obj);
        obj.stamp(v, now);
        debug_assert_eq!(obj.key(), key, "an update may not change the key");
        let wake = obj.wake();
        T::reindex(&mut self.index, Some(&old), Some(obj));
        let old_wake = old.wake();
        match self.txn.as_mut() {
            Some(txn) => {
                if txn.touched.insert((T::KIND, key.to_string())) {
                    txn.journal
                        .push((T::KIND, key.to_string(), Some(old.wrap())));
                }
            }
            None => debug_assert!(false, "change outside a transaction"),
        }
        if let Some(w) = wake
            && old_wake != Some(w)
        {
            self.push_timer(w, T::KIND, key.to_string());
        }
        true
    }

    pub fn remove<T: Object>(&mut self, key: &str) -> Option<T> {
        if !T::table(&self.tables).contains_key(key) {
            return None;
        }
        self.journal::<T>(key);
        let old = T::table_mut(&mut self.tables).remove(key);
        T::reindex(&mut self.index, old.as_ref(), None);
        old
    }

    /// Sets when the scheduler runs next (keeps the earliest request).
    pub fn request_schedule(&mut self, at: SimTime) {
        if self.meta.sched_at.is_none_or(|t| at < t) {
            self.meta.sched_at = Some(at);
            self.push_timer(at, Kind::Cluster, SCHEDULER_TIMER.into());
        }
    }

    // -- timers -------------------------------------------------------------

    fn push_timer(&mut self, at: SimTime, kind: Kind, key: String) {
        self.timer_seq += 1;
        self.timers.push(Reverse((at, self.timer_seq, kind, key)));
    }

    /// The earliest pending timer, if any (it may be stale; see [`State::pop_due`]).
    pub fn next_timer(&self) -> Option<SimTime> {
        self.timers.peek().map(|Reverse((t, ..))| *t)
    }

    /// Pops every timer due exactly at `at` that still matches its object's wake time, and
    /// clears those wake times (so duplicates and stale entries are skipped).
    pub fn pop_due(&mut self, at: SimTime) -> Vec<(Kind, String)> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        while let Some(Reverse((t, _, _, _))) = self.timers.peek() {
            if *t != at {
                break;
            }
            let Some(Reverse((t, _, kind, key))) = self.timers.pop() else {
                break;
            };
            if self.timer_live(kind, &key, t) && seen.insert((kind, key.clone())) {
                out.push((kind, key));
            }
        }
        for (kind, key) in &out {
            match kind {
                Kind::Node => {
                    self.update::<Node>(key, |o| o.sim.wake = None);
                }
                Kind::Service => {
                    self.update::<Service>(key, |o| o.sim.wake = None);
                }
                Kind::Task => {
                    self.update::<Task>(key, |o| o.sim.wake = None);
                }
                Kind::Container => {
                    self.update::<Container>(key, |o| o.sim.wake = None);
                }
                Kind::Cluster => self.meta.sched_at = None,
                _ => {}
            }
        }
        out
    }

    /// Drops timers that are no longer live from the front of the queue.
    pub fn prune_timers(&mut self) {
        while let Some(Reverse((t, _, kind, key))) = self.timers.peek() {
            if self.timer_live(*kind, key, *t) {
                break;
            }
            self.timers.pop();
        }
    }

    /// A queued timer is live if its object still wants to wake at that time.
    fn timer_live(&self, kind: Kind, key: &str, t: SimTime) -> bool {
        match kind {
            Kind::Node => self.get::<Node>(key).and_then(|o| o.wake()) == Some(t),
            Kind::Service => self.get::<Service>(key).and_then(|o| o.wake()) == Some(t),
            Kind::Task => self.get::<Task>(key).and_then(|o| o.wake()) == Some(t),
            Kind::Container => self.get::<Container>(key).and_then(|o| o.wake()) == Some(t),
            Kind::Cluster => self.meta.sched_at == Some(t),
            _ => false,
        }
    }

    /// Objects whose key starts with `prefix`, in key order (a range scan, not a full one).
    pub fn with_prefix<'a, 'p, T: Object>(
        &'a self,
        prefix: &'p str,
    ) -> impl Iterator<Item = &'a T> + use<'a, 'p, T> {
        T::table(&self.tables)
            .range::<str, _>((
                std::ops::Bound::Included(prefix),
                std::ops::Bound::Unbounded,
            ))
            .take_while(move |(k, _)| k.starts_with(prefix))
            .map(|(_, v)| v)
    }

    // -- events and persistence --------------------------------------------

    /// Takes the events published since the last call.
    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    /// Takes the keys changed since the last call, and whether the meta record changed.
    pub fn take_dirty(&mut self) -> (BTreeSet<(Kind, String)>, bool) {
        (
            std::mem::take(&mut self.dirty).into_iter().collect(),
            std::mem::replace(&mut self.meta_dirty, false),
        )
    }

    /// Puts back dirty keys after a failed write, so the next write retries them.
    pub fn restore_dirty(&mut self, keys: BTreeSet<(Kind, String)>, meta: bool) {
        self.dirty.extend(keys);
        self.meta_dirty |= meta;
    }

    /// Moves the clock forward (never backwards).
    pub fn set_now(&mut self, t: SimTime) {
        if t > self.meta.now {
            self.meta.now = t;
            self.meta_dirty = true;
        }
    }
}
