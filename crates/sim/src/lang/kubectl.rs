//! kubectl command lines: the command kubectl would run and whether it changes the cluster.
//! The language knows kubectl's commands (its global flags, its verbs and their groups), so
//! a read-only console refuses kubectl's changes the way it refuses docker's, and the
//! `:` line, macros and `ctl` take kubectl lines where they take docker's. Running them is
//! the Kubernetes control plane's part.

use super::flags::ParseError;

/// A kubectl command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KubectlCmd {
    /// The command: `get`, `rollout undo`, `auth can-i`, ...
    pub command: String,
    /// Every word after `kubectl`, as typed.
    pub args: Vec<String>,
    /// The global flags.
    pub globals: Globals,
    /// The command with its own flags and arguments, for the commands opsconsole runs.
    pub verb: Verb,
}

/// The flags every kubectl command takes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Globals {
    pub namespace: Option<String>,
    pub context: Option<String>,
    pub kubeconfig: Option<String>,
    pub as_user: Option<String>,
    pub as_groups: Vec<String>,
    pub verbosity: Option<String>,
}

/// A command with its flags parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verb {
    Get(Get),
    Version(Version),
    Delete(Delete),
    Scale(Scale),
    /// `kubectl label` (`annotations: false`) and `kubectl annotate` (`true`).
    Label(Label),
    /// `kubectl create KIND NAME ...` (a generator) or `kubectl create -f FILE`.
    Create(Create),
    /// `kubectl apply -f FILE|DIR|-`.
    Apply(Apply),
    /// A command opsconsole does not run yet (its words are in [`KubectlCmd::args`]).
    Other,
}

/// `kubectl get`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Get {
    /// `TYPE[,TYPE...] [NAME...]` or `TYPE/NAME...`.
    pub args: Vec<String>,
    pub output: Option<String>,
    pub selector: Option<String>,
    pub field_selector: Option<String>,
    pub all_namespaces: bool,
    pub show_labels: bool,
    pub show_kind: bool,
    pub no_headers: bool,
    pub ignore_not_found: bool,
    pub watch: bool,
    pub sort_by: Option<String>,
    pub label_columns: Vec<String>,
    pub chunk_size: Option<String>,
    pub template: Option<String>,
    pub watch_only: bool,
}

/// Which objects a command acts on: `TYPE NAME...`, `TYPE/NAME...`, or a type with `-l` or
/// `--all`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Targets {
    pub args: Vec<String>,
    pub selector: Option<String>,
    pub field_selector: Option<String>,
    pub all: bool,
    pub all_namespaces: bool,
    pub filenames: Vec<String>,
    pub recursive: bool,
}

impl Targets {
    fn from(p: &Parsed, args: Vec<String>) -> Targets {
        Targets {
            args,
            selector: p.last("selector"),
            field_selector: p.last("field-selector"),
            all: p.on("all"),
            all_namespaces: p.on("all-namespaces"),
            filenames: p.all("filename"),
            recursive: p.on("recursive"),
        }
    }
}

/// `kubectl apply`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Apply {
    pub filenames: Vec<String>,
    pub recursive: bool,
    pub kustomize: Option<String>,
    pub output: Option<String>,
    pub dry_run: Option<String>,
    /// `--validate`: `strict` (also `true`, the default), `warn`, `ignore` (also `false`).
    pub validate: Option<String>,
    pub server_side: bool,
    pub force_conflicts: bool,
    pub field_manager: Option<String>,
    pub overwrite: bool,
    pub record: bool,
    pub selector: Option<String>,
    pub prune: bool,
}

/// `kubectl delete`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Delete {
    pub targets: Targets,
    pub cascade: Option<String>,
    pub grace_period: Option<String>,
    pub force: bool,
    pub now: bool,
    pub wait: bool,
    pub timeout: Option<String>,
    pub ignore_not_found: bool,
    pub output: Option<String>,
}

/// `kubectl scale`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scale {
    pub targets: Targets,
    pub replicas: Option<String>,
    pub current_replicas: Option<String>,
    pub resource_version: Option<String>,
    pub timeout: Option<String>,
    pub output: Option<String>,
}

/// `kubectl label` and `kubectl annotate`: the objects, then `KEY=VALUE` and `KEY-` words.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Label {
    pub annotations: bool,
    pub targets: Targets,
    pub overwrite: bool,
    pub list: bool,
    pub resource_version: Option<String>,
    pub output: Option<String>,
}

/// `kubectl create`: a generator (`namespace`, `deployment`, ...) and its flags.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Create {
    /// The generator by its command name (`namespace`, `deployment`, `secret generic`), or
    /// empty for `create -f`.
    pub what: String,
    /// Its arguments (the name).
    pub args: Vec<String>,
    /// The words after `--` (a deployment's command).
    pub command: Vec<String>,
    pub filenames: Vec<String>,
    pub images: Vec<String>,
    pub replicas: Option<String>,
    pub port: Option<String>,
    pub from_literal: Vec<String>,
    pub from_file: Vec<String>,
    pub from_env_file: Vec<String>,
    pub secret_type: Option<String>,
    pub output: Option<String>,
    pub dry_run: Option<String>,
    pub recursive: bool,
    pub validate: Option<String>,
    pub save_config: bool,
    pub record: bool,
    pub field_manager: Option<String>,
    /// Every flag given, by long name, in order (the generators' own flags: `--verb`,
    /// `--role`, `--schedule`, ...).
    pub values: Vec<(String, String)>,
}

impl Create {
    /// The values of one of the generator's flags.
    pub fn all(&self, long: &str) -> Vec<String> {
        self.values
            .iter()
            .filter(|(k, _)| k == long)
            .map(|(_, v)| v.clone())
            .collect()
    }
    /// The last value of one of the generator's flags.
    pub fn last(&self, long: &str) -> Option<String> {
        self.all(long).pop()
    }
}

/// `kubectl version`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Version {
    pub client: bool,
    pub output: Option<String>,
}

/// One flag: its long name, its shorthand, whether it takes a value, and whether pflag
/// reads that value as an integer.
struct Spec {
    long: &'static str,
    short: Option<char>,
    value: bool,
    int: bool,
}

const fn flag(long: &'static str, short: Option<char>, value: bool) -> Spec {
    Spec {
        long,
        short,
        value,
        int: false,
    }
}

/// A flag whose value pflag parses as an integer (a value that is not one fails the parse).
const fn int(long: &'static str, short: Option<char>) -> Spec {
    Spec {
        long,
        short,
        value: true,
        int: true,
    }
}

/// The global flags, as pflag knows them.
const GLOBAL_SPECS: &[Spec] = &[
    flag("namespace", Some('n'), true),
    flag("context", None, true),
    flag("kubeconfig", None, true),
    flag("cluster", None, true),
    flag("user", None, true),
    flag("server", Some('s'), true),
    flag("token", None, true),
    flag("as", None, true),
    flag("as-group", None, true),
    flag("as-uid", None, true),
    flag("request-timeout", None, true),
    flag("certificate-authority", None, true),
    flag("client-certificate", None, true),
    flag("client-key", None, true),
    flag("tls-server-name", None, true),
    flag("insecure-skip-tls-verify", None, false),
    flag("v", Some('v'), true),
    flag("cache-dir", None, true),
    flag("profile", None, true),
    flag("profile-output", None, true),
    flag("match-server-version", None, false),
    flag("warnings-as-errors", None, false),
    flag("disable-compression", None, false),
];

const GET_SPECS: &[Spec] = &[
    flag("output", Some('o'), true),
    flag("selector", Some('l'), true),
    flag("field-selector", None, true),
    flag("all-namespaces", Some('A'), false),
    flag("show-labels", None, false),
    flag("show-kind", None, false),
    flag("no-headers", None, false),
    flag("ignore-not-found", None, false),
    flag("watch", Some('w'), false),
    flag("watch-only", None, false),
    flag("sort-by", None, true),
    flag("label-columns", Some('L'), true),
    int("chunk-size", None),
    flag("filename", Some('f'), true),
    flag("recursive", Some('R'), false),
    flag("raw", None, true),
    flag("subresource", None, true),
    flag("output-watch-events", None, false),
    flag("server-print", None, false),
    flag("show-managed-fields", None, false),
    flag("allow-missing-template-keys", None, false),
    flag("template", None, true),
];

const VERSION_SPECS: &[Spec] = &[flag("client", None, false), flag("output", Some('o'), true)];

/// The flags of commands that act on objects: which objects.
const TARGET_SPECS: &[Spec] = &[
    flag("filename", Some('f'), true),
    flag("recursive", Some('R'), false),
    flag("kustomize", Some('k'), true),
    flag("selector", Some('l'), true),
    flag("field-selector", None, true),
    flag("all", None, false),
    flag("all-namespaces", Some('A'), false),
];

/// The flags of commands that print the objects they change.
const PRINT_SPECS: &[Spec] = &[
    flag("output", Some('o'), true),
    flag("dry-run", None, true),
    flag("show-managed-fields", None, false),
    flag("allow-missing-template-keys", None, false),
    flag("template", None, true),
];

const DELETE_SPECS: &[Spec] = &[
    flag("cascade", None, true),
    int("grace-period", None),
    flag("force", None, false),
    flag("now", None, false),
    flag("wait", None, false),
    flag("timeout", None, true),
    flag("ignore-not-found", None, false),
    flag("raw", None, true),
    flag("interactive", Some('i'), false),
];

const SCALE_SPECS: &[Spec] = &[
    int("replicas", None),
    int("current-replicas", None),
    flag("resource-version", None, true),
    flag("timeout", None, true),
];

const LABEL_SPECS: &[Spec] = &[
    flag("overwrite", None, false),
    flag("list", None, false),
    flag("local", None, false),
    flag("resource-version", None, true),
    flag("field-manager", None, true),
];

/// `kubectl create -f`.
const CREATE_SPECS: &[Spec] = &[
    flag("filename", Some('f'), true),
    flag("recursive", Some('R'), false),
    flag("kustomize", Some('k'), true),
    flag("edit", None, false),
    flag("raw", None, true),
    flag("selector", Some('l'), true),
    flag("windows-line-endings", None, false),
    flag("record", None, false),
];

/// What every generator of `kubectl create` takes.
const GENERATOR_SPECS: &[Spec] = &[
    flag("save-config", None, false),
    flag("validate", None, true),
    flag("field-manager", None, true),
];

const FROM_SPECS: &[Spec] = &[
    flag("from-literal", None, true),
    flag("from-file", None, true),
    flag("from-env-file", None, true),
    flag("append-hash", None, false),
];

const DEPLOYMENT_SPECS: &[Spec] = &[
    flag("image", None, true),
    int("replicas", Some('r')),
    int("port", None),
];

const SECRET_GENERIC_SPECS: &[Spec] = &[
    flag("from-literal", None, true),
    flag("from-file", None, true),
    flag("from-env-file", None, true),
    flag("append-hash", None, false),
    flag("type", None, true),
];

const SECRET_DOCKER_SPECS: &[Spec] = &[
    flag("docker-server", None, true),
    flag("docker-username", None, true),
    flag("docker-password", None, true),
    flag("docker-email", None, true),
    flag("from-file", None, true),
    flag("append-hash", None, false),
];

const SECRET_TLS_SPECS: &[Spec] = &[
    flag("cert", None, true),
    flag("key", None, true),
    flag("append-hash", None, false),
];

const ROLE_SPECS: &[Spec] = &[
    flag("verb", None, true),
    flag("resource", None, true),
    flag("resource-name", None, true),
];

const CLUSTERROLE_SPECS: &[Spec] = &[
    flag("verb", None, true),
    flag("resource", None, true),
    flag("resource-name", None, true),
    flag("non-resource-url", None, true),
    flag("aggregation-rule", None, true),
];

const BINDING_SPECS: &[Spec] = &[
    flag("role", None, true),
    flag("clusterrole", None, true),
    flag("user", None, true),
    flag("group", None, true),
    flag("serviceaccount", None, true),
];

const JOB_SPECS: &[Spec] = &[flag("image", None, true), flag("from", None, true)];

const CRONJOB_SPECS: &[Spec] = &[
    flag("image", None, true),
    flag("schedule", None, true),
    flag("restart", None, true),
];

const SERVICE_SPECS: &[Spec] = &[
    flag("tcp", None, true),
    flag("clusterip", None, true),
    int("node-port", None),
    flag("external-name", None, true),
];

const TOKEN_SPECS: &[Spec] = &[
    flag("duration", None, true),
    flag("audience", None, true),
    flag("bound-object-kind", None, true),
    flag("bound-object-name", None, true),
    flag("bound-object-uid", None, true),
];

/// The generators of `kubectl create`: each name kubectl takes for it (the first is its
/// command name), then its own flags.
const GENERATORS: &[(&[&str], &[Spec])] = &[
    (&["namespace", "ns"], &[]),
    (&["deployment", "deploy"], DEPLOYMENT_SPECS),
    (&["serviceaccount", "sa"], &[]),
    (&["configmap", "cm"], FROM_SPECS),
    (&["secret generic"], SECRET_GENERIC_SPECS),
    (&["secret docker-registry"], SECRET_DOCKER_SPECS),
    (&["secret tls"], SECRET_TLS_SPECS),
    (&["role"], ROLE_SPECS),
    (&["clusterrole"], CLUSTERROLE_SPECS),
    (&["rolebinding"], BINDING_SPECS),
    (&["clusterrolebinding"], BINDING_SPECS),
    (&["job"], JOB_SPECS),
    (&["cronjob", "cj"], CRONJOB_SPECS),
    (&["service clusterip"], SERVICE_SPECS),
    (&["service nodeport"], SERVICE_SPECS),
    (&["service loadbalancer"], SERVICE_SPECS),
    (&["service externalname"], SERVICE_SPECS),
    (&["token"], TOKEN_SPECS),
];

/// The command name of the generator `words` start with (`create deploy` → `deployment`),
/// and how many words name it.
fn generator(words: &[&str]) -> Option<(&'static str, usize)> {
    for (names, _) in GENERATORS {
        for n in names.iter() {
            let parts: Vec<&str> = n.split(' ').collect();
            if words.len() >= parts.len() && words[..parts.len()] == parts[..] {
                return Some((names[0], parts.len()));
            }
        }
    }
    None
}

fn create_verb(p: &Parsed, args: Vec<String>) -> Verb {
    let cut = p
        .dash_at
        .map_or(args.len(), |d| d.saturating_sub(p.depth).min(args.len()));
    let (head, command) = (args[..cut].to_vec(), args[cut..].to_vec());
    let what = p
        .command
        .strip_prefix("create")
        .unwrap_or_default()
        .trim()
        .to_string();
    Verb::Create(Create {
        what,
        args: head,
        command,
        filenames: p.all("filename"),
        images: p.all("image"),
        replicas: p.last("replicas"),
        port: p.last("port"),
        from_literal: p.all("from-literal"),
        from_file: p.all("from-file"),
        from_env_file: p.all("from-env-file"),
        secret_type: p.last("type"),
        output: p.last("output"),
        dry_run: p.last("dry-run"),
        recursive: p.on("recursive"),
        validate: p.last("validate"),
        save_config: p.on("save-config"),
        record: p.on("record"),
        field_manager: p.last("field-manager"),
        values: p
            .values
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    })
}

const APPLY_SPECS: &[Spec] = &[
    flag("filename", Some('f'), true),
    flag("recursive", Some('R'), false),
    flag("kustomize", Some('k'), true),
    flag("validate", None, true),
    flag("server-side", None, false),
    flag("force-conflicts", None, false),
    flag("field-manager", None, true),
    flag("overwrite", None, false),
    flag("record", None, false),
    flag("selector", Some('l'), true),
    flag("prune", None, false),
    flag("all", None, false),
    flag("prune-allowlist", None, true),
    flag("force", None, false),
    int("grace-period", None),
    flag("timeout", None, true),
    flag("wait", None, false),
    flag("cascade", None, true),
    flag("openapi-patch", None, false),
];

fn apply_verb(p: &Parsed, _: Vec<String>) -> Verb {
    Verb::Apply(Apply {
        filenames: p.all("filename"),
        recursive: p.on("recursive"),
        kustomize: p.last("kustomize"),
        output: p.last("output"),
        dry_run: p.last("dry-run"),
        validate: p.last("validate"),
        server_side: p.on("server-side"),
        force_conflicts: p.on("force-conflicts"),
        field_manager: p.last("field-manager"),
        // kubectl apply overwrites unless told `--overwrite=false`.
        overwrite: p.last("overwrite").is_none_or(|v| v != "false"),
        record: p.on("record"),
        selector: p.last("selector"),
        prune: p.on("prune"),
    })
}

fn label_verb(p: &Parsed, args: Vec<String>, annotations: bool) -> Verb {
    Verb::Label(Label {
        annotations,
        targets: Targets::from(p, args),
        overwrite: p.on("overwrite"),
        list: p.on("list"),
        resource_version: p.last("resource-version"),
        output: p.last("output"),
    })
}

fn get_verb(p: &Parsed, args: Vec<String>) -> Verb {
    Verb::Get(Get {
        args,
        output: p.last("output"),
        selector: p.last("selector"),
        field_selector: p.last("field-selector"),
        all_namespaces: p.on("all-namespaces"),
        show_labels: p.on("show-labels"),
        show_kind: p.on("show-kind"),
        no_headers: p.on("no-headers"),
        ignore_not_found: p.on("ignore-not-found"),
        watch: p.on("watch"),
        sort_by: p.last("sort-by"),
        label_columns: p.all("label-columns"),
        chunk_size: p.last("chunk-size"),
        template: p.last("template"),
        watch_only: p.on("watch-only"),
    })
}

fn version_verb(p: &Parsed, _: Vec<String>) -> Verb {
    Verb::Version(Version {
        client: p.on("client"),
        output: p.last("output"),
    })
}

fn delete_verb(p: &Parsed, args: Vec<String>) -> Verb {
    Verb::Delete(Delete {
        targets: Targets::from(p, args),
        cascade: p.last("cascade"),
        grace_period: p.last("grace-period"),
        force: p.on("force"),
        now: p.on("now"),
        // kubectl waits unless told `--wait=false`.
        wait: p.last("wait").is_none_or(|v| v != "false"),
        timeout: p.last("timeout"),
        ignore_not_found: p.on("ignore-not-found"),
        output: p.last("output"),
    })
}

fn scale_verb(p: &Parsed, args: Vec<String>) -> Verb {
    Verb::Scale(Scale {
        targets: Targets::from(p, args),
        replicas: p.last("replicas"),
        current_replicas: p.last("current-replicas"),
        resource_version: p.last("resource-version"),
        timeout: p.last("timeout"),
        output: p.last("output"),
    })
}

type Build = fn(&Parsed, Vec<String>) -> Verb;

/// pflag's error for the first integer flag whose value is not an integer.
fn check_ints(p: &Parsed, command: &str) -> Result<(), ParseError> {
    for (long, v) in &p.values {
        let Some((_, short)) = p.ints.iter().find(|(l, _)| l == long) else {
            continue;
        };
        if v.parse::<i64>().is_err() {
            let name = match short {
                Some(c) => format!("-{c}, --{long}"),
                None => format!("--{long}"),
            };
            return Err(usage_error(
                format!(
                    "invalid argument \"{v}\" for \"{name}\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax"
                ),
                command,
            ));
        }
    }
    Ok(())
}

/// The commands opsconsole runs: their own flags and how their typed form is made.
const VERBS: &[(&str, &[&[Spec]], Build)] = &[
    ("get", &[GET_SPECS], get_verb),
    ("version", &[VERSION_SPECS], version_verb),
    (
        "delete",
        &[TARGET_SPECS, PRINT_SPECS, DELETE_SPECS],
        delete_verb,
    ),
    (
        "scale",
        &[TARGET_SPECS, PRINT_SPECS, SCALE_SPECS],
        scale_verb,
    ),
    ("create", &[PRINT_SPECS, CREATE_SPECS], create_verb),
    ("apply", &[PRINT_SPECS, APPLY_SPECS], apply_verb),
    (
        "label",
        &[TARGET_SPECS, PRINT_SPECS, LABEL_SPECS],
        |p, a| label_verb(p, a, false),
    ),
    (
        "annotate",
        &[TARGET_SPECS, PRINT_SPECS, LABEL_SPECS],
        |p, a| label_verb(p, a, true),
    ),
];

/// What pflag made of a command line: each flag's values by long name, and the other words.
#[derive(Default)]
struct Parsed {
    values: Vec<(&'static str, String)>,
    words: Vec<String>,
    /// How many words came before `--`, if it was given.
    dash_at: Option<usize>,
    /// The flags given whose values are integers, with their shorthands.
    ints: Vec<(&'static str, Option<char>)>,
    /// The command (`create deployment`) and how many words name it.
    command: String,
    depth: usize,
}

impl Parsed {
    fn push(&mut self, spec: &Spec, v: String) {
        if spec.int && !self.ints.iter().any(|(l, _)| *l == spec.long) {
            self.ints.push((spec.long, spec.short));
        }
        self.values.push((spec.long, v));
    }
    fn last(&self, long: &str) -> Option<String> {
        self.values
            .iter()
            .rev()
            .find(|(l, _)| *l == long)
            .map(|(_, v)| v.clone())
    }
    fn all(&self, long: &str) -> Vec<String> {
        self.values
            .iter()
            .filter(|(l, _)| *l == long)
            .map(|(_, v)| v.clone())
            .collect()
    }
    fn on(&self, long: &str) -> bool {
        self.last(long).is_some_and(|v| v != "false")
    }
}

/// kubectl's usage hint after a flag error.
fn usage_error(message: String, command: &str) -> ParseError {
    let see = if command.is_empty() {
        "See 'kubectl --help' for usage.".to_string()
    } else {
        format!("See 'kubectl {command} --help' for usage.")
    };
    ParseError::new(format!("error: {message}\n{see}"), 1)
}

/// Parses flags as pflag does (`--flag=v`, `--flag v`, `-fv`, `-f v`, `-abc` for booleans,
/// `--` ending them), against the global flags and the command's own sets.
fn pflags(args: &[String], own: &[&[Spec]], command: &str) -> Result<Parsed, ParseError> {
    let all = || GLOBAL_SPECS.iter().chain(own.iter().flat_map(|s| s.iter()));
    let find_long = |n: &str| all().find(|s| s.long == n);
    let find_short = |c: char| all().find(|s| s.short == Some(c));
    let mut p = Parsed::default();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if a == "--" {
            p.dash_at = Some(p.words.len());
            p.words.extend(args[i..].iter().cloned());
            break;
        }
        if let Some(long) = a.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let Some(spec) = find_long(name) else {
                return Err(usage_error(format!("unknown flag: --{name}"), command));
            };
            let v = match (spec.value, inline) {
                (_, Some(v)) => v,
                (true, None) if i < args.len() => {
                    i += 1;
                    args[i - 1].clone()
                }
                (true, None) => {
                    return Err(usage_error(
                        format!("flag needs an argument: --{name}"),
                        command,
                    ));
                }
                (false, None) => "true".into(),
            };
            p.push(spec, v);
        } else if a.len() > 1 && a.starts_with('-') {
            let chars: Vec<char> = a[1..].chars().collect();
            let mut j = 0;
            while j < chars.len() {
                let c = chars[j];
                let Some(spec) = find_short(c) else {
                    return Err(usage_error(
                        format!("unknown shorthand flag: '{c}' in {a}"),
                        command,
                    ));
                };
                if !spec.value {
                    p.values.push((spec.long, "true".into()));
                    j += 1;
                    continue;
                }
                let rest: String = chars[j + 1..].iter().collect();
                let v = if !rest.is_empty() {
                    rest.strip_prefix('=').unwrap_or(&rest).to_string()
                } else if i < args.len() {
                    i += 1;
                    args[i - 1].clone()
                } else {
                    return Err(usage_error(
                        format!("flag needs an argument: '{c}' in {a}"),
                        command,
                    ));
                };
                p.push(spec, v);
                break;
            }
        } else {
            p.words.push(a.clone());
        }
    }
    Ok(p)
}

fn globals(p: &Parsed) -> Globals {
    Globals {
        namespace: p.last("namespace"),
        context: p.last("context"),
        kubeconfig: p.last("kubeconfig"),
        as_user: p.last("as"),
        as_groups: p.all("as-group"),
        verbosity: p.last("v"),
    }
}

/// The typed command, for the commands opsconsole runs; `Other` for the rest.
fn typed(command: &str, depth: usize, args: &[String]) -> Result<(Globals, Verb), ParseError> {
    let generator = command
        .strip_prefix("create ")
        .and_then(|g| GENERATORS.iter().find(|(n, _)| n[0] == g));
    let (own, build): (Vec<&[Spec]>, Build) = match generator {
        Some((_, specs)) => (vec![PRINT_SPECS, GENERATOR_SPECS, specs], create_verb),
        None => match VERBS.iter().find(|(c, _, _)| *c == command) {
            Some((_, own, build)) => (own.to_vec(), *build),
            None => return Ok((Globals::default(), Verb::Other)),
        },
    };
    let mut p = pflags(args, &own, command)?;
    check_ints(&p, command)?;
    p.command = command.to_string();
    p.depth = depth;
    let rest: Vec<String> = p.words.iter().skip(depth).cloned().collect();
    Ok((globals(&p), build(&p, rest)))
}

/// Global flags that take a value (as a separate word when not written `--flag=value`).
const VALUE_FLAGS: &[&str] = &[
    "-n",
    "--namespace",
    "--context",
    "--kubeconfig",
    "--cluster",
    "--user",
    "-s",
    "--server",
    "--token",
    "--as",
    "--as-group",
    "--as-uid",
    "--request-timeout",
    "--certificate-authority",
    "--client-certificate",
    "--client-key",
    "--tls-server-name",
    "-v",
    "--v",
    "--cache-dir",
    "--profile",
    "--profile-output",
];

/// Commands whose second word names the command.
const GROUPS: &[&str] = &["rollout", "auth", "config", "set", "certificate", "plugin"];

/// Commands that only read (everything else changes the cluster, or a kubeconfig, or runs
/// something in a container).
const READING: &[&str] = &[
    "get",
    "describe",
    "logs",
    "explain",
    "top",
    "api-resources",
    "api-versions",
    "version",
    "cluster-info",
    "diff",
    "events",
    "wait",
    "completion",
    "options",
    "help",
    "rollout status",
    "rollout history",
    "auth can-i",
    "auth whoami",
    "config view",
    "config get-contexts",
    "config get-clusters",
    "config get-users",
    "config current-context",
    "plugin list",
];

/// Every command kubectl 1.32 has.
const COMMANDS: &[&str] = &[
    "create",
    "expose",
    "run",
    "set",
    "explain",
    "get",
    "edit",
    "delete",
    "rollout",
    "scale",
    "autoscale",
    "certificate",
    "cluster-info",
    "top",
    "cordon",
    "uncordon",
    "drain",
    "taint",
    "describe",
    "logs",
    "attach",
    "exec",
    "port-forward",
    "proxy",
    "cp",
    "auth",
    "debug",
    "events",
    "diff",
    "apply",
    "patch",
    "replace",
    "wait",
    "kustomize",
    "label",
    "annotate",
    "completion",
    "alpha",
    "api-resources",
    "api-versions",
    "config",
    "plugin",
    "version",
    "options",
    "help",
];

impl KubectlCmd {
    /// Whether it changes the cluster (or runs something in it); a kiosk refuses these.
    pub fn is_mutating(&self) -> bool {
        !READING.contains(&self.command.as_str())
    }

    /// It runs until interrupted, following the cluster (`get -w`): simulated time runs with
    /// the clock while it does.
    pub fn follows(&self) -> bool {
        match &self.verb {
            Verb::Get(g) => g.watch || g.watch_only,
            _ => false,
        }
    }

    /// It reads manifests from its standard input (`-f -`).
    pub fn reads_stdin(&self) -> bool {
        let files = match &self.verb {
            Verb::Apply(a) => &a.filenames,
            Verb::Create(c) => &c.filenames,
            Verb::Delete(d) => &d.targets.filenames,
            Verb::Scale(s) => &s.targets.filenames,
            Verb::Label(l) => &l.targets.filenames,
            _ => return false,
        };
        files.iter().any(|f| f == "-")
    }
}

/// Parses the words after `kubectl`.
pub fn parse(args: &[String]) -> Result<KubectlCmd, ParseError> {
    let mut words = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let w = args[i].as_str();
        if w.starts_with('-') {
            // A global flag before the command (and its value, if it takes one).
            if VALUE_FLAGS.contains(&w) {
                i += 1;
            }
        } else {
            words.push(w);
            if words.len() == 2 || !GROUPS.contains(&words[0]) {
                break;
            }
        }
        i += 1;
    }
    let Some(first) = words.first() else {
        return Err(ParseError::new(
            "kubectl controls the Kubernetes cluster manager.\n\nUse \"kubectl <command> --help\" for more information about a given command.",
            0,
        ));
    };
    if !COMMANDS.contains(first) {
        return Err(ParseError::new(
            format!("error: unknown command \"{first}\" for \"kubectl\""),
            1,
        ));
    }
    // `create` names a generator with its next word(s) (`create deploy`, `create secret
    // generic`), or reads files (`create -f`).
    let mut depth = words.len();
    let mut command = words.join(" ");
    if words[0] == "create" {
        let rest: Vec<&str> = args
            .iter()
            .skip_while(|a| a.as_str() != "create")
            .skip(1)
            .filter(|a| !a.starts_with('-'))
            .map(String::as_str)
            .collect();
        if let Some((name, n)) = generator(&rest) {
            command = format!("create {name}");
            depth = 1 + n;
        }
    }
    let (globals, verb) = typed(&command, depth, args)?;
    Ok(KubectlCmd {
        command,
        args: args.to_vec(),
        globals,
        verb,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(line: &str) -> Result<KubectlCmd, ParseError> {
        let words: Vec<String> = line.split_whitespace().map(str::to_string).collect();
        parse(&words)
    }

    #[test]
    fn finds_the_command_past_global_flags() {
        let c = cmd("-n kube-system --context=prod get pods -o wide").unwrap();
        assert_eq!(c.command, "get");
        assert!(!c.is_mutating());
        let c = cmd("--namespace default rollout undo deploy/web --to-revision=2").unwrap();
        assert_eq!(c.command, "rollout undo");
        assert!(c.is_mutating());
        assert!(!cmd("rollout history deploy/web").unwrap().is_mutating());
        assert!(
            !cmd("auth can-i list pods --as aliang")
                .unwrap()
                .is_mutating()
        );
        assert!(cmd("config use-context other").unwrap().is_mutating());
        for changes in [
            "apply -f -",
            "scale deploy/web --replicas=3",
            "set image deploy/web nginx=nginx:1.9.1",
            "delete pod web-0",
            "exec web-0 -- ls",
            "drain node1",
            "label node node1 disk=ssd",
        ] {
            assert!(cmd(changes).unwrap().is_mutating(), "{changes}");
        }
    }

    #[test]
    fn unknown_commands_are_kubectls_error() {
        let e = cmd("frobnicate pods").unwrap_err();
        assert_eq!(
            (e.message.as_str(), e.exit),
            ("error: unknown command \"frobnicate\" for \"kubectl\"", 1)
        );
        assert_eq!(cmd("-n x").unwrap_err().exit, 0, "no command: the usage");
    }

    #[test]
    fn get_is_parsed_as_pflag_parses_it() {
        let c = cmd("-n kube-system get pods,svc web -owide -l app=web --show-labels -Aw").unwrap();
        assert_eq!(c.globals.namespace.as_deref(), Some("kube-system"));
        let Verb::Get(g) = c.verb else {
            panic!("{:?}", c.verb)
        };
        assert_eq!(g.args, ["pods,svc", "web"]);
        assert_eq!(g.output.as_deref(), Some("wide"));
        assert_eq!(g.selector.as_deref(), Some("app=web"));
        assert!(g.show_labels && g.all_namespaces && g.watch);
        let Verb::Get(g) = cmd("get deploy --output=name --namespace=x -- -weird")
            .unwrap()
            .verb
        else {
            panic!()
        };
        assert_eq!(
            (g.args.as_slice(), g.output.as_deref()),
            (
                &["deploy".to_string(), "-weird".to_string()][..],
                Some("name")
            )
        );
        let e = cmd("get pods --frob").unwrap_err();
        assert_eq!(
            (e.message.as_str(), e.exit),
            (
                "error: unknown flag: --frob\nSee 'kubectl get --help' for usage.",
                1
            )
        );
        let e = cmd("get pods -o").unwrap_err();
        assert_eq!(
            e.message,
            "error: flag needs an argument: 'o' in -o\nSee 'kubectl get --help' for usage."
        );
        assert_eq!(cmd("rollout undo deploy/x").unwrap().verb, Verb::Other);
    }

    #[test]
    fn delete_and_scale_are_typed() {
        let Verb::Delete(d) = cmd("delete deploy/web --cascade=orphan --wait=false -l x=y")
            .unwrap()
            .verb
        else {
            panic!()
        };
        assert_eq!(d.targets.args, ["deploy/web"]);
        assert_eq!(d.cascade.as_deref(), Some("orphan"));
        assert_eq!(d.targets.selector.as_deref(), Some("x=y"));
        assert!(!d.wait);
        let Verb::Delete(d) = cmd("delete pod a b --now").unwrap().verb else {
            panic!()
        };
        assert!(d.wait && d.now);
        let Verb::Scale(s) = cmd("scale --replicas 3 deploy web --current-replicas=2")
            .unwrap()
            .verb
        else {
            panic!()
        };
        assert_eq!(s.targets.args, ["deploy", "web"]);
        assert_eq!(
            (s.replicas.as_deref(), s.current_replicas.as_deref()),
            (Some("3"), Some("2"))
        );
        let e = cmd("scale deploy web --replicas=x").unwrap_err();
        assert_eq!(
            e.message,
            "error: invalid argument \"x\" for \"--replicas\" flag: strconv.ParseInt: parsing \"x\": invalid syntax\nSee 'kubectl scale --help' for usage."
        );
    }

    proptest::proptest! {
        #[test]
        fn no_command_line_panics(words in proptest::collection::vec(
            proptest::sample::select(vec![
                "get", "pods", "-n", "--namespace", "-o", "-owide", "--output=json", "-A", "-Aw",
                "-l", "--", "-", "--=", "-=", "-o=", "version", "--client", "rollout", "status",
                "x/y", ",", "--show-labels=false", "-x", "--kubeconfig", "delete", "scale",
                "--replicas", "--replicas=x", "--grace-period=-1", "--cascade", "--all",
            ]),
            0..8,
        )) {
            let words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
            let _ = parse(&words);
        }
    }
}
