//! The one interface between the console and a cluster. The UI never touches an
//! orchestrator, a Docker engine or a Kubernetes API directly: it watches a stream of
//! [`WatchEvent`]s, streams logs, and runs typed commands through a [`Backend`].
//!
//! Everything is asynchronous, streaming and fallible, because the real backends are remote
//! APIs. [`ReadOnly`] wraps any backend and refuses every mutating call (kiosk mode).

pub mod builtin;
pub mod convert;
pub mod docker;
pub mod kube;
pub mod lazy;
pub mod readonly;
pub mod task;
pub mod verb;
pub mod view;

use futures::future::BoxFuture;
use futures::stream::BoxStream;
use opsconsole_sim::lang::{self, Cmd, ParseError};
pub use readonly::ReadOnly;
use serde::{Deserialize, Serialize};
pub use view::*;

/// Why a backend call failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErrorKind {
    /// Refused by the read-only wrapper.
    ReadOnly,
    /// The backend cannot be reached (daemon down, socket gone, state busy).
    Unavailable,
    /// This backend cannot do that at all.
    Unsupported,
    /// The backend tried and reported an error.
    Failed,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendError {
    pub kind: ErrorKind,
    pub message: String,
}

impl BackendError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> BackendError {
        BackendError {
            kind,
            message: message.into(),
        }
    }
    pub fn unavailable(message: impl Into<String>) -> BackendError {
        BackendError::new(ErrorKind::Unavailable, message)
    }
    pub fn failed(message: impl Into<String>) -> BackendError {
        BackendError::new(ErrorKind::Failed, message)
    }
}

impl std::fmt::Display for BackendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for BackendError {}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BackendKind {
    Builtin,
    Docker,
    Kubernetes,
}

/// What the header shows and what the UI may offer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BackendInfo {
    pub kind: BackendKind,
    /// "built-in · ~/.local/share/opsconsole/cluster", "unix:///var/run/docker.sock", ...
    pub endpoint: String,
    pub read_only: bool,
    /// Time is simulated (the built-in cluster).
    pub simulated: bool,
    /// Whose commands it takes: a swarm's (nodes, services, tasks), or a plain engine's
    /// (containers).
    pub flavor: Flavor,
    /// What it can do to objects of each kind it has (its objects carry the same).
    pub caps: Vec<(ResKind, Caps)>,
    /// The kinds of object it can create.
    pub creates: Vec<ResKind>,
    /// The namespace a Kubernetes backend's views are scoped to (none: all of them).
    #[serde(default)]
    pub scope: Option<String>,
}

impl BackendInfo {
    /// What it can do to objects of a kind.
    pub fn caps_of(&self, kind: ResKind) -> Caps {
        self.caps
            .iter()
            .filter(|(k, _)| *k == kind)
            .fold(Caps::NONE, |a, (_, c)| a | *c)
    }

    /// What it can do to some object of a family.
    pub fn caps_in(&self, family: Family) -> Caps {
        self.caps
            .iter()
            .filter(|(k, _)| k.family() == family)
            .fold(Caps::NONE, |a, (_, c)| a | *c)
    }

    pub fn can_create(&self, kind: ResKind) -> bool {
        self.creates.contains(&kind)
    }

    pub fn swarm(&self) -> bool {
        self.flavor == Flavor::Swarm
    }
}

/// A command line, parsed once: the words travel to remote hosts, the typed command decides
/// what it is (mutating or not) on this side. It may carry what the command reads on its
/// standard input (a compose file for `stack deploy -c -`, a manifest for `apply -f -`).
#[derive(Clone, Debug, PartialEq)]
pub struct Invocation {
    pub words: Vec<String>,
    pub cmd: Cmd,
    pub stdin: Option<String>,
}

impl Invocation {
    /// Parses words (with or without a leading `docker`).
    pub fn new<S: AsRef<str>>(words: &[S]) -> Result<Invocation, ParseError> {
        let words: Vec<String> = words.iter().map(|w| w.as_ref().to_string()).collect();
        let cmd = lang::parse(&words)?;
        Ok(Invocation {
            words,
            cmd,
            stdin: None,
        })
    }

    /// Parses a typed command line (shell quoting rules).
    pub fn parse_line(line: &str) -> Result<Invocation, ParseError> {
        let words = lang::flags::split_line(line)
            .map_err(|e| ParseError::new(format!("cannot parse command line: {e}"), 1))?;
        Invocation::new(&words)
    }

    pub fn is_mutating(&self) -> bool {
        self.cmd.is_mutating()
    }

    /// The same command with this on its standard input.
    pub fn with_stdin(self, text: impl Into<String>) -> Invocation {
        Invocation {
            stdin: Some(text.into()),
            ..self
        }
    }

    /// The command line as a user would type it.
    pub fn display(&self) -> String {
        self.words
            .iter()
            .map(|w| {
                if w.is_empty() || w.contains(|c: char| c.is_whitespace() || c == '"') {
                    format!("{w:?}")
                } else {
                    w.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunOpts {
    /// The node the command is sent to (container and volume commands), default the leader.
    pub on: Option<String>,
    /// The user already answered docker's confirmation question with yes.
    pub confirmed: bool,
}

/// What a command printed and its exit status, as the docker CLI would show them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CmdOutput {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl CmdOutput {
    /// The line a status bar shows: the error if it failed, else the last line printed.
    pub fn summary(&self) -> String {
        let pick = |s: &str| {
            s.lines()
                .map(str::trim_end)
                .rfind(|l| !l.trim().is_empty())
                .unwrap_or("")
                .to_string()
        };
        if self.code != 0 {
            let first = self
                .stderr
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("")
                .to_string();
            if first.is_empty() {
                format!("exit status {}", self.code)
            } else {
                first
            }
        } else {
            pick(&self.stdout)
        }
    }
}

/// One event of a watch: a full view first, then changes as they happen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum WatchEvent {
    Snapshot(Box<Snapshot>, ClockInfo),
    Changes(Vec<Change>),
    /// The backend's clock changed pace or jumped.
    Clock(ClockInfo),
    /// The connection was lost (the stream carries on and resynchronises with a snapshot).
    Lost(String),
    /// What the backend is changed (an engine joined or left a swarm, reconnected).
    Info(BackendInfo),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LogTarget {
    /// A service's tasks, merged and labelled (`docker service logs`).
    Service(String),
    /// One task (`docker service logs TASK`).
    Task(String),
    /// A pod's containers (`kubectl logs POD [-c C]`): one, or all of them.
    Pod {
        pod: ObjRef,
        container: Option<String>,
    },
    /// A Kubernetes workload's pods (those its selector picks), merged and labelled.
    Workload(ObjRef),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogRequest {
    pub target: LogTarget,
    /// Start with at most this many of the newest lines.
    pub tail: Option<u64>,
    pub follow: bool,
    /// The previous instance's log (a restarted container's, `kubectl logs -p`).
    #[serde(default)]
    pub previous: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum LogEvent {
    Lines(Vec<LogLineView>),
    /// Lines the source wrote that this stream skipped (it fell behind, or the engine rotated
    /// them away).
    Dropped(u64),
    Error(String),
    /// The stream ended (not following, or the source went away).
    End,
}

/// A task a command would move: from a node (if it runs) to a node (if one is found).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedMove {
    pub task: String,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// What a command is predicted to do, before it is run (`drain` shows this first).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub moves: Vec<PlannedMove>,
    /// Anything else worth knowing ("global task stops", "no node can take web.3").
    pub notes: Vec<String>,
}

/// A cluster the console can show and act on.
pub trait Backend: Send + Sync {
    fn info(&self) -> BackendInfo;

    /// A snapshot of everything, then changes as they happen. If the connection drops, the
    /// stream says so and resynchronises with a new snapshot when it is back.
    fn watch(&self) -> BoxStream<'static, WatchEvent>;

    fn logs(&self, req: LogRequest) -> BoxStream<'static, LogEvent>;

    /// Runs one command; its output is what the docker CLI would print.
    fn run(
        &self,
        inv: Invocation,
        opts: RunOpts,
    ) -> BoxFuture<'static, Result<CmdOutput, BackendError>>;

    /// The object as the backend's inspect API returns it.
    fn inspect(&self, r: ObjRef) -> BoxFuture<'static, Result<serde_json::Value, BackendError>>;

    /// Predicts what a command would move, without running it.
    fn plan(&self, inv: Invocation) -> BoxFuture<'static, Result<Plan, BackendError>>;

    /// One reading of a container's resource use. Costly on a real engine (about 17 ms of
    /// its CPU each), so the console asks only for the selected container.
    fn stats(&self, container: String) -> BoxFuture<'static, Result<StatsView, BackendError>> {
        let _ = container;
        Box::pin(async {
            Err(BackendError::new(
                ErrorKind::Unsupported,
                "this backend has no container stats",
            ))
        })
    }

    /// The same cluster with its views scoped to another namespace (none: all), if it has
    /// namespaces.
    fn rescoped(&self, namespace: Option<&str>) -> Option<std::sync::Arc<dyn Backend>> {
        let _ = namespace;
        None
    }
}

/// A shared backend is a backend (so wrappers such as [`ReadOnly`] can hold one).
impl<T: Backend + ?Sized> Backend for std::sync::Arc<T> {
    fn info(&self) -> BackendInfo {
        (**self).info()
    }
    fn watch(&self) -> BoxStream<'static, WatchEvent> {
        (**self).watch()
    }
    fn logs(&self, req: LogRequest) -> BoxStream<'static, LogEvent> {
        (**self).logs(req)
    }
    fn run(
        &self,
        inv: Invocation,
        opts: RunOpts,
    ) -> BoxFuture<'static, Result<CmdOutput, BackendError>> {
        (**self).run(inv, opts)
    }
    fn inspect(&self, r: ObjRef) -> BoxFuture<'static, Result<serde_json::Value, BackendError>> {
        (**self).inspect(r)
    }
    fn plan(&self, inv: Invocation) -> BoxFuture<'static, Result<Plan, BackendError>> {
        (**self).plan(inv)
    }
    fn stats(&self, container: String) -> BoxFuture<'static, Result<StatsView, BackendError>> {
        (**self).stats(container)
    }
    fn rescoped(&self, namespace: Option<&str>) -> Option<std::sync::Arc<dyn Backend>> {
        (**self).rescoped(namespace)
    }
}
