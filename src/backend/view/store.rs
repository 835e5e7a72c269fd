//! The client's copy of a backend's objects: one table per family, kept current by
//! [`Store::apply`] from the watch's changes (every client does it this one way).

use super::*;
use crate::backend::WatchEvent;
use std::collections::HashMap;

/// One family's objects, by uid.
pub type Family<V> = HashMap<String, V>;

/// What changed, for panes to update their tables.
#[derive(Clone, Debug, PartialEq)]
pub enum Delta {
    /// Everything may have changed (a snapshot).
    Reset,
    Changed(super::Family, String),
}

#[derive(Clone, Debug, Default)]
pub struct Store {
    pub hosts: Family<HostView>,
    pub workloads: Family<WorkloadView>,
    /// Boxed: replicas are many and large, and a table's spare buckets would hold a whole
    /// view each.
    pub replicas: Family<Box<ReplicaView>>,
    pub revisions: Family<RevisionView>,
    pub storage: Family<StorageView>,
    pub networks: Family<NetworkView>,
    /// Revisions by the uid of their workload. (Replicas are not indexed by owner: a pane
    /// scans them once per rebuild, and an index would double what 100k rows cost.)
    revisions_of: HashMap<String, Vec<String>>,
    /// Replicas running that should be (kept as they change, for the header).
    pub running: usize,
}

/// A view type of one family.
trait Member: Sized {
    const FAMILY: super::Family;
    fn table(s: &mut Store) -> &mut Family<Self>;
    fn common(&self) -> &Common;
}

macro_rules! member {
    ($ty:ty, $fam:ident, $field:ident) => {
        impl Member for $ty {
            const FAMILY: super::Family = super::Family::$fam;
            fn table(s: &mut Store) -> &mut Family<Self> {
                &mut s.$field
            }
            fn common(&self) -> &Common {
                &self.c
            }
        }
    };
}
member!(HostView, Host, hosts);
member!(WorkloadView, Workload, workloads);
member!(Box<ReplicaView>, Replica, replicas);
member!(RevisionView, Revision, revisions);
member!(StorageView, Storage, storage);
member!(NetworkView, Network, networks);

impl Store {
    /// A store holding `views`.
    pub fn from_snapshot(views: Snapshot) -> Store {
        // Each table at its size from the start: growing one on the way holds its old and new
        // buckets at once.
        let mut s = Store::default();
        let count = |f: fn(&View) -> bool| views.iter().filter(|v| f(v)).count();
        s.hosts.reserve(count(|v| matches!(v, View::Host(_))));
        s.workloads
            .reserve(count(|v| matches!(v, View::Workload(_))));
        s.replicas.reserve(count(|v| matches!(v, View::Replica(_))));
        s.revisions
            .reserve(count(|v| matches!(v, View::Revision(_))));
        s.storage.reserve(count(|v| matches!(v, View::Storage(_))));
        s.networks.reserve(count(|v| matches!(v, View::Network(_))));
        for v in views {
            s.put(v);
        }
        s
    }

    /// Takes one change in.
    pub fn apply(&mut self, c: Change) -> Delta {
        match c {
            Change::Upsert(v) => self.put(v),
            Change::Removed(r) => self.remove(&r),
        }
    }

    /// Takes a watch event in (what a client that shows nothing but the objects does).
    pub fn apply_event(&mut self, ev: WatchEvent) {
        match ev {
            WatchEvent::Snapshot(v, _) => *self = Store::from_snapshot(*v),
            WatchEvent::Changes(cs) => {
                for c in cs {
                    self.apply(c);
                }
            }
            WatchEvent::Clock(_) | WatchEvent::Lost(_) | WatchEvent::Info(_) => {}
        }
    }

    fn put(&mut self, v: View) -> Delta {
        match v {
            View::Host(x) => self.insert(x),
            View::Workload(x) => self.insert(*x),
            View::Replica(x) => {
                let now = x.counts_as_running() as usize;
                let uid = x.c.r.uid.clone();
                let before = self
                    .replicas
                    .insert(uid.clone(), x)
                    .is_some_and(|o| o.counts_as_running()) as usize;
                self.running = (self.running + now).saturating_sub(before);
                Delta::Changed(super::Family::Replica, uid)
            }
            View::Revision(x) => {
                if let Some(owner) = &x.c.owner {
                    let ids = self.revisions_of.entry(owner.uid.clone()).or_default();
                    if !ids.contains(&x.c.r.uid) {
                        ids.push(x.c.r.uid.clone());
                    }
                }
                self.insert(*x)
            }
            View::Storage(x) => self.insert(x),
            View::Network(x) => self.insert(x),
        }
    }

    fn insert<T: Member>(&mut self, x: T) -> Delta {
        let uid = x.common().r.uid.clone();
        T::table(self).insert(uid.clone(), x);
        Delta::Changed(T::FAMILY, uid)
    }

    fn remove(&mut self, r: &ObjRef) -> Delta {
        let family = r.kind.family();
        let uid = &r.uid;
        match family {
            super::Family::Host => drop(self.hosts.remove(uid)),
            super::Family::Workload => drop(self.workloads.remove(uid)),
            super::Family::Replica => {
                if self
                    .replicas
                    .remove(uid)
                    .is_some_and(|t| t.counts_as_running())
                {
                    self.running = self.running.saturating_sub(1);
                }
            }
            super::Family::Revision => {
                if let Some(owner) = self.revisions.remove(uid).and_then(|x| x.c.owner)
                    && let Some(ids) = self.revisions_of.get_mut(&owner.uid)
                {
                    ids.retain(|i| i != uid);
                    if ids.is_empty() {
                        self.revisions_of.remove(&owner.uid);
                    }
                }
            }
            super::Family::Storage => drop(self.storage.remove(uid)),
            super::Family::Network => drop(self.networks.remove(uid)),
        }
        Delta::Changed(family, uid.clone())
    }

    /// Whether a replica belongs to the workload `uid`: directly (a task's service, a pod's
    /// ReplicaSet), or through the workload its owner belongs to (a Deployment's pods, through
    /// its ReplicaSets; a CronJob's, through its Jobs).
    pub fn belongs_to(&self, r: &ReplicaView, uid: &str) -> bool {
        let Some(owner) = r.c.owner.as_ref() else {
            return false;
        };
        owner.uid == uid
            || self
                .workloads
                .get(&owner.uid)
                .and_then(|w| w.c.owner.as_ref())
                .is_some_and(|o| o.uid == uid)
    }

    /// A workload's revisions, oldest first.
    pub fn revisions_of(&self, workload: &str) -> Vec<&RevisionView> {
        let mut v: Vec<&RevisionView> = self
            .revisions_of
            .get(workload)
            .into_iter()
            .flatten()
            .filter_map(|id| self.revisions.get(id))
            .collect();
        v.sort_by_key(|r| r.number);
        v
    }

    /// The revision a workload runs, and the one before it.
    pub fn current_and_previous(
        &self,
        workload: &str,
    ) -> (Option<&RevisionView>, Option<&RevisionView>) {
        let revs = self.revisions_of(workload);
        let cur = revs.iter().rposition(|r| r.current);
        match cur {
            Some(i) => (Some(revs[i]), i.checked_sub(1).map(|j| revs[j])),
            None => (None, None),
        }
    }

    /// Every object, as a snapshot holds them.
    pub fn views(&self) -> Snapshot {
        let mut out: Snapshot = Vec::new();
        out.extend(self.hosts.values().cloned().map(View::Host));
        out.extend(
            self.workloads
                .values()
                .cloned()
                .map(|x| View::Workload(Box::new(x))),
        );
        out.extend(self.replicas.values().cloned().map(View::Replica));
        out.extend(
            self.revisions
                .values()
                .cloned()
                .map(|x| View::Revision(Box::new(x))),
        );
        out.extend(self.storage.values().cloned().map(View::Storage));
        out.extend(self.networks.values().cloned().map(View::Network));
        out
    }

    /// A workload by ID, name or unique ID prefix.
    pub fn find_workload(&self, key: &str) -> Option<&WorkloadView> {
        find(&self.workloads, key, |w| w.name() == key)
    }

    /// A host by ID, hostname or unique ID prefix.
    pub fn find_host(&self, key: &str) -> Option<&HostView> {
        find(&self.hosts, key, |n| n.hostname() == key)
    }

    /// A replica by ID, ID prefix (5 characters or more), or name (the newest of that name
    /// that should run).
    pub fn find_replica(&self, key: &str) -> Option<&ReplicaView> {
        if let Some(t) = self.replicas.get(key) {
            return Some(t);
        }
        if key.len() >= 5 {
            let mut m = self.replicas.values().filter(|t| t.id().starts_with(key));
            if let (Some(t), None) = (m.next(), m.next()) {
                return Some(t);
            }
        }
        self.replicas
            .values()
            .filter(|t| t.name() == key)
            .max_by_key(|t| (t.desired <= Phase::Running, t.c.created))
            .map(|t| &**t)
    }

    /// The swarm's leader.
    pub fn leader(&self) -> Option<&HostView> {
        self.hosts
            .values()
            .find(|n| n.manager_status == ManagerStatus::Leader)
    }

    /// Any object by its reference.
    pub fn get(&self, r: &ObjRef) -> Option<&Common> {
        let uid = &r.uid;
        match r.kind.family() {
            super::Family::Host => self.hosts.get(uid).map(|x| &x.c),
            super::Family::Workload => self.workloads.get(uid).map(|x| &x.c),
            super::Family::Replica => self.replicas.get(uid).map(|x| &x.c),
            super::Family::Revision => self.revisions.get(uid).map(|x| &x.c),
            super::Family::Storage => self.storage.get(uid).map(|x| &x.c),
            super::Family::Network => self.networks.get(uid).map(|x| &x.c),
        }
    }
}

/// By key, then by `named`, then by unique key prefix.
fn find<'a, V>(m: &'a Family<V>, key: &str, named: impl Fn(&V) -> bool) -> Option<&'a V> {
    m.get(key)
        .or_else(|| m.values().find(|v| named(v)))
        .or_else(|| {
            let mut it = m.iter().filter(|(k, _)| k.starts_with(key)).map(|(_, v)| v);
            match (it.next(), it.next()) {
                (Some(v), None) => Some(v),
                _ => None,
            }
        })
}
