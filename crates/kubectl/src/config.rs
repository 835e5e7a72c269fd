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

/// What a subcommand did: its message (stdout), a warning (stderr), and whether the file
/// changed.
#[derive(Default)]
struct Done {
    message: String,
    warning: String,
    changed: bool,
}

impl Done {
    fn changed(message: String) -> Done {
        Done {
            message,
            warning: String::new(),
            changed: true,
        }
    }
    fn printed(message: String) -> Done {
        Done {
            message,
            ..Done::default()
        }
    }
}

/// One run of a subcommand: the command, the file as named, and the global `--context`.
struct Ctx<'a> {
    c: &'a ConfigCmd,
    file: &'a Path,
    shown: &'a str,
    context: Option<&'a str>,
}

impl Ctx<'_> {
    fn given(&self, flag: &str) -> Option<&str> {
        self.c.last(flag)
    }
    fn one_name(&self, lower: bool) -> Result<&str, String> {
        match self.c.args.as_slice() {
            [n] => Ok(n),
            a => Err(unexpected(a, lower)),
        }
    }
}

fn set_cluster(x: &Ctx, kc: &mut Kubeconfig) -> Result<Done, String> {
    let name = x.one_name(false)?;
    let embed = x.c.on("embed-certs");
    let ca = x.given("certificate-authority");
    let insecure = x.given("insecure-skip-tls-verify");
    let insecure_on = insecure.is_some_and(|v| v != "false");
    if insecure_on && ca.is_some_and(|c| !c.is_empty()) {
        return Err(
            "error: you cannot specify a certificate authority and insecure mode at the same time"
                .into(),
        );
    }
    if embed {
        match ca.filter(|c| !c.is_empty()) {
            None => return Err("error: you must specify a --certificate-authority to embed".into()),
            Some(p) => {
                embedded("certificate-authority", p)?;
            }
        }
    }
    let fields = kc.clusters.entry(name.to_string()).or_default();
    if let Some(s) = x.given("server") {
        put(fields, "server", json!(s));
    }
    if let Some(s) = x.given("tls-server-name") {
        put(fields, "tls-server-name", json!(s));
    }
    if insecure.is_some() {
        put(fields, "insecure-skip-tls-verify", json!(insecure_on));
        if insecure_on {
            fields.remove("certificate-authority");
            fields.remove("certificate-authority-data");
        }
    }
    if let Some(p) = ca {
        if embed {
            fields.insert(
                "certificate-authority-data".into(),
                json!(embedded("certificate-authority", p)?),
            );
            fields.remove("insecure-skip-tls-verify");
            fields.remove("certificate-authority");
        } else {
            put(
                fields,
                "certificate-authority",
                json!(stored_path(p, x.file)),
            );
            if !p.is_empty() {
                fields.remove("insecure-skip-tls-verify");
                fields.remove("certificate-authority-data");
            }
        }
    }
    if let Some(p) = x.given("proxy-url") {
        put(fields, "proxy-url", json!(p));
    }
    Ok(Done::changed(format!("Cluster {name:?} set.\n")))
}

fn set_credentials(x: &Ctx, kc: &mut Kubeconfig) -> Result<Done, String> {
    let name = x.one_name(true)?;
    let embed = x.c.on("embed-certs");
    let cert = x.given("client-certificate");
    let key = x.given("client-key");
    if embed && cert.is_none() && key.is_none() {
        return Err(
            "error: you must specify a --client-certificate or --client-key to embed".into(),
        );
    }
    let token = x.given("token");
    let basic = x.given("username").is_some() || x.given("password").is_some();
    if token.is_some_and(|t| !t.is_empty()) && basic {
        return Err("error: you cannot specify more than one authentication method at the same time: --token, --username/--password".into());
    }
    let mut files = Vec::new();
    for (flag, path_key, data_key) in [
        (
            "client-certificate",
            "client-certificate",
            "client-certificate-data",
        ),
        ("client-key", "client-key", "client-key-data"),
    ] {
        if let Some(p) = x.given(flag) {
            let value = if embed {
                Some(embedded(flag, p)?)
            } else {
                None
            };
            files.push((path_key, data_key, p, value));
        }
    }
    let fields = kc.users.entry(name.to_string()).or_default();
    for (path_key, data_key, p, data) in files {
        match data {
            Some(d) => {
                fields.insert(data_key.into(), json!(d));
                fields.remove(path_key);
            }
            None => {
                put(fields, path_key, json!(stored_path(p, x.file)));
                if !p.is_empty() {
                    fields.remove(data_key);
                }
            }
        }
    }
    if let Some(t) = token {
        put(fields, "token", json!(t));
        if !t.is_empty() {
            fields.remove("username");
            fields.remove("password");
        }
    }
    for k in ["username", "password"] {
        if let Some(v) = x.given(k) {
            put(fields, k, json!(v));
            if !v.is_empty() {
                fields.remove("token");
            }
        }
    }
    if let Some(p) = x.given("auth-provider") {
        let mut provider = json!({"name": p});
        let mut config = Map::new();
        for a in x.c.values.iter().filter(|(k, _)| k == "auth-provider-arg") {
            if let Some((k, v)) = a.1.split_once('=') {
                config.insert(k.into(), json!(v));
            }
        }
        if !config.is_empty() {
            provider["config"] = Value::Object(config);
        }
        fields.insert("auth-provider".into(), provider);
    }
    if let Some(cmd) = x.given("exec-command") {
        let mut exec = Map::new();
        exec.insert("command".into(), json!(cmd));
        let args: Vec<&str> =
            x.c.values
                .iter()
                .filter(|(k, _)| k == "exec-arg")
                .map(|(_, v)| v.as_str())
                .collect();
        if !args.is_empty() {
            exec.insert("args".into(), json!(args));
        }
        let env: Vec<Value> =
            x.c.values
                .iter()
                .filter(|(k, _)| k == "exec-env")
                .filter_map(|(_, v)| v.split_once('='))
                .map(|(k, v)| json!({"name": k, "value": v}))
                .collect();
        if !env.is_empty() {
            exec.insert("env".into(), json!(env));
        }
        exec.insert(
            "apiVersion".into(),
            json!(
                x.given("exec-api-version")
                    .unwrap_or("client.authentication.k8s.io/v1beta1")
            ),
        );
        exec.insert("provideClusterInfo".into(), json!(false));
        exec.insert("interactiveMode".into(), json!("IfAvailable"));
        fields.insert("exec".into(), Value::Object(exec));
    }
    Ok(Done::changed(format!("User {name:?} set.\n")))
}

fn set_context(x: &Ctx, kc: &mut Kubeconfig) -> Result<Done, String> {
    let current = x.c.on("current");
    let name = match (x.c.args.as_slice(), current) {
        ([], true) => {
            if kc.current.is_empty() {
                return Err("error: no current context is set".into());
            }
            kc.current.clone()
        }
        ([n], false) if !n.is_empty() => n.clone(),
        ([_], true) => {
            return Err("error: you cannot specify both a context name and --current".into());
        }
        ([], false) => {
            return Err("error: you must specify a non-empty context name or --current".into());
        }
        (a, _) => return Err(unexpected(a, false)),
    };
    let existed = kc.contexts.contains_key(&name);
    let fields = kc.contexts.entry(name.clone()).or_default();
    for (flag, key) in [
        ("cluster", "cluster"),
        ("user", "user"),
        ("namespace", "namespace"),
    ] {
        if let Some(v) = x.given(flag) {
            put(fields, key, json!(v));
        }
    }
    let how = if existed { "modified" } else { "created" };
    Ok(Done::changed(format!("Context {name:?} {how}.\n")))
}

fn use_context(x: &Ctx, kc: &mut Kubeconfig) -> Result<Done, String> {
    let name = x.one_name(false)?;
    if !kc.contexts.contains_key(name) {
        return Err(format!("error: no context exists with the name: {name:?}"));
    }
    kc.current = name.to_string();
    Ok(Done::changed(format!("Switched to context {name:?}.\n")))
}

fn delete(x: &Ctx, kc: &mut Kubeconfig, section: Section) -> Result<Done, String> {
    let what = match section {
        Section::Clusters => "cluster",
        Section::Users => "user",
        Section::Contexts => "context",
    };
    let name = match x.c.args.as_slice() {
        [n, ..] => n.as_str(),
        [] => {
            return Err(format!(
                "error: {what} to delete is required\nSee 'kubectl config delete-{what} -h' for help and examples"
            ));
        }
    };
    if kc.entries_mut(section).remove(name).is_none() {
        return Err(format!(
            "error: cannot delete {what} {name}, not in {}",
            x.shown
        ));
    }
    let mut done = Done::changed(format!("deleted {what} {name} from {}\n", x.shown));
    if section == Section::Contexts && kc.current == name {
        done.warning = "warning: this removed your active context, use \"kubectl config use-context\" to select a different one\n".into();
    }
    Ok(done)
}

fn rename_context(x: &Ctx, kc: &mut Kubeconfig) -> Result<Done, String> {
    let [old, new] = x.c.args.as_slice() else {
        return Err(unexpected(&x.c.args, false));
    };
    let Some(ctx) = kc.contexts.get(old).cloned() else {
        return Err(format!(
            "error: cannot rename the context {old:?}, it's not in {}",
            x.shown
        ));
    };
    if kc.contexts.contains_key(new) {
        return Err(format!(
            "error: cannot rename the context {old:?}, the context {new:?} already exists in {}",
            x.shown
        ));
    }
    kc.contexts.remove(old);
    kc.contexts.insert(new.clone(), ctx);
    if kc.current == *old {
        kc.current = new.clone();
    }
    Ok(Done::changed(format!(
        "Context {old:?} renamed to {new:?}.\n"
    )))
}

/// `config set|unset PROPERTY [VALUE]`: a dotted path through the config's fields and the
/// entries' names.
fn set_property(x: &Ctx, kc: &mut Kubeconfig, unset: bool) -> Result<Done, String> {
    let (path, value) = match (x.c.args.as_slice(), unset) {
        ([p], true) => (p.as_str(), None),
        ([p, v], false) => (p.as_str(), Some(v.as_str())),
        (a, _) => return Err(unexpected(a, false)),
    };
    let parts: Vec<&str> = path.split('.').collect();
    let verb = if unset { "unset" } else { "set" };
    let done = Done::changed(format!("Property {path:?} {verb}.\n"));
    match parts.as_slice() {
        ["current-context"] => {
            kc.current = value.unwrap_or_default().to_string();
            return Ok(done);
        }
        [section, rest @ ..] => {
            let Some(section) = Section::ALL.into_iter().find(|s| s.key() == *section) else {
                return Err(format!(
                    "error: unable to parse {path} after [] at api.Config"
                ));
            };
            match rest {
                [] if unset => {
                    kc.entries_mut(section).clear();
                    return Ok(done);
                }
                [] => return Err("error: can't set a map to a value".into()),
                [name] if unset => {
                    kc.entries_mut(section).remove(*name);
                    return Ok(done);
                }
                [_] => return Err("error: can't set a map to a value".into()),
                [name, field] => {
                    if !section.fields().iter().any(|(f, _)| f == field) {
                        return Err(format!(
                            "error: unable to parse one or more field values of {path}"
                        ));
                    }
                    let Some(v) = value else {
                        if let Some(e) = kc.entries_mut(section).get_mut(*name) {
                            e.remove(*field);
                        }
                        return Ok(done);
                    };
                    let v = if BOOLS.contains(field) {
                        json!(parse_bool(v)?)
                    } else if BYTES.contains(field) {
                        let engine = base64::engine::general_purpose::STANDARD;
                        if x.c.on("set-raw-bytes") {
                            json!(engine.encode(v))
                        } else {
                            engine.decode(v).map_err(|e| {
                                format!(
                                    "error: error decoding input value: {}",
                                    go_base64_error(&e)
                                )
                            })?;
                            json!(v)
                        }
                    } else if matches!(
                        *field,
                        "as-groups" | "extensions" | "as-user-extra" | "auth-provider" | "exec"
                    ) {
                        return Err(format!("error: unable to set {path}: not a string field"));
                    } else {
                        json!(v)
                    };
                    put(
                        kc.entries_mut(section)
                            .entry((*name).to_string())
                            .or_default(),
                        field,
                        v,
                    );
                    return Ok(done);
                }
                _ => {}
            }
        }
        [] => {}
    }
    Err(format!(
        "error: unable to parse {path} after [] at api.Config"
    ))
}

fn parse_bool(v: &str) -> Result<bool, String> {
    match v {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(false),
        _ => Err(format!(
            "error: strconv.ParseBool: parsing {v:?}: invalid syntax"
        )),
    }
}

fn go_base64_error(e: &base64::DecodeError) -> String {
    match e {
        base64::DecodeError::InvalidByte(at, _) | base64::DecodeError::InvalidLastSymbol(at, _) => {
            format!("illegal base64 data at input byte {at}")
        }
        base64::DecodeError::InvalidLength(at) => format!("illegal base64 data at input byte {at}"),
        base64::DecodeError::InvalidPadding => "illegal base64 data at input byte 0".into(),
    }
}

fn names_table(header: &str, names: impl Iterator<Item = String>) -> String {
    let mut s = format!("{header}\n");
    for n in names {
        s.push_str(&n);
        s.push('\n');
    }
    s
}

fn get_contexts(x: &Ctx, kc: &Kubeconfig) -> Result<Done, String> {
    let output = x.given("output").unwrap_or("");
    if !matches!(output, "" | "name") {
        return Err(format!(
            "error: --output {output} is not available in kubectl config get-contexts; resetting to default output format"
        ));
    }
    let mut missing = Vec::new();
    let names: Vec<&String> = if x.c.args.is_empty() {
        kc.contexts.keys().collect()
    } else {
        let mut wanted: Vec<&String> = Vec::new();
        for a in &x.c.args {
            match kc.contexts.get_key_value(a) {
                Some((k, _)) => wanted.push(k),
                None => missing.push(a.clone()),
            }
        }
        wanted.sort();
        wanted
    };
    let mut text = String::new();
    if output == "name" {
        for n in &names {
            text.push_str(n);
            text.push('\n');
        }
    } else {
        let mut rows = String::new();
        if !x.c.on("no-headers") {
            rows.push_str("CURRENT\tNAME\tCLUSTER\tAUTHINFO\tNAMESPACE\n");
        }
        for n in &names {
            let c = &kc.contexts[*n];
            let f = |k: &str| {
                c.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            let star = if **n == kc.current { "*" } else { "" };
            rows.push_str(&format!(
                "{star}\t{n}\t{}\t{}\t{}\n",
                f("cluster"),
                f("user"),
                f("namespace")
            ));
        }
        text = crate::tabwriter::tabwrite(&rows, 6, 3);
    }
    if let Some(m) = missing.first() {
        return Err(format!("{text}\u{0}error: context {m} not found"));
    }
    Ok(Done::printed(text))
}

fn view(x: &Ctx, kc: &Kubeconfig) -> Result<Done, String> {
    let format = printer::parse(
        Some(x.given("output").unwrap_or("yaml")),
        x.given("template"),
        printer::CHANGE_FORMATS,
    )?;
    let mut shown = if x.c.on("minify") {
        kc.minified(x.context)?
    } else {
        kc.clone()
    };
    if x.c.on("flatten") {
        let base = x.file.parent().unwrap_or(Path::new(""));
        shown = shown.flattened(base)?;
    } else if !x.c.on("raw") {
        shown = shown.shortened();
    }
    let v = shown.to_v1();
    let text = match format {
        Format::Name => "config/<unknown>\n".to_string(),
        f => printer::generated(&f, "", &v, "")?,
    };
    Ok(Done::printed(text))
}

/// Runs `kubectl config ...` on `file` (named `shown` in messages); `context` is the
/// global `--context`.
pub fn run(c: &ConfigCmd, file: &Path, shown: &str, context: Option<&str>, out: &mut Out) -> i32 {
    let x = Ctx {
        c,
        file,
        shown,
        context,
    };
    let mut kc = match Kubeconfig::load(file, shown) {
        Ok(k) => k,
        Err(e) => {
            out.eprint(&format!("{e}\n"));
            return 1;
        }
    };
    let result = match c.action.as_str() {
        "view" => view(&x, &kc),
        "current-context" => match kc.current.as_str() {
            "" => Err("error: current-context is not set".into()),
            cur => Ok(Done::printed(format!("{cur}\n"))),
        },
        "get-contexts" => get_contexts(&x, &kc),
        "get-clusters" => Ok(Done::printed(names_table(
            "NAME",
            kc.clusters.keys().cloned(),
        ))),
        "get-users" => Ok(Done::printed(names_table("NAME", kc.users.keys().cloned()))),
        "use-context" | "use" => use_context(&x, &mut kc),
        "set-cluster" => set_cluster(&x, &mut kc),
        "set-credentials" => set_credentials(&x, &mut kc),
        "set-context" => set_context(&x, &mut kc),
        "delete-context" => delete(&x, &mut kc, Section::Contexts),
        "delete-cluster" => delete(&x, &mut kc, Section::Clusters),
        "delete-user" => delete(&x, &mut kc, Section::Users),
        "rename-context" => rename_context(&x, &mut kc),
        "set" => set_property(&x, &mut kc, false),
        "unset" => set_property(&x, &mut kc, true),
        other => Err(format!(
            "error: unknown command \"{other}\" for \"kubectl config\""
        )),
    };
    match result {
        Ok(done) => {
            if done.changed
                && let Err(e) = kc.save(file, shown)
            {
                out.eprint(&format!("{e}\n"));
                return 1;
            }
            out.eprint(&done.warning);
            out.print(&done.message);
            0
        }
        Err(e) => {
            // Output printed before the error (get-contexts' table) comes first.
            let (printed, e) = e.split_once('\u{0}').unwrap_or(("", &e));
            out.print(printed);
            out.eprint(&format!("{e}\n"));
            1
        }
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
