#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};
use opsconsole::ctl::{self, CtlOpts};
use std::path::PathBuf;

/// A terminal console for Docker Swarm and Kubernetes clusters, with a built-in simulated
/// cluster.
#[derive(Parser, Debug)]
#[command(name = "opsconsole", version, about)]
struct Cli {
    /// State directory of the built-in cluster (default: the user's data directory)
    #[arg(long, global = true, value_name = "DIR")]
    state: Option<PathBuf>,

    #[command(subcommand)]
    cmd: Option<Sub>,
}

#[derive(Subcommand, Debug)]
enum Sub {
    /// Run one docker command (or `sim` verb) against the built-in cluster
    #[command(
        after_help = "Examples:\n  opsconsole ctl docker node ls\n  opsconsole ctl docker service create --name web --replicas 3 -p 80:80 nginx\n  opsconsole ctl --on node188 docker ps -a\n  opsconsole ctl sim node down node139\n  opsconsole ctl sim advance 90s"
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
        None => {
            // Until the console exists: show the cluster.
            let mut code = 0;
            for args in [["docker", "node", "ls"], ["docker", "service", "ls"]] {
                code |= ctl::run(CtlOpts {
                    state: cli.state.clone(),
                    args: args.iter().map(|s| s.to_string()).collect(),
                    ..Default::default()
                });
                println!();
            }
            code
        }
    };
    std::process::exit(code);
}
