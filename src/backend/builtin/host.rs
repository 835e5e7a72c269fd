//! The host: one thread that owns a built-in cluster and its store while a console runs.
//!
//! It lets simulated time run with the wall clock (times `speed`), runs commands, streams
//! changes and logs to subscribers, and saves: right after every command, before its result
//! is acknowledged, and otherwise at most once a second. Requests arrive on a channel; the
//! thread sleeps until the next request, simulated timer, poll or save.

use super::convert::{Tracker, task_label};
use crate::backend::view::{ClockInfo, LogLineView, ObjRef, ResKind, wall_ms};
use crate::backend::{
    BackendError, ErrorKind, LogEvent, LogRequest, LogTarget, Plan, PlannedMove, RunOpts,
};
use crate::backend::{CmdOutput, WatchEvent};
use opsconsole_sim::Cluster;
use opsconsole_sim::base::time::{SimDuration, SimTime};
use opsconsole_sim::exec::pending::{LogSource, sources};
use opsconsole_sim::exec::{self, Env, Io, Pending, Run, format, views};
use opsconsole_sim::infra::logs;
use opsconsole_sim::kube::api::{ApiRequest, ApiResponse, Stream, status::Status};
use opsconsole_sim::lang::{self, Cmd, SimCmd};
use opsconsole_sim::model::*;
use opsconsole_sim::store::Store;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::oneshot;

/// Output of a command as it runs.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum RunMsg {
    Out(String),
    Err(String),
    Exit(i32),
}

/// A command line to run on the host.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RunReq {
    pub words: Vec<String>,
    pub opts: RunOpts,
    /// Where relative paths (compose files) resolve.
    pub cwd: PathBuf,
    /// The caller's environment (compose variables).
    pub env: BTreeMap<String, String>,
    /// Wait as docker would (`ctl`), in simulated time running with the clock; otherwise
    /// return as soon as the change is made (the console).
    pub wait: bool,
    /// What the command reads on standard input (`stack deploy -c -`).
    #[serde(default)]
    pub stdin: Option<String>,
}

pub enum Request {
    Run {
        req: RunReq,
        reply: UnboundedSender<RunMsg>,
    },
    Watch {
        reply: UnboundedSender<WatchEvent>,
    },
    Logs {
        req: LogRequest,
        reply: UnboundedSender<LogEvent>,
    },
    Inspect {
        r: ObjRef,
        reply: oneshot::Sender<Result<Value, BackendError>>,
    },
    Plan {
        words: Vec<String>,
        reply: oneshot::Sender<Result<Plan, BackendError>>,
    },
    /// A Kubernetes API request (from `serve --kube-api`).
    Kube {
        req: Box<ApiRequest>,
        reply: oneshot::Sender<KubeReply>,
    },
    Shutdown,
}

/// The answer to a Kubernetes API request: the response, and for a watch the rest of its
/// body as it comes (the stream ends when the host drops its end).
pub struct KubeReply {
    pub resp: ApiResponse,
    pub more: Option<tokio::sync::mpsc::UnboundedReceiver<Vec<u8>>>,
    /// When the server ends the stream (`timeoutSeconds`).
    pub timeout: Option<u64>,
    /// An exec session for the transport to drive (`pods/NAME/exec`).
    pub exec: Option<Box<opsconsole_sim::kube::api::exec::ExecSession>>,
}

/// A Kubernetes watch (or followed log) the host keeps feeding.
struct KubeWatch {
    stream: Stream,
    tx: UnboundedSender<Vec<u8>>,
}

/// How often watches that asked for bookmarks get one (wall time; kube-apiserver sends one
/// about every minute).
const BOOKMARK_EVERY: Duration = Duration::from_secs(30);

/// Simulated time running with the wall clock.
struct Clock {
    base: SimTime,
    at: Instant,
    at_wall_ms: i64,
    speed: f64,
}

impl Clock {
    fn new(base: SimTime, speed: f64) -> Clock {
        Clock {
            base,
            at: Instant::now(),
            at_wall_ms: wall_ms(),
            speed,
        }
    }
    fn now(&self) -> SimTime {
        self.base + SimDuration((self.at.elapsed().as_nanos() as f64 * self.speed) as i64)
    }
    fn instant_at(&self, t: SimTime) -> Instant {
        let d = (t - self.base).0.max(0) as f64 / self.speed;
        self.at + Duration::from_nanos(d.min(1e15) as u64)
    }
    fn info(&self) -> ClockInfo {
        ClockInfo {
            base: self.base,
            base_wall_ms: self.at_wall_ms,
            speed: self.speed,
        }
    }
}

struct Running {
    pending: Pending,
    reply: UnboundedSender<RunMsg>,
}

struct Follow {
    source: LogSource,
    after: SimTime,
    reply: UnboundedSender<LogEvent>,
}

/// How often waiting commands and followed logs are polled (wall time).
const POLL: Duration = Duration::from_millis(200);
/// Timer-driven changes are saved at most this often.
const SAVE_EVERY: Duration = Duration::from_secs(1);
/// At most this many log lines per poll and stream; more are counted as dropped.
pub const LOG_BATCH: u64 = 2000;
/// How long a command may wait for convergence, in simulated time.
const WAIT_LIMIT: SimDuration = SimDuration::from_mins(10);

pub struct Host {
    store: Store,
    cl: Cluster,
    clock: Clock,
    tracker: Tracker,
    watchers: Vec<UnboundedSender<WatchEvent>>,
    runs: Vec<Running>,
    follows: Vec<Follow>,
    kube_watches: Vec<KubeWatch>,
    last_bookmark: Instant,
    save_due: Option<Instant>,
    last_poll: Instant,
    /// What runs the kubectl commands sent to this host, as clients of it (through this
    /// sender of its own requests).
    kubectl: Option<(std::sync::mpsc::Sender<Request>, KubectlRunner)>,
}

/// Starts a kubectl command as a client of a host: the host's request sender, the command,
/// its standard input, its namespace, and where its output goes.
pub type KubectlRunner = fn(
    std::sync::mpsc::Sender<Request>,
    opsconsole_sim::lang::kubectl::KubectlCmd,
    Option<String>,
    String,
    UnboundedSender<RunMsg>,
);

impl Host {
    pub fn new(store: Store, cl: Cluster, speed: f64) -> Host {
        let clock = Clock::new(cl.now(), speed);
        Host {
            store,
            cl,
            clock,
            tracker: Tracker::default(),
            watchers: Vec::new(),
            runs: Vec::new(),
            follows: Vec::new(),
            kube_watches: Vec::new(),
            last_bookmark: Instant::now(),
            save_due: None,
            last_poll: Instant::now(),
            kubectl: None,
        }
    }

    /// Lets this host run kubectl commands: `run` starts each, as a client talking to the
    /// host through `me`, the sender of its requests.
    pub fn run_kubectl_with(&mut self, me: std::sync::mpsc::Sender<Request>, run: KubectlRunner) {
        self.kubectl = Some((me, run));
    }

    /// Adds the demo workloads without waiting for them (the console shows them come up).
    pub fn load_demo(&mut self) {
        let _ = start_plain(&mut self.cl, Cmd::Sim(SimCmd::Demo));
        let _ = self.store.save(&mut self.cl);
    }

    /// Serves requests until shut down (or every sender is gone); saves on the way out.
    pub fn run(mut self, rx: Receiver<Request>) {
        loop {
            let wake = self.next_wake();
            let got = match wake {
                Some(w) => rx.recv_timeout(w.saturating_duration_since(Instant::now())),
                None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
            };
            match got {
                Ok(Request::Shutdown) | Err(RecvTimeoutError::Disconnected) => break,
                Ok(req) => {
                    self.catch_up();
                    self.publish();
                    self.handle(req);
                }
                Err(RecvTimeoutError::Timeout) => {}
            }
            self.tick();
        }
        self.catch_up();
        self.publish();
        for r in self.runs.drain(..) {
            let _ = r.reply.send(RunMsg::Err(
                "opsconsole: the console serving this cluster quit; the command carries on in the cluster".into(),
            ));
            let _ = r.reply.send(RunMsg::Exit(1));
        }
        let _ = self.store.save(&mut self.cl);
    }

    fn next_wake(&mut self) -> Option<Instant> {
        let mut wake = self.cl.next_event_time().map(|t| self.clock.instant_at(t));
        let mut at = |w: Instant| wake = Some(wake.map_or(w, |x| x.min(w)));
        if !self.runs.is_empty() || !self.follows.is_empty() || !self.kube_watches.is_empty() {
            at(self.last_poll + POLL);
        }
        if let Some(s) = self.save_due {
            at(s);
        }
        if !self.kube_watches.is_empty() {
            at(self.last_bookmark + BOOKMARK_EVERY);
        }
        wake
    }

    /// Lets simulated time catch up with the clock (or the clock with a jump, `sim advance`).
    fn catch_up(&mut self) {
        let now = self.clock.now();
        if now > self.cl.now() {
            self.cl.advance_to(now);
        } else if self.cl.now() > now {
            self.clock = Clock::new(self.cl.now(), self.clock.speed);
            let info = self.clock.info();
            self.broadcast(WatchEvent::Clock(info));
        }
    }

    fn broadcast(&mut self, ev: WatchEvent) {
        self.watchers.retain(|w| w.send(ev.clone()).is_ok());
    }

    fn publish(&mut self) {
        let events = self.cl.take_events();
        if events.is_empty() {
            return;
        }
        if self.save_due.is_none() {
            self.save_due = Some(Instant::now() + SAVE_EVERY);
        }
        self.watchers.retain(|w| !w.is_closed());
        if self.watchers.is_empty() {
            return;
        }
        let changes = self.tracker.changes(&self.cl, &events);
        if !changes.is_empty() {
            self.broadcast(WatchEvent::Changes(changes));
        }
    }

    fn tick(&mut self) {
        self.catch_up();
        if Instant::now() >= self.last_poll + POLL || self.runs.iter().any(|r| r.reply.is_closed())
        {
            self.last_poll = Instant::now();
            self.poll_runs();
            self.poll_follows();
        }
        self.publish();
        self.pump_kube_watches();
        if self.save_due.is_some_and(|d| Instant::now() >= d) {
            self.save_due = None;
            let _ = self.store.save(&mut self.cl);
        }
    }

    fn poll_runs(&mut self) {
        let mut i = 0;
        while i < self.runs.len() {
            let r = &mut self.runs[i];
            let mut out = Vec::new();
            let mut err = Vec::new();
            let mut io = Io {
                out: &mut out,
                err: &mut err,
            };
            let done = if r.reply.is_closed() {
                Some(r.pending.interrupt(&mut io))
            } else {
                r.pending.poll(&self.cl, &mut io)
            };
            send_output(&r.reply, out, err);
            match done {
                Some(code) => {
                    let _ = r.reply.send(RunMsg::Exit(code));
                    self.runs.swap_remove(i);
                }
                None => i += 1,
            }
        }
    }

    fn handle(&mut self, req: Request) {
        match req {
            Request::Run { req, reply } => self.handle_run(req, reply),
            Request::Watch { reply } => {
                let snap = self.tracker.snapshot(&self.cl);
                if reply
                    .send(WatchEvent::Snapshot(Box::new(snap), self.clock.info()))
                    .is_ok()
                {
                    self.watchers.push(reply);
                }
            }
            Request::Logs { req, reply } => self.start_logs(req, reply),
            Request::Inspect { r, reply } => {
                let _ = reply.send(self.inspect(&r));
            }
            Request::Plan { words, reply } => {
                let _ = reply.send(self.plan(&words));
            }
            Request::Kube { req, reply } => {
                let mut resp = self.kube(&req);
                let mut exec = None;
                let (more, timeout) = match resp.stream.take() {
                    Some(Stream::Exec(session)) => {
                        exec = Some(session);
                        (None, None)
                    }
                    Some(stream) if !stream.done() => {
                        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
                        let timeout = stream.timeout_secs();
                        self.kube_watches.push(KubeWatch { stream, tx });
                        (Some(rx), timeout)
                    }
                    _ => (None, None),
                };
                let _ = reply.send(KubeReply {
                    resp,
                    more,
                    timeout,
                    exec,
                });
            }
            Request::Shutdown => {}
        }
    }

    /// Sends each Kubernetes watch what changed since its last bytes (and, now and then, a
    /// bookmark); forgets the watches whose clients went away or whose stream ended.
    fn pump_kube_watches(&mut self) {
        if self.kube_watches.is_empty() {
            return;
        }
        let bookmark = self.last_bookmark.elapsed() >= BOOKMARK_EVERY;
        if bookmark {
            self.last_bookmark = Instant::now();
        }
        let st = self.cl.state();
        self.kube_watches.retain_mut(|k| {
            let bytes = k.stream.poll(st, bookmark);
            (bytes.is_empty() || k.tx.send(bytes).is_ok()) && !k.stream.done() && !k.tx.is_closed()
        });
    }

    /// Serves a Kubernetes API request; a change is saved before it is acknowledged.
    fn kube(&mut self, req: &ApiRequest) -> ApiResponse {
        if req.path == crate::backend::kube::CLOCK_PATH {
            let clock = serde_json::to_value(self.clock.info()).unwrap_or_default();
            return ApiResponse::json(200, &clock);
        }
        let resp = self.cl.kube_api(req);
        if resp.status < 400
            && req.method != "GET"
            && let Err(e) = self.store.save(&mut self.cl)
        {
            return ApiResponse::error(&Status {
                code: 500,
                reason: "InternalError",
                message: format!("Internal error occurred: {e}"),
                details: serde_json::Value::Null,
            });
        }
        resp
    }

    fn handle_run(&mut self, req: RunReq, reply: UnboundedSender<RunMsg>) {
        let cmd = match lang::parse(&req.words) {
            Ok(c) => c,
            Err(e) => {
                let msg = if e.exit == 0 {
                    RunMsg::Out(format!("{}\n", e.message))
                } else {
                    RunMsg::Err(format!("{}\n", e.message))
                };
                let _ = reply.send(msg);
                let _ = reply.send(RunMsg::Exit(e.exit));
                return;
            }
        };
        let cmd = match cmd {
            Cmd::Kubectl(k) => return self.run_kubectl(*k, req, reply),
            c => c,
        };
        let mut out = Vec::new();
        let mut err = Vec::new();
        let confirmed = req.opts.confirmed;
        let mut confirm = |_: &str| confirmed;
        let getenv = |k: &str| req.env.get(k).cloned();
        let mut env = Env {
            on: req.opts.on.clone(),
            cwd: req.cwd.clone(),
            getenv: &getenv,
            confirm: Some(&mut confirm),
            wait_limit: WAIT_LIMIT,
            stdin: req.stdin.clone(),
        };
        let mut io = Io {
            out: &mut out,
            err: &mut err,
        };
        let run = exec::start(&mut self.cl, cmd, &mut env, &mut io);
        let (code, waiting) = match run {
            Run::Done(code) => (code, None),
            Run::Waiting(p) if req.wait => (0, Some(p)),
            Run::Waiting(p) => (p.detach(&mut io), None),
        };
        // Nothing is acknowledged before it is durable.
        if let Err(e) = self.store.save(&mut self.cl) {
            err.extend_from_slice(
                format!("opsconsole: the command ran but its result could not be saved: {e}\n")
                    .as_bytes(),
            );
            send_output(&reply, out, err);
            let _ = reply.send(RunMsg::Exit(1));
            return;
        }
        // What the command changed, and the log lines it let be written (`sim advance`), go
        // out before its result: whoever waits for the result then sees them.
        self.publish();
        self.poll_follows();
        send_output(&reply, out, err);
        self.catch_up();
        match waiting {
            Some(pending) => {
                self.runs.push(Running { pending, reply });
                // Poll at once: most waits end within the first poll.
                self.last_poll = Instant::now() - POLL;
            }
            None => {
                let _ = reply.send(RunMsg::Exit(code));
            }
        }
    }

    /// Runs a kubectl command as a client of this host's API. One that follows the cluster
    /// until interrupted (`get -w`, `logs -f`) is for a caller that can interrupt it (`ctl`).
    fn run_kubectl(
        &mut self,
        cmd: opsconsole_sim::lang::kubectl::KubectlCmd,
        req: RunReq,
        reply: UnboundedSender<RunMsg>,
    ) {
        let refuse = |why: String| {
            let _ = reply.send(RunMsg::Err(why));
            let _ = reply.send(RunMsg::Exit(1));
        };
        let Some((me, start)) = self.kubectl.clone() else {
            return refuse("opsconsole: kubectl cannot run here\n".into());
        };
        if cmd.follows() && !req.wait {
            return refuse(format!(
                "opsconsole: `kubectl {}` follows the cluster until interrupted: run it with `opsconsole ctl kubectl` (the console's panes follow the cluster already)\n",
                cmd.command
            ));
        }
        let kubeconfig = self
            .store
            .path()
            .parent()
            .map(|d| d.join("kubeconfig"))
            .unwrap_or_default();
        let namespace = opsconsole_kubectl::kubeconfig_namespace(&kubeconfig)
            .unwrap_or_else(|| "default".into());
        start(me, cmd, req.stdin, namespace, reply);
    }

    fn log_source(&self, target: &LogTarget) -> Result<LogSource, String> {
        let service = |svc_id: String, task_only: Option<String>| LogSource::Service {
            svc_id,
            task_only,
            no_ids: false,
            no_trunc: false,
            raw: false,
        };
        match target {
            LogTarget::Service(s) => self
                .cl
                .find_service(s)
                .map(|s| service(s.id.clone(), None))
                .ok_or_else(|| format!("no such service: {s}")),
            LogTarget::Task(t) => self
                .cl
                .find_task(t)
                .map(|t| service(t.service_id.clone(), Some(t.id.clone())))
                .ok_or_else(|| format!("no such task: {t}")),
            LogTarget::Pod { pod, .. } | LogTarget::Workload(pod) => Err(format!(
                "{} {}: the built-in swarm has no Kubernetes objects (its Kubernetes cluster is a backend of its own)",
                pod.kind.noun(),
                pod.name
            )),
        }
    }

    fn start_logs(&mut self, req: LogRequest, reply: UnboundedSender<LogEvent>) {
        let source = match self.log_source(&req.target) {
            Ok(s) => s,
            Err(e) => {
                let _ = reply.send(LogEvent::Error(e));
                let _ = reply.send(LogEvent::End);
                return;
            }
        };
        let now = self.cl.now();
        let tail = req.tail.unwrap_or(LOG_BATCH).min(LOG_BATCH);
        let lines = read_lines(&self.cl, &source, None, now, tail);
        let _ = reply.send(LogEvent::Lines(lines));
        if req.follow {
            self.follows.push(Follow {
                source,
                after: now,
                reply,
            });
        } else {
            let _ = reply.send(LogEvent::End);
        }
    }

    fn poll_follows(&mut self) {
        let now = self.cl.now();
        let cl = &self.cl;
        self.follows.retain_mut(|f| {
            if f.reply.is_closed() {
                return false;
            }
            let written: u64 = sources(cl, &f.source)
                .into_iter()
                .filter_map(|(_, c)| c)
                .map(|c| logs::count_between(c, now, Some(f.after), now))
                .sum();
            if written > LOG_BATCH {
                let _ = f.reply.send(LogEvent::Dropped(written - LOG_BATCH));
            }
            if written > 0 {
                let lines = read_lines(cl, &f.source, Some(f.after), now, LOG_BATCH);
                if f.reply.send(LogEvent::Lines(lines)).is_err() {
                    return false;
                }
            }
            f.after = now;
            true
        });
    }

    fn inspect(&self, r: &ObjRef) -> Result<Value, BackendError> {
        let st = self.cl.state();
        let id = r.uid.as_str();
        let missing = || BackendError::failed(format!("Error: No such object: {id}"));
        let v = match r.kind {
            ResKind::SwarmNode => views::node_json(self.cl.find_node(id).ok_or_else(missing)?),
            ResKind::SwarmService => {
                views::service_json(self.cl.find_service(id).ok_or_else(missing)?)
            }
            ResKind::SwarmTask => {
                serde_json::to_value(self.cl.find_task(id).ok_or_else(missing)?).unwrap_or_default()
            }
            ResKind::Volume => {
                let v = st.get::<Volume>(id).ok_or_else(missing)?;
                views::volume_json(v)
            }
            ResKind::Network => {
                let n = self.cl.find_network(id).ok_or_else(missing)?;
                let leader = self.cl.leader().ok_or_else(|| {
                    BackendError::failed("the swarm has no leader to inspect networks on")
                })?;
                views::network_json(&self.cl, n, leader)
            }
            other => {
                return Err(BackendError::new(
                    ErrorKind::Unsupported,
                    format!("a {} cannot be inspected", other.noun()),
                ));
            }
        };
        Ok(format::strip_sim(&v))
    }

    /// Runs the command on a copy of the cluster and reports which tasks it stops and where
    /// their replacements land. The copy behaves exactly as the cluster will, so unless
    /// something else happens first, the plan is what happens.
    fn plan(&self, words: &[String]) -> Result<Plan, BackendError> {
        let cmd = lang::parse(words).map_err(|e| BackendError::failed(e.message))?;
        let mut copy = self.cl.clone();
        let before: HashMap<String, (String, TaskState)> = copy
            .state()
            .all::<Task>()
            .map(|t| (t.id.clone(), (t.node_id.clone(), t.desired_state)))
            .collect();
        let (run, _, err) = start_plain(&mut copy, cmd);
        let code = match run {
            Run::Done(c) => c,
            Run::Waiting(_) => 0,
        };
        if code != 0 {
            return Err(BackendError::failed(
                String::from_utf8_lossy(&err).trim().to_string(),
            ));
        }
        // Long enough for the scheduler and the dispatcher, short of any restart delay.
        copy.advance(SimDuration::from_secs(1));
        let host = |c: &Cluster, n: &str| {
            c.state()
                .get::<Node>(n)
                .map(|n| n.hostname().to_string())
                .unwrap_or_else(|| n.to_string())
        };
        let mut stopped: BTreeMap<(String, String), (String, String)> = BTreeMap::new();
        let mut started: BTreeMap<(String, String), Option<String>> = BTreeMap::new();
        for t in copy.state().all::<Task>() {
            let key = (t.service_id.clone(), t.slot_key());
            match before.get(&t.id) {
                Some((node, desired))
                    if *desired <= TaskState::Running && t.desired_state > TaskState::Running =>
                {
                    stopped.insert(key, (task_label(&copy, t), host(&copy, node)));
                }
                None if t.desired_state <= TaskState::Running => {
                    let to = (!t.node_id.is_empty()).then(|| host(&copy, &t.node_id));
                    started.insert(key, to);
                }
                _ => {}
            }
        }
        let mut plan = Plan::default();
        for (key, (name, from)) in &stopped {
            match started.remove(key) {
                Some(to) => plan.moves.push(PlannedMove {
                    task: name.clone(),
                    from: Some(from.clone()),
                    to,
                }),
                None => plan.moves.push(PlannedMove {
                    task: name.clone(),
                    from: Some(from.clone()),
                    to: None,
                }),
            }
        }
        for ((svc, slot), to) in started {
            let name = copy
                .state()
                .get::<Service>(&svc)
                .map(|s| format!("{}.{slot}", s.spec.name))
                .unwrap_or(slot);
            plan.moves.push(PlannedMove {
                task: name,
                from: None,
                to,
            });
        }
        for m in &plan.moves {
            if m.to.is_none() && m.from.is_some() {
                plan.notes.push(format!(
                    "{} stops and is not replaced (a global task, or no node can take it)",
                    m.task
                ));
            }
        }
        Ok(plan)
    }
}

/// Starts a command as the cluster itself would (no caller: no environment, no prompts);
/// returns how it stands and what it printed.
fn start_plain(cl: &mut Cluster, cmd: Cmd) -> (Run, Vec<u8>, Vec<u8>) {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let getenv = |_: &str| None;
    let mut env = Env {
        on: None,
        cwd: PathBuf::from("."),
        getenv: &getenv,
        confirm: None,
        wait_limit: WAIT_LIMIT,
        stdin: None,
    };
    let run = exec::start(
        cl,
        cmd,
        &mut env,
        &mut Io {
            out: &mut out,
            err: &mut err,
        },
    );
    (run, out, err)
}

fn send_output(reply: &UnboundedSender<RunMsg>, out: Vec<u8>, err: Vec<u8>) {
    if !out.is_empty() {
        let _ = reply.send(RunMsg::Out(String::from_utf8_lossy(&out).into_owned()));
    }
    if !err.is_empty() {
        let _ = reply.send(RunMsg::Err(String::from_utf8_lossy(&err).into_owned()));
    }
}

/// Reads log lines after `after` up to `now`, at most `tail` of the newest, merged by time.
fn read_lines(
    cl: &Cluster,
    source: &LogSource,
    after: Option<SimTime>,
    now: SimTime,
    tail: u64,
) -> Vec<LogLineView> {
    let window = logs::Window {
        after,
        until: Some(now),
        tail: Some(tail),
    };
    let parts: Vec<(String, Vec<logs::LogLine>)> = sources(cl, source)
        .into_iter()
        .filter_map(|(label, c)| Some((label, logs::read(c?, now, window))))
        .collect();
    let mut merged = logs::merge(parts);
    let skip = merged.len().saturating_sub(tail as usize);
    merged
        .drain(skip..)
        .map(|(label, l)| LogLineView {
            at: l.at,
            label: label.trim_end().to_string(),
            text: l.text,
        })
        .collect()
}

/// Collects a command's output (for callers that do not stream it).
pub async fn collect(mut rx: tokio::sync::mpsc::UnboundedReceiver<RunMsg>) -> CmdOutput {
    let mut out = CmdOutput {
        code: 1,
        ..CmdOutput::default()
    };
    while let Some(m) = rx.recv().await {
        match m {
            RunMsg::Out(s) => out.stdout.push_str(&s),
            RunMsg::Err(s) => out.stderr.push_str(&s),
            RunMsg::Exit(c) => {
                out.code = c;
                return out;
            }
        }
    }
    out.stderr
        .push_str("opsconsole: lost the connection to the cluster before the command finished\n");
    out
}
