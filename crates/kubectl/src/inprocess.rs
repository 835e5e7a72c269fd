//! A kube-rs client with no socket: its requests go over a channel to whoever owns the
//! simulated cluster, which answers them with the API's own request handler (the one the
//! served API uses), so in-process and served kubectl cannot disagree.

use kube::client::Body;
use opsconsole_sim::kube::api::{ApiRequest, ApiResponse};
use tokio::sync::{mpsc, oneshot};

/// A request for the cluster's owner, and where its answer goes.
pub type Call = (ApiRequest, oneshot::Sender<ApiResponse>);

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
) -> Result<http::Response<Body>, BoxError> {
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
    let resp = answered.await?;
    let mut b = http::Response::builder()
        .status(resp.status)
        .header(http::header::CONTENT_TYPE, resp.content_type);
    for w in &resp.warnings {
        b = b.header("Warning", format!("299 - \"{w}\""));
    }
    Ok(b.body(Body::from(resp.body))?)
}

/// A client whose requests arrive on `tx`'s receiver. Call it inside a tokio runtime.
pub fn client(tx: mpsc::Sender<Call>, namespace: &str) -> kube::Client {
    let svc = tower::service_fn(move |req: http::Request<Body>| forward(tx.clone(), req));
    kube::Client::new(svc, namespace)
}
