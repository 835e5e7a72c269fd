#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};
use opsconsole::app::App;
use opsconsole::app::config::{self, Overrides};
use opsconsole::backend::Backend;
use opsconsole::backend::builtin::{Builtin, Options};
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

    #[command(subcommand)]
    cmd: Option<Sub>,
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
}

fn main() {
    let started = Instant::now();
    let _ = color_eyre::install();
    let cli = Cli::parse();
    let code = match cli.cmd {
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
        None => run_console(
            cli.state,
            cli.speed,
            cli.theme,
            cli.keymap,
            cli.no_mouse,
            started,
        ),
    };
    std::process::exit(code);
}

fn run_console(
    state: Option<PathBuf>,
    speed: f64,
    theme: Option<String>,
    keymap: Option<String>,
    no_mouse: bool,
    started: Instant,
) -> i32 {
    if !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        eprintln!(
            "opsconsole: the console needs a terminal; use `opsconsole ctl docker ...` for scripts"
        );
        return 1;
    }
    let config = config::build(
        &Overrides {
            theme,
            keymap,
            no_mouse,
            config_dir: None,
        },
        |k| std::env::var(k).ok(),
    );
    let dir = match ctl::state_dir(&state) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("opsconsole: cannot start: {e}");
            return 1;
        }
    };
    let opts = Options {
        dir,
        speed,
        // The very first start of the default state shows a living cluster.
        demo_if_new: state.is_none(),
        seed: 0,
        start: opsconsole::store::wall_clock_now(),
    };
    let mut first_frame = None;
    let result = rt.block_on(async {
        let backend = Builtin::open(opts, Duration::from_secs(10))
            .await
            .map_err(|e| format!("opsconsole: {e}"))?;
        let info = backend.info();
        let backend: Arc<dyn Backend> = Arc::new(backend);
        let mouse = config.mouse;
        let guard = console::enter_terminal(mouse).map_err(|e| format!("opsconsole: {e}"))?;
        let term = ratatui::Terminal::new(Quiet::new(ratatui::backend::CrosstermBackend::new(
            std::io::stdout(),
        )))
        .map_err(|e| format!("opsconsole: {e}"))?;
        let mut runner = Runner::new(App::new(config, info), backend, term);
        // Wait briefly for the first snapshot, so the first frame shows the cluster.
        let input = futures::StreamExt::boxed(futures::stream::select(
            console::terminal_actions(),
            console::signal_actions(),
        ));
        let mut nothing = futures::StreamExt::boxed(futures::stream::pending());
        let deadline = tokio::time::Instant::now() + Duration::from_millis(200);
        while !runner.app.data.loaded {
            match tokio::time::timeout_at(deadline, runner.next(&mut nothing)).await {
                Ok(Some(Some(a))) => runner.dispatch(a),
                _ => break,
            }
        }
        runner.draw().map_err(|e| format!("opsconsole: {e}"))?;
        first_frame = Some(started.elapsed());
        let r = runner.run(input).await;
        drop(runner);
        drop(guard);
        r.map_err(|e| format!("opsconsole: the terminal went away: {e}"))
    });
    // Shuts the cluster down (saving it) with the runtime's tasks.
    drop(rt);
    if std::env::var_os("OPSCONSOLE_TIMING").is_some()
        && let Some(t) = first_frame
    {
        eprintln!("first frame after {:.1} ms", t.as_secs_f64() * 1000.0);
    }
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("{e}");
            1
        }
    }
}
