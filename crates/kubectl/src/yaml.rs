//! `-o yaml` as kubectl writes it: the object's JSON turned into YAML the way
//! `sigs.k8s.io/yaml` does it with go-yaml v2 — keys in go-yaml's order, two-space
//! indents, sequences not indented under their key, a string quoted (double) when it
//! would read back as another type, quoted (single) when YAML's syntax needs it, multi-line
//! strings as literal blocks, long plain strings folded at 80 columns.

use serde_json::Value;
use std::cmp::Ordering;

/// The object as kubectl prints it with `-o yaml`.
pub fn to_go_yaml(v: &Value) -> String {
    let mut out = String::new();
    match v {
        Value::Object(m) if !m.is_empty() => mapping(v, 0, &mut out),
        Value::Array(a) if !a.is_empty() => sequence(v, 0, &mut out),
        other => {
            out.push_str(&scalar(other, 0, 0));
            out.push('\n');
        }
    }
    out
}

/// go-yaml v2's key order: letters by code point, a non-letter before a letter, runs of
/// digits by their value.
fn key_order(a: &str, b: &str) -> Ordering {
    let (ar, br): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let n = ar.len().min(br.len());
    for i in 0..n {
        if ar[i] == br[i] {
            continue;
        }
        let (al, bl) = (ar[i].is_alphabetic(), br[i].is_alphabetic());
        if al && bl {
            return ar[i].cmp(&br[i]);
        }
        if al || bl {
            return if bl {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
        let digits = |r: &[char]| {
            let mut j = i;
            let mut v: i64 = 0;
            while j < r.len() && r[j].is_ascii_digit() {
                v = v
                    .saturating_mul(10)
                    .saturating_add(r[j] as i64 - '0' as i64);
                j += 1;
            }
            (v, j)
        };
        let (mut an, ai) = digits(&ar);
        let (mut bn, bi) = digits(&br);
        if ar[i] == '0' || br[i] == '0' {
            let lead = ar[..i].iter().rev().take_while(|c| c.is_ascii_digit());
            if lead.clone().any(|c| *c != '0') {
                an = 1;
                bn = 1;
            }
        }
        if an != bn {
            return an.cmp(&bn);
        }
        if ai != bi {
            return ai.cmp(&bi);
        }
        return ar[i].cmp(&br[i]);
    }
    ar.len().cmp(&br.len())
}

fn pad(n: usize, out: &mut String) {
    out.extend(std::iter::repeat_n(' ', n));
}

fn is_empty_collection(v: &Value) -> bool {
    matches!(v, Value::Object(m) if m.is_empty()) || matches!(v, Value::Array(a) if a.is_empty())
}

/// A mapping's entries, each at `indent`; the first one where the cursor is.
fn mapping(v: &Value, indent: usize, out: &mut String) {
    let Value::Object(m) = v else { return };
    let mut keys: Vec<&String> = m.keys().collect();
    keys.sort_by(|a, b| key_order(a, b));
    for (n, k) in keys.into_iter().enumerate() {
        if n > 0 {
            pad(indent, out);
        }
        out.push_str(&string(k, indent, indent));
        out.push(':');
        value_after(&m[k], indent, true, out);
    }
}

/// A sequence's items, each `- ` at `indent`; the first one where the cursor is.
fn sequence(v: &Value, indent: usize, out: &mut String) {
    let Value::Array(a) = v else { return };
    for (n, item) in a.iter().enumerate() {
        if n > 0 {
            pad(indent, out);
        }
        out.push('-');
        match item {
            Value::Object(_) | Value::Array(_) if !is_empty_collection(item) => {
                out.push(' ');
                if item.is_object() {
                    mapping(item, indent + 2, out);
                } else {
                    sequence(item, indent + 2, out);
                }
            }
            _ => value_after(item, indent, false, out),
        }
    }
}

/// What follows `key:` (or `-`): a nested block on the next lines, or ` scalar`.
fn value_after(v: &Value, indent: usize, in_map: bool, out: &mut String) {
    match v {
        Value::Object(_) if !is_empty_collection(v) => {
            out.push('\n');
            pad(indent + 2, out);
            mapping(v, indent + 2, out);
        }
        Value::Array(_) if !is_empty_collection(v) => {
            out.push('\n');
            // go-yaml v2 does not indent a sequence under its mapping key.
            let at = if in_map { indent } else { indent + 2 };
            pad(at, out);
            sequence(v, at, out);
        }
        _ => {
            out.push(' ');
            let column = out.len() - out.rfind('\n').map_or(0, |i| i + 1);
            out.push_str(&scalar(v, indent + 2, column));
            out.push('\n');
        }
    }
}

fn scalar(v: &Value, indent: usize, column: usize) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string(s, indent, column),
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
    }
}

/// Whether go-yaml would read `s`, unquoted, as something other than a string.
fn resolves_elsewhere(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "", "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
        "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF",
        "<<", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan",
        ".NaN", ".NAN",
    ];
    WORDS.contains(&s) || is_int(s) || is_float(s) || is_timestamp(s) || is_base60(s)
}

fn is_int(s: &str) -> bool {
    let plain: String = s.chars().filter(|c| *c != '_').collect();
    let body = plain.strip_prefix(['+', '-']).unwrap_or(plain.as_str());
    let (digits, radix) = if let Some(h) = body.strip_prefix("0x").or(body.strip_prefix("0X")) {
        (h, 16)
    } else if let Some(b) = body.strip_prefix("0b").or(body.strip_prefix("0B")) {
        (b, 2)
    } else if let Some(o) = body.strip_prefix("0o").or(body.strip_prefix("0O")) {
        (o, 8)
    } else if body.len() > 1 && body.starts_with('0') {
        (&body[1..], 8)
    } else {
        (body, 10)
    };
    !digits.is_empty() && digits.chars().all(|c| c.is_digit(radix))
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
fn is_float(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let digits = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit());
    let ok_mantissa = match mantissa.split_once('.') {
        Some(("", frac)) => digits(frac),
        Some((int, frac)) => digits(int) && (frac.is_empty() || digits(frac)),
        None => digits(mantissa),
    };
    let ok_exp = exp.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)));
    ok_mantissa && ok_exp
}

/// `2006-1-2`, optionally followed by `T`/`t`/space and a time.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 8 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let rest = &s[5..];
    let mut parts = rest.splitn(3, '-');
    let (Some(m), Some(tail)) = (parts.next(), parts.next()) else {
        return false;
    };
    let d_and_time = match parts.next() {
        Some(more) => format!("{tail}-{more}"),
        None => tail.to_string(),
    };
    let day_len = d_and_time.bytes().take_while(u8::is_ascii_digit).count();
    let short = |t: &str| (1..=2).contains(&t.len()) && t.bytes().all(|c| c.is_ascii_digit());
    if !short(m) || !(1..=2).contains(&day_len) {
        return false;
    }
    let after = &d_and_time[day_len..];
    after.is_empty() || after.starts_with(['T', 't', ' ']) && after.len() > 1
}

/// `[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?`
fn is_base60(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (s, None),
    };
    let mut parts = whole.split(':');
    let head = parts.next().unwrap_or_default();
    let head_ok = head.starts_with(|c: char| c.is_ascii_digit())
        && head.chars().all(|c| c.is_ascii_digit() || c == '_');
    let rest: Vec<&str> = parts.collect();
    let rest_ok = !rest.is_empty()
        && rest.iter().all(|p| {
            let b = p.as_bytes();
            match b.len() {
                1 => b[0].is_ascii_digit(),
                2 => (b'0'..=b'5').contains(&b[0]) && b[1].is_ascii_digit(),
                _ => false,
            }
        });
    let frac_ok = frac.is_none_or(|f| f.chars().all(|c| c.is_ascii_digit() || c == '_'));
    head_ok && rest_ok && frac_ok
}

/// Whether YAML's syntax lets `s` stand plain in block context (libyaml's analysis).
fn plain_allowed(s: &str) -> bool {
    if s.starts_with("---") || s.starts_with("...") {
        return false;
    }
    let chars: Vec<char> = s.chars().collect();
    if chars.first().is_some_and(|c| *c == ' ') || chars.last().is_some_and(|c| *c == ' ') {
        return false;
    }
    for (i, &c) in chars.iter().enumerate() {
        let next_blank = chars.get(i + 1).is_none_or(|n| *n == ' ' || *n == '\t');
        let prev_blank = i > 0 && (chars[i - 1] == ' ' || chars[i - 1] == '\t');
        if !printable(c) {
            return false;
        }
        if i == 0 {
            if "#,[]{}&*!|>'\"%@`".contains(c) {
                return false;
            }
            if (c == '?' || c == ':' || c == '-') && next_blank {
                return false;
            }
        } else if (c == ':' && next_blank) || (c == '#' && prev_blank) {
            return false;
        }
        if c == '\t' {
            return false;
        }
    }
    true
}

fn printable(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{7e}' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
        && c != '\u{feff}'
}

/// A string as go-yaml writes it starting at `column`, `indent` being the indent of the
/// lines it continues on.
fn string(s: &str, indent: usize, column: usize) -> String {
    if s.contains('\n') {
        return literal(s, indent);
    }
    if resolves_elsewhere(s) {
        return double_quoted(s);
    }
    if plain_allowed(s) {
        return fold(s, indent, column);
    }
    if s.chars().all(printable) {
        return format!("'{}'", s.replace('\'', "''"));
    }
    double_quoted(s)
}

/// A long plain string broken at single spaces once past column 80.
fn fold(s: &str, indent: usize, mut column: usize) -> String {
    if column + s.len() <= 80 || !s.contains(' ') {
        return s.to_string();
    }
    let mut out = String::new();
    let words: Vec<&str> = s.split(' ').collect();
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            let breakable = !w.is_empty() && !words[i - 1].is_empty();
            if column > 80 && breakable {
                out.push('\n');
                out.extend(std::iter::repeat_n(' ', indent));
                column = indent;
            } else {
                out.push(' ');
                column += 1;
            }
        }
        out.push_str(w);
        column += w.chars().count();
    }
    out
}

fn double_quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c if printable(c) => out.push(c),
            c if (c as u32) <= 0xff => out.push_str(&format!("\\x{:02X}", c as u32)),
            c if (c as u32) <= 0xffff => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push_str(&format!("\\U{:08X}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// A multi-line string as a literal block: `|`, `|-` or `|+` by its trailing newlines, an
/// indentation indicator when it starts with a space.
fn literal(s: &str, indent: usize) -> String {
    let mut head = String::from("|");
    if s.starts_with(' ') {
        head.push('2');
    }
    let trailing = s.len() - s.trim_end_matches('\n').len();
    match trailing {
        0 => head.push('-'),
        1 => {}
        _ => head.push('+'),
    }
    let body = s.strip_suffix('\n').unwrap_or(s);
    let mut out = head;
    for line in body.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            out.extend(std::iter::repeat_n(' ', indent));
            out.push_str(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn writes_what_kubectl_writes() {
        let v = json!({
            "kind": "Pod",
            "apiVersion": "v1",
            "metadata": {"name": "web", "labels": {"app": "web", "pod-template-hash": "5d8f"},
                         "resourceVersion": "123", "creationTimestamp": "2026-12-04T10:00:00Z",
                         "annotations": {}},
            "spec": {"containers": [{"name": "nginx", "image": "nginx:1.7.9",
                                     "ports": [{"containerPort": 80, "protocol": "TCP"}],
                                     "args": ["-c", "echo hi; sleep 1"]}],
                     "nodeSelector": {"disk": "yes"}, "tolerations": []},
            "data": {"script": "line one\nline two\n", "star": "*", "ip": "10.3.0.0/16"}
        });
        assert_eq!(
            to_go_yaml(&v),
            "apiVersion: v1\ndata:\n  ip: 10.3.0.0/16\n  script: |\n    line one\n    line two\n  star: '*'\nkind: Pod\nmetadata:\n  annotations: {}\n  creationTimestamp: \"2026-12-04T10:00:00Z\"\n  labels:\n    app: web\n    pod-template-hash: 5d8f\n  name: web\n  resourceVersion: \"123\"\nspec:\n  containers:\n  - args:\n    - -c\n    - echo hi; sleep 1\n    image: nginx:1.7.9\n    name: nginx\n    ports:\n    - containerPort: 80\n      protocol: TCP\n  nodeSelector:\n    disk: \"yes\"\n  tolerations: []\n"
        );
    }

    #[test]
    fn keys_sort_as_go_yaml_sorts_them() {
        let mut keys = vec!["b", "a10", "a2", "B", "a-b", "ab", "a"];
        keys.sort_by(|a, b| key_order(a, b));
        assert_eq!(keys, ["B", "a", "a-b", "a2", "a10", "ab", "b"]);
    }

    #[test]
    fn quotes_what_would_read_back_as_another_type() {
        for s in [
            "123",
            "0x1F",
            "1.5",
            "1e3",
            "true",
            "no",
            "~",
            "",
            "2026-12-04",
            "1:20",
        ] {
            assert!(string(s, 0, 0).starts_with('"'), "{s}");
        }
        for s in [
            "v1.32.4",
            "192.168.122.11",
            "nginx",
            "1.2.3",
            "a:b",
            "-c",
            "5d8f",
        ] {
            assert_eq!(string(s, 0, 0), s, "{s}");
        }
        assert_eq!(string("- x", 0, 0), "'- x'");
        assert_eq!(string("a: b", 0, 0), "'a: b'");
        assert_eq!(string("it's", 0, 0), "it's");
        assert_eq!(string("x\ny", 2, 0), "|-\n  x\n  y");
    }
}
