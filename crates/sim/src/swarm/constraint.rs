//! Placement constraints, as swarmkit parses and matches them (spec A3, A4).

use crate::infra::ipam::{parse_cidr, parse_ipv4};
use crate::model::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Constraint {
    pub key: String,
    pub op: Op,
    pub exp: String,
}

fn valid_key(k: &str) -> bool {
    let mut c = k.chars();
    matches!(c.next(), Some(f) if f.is_ascii_alphabetic() || f == '_')
        && k.len() >= 2
        && c.all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.'))
}

fn valid_value(v: &str) -> bool {
    !v.is_empty()
        && v.chars().all(|ch| {
            ch.is_ascii_alphanumeric()
                || ch.is_whitespace()
                || matches!(
                    ch,
                    ':' | '-'
                        | '_'
                        | '.'
                        | '*'
                        | '('
                        | ')'
                        | '?'
                        | '+'
                        | '['
                        | ']'
                        | '\\'
                        | '^'
                        | '$'
                        | '|'
                        | '/'
                )
        })
}

/// Parses constraint expressions; the error texts are swarmkit's.
pub fn parse(exprs: &[String]) -> Result<Vec<Constraint>, String> {
    let mut out = Vec::new();
    for e in exprs {
        let (op, sep) = if e.contains("==") {
            (Op::Eq, "==")
        } else if e.contains("!=") {
            (Op::Ne, "!=")
        } else {
            return Err("constraint expected one operator from ==, !=".into());
        };
        let (k, v) = e.split_once(sep).unwrap_or((e, ""));
        let k = k.trim();
        if !valid_key(k) {
            return Err(format!("key '{k}' is invalid"));
        }
        let v = v.trim();
        if !valid_value(v) {
            return Err(format!("value '{v}' is invalid"));
        }
        out.push(Constraint {
            key: k.to_string(),
            op,
            exp: v.to_string(),
        });
    }
    Ok(out)
}

impl Constraint {
    fn matches_any(&self, whats: &[&str]) -> bool {
        let m = whats.iter().any(|w| w.eq_ignore_ascii_case(&self.exp));
        match self.op {
            Op::Eq => m,
            Op::Ne => !m,
        }
    }
}

fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.len() > prefix.len() && s[..prefix.len()].eq_ignore_ascii_case(prefix)
}

pub const NODE_LABEL_PREFIX: &str = "node.labels.";
pub const ENGINE_LABEL_PREFIX: &str = "engine.labels.";

/// Whether a node satisfies every constraint (they AND).
pub fn node_matches(cs: &[Constraint], n: &Node) -> bool {
    cs.iter().all(|c| one_matches(c, n))
}

fn one_matches(c: &Constraint, n: &Node) -> bool {
    let k = c.key.as_str();
    if k.eq_ignore_ascii_case("node.id") {
        c.matches_any(&[&n.id])
    } else if k.eq_ignore_ascii_case("node.hostname") {
        c.matches_any(&[n.hostname()])
    } else if k.eq_ignore_ascii_case("node.ip") {
        let node_ip = parse_ipv4(n.ip());
        let within = if let Some(ip) = parse_ipv4(&c.exp) {
            Some(node_ip == Some(ip))
        } else if let Some((net, len)) = parse_cidr(&c.exp) {
            let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
            Some(node_ip.is_some_and(|ip| ip & mask == net))
        } else {
            None
        };
        match within {
            Some(w) => (c.op == Op::Eq) == w,
            None => false,
        }
    } else if k.eq_ignore_ascii_case("node.role") {
        let role = if n.is_manager() { "manager" } else { "worker" };
        c.matches_any(&[role])
    } else if k.eq_ignore_ascii_case("node.platform.os") {
        c.matches_any(&[&n.description.platform.os])
    } else if k.eq_ignore_ascii_case("node.platform.arch") {
        c.matches_any(&[&n.description.platform.architecture])
    } else if starts_with_ci(k, NODE_LABEL_PREFIX) {
        let label = &k[NODE_LABEL_PREFIX.len()..];
        c.matches_any(&[n.spec.labels.get(label).map(|s| s.as_str()).unwrap_or("")])
    } else if starts_with_ci(k, ENGINE_LABEL_PREFIX) {
        let label = &k[ENGINE_LABEL_PREFIX.len()..];
        c.matches_any(&[n
            .description
            .engine
            .labels
            .get(label)
            .map(|s| s.as_str())
            .unwrap_or("")])
    } else {
        // Unknown key: no node matches.
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infra::ipam::format_ipv4;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn parse_errors_are_swarmkits() {
        assert_eq!(
            parse(&s(&["node.role=manager"])).unwrap_err(),
            "constraint expected one operator from ==, !="
        );
        assert_eq!(
            parse(&s(&["node.role>manager"])).unwrap_err(),
            "constraint expected one operator from ==, !="
        );
        assert_eq!(parse(&s(&["==manager"])).unwrap_err(), "key '' is invalid");
        assert_eq!(
            parse(&s(&["node.role==man<ager"])).unwrap_err(),
            "value 'man<ager' is invalid"
        );
        let c = parse(&s(&["node.role == manager", "node.labels.zone!=east"])).unwrap();
        assert_eq!(
            c[0],
            Constraint {
                key: "node.role".into(),
                op: Op::Eq,
                exp: "manager".into()
            }
        );
        assert_eq!(c[1].op, Op::Ne);
    }

    #[test]
    fn cidr() {
        assert_eq!(parse_cidr("192.168.31.0/24"), Some((0xC0A81F00, 24)));
        assert_eq!(parse_cidr("10.0.0.1/33"), None);
        assert_eq!(format_ipv4(0x0A0A1302), "10.10.19.2");
    }
}
