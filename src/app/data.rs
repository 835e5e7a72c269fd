//! The console's copy of the cluster, kept current from the backend's watch stream, and the
//! pieces tables are made of: sorted keyed rows, natural-order keys, and the `/` filter.

use super::rows::Rows;
use crate::backend::WatchEvent;
pub use crate::backend::view::Delta;
use crate::backend::view::*;
use opsconsole_sim::base::text::natural_cmp;
use opsconsole_sim::base::time::SimTime;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

/// What the console knows about the cluster.
#[derive(Default)]
pub struct Data {
    /// The backend's objects.
    pub store: Store,
    /// The selected container's last two resource readings (real engines).
    pub stats: Option<(Option<StatsView>, StatsView)>,
    pub clock: Option<ClockInfo>,
    /// Set while the backend is unreachable.
    pub lost: Option<String>,
    /// A snapshot has arrived.
    pub loaded: bool,
    /// Names of the Kubernetes cluster's objects for completing the `:` line, by what was
    /// asked (`pods`, `pods -n kube-system`): fetched when first wanted while a line is
    /// typed (the console's panes do not hold the Kubernetes cluster's objects yet).
    pub kube_names: std::collections::BTreeMap<String, Vec<String>>,
}

impl Data {
    /// The backend's current time.
    pub fn now(&self) -> SimTime {
        match &self.clock {
            Some(c) => c.now_at(wall_ms()),
            None => SimTime(wall_ms() * 1_000_000),
        }
    }

    pub fn apply(&mut self, ev: WatchEvent) -> Vec<Delta> {
        match ev {
            WatchEvent::Snapshot(v, clock) => {
                self.store = Store::from_snapshot(*v);
                self.clock = Some(clock);
                self.lost = None;
                self.loaded = true;
                vec![Delta::Reset]
            }
            WatchEvent::Changes(cs) => cs.into_iter().map(|c| self.store.apply(c)).collect(),
            WatchEvent::Clock(c) => {
                self.clock = Some(c);
                Vec::new()
            }
            WatchEvent::Lost(why) => {
                self.lost = Some(why);
                Vec::new()
            }
            WatchEvent::Info(_) => Vec::new(),
        }
    }
}

/// A string ordered as people expect ("node2" before "node10"), ties broken bytewise.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Nat(pub String);

impl Ord for Nat {
    fn cmp(&self, other: &Self) -> Ordering {
        natural_cmp(&self.0, &other.0).then_with(|| self.0.cmp(&other.0))
    }
}

impl PartialOrd for Nat {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Rows of one table: the keys in order, and each object's current key (one copy of each
/// key, shared by the two).
pub struct Table<K> {
    rows: Rows<Arc<K>>,
    keys: HashMap<String, Arc<K>>,
}

impl<K> Default for Table<K> {
    fn default() -> Self {
        Table {
            rows: Rows::default(),
            keys: HashMap::new(),
        }
    }
}

impl<K: Ord + Clone> Table<K> {
    /// Puts an object in (with `Some(key)`) or takes it out (`None`: gone or filtered out).
    pub fn set(&mut self, id: &str, key: Option<K>) {
        match key {
            Some(k) => {
                if let Some(old) = self.keys.get(id) {
                    if **old == k {
                        return;
                    }
                    self.rows.remove::<K>(old);
                }
                let k = Arc::new(k);
                self.rows.insert(k.clone());
                self.keys.insert(id.to_string(), k);
            }
            None => {
                if let Some(old) = self.keys.remove(id) {
                    self.rows.remove::<K>(&old);
                }
            }
        }
    }

    pub fn rebuild(&mut self, items: impl Iterator<Item = (String, K)>) {
        // Sorted by value first: sorting the shared pointers would chase one per compare.
        let mut items: Vec<(K, String)> = items.map(|(id, k)| (k, id)).collect();
        items.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut keys = HashMap::with_capacity(items.len());
        let mut list = Vec::with_capacity(items.len());
        for (k, id) in items {
            let k = Arc::new(k);
            list.push(k.clone());
            keys.insert(id, k);
        }
        // Already in order (a sorted run is one linear pass); removes duplicates.
        self.rows = Rows::from_unsorted(list);
        self.keys = keys;
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn get(&self, i: usize) -> Option<&K> {
        self.rows.get(i).map(|k| &**k)
    }

    pub fn key_of(&self, id: &str) -> Option<&K> {
        self.keys.get(id).map(|k| &**k)
    }

    pub fn position(&self, k: &K) -> Result<usize, usize> {
        self.rows.position::<K>(k)
    }

    pub fn iter_from(&self, i: usize) -> impl Iterator<Item = &K> + '_ {
        self.rows.iter_from(i).map(|k| &**k)
    }
}

/// The `/` filter: a case-insensitive regex (or the literal text if it is not a valid
/// regex); `!` in front keeps the rows that do not match.
#[derive(Clone, Debug)]
pub struct Filter {
    pub text: String,
    re: regex::Regex,
    invert: bool,
}

impl Filter {
    pub fn new(text: &str) -> Option<Filter> {
        let (invert, pat) = match text.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        if pat.is_empty() {
            return None;
        }
        let re = regex::RegexBuilder::new(pat)
            .case_insensitive(true)
            .build()
            .or_else(|_| {
                regex::RegexBuilder::new(&regex::escape(pat))
                    .case_insensitive(true)
                    .build()
            })
            .ok()?;
        Some(Filter {
            text: text.to_string(),
            re,
            invert,
        })
    }

    pub fn matches(&self, hay: &str) -> bool {
        self.re.is_match(hay) != self.invert
    }

    /// Byte ranges of matches (for highlighting); none when inverted.
    pub fn find_all(&self, hay: &str) -> Vec<(usize, usize)> {
        if self.invert {
            return Vec::new();
        }
        self.re
            .find_iter(hay)
            .filter(|m| m.end() > m.start())
            .map(|m| (m.start(), m.end()))
            .collect()
    }
}

/// Which row is selected and which is at the top, kept on the same object as rows move.
#[derive(Clone, Debug)]
pub struct Cursor<K> {
    pub selected: Option<K>,
    /// Index of the selection when last known (kept when the object disappears).
    pub index: usize,
    pub offset: usize,
}

impl<K> Default for Cursor<K> {
    fn default() -> Self {
        Cursor {
            selected: None,
            index: 0,
            offset: 0,
        }
    }
}

impl<K: Ord + Clone> Cursor<K> {
    /// The selected index, after the rows changed.
    pub fn resolve(&mut self, t: &Table<K>) -> usize {
        if t.is_empty() {
            self.index = 0;
            self.selected = None;
            return 0;
        }
        let i = match &self.selected {
            Some(k) => match t.position(k) {
                Ok(i) => i,
                Err(_) => self.index.min(t.len() - 1),
            },
            None => self.index.min(t.len() - 1),
        };
        self.index = i;
        self.selected = t.get(i).cloned();
        i
    }

    /// Moves the selection by `delta` rows.
    pub fn move_by(&mut self, t: &Table<K>, delta: isize) {
        let i = self.resolve(t);
        if t.is_empty() {
            return;
        }
        let j = (i as isize + delta).clamp(0, t.len() as isize - 1) as usize;
        self.index = j;
        self.selected = t.get(j).cloned();
    }

    pub fn to(&mut self, t: &Table<K>, i: usize) {
        if t.is_empty() {
            return;
        }
        let j = i.min(t.len() - 1);
        self.index = j;
        self.selected = t.get(j).cloned();
    }

    /// The top row for a window of `height` rows that shows the selection.
    pub fn scroll(&mut self, t: &Table<K>, height: usize) -> (usize, usize) {
        let i = self.resolve(t);
        let height = height.max(1);
        if i < self.offset {
            self.offset = i;
        } else if i >= self.offset + height {
            self.offset = i + 1 - height;
        }
        let max_off = t.len().saturating_sub(height);
        self.offset = self.offset.min(max_off);
        (self.offset, i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_kinds() {
        let f = Filter::new("web").unwrap();
        assert!(f.matches("my_WEB.1"));
        assert!(!f.matches("api"));
        let f = Filter::new("^web\\.[0-9]+$").unwrap();
        assert!(f.matches("web.12"));
        assert!(!f.matches("web.x"));
        let f = Filter::new("!running").unwrap();
        assert!(f.matches("Failed 2 seconds ago"));
        assert!(!f.matches("Running 2 seconds ago"));
        // Not a valid regex: taken literally.
        let f = Filter::new("web[").unwrap();
        assert!(f.matches("x web[ y"));
        assert!(Filter::new("").is_none());
        assert!(Filter::new("!").is_none());
    }

    #[test]
    fn cursor_follows_its_object() {
        let mut t: Table<Nat> = Table::default();
        for n in ["node3", "node10", "node1"] {
            t.set(n, Some(Nat(n.into())));
        }
        let mut c = Cursor::default();
        c.to(&t, 1);
        assert_eq!(c.selected, Some(Nat("node3".into())));
        t.set("node2", Some(Nat("node2".into())));
        assert_eq!(c.resolve(&t), 2, "still on node3");
        t.set("node3", None);
        assert_eq!(c.resolve(&t), 2, "object gone: same place");
        assert_eq!(c.selected, Some(Nat("node10".into())));
        c.move_by(&t, -5);
        assert_eq!(c.index, 0);
    }
}
