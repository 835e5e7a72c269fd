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
mod watch;

use watch::spawn_stream;

use crate::backend::convert::swarm as convert_swarm;
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

impl Shared {
    fn info(&self) -> BackendInfo {
        let swarm = self.swarm.load(Ordering::Relaxed);
        BackendInfo {
            kind: BackendKind::Docker,
            endpoint: format!("docker · {}", self.endpoint.describe()),
            read_only: false,
            simulated: false,
            flavor: if swarm { Flavor::Swarm } else { Flavor::Engine },
            caps: if swarm {
                convert_swarm::swarm_caps()
            } else {
                convert_swarm::engine_caps()
            },
            creates: if swarm {
                convert_swarm::SWARM_CREATES.to_vec()
            } else {
                convert_swarm::ENGINE_CREATES.to_vec()
            },
            scope: None,
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
}

impl Backend for Docker {
    fn info(&self) -> BackendInfo {
        self.shared.info()
    }

    fn watch(&self) -> BoxStream<'static, WatchEvent> {
        let shared = self.shared.clone();
        spawn_stream(16, move |tx| async move {
            let host = shared.endpoint.host.clone();
            let lost = move |e: String| {
                if e.starts_with("Docker at ") {
                    format!("{e} — retrying")
                } else {
                    format!("Docker at {host}: {e} — retrying")
                }
            };
            let session = move |tx: mpsc::Sender<WatchEvent>| {
                let shared = shared.clone();
                async move {
                    let mut connected = false;
                    shared
                        .session(&tx, &mut connected)
                        .await
                        .map_err(|e| (e, connected))
                }
            };
            crate::backend::task::reconnecting(tx, MAX_BACKOFF, session, lost).await
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

    fn inspect(&self, r: ObjRef) -> BoxFuture<'static, Result<serde_json::Value, BackendError>> {
        let shared = self.shared.clone();
        async move {
            let c = connect(&shared.endpoint).await?;
            let id = r.uid.as_str();
            let res = match r.kind {
                ResKind::Engine => c.info().await.map(json),
                ResKind::SwarmNode => c.inspect_node(id).await.map(json),
                ResKind::SwarmService => {
                    return inspect_service_json(&c, &shared.endpoint.host, id)
                        .await
                        .map_err(BackendError::failed);
                }
                ResKind::SwarmTask => c.inspect_task(id).await.map(json),
                ResKind::Container => c.inspect_container(id, None).await.map(json),
                ResKind::Volume => {
                    let name = id.rsplit('/').next().unwrap_or(id).to_string();
                    c.inspect_volume(&name).await.map(json)
                }
                ResKind::Network => c.inspect_network(id, None).await.map(json),
                other => {
                    return Err(BackendError::new(
                        ErrorKind::Unsupported,
                        format!("a {} cannot be inspected", other.noun()),
                    ));
                }
            };
            res.map_err(|e| BackendError::failed(api_error(&e)))
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
}
