//! A sorted set of row keys that supports what a table of a million rows needs: insert and
//! remove in about O(√n), the row at an index, the index of a key, and iteration from an
//! index. Rows are kept in chunks of bounded size, so no operation touches all of them.
//! Keys are looked up by anything they borrow as (a table keeps `Arc<K>` and finds `K`s).

use std::borrow::Borrow;

const MAX_CHUNK: usize = 1024;

#[derive(Clone, Debug)]
pub struct Rows<K> {
    chunks: Vec<Vec<K>>,
    len: usize,
}

impl<K> Default for Rows<K> {
    fn default() -> Self {
        Rows {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<K: Ord + Clone> Rows<K> {
    pub fn new() -> Rows<K> {
        Rows::default()
    }

    /// Builds from keys in any order.
    pub fn from_unsorted(mut keys: Vec<K>) -> Rows<K> {
        keys.sort_unstable();
        keys.dedup();
        let len = keys.len();
        let chunks = keys
            .chunks(MAX_CHUNK / 2)
            .map(|c| c.to_vec())
            .collect::<Vec<_>>();
        Rows { chunks, len }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn clear(&mut self) {
        self.chunks.clear();
        self.len = 0;
    }

    /// The chunk that holds `k`, or would.
    fn chunk_for<Q: Ord + ?Sized>(&self, k: &Q) -> usize
    where
        K: Borrow<Q>,
    {
        // First chunk whose last key is >= k.
        let i = self
            .chunks
            .partition_point(|c| c.last().is_some_and(|last| last.borrow() < k));
        i.min(self.chunks.len().saturating_sub(1))
    }

    /// Inserts a key; false if it was already there.
    pub fn insert(&mut self, k: K) -> bool {
        if self.chunks.is_empty() {
            self.chunks.push(vec![k]);
            self.len = 1;
            return true;
        }
        let ci = self.chunk_for(&k);
        let chunk = &mut self.chunks[ci];
        match chunk.binary_search(&k) {
            Ok(_) => false,
            Err(pos) => {
                chunk.insert(pos, k);
                self.len += 1;
                if chunk.len() > MAX_CHUNK {
                    let tail = chunk.split_off(MAX_CHUNK / 2);
                    self.chunks.insert(ci + 1, tail);
                }
                true
            }
        }
    }

    /// Removes a key; false if it was not there.
    pub fn remove<Q: Ord + ?Sized>(&mut self, k: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        if self.chunks.is_empty() {
            return false;
        }
        let ci = self.chunk_for(k);
        let chunk = &mut self.chunks[ci];
        match chunk.binary_search_by(|x| x.borrow().cmp(k)) {
            Ok(pos) => {
                chunk.remove(pos);
                self.len -= 1;
                if chunk.is_empty() {
                    self.chunks.remove(ci);
                } else if chunk.len() < MAX_CHUNK / 8 && ci + 1 < self.chunks.len() {
                    let next = self.chunks.remove(ci + 1);
                    self.chunks[ci].extend(next);
                    if self.chunks[ci].len() > MAX_CHUNK {
                        let tail = self.chunks[ci].split_off(MAX_CHUNK / 2);
                        self.chunks.insert(ci + 1, tail);
                    }
                }
                true
            }
            Err(_) => false,
        }
    }

    pub fn contains<Q: Ord + ?Sized>(&self, k: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        if self.chunks.is_empty() {
            return false;
        }
        self.chunks[self.chunk_for(k)]
            .binary_search_by(|x| x.borrow().cmp(k))
            .is_ok()
    }

    /// (chunk, offset) of the row at `i`.
    fn locate(&self, mut i: usize) -> Option<(usize, usize)> {
        if i >= self.len {
            return None;
        }
        for (ci, c) in self.chunks.iter().enumerate() {
            if i < c.len() {
                return Some((ci, i));
            }
            i -= c.len();
        }
        None
    }

    pub fn get(&self, i: usize) -> Option<&K> {
        self.locate(i).map(|(c, o)| &self.chunks[c][o])
    }

    /// The index of `k`, or where it would be inserted (`Err`).
    pub fn position<Q: Ord + ?Sized>(&self, k: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        if self.chunks.is_empty() {
            return Err(0);
        }
        let ci = self.chunk_for(k);
        let before: usize = self.chunks[..ci].iter().map(|c| c.len()).sum();
        match self.chunks[ci].binary_search_by(|x| x.borrow().cmp(k)) {
            Ok(p) => Ok(before + p),
            Err(p) => Err(before + p),
        }
    }

    /// Rows from index `start` on.
    pub fn iter_from(&self, start: usize) -> impl Iterator<Item = &K> + '_ {
        let (ci, off) = self.locate(start).unwrap_or((self.chunks.len(), 0));
        self.chunks
            .iter()
            .skip(ci)
            .enumerate()
            .flat_map(move |(n, c)| c[if n == 0 { off } else { 0 }..].iter())
    }

    pub fn iter(&self) -> impl Iterator<Item = &K> + '_ {
        self.chunks.iter().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    proptest! {
        #[test]
        fn behaves_like_a_sorted_set(ops in prop::collection::vec((any::<bool>(), 0u32..3000), 0..6000)) {
            let mut rows = Rows::new();
            let mut model = BTreeSet::new();
            for (ins, k) in ops {
                if ins {
                    prop_assert_eq!(rows.insert(k), model.insert(k));
                } else {
                    prop_assert_eq!(rows.remove(&k), model.remove(&k));
                }
            }
            prop_assert_eq!(rows.len(), model.len());
            let all: Vec<u32> = rows.iter().copied().collect();
            let want: Vec<u32> = model.iter().copied().collect();
            prop_assert_eq!(&all, &want);
            for (i, k) in want.iter().enumerate().step_by(97) {
                prop_assert_eq!(rows.get(i), Some(k));
                prop_assert_eq!(rows.position(k), Ok(i));
                let from: Vec<u32> = rows.iter_from(i).take(5).copied().collect();
                prop_assert_eq!(&from[..], &want[i..(i + 5).min(want.len())]);
            }
            prop_assert_eq!(rows.position(&5000), Err(want.len()));
        }
    }

    #[test]
    fn from_unsorted_dedups() {
        let r = Rows::from_unsorted(vec![5, 1, 3, 1, 5]);
        assert_eq!(r.iter().copied().collect::<Vec<_>>(), vec![1, 3, 5]);
        assert_eq!(r.len(), 3);
    }
}
