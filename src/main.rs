use clap::{Parser, Subcommand};
use opsconsole::app::App;
use opsconsole::app::config::{self, Overrides};
use opsconsole::backend::builtin::{Builtin, Hosting, Options, daemon};
use opsconsole::backend::docker::{Docker, endpoint};
use opsconsole::backend::{Backend, Invocation, ReadOnly, RunOpts};
use opsconsole::console::headless::{self as play, Clock};
use opsconsole::console::{self, Quiet, Runner};
use opsconsole::ctl::{self, CtlOpts};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A terminal console for Docker Swarm and Kubernetes clusters, with a built-in simulated
/// cluster.
#[derive(Parser, Debug)]
#[command(name = "opsconsole", version, about)]
struct Cli {
    /// State directory of the built-in cluster (default: the user's data directory)
    #[arg(long, global = true, value_name = "DIR")]
    state: Option<PathBuf>,

    /// Simulated seconds per real second while the console runs (demos)
    #[arg(long, default_value = "1", value_parser = parse_speed, value_name = "N")]
    speed: f64,

    /// Colour theme: dark, light, high-contrast, a theme in <config>/themes, or a file
    #[arg(long, value_name = "NAME|FILE")]
    theme: Option<String>,

    /// Keymap: default, k9s, or a file (overrides from <config>/keymap.toml apply on top)
    #[arg(long, value_name = "NAME|FILE")]
    keymap: Option<String>,

    /// Do not capture the mouse (keeps the terminal's own text selection)
    #[arg(long)]
    no_mouse: bool,

    /// Use a real Docker engine or swarm: unix:///path, tcp://host:port or ssh://user@host
    /// (without HOST: DOCKER_HOST, else the current docker context, else the local socket)
    #[arg(long, global = true, value_name = "HOST", num_args = 0..=1, default_missing_value = "")]
    docker: Option<String>,

    /// Use the Docker engine of this docker context (from ~/.docker/contexts); with
    /// --kubeconfig, this kubeconfig context
    #[arg(long, global = true, value_name = "NAME")]
    context: Option<String>,

    /// Use a Kubernetes cluster through a kubeconfig (without FILE: KUBECONFIG, else
    /// ~/.kube/config), its current context unless --context names one
    #[arg(long, value_name = "FILE", num_args = 0..=1, default_missing_value = "")]
    kubeconfig: Option<String>,

    /// Show the built-in cluster's Kubernetes side (its swarm is the default)
    #[arg(long, conflicts_with_all = ["docker", "kubeconfig"])]
    kube: bool,

    /// Kubernetes: the namespace the panes show, or `all` (default: the context's
    /// namespace if it sets one other than default, else all)
    #[arg(long, short = 'n', value_name = "NS")]
    namespace: Option<String>,

    /// Use TLS and verify the engine (tcp:// hosts; certificates from DOCKER_CERT_PATH)
    #[arg(long, global = true)]
    tlsverify: bool,

    /// Trust certs signed only by this CA
    #[arg(long, global = true, value_name = "FILE")]
    tlscacert: Option<PathBuf>,

    /// TLS certificate file
    #[arg(long, global = true, value_name = "FILE")]
    tlscert: Option<PathBuf>,

    /// TLS key file
    #[arg(long, global = true, value_name = "FILE")]
    tlskey: Option<PathBuf>,

    /// Read-only kiosk: every change is refused, keys only navigate, filter and scroll; leave
    /// with the exit chord (default ctrl-x ctrl-c; `kiosk_exit` in config.toml) or a signal
    #[arg(long)]
    kiosk: bool,

    /// Kiosk: show the next pane this often (e.g. 15s; off by default)
    #[arg(long, value_name = "DURATION", value_parser = parse_rotate)]
    rotate: Option<Duration>,

    /// Play a key macro in the console (Esc or Ctrl-C stops it)
    #[arg(long, value_name = "FILE")]
    play: Option<PathBuf>,

    /// Speed of playback: 2 plays twice as fast, 0.5 half as fast
    #[arg(long, default_value = "1", value_parser = parse_speed, value_name = "N")]
    pace: f64,

    /// Record the keys typed in this session into a macro file (written on quit)
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,

    /// With --play: no terminal; exits non-zero with the failing line if an expect fails
    #[arg(long, requires = "play")]
    headless: bool,

    /// Headless screen size, COLSxROWS
    #[arg(long, default_value = "120x40", value_parser = parse_size, value_name = "COLSxROWS")]
    size: (u16, u16),

    /// Headless: write the final screen to this file
    #[arg(long, value_name = "FILE", requires = "headless")]
    screen: Option<PathBuf>,

    #[command(subcommand)]
    cmd: Option<Sub>,
}

fn parse_rotate(s: &str) -> Result<Duration, String> {
    let d = opsconsole::app::config::duration(s)?;
    if d < Duration::from_secs(1) {
        return Err(format!("rotate {s:?}: at least 1s"));
    }
    Ok(d)
}

fn parse_size(s: &str) -> Result<(u16, u16), String> {
    let bad = || format!("invalid size {s:?}: give COLSxROWS, e.g. 120x40 (at least 40x10)");
    let (w, h) = s.split_once(['x', 'X']).ok_or_else(bad)?;
    let (w, h): (u16, u16) = (w.parse().map_err(|_| bad())?, h.parse().map_err(|_| bad())?);
    if w < 40 || h < 10 || w > 1000 || h > 500 {
        return Err(bad());
    }
    Ok((w, h))
}

fn parse_speed(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 1_000_000.0 => Ok(v),
        _ => Err(format!(
            "invalid speed {s:?}: give a number of simulated seconds per second, e.g. 1, 10 or 0.5"
        )),
    }
}

#[derive(Subcommand, Debug)]
enum Sub {
    /// Run one docker command (or `sim` verb) against the built-in cluster
    #[command(
        after_help = "Examples:\n  opsconsole ctl docker node ls\n  opsconsole ctl docker service create --name web --replicas 3 -p 80:80 nginx\n  opsconsole ctl --on node188 docker ps -a\n  opsconsole ctl sim node down node139\n  opsconsole ctl sim advance 90s\n\nWhile a console has the cluster open, commands run in it (its clock runs in real time)."
    )]
    Ctl {
        /// The node the docker CLI talks to (default: the leader)
        #[arg(long, value_name = "NODE")]
        on: Option<String>,
        /// Seed of a cluster this command creates (an existing cluster keeps its own)
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Simulated start time of a cluster this command creates (RFC 3339; default: now)
        #[arg(long, value_name = "TIME")]
        clock_start: Option<String>,
        /// `docker ...` or `sim ...`
        #[arg(
            trailing_var_arg = true,
            allow_hyphen_values = true,
            required = true,
            value_name = "COMMAND"
        )]
        args: Vec<String>,
    },
    /// Regenerate the screenshots (SVG and PNG) from the shipped demo macros
    Screenshots {
        /// Where to write them
        #[arg(long, default_value = "screenshots", value_name = "DIR")]
        out: PathBuf,
    },
    /// Serve the built-in cluster (consoles start this themselves); with --kube-api, also
    /// its Kubernetes API over HTTPS, in the foreground until interrupted
    Serve(ServeFlags),
}

/// mimalloc: the simulator and its API server make and free many small strings (a
/// Kubernetes object is dozens of them), where glibc's allocator spent a fifth of the
/// scheduler's time and more in a long-running, fragmented heap.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let started = Instant::now();
    let _ = color_eyre::install();
    // `--docker` takes an optional HOST: `--docker ctl ...` means no HOST, not a host "ctl".
    let mut argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    for i in 1..argv.len().saturating_sub(1) {
        let bare = |flag: &str| argv[i] == flag && (argv[i + 1] == "ctl" || argv[i + 1] == "serve");
        if bare("--docker") {
            argv[i] = "--docker=".into();
        } else if bare("--kubeconfig") {
            argv[i] = "--kubeconfig=".into();
        }
    }
    let mut cli = Cli::parse_from(argv);
    if let Some(Sub::Ctl { args, .. }) = &mut cli.cmd {
        kubectl_flags_to_kubectl(args, &mut cli.kubeconfig, &mut cli.context);
    }
    let docker = match docker_endpoint(&cli) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("opsconsole: {e}");
            std::process::exit(2);
        }
    };
    let code = match cli.cmd {
        Some(Sub::Ctl { args, .. }) if docker.is_some() => {
            docker_ctl(docker.unwrap_or_else(|| unreachable!()), args)
        }
        Some(Sub::Ctl {
            on,
            seed,
            clock_start,
            args,
        }) => ctl::run(CtlOpts {
            state: cli.state,
            on,
            seed,
            clock_start,
            args,
        }),
        Some(Sub::Serve(flags)) => serve(cli.state, flags),
        Some(Sub::Screenshots { ref out }) => match opsconsole::shots::generate(out) {
            Ok(files) => {
                println!("wrote {} files to {}", files.len(), out.display());
                0
            }
            Err(e) => {
                eprintln!("opsconsole screenshots: {e}");
                1
            }
        },
        None if cli.headless => run_headless(&cli, docker),
        None => run_console(&cli, docker, started),
    };
    std::process::exit(code);
}

#[derive(clap::Args, Debug)]
struct ServeFlags {
    /// Serve the Kubernetes API on ADDR (e.g. 127.0.0.1:6443; port 0 picks a free one)
    /// and write <state>/kubeconfig for it
    #[arg(long, value_name = "ADDR")]
    kube_api: Option<String>,
    #[arg(long, default_value = "1", value_parser = parse_speed)]
    speed: f64,
    #[arg(long)]
    demo_if_new: bool,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    #[arg(long)]
    clock_start: Option<String>,
    /// Seconds to stay after the last client leaves
    #[arg(long, default_value_t = 2.0)]
    linger: f64,
    /// With --kube-api: leave when unused all the same (consoles start it so)
    #[arg(long, hide = true)]
    while_used: bool,
}

fn serve(state: Option<PathBuf>, f: ServeFlags) -> i32 {
    let ServeFlags {
        kube_api,
        speed,
        demo_if_new,
        seed,
        clock_start,
        linger,
        while_used,
    } = f;
    let dir = match ctl::state_dir(&state) {
        Ok(d) => d,
        Err(e) => {
            println!("error {e}");
            return 1;
        }
    };
    let start = match ctl::start_time(&clock_start) {
        Ok(t) => t,
        Err(e) => {
            println!("error {e}");
            return 1;
        }
    };
    daemon::serve(daemon::ServeOpts {
        dir,
        speed,
        demo_if_new,
        seed,
        start,
        linger: Duration::from_secs_f64(linger.clamp(0.0, 3600.0)),
        kube_api,
        while_used,
    })
}

/// `ctl --kubeconfig F --context C kubectl ...` (and `opsconsole --kubeconfig F ctl kubectl
/// ...`): the kubeconfig and context are kubectl's, given to it as its own flags.
fn kubectl_flags_to_kubectl(
    args: &mut Vec<String>,
    kubeconfig: &mut Option<String>,
    context: &mut Option<String>,
) {
    let Some(at) = args.iter().position(|a| a == "kubectl") else {
        return;
    };
    // Only flags of ours before it (`ctl docker run kubectl` is docker's).
    let mut i = 0;
    while i < at {
        let a = args[i].as_str();
        if a.starts_with("--kubeconfig=") || a.starts_with("--context=") {
            i += 1;
        } else if a == "--kubeconfig" || a == "--context" {
            i += 2;
        } else {
            return;
        }
    }
    let mut lead: Vec<String> = args.drain(..at).collect();
    if let Some(f) = kubeconfig.take().filter(|f| !f.is_empty()) {
        lead.push(format!("--kubeconfig={f}"));
    }
    if let Some(c) = context.take() {
        lead.push(format!("--context={c}"));
    }
    // After `kubectl`, where its parser reads global flags.
    args.splice(1..1, lead);
}

/// The Docker endpoint the flags ask for, if any.
fn docker_endpoint(cli: &Cli) -> Result<Option<endpoint::Endpoint>, String> {
    if cli.kubeconfig.is_some() || (cli.docker.is_none() && cli.context.is_none()) {
        return Ok(None);
    }
    let req = endpoint::Request {
        host: cli.docker.clone().filter(|h| !h.is_empty()),
        context: cli.context.clone(),
        tls_verify: cli.tlsverify,
        tls_ca: cli.tlscacert.clone(),
        tls_cert: cli.tlscert.clone(),
        tls_key: cli.tlskey.clone(),
    };
    endpoint::resolve(&req, &endpoint::Env::from_process()).map(Some)
}

/// `opsconsole --docker HOST ctl docker ...`: one command against a real engine.
fn docker_ctl(ep: endpoint::Endpoint, args: Vec<String>) -> i32 {
    let args: Vec<String> = args;
    let mut inv = match Invocation::new(&args) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("{}", e.message);
            return 1;
        }
    };
    if inv.cmd.reads_stdin() {
        let mut text = String::new();
        if let Err(e) = std::io::Read::read_to_string(&mut std::io::stdin(), &mut text) {
            eprintln!("opsconsole: cannot read standard input: {e}");
            return 1;
        }
        inv = inv.with_stdin(text);
    }
    let Some(rt) = runtime() else { return 1 };
    let backend = Docker::new(ep);
    match rt.block_on(backend.run(inv, RunOpts::default())) {
        Ok(out) => {
            print!("{}", out.stdout);
            eprint!("{}", out.stderr);
            out.code
        }
        Err(e) => {
            eprintln!("{e}");
            1
        }
    }
}

fn overrides(cli: &Cli) -> Overrides {
    Overrides {
        theme: cli.theme.clone(),
        keymap: cli.keymap.clone(),
        no_mouse: cli.no_mouse,
        kiosk: cli.kiosk,
        rotate: cli.rotate,
        config_dir: None,
    }
}

/// A macro named on the command line, checked before anything starts.
fn load_macro(path: &Option<PathBuf>) -> Result<Option<opsconsole::macros::Macro>, String> {
    path.as_ref()
        .map(|p| opsconsole::macros::load(p))
        .transpose()
}

/// The backend, read-only in a kiosk.
fn wrap(b: Arc<dyn Backend>, kiosk: bool) -> Arc<dyn Backend> {
    if kiosk {
        Arc::new(ReadOnly::new(Box::new(b)))
    } else {
        b
    }
}

fn run_console(cli: &Cli, docker: Option<endpoint::Endpoint>, started: Instant) -> i32 {
    if !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        eprintln!(
            "opsconsole: the console needs a terminal; use `opsconsole ctl docker ...` for scripts, or --headless --play FILE"
        );
        return 1;
    }
    let config = config::build(&overrides(cli), |k| std::env::var(k).ok());
    let kiosk = config.kiosk.clone();
    if kiosk.is_some() && cli.record.is_some() {
        eprintln!("opsconsole: a kiosk writes no files: --record cannot be used with --kiosk");
        return 2;
    }
    let playing = match load_macro(&cli.play) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("opsconsole: {e}");
            return 2;
        }
    };
    let Some(rt) = runtime() else { return 1 };
    let backend: Arc<dyn Backend> = match docker {
        Some(ep) => Arc::new(Docker::new(ep)),
        None => {
            let built = builtin_backend(cli.state.clone(), cli.speed)
                .and_then(|b| rt.block_on(kube_or(cli, b)));
            match built {
                Ok(b) => b,
                Err(e) => {
                    eprintln!("{e}");
                    return 1;
                }
            }
        }
    };
    let backend = wrap(backend, kiosk.is_some());
    let mut recorded = None;
    let mut first_frame = None;
    let mut cluster_frame = None;
    let result = rt.block_on(async {
        let info = backend.info();
        let guard =
            console::enter_terminal(config.mouse).map_err(|e| format!("opsconsole: {e}"))?;
        let term = ratatui::Terminal::new(Quiet::new(ratatui::backend::CrosstermBackend::new(
            std::io::stdout(),
        )))
        .map_err(|e| format!("opsconsole: {e}"))?;
        let mut runner = Runner::new(App::new(config, info), backend, term);
        runner.pace = cli.pace;
        if let Some(every) = kiosk.as_ref().and_then(|k| k.rotate) {
            runner.rotate_every(every);
        }
        if cli.record.is_some() {
            runner.record();
        }
        if let Some(m) = playing {
            runner.play(m);
        }
        if runner.app.info.kind == opsconsole::backend::BackendKind::Docker {
            runner.stats_every(Duration::from_secs(5));
        }
        let input = futures::StreamExt::boxed(futures::stream::select(
            console::terminal_actions(),
            console::signal_actions(),
        ));
        // The first frame at once; the cluster fills it in as it arrives.
        runner.draw().map_err(|e| format!("opsconsole: {e}"))?;
        first_frame = Some(started.elapsed());
        let r = runner.run(input).await;
        cluster_frame = runner.loaded_frame.map(|t| t - started);
        recorded = runner.recording.take().map(|(keys, _)| keys);
        drop(runner);
        drop(guard);
        r.map_err(|e| format!("opsconsole: the terminal went away: {e}"))
    });
    // Shuts the cluster down (saving it) with the runtime's tasks.
    drop(rt);
    if let (Some(path), Some(keys)) = (&cli.record, recorded) {
        match std::fs::write(path, opsconsole::macros::record(&keys)) {
            Ok(()) => eprintln!("recorded {} keys to {}", keys.len(), path.display()),
            Err(e) => eprintln!("opsconsole: cannot write {}: {e}", path.display()),
        }
    }
    if std::env::var_os("OPSCONSOLE_TIMING").is_some()
        && let Some(t) = first_frame
    {
        eprintln!("first frame after {:.1} ms", t.as_secs_f64() * 1000.0);
        if let Some(c) = cluster_frame {
            eprintln!(
                "first frame showing the cluster after {:.1} ms",
                c.as_secs_f64() * 1000.0
            );
        }
    }
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("{e}");
            1
        }
    }
}

/// `--headless --play FILE`: no terminal; the built-in cluster's time advances as the
/// macro waits.
fn run_headless(cli: &Cli, docker: Option<endpoint::Endpoint>) -> i32 {
    let m = match load_macro(&cli.play) {
        Ok(Some(m)) => m,
        Ok(None) => return 2,
        Err(e) => {
            eprintln!("opsconsole: {e}");
            return 2;
        }
    };
    let config = config::build(&overrides(cli), |k| std::env::var(k).ok());
    let kiosk = config.kiosk.is_some();
    let Some(rt) = runtime() else { return 1 };
    let fresh = tempfile_dir();
    let r = rt.block_on(async {
        let (backend, clock): (Arc<dyn Backend>, Clock) = match docker {
            Some(ep) => (Arc::new(Docker::new(ep)), Clock::Real),
            None => {
                let dir = match (&cli.state, &fresh) {
                    (Some(d), _) => d.clone(),
                    (None, Ok(t)) => t.join("cluster"),
                    (None, Err(e)) => return Err(e.clone()),
                };
                let b = Builtin::new(Options {
                    hosting: Hosting::InProcess,
                    dir,
                    speed: 0.0,
                    demo_if_new: false,
                    seed: 0,
                    start: opsconsole_sim::base::time::SimTime::parse_rfc3339(HEADLESS_START)
                        .unwrap_or_default(),
                });
                let clock = if cli.kubeconfig.is_some() {
                    Clock::Real
                } else {
                    Clock::Simulated
                };
                (kube_or(cli, b).await?, clock)
            }
        };
        let backend = wrap(backend, kiosk);
        let (w, h) = cli.size;
        let term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h))
            .map_err(|e| e.to_string())?;
        let info = backend.info();
        let mut runner = Runner::new(App::new(config, info), backend, term);
        let r = play::headless(&mut runner, m, clock).await;
        if let Some(path) = &cli.screen {
            std::fs::write(path, &runner.screen)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        r
    });
    drop(rt);
    if let Ok(t) = &fresh {
        let _ = std::fs::remove_dir_all(t);
    }
    match r {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("{e}");
            1
        }
    }
}

/// Where a headless run's throwaway cluster lives.
fn tempfile_dir() -> Result<PathBuf, String> {
    let d = std::env::temp_dir().join(format!("opsconsole-headless-{}", std::process::id()));
    std::fs::create_dir_all(&d).map_err(|e| format!("{}: {e}", d.display()))?;
    Ok(d)
}

/// The simulated start of a headless run's fresh cluster (fixed, so runs repeat).
const HEADLESS_START: &str = "2026-11-22T10:00:00Z";

/// The built-in cluster of a state directory, served by a background process.
fn builtin_backend(state: Option<PathBuf>, speed: f64) -> Result<Builtin, String> {
    let dir = ctl::state_dir(&state)?;
    // A state that cannot be used is reported before the screen is taken over.
    opsconsole_sim::store::Store::check(&dir).map_err(|e| format!("opsconsole: {e}"))?;
    let exe = std::env::current_exe().map_err(|e| {
        format!("opsconsole: cannot find this program to start the cluster server: {e}")
    })?;
    Ok(Builtin::new(Options {
        hosting: Hosting::Daemon { exe },
        dir,
        speed,
        // The very first start of the default state shows a living cluster.
        demo_if_new: state.is_none(),
        seed: 0,
        start: opsconsole_sim::store::wall_clock_now(),
    }))
}

/// The backend the Kubernetes flags ask for (a kubeconfig's cluster, or the built-in one's
/// Kubernetes side through `builtin`), else `builtin` itself.
async fn kube_or(cli: &Cli, builtin: Builtin) -> Result<Arc<dyn Backend>, String> {
    use opsconsole::backend::kube;
    let ns = cli.namespace.as_deref();
    if let Some(file) = &cli.kubeconfig {
        let file = Some(std::path::Path::new(file)).filter(|f| !f.as_os_str().is_empty());
        let k = kube::config::connect(file, cli.context.as_deref(), ns).await;
        return k
            .map(|k| Arc::new(k) as Arc<dyn Backend>)
            .map_err(|e| format!("opsconsole: {e}"));
    }
    if !cli.kube {
        return Ok(Arc::new(builtin));
    }
    let ns = ns.filter(|n| *n != "all").map(str::to_string);
    Ok(Arc::new(builtin.kube_lazily(ns)))
}

/// The console's single-threaded runtime (an error is printed).
fn runtime() -> Option<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| eprintln!("opsconsole: cannot start: {e}"))
        .ok()
}
