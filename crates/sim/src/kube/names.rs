//! Names and identifiers as Kubernetes makes them: UUIDs, and the random suffixes of
//! generated names (`deploy-nginx-6c9764bb69-pbc2h`).

/// The version the simulated kubelets and API server report.
pub const KUBE_VERSION: &str = "v1.32.4";

use crate::base::rng::Rng;

/// The alphabet of generated name suffixes (apimachinery `util/rand`: no vowels, no
/// confusable digits).
const SUFFIX: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// A random (version 4) UUID, as the API server gives every object.
pub fn uid(rng: &mut Rng) -> String {
    let hi = rng.next_u64();
    let lo = rng.next_u64();
    let hi = (hi & 0xffff_ffff_ffff_0fff) | 0x0000_0000_0000_4000;
    let lo = (lo & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    let mut s = String::with_capacity(36);
    push_hex(&mut s, hi >> 32, 8);
    s.push('-');
    push_hex(&mut s, (hi >> 16) & 0xffff, 4);
    s.push('-');
    push_hex(&mut s, hi & 0xffff, 4);
    s.push('-');
    push_hex(&mut s, lo >> 48, 4);
    s.push('-');
    push_hex(&mut s, lo & 0xffff_ffff_ffff, 12);
    s
}

/// Appends the low `digits` hex digits of `v`, zero-padded (`{:0digits$x}` without the
/// formatting machinery: uids and event names are made for every object).
pub fn push_hex(s: &mut String, v: u64, digits: usize) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for i in (0..digits).rev() {
        s.push(HEX[((v >> (4 * i)) & 0xf) as usize] as char);
    }
}

/// `v` in lowercase hex with no leading zeros (`{:x}`).
pub fn push_hex_min(s: &mut String, v: u64) {
    let digits = (64 - v.leading_zeros() as usize).div_ceil(4).max(1);
    push_hex(s, v, digits);
}

/// `n` random lowercase hex digits.
pub fn hex(rng: &mut Rng, n: usize) -> String {
    let mut s = String::with_capacity(n);
    while s.len() < n {
        push_hex(&mut s, rng.next_u64(), 16);
    }
    s.truncate(n);
    s
}

/// A 5-character suffix for a generated name.
pub fn suffix(rng: &mut Rng) -> String {
    (0..5)
        .map(|_| SUFFIX[rng.below(SUFFIX.len() as u64) as usize] as char)
        .collect()
}

/// apimachinery's `rand.SafeEncodeString` of the decimal FNV-32a hash of the template: a
/// pod-template-hash, as `deploy-nginx-6c9764bb69`.
pub fn template_hash(t: &k8s_openapi::api::core::v1::PodTemplateSpec) -> String {
    let text = serde_json::to_string(t).unwrap_or_default();
    let mut h: u32 = 0x811c_9dc5;
    for b in text.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    h.to_string()
        .bytes()
        .map(|b| ALPHANUMS[usize::from(b) % ALPHANUMS.len()] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_and_suffixes_are_well_formed() {
        let mut rng = Rng::new(7);
        let u = uid(&mut rng);
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4", "{u}");
        assert!("89ab".contains(&u[19..20]), "{u}");
        let s = suffix(&mut rng);
        assert_eq!(s.len(), 5);
        assert!(s.bytes().all(|b| SUFFIX.contains(&b)), "{s}");
    }

    #[test]
    fn hex_digits_are_what_format_writes() {
        for v in [0u64, 1, 0xf, 0x10, 0xdead_beef, u64::MAX, 1 << 60] {
            let mut a = String::new();
            push_hex_min(&mut a, v);
            assert_eq!(a, format!("{v:x}"));
            let mut b = String::new();
            push_hex(&mut b, v, 16);
            assert_eq!(b, format!("{v:016x}"));
            let mut c = String::new();
            push_hex(&mut c, v, 4);
            assert_eq!(c, format!("{:04x}", v & 0xffff));
        }
    }
}
