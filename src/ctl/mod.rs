//! `opsconsole ctl`: run one docker (or `sim`) command against the built-in cluster in a
//! state directory, print what docker prints, exit with docker's status.

use crate::backend::RunOpts;
use crate::backend::builtin::host::RunReq;
use crate::backend::builtin::proto;
use opsconsole_sim::base::time::{SimDuration, SimTime};
use opsconsole_sim::exec::{self, Env, Io, Waiter};
use opsconsole_sim::lang::{self, Cmd, DockerCmd};
use opsconsole_sim::store::{self, Store, StoreError};
use opsconsole_sim::{self as orch, Cluster};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

mod kubectl;

/// Options of `opsconsole ctl`.
#[derive(Debug, Clone, Default)]
pub struct CtlOpts {
    pub state: Option<PathBuf>,
    pub on: Option<String>,
    /// Seed and start time of a cluster created by this command (ignored when it exists).
    pub seed: u64,
    pub clock_start: Option<String>,
    pub args: Vec<String>,
}

/// Where the cluster lives: `--state`, else the user's data directory.
pub fn state_dir(opt: &Option<PathBuf>) -> Result<PathBuf, String> {
    match opt {
        Some(p) => Ok(p.clone()),
        None => default_state_dir().ok_or_else(|| {
            "opsconsole: cannot find a data directory for the cluster state; pass --state DIR"
                .to_string()
        }),
    }
}

/// The clock a new cluster starts from.
pub fn start_time(opt: &Option<String>) -> Result<SimTime, String> {
    match opt {
        Some(s) => SimTime::parse_rfc3339(s).map_err(|e| format!("opsconsole: --clock-start: {e}")),
        None => Ok(store::wall_clock_now()),
    }
}

/// Passes time for waiting commands: fast-forward, or — when following logs — real time,
/// saving the cluster as it goes and stopping on Ctrl-C.
struct CtlWaiter<'a> {
    store: &'a mut Store,
    stop: Arc<AtomicBool>,
    save_error: Option<String>,
}

impl Waiter for CtlWaiter<'_> {
    fn wait(&mut self, cl: &mut Cluster, d: SimDuration, live: bool) -> bool {
        if !live {
            cl.advance(d);
            return true;
        }
        let end = std::time::Instant::now() + Duration::from_nanos(d.0.max(0) as u64);
        while std::time::Instant::now() < end {
            if self.stop.load(Ordering::Relaxed) {
                return false;
            }
            std::thread::sleep(
                Duration::from_millis(20)
                    .min(end.saturating_duration_since(std::time::Instant::now())),
            );
        }
        cl.advance(d);
        if let Err(e) = self.store.save(cl) {
            self.save_error = Some(e.to_string());
            return false;
        }
        !self.stop.load(Ordering::Relaxed)
    }
}

fn is_follow(cmd: &Cmd) -> bool {
    matches!(cmd, Cmd::Docker(DockerCmd::ServiceLogs(o)) | Cmd::Docker(DockerCmd::ContainerLogs(o)) if o.follow)
}

/// Asks docker's confirmation question on the terminal.
fn ask(prompt: &str) -> bool {
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).is_ok() && matches!(line.trim(), "y" | "Y" | "yes")
}

/// Runs `opsconsole ctl`; returns the process exit status.
pub fn run(opts: CtlOpts) -> i32 {
    let cmd = match lang::parse(&opts.args) {
        Ok(c) => c,
        Err(e) => {
            if !e.message.is_empty() {
                if e.exit == 0 {
                    println!("{}", e.message);
                } else {
                    eprintln!("{}", e.message);
                }
            }
            return e.exit;
        }
    };
    if let Cmd::Help(text) = &cmd {
        print!("{text}");
        return 0;
    }
    let dir = match state_dir(&opts.state) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    let start = match start_time(&opts.clock_start) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{e}");
            return 125;
        }
    };
    if let Cmd::Kubectl(k) = &cmd {
        let remote = |stdin: Option<String>| {
            let req = RunReq {
                words: opts.args.clone(),
                opts: RunOpts {
                    on: opts.on.clone(),
                    confirmed: false,
                },
                cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
                env: std::env::vars().collect(),
                wait: true,
                stdin,
            };
            proto::run_blocking(&dir, req)
        };
        return kubectl::run(k, &dir, remote, || open_state(&dir, opts.seed, start));
    }
    // A console serving this state runs the command (its clock runs in real time); otherwise
    // open the state here. Busy means a process is about to serve it or is between commands.
    let confirmed = match &cmd {
        Cmd::Docker(d) => d.confirmation().map(|q| ask(&q)),
        _ => None,
    };
    // A command that reads standard input gets it now, before anything runs.
    let stdin = if cmd.reads_stdin() {
        let mut text = String::new();
        if let Err(e) = std::io::Read::read_to_string(&mut std::io::stdin(), &mut text) {
            eprintln!("opsconsole: cannot read standard input: {e}");
            return 1;
        }
        Some(text)
    } else {
        None
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let (mut store, mut cl) = loop {
        let req = RunReq {
            words: opts.args.clone(),
            opts: RunOpts {
                on: opts.on.clone(),
                confirmed: confirmed.unwrap_or(false),
            },
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            env: std::env::vars().collect(),
            wait: true,
            stdin: stdin.clone(),
        };
        if let Some(code) = proto::run_blocking(&dir, req) {
            return code;
        }
        match Store::open(&dir, Duration::from_millis(200), || {
            orch::seed_cluster(opts.seed, start)
        }) {
            Ok(x) => break x,
            Err(StoreError::Busy(_)) if std::time::Instant::now() < deadline => continue,
            Err(e) => {
                eprintln!("opsconsole: {e}");
                return 1;
            }
        }
    };
    let stop = Arc::new(AtomicBool::new(false));
    let follow = is_follow(&cmd);
    if follow {
        let _ = signal_hook::flag::register(signal_hook::consts::SIGINT, stop.clone());
        let _ = signal_hook::flag::register(signal_hook::consts::SIGTERM, stop.clone());
        let _ = signal_hook::flag::register(signal_hook::consts::SIGHUP, stop.clone());
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let getenv = |k: &str| std::env::var(k).ok();
    let mut confirm = |prompt: &str| -> bool { confirmed.unwrap_or_else(|| ask(prompt)) };
    // Output is held back until the change is durably saved, so nothing printed can be lost
    // by a crash; followed logs stream (the waiter saves before each batch).
    let mut out_buf: Vec<u8> = Vec::new();
    let mut err_buf: Vec<u8> = Vec::new();
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let mut out_lock = stdout.lock();
    let mut err_lock = stderr.lock();
    let mut waiter = CtlWaiter {
        store: &mut store,
        stop: stop.clone(),
        save_error: None,
    };
    let code = {
        let mut env = Env {
            on: opts.on.clone(),
            cwd,
            getenv: &getenv,
            confirm: Some(&mut confirm),
            wait_limit: SimDuration::from_mins(10),
            stdin,
        };
        let mut io = if follow {
            Io {
                out: &mut out_lock,
                err: &mut err_lock,
            }
        } else {
            Io {
                out: &mut out_buf,
                err: &mut err_buf,
            }
        };
        exec::run(&mut cl, cmd, &mut env, &mut io, &mut waiter)
    };
    let save_error = waiter.save_error.take();
    let saved = store.save(&mut cl);
    let _ = out_lock.write_all(&out_buf);
    let _ = out_lock.flush();
    let _ = err_lock.write_all(&err_buf);
    if let Some(e) = save_error {
        let _ = writeln!(err_lock, "opsconsole: {e}");
        return 1;
    }
    if let Err(e) = saved {
        let _ = writeln!(
            err_lock,
            "opsconsole: the command ran but its result could not be saved: {e}"
        );
        return 1;
    }
    code
}

/// Opens the state in `dir` here, waiting a while for a process that is about to let it go.
fn open_state(
    dir: &std::path::Path,
    seed: u64,
    start: SimTime,
) -> Result<(Store, Cluster), String> {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        match Store::open(dir, Duration::from_millis(200), || {
            orch::seed_cluster(seed, start)
        }) {
            Ok(x) => return Ok(x),
            Err(StoreError::Busy(_)) if std::time::Instant::now() < deadline => continue,
            Err(e) => return Err(format!("opsconsole: {e}")),
        }
    }
}

/// The default state directory: `<data dir>/opsconsole/cluster` (XDG on Linux).
pub fn default_state_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "opsconsole").map(|d| d.data_dir().join("cluster"))
}
