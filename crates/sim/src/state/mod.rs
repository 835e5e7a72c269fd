//! Object tables with a transaction journal.
//!
//! Every change to an object goes through [`State::insert`], [`State::update`] or
//! [`State::remove`]. Inside a transaction each of them records the object's previous value,
//! bumps its version, keeps the derived indexes and the timer queue in step, and — at commit —
//! becomes a change event and a dirty key for the store. A failed command is rolled back from
//! the journal, so it changes nothing, by construction rather than by care.

use crate::base::rng::{Rng, WordBuild};
use crate::base::time::SimTime;
use crate::model::*;
use journal::Journal;
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashSet};

mod index;
mod journal;
mod key;
mod kinds;
mod watchlog;
pub use index::{Index, NodeUsage, event_hash};
use key::by_str;
pub use key::{Key, KeyStr};
pub use kinds::{AnyObj, EachKind, Kind, KindFn, Object, Table, Tables, each_kind};
pub use watchlog::{Change, WatchLog};

/// The on-disk format this build writes and reads.
pub const FORMAT_VERSION: u32 = 3;

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
    /// The Kubernetes control plane's counters (absent in states from before it existed).
    #[serde(default)]
    pub kube: KubeMeta,
}

/// What the Kubernetes control plane keeps beside its objects.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KubeMeta {
    /// Whether the cluster's seed objects exist (false in a state written before it).
    pub seeded: bool,
    /// The last resourceVersion given out.
    pub rv: u64,
    /// Randomness of its own (UIDs, name suffixes), so the swarm's stays as it was.
    pub rng: Rng,
    /// When the controllers next run.
    #[serde(default)]
    pub sync_at: Option<SimTime>,
    /// When expired Events are next removed.
    #[serde(default)]
    pub events_gc_at: Option<SimTime>,
    /// Nodes whose kubelet has stopped (`sim node down`), and since when.
    #[serde(default)]
    pub down: std::collections::BTreeMap<String, SimTime>,
}

impl Default for KubeMeta {
    fn default() -> KubeMeta {
        KubeMeta {
            seeded: false,
            rv: 0,
            rng: Rng::new(0x6b75_6265),
            sync_at: None,
            events_gc_at: None,
            down: Default::default(),
        }
    }
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

/// A due timer: (when, insertion order, what).
type TimerEntry = Reverse<(SimTime, u64, Kind, Key)>;

pub const SCHEDULER_TIMER: &str = "scheduler";
/// The Kubernetes control plane's controllers' next pass.
pub const KUBE_TIMER: &str = "kube";

/// Cloning gives an independent copy that behaves identically (plans and previews run on one).
#[derive(Clone)]
pub struct State {
    tables: Tables,
    pub meta: Meta,
    index: Index,
    timers: BinaryHeap<TimerEntry>,
    timer_seq: u64,
    /// The meta record when the open transaction began (`None`: no transaction).
    txn: Option<Meta>,
    journal: Journal,
    events: Vec<Event>,
    /// Keys changed since the last save (may repeat; deduplicated when taken).
    dirty: Vec<(Kind, String)>,
    meta_dirty: bool,
    /// Whether changed keys are collected (a store saves this state).
    tracking: bool,
    /// The Kubernetes watch window.
    watch: WatchLog,
}

impl State {
    pub fn new(meta: Meta) -> State {
        let meta_rv = meta.kube.rv;
        State {
            tables: Tables::default(),
            meta,
            index: Index::default(),
            timers: BinaryHeap::new(),
            timer_seq: 0,
            txn: None,
            journal: Journal::default(),
            events: Vec::new(),
            dirty: Vec::new(),
            meta_dirty: true,
            tracking: false,
            watch: WatchLog::starting_at(meta_rv),
        }
    }

    /// Rebuilds a state from stored objects: indexes and timers are derived again.
    pub fn from_parts(meta: Meta, tables: Tables) -> State {
        let mut st = State::new(meta);
        st.meta_dirty = false;
        st.tables = tables;
        // Every kind in registry order: indexes, then the objects' timers.
        struct Rebuild<'a> {
            tables: &'a Tables,
            index: &'a mut Index,
            wakes: Vec<(SimTime, Kind, Key)>,
        }
        impl EachKind for Rebuild<'_> {
            fn visit<T: Object>(&mut self) {
                for (k, o) in T::table(self.tables) {
                    T::reindex(self.index, k.as_str(), None, Some(o));
                    self.wakes.extend(o.wake().map(|w| (w, T::KIND, k.clone())));
                }
            }
        }
        let mut r = Rebuild {
            tables: &st.tables,
            index: &mut st.index,
            wakes: Vec::new(),
        };
        each_kind(&mut r);
        let wakes = r.wakes;
        for (w, k, id) in wakes {
            st.push_timer(w, k, id);
        }
        if let Some(t) = st.meta.sched_at {
            st.push_timer(t, Kind::Cluster, Key::new(SCHEDULER_TIMER));
        }
        if let Some(t) = st.meta.kube.sync_at {
            st.push_timer(t, Kind::Cluster, Key::new(KUBE_TIMER));
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
        by_str!(key, |k| T::table(&self.tables).get(k)).map(|b| &**b)
    }
    pub fn all<T: Object>(&self) -> impl DoubleEndedIterator<Item = &T> {
        T::table(&self.tables).values().map(|b| &**b)
    }
    /// Every object of a kind with its key, in key order.
    pub fn entries<T: Object>(&self) -> impl DoubleEndedIterator<Item = (&Key, &T)> {
        T::table(&self.tables).iter().map(|(k, b)| (k, &**b))
    }
    pub fn count<T: Object>(&self) -> usize {
        T::table(&self.tables).len()
    }

    // -- transactions -------------------------------------------------------

    /// Begins a transaction that [`State::rollback`] can undo.
    pub fn begin(&mut self) {
        self.begin_txn(true);
    }

    /// Begins a transaction that will not be rolled back (a control loop's step, which cannot
    /// fail): changes are journaled for their events and the store, but previous values are
    /// not kept.
    pub fn begin_final(&mut self) {
        self.begin_txn(false);
    }

    fn begin_txn(&mut self, undo: bool) {
        debug_assert!(self.txn.is_none(), "nested transaction");
        self.txn = Some(self.meta.clone());
        self.journal.undo = undo;
    }

    pub fn in_txn(&self) -> bool {
        self.txn.is_some()
    }

    /// Makes the transaction's changes permanent and publishes them as events.
    pub fn commit(&mut self) {
        let Some(meta_before) = self.txn.take() else {
            return;
        };
        let now = self.meta.now;
        let mut journal = std::mem::take(&mut self.journal);
        self.events.reserve(journal.len());
        for journal::Entry {
            kind,
            key,
            existed,
            exists,
            ..
        } in journal.drain()
        {
            let action = match (existed, exists) {
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
                id: key.to_string(),
            });
            if self.tracking {
                self.dirty.push((kind, key.to_string()));
            }
        }
        self.journal = journal;
        if meta_before.swarm != self.meta.swarm || meta_before.strategy != self.meta.strategy {
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
        if meta_before != self.meta {
            self.meta_dirty = true;
        }
    }

    /// Undoes every change made since [`State::begin`].
    pub fn rollback(&mut self) {
        let Some(meta_before) = self.txn.take() else {
            return;
        };
        struct Restore<'a> {
            st: &'a mut State,
            key: &'a str,
            old: Option<AnyObj>,
        }
        impl KindFn for Restore<'_> {
            type Out = ();
            fn call<T: Object>(self) {
                self.st.restore::<T>(self.key, self.old)
            }
        }
        let mut journal = std::mem::take(&mut self.journal);
        debug_assert!(journal.undo, "rollback of a final transaction");
        let entries: Vec<journal::Entry> = journal.drain().collect();
        self.journal = journal;
        for journal::Entry { kind, key, old, .. } in entries.into_iter().rev() {
            kind.with(Restore {
                st: self,
                key: key.as_str(),
                old,
            });
        }
        self.meta = meta_before;
        self.watch.truncate_after(self.meta.kube.rv);
    }

    fn restore<T: Object>(&mut self, key: &str, old: Option<AnyObj>) {
        let old = old.and_then(T::unwrap);
        let cur = by_str!(key, |k| T::table_mut(&mut self.tables).remove(k));
        T::reindex(&mut self.index, key, cur.as_deref(), old.as_ref());
        if let Some(o) = old {
            if let Some(w) = o.wake() {
                self.push_timer(w, T::KIND, Key::new(key));
            }
            T::table_mut(&mut self.tables).insert(Key::new(key), Box::new(o));
        }
    }

    /// Journals a change to `key` (which exists afterwards or not), before it is made.
    fn journal<T: Object>(&mut self, key: &str, exists: bool) {
        debug_assert!(self.txn.is_some(), "change outside a transaction");
        let table = T::table(&self.tables);
        self.journal.touch(T::KIND, key, exists, |keep| {
            match by_str!(key, |k| table.get(k)) {
                Some(old) => (true, keep.then(|| T::clone(old).wrap())),
                None => (false, None),
            }
        });
    }

    /// The next version of an object of kind `T`: Kubernetes objects count their own
    /// resourceVersions (as etcd does), so the two control planes never shift each other's.
    fn next_version<T: Object>(&mut self) -> u64 {
        let seq = if T::KUBE {
            &mut self.meta.kube.rv
        } else {
            &mut self.meta.version_seq
        };
        *seq += 1;
        *seq
    }

    // -- writing ------------------------------------------------------------

    /// Inserts or replaces an object: one search of its table, for the old value and the
    /// new one's place.
    pub fn insert<T: Object>(&mut self, mut obj: T) {
        use std::collections::btree_map::Entry;
        debug_assert!(self.txn.is_some(), "change outside a transaction");
        let key = obj.key();
        let v = self.next_version::<T>();
        obj.stamp(v, self.meta.now);
        let wake = obj.wake();
        let (new, old): (&T, Option<Box<T>>) =
            match T::table_mut(&mut self.tables).entry(Key::new(&key)) {
                Entry::Occupied(mut e) => {
                    let old = std::mem::replace(e.get_mut(), Box::new(obj));
                    (&**e.into_mut(), Some(old))
                }
                Entry::Vacant(e) => (&**e.insert(Box::new(obj)), None),
            };
        self.journal.touch(T::KIND, &key, true, |keep| {
            let before = old.as_deref().filter(|_| keep);
            (old.is_some(), before.map(|o| T::clone(o).wrap()))
        });
        if T::INDEXED {
            T::reindex(&mut self.index, &key, old.as_deref(), Some(new));
        }
        let old_wake = old.as_ref().and_then(|o| o.wake());
        if T::KUBE {
            let action = match old {
                Some(_) => EventAction::Update,
                None => EventAction::Create,
            };
            self.log_change::<T>(v, &key, action, None);
        }
        if let Some(w) = wake
            && old_wake != Some(w)
        {
            self.push_timer(w, T::KIND, Key::new(&key));
        }
    }

    /// Changes an object in place. Returns false if it does not exist.
    pub fn update<T: Object>(&mut self, key: &str, f: impl FnOnce(&mut T)) -> bool {
        // One lookup, and one copy of the old value when the index update or the journal
        // (the first change in an undoable transaction) needs it.
        let wants_old = T::INDEXED || self.journal.wants_before(T::KIND, key);
        let Some(obj) = by_str!(key, |k| T::table_mut(&mut self.tables).get_mut(k)) else {
            return false;
        };
        let seq = if T::KUBE {
            &mut self.meta.kube.rv
        } else {
            &mut self.meta.version_seq
        };
        *seq += 1;
        let (v, now) = (*seq, self.meta.now);
        let old_wake = obj.wake();
        let obj: &mut T = obj;
        let old = wants_old.then(|| obj.clone());
        f(obj);
        obj.stamp(v, now);
        debug_assert_eq!(obj.key(), key, "an update may not change the key");
        let wake = obj.wake();
        if T::INDEXED {
            T::reindex(&mut self.index, key, old.as_ref(), Some(obj));
        }
        debug_assert!(self.txn.is_some(), "change outside a transaction");
        self.journal.touch(T::KIND, key, true, move |keep| {
            (true, old.filter(|_| keep).map(Object::wrap))
        });
        if T::KUBE {
            self.log_change::<T>(v, key, EventAction::Update, None);
        }
        if let Some(w) = wake
            && old_wake != Some(w)
        {
            self.push_timer(w, T::KIND, Key::new(key));
        }
        true
    }

    pub fn remove<T: Object>(&mut self, key: &str) -> Option<T> {
        if !by_str!(key, |k| T::table(&self.tables).contains_key(k)) {
            return None;
        }
        self.journal::<T>(key, false);
        let mut old = by_str!(key, |k| T::table_mut(&mut self.tables).remove(k)).map(|b| *b);
        T::reindex(&mut self.index, key, old.as_ref(), None);
        if T::KUBE
            && let Some(o) = old.as_mut()
        {
            // A deletion is a write of its own: the watcher's DELETED event carries it.
            let v = self.next_version::<T>();
            o.stamp(v, self.meta.now);
            self.log_change::<T>(v, key, EventAction::Remove, Some(o.clone().wrap()));
        }
        old
    }

    fn log_change<T: Object>(
        &mut self,
        rv: u64,
        key: &str,
        action: EventAction,
        gone: Option<AnyObj>,
    ) {
        self.watch.push(Change {
            rv,
            kind: T::KIND,
            key: Key::new(key),
            action,
            gone,
        });
    }

    /// The Kubernetes watch window.
    pub fn watch_log(&self) -> &WatchLog {
        &self.watch
    }

    /// Sets when the scheduler runs next (keeps the earliest request).
    pub fn request_schedule(&mut self, at: SimTime) {
        if self.meta.sched_at.is_none_or(|t| at < t) {
            self.meta.sched_at = Some(at);
            self.push_timer(at, Kind::Cluster, Key::new(SCHEDULER_TIMER));
        }
    }

    /// Asks for a pass of the Kubernetes controllers at `at` (or earlier, if one is due).
    pub fn request_kube_sync(&mut self, at: SimTime) {
        if self.meta.kube.sync_at.is_none_or(|t| at < t) {
            self.meta.kube.sync_at = Some(at);
            self.push_timer(at, Kind::Cluster, Key::new(KUBE_TIMER));
        }
    }

    // -- timers -------------------------------------------------------------

    fn push_timer(&mut self, at: SimTime, kind: Kind, key: Key) {
        self.timer_seq += 1;
        self.timers.push(Reverse((at, self.timer_seq, kind, key)));
    }

    /// The earliest pending timer, if any (it may be stale; see [`State::pop_due`]).
    pub fn next_timer(&self) -> Option<SimTime> {
        self.timers.peek().map(|Reverse((t, ..))| *t)
    }

    /// Pops every timer due exactly at `at` that still matches its object's wake time, and
    /// clears those wake times (so duplicates and stale entries are skipped).
    pub fn pop_due(&mut self, at: SimTime) -> Vec<(Kind, Key)> {
        let mut out = Vec::new();
        let mut seen: HashSet<(Kind, Key), WordBuild> = HashSet::default();
        while let Some(Reverse((t, _, _, _))) = self.timers.peek() {
            if *t != at {
                break;
            }
            let Some(Reverse((t, _, kind, key))) = self.timers.pop() else {
                break;
            };
            if self.timer_live(kind, key.as_str(), t) && seen.insert((kind, key.clone())) {
                out.push((kind, key));
            }
        }
        struct ClearWake<'a>(&'a mut State, &'a str);
        impl KindFn for ClearWake<'_> {
            type Out = ();
            fn call<T: Object>(self) {
                self.0.update::<T>(self.1, |o| o.clear_wake());
            }
        }
        for (kind, key) in &out {
            match kind {
                Kind::Cluster if key.as_str() == KUBE_TIMER => self.meta.kube.sync_at = None,
                Kind::Cluster => self.meta.sched_at = None,
                k => {
                    k.with(ClearWake(self, key.as_str()));
                }
            }
        }
        out
    }

    /// Drops timers that are no longer live from the front of the queue.
    pub fn prune_timers(&mut self) {
        while let Some(Reverse((t, _, kind, key))) = self.timers.peek() {
            if self.timer_live(*kind, key.as_str(), *t) {
                break;
            }
            self.timers.pop();
        }
    }

    /// A queued timer is live if its object still wants to wake at that time.
    fn timer_live(&self, kind: Kind, key: &str, t: SimTime) -> bool {
        struct Live<'a>(&'a Tables, &'a str);
        impl KindFn for Live<'_> {
            type Out = Option<SimTime>;
            fn call<T: Object>(self) -> Option<SimTime> {
                by_str!(self.1, |k| T::table(self.0).get(k)).and_then(|o| o.wake())
            }
        }
        match kind {
            Kind::Cluster if key == KUBE_TIMER => self.meta.kube.sync_at == Some(t),
            Kind::Cluster => self.meta.sched_at == Some(t),
            k => k.with(Live(&self.tables, key)).flatten() == Some(t),
        }
    }

    /// Objects whose key starts with `prefix`, in key order (a range scan, not a full one).
    pub fn with_prefix<'a, 'p, T: Object>(
        &'a self,
        prefix: &'p str,
    ) -> impl Iterator<Item = &'a T> + use<'a, 'p, T> {
        T::table(&self.tables)
            .range::<KeyStr, _>((
                std::ops::Bound::Included(Key::of(prefix)),
                std::ops::Bound::Unbounded,
            ))
            .take_while(move |(k, _)| k.as_bytes().starts_with(prefix.as_bytes()))
            .map(|(_, v)| &**v)
    }

    // -- events and persistence --------------------------------------------

    /// Takes the events published since the last call.
    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    /// Takes the keys changed since the last call, and whether the meta record changed.
    /// From now on, collects the keys that change for [`State::take_dirty`] (a state no store
    /// saves does not keep them).
    pub fn track_dirty(&mut self) {
        self.tracking = true;
    }

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
