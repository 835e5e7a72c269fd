//! A plain `GET` returning the engine's JSON as it is. bollard's typed models drop what the
//! API schema leaves out (a service's `PreviousSpec`, which the rollouts pane diffs), so the
//! few reads that need every field go through here on unix and plain-TCP endpoints.

use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Whether [`get`] can reach this host (TLS and SSH endpoints use bollard's typed reads).
pub fn supported(host: &str) -> bool {
    host.starts_with("unix://") || host.starts_with("tcp://") || host.starts_with("http://")
}

pub async fn get(host: &str, version: &str, path: &str) -> Result<Value, String> {
    let target = format!("/v{version}{path}");
    if let Some(p) = host.strip_prefix("unix://") {
        let s = tokio::net::UnixStream::connect(p)
            .await
            .map_err(|e| format!("{p}: {e}"))?;
        exchange(s, "localhost", &target).await
    } else {
        let addr = host
            .trim_start_matches("tcp://")
            .trim_start_matches("http://");
        let s = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| format!("{addr}: {e}"))?;
        exchange(s, addr, &target).await
    }
}

async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(
    mut s: S,
    host: &str,
    target: &str,
) -> Result<Value, String> {
    let req = format!(
        "GET {target} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: opsconsole\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
    );
    s.write_all(req.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await.map_err(|e| e.to_string())?;
    let (status, body) = parse_response(&buf)?;
    let v: Value = serde_json::from_slice(&body)
        .map_err(|e| format!("GET {target}: the engine sent something that is not JSON: {e}"))?;
    if status >= 400 {
        let msg = v.get("message").and_then(Value::as_str).unwrap_or("");
        return Err(format!("Error response from daemon: {msg}"));
    }
    Ok(v)
}

/// The status and the (de-chunked) body of an HTTP/1.1 response.
pub fn parse_response(buf: &[u8]) -> Result<(u16, Vec<u8>), String> {
    let bad = || "malformed HTTP response from the engine".to_string();
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(bad)?;
    let head = std::str::from_utf8(&buf[..split]).map_err(|_| bad())?;
    let body = &buf[split + 4..];
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .ok_or_else(bad)?;
    let chunked = lines.any(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("transfer-encoding:") && l.contains("chunked")
    });
    if !chunked {
        return Ok((status, body.to_vec()));
    }
    let mut out = Vec::new();
    let mut rest = body;
    loop {
        let nl = rest.windows(2).position(|w| w == b"\r\n").ok_or_else(bad)?;
        let size_text = std::str::from_utf8(&rest[..nl]).map_err(|_| bad())?;
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| bad())?;
        rest = &rest[nl + 2..];
        if size == 0 {
            break;
        }
        if rest.len() < size {
            return Err(bad());
        }
        out.extend_from_slice(&rest[..size]);
        rest = rest.get(size + 2..).unwrap_or(&[]);
    }
    Ok((status, out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_and_plain_bodies() {
        let r = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n[1,2\r\n2\r\n,3\r\n1\r\n]\r\n0\r\n\r\n";
        assert_eq!(parse_response(r).unwrap(), (200, b"[1,2,3]".to_vec()));
        let r = b"HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n{}";
        assert_eq!(parse_response(r).unwrap(), (404, b"{}".to_vec()));
        assert!(parse_response(b"garbage").is_err());
    }
}
