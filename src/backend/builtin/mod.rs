//! The built-in cluster as a [`Backend`].
//!
//! The first process to open a state directory hosts the cluster (a [`host::Host`] thread)
//! and serves it to other processes over a unix socket; later processes are clients. If the
//! host goes away, a client takes over: it opens the state (everything acknowledged was saved)
//! and starts serving it itself.

pub mod bootstrap;
pub mod convert;
pub mod daemon;
pub mod host;
pub mod kubeapi;
mod kubectl;
mod kubeexec;
pub mod pki;
pub mod proto;

use crate::backend::*;
use futures::{FutureExt, StreamExt};
use host::{Request, RunMsg, RunReq};
use opsconsole_sim::base::time::SimTime;
use proto::{ClientMsg, Conn, ServerMsg};
use std::path::PathBuf;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::net::UnixStream;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

/// Where the cluster runs when no process serves it yet.
#[derive(Clone, Debug, PartialEq)]
pub enum Hosting {
    /// In this process (tests, and tools that embed the cluster).
    InProcess,
    /// In a background `serve` process started from this executable (the console: it
    /// keeps the console itself small, and outlives no client by more than a moment).
    Daemon { exe: PathBuf },
}

/// How to open (or create) a built-in cluster.
#[derive(Clone, Debug)]
pub struct Options {
    pub hosting: Hosting,
    pub dir: PathBuf,
    /// Simulated seconds per wall-clock second while the console runs.
    pub speed: f64,
    /// Add the demo workloads if this creates the cluster.
    pub demo_if_new: bool,
    /// Seed and start time of a cluster this creates.
    pub seed: u64,
    pub start: SimTime,
}

struct HostHandle {
    tx: Sender<Request>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
    server: Option<tokio::task::AbortHandle>,
}

struct Shared {
    opts: Options,
    host: OnceLock<HostHandle>,
    takeover: Mutex<()>,
    spawning: tokio::sync::Mutex<()>,
    /// A problem no retry will fix (a corrupt state): reported, not retried.
    fatal: OnceLock<String>,
    /// Why other processes cannot share this cluster, if they cannot.
    notice: OnceLock<String>,
}

impl Drop for Shared {
    fn drop(&mut self) {
        if let Some(h) = self.host.take() {
            if let Some(s) = &h.server {
                s.abort();
            }
            let _ = std::fs::remove_file(proto::socket_path(&self.opts.dir));
            let _ = h.tx.send(Request::Shutdown);
            if let Ok(mut t) = h.thread.lock()
                && let Some(t) = t.take()
            {
                let _ = t.join();
            }
        }
    }
}

enum Link {
    Local(Sender<Request>),
    Remote(UnixStream),
}

#[derive(Clone)]
pub struct Builtin {
    shared: Arc<Shared>,
}

impl Builtin {
    /// Connects to the process serving `opts.dir`, or opens it and serves it. Must be called
    /// inside a tokio runtime (the server runs on it). Waits up to `wait` for a busy state.
    pub async fn open(opts: Options, wait: Duration) -> Result<Builtin, String> {
        let b = Builtin::new(opts);
        let deadline = std::time::Instant::now() + wait;
        loop {
            match b.link().await {
                Ok(_) => return Ok(b),
                Err(e)
                    if e.kind == ErrorKind::Unavailable && std::time::Instant::now() < deadline =>
                {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => return Err(e.message),
            }
        }
    }

    /// A backend that connects (or starts the cluster) when first used.
    pub fn new(opts: Options) -> Builtin {
        Builtin {
            shared: Arc::new(Shared {
                opts,
                host: OnceLock::new(),
                takeover: Mutex::new(()),
                spawning: tokio::sync::Mutex::new(()),
                fatal: OnceLock::new(),
                notice: OnceLock::new(),
            }),
        }
    }

    /// The built-in Kubernetes cluster as a Kubernetes backend: the same client code as for
    /// any cluster, over the host's API handler when this process hosts the cluster, else
    /// over HTTPS to the serving process's Kubernetes API (the state's kubeconfig).
    /// Its Kubernetes side scoped to `namespace` (none: all), with this cluster's other
    /// commands (`sim`, docker's) sent to it, connected on first use: the console shows
    /// "connecting…" while the server starts instead of waiting for it.
    pub fn kube_lazily(self, namespace: Option<String>) -> crate::backend::lazy::Lazy {
        let info = BackendInfo {
            kind: BackendKind::Kubernetes,
            endpoint: format!("built-in Kubernetes · {}", self.shared.opts.dir.display()),
            read_only: false,
            simulated: true,
            flavor: Flavor::Kube,
            caps: crate::backend::convert::kube::all_caps(),
            creates: Vec::new(),
            scope: namespace.clone(),
        };
        crate::backend::lazy::Lazy::new(info, move || {
            let (b, ns) = (self.clone(), namespace.clone());
            Box::pin(async move {
                let k = b.kube().await?.scoped(ns.as_deref());
                Ok(Arc::new(k.with_others(Arc::new(b))) as Arc<dyn Backend>)
            })
        })
    }

    pub async fn kube(&self) -> Result<crate::backend::kube::Kube, BackendError> {
        use crate::backend::kube::{Kube, Reach, Target};
        let dir = &self.shared.opts.dir;
        let endpoint = format!("built-in Kubernetes · {}", dir.display());
        match self.link().await? {
            Link::Local(tx) => {
                let (client, bridge) = kubectl::bridge(tx, "default", 0);
                tokio::spawn(bridge);
                Ok(Kube::new(
                    client,
                    Target {
                        endpoint,
                        server: "the cluster in this process".into(),
                        namespace: None,
                        simulated: true,
                        reach: Reach::Hosted,
                    },
                ))
            }
            Link::Remote(_) => {
                let file = dir.join("kubeconfig");
                let no_api = |why: String| {
                    BackendError::unavailable(format!(
                        "the server of {} does not serve its Kubernetes API ({why}): stop it, or run `opsconsole serve --kube-api 127.0.0.1:0 --state {}`",
                        dir.display(),
                        dir.display()
                    ))
                };
                if !file.exists() {
                    return Err(no_api(format!("no {}", file.display())));
                }
                let g = opsconsole_sim::lang::kubectl::Globals::default();
                let config = opsconsole_kubectl::connect::config(&file, &g)
                    .await
                    .map_err(no_api)?;
                let server = config.cluster_url.to_string();
                let client = opsconsole_kubectl::connect::client(config, &g).map_err(no_api)?;
                Ok(Kube::new(
                    client,
                    Target {
                        endpoint: format!("{endpoint} · {}", server.trim_end_matches('/')),
                        server: server.trim_end_matches('/').to_string(),
                        namespace: None,
                        simulated: true,
                        reach: Reach::Served,
                    },
                ))
            }
        }
    }

    /// Whether this process hosts the cluster.
    pub fn is_host(&self) -> bool {
        self.shared.host.get().is_some()
    }

    fn become_host(&self) -> Result<(), BackendError> {
        let _guard = self
            .shared
            .takeover
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if self.shared.host.get().is_some() {
            return Ok(());
        }
        let o = &self.shared.opts;
        let started = bootstrap::start(&bootstrap::Start {
            dir: o.dir.clone(),
            speed: o.speed,
            demo_if_new: o.demo_if_new,
            seed: o.seed,
            start: o.start,
            wait: Duration::ZERO,
        })
        .map_err(|e| match e {
            bootstrap::StartError::Busy(m) => BackendError::unavailable(m),
            bootstrap::StartError::Failed(m) => BackendError::failed(m),
        })?;
        let server = match started.server {
            Ok(s) => Some(s.abort_handle()),
            Err(why) => {
                let _ = self
                    .shared
                    .notice
                    .set(format!("not shared with other processes: {why}"));
                None
            }
        };
        let (tx, thread) = (started.tx, started.thread);
        let _ = self.shared.host.set(HostHandle {
            tx,
            thread: Mutex::new(Some(thread)),
            server,
        });
        Ok(())
    }

    /// The host in this process, the serving process, or — if none serves — a new host
    /// (here, or a background server).
    async fn link(&self) -> Result<Link, BackendError> {
        if let Some(h) = self.shared.host.get() {
            return Ok(Link::Local(h.tx.clone()));
        }
        let sock = proto::socket_path(&self.shared.opts.dir);
        if let Ok(s) = UnixStream::connect(&sock).await {
            return Ok(Link::Remote(s));
        }
        if let Some(e) = self.shared.fatal.get() {
            return Err(BackendError::failed(e.clone()));
        }
        match &self.shared.opts.hosting {
            Hosting::InProcess => {
                self.become_host()?;
                match self.shared.host.get() {
                    Some(h) => Ok(Link::Local(h.tx.clone())),
                    None => Err(BackendError::unavailable("the cluster is not available")),
                }
            }
            Hosting::Daemon { exe } => {
                self.start_daemon(exe).await?;
                UnixStream::connect(&sock)
                    .await
                    .map(Link::Remote)
                    .map_err(|e| {
                        BackendError::unavailable(format!(
                            "cannot connect to the cluster server at {}: {e}",
                            sock.display()
                        ))
                    })
            }
        }
    }

    /// Starts `exe serve` for this state and waits until it listens.
    async fn start_daemon(&self, exe: &std::path::Path) -> Result<(), BackendError> {
        use tokio::io::AsyncBufReadExt;
        let _one_at_a_time = self.shared.spawning.lock().await;
        let o = &self.shared.opts;
        let sock = proto::socket_path(&o.dir);
        if UnixStream::connect(&sock).await.is_ok() {
            return Ok(());
        }
        if let Err(e) = std::fs::create_dir_all(&o.dir) {
            let msg = format!("cannot use the cluster state {}: {e}", o.dir.display());
            let _ = self.shared.fatal.set(msg.clone());
            return Err(BackendError::failed(msg));
        }
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(o.dir.join("server.log"))
            .map(std::process::Stdio::from)
            .unwrap_or_else(|_| std::process::Stdio::null());
        let mut cmd = tokio::process::Command::new(exe);
        cmd.arg("serve")
            .arg("--state")
            .arg(&o.dir)
            .arg("--speed")
            .arg(o.speed.to_string())
            .arg("--seed")
            .arg(o.seed.to_string())
            .arg("--clock-start")
            .arg(o.start.rfc3339())
            // Its Kubernetes API too, for the console's Kubernetes backend and kubectl
            // (the state's kubeconfig says where).
            .arg("--kube-api")
            .arg("127.0.0.1:0")
            .arg("--while-used");
        if o.demo_if_new {
            cmd.arg("--demo-if-new");
        }
        cmd.stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(log)
            // Its own process group: the terminal's signals are for the console.
            .process_group(0);
        let mut child = cmd.spawn().map_err(|e| {
            BackendError::failed(format!(
                "cannot start the cluster server {}: {e}",
                exe.display()
            ))
        })?;
        let Some(out) = child.stdout.take() else {
            return Err(BackendError::failed("the cluster server has no output"));
        };
        let mut lines = tokio::io::BufReader::new(out).lines();
        let first = tokio::time::timeout(Duration::from_secs(60), async {
            loop {
                match lines.next_line().await {
                    Ok(Some(l)) if l.starts_with("kube-api ") => continue,
                    other => return other,
                }
            }
        })
        .await;
        // Reap it whenever it ends.
        tokio::spawn(async move {
            let _ = child.wait().await;
        });
        match first {
            Ok(Ok(Some(l))) if l == "ready" => Ok(()),
            Ok(Ok(Some(l))) if l == "busy" => Err(BackendError::unavailable(format!(
                "the cluster state {} is in use by another opsconsole process",
                o.dir.display()
            ))),
            Ok(Ok(Some(l))) => {
                let msg = l.strip_prefix("error ").unwrap_or(&l).to_string();
                let _ = self.shared.fatal.set(msg.clone());
                Err(BackendError::failed(msg))
            }
            _ => Err(BackendError::unavailable(format!(
                "the cluster server did not start (see {})",
                o.dir.join("server.log").display()
            ))),
        }
    }

    async fn run_async(self, req: RunReq) -> Result<CmdOutput, BackendError> {
        match self.link().await? {
            Link::Local(tx) => {
                let (rtx, rrx) = unbounded_channel();
                tx.send(Request::Run { req, reply: rtx })
                    .map_err(|_| BackendError::unavailable("the cluster is shutting down"))?;
                Ok(host::collect(rrx).await)
            }
            Link::Remote(s) => {
                let mut conn = Conn::open(s, ClientMsg::Run(req)).await?;
                let (rtx, rrx) = unbounded_channel();
                while let Some(m) = conn.next().await {
                    match m? {
                        ServerMsg::Run(m) => {
                            let end = matches!(m, RunMsg::Exit(_));
                            let _ = rtx.send(m);
                            if end {
                                break;
                            }
                        }
                        ServerMsg::Refused(why) => return Err(BackendError::unavailable(why)),
                        _ => {}
                    }
                }
                drop(rtx);
                Ok(host::collect(rrx).await)
            }
        }
    }

    async fn watch_loop(self, tx: UnboundedSender<WatchEvent>) {
        let mut lost = false;
        loop {
            if tx.is_closed() {
                return;
            }
            match self.link().await {
                Ok(Link::Local(h)) => {
                    let _ = h.send(Request::Watch { reply: tx });
                    return;
                }
                Ok(Link::Remote(s)) => {
                    if let Ok(mut conn) = Conn::open(s, ClientMsg::Watch).await {
                        while let Some(Ok(m)) = conn.next().await {
                            if let ServerMsg::Watch(ev) = m {
                                lost = false;
                                if tx.send(ev).is_err() {
                                    return;
                                }
                            }
                        }
                    }
                    if !lost {
                        lost = true;
                        let _ = tx.send(WatchEvent::Lost(
                            "the opsconsole process serving this cluster went away; taking over"
                                .into(),
                        ));
                    }
                }
                Err(e) => {
                    if !lost {
                        lost = true;
                        let _ = tx.send(WatchEvent::Lost(e.message.clone()));
                    }
                    if e.kind == ErrorKind::Failed {
                        // Nothing a retry would fix; it has been said.
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
            }
        }
    }

    async fn logs_loop(self, req: LogRequest, tx: UnboundedSender<LogEvent>) {
        match self.link().await {
            Ok(Link::Local(h)) => {
                if h.send(Request::Logs {
                    req,
                    reply: tx.clone(),
                })
                .is_err()
                {
                    let _ = tx.send(LogEvent::Error("the cluster is shutting down".into()));
                    let _ = tx.send(LogEvent::End);
                }
            }
            Ok(Link::Remote(s)) => {
                let mut ended = false;
                if let Ok(mut conn) = Conn::open(s, ClientMsg::Logs(req)).await {
                    while let Some(Ok(m)) = conn.next().await {
                        if let ServerMsg::Log(ev) = m {
                            ended = ev == LogEvent::End;
                            if tx.send(ev).is_err() || ended {
                                return;
                            }
                        }
                    }
                }
                if !ended {
                    let _ = tx.send(LogEvent::Error(
                        "the opsconsole process serving this cluster went away".into(),
                    ));
                    let _ = tx.send(LogEvent::End);
                }
            }
            Err(e) => {
                let _ = tx.send(LogEvent::Error(e.message));
                let _ = tx.send(LogEvent::End);
            }
        }
    }

    async fn one_reply<T>(
        self,
        local: impl FnOnce(tokio::sync::oneshot::Sender<Result<T, BackendError>>) -> Request,
        remote: ClientMsg,
        pick: fn(ServerMsg) -> Option<Result<T, BackendError>>,
    ) -> Result<T, BackendError> {
        match self.link().await? {
            Link::Local(tx) => {
                let (otx, orx) = tokio::sync::oneshot::channel();
                tx.send(local(otx))
                    .map_err(|_| BackendError::unavailable("the cluster is shutting down"))?;
                orx.await
                    .map_err(|_| BackendError::unavailable("the cluster is shutting down"))?
            }
            Link::Remote(s) => {
                let mut conn = Conn::open(s, remote).await?;
                match conn.next().await {
                    Some(Ok(ServerMsg::Refused(why))) => Err(BackendError::unavailable(why)),
                    Some(Ok(m)) => pick(m).unwrap_or_else(|| {
                        Err(BackendError::failed(
                            "unexpected reply from the serving opsconsole",
                        ))
                    }),
                    Some(Err(e)) => Err(e),
                    None => Err(BackendError::unavailable(
                        "the opsconsole process serving this cluster went away",
                    )),
                }
            }
        }
    }
}

fn receiver_stream<T: Send + 'static>(
    rx: tokio::sync::mpsc::UnboundedReceiver<T>,
) -> BoxStream<'static, T> {
    futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|v| (v, rx)) }).boxed()
}

impl Backend for Builtin {
    fn info(&self) -> BackendInfo {
        let mut endpoint = format!("built-in · {}", self.shared.opts.dir.display());
        if let Some(n) = self.shared.notice.get() {
            endpoint.push_str(&format!(" ({n})"));
        }
        BackendInfo {
            kind: BackendKind::Builtin,
            endpoint,
            read_only: false,
            simulated: true,
            flavor: Flavor::Swarm,
            caps: crate::backend::convert::swarm::builtin_caps(),
            creates: crate::backend::convert::swarm::SWARM_CREATES.to_vec(),
            scope: None,
        }
    }

    fn watch(&self) -> BoxStream<'static, WatchEvent> {
        let (tx, rx) = unbounded_channel();
        tokio::spawn(self.clone().watch_loop(tx));
        receiver_stream(rx)
    }

    fn logs(&self, req: LogRequest) -> BoxStream<'static, LogEvent> {
        let (tx, rx) = unbounded_channel();
        tokio::spawn(self.clone().logs_loop(req, tx));
        receiver_stream(rx)
    }

    fn run(
        &self,
        inv: Invocation,
        opts: RunOpts,
    ) -> BoxFuture<'static, Result<CmdOutput, BackendError>> {
        let req = RunReq {
            words: inv.words,
            opts,
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            env: std::env::vars().collect(),
            wait: false,
            stdin: inv.stdin,
        };
        self.clone().run_async(req).boxed()
    }

    fn inspect(&self, r: ObjRef) -> BoxFuture<'static, Result<serde_json::Value, BackendError>> {
        let r2 = r.clone();
        self.clone()
            .one_reply(
                move |reply| Request::Inspect { r, reply },
                ClientMsg::Inspect(r2),
                |m| match m {
                    ServerMsg::Inspect(r) => Some(r),
                    _ => None,
                },
            )
            .boxed()
    }

    fn plan(&self, inv: Invocation) -> BoxFuture<'static, Result<Plan, BackendError>> {
        let words = inv.words;
        let w2 = words.clone();
        self.clone()
            .one_reply(
                move |reply| Request::Plan { words, reply },
                ClientMsg::Plan { words: w2 },
                |m| match m {
                    ServerMsg::Plan(r) => Some(r),
                    _ => None,
                },
            )
            .boxed()
    }
}
