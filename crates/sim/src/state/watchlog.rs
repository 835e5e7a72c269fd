//! The Kubernetes watch window: the resourceVersion of every recent change to a Kubernetes
//! object, oldest first, bounded (kube-apiserver's watch cache). A watch from resourceVersion
//! R replays the entries after R; one from before the window gets `410 Expired`, as from a
//! real server, and its client lists again.
//!
//! An entry names the object, not a copy of it: a watcher is sent the object as it is now,
//! at its latest entry (earlier entries of the same object are superseded), so the window
//! costs a few words per change. Only a deleted object is kept, since nothing else holds
//! its last state. The window is not stored: a reopened state starts with an empty one.

use super::{AnyObj, EventAction, Key, Kind};
use std::collections::VecDeque;

/// How many changes the window holds.
pub const CAPACITY: usize = 100_000;

#[derive(Clone, Debug)]
pub struct Change {
    pub rv: u64,
    pub kind: Kind,
    pub key: Key,
    pub action: EventAction,
    /// The object's last state, for a removal.
    pub gone: Option<AnyObj>,
}

#[derive(Clone, Debug, Default)]
pub struct WatchLog {
    entries: VecDeque<Change>,
    /// Every change after this resourceVersion is in the window.
    floor: u64,
}

impl WatchLog {
    /// An empty window on a cluster whose last resourceVersion is `rv`.
    pub fn starting_at(rv: u64) -> WatchLog {
        WatchLog {
            entries: VecDeque::new(),
            floor: rv,
        }
    }

    pub fn push(&mut self, c: Change) {
        if self.entries.len() >= CAPACITY
            && let Some(old) = self.entries.pop_front()
        {
            self.floor = old.rv;
        }
        self.entries.push_back(c);
    }

    /// Forgets the changes after `rv` (a rolled-back transaction's).
    pub fn truncate_after(&mut self, rv: u64) {
        while self.entries.back().is_some_and(|c| c.rv > rv) {
            self.entries.pop_back();
        }
    }

    /// The oldest resourceVersion a watch may start from.
    pub fn floor(&self) -> u64 {
        self.floor
    }

    /// The changes after `rv`, oldest first; `None` if some of them have left the window.
    pub fn since(&self, rv: u64) -> Option<impl Iterator<Item = &Change>> {
        if rv < self.floor {
            return None;
        }
        let start = self.entries.partition_point(|c| c.rv <= rv);
        Some(self.entries.range(start..))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
