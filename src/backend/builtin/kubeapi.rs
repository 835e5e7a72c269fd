//! `opsconsole serve --kube-api ADDR`: the built-in Kubernetes cluster over HTTPS. A thin
//! adapter: each HTTP request becomes an [`ApiRequest`] for the cluster's host thread, which
//! runs it through the simulator's API handler (the same one `ctl kubectl` and the console
//! use) and saves the change before the answer goes back. TLS with the cluster's own CA;
//! clients authenticate with a certificate it signed (kubectl sends no credentials without
//! TLS).

use super::host::Request;
use super::pki::Pki;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use opsconsole_sim::kube::api::{ApiRequest, ApiResponse, MAX_BODY, status::Status};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::sync::Arc;
use std::sync::mpsc::Sender;
use tokio::net::TcpListener;
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
pub async fn serve(listener: TcpListener, cfg: rustls::ServerConfig, tx: Sender<Request>) {
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
        tokio::spawn(async move {
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
                async move {
                    Ok::<_, std::convert::Infallible>(answer(req, tx, authenticated, server).await)
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(tls), svc)
                .await;
        });
    }
}

fn header(req: &hyper::Request<Incoming>, name: hyper::header::HeaderName) -> String {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

fn reply(r: ApiResponse) -> hyper::Response<Full<Bytes>> {
    hyper::Response::builder()
        .status(r.status)
        .header(hyper::header::CONTENT_TYPE, r.content_type)
        .body(Full::new(Bytes::from(r.body)))
        .unwrap_or_else(|_| hyper::Response::new(Full::new(Bytes::new())))
}

async fn answer(
    req: hyper::Request<Incoming>,
    tx: Sender<Request>,
    authenticated: bool,
    server: String,
) -> hyper::Response<Full<Bytes>> {
    if !authenticated {
        return reply(ApiResponse::error(&Status::unauthorized()));
    }
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or_default().to_string();
    let accept = header(&req, hyper::header::ACCEPT);
    let content_type = header(&req, hyper::header::CONTENT_TYPE);
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
        Ok(r) => reply(r),
        Err(_) => reply(ApiResponse::error(&Status::unavailable())),
    }
}
