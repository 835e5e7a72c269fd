//! A Kubernetes cluster as a [`Backend`], over the `kube` crate's client: any cluster a
//! kubeconfig reaches, and the built-in one through its own API (the same code, so what the
//! console shows of the simulator is what it would show of a real cluster).
//!
//! - the watch is kube-rs's watchers, one per kind, scoped to a namespace or to all
//!   ([`watch`]);
//! - commands are kubectl's, run by opsconsole's kubectl client over the same
//!   `::kube::Client` (the `:` line, the panes' verbs);
//! - logs are the pods' log streams.

pub mod config;
mod logs;
mod watch;

use super::*;
use futures::StreamExt;
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use std::sync::Arc;
use std::time::Duration;

/// Where the built-in cluster tells its clock (a real API server answers 404: wall time).
pub const CLOCK_PATH: &str = "/.opsconsole/clock";

/// How commands wait: as a client of a server elsewhere, or of a cluster this process hosts
/// on another thread (its requests go straight to the host).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    Served,
    Hosted,
}

/// What a Kubernetes backend connects to.
#[derive(Clone, Debug)]
pub struct Target {
    /// What the header shows: the context and server (`kubernetes-admin@kubernetes ·
    /// https://192.168.122.11:6443`).
    pub endpoint: String,
    /// The API server's address, as messages name it.
    pub server: String,
    /// The namespace views are scoped to (none: all namespaces).
    pub namespace: Option<String>,
    /// It is the built-in cluster (time is simulated).
    pub simulated: bool,
    pub reach: Reach,
}

pub(crate) struct Shared {
    client: ::kube::Client,
    target: Target,
    /// Where the built-in cluster's other commands go (`sim ...`, and docker's for its
    /// swarm): the cluster's own backend.
    others: Option<Arc<dyn Backend>>,
    /// A command may have moved the built-in cluster's clock (`sim advance`): the watch
    /// reads it again.
    clock_moved: tokio::sync::Notify,
}

impl Shared {
    async fn clock(&self) -> ClockInfo {
        if self.target.simulated {
            watch::clock_of(&self.client).await
        } else {
            ClockInfo::wall()
        }
    }
}

/// A Kubernetes cluster.
#[derive(Clone)]
pub struct Kube {
    shared: Arc<Shared>,
}

/// The longest wait between two attempts to reach a server that went away.
const MAX_BACKOFF: Duration = Duration::from_secs(2);

impl Kube {
    pub fn new(client: ::kube::Client, target: Target) -> Kube {
        Kube::with(client, target, None)
    }

    fn with(client: ::kube::Client, target: Target, others: Option<Arc<dyn Backend>>) -> Kube {
        Kube {
            shared: Arc::new(Shared {
                client,
                target,
                others,
                clock_moved: tokio::sync::Notify::new(),
            }),
        }
    }

    /// The same cluster, its views scoped to one namespace (none: all).
    pub fn scoped(self, namespace: Option<&str>) -> Kube {
        let s = &self.shared;
        let target = Target {
            namespace: namespace.map(str::to_string),
            ..s.target.clone()
        };
        Kube::with(s.client.clone(), target, s.others.clone())
    }

    /// The same cluster, sending commands other than kubectl's to `others` (the built-in
    /// cluster's own backend: `sim` commands, and docker's for its swarm).
    pub fn with_others(self, others: Arc<dyn Backend>) -> Kube {
        let s = &self.shared;
        Kube::with(s.client.clone(), s.target.clone(), Some(others))
    }

    pub fn client(&self) -> &::kube::Client {
        &self.shared.client
    }

    async fn run_kubectl(
        shared: Arc<Shared>,
        cmd: Box<opsconsole_sim::lang::kubectl::KubectlCmd>,
        stdin: Option<String>,
    ) -> Result<CmdOutput, BackendError> {
        let mut out = opsconsole_kubectl::Out::default();
        out.stdin = stdin;
        let code = match shared.target.reach {
            Reach::Served => opsconsole_kubectl::run(&shared.client, &cmd, &mut out).await,
            Reach::Hosted => opsconsole_kubectl::run_hosted(&shared.client, &cmd, &mut out).await,
        };
        out.flush_warnings();
        Ok(CmdOutput {
            code,
            stdout: String::from_utf8_lossy(&out.out).into_owned(),
            stderr: String::from_utf8_lossy(&out.err).into_owned(),
        })
    }

    async fn inspect_async(
        shared: Arc<Shared>,
        r: ObjRef,
    ) -> Result<serde_json::Value, BackendError> {
        let url = object_url(&r)?;
        let req = http::Request::get(url)
            .body(Vec::new())
            .map_err(|e| BackendError::failed(e.to_string()))?;
        let mut v: serde_json::Value = shared
            .client
            .request(req)
            .await
            .map_err(|e| failure(&shared, e))?;
        // As `kubectl get -o yaml` shows it (managedFields only on request).
        if let Some(m) = v.get_mut("metadata").and_then(|m| m.as_object_mut()) {
            m.remove("managedFields");
        }
        Ok(v)
    }
}

/// A client error as the console reports it: the server's own message, or where it could
/// not be reached.
fn failure(shared: &Shared, e: ::kube::Error) -> BackendError {
    match e {
        ::kube::Error::Api(s) => BackendError::failed(format!("Error from server: {}", s.message)),
        e => {
            BackendError::unavailable(format!("Kubernetes API at {}: {e}", shared.target.endpoint))
        }
    }
}

/// What `kubectl drain NODE --ignore-daemonsets --delete-emptydir-data` would do: the pods
/// it evicts (their controllers start them elsewhere), and those it leaves or refuses.
async fn drain_plan(shared: &Shared, node: &str) -> Result<Plan, BackendError> {
    use k8s_openapi::api::core::v1::Pod;
    let api: ::kube::Api<Pod> = ::kube::Api::all(shared.client.clone());
    let lp = ::kube::api::ListParams::default().fields(&format!("spec.nodeName={node}"));
    let pods = api.list(&lp).await.map_err(|e| failure(shared, e))?;
    let mut plan = Plan::default();
    for p in pods.items {
        let m = &p.metadata;
        let name = format!(
            "{}/{}",
            m.namespace.as_deref().unwrap_or_default(),
            m.name.as_deref().unwrap_or_default()
        );
        let controller = m
            .owner_references
            .iter()
            .flatten()
            .find(|o| o.controller == Some(true));
        let mirror = m
            .annotations
            .as_ref()
            .is_some_and(|a| a.contains_key("kubernetes.io/config.mirror"));
        let ended = matches!(
            p.status.as_ref().and_then(|s| s.phase.as_deref()),
            Some("Succeeded" | "Failed")
        );
        match controller {
            _ if mirror => plan.notes.push(format!("{name}: a static pod, stays")),
            Some(o) if o.kind == "DaemonSet" => {
                plan.notes.push(format!("{name}: a DaemonSet's pod, stays"))
            }
            None if !ended => plan.notes.push(format!(
                "{name}: no controller would start it again — kubectl drain refuses without --force"
            )),
            _ => plan.moves.push(PlannedMove {
                task: m.name.clone().unwrap_or_default(),
                from: Some(node.to_string()),
                to: None,
            }),
        }
    }
    if !plan.moves.is_empty() {
        plan.notes.push(
            "evicted pods are started again elsewhere by their controllers (the scheduler picks the node)".into(),
        );
    }
    if plan.moves.is_empty() && plan.notes.is_empty() {
        plan.notes
            .push(format!("no pods on {node}: it is only cordoned"));
    }
    Ok(plan)
}

/// The API path of an object.
pub fn object_url(r: &ObjRef) -> Result<String, BackendError> {
    let (prefix, plural) = match r.kind {
        ResKind::KubeNode => ("/api/v1", "nodes"),
        ResKind::Pod => ("/api/v1", "pods"),
        ResKind::Deployment => ("/apis/apps/v1", "deployments"),
        ResKind::ReplicaSet => ("/apis/apps/v1", "replicasets"),
        ResKind::StatefulSet => ("/apis/apps/v1", "statefulsets"),
        ResKind::DaemonSet => ("/apis/apps/v1", "daemonsets"),
        ResKind::Job => ("/apis/batch/v1", "jobs"),
        ResKind::CronJob => ("/apis/batch/v1", "cronjobs"),
        other => {
            return Err(BackendError::new(
                ErrorKind::Unsupported,
                format!("a Kubernetes cluster has no {}s", other.noun()),
            ));
        }
    };
    let name = opsconsole_kubectl::api::enc(&r.name);
    Ok(match &r.ns {
        Some(ns) => format!(
            "{prefix}/namespaces/{}/{plural}/{name}",
            opsconsole_kubectl::api::enc(ns)
        ),
        None => format!("{prefix}/{plural}/{name}"),
    })
}

impl Backend for Kube {
    fn info(&self) -> BackendInfo {
        BackendInfo {
            kind: BackendKind::Kubernetes,
            endpoint: self.shared.target.endpoint.clone(),
            read_only: false,
            simulated: self.shared.target.simulated,
            flavor: Flavor::Kube,
            caps: crate::backend::convert::kube::all_caps(),
            creates: Vec::new(),
            scope: self.shared.target.namespace.clone(),
        }
    }

    fn rescoped(&self, namespace: Option<&str>) -> Option<Arc<dyn Backend>> {
        Some(Arc::new(self.clone().scoped(namespace)))
    }

    fn watch(&self) -> BoxStream<'static, WatchEvent> {
        let shared = self.shared.clone();
        crate::backend::task::spawn_stream(16, move |tx| async move {
            let server = shared.target.server.clone();
            let session = move |tx: tokio::sync::mpsc::Sender<WatchEvent>| {
                let shared = shared.clone();
                async move {
                    // The built-in cluster's server is started again if it went away.
                    if let Some(o) = &shared.others
                        && let Ok(inv) = Invocation::new(&["version"])
                    {
                        let _ = o.run(inv, RunOpts::default()).await;
                    }
                    let mut connected = false;
                    watch::session(&shared, &tx, &mut connected)
                        .await
                        .map_err(|e| (e, connected))
                }
            };
            let lost = move |e: String| format!("Kubernetes API at {server}: {e} — retrying");
            crate::backend::task::reconnecting(tx, MAX_BACKOFF, session, lost).await
        })
    }

    fn logs(&self, req: LogRequest) -> BoxStream<'static, LogEvent> {
        let shared = self.shared.clone();
        crate::backend::task::spawn_stream(16, move |tx| logs::stream(shared, req, tx))
    }

    fn run(
        &self,
        inv: Invocation,
        opts: RunOpts,
    ) -> BoxFuture<'static, Result<CmdOutput, BackendError>> {
        let shared = self.shared.clone();
        Box::pin(async move {
            match inv.cmd {
                lang::Cmd::Kubectl(cmd) => Kube::run_kubectl(shared, cmd, inv.stdin).await,
                lang::Cmd::Help(text) => Ok(CmdOutput {
                    code: 0,
                    stdout: text,
                    stderr: String::new(),
                }),
                lang::Cmd::Docker(_) | lang::Cmd::Sim(_) if shared.others.is_some() => {
                    let sim = matches!(inv.cmd, lang::Cmd::Sim(_));
                    let out = match shared.others.clone() {
                        Some(o) => o.run(inv, opts).await,
                        None => Err(BackendError::unavailable("no cluster to run it")),
                    };
                    if sim {
                        shared.clock_moved.notify_one();
                    }
                    out
                }
                lang::Cmd::Docker(_) | lang::Cmd::Sim(_) => Err(BackendError::new(
                    ErrorKind::Unsupported,
                    format!(
                        "{} is a Kubernetes cluster: it takes kubectl commands ({})",
                        shared.target.endpoint,
                        inv.display()
                    ),
                )),
            }
        })
    }

    fn inspect(&self, r: ObjRef) -> BoxFuture<'static, Result<serde_json::Value, BackendError>> {
        Box::pin(Kube::inspect_async(self.shared.clone(), r))
    }

    fn plan(&self, inv: Invocation) -> BoxFuture<'static, Result<Plan, BackendError>> {
        let shared = self.shared.clone();
        Box::pin(async move {
            let node = inv
                .words
                .iter()
                .skip_while(|w| *w != "drain")
                .nth(1)
                .filter(|w| !w.starts_with('-'))
                .cloned();
            match node {
                Some(node) => drain_plan(&shared, &node).await,
                None => Err(BackendError::new(
                    ErrorKind::Unsupported,
                    format!("no plan for `{}`", inv.display()),
                )),
            }
        })
    }
}

/// `StreamExt` is used by the submodules through `super::*`.
#[allow(unused_imports)]
use StreamExt as _;
