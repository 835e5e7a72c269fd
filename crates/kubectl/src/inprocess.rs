//! A kube-rs client with no socket: its requests go over a channel to whoever owns the
//! simulated cluster, which answers them with the API's own request handler (the one the
//! served API uses), so in-process and served kubectl cannot disagree.

use bytes::Bytes;
use kube::client::Body;
use opsconsole_sim::State;
use opsconsole_sim::kube::api::exec::ExecSession;
use opsconsole_sim::kube::api::{ApiRequest, ApiResponse, Stream};
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::sync::{mpsc, oneshot};

/// The owner's answer: the response, and for a stream (a watch, a followed log) what it
/// sends after the response's first bytes; for an exec, the process itself (it needs
/// nothing more from the cluster, so the client drives it).
pub struct Answer {
    pub response: ApiResponse,
    pub more: Option<mpsc::UnboundedReceiver<Vec<u8>>>,
    pub exec: Option<Box<ExecSession>>,
}

/// An exec's process, handed to the client in the response's extensions (in process, no
/// WebSocket is needed to talk to it).
#[derive(Clone)]
pub struct InProcessExec(pub std::sync::Arc<std::sync::Mutex<Option<Box<ExecSession>>>>);

impl InProcessExec {
    /// The process (once).
    pub fn take(&self) -> Option<Box<ExecSession>> {
        self.0.lock().ok().and_then(|mut s| s.take())
    }
}

/// The path of a request the owner answers itself: the client waits `?ms=N` of the
/// cluster's time (a poll's pause), which the owner lets pass on the simulated clock
/// before it answers, so a client that polls sees the cluster move and takes no
/// wall-clock time.
pub const PAUSE: &str = "/.opsconsole/pause";

/// How long a [`PAUSE`] request asks the cluster's time to run, if it is one.
pub fn pause_of(req: &ApiRequest) -> Option<u64> {
    (req.path == PAUSE).then(|| {
        req.query
            .strip_prefix("ms=")
            .and_then(|ms| ms.parse().ok())
            .unwrap_or(0)
    })
}

/// The owner's answer to a [`PAUSE`] once the time has passed.
pub fn paused() -> ApiResponse {
    ApiResponse {
        status: 200,
        content_type: "application/json".into(),
        body: b"{}".to_vec(),
        stream: None,
        warnings: Vec::new(),
    }
}

/// A request for the cluster's owner, and where its answer goes.
pub type Call = (ApiRequest, oneshot::Sender<Answer>);

/// The streams an owner keeps sending: each polled against the state after every change.
#[derive(Default)]
pub struct Streams {
    open: Vec<(Stream, mpsc::UnboundedSender<Vec<u8>>)>,
}

impl Streams {
    /// The answer to send for `response`, keeping its stream (if it has one) open.
    pub fn answer(&mut self, mut response: ApiResponse) -> Answer {
        let (more, exec) = match response.stream.take() {
            Some(Stream::Exec(session)) => (None, Some(session)),
            Some(s) if !s.done() => {
                let (tx, rx) = mpsc::unbounded_channel();
                self.open.push((s, tx));
                (Some(rx), None)
            }
            _ => (None, None),
        };
        Answer {
            response,
            more,
            exec,
        }
    }
    /// Sends each stream what changed; forgets ended ones and those nobody reads.
    pub fn pump(&mut self, st: &State) {
        self.open.retain_mut(|(s, tx)| {
            let bytes = s.poll(st, false);
            (bytes.is_empty() || tx.send(bytes).is_ok()) && !s.done() && !tx.is_closed()
        });
    }
    /// Whether a client is reading a stream.
    pub fn is_empty(&mut self) -> bool {
        self.open.retain(|(_, tx)| !tx.is_closed());
        self.open.is_empty()
    }
}

/// A response body: its first bytes, then what the owner sends until it stops.
struct StreamBody {
    first: Option<Bytes>,
    more: Option<mpsc::UnboundedReceiver<Vec<u8>>>,
}

impl http_body::Body for StreamBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;
    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        if let Some(b) = this.first.take().filter(|b| !b.is_empty()) {
            return Poll::Ready(Some(Ok(http_body::Frame::data(b))));
        }
        let Some(rx) = this.more.as_mut() else {
            return Poll::Ready(None);
        };
        match rx.poll_recv(cx) {
            Poll::Ready(Some(v)) => Poll::Ready(Some(Ok(http_body::Frame::data(v.into())))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// Lets other tasks (the client's) run a while: done when they have had their turns.
pub async fn idle() {
    for _ in 0..8 {
        tokio::task::yield_now().await;
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn header(h: &http::HeaderMap, name: http::header::HeaderName) -> String {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

async fn forward(
    tx: mpsc::Sender<Call>,
    req: http::Request<Body>,
) -> Result<http::Response<StreamBody>, BoxError> {
    let (parts, body) = req.into_parts();
    let body = body.collect_bytes().await?;
    let call = ApiRequest {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or_default().to_string(),
        accept: header(&parts.headers, http::header::ACCEPT),
        content_type: header(&parts.headers, http::header::CONTENT_TYPE),
        body: body.to_vec(),
        server: "in-process".into(),
    };
    let (answer, answered) = oneshot::channel();
    tx.send((call, answer))
        .await
        .map_err(|_| "the simulated cluster has stopped")?;
    let Answer {
        response: resp,
        more,
        exec,
    } = answered.await?;
    let mut b = http::Response::builder()
        .status(resp.status)
        .header(http::header::CONTENT_TYPE, resp.content_type);
    if let Some(session) = exec {
        b = b.extension(InProcessExec(std::sync::Arc::new(std::sync::Mutex::new(
            Some(session),
        ))));
    }
    for w in &resp.warnings {
        b = b.header("Warning", format!("299 - \"{w}\""));
    }
    Ok(b.body(StreamBody {
        first: Some(resp.body.into()),
        more,
    })?)
}

/// A client whose requests arrive on `tx`'s receiver. Call it inside a tokio runtime.
pub fn client(tx: mpsc::Sender<Call>, namespace: &str, verbosity: u8) -> kube::Client {
    let svc = tower::service_fn(move |req: http::Request<Body>| forward(tx.clone(), req));
    let layer = crate::verbose::Layer {
        level: verbosity,
        base: "in-process://opsconsole".into(),
    };
    kube::Client::new(tower::Layer::layer(&layer, svc), namespace)
}
