//! `-o json` as kubectl writes it: Go's `json.MarshalIndent` of the object as a map, so keys
//! in sorted order, four-space indents, and `<`, `>`, `&` escaped.

use serde_json::Value;

/// The object as kubectl prints it with `-o json` (with the trailing newline).
pub fn to_go_json(v: &Value) -> String {
    let mut out = String::new();
    write(v, Some(0), true, &mut out);
    out.push('\n');
    out
}

fn string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Go's `json.Marshal` of the object as a map, with the newline its `Encoder` adds: compact,
/// keys sorted, HTML characters escaped. (How kubectl writes the last applied configuration.)
pub fn to_go_compact(v: &Value) -> String {
    let mut out = String::new();
    write(v, None, true, &mut out);
    out.push('\n');
    out
}

/// An object kubectl made itself (a generator's, printed before it reaches a server) as
/// `-o json` prints it: Go's struct fields in their declared order, which is the order
/// `v`'s keys were inserted in.
pub fn to_go_json_typed(v: &Value) -> String {
    let mut out = String::new();
    write(v, Some(0), false, &mut out);
    out.push('\n');
    out
}

/// A scalar as Go writes it (a float without a fraction has no `.0`).
fn scalar(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => string(s, out),
        Value::Number(n) => match n.as_f64().filter(|_| n.is_f64()) {
            Some(f) => out.push_str(&f.to_string()),
            None => out.push_str(&n.to_string()),
        },
        v => out.push_str(&v.to_string()),
    }
}

/// Before an element at `depth` (indented output only).
fn indent(depth: Option<usize>, out: &mut String) {
    if let Some(n) = depth {
        out.push('\n');
        out.extend(std::iter::repeat_n(' ', n * 4));
    }
}

/// Writes `v`: indented by four spaces a level from `depth`, or compact (`None`); an
/// object's keys sorted or in their own order.
fn write(v: &Value, depth: Option<usize>, sort: bool, out: &mut String) {
    let inner = depth.map(|d| d + 1);
    match v {
        Value::Object(m) if m.is_empty() => out.push_str("{}"),
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            if sort {
                keys.sort();
            }
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                indent(inner, out);
                string(k, out);
                out.push_str(if depth.is_some() { ": " } else { ":" });
                write(&m[k.as_str()], inner, sort, out);
            }
            indent(depth, out);
            out.push('}');
        }
        Value::Array(a) if a.is_empty() => out.push_str("[]"),
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                indent(inner, out);
                write(x, inner, sort, out);
            }
            indent(depth, out);
            out.push(']');
        }
        v => scalar(v, out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_is_go_marshal() {
        let v = serde_json::json!({"b": 1.0, "a": ["x&y", 2, true, null], "c": {}});
        assert_eq!(
            to_go_compact(&v),
            "{\"a\":[\"x\\u0026y\",2,true,null],\"b\":1,\"c\":{}}\n"
        );
    }

    #[test]
    fn keys_are_sorted_and_indented_by_four() {
        let v = serde_json::json!({"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "a<b"}, "x": [], "y": [1]});
        assert_eq!(
            to_go_json(&v),
            "{\n    \"apiVersion\": \"v1\",\n    \"kind\": \"Pod\",\n    \"metadata\": {\n        \"name\": \"a\\u003cb\"\n    },\n    \"x\": [],\n    \"y\": [\n        1\n    ]\n}\n"
        );
    }
}
