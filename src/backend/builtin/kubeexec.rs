//! `pods/NAME/exec` over WebSocket, as kubectl 1.32 and kube-rs speak it: the
//! `v5.channel.k8s.io` subprotocol (or `v4`), binary frames whose first byte is the channel
//! (0 stdin, 1 stdout, 2 stderr, 3 the exit Status, 4 terminal size, 255 close a stream).
//! The API handler has already checked the request and made the session; this drives it
//! with the client's frames. RFC 6455 framing, server side (the client masks, we do not).

use opsconsole_sim::kube::api::exec::{ExecOut, ExecSession};
use std::io;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
/// The largest frame a client may send (stdin comes in small pieces).
const MAX_FRAME: u64 = 16 << 20;

/// The subprotocols we speak, best first.
pub const PROTOCOLS: [&str; 2] = ["v5.channel.k8s.io", "v4.channel.k8s.io"];

/// `Sec-WebSocket-Accept` for a client's key.
pub fn accept_key(key: &str) -> String {
    use base64::Engine;
    use sha1::Digest;
    let mut h = sha1::Sha1::new();
    h.update(key.trim().as_bytes());
    h.update(GUID.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(h.finalize())
}

/// The subprotocol to answer with, from the client's `Sec-WebSocket-Protocol` header(s).
pub fn choose_protocol(offered: &str) -> Option<&'static str> {
    let offered: Vec<&str> = offered.split(',').map(str::trim).collect();
    PROTOCOLS.into_iter().find(|p| offered.contains(p))
}

struct Frame {
    opcode: u8,
    payload: Vec<u8>,
}

async fn read_frame<R: AsyncRead + Unpin>(r: &mut R) -> io::Result<Option<Frame>> {
    let mut head = [0u8; 2];
    match r.read_exact(&mut head).await {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let opcode = head[0] & 0x0f;
    let masked = head[1] & 0x80 != 0;
    let mut len = u64::from(head[1] & 0x7f);
    if len == 126 {
        len = u64::from(r.read_u16().await?);
    } else if len == 127 {
        len = r.read_u64().await?;
    }
    if len > MAX_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "frame too large",
        ));
    }
    let mut mask = [0u8; 4];
    if masked {
        r.read_exact(&mut mask).await?;
    }
    let mut payload = vec![0u8; len as usize];
    r.read_exact(&mut payload).await?;
    if masked {
        for (i, b) in payload.iter_mut().enumerate() {
            *b ^= mask[i % 4];
        }
    }
    Ok(Some(Frame { opcode, payload }))
}

fn frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 10);
    out.push(0x80 | opcode);
    match payload.len() {
        n if n < 126 => out.push(n as u8),
        n if n <= 0xffff => {
            out.push(126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            out.push(127);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    out.extend_from_slice(payload);
    out
}

/// The frames for a session's output.
fn frames(outs: Vec<ExecOut>) -> (Vec<u8>, bool) {
    let mut buf = Vec::new();
    let mut ended = false;
    for o in outs {
        let (ch, data) = match o {
            ExecOut::Stdout(d) => (1u8, d),
            ExecOut::Stderr(d) => (2u8, d),
            ExecOut::Exit(d) => {
                ended = true;
                (3u8, d)
            }
        };
        let mut payload = Vec::with_capacity(data.len() + 1);
        payload.push(ch);
        payload.extend(data);
        buf.extend(frame(0x2, &payload));
    }
    (buf, ended)
}

/// Runs an exec session over an upgraded connection until the process ends or the
/// client goes.
pub async fn drive<S: AsyncRead + AsyncWrite + Unpin>(io: S, mut session: ExecSession) {
    let (mut rd, mut wr) = tokio::io::split(io);
    let (buf, mut ended) = frames(session.begin());
    if wr.write_all(&buf).await.is_err() {
        return;
    }
    while !ended {
        let f = match read_frame(&mut rd).await {
            Ok(Some(f)) => f,
            _ => return,
        };
        let outs = match f.opcode {
            0x1 | 0x2 => match f.payload.split_first() {
                Some((0, data)) => session.input(data),
                // v5: the client closed one of its streams (0 = stdin).
                Some((255, [0, ..])) => session.close_stdin(),
                _ => Vec::new(),
            },
            0x8 => {
                let _ = wr.write_all(&frame(0x8, &f.payload)).await;
                return;
            }
            0x9 => {
                if wr.write_all(&frame(0xA, &f.payload)).await.is_err() {
                    return;
                }
                Vec::new()
            }
            _ => Vec::new(),
        };
        let (buf, end) = frames(outs);
        ended = end;
        if !buf.is_empty() && wr.write_all(&buf).await.is_err() {
            return;
        }
    }
    // Normal closure; then wait a moment for the client's close frame.
    let _ = wr.write_all(&frame(0x8, &1000u16.to_be_bytes())).await;
    let _ = wr.flush().await;
    let wait = async {
        while let Ok(Some(f)) = read_frame(&mut rd).await {
            if f.opcode == 0x8 {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), wait).await;
    let _ = wr.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_handshake_answers_rfc_6455s_example() {
        assert_eq!(
            accept_key("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
        assert_eq!(
            choose_protocol("v5.channel.k8s.io, v4.channel.k8s.io"),
            Some("v5.channel.k8s.io")
        );
        assert_eq!(
            choose_protocol("v4.channel.k8s.io"),
            Some("v4.channel.k8s.io")
        );
        assert_eq!(choose_protocol("channel.k8s.io"), None);
    }

    #[tokio::test]
    async fn frames_round_trip_with_a_client_mask() {
        let mut payload = vec![0u8];
        payload.extend(b"hello");
        let mask = [1u8, 2, 3, 4];
        let mut wire = vec![0x82, 0x80 | payload.len() as u8];
        wire.extend(mask);
        wire.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        let f = read_frame(&mut wire.as_slice()).await.unwrap().unwrap();
        assert_eq!((f.opcode, f.payload), (2, payload));
        let long = vec![7u8; 70_000];
        let w = frame(2, &long);
        assert_eq!((w[1], w.len()), (127, 70_000 + 10));
        let f = read_frame(&mut w.as_slice()).await.unwrap().unwrap();
        assert_eq!(f.payload.len(), 70_000);
    }
}
