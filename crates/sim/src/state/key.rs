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

const INLINE: usize = 62;

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
                let $k: &$crate::state::KeyStr = $crate::state::Key::of(s);
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
    pub fn of(s: &str) -> &KeyStr {
        KeyStr::new(s.as_bytes())
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

/// A key's bytes, borrowed: what a map keyed by [`Key`] is searched with when the key is
/// too long to probe inline. It orders as [`Key`] does (bytewise, eight bytes at a time).
#[derive(PartialEq, Eq, Hash)]
#[repr(transparent)]
pub struct KeyStr([u8]);

impl KeyStr {
    #[allow(unsafe_code)]
    pub fn new(b: &[u8]) -> &KeyStr {
        // SAFETY: `KeyStr` is a transparent wrapper of `[u8]`.
        unsafe { &*(b as *const [u8] as *const KeyStr) }
    }
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl PartialOrd for KeyStr {
    fn partial_cmp(&self, other: &KeyStr) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for KeyStr {
    fn cmp(&self, other: &KeyStr) -> Ordering {
        cmp_bytes(&self.0, &other.0)
    }
}

impl Borrow<KeyStr> for Key {
    fn borrow(&self) -> &KeyStr {
        KeyStr::new(self.as_bytes())
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
        match (self, other) {
            // Zero padding orders a shorter key first, as bytewise comparison does: the
            // first difference in the padded buffers decides, else the length.
            (Key::Inline { len: a, buf: x }, Key::Inline { len: b, buf: y }) => {
                for at in [0, 8, 16, 24, 32, 40, 48, INLINE - 8] {
                    let (p, q) = (word(&x[at..]), word(&y[at..]));
                    if p != q {
                        return p.cmp(&q);
                    }
                }
                a.cmp(b)
            }
            _ => cmp_bytes(self.as_bytes(), other.as_bytes()),
        }
    }
}

/// The first eight bytes of `b` as a number that orders as they do.
fn word(b: &[u8]) -> u64 {
    u64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
}

/// Bytewise order, eight bytes at a time: keys of one namespace share their first bytes,
/// and a call to `memcmp` for each step down a B-tree costs more than the comparison.
fn cmp_bytes(a: &[u8], b: &[u8]) -> Ordering {
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 8 <= n {
        let (p, q) = (word(&a[i..]), word(&b[i..]));
        if p != q {
            return p.cmp(&q);
        }
        i += 8;
    }
    while i < n {
        if a[i] != b[i] {
            return a[i].cmp(&b[i]);
        }
        i += 1;
    }
    a.len().cmp(&b.len())
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
            prop_assert_eq!(Key::of(&a).cmp(Key::of(&b)), a.cmp(&b));
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
        assert_eq!(std::mem::size_of::<Key>(), 64);
    }
}
