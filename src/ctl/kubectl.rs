//! `opsconsole ctl kubectl ...`: one kubectl command through opsconsole's own kubectl client
//! ([`opsconsole_kubectl`]): against the API server serving the state when one does (its
//! kubeconfig), against a kubeconfig given with `--kubeconfig`, or in process, over the
//! API's own request handler with the state opened here.

use opsconsole_kubectl::{Out, inprocess};
use opsconsole_sim::Cluster;
use opsconsole_sim::base::time::SimDuration;
use opsconsole_sim::lang::kubectl::{KubectlCmd, Verb};
use opsconsole_sim::store::Store;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Prints what the command printed; returns its status.
fn finish(out: Out, code: i32) -> i32 {
    let _ = std::io::stdout().write_all(&out.out);
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().write_all(&out.err);
    code
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("opsconsole: cannot start the async runtime: {e}"))
}

/// The API server a kubeconfig's context points at answers on its port.
fn reachable(config: &opsconsole_kubectl::kube::Config) -> bool {
    let uri = &config.cluster_url;
    let Some(host) = uri.host() else {
        return false;
    };
    let port = uri.port_u16().unwrap_or(443);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let Ok(addrs) = std::net::ToSocketAddrs::to_socket_addrs(&(host, port)) else {
        return false;
    };
    addrs
        .into_iter()
        .any(|a| std::net::TcpStream::connect_timeout(&a, Duration::from_millis(300)).is_ok())
}

/// A sink that writes to this process's standard output and error as text is printed.
fn terminal() -> opsconsole_kubectl::Sink {
    Box::new(|o: &[u8], e: &[u8]| {
        let mut stdout = std::io::stdout();
        let _ = stdout.write_all(o);
        let _ = stdout.flush();
        let _ = std::io::stderr().write_all(e);
    })
}

/// Standard input read as it comes, a chunk at a time (for `exec -i`), on a thread of its
/// own that ends at end of file.
fn live_stdin() -> futures::channel::mpsc::UnboundedReceiver<Vec<u8>> {
    let (tx, rx) = futures::channel::mpsc::unbounded();
    std::thread::spawn(move || {
        let mut stdin = std::io::stdin();
        let mut buf = [0u8; 4096];
        loop {
            match std::io::Read::read(&mut stdin, &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if tx.unbounded_send(buf[..n].to_vec()).is_err() {
                        break;
                    }
                }
            }
        }
    });
    rx
}

/// The command's output, with its standard input when it reads it (`-f -`, `exec -i`).
fn new_out(cmd: &KubectlCmd) -> Result<Out, String> {
    let mut out = Out::default();
    out.stdin_is_terminal = std::io::IsTerminal::is_terminal(&std::io::stdin());
    if let opsconsole_sim::lang::kubectl::Verb::Exec(e) = &cmd.verb
        && e.stdin
    {
        out.live_stdin = Some(live_stdin());
        return Ok(out);
    }
    if cmd.reads_stdin() {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map_err(|e| format!("error: cannot read standard input: {e}"))?;
        out.stdin = Some(text);
    }
    Ok(out)
}

/// Runs `cmd` against a kubeconfig's cluster (its output streams: the server has saved
/// every change before it answers).
async fn over_kubeconfig(
    cmd: &KubectlCmd,
    config: opsconsole_kubectl::kube::Config,
    mut out: Out,
) -> i32 {
    out.sink = Some(terminal());
    let client = match opsconsole_kubectl::connect::client(config, &cmd.globals) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    let run = opsconsole_kubectl::run(&client, cmd, &mut out);
    let code = tokio::select! {
        code = run => code,
        _ = tokio::signal::ctrl_c() => 130,
    };
    finish(out, code)
}

/// Runs `cmd` with the state opened here: the cluster's owner answers the client's requests
/// until the command is done, then the state is saved. Output is held back until then,
/// except for a command that follows the cluster until interrupted (`get -w`): its
/// output streams, and simulated time runs with the clock while it waits.
fn in_process(
    cmd: &KubectlCmd,
    namespace: &str,
    store: &mut Store,
    cl: &mut Cluster,
    mut out: Out,
) -> i32 {
    let rt = match runtime() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    let follows = cmd.follows();
    if follows {
        out.sink = Some(terminal());
    }
    let code = rt.block_on(async {
        let mut last = std::time::Instant::now();
        let (tx, mut rx) = tokio::sync::mpsc::channel::<inprocess::Call>(16);
        let verbosity = opsconsole_kubectl::verbose::level(cmd.globals.verbosity.as_deref());
        let client = inprocess::client(tx, namespace, verbosity);
        let run = opsconsole_kubectl::run_in_process(&client, cmd, &mut out);
        tokio::pin!(run);
        let mut streams = inprocess::Streams::default();
        loop {
            tokio::select! {
                biased;
                code = &mut run => break code,
                _ = tokio::signal::ctrl_c(), if follows => break 130,
                Some((req, answer)) = rx.recv() => {
                    let resp = match inprocess::pause_of(&req) {
                        Some(ms) => {
                            cl.advance(SimDuration::from_millis(ms as i64));
                            inprocess::paused()
                        }
                        None => cl.kube_api(&req),
                    };
                    let _ = answer.send(streams.answer(resp));
                    streams.pump(cl.state());
                }
                // The client waits on a stream and asks nothing more: simulated time runs
                // to the next thing due (a wait takes no wall-clock time), or, for a
                // command that follows the cluster, with the clock.
                () = inprocess::idle(), if !streams.is_empty() => {
                    if follows {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        let now = std::time::Instant::now();
                        let ms = now.duration_since(last).as_millis() as i64;
                        last = now;
                        cl.advance(SimDuration::from_millis(ms));
                    } else {
                        match cl.next_event_time() {
                            Some(t) => cl.advance_to(t),
                            None => tokio::time::sleep(Duration::from_millis(20)).await,
                        }
                    }
                    streams.pump(cl.state());
                }
            }
        }
    });
    if let Err(e) = store.save(cl) {
        let _ = writeln!(
            std::io::stderr(),
            "opsconsole: the command ran but its result could not be saved: {e}"
        );
        return 1;
    }
    finish(out, code)
}

/// Runs one kubectl command for the state in `dir`: over a kubeconfig (one named, or the
/// state's when its server answers), else through a console holding the state (`remote`,
/// given what the command reads on its standard input; `None` when no console answers),
/// else with the state opened here (`open`).
pub fn run(
    cmd: &KubectlCmd,
    dir: &Path,
    remote: impl FnOnce(Option<String>) -> Option<i32>,
    open: impl FnOnce() -> Result<(Store, Cluster), String>,
) -> i32 {
    let rt = match runtime() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    let given = cmd.globals.kubeconfig.as_ref().map(PathBuf::from);
    let served = dir.join("kubeconfig");
    let file = given.clone().unwrap_or(served);
    let out = |cmd: &KubectlCmd| {
        new_out(cmd).map_err(|e| {
            eprintln!("{e}");
        })
    };
    if matches!(cmd.verb, Verb::Config(_)) {
        // A local command: it edits the kubeconfig and asks no cluster.
        let shown = cmd
            .globals
            .kubeconfig
            .clone()
            .unwrap_or_else(|| file.display().to_string());
        let Ok(mut out) = out(cmd) else { return 1 };
        let code = opsconsole_kubectl::run_config(cmd, &file, &shown, &mut out);
        return finish(out, code);
    }
    // A kubeconfig or server named on the command line is used, reachable or not; the
    // state's own kubeconfig when its server answers.
    let explicit = given.is_some() || cmd.globals.server.is_some();
    if given.is_some() || file.exists() {
        let config = rt.block_on(opsconsole_kubectl::connect::config(&file, &cmd.globals));
        match config {
            Ok(c) if explicit || reachable(&c) => {
                let Ok(out) = out(cmd) else { return 1 };
                return rt.block_on(over_kubeconfig(cmd, c, out));
            }
            Ok(_) => {}
            Err(e) if explicit => {
                eprintln!("{e}");
                return 1;
            }
            Err(_) => {}
        }
    }
    drop(rt);
    // A console holding the state runs it (its clock runs with the wall's).
    let stdin = match whole_stdin(cmd) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    let stdin_taken = stdin.is_some();
    if let Some(code) = remote(stdin.clone()) {
        return code;
    }
    // In process, the kubeconfig's namespace (`config set-context --current --namespace`)
    // still says where commands start.
    let namespace =
        opsconsole_kubectl::kubeconfig_namespace(&file).unwrap_or_else(|| "default".into());
    let out = if stdin_taken {
        let mut o = Out::default();
        o.stdin = stdin;
        o
    } else {
        let Ok(o) = out(cmd) else { return 1 };
        o
    };
    match open() {
        Ok((mut store, mut cl)) => in_process(cmd, &namespace, &mut store, &mut cl, out),
        Err(e) => {
            eprintln!("{e}");
            1
        }
    }
}

/// What a command sent to a console reads on its standard input, read whole now: a
/// manifest for `-f -`, or the input of `exec -i` when it is not a terminal.
fn whole_stdin(cmd: &KubectlCmd) -> Result<Option<String>, String> {
    let exec_input = matches!(&cmd.verb, Verb::Exec(e) if e.stdin)
        && !std::io::IsTerminal::is_terminal(&std::io::stdin());
    if !cmd.reads_stdin() && !exec_input {
        return Ok(None);
    }
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
        .map_err(|e| format!("error: cannot read standard input: {e}"))?;
    Ok(Some(text))
}
