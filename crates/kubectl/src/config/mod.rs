//! `kubectl config ...`: reading and editing a kubeconfig file, no cluster needed. The file
//! is read as clientcmd reads it (unknown fields dropped, entries by name), changed as each
//! subcommand changes it (with its checks and messages), and written back as kubectl writes
//! it (Go's v1 `Config` as YAML, entries sorted by name, file paths relative to the file
//! where they lie under its directory).

use crate::Out;
use crate::printer::{self, Format};
use base64::Engine;
use opsconsole_sim::lang::kubectl::Config as ConfigCmd;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

mod edit;
pub use edit::run;

/// A cluster's, user's and context's fields in the order Go declares them; `true` where the
/// field is written even when empty.
const CLUSTER_FIELDS: &[(&str, bool)] = &[
    ("server", true),
    ("tls-server-name", false),
    ("insecure-skip-tls-verify", false),
    ("certificate-authority", false),
    ("certificate-authority-data", false),
    ("proxy-url", false),
    ("disable-compression", false),
    ("extensions", false),
];
const USER_FIELDS: &[(&str, bool)] = &[
    ("client-certificate", false),
    ("client-certificate-data", false),
    ("client-key", false),
    ("client-key-data", false),
    ("token", false),
    ("tokenFile", false),
    ("as", false),
    ("as-uid", false),
    ("as-groups", false),
    ("as-user-extra", false),
    ("username", false),
    ("password", false),
    ("auth-provider", false),
    ("exec", false),
    ("extensions", false),
];
const CONTEXT_FIELDS: &[(&str, bool)] = &[
    ("cluster", true),
    ("user", true),
    ("namespace", false),
    ("extensions", false),
];
/// Fields holding bytes (base64 in the file), and booleans.
const BYTES: &[&str] = &[
    "certificate-authority-data",
    "client-certificate-data",
    "client-key-data",
];
const BOOLS: &[&str] = &["insecure-skip-tls-verify", "disable-compression"];

/// The three kinds of named entry.
#[derive(Clone, Copy, PartialEq)]
enum Section {
    Clusters,
    Users,
    Contexts,
}

impl Section {
    const ALL: [Section; 3] = [Section::Clusters, Section::Users, Section::Contexts];
    fn key(self) -> &'static str {
        match self {
            Section::Clusters => "clusters",
            Section::Users => "users",
            Section::Contexts => "contexts",
        }
    }
    /// The key each list item holds its entry under.
    fn item(self) -> &'static str {
        match self {
            Section::Clusters => "cluster",
            Section::Users => "user",
            Section::Contexts => "context",
        }
    }
    fn fields(self) -> &'static [(&'static str, bool)] {
        match self {
            Section::Clusters => CLUSTER_FIELDS,
            Section::Users => USER_FIELDS,
            Section::Contexts => CONTEXT_FIELDS,
        }
    }
}

type Entries = BTreeMap<String, Map<String, Value>>;

/// A kubeconfig as clientcmd holds it: entries by name.
#[derive(Clone, Debug, Default)]
pub struct Kubeconfig {
    clusters: Entries,
    users: Entries,
    contexts: Entries,
    current: String,
    preferences: Map<String, Value>,
}

fn empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::Number(_) => false,
    }
}

/// A YAML parser's error as one line in Go's shape (`yaml: line 2: ...`).
fn yaml_error(e: &str) -> String {
    let first = e.lines().next().unwrap_or_default();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let located = first.strip_prefix("line ").and_then(|rest| {
        let (line, rest) = rest.split_once(' ')?;
        let (_, msg) = rest.split_once(": ")?;
        Some(format!("yaml: line {line}: {msg}"))
    });
    located.unwrap_or_else(|| format!("yaml: {first}"))
}

/// A Go type name for decoding errors.
fn go_type(section: Section) -> &'static str {
    match section {
        Section::Clusters => "[]v1.NamedCluster",
        Section::Users => "[]v1.NamedAuthInfo",
        Section::Contexts => "[]v1.NamedContext",
    }
}

impl Kubeconfig {
    fn entries(&self, s: Section) -> &Entries {
        match s {
            Section::Clusters => &self.clusters,
            Section::Users => &self.users,
            Section::Contexts => &self.contexts,
        }
    }
    fn entries_mut(&mut self, s: Section) -> &mut Entries {
        match s {
            Section::Clusters => &mut self.clusters,
            Section::Users => &mut self.users,
            Section::Contexts => &mut self.contexts,
        }
    }

    /// Reads `file` (none there: an empty kubeconfig). Errors as kubectl words them.
    pub fn load(file: &Path, shown: &str) -> Result<Kubeconfig, String> {
        let text = match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Kubeconfig::default()),
            Err(e) => return Err(format!("error: error loading config file \"{shown}\": {e}")),
        };
        Kubeconfig::parse(&text)
            .map_err(|e| format!("error: error loading config file \"{shown}\": {e}"))
    }

    /// A kubeconfig's text (YAML or JSON).
    pub fn parse(text: &str) -> Result<Kubeconfig, String> {
        if text.trim().is_empty() {
            return Ok(Kubeconfig::default());
        }
        let doc: Value = serde_saphyr::from_str(text).map_err(|e| yaml_error(&e.to_string()))?;
        let Value::Object(doc) = doc else {
            return Err("json: cannot unmarshal into Go value of type v1.Config".into());
        };
        if let Some(kind) = doc
            .get("kind")
            .and_then(Value::as_str)
            .filter(|k| *k != "Config")
        {
            return Err(format!(
                "no kind \"{kind}\" is registered for version \"{}\" in scheme \"k8s.io/client-go/tools/clientcmd/api/latest/latest.go:50\"",
                doc.get("apiVersion")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
            ));
        }
        let mut kc = Kubeconfig::default();
        for section in Section::ALL {
            let list = match doc.get(section.key()) {
                None | Some(Value::Null) => continue,
                Some(Value::Array(a)) => a,
                Some(_) => {
                    return Err(format!(
                        "json: cannot unmarshal into Go struct field Config.{} of type {}",
                        section.key(),
                        go_type(section)
                    ));
                }
            };
            for item in list {
                let name = item.get("name").and_then(Value::as_str).unwrap_or_default();
                let mut entry = Map::new();
                if let Some(Value::Object(fields)) = item.get(section.item()) {
                    for (k, _) in section.fields() {
                        if let Some(v) = fields.get(*k).filter(|v| !v.is_null()) {
                            entry.insert((*k).to_string(), v.clone());
                        }
                    }
                }
                // The first of a name wins, as clientcmd's conversion keeps it.
                kc.entries_mut(section)
                    .entry(name.to_string())
                    .or_insert(entry);
            }
        }
        kc.current = doc
            .get("current-context")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if let Some(Value::Object(p)) = doc.get("preferences") {
            kc.preferences = p.clone();
        }
        Ok(kc)
    }

    /// Go's v1 `Config`, fields in declared order (as `-o json` prints it).
    pub fn to_v1(&self) -> Value {
        let list = |section: Section| -> Value {
            let entries = self.entries(section);
            if entries.is_empty() {
                return Value::Null;
            }
            let items: Vec<Value> = entries
                .iter()
                .map(|(name, fields)| {
                    let mut body = Map::new();
                    for (k, always) in section.fields() {
                        match fields.get(*k) {
                            Some(v) if !empty(v) => {
                                body.insert((*k).to_string(), v.clone());
                            }
                            _ if *always => {
                                body.insert((*k).to_string(), json!(""));
                            }
                            _ => {}
                        }
                    }
                    let mut item = Map::new();
                    item.insert("name".into(), json!(name));
                    item.insert(section.item().into(), Value::Object(body));
                    Value::Object(item)
                })
                .collect();
            Value::Array(items)
        };
        let mut v = Map::new();
        v.insert("kind".into(), json!("Config"));
        v.insert("apiVersion".into(), json!("v1"));
        v.insert(
            "preferences".into(),
            Value::Object(self.preferences.clone()),
        );
        v.insert("clusters".into(), list(Section::Clusters));
        v.insert("users".into(), list(Section::Users));
        v.insert("contexts".into(), list(Section::Contexts));
        v.insert("current-context".into(), json!(self.current));
        Value::Object(v)
    }

    /// Writes the file as kubectl does (its directory made if missing, mode 0600).
    pub fn save(&self, file: &Path, shown: &str) -> Result<(), String> {
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| format!("error: {shown}: {e}"))?;
        }
        let text = crate::yaml::to_go_yaml(&self.to_v1());
        write_private(file, text.as_bytes()).map_err(|e| format!("error: open {shown}: {e}"))
    }

    /// The current context's namespace, if it names one.
    pub fn namespace(&self) -> Option<&str> {
        self.contexts
            .get(&self.current)
            .and_then(|c| c.get("namespace"))
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
    }

    /// Only the current context (or `context`) and what it names (`--minify`).
    fn minified(&self, context: Option<&str>) -> Result<Kubeconfig, String> {
        let name = context.unwrap_or(&self.current);
        if name.is_empty() {
            return Err("error: current-context must exist in order to minify".into());
        }
        let Some(ctx) = self.contexts.get(name) else {
            return Err(format!("error: cannot locate context {name}"));
        };
        let mut out = Kubeconfig {
            current: name.to_string(),
            preferences: self.preferences.clone(),
            ..Kubeconfig::default()
        };
        out.contexts.insert(name.to_string(), ctx.clone());
        for (section, field) in [(Section::Clusters, "cluster"), (Section::Users, "user")] {
            let wanted = ctx.get(field).and_then(Value::as_str).unwrap_or_default();
            if let Some(e) = self.entries(section).get(wanted) {
                out.entries_mut(section)
                    .insert(wanted.to_string(), e.clone());
            }
        }
        Ok(out)
    }

    /// Secrets shortened (`config view` without `--raw`).
    fn shortened(&self) -> Kubeconfig {
        let mut out = self.clone();
        for section in [Section::Clusters, Section::Users] {
            for fields in out.entries_mut(section).values_mut() {
                for (k, v) in fields.iter_mut() {
                    if empty(v) {
                        continue;
                    }
                    if BYTES.contains(&k.as_str()) {
                        *v = json!("DATA+OMITTED");
                    } else if k == "token" || k == "password" {
                        *v = json!("REDACTED");
                    }
                }
            }
        }
        out
    }

    /// Files' contents put in place of their paths (`--flatten`).
    fn flattened(&self, base: &Path) -> Result<Kubeconfig, String> {
        let mut out = self.clone();
        for section in [Section::Clusters, Section::Users] {
            for fields in out.entries_mut(section).values_mut() {
                for (path_key, data_key) in [
                    ("certificate-authority", "certificate-authority-data"),
                    ("client-certificate", "client-certificate-data"),
                    ("client-key", "client-key-data"),
                ] {
                    let Some(p) = fields
                        .get(path_key)
                        .and_then(Value::as_str)
                        .filter(|p| !p.is_empty())
                    else {
                        continue;
                    };
                    let path = base.join(p);
                    let bytes = std::fs::read(&path).map_err(|e| {
                        format!("error: open {}: {}", path.display(), crate::go_io_error(&e))
                    })?;
                    fields.remove(path_key);
                    fields.insert(
                        data_key.into(),
                        json!(base64::engine::general_purpose::STANDARD.encode(bytes)),
                    );
                }
            }
        }
        Ok(out)
    }
}

#[cfg(unix)]
fn write_private(file: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(file)?;
    f.write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(file: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(file, bytes)
}

/// `path` made absolute (against the working directory), lexically.
fn absolute(path: &str) -> PathBuf {
    let p = Path::new(path);
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(p)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

/// A file path as kubectl writes it into `file`: relative to the file's directory when it
/// lies under it, else absolute.
fn stored_path(path: &str, file: &Path) -> String {
    if path.is_empty() {
        return String::new();
    }
    let abs = absolute(path);
    let dir = absolute(&file.parent().unwrap_or(Path::new("")).to_string_lossy());
    match abs.strip_prefix(&dir) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.to_string_lossy().into_owned(),
        _ => abs.to_string_lossy().into_owned(),
    }
}

/// The file's bytes for `--embed-certs`, or kubectl's error.
fn embedded(what: &str, path: &str) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| {
        format!(
            "error: could not stat {what} file {path}: stat {path}: {}",
            crate::go_io_error(&e)
        )
    })?;
    Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
}

fn unexpected(args: &[String], lower: bool) -> String {
    format!(
        "error: {}nexpected args: [{}]",
        if lower { "u" } else { "U" },
        args.join(" ")
    )
}

/// Sets `key` in `fields` to `value`, or removes it when empty.
fn put(fields: &mut Map<String, Value>, key: &str, value: Value) {
    if empty(&value) {
        fields.remove(key);
    } else {
        fields.insert(key.into(), value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_read_by_name_and_written_in_gos_shape() {
        let kc = Kubeconfig::parse(
            r#"{"apiVersion":"v1","kind":"Config","clusters":[{"name":"z","cluster":{"server":"s","extra":1}},{"name":"a","cluster":{"server":"t"}},{"name":"z","cluster":{"server":"later"}}],
               "contexts":[{"name":"c","context":{}}]}"#,
        )
        .unwrap();
        assert_eq!(
            crate::yaml::to_go_yaml(&kc.to_v1()),
            "apiVersion: v1\nclusters:\n- cluster:\n    server: t\n  name: a\n- cluster:\n    server: s\n  name: z\ncontexts:\n- context:\n    cluster: \"\"\n    user: \"\"\n  name: c\ncurrent-context: \"\"\nkind: Config\npreferences: {}\nusers: null\n"
        );
        assert!(
            Kubeconfig::parse("kind: Pod\napiVersion: v1\n")
                .unwrap_err()
                .contains("no kind \"Pod\"")
        );
        assert!(
            Kubeconfig::parse("clusters: 3\n")
                .unwrap_err()
                .contains("Config.clusters")
        );
        assert_eq!(
            Kubeconfig::parse("apiVersion: v1\nclusters: [\n").unwrap_err(),
            "yaml: line 2: unclosed bracket '['"
        );
    }

    #[test]
    fn paths_are_stored_relative_to_the_file_only_beneath_it() {
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(stored_path("ca.crt", Path::new("a.kc")), "ca.crt");
        assert_eq!(stored_path("x/../ca.crt", Path::new("a.kc")), "ca.crt");
        assert_eq!(
            stored_path("ca.crt", Path::new("sub/b.kc")),
            cwd.join("ca.crt").to_string_lossy()
        );
        assert_eq!(stored_path("/etc/x.crt", Path::new("a.kc")), "/etc/x.crt");
    }
}
