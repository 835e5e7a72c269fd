//! `opsconsole serve`: the built-in cluster in a background process, as dockerd is for the
//! docker CLI. A console starts one when none serves its state directory, and every console
//! and `ctl` talks to it over the socket. It keeps the cluster, runs its clock in real time,
//! and exits (saving) shortly after its last client goes, or on SIGTERM, SIGHUP or SIGINT.
//!
//! With `--kube-api ADDR` it also serves the Kubernetes API ([`kubeapi`]) and stays until
//! it is signalled — unless it was started for consoles (`--while-used`): then a connection
//! to the Kubernetes API is a client too, and it leaves when the last one goes.
//!
//! On standard output it says `ready` once it listens (after `kube-api URL KUBECONFIG` when
//! it serves the Kubernetes API), or `busy` (another process has the state) or
//! `error MESSAGE`, then nothing more.

use super::{bootstrap, kubeapi, pki, proto};
use opsconsole_sim::base::time::SimTime;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

#[derive(Clone, Debug)]
pub struct ServeOpts {
    pub dir: PathBuf,
    pub speed: f64,
    pub demo_if_new: bool,
    pub seed: u64,
    pub start: SimTime,
    /// How long to stay after the last client leaves.
    pub linger: Duration,
    /// Serve the Kubernetes API on this address too (and stay until signalled).
    pub kube_api: Option<String>,
    /// Leave when unused even while serving the Kubernetes API.
    pub while_used: bool,
}

/// Exit status when another process has the state.
pub const BUSY: i32 = 3;
/// How long to wait for a first client before giving up.
const FIRST_CLIENT: Duration = Duration::from_secs(10);

fn say(line: &str) {
    let mut out = std::io::stdout();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

pub fn serve(o: ServeOpts) -> i32 {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            say(&format!("error cannot start: {e}"));
            return 1;
        }
    };
    rt.block_on(async move {
        let started = match bootstrap::start(&bootstrap::Start {
            dir: o.dir.clone(),
            speed: o.speed,
            demo_if_new: o.demo_if_new,
            seed: o.seed,
            start: o.start,
            wait: Duration::from_secs(2),
        }) {
            Ok(s) => s,
            Err(bootstrap::StartError::Busy(_)) => {
                say("busy");
                return BUSY;
            }
            Err(bootstrap::StartError::Failed(e)) => {
                say(&format!("error {e}"));
                return 1;
            }
        };
        if let Err(why) = &started.server {
            say(&format!("error {why}"));
            started.stop();
            return 1;
        }
        let clients = started.clients.clone();
        let kube = match &o.kube_api {
            Some(addr) => match start_kube_api(&o.dir, addr, &started).await {
                Ok((task, line)) => {
                    say(&line);
                    Some(task)
                }
                Err(why) => {
                    say(&format!("error {why}"));
                    started.stop();
                    return 1;
                }
            },
            None => None,
        };
        say("ready");
        wait_until_unneeded(&clients, o.linger, kube.is_some() && !o.while_used).await;
        if let Some(k) = kube {
            k.abort();
        }
        // New clients start a new server (which waits for this one to save and let go);
        // one that connected just now is still served for a moment.
        let _ = std::fs::remove_file(proto::socket_path(&o.dir));
        let drain = Instant::now() + Duration::from_secs(3);
        while clients.open.load(Ordering::SeqCst) > 0 && Instant::now() < drain {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        started.stop();
        0
    })
}

/// Listens on `addr` for the Kubernetes API, with the state's certificates, and writes the
/// state's kubeconfig. Returns the server task and the line that says where it listens.
async fn start_kube_api(
    dir: &std::path::Path,
    addr: &str,
    started: &bootstrap::Started,
) -> Result<(tokio::task::JoinHandle<()>, String), String> {
    let pki = pki::ensure(dir)?;
    let cfg = kubeapi::tls_config(&pki)?;
    // Any port: the one the state's kubeconfig names, if it is free, so clients of a server
    // that went away find its successor where they left it.
    let again = match addr.strip_suffix(":0") {
        Some(host) => previous_port(dir).map(|p| format!("{host}:{p}")),
        None => None,
    };
    let listener = match again {
        Some(a) => match tokio::net::TcpListener::bind(&a).await {
            Ok(l) => Ok(l),
            Err(_) => tokio::net::TcpListener::bind(addr).await,
        },
        None => tokio::net::TcpListener::bind(addr).await,
    }
    .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener
        .local_addr()
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let url = format!("https://{local}");
    let kubeconfig = pki::write_kubeconfig(dir, &url, &pki)?;
    let task = tokio::spawn(kubeapi::serve(
        listener,
        cfg,
        started.tx.clone(),
        started.clients.clone(),
    ));
    Ok((task, format!("kube-api {url} {}", kubeconfig.display())))
}

/// The port of the server the state's kubeconfig names.
fn previous_port(dir: &std::path::Path) -> Option<u16> {
    let text = std::fs::read_to_string(dir.join("kubeconfig")).ok()?;
    let server = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("server: "))?
        .trim();
    server
        .rsplit(':')
        .next()?
        .trim_end_matches('/')
        .parse()
        .ok()
}

/// Returns on a signal, or (unless `forever`) once no client has been connected for
/// `linger` (or no client came at all).
async fn wait_until_unneeded(clients: &proto::Clients, linger: Duration, forever: bool) {
    use tokio::signal::unix::{SignalKind, signal};
    let mut sigs: Vec<_> = [
        SignalKind::terminate(),
        SignalKind::hangup(),
        SignalKind::interrupt(),
    ]
    .into_iter()
    .filter_map(|k| signal(k).ok())
    .collect();
    let signalled = async {
        let waits = sigs.iter_mut().map(|s| Box::pin(s.recv()));
        futures::future::select_all(waits).await;
    };
    tokio::pin!(signalled);
    let mut idle_since = Instant::now();
    loop {
        tokio::select! {
            _ = &mut signalled => return,
            _ = tokio::time::sleep(Duration::from_millis(200)) => {}
        }
        if forever {
            continue;
        }
        if clients.open.load(Ordering::SeqCst) > 0 {
            idle_since = Instant::now();
            continue;
        }
        let had_client = clients.ever.load(Ordering::SeqCst) > 0;
        let limit = if had_client { linger } else { FIRST_CLIENT };
        if idle_since.elapsed() >= limit {
            return;
        }
    }
}
