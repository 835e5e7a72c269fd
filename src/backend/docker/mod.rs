//! A real Docker Engine or Swarm as a [`Backend`], through bollard.
//!
//! Live updates come from the engine's `/events` stream: an event marks kinds of objects dirty,
//! a burst of events is debounced, and only the dirty kinds are listed again; the console gets
//! the difference. Task state changes have no events of their own (and containers on other
//! nodes none this manager sees), so in swarm mode the tasks are listed again every second
//! while something converges and every 10 seconds otherwise. Lists are never requested with
//! sizes. If the engine goes away the stream says so, retries with backoff (at most 2 s apart)
//! and resynchronises with a new snapshot when it is back.

pub mod convert;
pub mod endpoint;
mod logs;
pub mod raw;
mod run;

use crate::backend::*;
use bollard::query_parameters::{
    EventsOptions, ListContainersOptions, ListNetworksOptions, ListNodesOptions,
    ListServicesOptions, ListTasksOptions, ListVolumesOptions,
};
use convert::Raw;
use endpoint::Endpoint;
use futures::{FutureExt, StreamExt};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// How long connecting may take before the endpoint is reported unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// Requests other than streams.
const REQUEST_TIMEOUT_S: u64 = 60;
/// Events are collected this long after the first of a burst before anything is listed.
const DEBOUNCE: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(2);
const INFO_INTERVAL: Duration = Duration::from_secs(60);

pub struct Docker {
    shared: Arc<Shared>,
}

struct Shared {
    endpoint: Endpoint,
    /// The engine is a swarm manager (as the watcher last saw it).
    swarm: AtomicBool,
}

impl Docker {
    pub fn new(endpoint: Endpoint) -> Docker {
        Docker {
            shared: Arc::new(Shared {
                endpoint,
                swarm: AtomicBool::new(true),
            }),
        }
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.shared.endpoint
    }

    /// A client for the endpoint, with the API version agreed with the engine.
    pub async fn client(&self) -> Result<bollard::Docker, BackendError> {
        connect(&self.shared.endpoint).await
    }
}

fn unavailable(ep: &Endpoint, why: impl std::fmt::Display) -> BackendError {
    BackendError::unavailable(format!("Docker at {}: {why}", ep.host))
}

/// The engine's own message for an API error, as the docker CLI prints it.
pub fn api_error(e: &bollard::errors::Error) -> String {
    match e {
        bollard::errors::Error::DockerResponseServerError { message, .. } => {
            format!("Error response from daemon: {message}")
        }
        other => other.to_string(),
    }
}

/// Plain words for a connection failure.
fn connect_error(ep: &Endpoint, e: &bollard::errors::Error) -> BackendError {
    // hyper keeps the useful part ("Connection refused") in the error's sources.
    let mut text = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        let more = s.to_string();
        if !text.contains(&more) {
            text = format!("{text}: {more}");
        }
        src = s.source();
    }
    let lower = text.to_lowercase();
    let why = if lower.contains("permission denied") {
        let path = ep.host.trim_start_matches("unix://");
        format!(
            "permission denied on {path} (add your user to the docker group, or run as a user \
             that may use the socket)"
        )
    } else if lower.contains("no such file") || lower.contains("socket not found") {
        format!("{text} (is the Docker daemon running?)")
    } else if lower.contains("connection refused") {
        "connection refused (is the Docker daemon running?)".to_string()
    } else {
        text
    };
    unavailable(ep, why)
}

async fn connect(ep: &Endpoint) -> Result<bollard::Docker, BackendError> {
    use bollard::API_DEFAULT_VERSION as V;
    let host = ep.host.as_str();
    let client = if let Some(path) = host.strip_prefix("unix://") {
        if let Err(e) = std::fs::metadata(path) {
            return Err(unavailable(
                ep,
                format!("{path}: {e} (is the Docker daemon running?)"),
            ));
        }
        bollard::Docker::connect_with_unix(host, REQUEST_TIMEOUT_S, V)
    } else if host.starts_with("ssh://") {
        bollard::Docker::connect_with_ssh(host, REQUEST_TIMEOUT_S, V, None)
    } else if let Some(tls) = &ep.tls {
        bollard::Docker::connect_with_ssl(host, &tls.key, &tls.cert, &tls.ca, REQUEST_TIMEOUT_S, V)
    } else {
        bollard::Docker::connect_with_http(host, REQUEST_TIMEOUT_S, V)
    }
    .map_err(|e| connect_error(ep, &e))?;
    // `docker service logs` asks for details: they carry the task and node of each line.
    let client = client.with_request_modifier(|mut req| {
        let uri = req.uri().clone();
        let path = uri.path();
        if path.ends_with("/logs") && (path.contains("/services/") || path.contains("/tasks/")) {
            let q = uri
                .query()
                .map(|q| format!("{q}&details=1"))
                .unwrap_or("details=1".into());
            let mut parts = uri.clone().into_parts();
            if let Ok(pq) = format!("{path}?{q}").parse() {
                parts.path_and_query = Some(pq);
                if let Ok(u) = http::Uri::from_parts(parts) {
                    *req.uri_mut() = u;
                }
            }
        }
        req
    });
    match tokio::time::timeout(CONNECT_TIMEOUT, client.negotiate_version()).await {
        Ok(Ok(c)) => Ok(c),
        Ok(Err(e)) => Err(connect_error(ep, &e)),
        Err(_) => Err(unavailable(
            ep,
            format!("no answer within {} s", CONNECT_TIMEOUT.as_secs()),
        )),
    }
}

fn json<T: serde::Serialize>(v: T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn fetch_err(what: &str, e: bollard::errors::Error) -> String {
    format!("listing {what}: {}", api_error(&e))
}

/// Which kinds of objects to list again.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Dirty {
    info: bool,
    nodes: bool,
    services: bool,
    tasks: bool,
    containers: bool,
    volumes: bool,
    networks: bool,
    /// Containers that had events: their start and finish times are read again.
    touched: std::collections::BTreeSet<String>,
}

impl Dirty {
    fn all() -> Dirty {
        Dirty {
            info: true,
            nodes: true,
            services: true,
            tasks: true,
            containers: true,
            volumes: true,
            networks: true,
            touched: Default::default(),
        }
    }

    fn any(&self) -> bool {
        *self != Dirty::default()
    }

    fn merge(&mut self, o: Dirty) {
        self.touched.extend(o.touched);
        self.info |= o.info;
        self.nodes |= o.nodes;
        self.services |= o.services;
        self.tasks |= o.tasks;
        self.containers |= o.containers;
        self.volumes |= o.volumes;
        self.networks |= o.networks;
    }

    /// What an event from `/events` makes stale.
    fn of_event(ev: &bollard::models::EventMessage) -> Dirty {
        let kind = ev.typ.map(|t| t.to_string()).unwrap_or_default();
        let action = ev.action.clone().unwrap_or_default();
        let attrs = ev.actor.as_ref().and_then(|a| a.attributes.as_ref());
        let mut d = Dirty::default();
        match kind.as_str() {
            "service" => {
                d.services = true;
                d.tasks = true;
            }
            "node" => {
                d.nodes = true;
                d.tasks = true;
            }
            "container" => {
                if action.starts_with("exec_") || action == "top" {
                    return d;
                }
                d.containers = true;
                d.volumes = action == "create" || action == "destroy";
                if let Some(id) = ev.actor.as_ref().and_then(|a| a.id.clone()) {
                    d.touched.insert(id);
                }
                if attrs.is_some_and(|a| a.contains_key("com.docker.swarm.task.id")) {
                    d.tasks = true;
                    d.services = true;
                }
            }
            "volume" => d.volumes = true,
            "network" => d.networks = action == "create" || action == "destroy",
            "daemon" => d.info = true,
            _ => {}
        }
        d
    }
}

fn api_version(c: &bollard::Docker) -> String {
    let v = c.client_version();
    format!("{}.{}", v.major_version, v.minor_version)
}

/// `GET /services` with every field the engine sends (PreviousSpec included).
pub async fn list_services_json(
    c: &bollard::Docker,
    host: &str,
    opts: ListServicesOptions,
) -> Result<Vec<Value>, String> {
    if raw::supported(host) {
        let mut q = vec![];
        if opts.status == Some(true) {
            q.push("status=true".to_string());
        }
        if let Some(f) = &opts.filters {
            let f = serde_json::to_string(f).unwrap_or_default();
            q.push(format!("filters={}", percent(&f)));
        }
        let path = format!("/services?{}", q.join("&"));
        let v = raw::get(host, &api_version(c), &path).await?;
        return Ok(v.as_array().cloned().unwrap_or_default());
    }
    c.list_services(Some(opts))
        .await
        .map(|v| v.into_iter().map(json).collect())
        .map_err(|e| api_error(&e))
}

/// `GET /tasks` with every field the engine sends (so a task's spec compares with its
/// service's task template field for field).
pub async fn list_tasks_json(c: &bollard::Docker, host: &str) -> Result<Vec<Value>, String> {
    if raw::supported(host) {
        let v = raw::get(host, &api_version(c), "/tasks").await?;
        return Ok(v.as_array().cloned().unwrap_or_default());
    }
    c.list_tasks(None::<ListTasksOptions>)
        .await
        .map(|v| v.into_iter().map(json).collect())
        .map_err(|e| api_error(&e))
}

/// `GET /services/{id}` with every field the engine sends.
pub async fn inspect_service_json(
    c: &bollard::Docker,
    host: &str,
    name: &str,
) -> Result<Value, String> {
    if raw::supported(host) {
        return raw::get(
            host,
            &api_version(c),
            &format!("/services/{}", percent(name)),
        )
        .await;
    }
    c.inspect_service(name, None)
        .await
        .map(json)
        .map_err(|e| api_error(&e))
}

/// Percent-encodes a query or path value.
fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Lists what is dirty, into `raw`.
async fn refresh(c: &bollard::Docker, host: &str, raw: &mut Raw, d: Dirty) -> Result<(), String> {
    if d.info {
        let info = c.info().await.map_err(|e| fetch_err("info", e))?;
        let info = json(info);
        raw.swarm = convert::s(&info, "/Swarm/LocalNodeState") == "active"
            && info
                .pointer("/Swarm/ControlAvailable")
                .and_then(Value::as_bool)
                .unwrap_or(false);
        raw.info = info;
    }
    let swarm = raw.swarm;
    let (nodes, services, tasks, containers, volumes, networks) = tokio::join!(
        async {
            if d.nodes && swarm {
                c.list_nodes(None::<ListNodesOptions>).await.map(Some)
            } else {
                Ok(None)
            }
        },
        async {
            if d.services && swarm {
                let opts = ListServicesOptions {
                    status: Some(true),
                    ..Default::default()
                };
                list_services_json(c, host, opts).await.map(Some)
            } else {
                Ok(None)
            }
        },
        async {
            if d.tasks && swarm {
                list_tasks_json(c, host).await.map(Some)
            } else {
                Ok(None)
            }
        },
        async {
            if d.containers {
                let opts = ListContainersOptions {
                    all: true,
                    size: false,
                    ..Default::default()
                };
                c.list_containers(Some(opts)).await.map(Some)
            } else {
                Ok(None)
            }
        },
        async {
            if d.volumes {
                c.list_volumes(None::<ListVolumesOptions>).await.map(Some)
            } else {
                Ok(None)
            }
        },
        async {
            if d.networks {
                c.list_networks(None::<ListNetworksOptions>).await.map(Some)
            } else {
                Ok(None)
            }
        },
    );
    if let Some(v) = nodes.map_err(|e| fetch_err("nodes", e))? {
        raw.nodes = v.into_iter().map(json).collect();
    }
    if let Some(v) = services.map_err(|e| format!("listing services: {e}"))? {
        raw.services = v;
    }
    if let Some(v) = tasks.map_err(|e| format!("listing tasks: {e}"))? {
        raw.tasks = v;
    }
    if let Some(v) = containers.map_err(|e| fetch_err("containers", e))? {
        raw.containers = v.into_iter().map(json).collect();
        container_times(c, raw, &d.touched).await;
    }
    if let Some(v) = volumes.map_err(|e| fetch_err("volumes", e))? {
        raw.volumes = v
            .volumes
            .unwrap_or_default()
            .into_iter()
            .map(json)
            .collect();
    }
    if let Some(v) = networks.map_err(|e| fetch_err("networks", e))? {
        raw.networks = v.into_iter().map(json).collect();
    }
    if !swarm {
        raw.nodes.clear();
        raw.services.clear();
        raw.tasks.clear();
    }
    Ok(())
}

/// When each container last started and finished (`docker ps` only says "Up 5 minutes"):
/// read with an inspect for new containers and those that had events, kept otherwise.
async fn container_times(
    c: &bollard::Docker,
    raw: &mut Raw,
    touched: &std::collections::BTreeSet<String>,
) {
    let mut times = std::mem::take(&mut raw.times);
    times.retain(|id, _| raw.containers.iter().any(|c| convert::s(c, "/Id") == id));
    for ct in &mut raw.containers {
        let id = convert::s(ct, "/Id").to_string();
        if (!times.contains_key(&id) || touched.contains(&id))
            && let Ok(i) = c.inspect_container(&id, None).await
        {
            let i = json(i);
            times.insert(
                id.clone(),
                (
                    convert::time(&i, "/State/StartedAt"),
                    convert::time(&i, "/State/FinishedAt"),
                ),
            );
        }
    }
    raw.times = times;
}

/// Something is on its way somewhere: list tasks often until it settles.
fn converging(v: &ClusterView) -> bool {
    v.services.iter().any(|s| {
        (s.replicated && s.running != s.desired)
            || s.update_status.as_ref().is_some_and(|u| {
                matches!(
                    u.state,
                    opsconsole_sim::model::UpdateState::Updating
                        | opsconsole_sim::model::UpdateState::RollbackStarted
                )
            })
    }) || v.tasks.iter().any(|t| {
        use opsconsole_sim::model::TaskState::*;
        (t.desired == Running && t.state < Running) || (t.desired > Running && t.state == Running)
    })
}

impl Shared {
    fn info(&self) -> BackendInfo {
        BackendInfo {
            kind: BackendKind::Docker,
            endpoint: format!("docker · {}", self.endpoint.describe()),
            read_only: false,
            simulated: false,
            swarm: self.swarm.load(Ordering::Relaxed),
        }
    }

    fn endpoint_ip(&self) -> String {
        let h = self.endpoint.host.as_str();
        if h.starts_with("unix://") {
            "local".into()
        } else {
            h.split("://")
                .nth(1)
                .unwrap_or(h)
                .rsplit('@')
                .next()
                .unwrap_or(h)
                .split(':')
                .next()
                .unwrap_or(h)
                .to_string()
        }
    }

    /// One connection's life: snapshot, then changes until the engine goes away (Err) or
    /// nobody listens any more (Ok).
    async fn session(
        &self,
        tx: &mpsc::Sender<WatchEvent>,
        connected: &mut bool,
    ) -> Result<(), String> {
        let c = connect(&self.endpoint).await.map_err(|e| e.message)?;
        *connected = true;
        // Subscribe first, so nothing that happens while listing is missed.
        let (ev_tx, mut ev_rx) = mpsc::unbounded_channel();
        let mut filters = HashMap::new();
        filters.insert(
            "type".to_string(),
            [
                "container",
                "service",
                "node",
                "volume",
                "network",
                "daemon",
            ]
            .map(String::from)
            .to_vec(),
        );
        let events = c.events(Some(EventsOptions {
            filters: Some(filters),
            ..Default::default()
        }));
        let pump = tokio::spawn(async move {
            let mut events = std::pin::pin!(events);
            while let Some(e) = events.next().await {
                if ev_tx.send(e.map_err(|e| api_error(&e))).is_err() {
                    return;
                }
            }
            let _ = ev_tx.send(Err("the event stream ended".into()));
        });
        let _abort = AbortOnDrop(pump.abort_handle());

        let mut raw = Raw::default();
        refresh(&c, &self.endpoint.host, &mut raw, Dirty::all()).await?;
        self.swarm.store(raw.swarm, Ordering::Relaxed);
        let ip = self.endpoint_ip();
        let mut view = convert::cluster_view(&raw, &ip);
        let sent = tx.send(WatchEvent::Info(self.info())).await.is_ok()
            && tx
                .send(WatchEvent::Snapshot(
                    Box::new(view.clone()),
                    ClockInfo::wall(),
                ))
                .await
                .is_ok();
        if !sent {
            return Ok(());
        }
        let mut dirty = Dirty::default();
        let mut deadline: Option<Instant> = None;
        let mut next_poll = Instant::now() + poll_interval(&raw, &view);
        // `/info` is the costliest read (about 10 ms of the engine's CPU): only now and then,
        // to notice the engine joining or leaving a swarm.
        let mut next_info = Instant::now() + INFO_INTERVAL;
        loop {
            let wake = deadline.unwrap_or(next_poll).min(next_poll).min(next_info);
            tokio::select! {
                ev = ev_rx.recv() => match ev {
                    Some(Ok(ev)) => {
                        dirty.merge(Dirty::of_event(&ev));
                        if dirty.any() && deadline.is_none() {
                            deadline = Some(Instant::now() + DEBOUNCE);
                        }
                    }
                    Some(Err(e)) => return Err(e),
                    None => return Err("the event stream ended".into()),
                },
                _ = tokio::time::sleep_until(wake) => {
                    let now = Instant::now();
                    if now >= next_poll {
                        dirty.merge(Dirty { nodes: raw.swarm, services: raw.swarm,
                            tasks: raw.swarm, ..Dirty::default() });
                    }
                    if now >= next_info {
                        dirty.info = true;
                        next_info = now + INFO_INTERVAL;
                    }
                    let was_swarm = raw.swarm;
                    refresh(&c, &self.endpoint.host, &mut raw, std::mem::take(&mut dirty)).await?;
                    if raw.swarm != was_swarm {
                        // Joined or left a swarm: everything looks different.
                        refresh(&c, &self.endpoint.host, &mut raw, Dirty::all()).await?;
                        self.swarm.store(raw.swarm, Ordering::Relaxed);
                        if tx.send(WatchEvent::Info(self.info())).await.is_err() {
                            return Ok(());
                        }
                    }
                    dirty = Dirty::default();
                    deadline = None;
                    let new = convert::cluster_view(&raw, &ip);
                    let changes = convert::diff(&view, &new);
                    view = new;
                    if !changes.is_empty() && tx.send(WatchEvent::Changes(changes)).await.is_err() {
                        return Ok(());
                    }
                    next_poll = Instant::now() + poll_interval(&raw, &view);
                }
                _ = tx.closed() => return Ok(()),
            }
        }
    }
}

fn poll_interval(raw: &Raw, view: &ClusterView) -> Duration {
    if !raw.swarm {
        // A plain engine reports every container change as an event.
        Duration::from_secs(3600)
    } else if converging(view) {
        Duration::from_secs(1)
    } else {
        Duration::from_secs(10)
    }
}

struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Runs `f` on a task of its own and streams what it sends; the task ends when the stream is
/// dropped.
fn spawn_stream<T, F, Fut>(capacity: usize, f: F) -> BoxStream<'static, T>
where
    T: Send + 'static,
    F: FnOnce(mpsc::Sender<T>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    futures::stream::once(async move {
        let (tx, rx) = mpsc::channel(capacity);
        let task = tokio::spawn(f(tx));
        let guard = AbortOnDrop(task.abort_handle());
        futures::stream::unfold((rx, guard), |(mut rx, guard)| async move {
            rx.recv().await.map(|v| (v, (rx, guard)))
        })
    })
    .flatten()
    .boxed()
}

impl Backend for Docker {
    fn info(&self) -> BackendInfo {
        self.shared.info()
    }

    fn watch(&self) -> BoxStream<'static, WatchEvent> {
        let shared = self.shared.clone();
        spawn_stream(16, move |tx| async move {
            let mut backoff = Duration::from_millis(250);
            loop {
                let mut connected = false;
                match shared.session(&tx, &mut connected).await {
                    Ok(()) => return,
                    Err(e) => {
                        if connected {
                            backoff = Duration::from_millis(250);
                        }
                        let msg = if e.starts_with("Docker at ") {
                            format!("{e} — retrying")
                        } else {
                            format!("Docker at {}: {e} — retrying", shared.endpoint.host)
                        };
                        if tx.send(WatchEvent::Lost(msg)).await.is_err() {
                            return;
                        }
                    }
                }
                tokio::select! {
                    _ = tokio::time::sleep(backoff) => {}
                    _ = tx.closed() => return,
                }
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        })
    }

    fn logs(&self, req: LogRequest) -> BoxStream<'static, LogEvent> {
        let shared = self.shared.clone();
        spawn_stream(logs::QUEUE, move |tx| async move {
            match connect(&shared.endpoint).await {
                Ok(c) => logs::stream(c, req, shared.swarm.load(Ordering::Relaxed), tx).await,
                Err(e) => {
                    let _ = tx.send(LogEvent::Error(e.message)).await;
                    let _ = tx.send(LogEvent::End).await;
                }
            }
        })
    }

    fn run(
        &self,
        inv: Invocation,
        opts: RunOpts,
    ) -> BoxFuture<'static, Result<CmdOutput, BackendError>> {
        let shared = self.shared.clone();
        async move {
            let c = connect(&shared.endpoint).await?;
            Ok(run::run(&c, &shared.endpoint.host, inv, opts).await)
        }
        .boxed()
    }

    fn inspect(
        &self,
        kind: ViewKind,
        id: String,
    ) -> BoxFuture<'static, Result<serde_json::Value, BackendError>> {
        let shared = self.shared.clone();
        async move {
            let c = connect(&shared.endpoint).await?;
            let swarm = shared.swarm.load(Ordering::Relaxed);
            let r = match kind {
                ViewKind::Node if !swarm => c.info().await.map(json),
                ViewKind::Node => c.inspect_node(&id).await.map(json),
                ViewKind::Service => {
                    return inspect_service_json(&c, &shared.endpoint.host, &id)
                        .await
                        .map_err(BackendError::failed);
                }
                ViewKind::Task if swarm => c.inspect_task(&id).await.map(json),
                ViewKind::Task => c.inspect_container(&id, None).await.map(json),
                ViewKind::Volume => {
                    let name = id.rsplit('/').next().unwrap_or(&id).to_string();
                    c.inspect_volume(&name).await.map(json)
                }
                ViewKind::Network => c.inspect_network(&id, None).await.map(json),
            };
            r.map_err(|e| BackendError::failed(api_error(&e)))
        }
        .boxed()
    }

    fn plan(&self, inv: Invocation) -> BoxFuture<'static, Result<Plan, BackendError>> {
        let shared = self.shared.clone();
        async move {
            let c = connect(&shared.endpoint).await?;
            run::plan(&c, &inv).await
        }
        .boxed()
    }

    fn stats(&self, container: String) -> BoxFuture<'static, Result<StatsView, BackendError>> {
        let shared = self.shared.clone();
        async move {
            let c = connect(&shared.endpoint).await?;
            let opts = bollard::query_parameters::StatsOptions {
                stream: false,
                one_shot: true,
            };
            let mut s = std::pin::pin!(c.stats(&container, Some(opts)));
            let r = s
                .next()
                .await
                .ok_or_else(|| BackendError::failed("the engine sent no stats"))?
                .map_err(|e| BackendError::failed(api_error(&e)))?;
            let v = json(r);
            let n = |p: &str| v.pointer(p).and_then(Value::as_u64).unwrap_or(0);
            Ok(StatsView {
                container,
                cpu_total: n("/cpu_stats/cpu_usage/total_usage"),
                system_total: n("/cpu_stats/system_cpu_usage"),
                online_cpus: n("/cpu_stats/online_cpus") as u32,
                // As `docker stats` shows it: without the page cache.
                mem_usage: n("/memory_stats/usage")
                    .saturating_sub(n("/memory_stats/stats/inactive_file")),
                mem_limit: n("/memory_stats/limit"),
            })
        }
        .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep(host: &str) -> Endpoint {
        Endpoint {
            host: host.into(),
            context: "default".into(),
            tls: None,
        }
    }

    #[test]
    fn connection_failures_in_plain_words() {
        let denied = bollard::errors::Error::IOError {
            err: std::io::Error::new(std::io::ErrorKind::PermissionDenied, "Permission denied"),
        };
        let e = connect_error(&ep("unix:///var/run/docker.sock"), &denied);
        assert_eq!(e.kind, ErrorKind::Unavailable);
        assert!(
            e.message.starts_with(
                "Docker at unix:///var/run/docker.sock: permission denied on /var/run/docker.sock"
            ),
            "{e}"
        );
        assert!(e.message.contains("docker group"), "{e}");
        let refused = bollard::errors::Error::IOError {
            err: std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "Connection refused"),
        };
        let e = connect_error(&ep("tcp://10.0.0.1:2375"), &refused);
        assert_eq!(
            e.message,
            "Docker at tcp://10.0.0.1:2375: connection refused (is the Docker daemon running?)"
        );
    }

    #[test]
    fn an_event_marks_only_what_it_changes() {
        let ev: bollard::models::EventMessage = serde_json::from_value(serde_json::json!({
            "Type": "container", "Action": "die",
            "Actor": {"ID": "abc", "Attributes": {"com.docker.swarm.task.id": "t1"}}
        }))
        .unwrap();
        let d = Dirty::of_event(&ev);
        assert!(d.containers && d.tasks && d.services && !d.nodes && !d.networks);
        assert!(d.touched.contains("abc"));
        let exec: bollard::models::EventMessage = serde_json::from_value(serde_json::json!({
            "Type": "container", "Action": "exec_start: sh", "Actor": {"ID": "abc"}
        }))
        .unwrap();
        assert!(!Dirty::of_event(&exec).any());
    }
}
