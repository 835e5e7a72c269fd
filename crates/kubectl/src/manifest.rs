//! The objects of `-f FILE|DIR|-`, read the way kubectl's resource builder reads them: a
//! directory's `.json`, `.yaml` and `.yml` files in name order (`-R`: its subdirectories
//! too), each file a stream of YAML or JSON documents separated by `---` lines, empty
//! documents skipped, `List`s opened into their items.

use serde_json::Value;
use std::path::{Path, PathBuf};

/// One object from a file, and the name kubectl gives its source in messages.
#[derive(Clone, Debug, PartialEq)]
pub struct Doc {
    pub source: String,
    pub object: Value,
}

impl Doc {
    pub fn kind(&self) -> &str {
        self.object["kind"].as_str().unwrap_or_default()
    }
    pub fn api_version(&self) -> &str {
        self.object["apiVersion"].as_str().unwrap_or_default()
    }
    pub fn name(&self) -> &str {
        self.object["metadata"]["name"].as_str().unwrap_or_default()
    }
    pub fn namespace(&self) -> Option<&str> {
        self.object["metadata"]["namespace"]
            .as_str()
            .filter(|n| !n.is_empty())
    }
}

const EXTENSIONS: &[&str] = &["json", "yaml", "yml"];

/// The files a `-f` value names.
fn files(arg: &str, recursive: bool) -> Result<Vec<PathBuf>, String> {
    if arg.starts_with("http://") || arg.starts_with("https://") {
        return Err(format!(
            "error: opsconsole does not read manifests from URLs ({arg}); download it first"
        ));
    }
    let path = Path::new(arg);
    let meta =
        std::fs::metadata(path).map_err(|_| format!("error: the path \"{arg}\" does not exist"))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    walk(path, recursive, &mut out).map_err(|e| format!("error: error reading {arg}: {e}"))?;
    Ok(out)
}

fn walk(dir: &Path, recursive: bool, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            if recursive {
                walk(&p, recursive, out)?;
            }
            continue;
        }
        let ext = p.extension().and_then(|e| e.to_str()).unwrap_or_default();
        if EXTENSIONS.contains(&ext) {
            out.push(p);
        }
    }
    Ok(())
}

/// The documents of one stream: split at lines that start with `---`.
fn documents(text: &str) -> Vec<(usize, String)> {
    let mut docs = Vec::new();
    let mut cur = String::new();
    let mut first_line = 1;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if line.starts_with("---") && line[3..].trim().is_empty() {
            docs.push((first_line, std::mem::take(&mut cur)));
            first_line = i + 2;
            continue;
        }
        cur.push_str(line);
    }
    docs.push((first_line, cur));
    docs
}

/// Whether a document holds nothing but comments and blank lines.
fn blank(doc: &str) -> bool {
    doc.lines().all(|l| {
        let l = l.trim();
        l.is_empty() || l.starts_with('#') || l == "..."
    })
}

/// Decodes one document: JSON when it looks like JSON, else YAML.
fn decode(doc: &str, source: &str, line: usize) -> Result<Value, String> {
    let trimmed = doc.trim_start();
    if trimmed.starts_with('{') {
        return serde_json::from_str(doc).map_err(|e| {
            format!("error: error parsing {source}: error converting YAML to JSON: {e}")
        });
    }
    serde_saphyr::from_str::<Value>(doc).map_err(|e| {
        let e = e.to_string();
        let e = e.lines().next().unwrap_or_default().to_string();
        format!(
            "error: error parsing {source}: error converting YAML to JSON: yaml: line {}: {e}",
            line
        )
    })
}

/// The objects of one stream named `source`.
pub fn parse(text: &str, source: &str) -> Result<Vec<Doc>, String> {
    let mut out = Vec::new();
    for (line, doc) in documents(text) {
        if blank(&doc) {
            continue;
        }
        let v = decode(&doc, source, line)?;
        if v.is_null() {
            continue;
        }
        if !v.is_object() {
            return Err(format!(
                "error: error parsing {source}: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                go_type(&v)
            ));
        }
        let is_list = v["kind"].as_str().is_some_and(|k| k.ends_with("List"))
            && v.get("items").is_some_and(Value::is_array);
        if is_list {
            for item in v["items"].as_array().into_iter().flatten() {
                out.push(Doc {
                    source: source.to_string(),
                    object: item.clone(),
                });
            }
            continue;
        }
        out.push(Doc {
            source: source.to_string(),
            object: v,
        });
    }
    Ok(out)
}

fn go_type(v: &Value) -> &'static str {
    match v {
        Value::Array(_) => "array",
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        _ => "object",
    }
}

/// Every object the `-f` values name, in order; `stdin` is what `-` reads.
pub fn read(
    filenames: &[String],
    recursive: bool,
    stdin: &mut dyn FnMut() -> Result<String, String>,
) -> Result<Vec<Doc>, String> {
    let mut out = Vec::new();
    for f in filenames {
        if f == "-" {
            let text = stdin()?;
            out.extend(parse(&text, "STDIN")?);
            continue;
        }
        for path in files(f, recursive)? {
            let source = path.display().to_string();
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("error: error reading {source}: {e}"))?;
            out.extend(parse(&text, &source)?);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_split_into_objects_and_lists_open() {
        let text = "# a comment\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\n\n--- \n{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [{\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"b\"}}]}\n";
        let docs = parse(text, "f.yaml").unwrap();
        let names: Vec<&str> = docs.iter().map(Doc::name).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(docs[1].source, "f.yaml");
        let e = parse("kind: [1\n", "bad.yaml").unwrap_err();
        assert!(
            e.starts_with(
                "error: error parsing bad.yaml: error converting YAML to JSON: yaml: line 1:"
            ),
            "{e}"
        );
        let e = parse("- a\n", "list.yaml").unwrap_err();
        assert!(e.contains("cannot unmarshal array"), "{e}");
    }
}
