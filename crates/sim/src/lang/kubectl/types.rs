//! The typed kubectl commands: what the parser makes of a command line, for the commands
//! opsconsole runs.

use super::pflag::Parsed;

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
    SetImage(SetImage),
    Patch(Patch),
    Rollout(Rollout),
    Describe(Describe),
    Logs(Logs),
    /// `kubectl exec` and `kubectl attach`.
    Exec(Exec),
    Run(Run),
    /// `kubectl cordon|uncordon|drain`.
    Node(NodeCmd),
    Taint(Taint),
    ApiResources(ApiResources),
    Config(Config),
    /// A command opsconsole does not run yet (its words are in [`KubectlCmd::args`]).
    Other,
}

impl Verb {
    /// The command's `--dry-run` value, for those that take one.
    pub fn dry_run_mut(&mut self) -> Option<&mut Option<String>> {
        match self {
            Verb::Apply(x) => Some(&mut x.dry_run),
            Verb::Create(x) => Some(&mut x.dry_run),
            Verb::SetImage(x) => Some(&mut x.dry_run),
            Verb::Patch(x) => Some(&mut x.dry_run),
            Verb::Rollout(x) => Some(&mut x.dry_run),
            Verb::Run(x) => Some(&mut x.dry_run),
            Verb::Node(x) => Some(&mut x.dry_run),
            Verb::Taint(x) => Some(&mut x.dry_run),
            _ => None,
        }
    }
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
    pub(super) fn from(p: &Parsed, args: Vec<String>) -> Targets {
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

/// `kubectl version`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Version {
    pub client: bool,
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

/// `kubectl set image`: the objects, then `CONTAINER=IMAGE` pairs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SetImage {
    pub targets: Targets,
    pub images: Vec<(String, String)>,
    pub output: Option<String>,
    pub dry_run: Option<String>,
    pub local: bool,
    pub record: bool,
    pub field_manager: Option<String>,
}

/// `kubectl patch (-f FILE | TYPE NAME) -p PATCH [--type strategic|merge|json]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Patch {
    pub targets: Targets,
    /// The patch itself, JSON or YAML (`-p`).
    pub patch: Option<String>,
    pub patch_file: Option<String>,
    /// `strategic` (the default), `merge` or `json`.
    pub kind: Option<String>,
    pub output: Option<String>,
    pub dry_run: Option<String>,
    pub local: bool,
    pub subresource: Option<String>,
    pub field_manager: Option<String>,
}

/// What `kubectl rollout` does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RolloutAction {
    #[default]
    Status,
    History,
    Undo,
    Pause,
    Resume,
    Restart,
}

/// `kubectl rollout status|history|undo|pause|resume|restart`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rollout {
    pub action: RolloutAction,
    pub targets: Targets,
    pub revision: Option<String>,
    pub to_revision: Option<String>,
    pub timeout: Option<String>,
    /// `status --watch` (the default).
    pub watch: bool,
    pub output: Option<String>,
    pub dry_run: Option<String>,
    pub field_manager: Option<String>,
}

/// `kubectl describe`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Describe {
    pub targets: Targets,
    pub show_events: bool,
}

/// `kubectl logs`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Logs {
    /// `POD`, `TYPE/NAME`, and optionally the container.
    pub args: Vec<String>,
    pub container: Option<String>,
    pub follow: bool,
    pub previous: bool,
    pub tail: Option<String>,
    pub timestamps: bool,
    pub since: Option<String>,
    pub since_time: Option<String>,
    pub all_containers: bool,
    pub selector: Option<String>,
    pub prefix: bool,
    pub limit_bytes: Option<String>,
    pub max_log_requests: Option<String>,
    pub ignore_errors: bool,
}

/// `kubectl exec` (and `attach`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Exec {
    /// `POD` or `TYPE/NAME`.
    pub target: String,
    /// The command to run.
    pub command: Vec<String>,
    /// The command came without `--` (kubectl's deprecated form).
    pub undashed: bool,
    pub container: Option<String>,
    pub stdin: bool,
    pub tty: bool,
    pub quiet: bool,
    pub filenames: Vec<String>,
}

/// `kubectl run NAME --image=IMAGE [-- COMMAND ARGS...]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Run {
    pub name: String,
    pub image: Option<String>,
    /// The words after the name (after `--`, or without it): the container's args, or its
    /// command with `--command`.
    pub args: Vec<String>,
    pub command: bool,
    pub env: Vec<String>,
    pub labels: Option<String>,
    pub annotations: Vec<String>,
    pub port: Option<String>,
    pub restart: Option<String>,
    pub rm: bool,
    pub stdin: bool,
    pub tty: bool,
    pub attach: Option<bool>,
    pub quiet: bool,
    pub image_pull_policy: Option<String>,
    pub dry_run: Option<String>,
    pub output: Option<String>,
    pub expose: bool,
    pub privileged: bool,
}

/// What `kubectl cordon|uncordon|drain` does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NodeAction {
    #[default]
    Cordon,
    Uncordon,
    Drain,
}

/// `kubectl cordon|uncordon|drain NODE`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeCmd {
    pub action: NodeAction,
    pub targets: Targets,
    pub dry_run: Option<String>,
    pub force: bool,
    pub ignore_daemonsets: bool,
    pub delete_emptydir_data: bool,
    pub grace_period: Option<String>,
    pub timeout: Option<String>,
    pub disable_eviction: bool,
    pub pod_selector: Option<String>,
    pub skip_wait_for_delete_timeout: Option<String>,
}

/// `kubectl taint NODE KEY[=VALUE]:EFFECT ... | KEY[:EFFECT]-`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Taint {
    pub targets: Targets,
    pub overwrite: bool,
    pub output: Option<String>,
    pub dry_run: Option<String>,
}

/// `kubectl api-resources`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApiResources {
    pub namespaced: Option<String>,
    pub api_group: Option<String>,
    pub verbs: Vec<String>,
    pub output: Option<String>,
    pub no_headers: bool,
    pub sort_by: Option<String>,
    pub categories: Vec<String>,
}

/// `kubectl config SUBCOMMAND`: its words and every flag given, by long name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// `view`, `use-context`, `set-cluster`, ...
    pub action: String,
    pub args: Vec<String>,
    pub values: Vec<(String, String)>,
}

impl Config {
    /// The last value of a flag.
    pub fn last(&self, long: &str) -> Option<&str> {
        self.values
            .iter()
            .rev()
            .find(|(k, _)| k == long)
            .map(|(_, v)| v.as_str())
    }
    /// A boolean flag is on.
    pub fn on(&self, long: &str) -> bool {
        self.last(long).is_some_and(|v| v != "false")
    }
}
