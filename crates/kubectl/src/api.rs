//! Requests to the API server and its errors, as kubectl reports them.

use kube::client::Body;
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
    },
    /// The server could not be reached or answered nonsense.
    Transport(String),
}

impl Failure {
    pub fn is_not_found(&self) -> bool {
        matches!(self, Failure::Status { code: 404, .. })
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

/// The API server, through a kube-rs client.
#[derive(Clone)]
pub struct Api {
    client: kube::Client,
}

impl Api {
    pub fn new(client: kube::Client) -> Api {
        Api { client }
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
        let resp = self
            .client
            .send(req)
            .await
            .map_err(|e| Failure::Transport(format!("error: {e}")))?;
        let status = resp.status().as_u16();
        let bytes = resp
            .into_body()
            .collect_bytes()
            .await
            .map_err(|e| Failure::Transport(format!("error: {e}")))?;
        let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if (200..300).contains(&status) {
            return Ok(value);
        }
        let text = |k: &str| value[k].as_str().unwrap_or_default().to_string();
        Err(match value["kind"].as_str() {
            Some("Status") => Failure::Status {
                code: status,
                reason: text("reason"),
                message: text("message"),
            },
            _ => Failure::Status {
                code: status,
                reason: String::new(),
                message: format!(
                    "the server responded with status {status}: {}",
                    String::from_utf8_lossy(&bytes).trim()
                ),
            },
        })
    }
}
