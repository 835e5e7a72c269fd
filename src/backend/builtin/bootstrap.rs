//! Opening a state directory and serving it: the one way a built-in cluster starts, whether
//! in a console's own process or in `opsconsole serve`.

use super::host::{Host, Request};
use super::proto;
use opsconsole_sim as orch;
use opsconsole_sim::base::time::SimTime;
use opsconsole_sim::store::{Store, StoreError};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::Sender;
use std::thread::JoinHandle;
use std::time::Duration;

/// What to open, and what a cluster this creates starts as.
#[derive(Clone, Debug)]
pub struct Start {
    pub dir: PathBuf,
    /// Simulated seconds per wall-clock second.
    pub speed: f64,
    /// Add the demo workloads if this creates the cluster.
    pub demo_if_new: bool,
    pub seed: u64,
    pub start: SimTime,
    /// How long to wait for another process to let go of the state.
    pub wait: Duration,
}

/// Why a cluster did not start.
#[derive(Debug)]
pub enum StartError {
    /// Another process has the state.
    Busy(String),
    /// Nothing a retry would fix (corrupt state, no thread).
    Failed(String),
}

/// A cluster being served: its host thread, and its socket server if it could listen.
pub struct Started {
    pub tx: Sender<Request>,
    pub thread: JoinHandle<()>,
    /// The socket server's task, or why other processes cannot share the cluster.
    pub server: Result<tokio::task::JoinHandle<()>, String>,
    /// The socket's clients.
    pub clients: Arc<proto::Clients>,
}

impl Started {
    /// Stops serving: the server first, then the host, which saves the cluster.
    pub fn stop(self) {
        if let Ok(s) = &self.server {
            s.abort();
        }
        let _ = self.tx.send(Request::Shutdown);
        let _ = self.thread.join();
    }
}

/// Opens (or creates) the cluster of `o.dir`, starts its host thread and serves it on the
/// state's socket. Runs on a tokio runtime (the server is one of its tasks).
pub fn start(o: &Start) -> Result<Started, StartError> {
    let mut created = false;
    let (store, cl) = Store::open(&o.dir, o.wait, || {
        created = true;
        orch::seed_cluster(o.seed, o.start)
    })
    .map_err(|e| match e {
        StoreError::Busy(_) => StartError::Busy(e.to_string()),
        other => StartError::Failed(other.to_string()),
    })?;
    let mut host = Host::new(store, cl, o.speed);
    if created && o.demo_if_new {
        host.load_demo();
    }
    let (tx, rx) = std::sync::mpsc::channel();
    host.run_kubectl_with(tx.clone(), super::kubectl::spawn);
    let thread = std::thread::Builder::new()
        .name("opsconsole-cluster".into())
        .spawn(move || host.run(rx))
        .map_err(|e| StartError::Failed(format!("cannot start the cluster thread: {e}")))?;
    // We hold the state, so a socket left in the directory is a dead process's.
    let sock = proto::socket_path(&o.dir);
    let _ = std::fs::remove_file(&sock);
    let clients = Arc::new(proto::Clients::default());
    let server = tokio::net::UnixListener::bind(&sock)
        .map(|l| tokio::spawn(proto::serve(l, tx.clone(), clients.clone())))
        .map_err(|e| format!("cannot listen on {}: {e}", sock.display()));
    Ok(Started {
        tx,
        thread,
        server,
        clients,
    })
}
