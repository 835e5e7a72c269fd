//! kubectl's client logic, once, in Rust, over kube-rs: the commands opsconsole runs against
//! any Kubernetes API server (the built-in cluster's, in process or served, or a real one),
//! with kubectl 1.32's output, errors and exit codes. Commands come typed from the command
//! language ([`opsconsole_sim::lang::kubectl`]).

pub use kube;

pub mod api;
pub mod apply;
mod config;
pub mod connect;
mod create;
mod delete;
mod describe;
pub mod discovery;
mod exec;
mod get;
pub mod inprocess;
pub mod json;
pub mod jsonpath;
mod label;
mod logs;
pub mod manifest;
mod nodes;
mod patch;
pub mod printer;
pub mod quantity;
mod resources;
mod rollout;
mod run;
mod scale;
mod set;
pub mod smp;
pub mod table;
pub mod tabwriter;
pub mod target;
pub mod validation;
pub mod verbose;
mod watch;
pub mod yaml;

use opsconsole_sim::lang::kubectl::{KubectlCmd, Verb};
use std::path::Path;

/// The kubectl release this client speaks as.
pub const CLIENT_VERSION: &str = "v1.32.5";
/// The kustomize kubectl 1.32 embeds.
pub const KUSTOMIZE_VERSION: &str = "v5.5.0";

/// Where a command that runs until interrupted (`get -w`, `logs -f`) sends what it has
/// printed so far: standard output's bytes, then standard error's.
pub type Sink = Box<dyn FnMut(&[u8], &[u8]) + Send>;

/// What a command prints. The API server's warnings are printed (`Warning: ...` on
/// standard error) before whatever the command prints after they came.
#[derive(Default)]
pub struct Out {
    pub out: Vec<u8>,
    pub err: Vec<u8>,
    /// The command's standard input, for `-f -` (none: it reads nothing).
    pub stdin: Option<String>,
    warnings: Option<api::Warnings>,
    /// Warnings printed (kubectl prints each text once).
    warned: Vec<String>,
    /// Where printed text goes as it is printed, when it streams.
    pub sink: Option<Sink>,
    /// Standard input as it comes (an interactive `exec -i`), instead of [`Out::stdin`].
    pub live_stdin: Option<futures::channel::mpsc::UnboundedReceiver<Vec<u8>>>,
    /// Standard input is a terminal (`exec -t` uses one only then).
    pub stdin_is_terminal: bool,
}

impl std::fmt::Debug for Out {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Out")
            .field("out", &String::from_utf8_lossy(&self.out))
            .field("err", &String::from_utf8_lossy(&self.err))
            .finish()
    }
}

impl Out {
    /// Standard input as a stream of chunks: the live one, or what [`Out::stdin`] holds.
    pub fn stdin_source(&mut self) -> futures::stream::BoxStream<'static, Vec<u8>> {
        use futures::StreamExt;
        match self.live_stdin.take() {
            Some(rx) => rx.boxed(),
            None => {
                let text = self.stdin.take().unwrap_or_default().into_bytes();
                futures::stream::iter((!text.is_empty()).then_some(text)).boxed()
            }
        }
    }

    /// Reads standard input: what it holds the first time, nothing after that.
    pub fn stdin_reader(&mut self) -> impl FnMut() -> Result<String, String> + use<> {
        let mut text = self.stdin.take();
        move || Ok(text.take().unwrap_or_default())
    }
    pub fn print(&mut self, s: &str) {
        self.flush_warnings();
        self.out.extend_from_slice(s.as_bytes());
    }
    pub fn eprint(&mut self, s: &str) {
        self.flush_warnings();
        self.err.extend_from_slice(s.as_bytes());
    }
    /// Sends what was printed so far to the sink, if there is one (a command that streams
    /// calls this after each piece).
    pub fn flush_to_terminal(&mut self) {
        self.flush_warnings();
        if let Some(sink) = &mut self.sink {
            sink(&self.out, &self.err);
            self.out.clear();
            self.err.clear();
        }
    }

    /// Prints the warnings that have come.
    pub fn flush_warnings(&mut self) {
        let Some(w) = &self.warnings else { return };
        let pending: Vec<String> = w
            .lock()
            .map(|mut w| w.drain(..).collect())
            .unwrap_or_default();
        for text in pending {
            if self.warned.contains(&text) {
                continue;
            }
            self.err
                .extend_from_slice(format!("Warning: {text}\n").as_bytes());
            self.warned.push(text);
        }
    }
}

/// Runs one kubectl command; returns kubectl's exit status.
pub async fn run(client: &kube::Client, cmd: &KubectlCmd, out: &mut Out) -> i32 {
    run_api(api::Api::new(client.clone()), cmd, out).await
}

/// Runs one kubectl command against a cluster this process owns (over
/// [`inprocess::client`]).
pub async fn run_in_process(client: &kube::Client, cmd: &KubectlCmd, out: &mut Out) -> i32 {
    run_api(api::Api::new(client.clone()).into_in_process(), cmd, out).await
}

/// Runs one kubectl command against a cluster another thread of this process owns and
/// runs with the wall clock (a console's): as [`run_in_process`], but a command that polls
/// waits on the wall clock.
pub async fn run_hosted(client: &kube::Client, cmd: &KubectlCmd, out: &mut Out) -> i32 {
    let api = api::Api::new(client.clone())
        .into_in_process()
        .with_wall_clock();
    run_api(api, cmd, out).await
}

/// kubectl's `GetDryRunStrategy`: `--dry-run`'s value as `none`, `client` or `server`,
/// with its deprecation warnings for the old forms.
fn dry_run_strategy(v: Option<&str>, out: &mut Out) -> Result<&'static str, String> {
    match v {
        None | Some("none") | Some("false") => Ok("none"),
        Some("client") => Ok("client"),
        Some("unchanged") => {
            out.eprint("W0000 00:00:00.000000       1 helpers.go:702] --dry-run is deprecated and can be replaced with --dry-run=client.\n");
            Ok("client")
        }
        Some("true") => {
            out.eprint("W0000 00:00:00.000000       1 helpers.go:716] --dry-run=true is deprecated (boolean value) and can be replaced with --dry-run=client.\n");
            Ok("client")
        }
        Some("server") => Ok("server"),
        Some(other) => Err(format!(
            "error: Invalid dry-run value ({other}). Must be \"none\", \"server\", or \"client\"."
        )),
    }
}

async fn run_api(api: api::Api, cmd: &KubectlCmd, out: &mut Out) -> i32 {
    // `--dry-run` read once, for every command: `none`, `client` or `server` from here on.
    let mut cmd = cmd.clone();
    if let Some(d) = cmd.verb.dry_run_mut() {
        match dry_run_strategy(d.as_deref(), out) {
            Ok(s) => *d = (s != "none").then(|| s.to_string()),
            Err(e) => {
                out.eprint(&format!("{e}\n"));
                return 1;
            }
        }
    }
    let cmd = &cmd;
    let namespace = cmd
        .globals
        .namespace
        .clone()
        .unwrap_or_else(|| api.client().default_namespace().to_string());
    out.warnings = Some(api.warnings());
    let code = run_verb(&api, &namespace, cmd, out).await;
    out.flush_warnings();
    code
}

async fn run_verb(api: &api::Api, namespace: &str, cmd: &KubectlCmd, out: &mut Out) -> i32 {
    // `-n` given: objects from files must be in that namespace.
    let enforce = cmd.globals.namespace.is_some();
    match &cmd.verb {
        Verb::Get(g) => get::run(api, namespace, g, out).await,
        Verb::Version(v) => version(api, v.client, out).await,
        Verb::Delete(d) => delete::run(api, namespace, enforce, d, out).await,
        Verb::Scale(s) => scale::run(api, namespace, s, out).await,
        Verb::Label(l) => label::run(api, namespace, l, out).await,
        Verb::Create(c) if !c.filenames.is_empty() => {
            apply::create(api, namespace, enforce, c, out).await
        }
        Verb::Create(c) => create::run(api, namespace, enforce, c, out).await,
        Verb::Apply(a) => apply::apply(api, namespace, enforce, a, out).await,
        Verb::SetImage(s) => set::image(api, namespace, enforce, s, cmd, out).await,
        Verb::Patch(p) => patch::run(api, namespace, enforce, p, out).await,
        Verb::Rollout(r) => rollout::run(api, namespace, enforce, r, out).await,
        Verb::Describe(d) => describe::run(api, namespace, d, out).await,
        Verb::Logs(l) => logs::run(api, namespace, l, out).await,
        Verb::Exec(e) => exec::run(api, namespace, e, out).await,
        Verb::Node(n) => nodes::run(api, namespace, n, out).await,
        Verb::Taint(t) => nodes::taint(api, namespace, t, out).await,
        Verb::ApiResources(a) => resources::run(api, a, out).await,
        Verb::Run(r) => run::run(api, namespace, enforce, r, out).await,
        _ => {
            out.eprint(&format!(
                "error: opsconsole does not run `kubectl {}` yet\n",
                cmd.command
            ));
            1
        }
    }
}

/// An I/O error as Go words it (`no such file or directory`, `permission denied`).
pub(crate) fn go_io_error(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::IsADirectory => "is a directory".into(),
        _ => e.to_string(),
    }
}

/// Runs `kubectl config ...` (a `Verb::Config`; anything else is refused) on the kubeconfig
/// `file`, named `shown` in messages: a local command, no cluster is asked.
pub fn run_config(cmd: &KubectlCmd, file: &Path, shown: &str, out: &mut Out) -> i32 {
    match &cmd.verb {
        Verb::Config(c) => config::run(c, file, shown, cmd.globals.context.as_deref(), out),
        _ => {
            out.eprint("error: not a `kubectl config` command\n");
            1
        }
    }
}

/// The current context's namespace in a kubeconfig file, if it names one (where a command
/// run in process starts).
pub fn kubeconfig_namespace(file: &Path) -> Option<String> {
    config::Kubeconfig::load(file, "")
        .ok()
        .and_then(|k| k.namespace().map(str::to_string))
}

/// Prints the errors as kubectl's `CheckErr` does when the command ends (a newline added
/// where the text has none); the exit status.
pub(crate) fn finish(errors: &[String], out: &mut Out) -> i32 {
    for e in errors {
        if e.ends_with('\n') {
            out.eprint(e);
        } else {
            out.eprint(&format!("{e}\n"));
        }
    }
    if errors.is_empty() { 0 } else { 1 }
}

async fn version(api: &api::Api, client_only: bool, out: &mut Out) -> i32 {
    out.print(&format!(
        "Client Version: {CLIENT_VERSION}\nKustomize Version: {KUSTOMIZE_VERSION}\n"
    ));
    if client_only {
        return 0;
    }
    match api.get("/version", "application/json").await {
        Ok(v) => {
            let server = v["gitVersion"].as_str().unwrap_or_default();
            out.print(&format!("Server Version: {server}\n"));
            0
        }
        Err(e) => {
            out.eprint(&format!("{e}\n"));
            1
        }
    }
}
