//! `-o json` as kubectl writes it: Go's `json.MarshalIndent` of the object as a map, so keys
//! in sorted order, four-space indents, and `<`, `>`, `&` escaped.

use serde_json::Value;

/// The object as kubectl prints it with `-o json` (with the trailing newline).
pub fn to_go_json(v: &Value) -> String {
    let mut out = String::new();
    write(v, 0, &mut out);
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

fn indent(n: usize, out: &mut String) {
    out.push('\n');
    out.extend(std::iter::repeat_n(' ', n * 4));
}

fn write(v: &Value, depth: usize, out: &mut String) {
    match v {
        Value::Object(m) if m.is_empty() => out.push_str("{}"),
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                indent(depth + 1, out);
                string(k, out);
                out.push_str(": ");
                write(&m[k.as_str()], depth + 1, out);
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
                indent(depth + 1, out);
                write(x, depth + 1, out);
            }
            indent(depth, out);
            out.push(']');
        }
        Value::String(s) => string(s, out),
        v => out.push_str(&v.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_sorted_and_indented_by_four() {
        let v = serde_json::json!({"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "a<b"}, "x": [], "y": [1]});
        assert_eq!(
            to_go_json(&v),
            "{\n    \"apiVersion\": \"v1\",\n    \"kind\": \"Pod\",\n    \"metadata\": {\n        \"name\": \"a\\u003cb\"\n    },\n    \"x\": [],\n    \"y\": [\n        1\n    ]\n}\n"
        );
    }
}
