//! `opsconsole serve --kube-api ADDR`: the built-in Kubernetes cluster over HTTPS. A thin
//! adapter: each HTTP request becomes an [`ApiRequest`] for the cluster's host thread, which
//! runs it through the simulator's API handler (the same one `ctl kubectl` and the console
//! use) and saves the change before the answer goes back. TLS with the cluster's own CA;
//! clients authenticate with a certificate it signed (kubectl sends no credentials without
//! TLS).

use super::host::{KubeReply, Request};
use super::kubeexec;
use super::pki::Pki;
use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Frame, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use opsconsole_sim::kube::api::exec::ExecSession;
use opsconsole_sim::kube::api::{ApiRequest, ApiResponse, MAX_BODY, status::Status};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::Sender;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio_rustls::TlsAcceptor;

/// The TLS configuration: the server's certificate, and client certificates verified
/// against the cluster CA (optional at the TLS level; the API answers 401 without one).
pub fn tls_config(pki: &Pki) -> Result<rustls::ServerConfig, String> {
    let bad =
        |what: &str, e: &dyn std::fmt::Display| format!("the cluster's {what} is unusable: {e}");
    let ca = CertificateDer::from_pem_slice(pki.ca_cert.as_bytes())
        .map_err(|e| bad("CA certificate", &e))?;
    let cert = CertificateDer::from_pem_slice(pki.server_cert.as_bytes())
        .map_err(|e| bad("server certificate", &e))?;
    let key = PrivateKeyDer::from_pem_slice(pki.server_key.as_bytes())
        .map_err(|e| bad("server key", &e))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(ca.clone())
        .map_err(|e| bad("CA certificate", &e))?;
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .allow_unauthenticated()
    .build()
    .map_err(|e| bad("CA certificate", &e))?;
    let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| bad("TLS setup", &e))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(vec![cert, ca], key)
        .map_err(|e| bad("server certificate", &e))?;
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(cfg)
}

/// Serves the API on `listener` until the task is aborted.
/// Accepts connections until the task is dropped; `clients` counts them (a server started
/// for consoles leaves when none are left).
pub async fn serve(
    listener: TcpListener,
    cfg: rustls::ServerConfig,
    tx: Sender<Request>,
    clients: Arc<super::proto::Clients>,
) {
    let acceptor = TlsAcceptor::from(Arc::new(cfg));
    let server = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        let (acceptor, tx, server) = (acceptor.clone(), tx.clone(), server.clone());
        let clients = clients.clone();
        clients.open.fetch_add(1, Ordering::SeqCst);
        clients.ever.fetch_add(1, Ordering::SeqCst);
        tokio::spawn(async move {
            let _counted = Counted(clients);
            let Ok(tls) = acceptor.accept(tcp).await else {
                return;
            };
            let authenticated = tls
                .get_ref()
                .1
                .peer_certificates()
                .is_some_and(|c| !c.is_empty());
            let svc = service_fn(move |req| {
                let (tx, server) = (tx.clone(), server.clone());
                async move { Ok::<_, Infallible>(answer(req, tx, authenticated, server).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(tls), svc)
                .with_upgrades()
                .await;
        });
    }
}

/// A connection counted among the clients while it lives.
struct Counted(Arc<super::proto::Clients>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::SeqCst);
    }
}

fn header(req: &hyper::Request<Incoming>, name: hyper::header::HeaderName) -> String {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

type Body = UnsyncBoxBody<Bytes, Infallible>;

/// A streamed body (a watch): its first bytes, then whatever the host sends, until the host
/// drops its end or the request's `timeoutSeconds` pass.
struct Streamed {
    first: Option<Bytes>,
    rx: UnboundedReceiver<Vec<u8>>,
    deadline: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl hyper::body::Body for Streamed {
    type Data = Bytes;
    type Error = Infallible;
    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if let Some(b) = self.first.take().filter(|b| !b.is_empty()) {
            return Poll::Ready(Some(Ok(Frame::data(b))));
        }
        if let Some(d) = self.deadline.as_mut()
            && d.as_mut().poll(cx).is_ready()
        {
            return Poll::Ready(None);
        }
        match self.rx.poll_recv(cx) {
            Poll::Ready(Some(b)) => Poll::Ready(Some(Ok(Frame::data(Bytes::from(b))))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}

fn respond(r: ApiResponse, body: Body) -> hyper::Response<Body> {
    let mut b = hyper::Response::builder()
        .status(r.status)
        .header(hyper::header::CONTENT_TYPE, r.content_type);
    for w in &r.warnings {
        b = b.header(hyper::header::WARNING, format!("299 - {w:?}"));
    }
    b.body(body)
        .unwrap_or_else(|_| hyper::Response::new(Full::new(Bytes::new()).boxed_unsync()))
}

fn reply(mut r: ApiResponse) -> hyper::Response<Body> {
    let body = Full::new(Bytes::from(std::mem::take(&mut r.body))).boxed_unsync();
    respond(r, body)
}

/// A watch's response: chunked, one event per line, as long as the watch lasts.
fn stream(
    mut r: ApiResponse,
    rx: UnboundedReceiver<Vec<u8>>,
    timeout: Option<u64>,
) -> hyper::Response<Body> {
    let body = Streamed {
        first: Some(Bytes::from(std::mem::take(&mut r.body))),
        rx,
        deadline: timeout.map(|s| Box::pin(tokio::time::sleep(Duration::from_secs(s)))),
    };
    respond(r, body.boxed_unsync())
}

/// The answer to a WebSocket upgrade for an exec session: `101 Switching Protocols`, and
/// the session driven on the upgraded connection.
fn upgrade(
    on_upgrade: Option<hyper::upgrade::OnUpgrade>,
    key: &str,
    offered: &str,
    session: Box<ExecSession>,
) -> hyper::Response<Body> {
    let (Some(on_upgrade), false) = (on_upgrade, key.is_empty()) else {
        return reply(ApiResponse::error(&Status::bad_request(
            "Upgrade request required",
        )));
    };
    let Some(protocol) = kubeexec::choose_protocol(offered) else {
        return reply(ApiResponse::error(&Status::bad_request(format!(
            "unable to upgrade: no supported subprotocol in {offered:?}; this server speaks {}",
            kubeexec::PROTOCOLS.join(", ")
        ))));
    };
    tokio::spawn(async move {
        if let Ok(io) = on_upgrade.await {
            kubeexec::drive(TokioIo::new(io), *session).await;
        }
    });
    hyper::Response::builder()
        .status(hyper::StatusCode::SWITCHING_PROTOCOLS)
        .header(hyper::header::UPGRADE, "websocket")
        .header(hyper::header::CONNECTION, "Upgrade")
        .header(
            hyper::header::SEC_WEBSOCKET_ACCEPT,
            kubeexec::accept_key(key),
        )
        .header(hyper::header::SEC_WEBSOCKET_PROTOCOL, protocol)
        .body(Full::new(Bytes::new()).boxed_unsync())
        .unwrap_or_else(|_| hyper::Response::new(Full::new(Bytes::new()).boxed_unsync()))
}

async fn answer(
    mut req: hyper::Request<Incoming>,
    tx: Sender<Request>,
    authenticated: bool,
    server: String,
) -> hyper::Response<Body> {
    if !authenticated {
        return reply(ApiResponse::error(&Status::unauthorized()));
    }
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or_default().to_string();
    let accept = header(&req, hyper::header::ACCEPT);
    let content_type = header(&req, hyper::header::CONTENT_TYPE);
    let ws_key = header(&req, hyper::header::SEC_WEBSOCKET_KEY);
    let offered: Vec<&str> = req
        .headers()
        .get_all(hyper::header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let offered = offered.join(",");
    let on_upgrade = header(&req, hyper::header::UPGRADE)
        .eq_ignore_ascii_case("websocket")
        .then(|| hyper::upgrade::on(&mut req));
    let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
        Ok(b) => b.to_bytes().to_vec(),
        Err(_) => return reply(ApiResponse::error(&Status::too_large())),
    };
    let api = ApiRequest {
        method,
        path,
        query,
        accept,
        content_type,
        body,
        server,
    };
    let (rtx, rrx) = tokio::sync::oneshot::channel();
    if tx
        .send(Request::Kube {
            req: Box::new(api),
            reply: rtx,
        })
        .is_err()
    {
        return reply(ApiResponse::error(&Status::unavailable()));
    }
    match rrx.await {
        Ok(KubeReply {
            exec: Some(session),
            ..
        }) => upgrade(on_upgrade, &ws_key, &offered, session),
        Ok(KubeReply {
            resp,
            more: Some(rx),
            timeout,
            ..
        }) => stream(resp, rx, timeout),
        Ok(KubeReply { resp, .. }) => reply(resp),
        Err(_) => reply(ApiResponse::error(&Status::unavailable())),
    }
}
