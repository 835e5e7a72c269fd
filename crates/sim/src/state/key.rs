//! The keys of the object tables and the indexes: a string that keeps up to 30 bytes inline
//! (every Swarm ID and most names), longer ones on the heap.
//!
//! Inline keys are compared where the B-tree keeps them, eight bytes at a time: a lookup in a
//! table of 100,000 tasks no longer follows a pointer to each key it passes, and an index
//! entry is not an allocation. Keys order, compare and hash as their bytes, so a map keyed by
//! [`Key`] iterates in the same order as one keyed by `String`, and is searched by `&str` with
//! [`by_str!`] (an inline probe for a short key, the bytes for a long one).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Borrow;
use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

const INLINE: usize = 30;

#[derive(Clone)]
pub enum Key {
    Inline { len: u8, buf: [u8; INLINE] },
    Heap(Box<str>),
}

/// Runs `$e` with `$k` bound to a search key for `$s` that a map keyed by [`Key`] accepts: a
/// `&Key` (compared inline) when `$s` is short, else its bytes.
#[macro_export]
#[doc(hidden)]
macro_rules! by_str {
    ($s:expr, |$k:ident| $e:expr) => {{
        let s: &str = $s;
        match $crate::state::Key::probe(s) {
            Some(probe) => {
                let $k = &probe;
                $e
            }
            None => {
                let $k: &[u8] = s.as_bytes();
                $e
            }
        }
    }};
}
pub use by_str;

impl Key {
    /// An inline key for `s`, if it fits (a search key that costs no allocation).
    pub fn probe(s: &str) -> Option<Key> {
        (s.len() <= INLINE).then(|| Key::new(s))
    }

    pub fn new(s: &str) -> Key {
        if s.len() <= INLINE {
            let mut buf = [0; INLINE];
            buf[..s.len()].copy_from_slice(s.as_bytes());
            Key::Inline {
                len: s.len() as u8,
                buf,
            }
        } else {
            Key::Heap(s.into())
        }
    }

    /// What a map keyed by `Key` is searched with.
    pub fn of(s: &str) -> &[u8] {
        s.as_bytes()
    }

    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Key::Inline { len, buf } => &buf[..*len as usize],
            Key::Heap(s) => s.as_bytes(),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            // Only ever made from a whole `str`.
            Key::Inline { .. } => std::str::from_utf8(self.as_bytes()).unwrap_or_default(),
            Key::Heap(s) => s,
        }
    }
}

impl Borrow<[u8]> for Key {
    fn borrow(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        match (self, other) {
            // Zero-padded: equal buffers and lengths are equal keys.
            (Key::Inline { len: a, buf: x }, Key::Inline { len: b, buf: y }) => a == b && x == y,
            _ => self.as_bytes() == other.as_bytes(),
        }
    }
}
impl Eq for Key {}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Key) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Key {
    fn cmp(&self, other: &Key) -> Ordering {
        // The first eight bytes as a number decide most comparisons (zero padding orders a
        // shorter key first, as bytewise comparison does); the rest bytewise.
        let head = |k: &Key| match k {
            Key::Inline { buf, .. } => u64::from_be_bytes([
                buf[0], buf[1], buf[2], buf[3], buf[4], buf[5], buf[6], buf[7],
            ]),
            Key::Heap(s) => {
                let mut b = [0u8; 8];
                let n = s.len().min(8);
                b[..n].copy_from_slice(&s.as_bytes()[..n]);
                u64::from_be_bytes(b)
            }
        };
        head(self)
            .cmp(&head(other))
            .then_with(|| self.as_bytes().cmp(other.as_bytes()))
    }
}

impl Hash for Key {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.as_bytes().hash(h)
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for Key {
    fn from(s: &str) -> Key {
        Key::new(s)
    }
}

impl From<&String> for Key {
    fn from(s: &String) -> Key {
        Key::new(s)
    }
}

impl Serialize for Key {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Ok(Key::new(&s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    proptest! {
        #[test]
        fn keys_compare_as_their_strings(a in "[a\\x00-\\x02z]{0,40}", b in "[a\\x00-\\x02z]{0,40}") {
            let (x, y) = (Key::new(&a), Key::new(&b));
            prop_assert_eq!(x.cmp(&y), a.cmp(&b));
            prop_assert_eq!(x == y, a == b);
            prop_assert_eq!(x.as_str(), a.as_str());
        }
    }

    #[test]
    fn keys_order_and_find_like_strings() {
        let words = [
            "",
            "a",
            "ab",
            "b",
            "3kz0wz7ghlpzdbqs8ld7n1vfs",
            "3kz0wz7ghlpzdbqs8ld7n1vft",
            "a-name-that-is-exactly-30-byte",
            "a-name-that-is-exactly-30-bytes",
            "é",
            "a\0",
            "a\0b",
            "abcdefgh",
            "abcdefgh\0",
            "abcdefg",
            &"x".repeat(64),
        ];
        let by_key: BTreeMap<Key, usize> = words.iter().map(|w| (Key::new(w), w.len())).collect();
        let by_string: BTreeMap<String, usize> =
            words.iter().map(|w| (w.to_string(), w.len())).collect();
        let a: Vec<&str> = by_key.keys().map(Key::as_str).collect();
        let b: Vec<&str> = by_string.keys().map(String::as_str).collect();
        assert_eq!(a, b);
        for w in words {
            assert_eq!(by_key.get(Key::of(w)), Some(&w.len()), "{w}");
            assert_eq!(by_str!(w, |k| by_key.get(k)), Some(&w.len()), "{w}");
            assert_eq!(Key::new(w).to_string(), w);
        }
        assert!(!by_key.contains_key(Key::of("c")));
        assert!(!by_str!("c", |k| by_key.contains_key(k)));
        assert!(!by_str!(&"y".repeat(40), |k| by_key.contains_key(k)));
        // Every pair orders as its strings do.
        for a in words {
            for b in words {
                assert_eq!(Key::new(a).cmp(&Key::new(b)), a.cmp(b), "{a:?} {b:?}");
                assert_eq!(Key::new(a) == Key::new(b), a == b);
            }
        }
        assert_eq!(
            serde_json::to_string(&by_key).unwrap(),
            serde_json::to_string(&by_string).unwrap()
        );
        assert!(matches!(
            Key::new("3kz0wz7ghlpzdbqs8ld7n1vfs"),
            Key::Inline { .. }
        ));
        assert_eq!(std::mem::size_of::<Key>(), 32);
    }
}
