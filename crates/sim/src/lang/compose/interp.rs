//! Variable interpolation, YAML errors, durations.

use crate::lang::values;

/// Replaces `${VAR}`, `${VAR:-default}` and `$VAR` from the environment, like compose does.
pub(super) fn interpolate(
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        match chars.peek().map(|x| x.1) {
            Some('$') => {
                chars.next();
                out.push('$');
            }
            Some('{') => {
                chars.next();
                let mut expr = String::new();
                let mut closed = false;
                for (_, ch) in chars.by_ref() {
                    if ch == '}' {
                        closed = true;
                        break;
                    }
                    expr.push(ch);
                }
                if !closed {
                    return Err(format!("Invalid template: \"${{{expr}\""));
                }
                let (name, default) = if let Some((n, d)) = expr.split_once(":-") {
                    (n, Some(d.to_string()))
                } else if let Some((n, d)) = expr.split_once('-') {
                    (n, Some(d.to_string()))
                } else {
                    (expr.as_str(), None)
                };
                out.push_str(
                    &env(name)
                        .filter(|v| !v.is_empty())
                        .or(default)
                        .unwrap_or_default(),
                );
            }
            Some(ch) if ch.is_ascii_alphabetic() || ch == '_' => {
                let mut name = String::new();
                while let Some(&(_, ch)) = chars.peek() {
                    if ch.is_ascii_alphanumeric() || ch == '_' {
                        name.push(ch);
                        chars.next();
                    } else {
                        break;
                    }
                }
                out.push_str(&env(&name).unwrap_or_default());
            }
            _ => out.push('$'),
        }
    }
    Ok(out)
}

pub(super) fn yaml_error(file: &str, e: impl std::fmt::Display) -> String {
    let text = e.to_string().replace("<input>", file);
    let text = text.strip_prefix("error: ").unwrap_or(&text).to_string();
    format!("{file}: {text}")
}

pub(super) fn dur(
    file: &str,
    what: &str,
    s: &Option<String>,
) -> Result<Option<crate::base::time::SimDuration>, String> {
    s.as_ref()
        .map(|v| values::parse_duration(v).map_err(|e| format!("{file}: {what}: {e}")))
        .transpose()
}
