//! kubectl's printers for objects (`-o name|json|yaml|jsonpath=...|custom-columns=...`),
//! shared by `get` and the commands that print what they changed, and `--sort-by`.

use crate::jsonpath::{Template, go_fmt, go_sharp};
use crate::table::align;
use serde_json::{Value, json};
use std::cmp::Ordering;

/// Every output format kubectl knows (for `get`).
pub const GET_FORMATS: &str = "custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml";
/// The formats of commands that print the objects they change.
pub const CHANGE_FORMATS: &str = "go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml";

/// How objects are printed.
pub enum Format {
    /// The server's Table (`get` only).
    Table {
        wide: bool,
    },
    Name,
    Json,
    Yaml,
    JsonPath(Template),
    Columns(Vec<(String, Template)>),
}

impl Format {
    /// Whether it prints whole objects (not a server-side Table).
    pub fn needs_objects(&self) -> bool {
        !matches!(self, Format::Table { .. } | Format::Name)
    }
}

/// kubectl's `RelaxedJSONPathExpression`: `a.b`, `.a.b`, `{a.b}`, `{.a.b}`.
fn relaxed(expr: &str) -> Result<String, String> {
    if expr.is_empty() {
        return Ok(String::new());
    }
    let inner = match expr.strip_prefix('{').and_then(|e| e.strip_suffix('}')) {
        Some(i) => i,
        None => expr,
    };
    let inner = inner.strip_prefix('.').unwrap_or(inner);
    if inner.is_empty() || inner.contains(['{', '}']) {
        return Err("unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'".into());
    }
    Ok(format!("{{.{inner}}}"))
}

fn jsonpath(text: &str) -> Result<Template, String> {
    Template::parse(text).map_err(|e| format!("error: error parsing jsonpath {text}, {e}"))
}

fn columns(spec: &str) -> Result<Format, String> {
    let mut cols = Vec::new();
    for part in spec.split(',') {
        let Some((name, path)) = part.split_once(':') else {
            return Err(format!(
                "error: unexpected custom-columns spec: {part}, expected <header>:<json-path-expr>"
            ));
        };
        let expr = relaxed(path).map_err(|e| format!("error: {e}"))?;
        cols.push((name.to_string(), jsonpath(&expr)?));
    }
    Ok(Format::Columns(cols))
}

fn read_file(path: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| {
        let why = crate::go_io_error(&e);
        format!("error: error reading template {path}, open {path}: {why}\n")
    })
}

/// The format `-o` (and `--template`) asks for; `allowed` is the command's list of formats.
pub fn parse(
    output: Option<&str>,
    template: Option<&str>,
    allowed: &str,
) -> Result<Format, String> {
    let output = output.unwrap_or("");
    let (name, arg) = match output.split_once('=') {
        Some((n, a)) => (n, Some(a)),
        None => (output, None),
    };
    let arg = arg.or(template);
    let known = output.is_empty() || allowed.split(',').any(|f| f == name);
    if !known {
        return Err(format!(
            "error: unable to match a printer suitable for the output format \"{output}\", allowed formats are: {allowed}"
        ));
    }
    let need = |a: Option<&str>| -> Result<String, String> {
        a.filter(|a| !a.is_empty())
            .map(str::to_string)
            .ok_or_else(|| "error: template format specified but no template given".to_string())
    };
    Ok(match name {
        "" => Format::Table { wide: false },
        "wide" => Format::Table { wide: true },
        "name" => Format::Name,
        "json" => Format::Json,
        "yaml" => Format::Yaml,
        "jsonpath" => Format::JsonPath(jsonpath(&need(arg)?)?),
        "jsonpath-file" => Format::JsonPath(jsonpath(&read_file(&need(arg)?)?)?),
        "custom-columns" => match arg.filter(|a| !a.is_empty()) {
            Some(spec) => columns(spec)?,
            None => {
                return Err(
                    "error: custom-columns format specified but no custom columns given".into(),
                );
            }
        },
        "custom-columns-file" => {
            let text = read_file(&need(arg)?)?;
            let mut lines = text.lines();
            let heads: Vec<&str> = lines
                .next()
                .unwrap_or_default()
                .split_whitespace()
                .collect();
            let paths: Vec<&str> = lines
                .next()
                .unwrap_or_default()
                .split_whitespace()
                .collect();
            if heads.len() != paths.len() {
                return Err(format!(
                    "error: number of columns in template ({}) does not match number of headers ({})",
                    paths.len(),
                    heads.len()
                ));
            }
            let spec: Vec<String> = heads
                .iter()
                .zip(&paths)
                .map(|(h, p)| format!("{h}:{p}"))
                .collect();
            columns(&spec.join(","))?
        }
        other => {
            return Err(format!(
                "error: opsconsole does not print -o {other} (Go templates) yet; use -o jsonpath"
            ));
        }
    })
}

/// What kubectl prints for `objects`: one object when `single`, else a `List` of them.
pub fn print(
    format: &Format,
    objects: Vec<Value>,
    single: bool,
    no_headers: bool,
) -> Result<String, String> {
    let doc = |mut objects: Vec<Value>| {
        if single && objects.len() == 1 {
            objects.remove(0)
        } else {
            json!({"apiVersion": "v1", "items": objects, "kind": "List", "metadata": {"resourceVersion": ""}})
        }
    };
    match format {
        Format::Json => Ok(crate::json::to_go_json(&doc(objects))),
        Format::Yaml => Ok(crate::yaml::to_go_yaml(&doc(objects))),
        Format::JsonPath(t) => {
            let d = doc(objects);
            t.execute(&d).map_err(|e| {
                format!(
                    "error: error executing jsonpath {:?}: Error executing template: {e}. Printing more information for debugging the template:\n\ttemplate was:\n\t\t{}\n\tobject given to jsonpath engine was:\n\t\t{}\n\n\n",
                    t.raw(),
                    t.raw(),
                    go_sharp(&d)
                )
            })
        }
        Format::Columns(cols) => {
            let mut rows = Vec::new();
            if !no_headers {
                rows.push(cols.iter().map(|(h, _)| h.clone()).collect());
            }
            for o in &objects {
                let mut row = Vec::new();
                for (_, t) in cols {
                    let values = t.results(o)?;
                    if values.is_empty() {
                        row.push("<none>".to_string());
                    } else {
                        row.push(values.iter().map(go_fmt).collect::<Vec<_>>().join(","));
                    }
                }
                rows.push(row);
            }
            Ok(align(&rows))
        }
        Format::Name | Format::Table { .. } => Ok(String::new()),
    }
}

/// What a command that changed an object prints for it: kubectl's message
/// (`deployment.apps/web image updated`), the name with `-o name`, or the object.
pub fn changed(
    format: &Format,
    slash_name: &str,
    object: &Value,
    message: &str,
) -> Result<String, String> {
    match format {
        Format::Table { .. } => Ok(format!("{slash_name} {message}\n")),
        Format::Name => Ok(format!("{slash_name}\n")),
        f => print(f, vec![object.clone()], true, false),
    }
}

/// What kubectl prints for an object its own generator made (`run`, `config view`, ...
/// with `--dry-run=client`): as [`changed`], but `-o json` keeps Go's field order (the
/// order of `object`'s keys).
pub fn generated(
    format: &Format,
    slash_name: &str,
    object: &Value,
    message: &str,
) -> Result<String, String> {
    if let Format::Json = format {
        return Ok(crate::json::to_go_json_typed(object));
    }
    changed(format, slash_name, object, message)
}

/// kubectl's `--sort-by`: the objects in the order of the field's value (natural order for
/// strings), stable.
pub fn sort_by(objects: &mut [Value], field: &str) -> Result<(), String> {
    let expr = relaxed(field).map_err(|e| format!("error: {e}"))?;
    let t = jsonpath(&expr)?;
    let keys: Vec<Option<Value>> = objects
        .iter()
        .map(|o| t.results(o).ok().and_then(|v| v.into_iter().next()))
        .collect();
    if !objects.is_empty() && keys.iter().all(Option::is_none) {
        return Err(format!(
            "error: couldn't find any field with path \"{expr}\" in the list of objects"
        ));
    }
    let mut order: Vec<usize> = (0..objects.len()).collect();
    order.sort_by(|&a, &b| less(keys[a].as_ref(), keys[b].as_ref()));
    let sorted: Vec<Value> = order.iter().map(|&i| objects[i].clone()).collect();
    objects.clone_from_slice(&sorted);
    Ok(())
}

/// `sortorder.NaturalLess`: runs of digits compare by value.
pub fn natural(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.as_bytes(), b.as_bytes());
    loop {
        match (x.first(), y.first()) {
            (None, None) => return Ordering::Equal,
            (None, _) => return Ordering::Less,
            (_, None) => return Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let n = x.iter().take_while(|c| c.is_ascii_digit()).count();
                let m = y.iter().take_while(|c| c.is_ascii_digit()).count();
                let (p, q) = (&x[..n], &y[..m]);
                let strip = |s: &[u8]| {
                    let z = s.iter().take_while(|c| **c == b'0').count();
                    s[z..].to_vec()
                };
                let (sp, sq) = (strip(p), strip(q));
                let ord = sp.len().cmp(&sq.len()).then(sp.cmp(&sq)).then(n.cmp(&m));
                if ord != Ordering::Equal {
                    return ord;
                }
                x = &x[n..];
                y = &y[m..];
            }
            (Some(c), Some(d)) => {
                if c != d {
                    return c.cmp(d);
                }
                x = &x[1..];
                y = &y[1..];
            }
        }
    }
}

fn less(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    match (a, b) {
        (Some(Value::String(x)), Some(Value::String(y))) => natural(x, y),
        (Some(Value::Number(x)), Some(Value::Number(y))) => x
            .as_f64()
            .unwrap_or(0.0)
            .partial_cmp(&y.as_f64().unwrap_or(0.0))
            .unwrap_or(Ordering::Equal),
        (Some(Value::Bool(x)), Some(Value::Bool(y))) => x.cmp(y),
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        _ => Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_their_errors() {
        assert!(matches!(
            parse(Some("wide"), None, GET_FORMATS),
            Ok(Format::Table { wide: true })
        ));
        assert_eq!(
            parse(Some("jsonpath"), None, GET_FORMATS).err().unwrap(),
            "error: template format specified but no template given"
        );
        assert!(matches!(
            parse(Some("jsonpath"), Some("{.a}"), GET_FORMATS),
            Ok(Format::JsonPath(_))
        ));
        assert_eq!(
            parse(Some("custom-columns=NAME"), None, GET_FORMATS)
                .err()
                .unwrap(),
            "error: unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>"
        );
        let Ok(f) = parse(
            Some("custom-columns=NAME:.metadata.name,IMAGES:{.spec.containers[*].image}"),
            None,
            GET_FORMATS,
        ) else {
            panic!()
        };
        let objs = vec![
            json!({"metadata": {"name": "web"}, "spec": {"containers": [{"image": "a"}, {"image": "b"}]}}),
            json!({"metadata": {"name": "db"}, "spec": {}}),
        ];
        assert_eq!(
            print(&f, objs, false, false).unwrap(),
            "NAME   IMAGES\nweb    a,b\ndb     <none>\n"
        );
    }

    #[test]
    fn natural_order_compares_numbers_by_value() {
        assert_eq!(natural("web-10", "web-9"), Ordering::Greater);
        assert_eq!(natural("a", "b"), Ordering::Less);
        let mut objs = vec![json!({"n": "x-10"}), json!({"n": "x-9"}), json!({"m": 1})];
        sort_by(&mut objs, ".n").unwrap();
        assert_eq!(objs[0], json!({"m": 1}));
        assert_eq!(objs[1]["n"], "x-9");
    }
}
