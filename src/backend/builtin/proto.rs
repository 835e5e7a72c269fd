//! How processes share one built-in cluster: the process that has the state open serves it on
//! `<state>/opsconsole.sock`, the way dockerd serves the docker CLI. Each request is one
//! connection: a JSON line from the client, then JSON lines back until the answer is complete
//! (or, for watches and followed logs, until either side hangs up). A client that hangs up
//! interrupts what it asked for, as Ctrl-C on `docker service scale` does. A watch's snapshot
//! travels in parts of [`SNAPSHOT_PART`] objects, so that neither side holds the whole
//! cluster as one line of JSON; [`Conn`] puts it back together.

use super::host::{Request, RunMsg, RunReq};
use crate::backend::view::{ObjRef, View};
use crate::backend::{BackendError, LogEvent, LogRequest, Plan, WatchEvent};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixStream;
use tokio::net::unix::OwnedWriteHalf;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

/// Bumped whenever a message changes shape.
pub const PROTOCOL: u32 = 2;

/// Objects per line of a snapshot.
pub const SNAPSHOT_PART: usize = 500;
pub const SOCKET: &str = "opsconsole.sock";

pub fn socket_path(dir: &Path) -> PathBuf {
    dir.join(SOCKET)
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Hello {
    pub v: u32,
    pub msg: ClientMsg,
}

#[derive(Debug, Serialize, Deserialize)]
pub enum ClientMsg {
    Run(RunReq),
    Watch,
    Logs(LogRequest),
    Inspect(ObjRef),
    Plan { words: Vec<String> },
}

#[derive(Debug, Serialize, Deserialize)]
pub enum ServerMsg {
    Run(RunMsg),
    /// Objects of the snapshot that the next `Watch(Snapshot)` ends (`of`: how many the whole
    /// snapshot has).
    Objects {
        of: usize,
        views: Vec<View>,
    },
    Watch(WatchEvent),
    Log(LogEvent),
    Inspect(Result<Value, BackendError>),
    Plan(Result<Plan, BackendError>),
    /// The request could not be served at all.
    Refused(String),
}

fn line<T: Serialize>(v: &T) -> Vec<u8> {
    let mut s = serde_json::to_vec(v).unwrap_or_default();
    s.push(b'\n');
    s
}

/// A `ServerMsg::Objects` line, written from a slice of the snapshot.
#[derive(Serialize)]
enum PartRef<'a> {
    Objects { of: usize, views: &'a [View] },
}

/// A watch event's lines: a snapshot's objects in parts, then the event itself.
fn watch_lines(ev: WatchEvent) -> Vec<Vec<u8>> {
    match ev {
        WatchEvent::Snapshot(views, clock) => {
            let of = views.len();
            let mut out: Vec<Vec<u8>> = views
                .chunks(SNAPSHOT_PART)
                .map(|views| line(&PartRef::Objects { of, views }))
                .collect();
            drop(views);
            out.push(line(&ServerMsg::Watch(WatchEvent::Snapshot(
                Box::default(),
                clock,
            ))));
            out
        }
        ev => vec![line(&ServerMsg::Watch(ev))],
    }
}

fn one_line<T>(wrap: fn(T) -> ServerMsg) -> impl Fn(T) -> Vec<Vec<u8>> {
    move |m| vec![line(&wrap(m))]
}

// ---------------------------------------------------------------------------
// Server

/// Connections: how many are open, and how many there have been.
#[derive(Debug, Default)]
pub struct Clients {
    pub open: AtomicUsize,
    pub ever: AtomicUsize,
}

/// Accepts connections until the task is dropped; each is served on its own task.
/// `clients` counts them (a background server exits when none are left).
pub async fn serve(
    listener: tokio::net::UnixListener,
    host: std::sync::mpsc::Sender<Request>,
    clients: Arc<Clients>,
) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let host = host.clone();
        let clients = clients.clone();
        clients.open.fetch_add(1, Ordering::SeqCst);
        clients.ever.fetch_add(1, Ordering::SeqCst);
        tokio::spawn(async move {
            serve_one(stream, host).await;
            clients.open.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

async fn serve_one(stream: UnixStream, host: std::sync::mpsc::Sender<Request>) {
    let (rd, mut wr) = stream.into_split();
    let mut lines = BufReader::new(rd).lines();
    let Ok(Some(first)) = lines.next_line().await else {
        return;
    };
    let hello: Hello = match serde_json::from_str(&first) {
        Ok(h) => h,
        Err(e) => {
            let why = format!(
                "opsconsole: unreadable request ({e}); is the client the same opsconsole build?"
            );
            let _ = wr.write_all(&line(&ServerMsg::Refused(why))).await;
            return;
        }
    };
    if hello.v != PROTOCOL {
        let why = format!(
            "opsconsole: the console serving this cluster speaks protocol {PROTOCOL}, this client {}; use the same opsconsole build",
            hello.v
        );
        let _ = wr.write_all(&line(&ServerMsg::Refused(why))).await;
        return;
    }
    let gone =
        || ServerMsg::Refused("opsconsole: the console serving this cluster is quitting".into());
    match hello.msg {
        ClientMsg::Run(req) => {
            let (tx, rx) = unbounded_channel();
            if host.send(Request::Run { req, reply: tx }).is_err() {
                let _ = wr.write_all(&line(&gone())).await;
                return;
            }
            pump(
                rx,
                one_line(ServerMsg::Run),
                |m| matches!(m, RunMsg::Exit(_)),
                &mut wr,
                &mut lines,
            )
            .await;
        }
        ClientMsg::Watch => {
            let (tx, rx) = unbounded_channel();
            if host.send(Request::Watch { reply: tx }).is_err() {
                let _ = wr.write_all(&line(&gone())).await;
                return;
            }
            pump(rx, watch_lines, |_| false, &mut wr, &mut lines).await;
        }
        ClientMsg::Logs(req) => {
            let (tx, rx) = unbounded_channel();
            if host.send(Request::Logs { req, reply: tx }).is_err() {
                let _ = wr.write_all(&line(&gone())).await;
                return;
            }
            pump(
                rx,
                one_line(ServerMsg::Log),
                |m| matches!(m, LogEvent::End),
                &mut wr,
                &mut lines,
            )
            .await;
        }
        ClientMsg::Inspect(r) => {
            let (tx, rx) = tokio::sync::oneshot::channel();
            let msg = if host.send(Request::Inspect { r, reply: tx }).is_ok() {
                rx.await.map(ServerMsg::Inspect).unwrap_or_else(|_| gone())
            } else {
                gone()
            };
            let _ = wr.write_all(&line(&msg)).await;
        }
        ClientMsg::Plan { words } => {
            let (tx, rx) = tokio::sync::oneshot::channel();
            let msg = if host.send(Request::Plan { words, reply: tx }).is_ok() {
                rx.await.map(ServerMsg::Plan).unwrap_or_else(|_| gone())
            } else {
                gone()
            };
            let _ = wr.write_all(&line(&msg)).await;
        }
    }
}

/// Forwards replies to the client until the last one, or until the client hangs up (which
/// drops the receiver: the host notices and interrupts).
async fn pump<T>(
    mut rx: UnboundedReceiver<T>,
    encode: impl Fn(T) -> Vec<Vec<u8>>,
    last: fn(&T) -> bool,
    wr: &mut OwnedWriteHalf,
    lines: &mut tokio::io::Lines<BufReader<tokio::net::unix::OwnedReadHalf>>,
) {
    loop {
        tokio::select! {
            m = rx.recv() => {
                let Some(m) = m else { return };
                let end = last(&m);
                for l in encode(m) {
                    if wr.write_all(&l).await.is_err() {
                        return;
                    }
                }
                if end {
                    return;
                }
            }
            l = lines.next_line() => {
                if !matches!(l, Ok(Some(_))) {
                    return;
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Clients

/// An async client connection: sends one request, then yields the replies.
pub struct Conn {
    lines: tokio::io::Lines<BufReader<tokio::net::unix::OwnedReadHalf>>,
    _wr: OwnedWriteHalf,
    /// The parts of a snapshot so far.
    parts: Vec<View>,
}

impl Conn {
    pub async fn open(stream: UnixStream, msg: ClientMsg) -> Result<Conn, BackendError> {
        let (rd, mut wr) = stream.into_split();
        wr.write_all(&line(&Hello { v: PROTOCOL, msg }))
            .await
            .map_err(|e| {
                BackendError::unavailable(format!("cannot talk to the serving opsconsole: {e}"))
            })?;
        Ok(Conn {
            lines: BufReader::new(rd).lines(),
            _wr: wr,
            parts: Vec::new(),
        })
    }

    /// The next reply (a snapshot whole); `None` when the server hung up.
    pub async fn next(&mut self) -> Option<Result<ServerMsg, BackendError>> {
        loop {
            let l = match self.lines.next_line().await {
                Ok(Some(l)) => l,
                _ => return None,
            };
            let msg = serde_json::from_str(&l).map_err(|e| {
                BackendError::failed(format!("unreadable reply from the serving opsconsole: {e}"))
            });
            drop(l);
            match msg {
                Ok(ServerMsg::Objects { of, views }) => {
                    self.parts
                        .reserve_exact(of.saturating_sub(self.parts.len()));
                    self.parts.extend(views);
                }
                Ok(ServerMsg::Watch(WatchEvent::Snapshot(rest, clock))) => {
                    let mut views = std::mem::take(&mut self.parts);
                    views.extend(*rest);
                    return Some(Ok(ServerMsg::Watch(WatchEvent::Snapshot(
                        Box::new(views),
                        clock,
                    ))));
                }
                other => return Some(other),
            }
        }
    }
}

/// Runs a command through a serving process, blocking, printing its output as it comes
/// (`opsconsole ctl`). Returns `None` if no process serves the state.
pub fn run_blocking(dir: &Path, req: RunReq) -> Option<i32> {
    let mut stream = std::os::unix::net::UnixStream::connect(socket_path(dir)).ok()?;
    let hello = Hello {
        v: PROTOCOL,
        msg: ClientMsg::Run(req),
    };
    if stream.write_all(&line(&hello)).is_err() {
        return None;
    }
    let reader = std::io::BufReader::new(stream.try_clone().ok()?);
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    for l in reader.lines() {
        let Ok(l) = l else { break };
        match serde_json::from_str::<ServerMsg>(&l) {
            Ok(ServerMsg::Run(RunMsg::Out(s))) => {
                let mut o = stdout.lock();
                let _ = o.write_all(s.as_bytes());
                let _ = o.flush();
            }
            Ok(ServerMsg::Run(RunMsg::Err(s))) => {
                let _ = stderr.lock().write_all(s.as_bytes());
            }
            Ok(ServerMsg::Run(RunMsg::Exit(code))) => return Some(code),
            Ok(ServerMsg::Refused(why)) => {
                eprintln!("{why}");
                return Some(1);
            }
            Ok(_) => {}
            Err(e) => {
                eprintln!("opsconsole: unreadable reply from the serving opsconsole: {e}");
                return Some(1);
            }
        }
    }
    eprintln!(
        "opsconsole: the console serving this cluster went away before the command finished; what was acknowledged is saved"
    );
    Some(1)
}
