//! The scheduler's search over a ring of nodes, in O(log n) per pod: kube-scheduler looks at
//! nodes from where the previous pod's search stopped until it has found enough feasible
//! ones (`percentageOfNodesToScore`), then binds the best of those. [`Window`] keeps each
//! node's score (`u64::MAX` when it cannot take the pod) in a segment tree of minimums and
//! counts of feasible nodes, so finding where such a window ends and its best node needs no
//! walk over it. It gives exactly what the walk gives.

/// One pod shape's scores over the nodes.
#[derive(Clone, Debug)]
pub struct Window {
    /// Leaves from `size`; `size` is a power of two.
    size: usize,
    len: usize,
    min: Vec<u64>,
    feasible: Vec<u32>,
}

/// What one search found: the best node (if any) and how many nodes the walk would have
/// looked at (where the next search starts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Found {
    pub best: Option<u64>,
    pub seen: usize,
}

impl Window {
    pub fn new(scores: impl ExactSizeIterator<Item = u64>) -> Window {
        let len = scores.len();
        let size = len.next_power_of_two().max(1);
        let mut w = Window {
            size,
            len,
            min: vec![u64::MAX; 2 * size],
            feasible: vec![0; 2 * size],
        };
        for (i, s) in scores.enumerate() {
            w.min[size + i] = s;
            w.feasible[size + i] = u32::from(s != u64::MAX);
        }
        for i in (1..size).rev() {
            w.pull(i);
        }
        w
    }

    fn pull(&mut self, i: usize) {
        self.min[i] = self.min[2 * i].min(self.min[2 * i + 1]);
        self.feasible[i] = self.feasible[2 * i] + self.feasible[2 * i + 1];
    }

    /// Sets node `i`'s score.
    pub fn set(&mut self, i: usize, score: u64) {
        let mut j = self.size + i;
        if self.min[j] == score {
            return;
        }
        self.min[j] = score;
        self.feasible[j] = u32::from(score != u64::MAX);
        while j > 1 {
            j /= 2;
            self.pull(j);
        }
    }

    /// (minimum, feasible count) over nodes `lo..hi`.
    fn range(&self, lo: usize, hi: usize) -> (u64, u32) {
        let (mut lo, mut hi) = (lo + self.size, hi + self.size);
        let (mut min, mut n) = (u64::MAX, 0);
        while lo < hi {
            if lo & 1 == 1 {
                min = min.min(self.min[lo]);
                n += self.feasible[lo];
                lo += 1;
            }
            if hi & 1 == 1 {
                hi -= 1;
                min = min.min(self.min[hi]);
                n += self.feasible[hi];
            }
            lo /= 2;
            hi /= 2;
        }
        (min, n)
    }

    /// The position of the `k`-th feasible node (1-based) from the first.
    fn kth(&self, mut k: u32) -> usize {
        let mut j = 1;
        while j < self.size {
            if self.feasible[2 * j] >= k {
                j *= 2;
            } else {
                k -= self.feasible[2 * j];
                j = 2 * j + 1;
            }
        }
        j - self.size
    }

    /// The walk from `start` until `wanted` feasible nodes are found (or every node seen).
    pub fn search(&self, start: usize, wanted: usize) -> Found {
        let n = self.len;
        if n == 0 {
            return Found {
                best: None,
                seen: 0,
            };
        }
        let wanted = u32::try_from(wanted).unwrap_or(u32::MAX).max(1);
        let total = self.feasible[1];
        let (tail_min, tail) = self.range(start, n);
        let (best, seen) = if total < wanted {
            (self.min[1], n)
        } else if tail >= wanted {
            let before = total - tail;
            let end = self.kth(before + wanted);
            (self.range(start, end + 1).0, end + 1 - start)
        } else {
            let end = self.kth(wanted - tail);
            let head_min = self.range(0, end + 1).0;
            (tail_min.min(head_min), n - start + end + 1)
        };
        Found {
            best: (best != u64::MAX).then_some(best),
            seen,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The walk itself, as the scheduler would do it node by node.
    fn walk(scores: &[u64], start: usize, wanted: usize) -> Found {
        let n = scores.len();
        let (mut seen, mut feasible, mut best) = (0, 0, u64::MAX);
        while seen < n && feasible < wanted.max(1) {
            let s = scores[(start + seen) % n];
            seen += 1;
            if s != u64::MAX {
                feasible += 1;
                best = best.min(s);
            }
        }
        Found {
            best: (best != u64::MAX).then_some(best),
            seen,
        }
    }

    proptest! {
        #[test]
        fn the_tree_finds_what_the_walk_finds(
            scores in proptest::collection::vec(prop_oneof![Just(u64::MAX), 0u64..50], 1..70),
            updates in proptest::collection::vec((0usize..70, prop_oneof![Just(u64::MAX), 0u64..50]), 0..20),
            start in 0usize..70,
            wanted in 1usize..80,
        ) {
            let mut scores = scores;
            let mut w = Window::new(scores.iter().copied());
            for (i, s) in updates {
                let i = i % scores.len();
                scores[i] = s;
                w.set(i, s);
            }
            let start = start % scores.len();
            prop_assert_eq!(w.search(start, wanted), walk(&scores, start, wanted));
        }
    }
}
