//! The layer under kubectl's requests: `-v`/`--v`, kubectl's request log on standard
//! error as klog writes it (at 6 and above, one line per request, `GET URL 200 OK in 3
//! milliseconds`; at 7, the request line and its headers first; at 8, the response's
//! status and headers too), and a server that cannot be reached named as kubectl names it.

use futures::future::BoxFuture;
use std::task::{Context, Poll};
use std::time::Instant;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A klog line at level `I` from `file` (its header: date, time, pid, where).
pub fn klog(file: &str, text: &str) -> String {
    let now = jiff::Timestamp::now();
    format!(
        "I{} {:>7} {file}] {text}\n",
        now.strftime("%m%d %H:%M:%S%.6f"),
        std::process::id()
    )
}

/// kubectl's `-v` level from the flag's value (`0` when absent or not a number).
pub fn level(v: Option<&str>) -> u8 {
    v.and_then(|v| v.parse::<u8>().ok()).unwrap_or(0)
}

/// A layer that logs requests at `level`, naming them under `base` (the server's URL).
#[derive(Clone)]
pub struct Layer {
    pub level: u8,
    pub base: String,
}

impl<S> tower::Layer<S> for Layer {
    type Service = Logged<S>;
    fn layer(&self, inner: S) -> Logged<S> {
        Logged {
            inner,
            level: self.level,
            base: self.base.clone(),
        }
    }
}

/// A server that could not be reached, in kubectl's words (`The connection to the server
/// HOST:PORT was refused - did you specify the right host or port?`).
#[derive(Debug)]
pub struct Unreachable(pub String);

impl std::fmt::Display for Unreachable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unreachable {}

/// kubectl's words for a transport error reaching `base`.
fn unreachable(base: &str, e: &(dyn std::error::Error + 'static)) -> Unreachable {
    let authority = base
        .split_once("://")
        .map_or(base, |(_, rest)| rest)
        .trim_end_matches('/')
        .to_string();
    let mut source = Some(e);
    let mut innermost = e.to_string();
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionRefused
        {
            return Unreachable(format!(
                "The connection to the server {authority} was refused - did you specify the right host or port?"
            ));
        }
        innermost = s.to_string();
        source = s.source();
    }
    Unreachable(format!("Unable to connect to the server: {innermost}"))
}

#[derive(Clone)]
pub struct Logged<S> {
    inner: S,
    level: u8,
    base: String,
}

fn write(line: &str) {
    use std::io::Write;
    let _ = std::io::stderr().write_all(line.as_bytes());
}

impl<S, B, R> tower::Service<http::Request<B>> for Logged<S>
where
    S: tower::Service<http::Request<B>, Response = http::Response<R>>,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    R: 'static,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = BoxFuture<'static, Result<S::Response, BoxError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let url = format!("{}{}", self.base.trim_end_matches('/'), req.uri());
        let method = req.method().to_string();
        let level = self.level;
        if level >= 7 {
            let mut text = klog("round_trippers.go:470", &format!("{method} {url}"));
            for (k, v) in req.headers() {
                let v = if k == http::header::AUTHORIZATION {
                    "Bearer <masked>"
                } else {
                    v.to_str().unwrap_or_default()
                };
                text.push_str(&klog(
                    "round_trippers.go:480",
                    &format!("    {}: {v}", title(k.as_str())),
                ));
            }
            write(&text);
        }
        let started = Instant::now();
        let fut = self.inner.call(req);
        let base = self.base.clone();
        Box::pin(async move {
            let resp = fut.await.map_err(|e| -> BoxError {
                let e: BoxError = e.into();
                Box::new(unreachable(&base, e.as_ref()))
            })?;
            let ms = started.elapsed().as_millis();
            let status = resp.status();
            let reason = status.canonical_reason().unwrap_or_default();
            if level >= 8 {
                let mut text = klog(
                    "round_trippers.go:581",
                    &format!(
                        "Response Status: {} {reason} in {ms} milliseconds",
                        status.as_u16()
                    ),
                );
                for (k, v) in resp.headers() {
                    text.push_str(&klog(
                        "round_trippers.go:584",
                        &format!(
                            "    {}: {}",
                            title(k.as_str()),
                            v.to_str().unwrap_or_default()
                        ),
                    ));
                }
                write(&text);
            } else if level >= 6 {
                write(&klog(
                    "round_trippers.go:560",
                    &format!(
                        "{method} {url} {} {reason} in {ms} milliseconds",
                        status.as_u16()
                    ),
                ));
            }
            Ok(resp)
        })
    }
}

/// A header's name as Go's canonical form writes it (`Content-Type`).
fn title(name: &str) -> String {
    name.split('-')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect::<String>(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    #[test]
    fn levels_and_header_names_read_as_kubectl_writes_them() {
        assert_eq!(super::level(Some("6")), 6);
        assert_eq!(super::level(Some("x")), 0);
        assert_eq!(super::title("impersonate-user"), "Impersonate-User");
        let line = super::klog("round_trippers.go:560", "GET /x 200 OK in 1 milliseconds");
        assert!(
            line.starts_with('I')
                && line.ends_with("round_trippers.go:560] GET /x 200 OK in 1 milliseconds\n"),
            "{line}"
        );
    }
}
