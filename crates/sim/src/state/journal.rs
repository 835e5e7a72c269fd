//! A transaction's journal: the previous value of every object it touched (for rollback) and
//! whether the object exists now (for the commit's create/update/remove events), found by
//! kind and key without a second copy of the key. Its buffers outlive the transaction, so a
//! long run of large transactions does not allocate them again.

use super::{AnyObj, Key, Kind};
use crate::base::rng::WordHash;
use hashbrown::HashTable;
use std::hash::Hasher;

#[derive(Clone, Debug)]
pub(super) struct Entry {
    pub kind: Kind,
    pub key: Key,
    /// Whether the object existed before the transaction.
    pub existed: bool,
    /// Its value before the transaction, when the transaction may be rolled back.
    pub old: Option<AnyObj>,
    /// Whether the object exists after the latest change.
    pub exists: bool,
}

#[derive(Clone, Default)]
pub(super) struct Journal {
    entries: Vec<Entry>,
    /// Positions in `entries`, by hash of (kind, key).
    by_key: HashTable<u32>,
    /// Whether previous values are kept (the transaction may be rolled back).
    pub undo: bool,
}

fn hash(kind: Kind, key: &str) -> u64 {
    let mut h = WordHash::default();
    h.write(&[kind as u8]);
    h.write(key.as_bytes());
    h.finish()
}

impl Journal {
    /// Whether touching this object now would keep its previous value (the first change to
    /// it in an undoable transaction).
    pub fn wants_before(&self, kind: Kind, key: &str) -> bool {
        self.undo && self.find(kind, key).is_none()
    }

    fn find(&self, kind: Kind, key: &str) -> Option<u32> {
        let entries = &self.entries;
        self.by_key
            .find(hash(kind, key), |&i| {
                let e = &entries[i as usize];
                e.kind == kind && e.key.as_bytes() == key.as_bytes()
            })
            .copied()
    }

    /// Records that (kind, key) changed and now does or does not exist. On its first change
    /// in this transaction, `before(keep)` tells whether it existed and, if `keep` (the
    /// transaction may be rolled back), its previous value.
    pub fn touch(
        &mut self,
        kind: Kind,
        key: &str,
        exists: bool,
        before: impl FnOnce(bool) -> (bool, Option<AnyObj>),
    ) {
        let found = self.find(kind, key);
        let entries = &mut self.entries;
        match found {
            Some(i) => entries[i as usize].exists = exists,
            None => {
                let (existed, old) = before(self.undo);
                let i = entries.len() as u32;
                entries.push(Entry {
                    kind,
                    key: Key::new(key),
                    existed,
                    old,
                    exists,
                });
                self.by_key.insert_unique(hash(kind, key), i, |&j| {
                    hash(entries[j as usize].kind, entries[j as usize].key.as_str())
                });
            }
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The entries in the order they were first touched, leaving the journal empty (its
    /// buffers kept).
    pub fn drain(&mut self) -> std::vec::Drain<'_, Entry> {
        self.by_key.clear();
        self.entries.drain(..)
    }
}
