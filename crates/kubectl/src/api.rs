//! Requests to the API server and its errors, as kubectl reports them.

use futures::{Stream, StreamExt};
use kube::client::Body;
use kube::core::WatchEvent;
use serde_json::Value;

/// The Accept header kubectl's printers send: a server-side Table, else the object.
pub const TABLE: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

/// A failed request, worded as kubectl words it.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// A `Status` from the server: `Error from server (NotFound): ...`.
    Status {
        code: u16,
        reason: String,
        message: String,
        /// The Status's `details` (kind, name, causes).
        details: Value,
    },
    /// The server could not be reached or answered nonsense.
    Transport(String),
}

impl Failure {
    pub fn is_not_found(&self) -> bool {
        matches!(self, Failure::Status { code: 404, .. })
    }

    /// The error with kubectl's `error when creating "FILE": ` in front of the server's
    /// message (`cmdutil.AddSourceToErr`).
    pub fn with_source(self, verb: &str, source: &str) -> Failure {
        match self {
            Failure::Status {
                code,
                reason,
                message,
                details,
            } => Failure::Status {
                code,
                reason,
                message: format!("error when {verb} \"{source}\": {message}"),
                details,
            },
            other => other,
        }
    }

    /// What kubectl prints for it when it ends the command (`cmdutil.CheckErr`): an invalid
    /// object as `The Kind "name" is invalid: ...` from the Status's causes, else
    /// `Error from server (Reason): message`.
    pub fn report(&self) -> String {
        if let Failure::Status {
            reason, details, ..
        } = self
            && reason == "Invalid"
            && details.is_object()
        {
            let kind = details["kind"].as_str().unwrap_or_default();
            let name = details["name"].as_str().unwrap_or_default();
            let head = if !kind.is_empty() || !name.is_empty() {
                format!("The {kind} \"{name}\" is invalid")
            } else {
                "The request is invalid".to_string()
            };
            let causes: Vec<String> = details["causes"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|c| {
                    format!(
                        "{}: {}",
                        c["field"].as_str().unwrap_or_default(),
                        c["message"].as_str().unwrap_or_default()
                    )
                })
                .collect();
            return match causes.len() {
                0 => head,
                1 => format!("{head}: {}", causes[0]),
                _ => format!("{head}: \n* {}", causes.join("\n* ")),
            };
        }
        self.to_string()
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Status {
                reason, message, ..
            } if !reason.is_empty() => write!(f, "Error from server ({reason}): {message}"),
            Failure::Status { message, .. } => write!(f, "Error from server: {message}"),
            Failure::Transport(m) => write!(f, "{m}"),
        }
    }
}

/// Percent-encodes a query value.
pub fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The API server's warnings (`Warning` headers), kept until the command prints them.
pub type Warnings = std::sync::Arc<std::sync::Mutex<Vec<String>>>;

/// The API server, through a kube-rs client.
#[derive(Clone)]
pub struct Api {
    client: kube::Client,
    warnings: Warnings,
    /// The client talks to a cluster owned by this process (no socket).
    in_process: bool,
    /// Its owner runs the cluster's clock with the wall's: polls wait on the wall clock.
    wall_clock: bool,
}

/// The text of a `Warning: 299 - "text"` header.
fn warning_text(h: &http::HeaderValue) -> Option<String> {
    let s = h.to_str().ok()?;
    let rest = s.strip_prefix("299 ")?;
    let (_, quoted) = rest.split_once(' ')?;
    let text = quoted.strip_prefix('"')?;
    let end = text.rfind('"')?;
    Some(text[..end].replace("\\\"", "\"").replace("\\\\", "\\"))
}

impl Api {
    pub fn new(client: kube::Client) -> Api {
        Api {
            client,
            warnings: Warnings::default(),
            in_process: false,
            wall_clock: false,
        }
    }

    /// An API over a client whose requests go to a cluster this process owns.
    pub fn in_process(&self) -> bool {
        self.in_process
    }

    /// The same API, marked as in process.
    pub fn into_in_process(mut self) -> Api {
        self.in_process = true;
        self
    }

    /// The same API, pausing on the wall clock even in process (the cluster's owner runs
    /// its clock with the wall's).
    pub fn with_wall_clock(mut self) -> Api {
        self.wall_clock = true;
        self
    }

    /// Waits `d` before polling again: on the wall clock against a server; against a
    /// cluster this process owns, on the cluster's clock (see [`crate::inprocess::PAUSE`]).
    pub async fn pause(&self, d: std::time::Duration) {
        if !self.in_process || self.wall_clock {
            tokio::time::sleep(d).await;
            return;
        }
        let url = format!("{}?ms={}", crate::inprocess::PAUSE, d.as_millis());
        let _ = self.get(&url, "application/json").await;
    }

    /// The kube-rs client.
    pub fn client(&self) -> &kube::Client {
        &self.client
    }

    /// Where the server's warnings go.
    pub fn warnings(&self) -> Warnings {
        self.warnings.clone()
    }

    fn keep_warnings(&self, headers: &http::HeaderMap) {
        let found: Vec<String> = headers
            .get_all("warning")
            .iter()
            .filter_map(warning_text)
            .collect();
        if !found.is_empty()
            && let Ok(mut w) = self.warnings.lock()
        {
            w.extend(found);
        }
    }

    /// Sends a request as it is: the response, its warnings kept.
    pub async fn send(&self, req: http::Request<Body>) -> Result<http::Response<Body>, Failure> {
        let resp = self.client.send(req).await.map_err(kube_failure)?;
        self.keep_warnings(resp.headers());
        Ok(resp)
    }

    /// A response that was not what was asked for: the server's refusal from its body.
    pub async fn refusal(resp: http::Response<Body>) -> Failure {
        let status = resp.status().as_u16();
        match resp.into_body().collect_bytes().await {
            Ok(bytes) => status_failure(status, &bytes),
            Err(e) => Failure::Transport(format!("error: {e}")),
        }
    }

    /// GET `path` (with its query) accepting `accept`: the JSON answer.
    pub async fn get(&self, path: &str, accept: &str) -> Result<Value, Failure> {
        self.call("GET", path, accept, Vec::new(), "").await
    }

    /// One request: the decoded JSON of a 2xx answer, else the server's `Status`.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        accept: &str,
        body: Vec<u8>,
        content_type: &str,
    ) -> Result<Value, Failure> {
        let mut req = http::Request::builder()
            .method(method)
            .uri(path)
            .header(http::header::ACCEPT, accept);
        if !content_type.is_empty() {
            req = req.header(http::header::CONTENT_TYPE, content_type);
        }
        let req = req
            .body(Body::from(body))
            .map_err(|e| Failure::Transport(format!("error: {e}")))?;
        let resp = self.send(req).await?;
        let status = resp.status().as_u16();
        let bytes = resp
            .into_body()
            .collect_bytes()
            .await
            .map_err(|e| Failure::Transport(format!("error: {e}")))?;
        if (200..300).contains(&status) {
            return Ok(serde_json::from_slice(&bytes).unwrap_or(Value::Null));
        }
        Err(status_failure(status, &bytes))
    }

    /// A GET whose answer is streamed (a log): its body's chunks as they come, or the
    /// server's refusal.
    pub async fn stream(
        &self,
        path: &str,
    ) -> Result<impl Stream<Item = Result<bytes::Bytes, Failure>> + use<>, Failure> {
        let req = http::Request::builder()
            .method("GET")
            .uri(path)
            .header(http::header::ACCEPT, "*/*")
            .body(Body::from(Vec::new()))
            .map_err(|e| Failure::Transport(format!("error: {e}")))?;
        let resp = self.client.send(req).await.map_err(kube_failure)?;
        let status = resp.status().as_u16();
        self.keep_warnings(resp.headers());
        let body = resp.into_body();
        if !(200..300).contains(&status) {
            let bytes = body
                .collect_bytes()
                .await
                .map_err(|e| Failure::Transport(format!("error: {e}")))?;
            return Err(status_failure(status, &bytes));
        }
        Ok(
            http_body_util::BodyStream::new(body).filter_map(|frame| async move {
                match frame {
                    Ok(f) => f.into_data().ok().map(Ok),
                    Err(e) => Some(Err(Failure::Transport(format!("error: {e}")))),
                }
            }),
        )
    }

    /// Every item of a list at `url` (with or without a query), page by page.
    pub async fn list_all(&self, url: &str) -> Result<Vec<Value>, Failure> {
        let sep = if url.contains('?') { '&' } else { '?' };
        let mut out = Vec::new();
        let mut cont = String::new();
        loop {
            let mut page_url = format!("{url}{sep}limit=500");
            if !cont.is_empty() {
                page_url.push_str(&format!("&continue={}", enc(&cont)));
            }
            let page = self.get(&page_url, "application/json").await?;
            out.extend(page["items"].as_array().cloned().unwrap_or_default());
            cont = page["metadata"]["continue"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            if cont.is_empty() {
                return Ok(out);
            }
        }
    }

    /// PATCH `path` with `patch` (JSON) as `content_type` (`strategic-merge-patch+json`,
    /// `merge-patch+json`, `json-patch+json`, `apply-patch+yaml`).
    pub async fn patch(
        &self,
        path: &str,
        content_type: &str,
        patch: &Value,
    ) -> Result<Value, Failure> {
        let body = serde_json::to_vec(patch).unwrap_or_default();
        self.call(
            "PATCH",
            path,
            "application/json",
            body,
            &format!("application/{content_type}"),
        )
        .await
    }

    /// DELETE `path` with DeleteOptions `options`: the server's answer (the object, or a
    /// Status).
    pub async fn delete(&self, path: &str, options: &Value) -> Result<Value, Failure> {
        let body = serde_json::to_vec(options).unwrap_or_default();
        self.call("DELETE", path, "application/json", body, "application/json")
            .await
    }

    /// A watch (`url` has `watch=true`): its events, `("ADDED", object)` and so on, until the
    /// server ends it.
    pub async fn watch(
        &self,
        url: &str,
    ) -> Result<impl Stream<Item = Result<(&'static str, Value), Failure>> + use<>, Failure> {
        self.watch_as(url, "application/json").await
    }

    /// A watch whose objects come as `accept` asks (Table rows, or the objects).
    pub async fn watch_as(
        &self,
        url: &str,
        accept: &str,
    ) -> Result<impl Stream<Item = Result<(&'static str, Value), Failure>> + use<>, Failure> {
        let req = http::Request::builder()
            .method("GET")
            .uri(url)
            .header(http::header::ACCEPT, accept)
            .body(Vec::new())
            .map_err(|e| Failure::Transport(format!("error: {e}")))?;
        let events = self
            .client
            .request_events::<Value>(req)
            .await
            .map_err(kube_failure)?;
        Ok(events.map(|e| match e {
            Ok(WatchEvent::Added(v)) => Ok(("ADDED", v)),
            Ok(WatchEvent::Modified(v)) => Ok(("MODIFIED", v)),
            Ok(WatchEvent::Deleted(v)) => Ok(("DELETED", v)),
            Ok(WatchEvent::Bookmark(_)) => Ok(("BOOKMARK", Value::Null)),
            Ok(WatchEvent::Error(s)) => Err(Failure::Status {
                code: s.code,
                reason: s.reason,
                message: s.message,
                details: Value::Null,
            }),
            Err(e) => Err(kube_failure(e)),
        }))
    }
}

/// The server's refusal: its `Status`, or the status code and body.
pub(crate) fn status_failure(status: u16, bytes: &[u8]) -> Failure {
    let value: Value = serde_json::from_slice(bytes).unwrap_or(Value::Null);
    let text = |k: &str| value[k].as_str().unwrap_or_default().to_string();
    match value["kind"].as_str() {
        Some("Status") => Failure::Status {
            code: status,
            reason: text("reason"),
            message: text("message"),
            details: value["details"].clone(),
        },
        _ => Failure::Status {
            code: status,
            reason: String::new(),
            details: Value::Null,
            message: format!(
                "the server responded with status {status}: {}",
                String::from_utf8_lossy(bytes).trim()
            ),
        },
    }
}

/// A kube-rs error as kubectl would word it.
fn kube_failure(e: kube::Error) -> Failure {
    match e {
        kube::Error::Api(s) => Failure::Status {
            code: s.code,
            reason: s.reason.clone(),
            message: s.message.clone(),
            details: Value::Null,
        },
        other => {
            // A server that cannot be reached is named as kubectl names it.
            let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&other);
            while let Some(e) = source {
                if let Some(u) = e.downcast_ref::<crate::verbose::Unreachable>() {
                    return Failure::Transport(u.0.clone());
                }
                source = e.source();
            }
            Failure::Transport(format!("error: {other}"))
        }
    }
}
