//! `kubectl exec`: a command in a pod's container over the `v5.channel.k8s.io` WebSocket
//! protocol (kube-rs's connection), or, in process, with the cluster's own exec session
//! driven directly; stdin from `-i`, the container chosen or defaulted as kubectl does,
//! and kubectl's exit status (the command's own, from the Status on channel 3).

use crate::api::{Api, enc};
use crate::discovery::Discovery;
use crate::inprocess::InProcessExec;
use crate::logs::{default_container, pod_for};
use crate::{Out, finish};
use futures::{SinkExt, StreamExt};
use kube::client::Body;
use opsconsole_sim::kube::api::exec::{ExecOut, ExecSession};
use opsconsole_sim::lang::kubectl::Exec;
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;

/// How the process ended: its Status from the error channel.
fn exit_code(status: &[u8], out: &mut Out) -> Result<i32, String> {
    let v: Value = serde_json::from_slice(status).unwrap_or(Value::Null);
    if v["status"] == "Success" {
        return Ok(0);
    }
    if v["reason"] == "NonZeroExitCode" {
        let code = v["details"]["causes"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["reason"] == "ExitCode")
            .and_then(|c| c["message"].as_str())
            .and_then(|m| m.parse::<i32>().ok())
            .unwrap_or(1);
        out.eprint(&format!("command terminated with exit code {code}\n"));
        return Ok(code);
    }
    Err(format!(
        "error: {}",
        v["message"].as_str().unwrap_or("the command failed")
    ))
}

/// Prints what a local process wrote; its exit status once it ends.
fn local_outputs(outs: Vec<ExecOut>, out: &mut Out) -> Option<Result<i32, String>> {
    let mut ended = None;
    for o in outs {
        match o {
            ExecOut::Stdout(b) => out.print(&String::from_utf8_lossy(&b)),
            ExecOut::Stderr(b) => out.eprint(&String::from_utf8_lossy(&b)),
            ExecOut::Exit(s) => ended = Some(exit_code(&s, out)),
        }
    }
    out.flush_to_terminal();
    ended
}

/// Drives the cluster's exec session in process.
async fn run_local(mut s: Box<ExecSession>, stdin: bool, out: &mut Out) -> Result<i32, String> {
    if let Some(end) = local_outputs(s.begin(), out) {
        return end;
    }
    if stdin {
        let mut input = out.stdin_source();
        while let Some(chunk) = input.next().await {
            if let Some(end) = local_outputs(s.input(&chunk), out) {
                return end;
            }
        }
        if let Some(end) = local_outputs(s.close_stdin(), out) {
            return end;
        }
    }
    // A process that never ends on its own is ended with its stdin, as kubectl leaves it.
    Ok(0)
}

/// Opens the WebSocket (kubectl's handshake, offering `v5.channel.k8s.io` then
/// `v4.channel.k8s.io`); a refused upgrade is the server's error. Whether the stream
/// protocol can close stdin (v5).
async fn connect(
    api: &Api,
    url: &str,
) -> Result<
    (
        tokio_tungstenite::WebSocketStream<hyper_util::rt::TokioIo<hyper::upgrade::Upgraded>>,
        bool,
    ),
    String,
> {
    use tokio_tungstenite::tungstenite::handshake;
    let key = handshake::client::generate_key();
    let req = http::Request::builder()
        .method("GET")
        .uri(url)
        .header(http::header::CONNECTION, "Upgrade")
        .header(http::header::UPGRADE, "websocket")
        .header(http::header::SEC_WEBSOCKET_VERSION, "13")
        .header(http::header::SEC_WEBSOCKET_KEY, &key)
        .header(
            http::header::SEC_WEBSOCKET_PROTOCOL,
            "v5.channel.k8s.io, v4.channel.k8s.io",
        )
        .body(Body::from(Vec::new()))
        .map_err(|e| format!("error: {e}"))?;
    let resp = api.send(req).await.map_err(|e| e.report())?;
    if resp.status().as_u16() != 101 {
        return Err(Api::refusal(resp).await.report());
    }
    let accept = resp
        .headers()
        .get(http::header::SEC_WEBSOCKET_ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if accept != handshake::derive_accept_key(key.as_bytes()) {
        return Err("error: the server's WebSocket answer does not match the request".into());
    }
    let v5 = resp
        .headers()
        .get(http::header::SEC_WEBSOCKET_PROTOCOL)
        .is_some_and(|p| p == "v5.channel.k8s.io");
    let upgraded = hyper::upgrade::on(resp)
        .await
        .map_err(|e| format!("error: {e}"))?;
    let ws = tokio_tungstenite::WebSocketStream::from_raw_socket(
        hyper_util::rt::TokioIo::new(upgraded),
        tokio_tungstenite::tungstenite::protocol::Role::Client,
        None,
    )
    .await;
    Ok((ws, v5))
}

/// Talks to a process over the WebSocket: channel 0 stdin, 1 stdout, 2 stderr, 3 status.
async fn run_remote(api: &Api, url: &str, stdin: bool, out: &mut Out) -> Result<i32, String> {
    let (ws, v5) = connect(api, url).await?;
    let (mut tx, mut rx) = ws.split();
    let mut input = if stdin {
        Some(out.stdin_source())
    } else {
        None
    };
    loop {
        tokio::select! {
            chunk = async {
                match input.as_mut() {
                    Some(i) => i.next().await,
                    None => std::future::pending().await,
                }
            } => {
                match chunk {
                    Some(data) => {
                        let mut frame = vec![0u8];
                        frame.extend_from_slice(&data);
                        tx.send(Message::Binary(frame.into())).await.map_err(|e| format!("error: {e}"))?;
                    }
                    None => {
                        input = None;
                        if v5 {
                            tx.send(Message::Binary(vec![255u8, 0].into())).await.map_err(|e| format!("error: {e}"))?;
                        }
                    }
                }
            }
            msg = rx.next() => {
                let Some(msg) = msg else { return Ok(0) };
                let data = match msg.map_err(|e| format!("error: {e}"))? {
                    Message::Binary(b) => b.to_vec(),
                    Message::Close(_) => return Ok(0),
                    _ => continue,
                };
                let Some((&ch, rest)) = data.split_first() else { continue };
                match ch {
                    1 => out.print(&String::from_utf8_lossy(rest)),
                    2 => out.eprint(&String::from_utf8_lossy(rest)),
                    3 => {
                        out.flush_to_terminal();
                        let _ = tx.send(Message::Close(None)).await;
                        return exit_code(rest, out);
                    }
                    _ => {}
                }
                out.flush_to_terminal();
            }
        }
    }
}

pub async fn run(api: &Api, namespace: &str, e: &Exec, out: &mut Out) -> i32 {
    let fail = |out: &mut Out, e: &str| {
        out.eprint(&format!("{e}\n"));
        1
    };
    if e.target.is_empty() {
        return fail(out, "error: pod, type/name or --filename must be specified");
    }
    if e.undashed {
        // kubectl 1.32 no longer takes the seed-era form.
        return fail(
            out,
            "error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead\nSee 'kubectl exec -h' for help and examples",
        );
    }
    if e.command.is_empty() {
        return fail(
            out,
            "error: you must specify at least one command for the container",
        );
    }
    let discovery = match Discovery::load(api).await {
        Ok(d) => d,
        Err(err) => return fail(out, &err.to_string()),
    };
    let mut notes = Out::default();
    let pod = match pod_for(api, &discovery, namespace, &e.target, false, &mut notes).await {
        Ok(p) => p,
        Err(err) => return fail(out, &err),
    };
    let name = pod["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let ns = pod["metadata"]["namespace"]
        .as_str()
        .unwrap_or(namespace)
        .to_string();
    let phase = pod["status"]["phase"].as_str().unwrap_or_default();
    if matches!(phase, "Succeeded" | "Failed") {
        return fail(
            out,
            &format!(
                "error: cannot exec into a container in a completed pod; current phase is {phase}"
            ),
        );
    }
    let container = match &e.container {
        Some(c) => c.clone(),
        None => {
            let mut quiet = Out::default();
            let chosen = if e.quiet {
                default_container(&pod, &mut quiet)
            } else {
                default_container(&pod, out)
            };
            match chosen {
                Some(c) => c,
                None => return fail(out, &format!("error: pod {name} has no containers")),
            }
        }
    };
    let tty = e.tty && e.stdin && out.stdin_is_terminal;
    if e.tty && !tty && !e.quiet {
        out.eprint("Unable to use a TTY - input is not a terminal or the right kind of file\n");
    }
    let mut q: Vec<String> = e
        .command
        .iter()
        .map(|c| format!("command={}", enc(c)))
        .collect();
    q.push(format!("container={}", enc(&container)));
    if e.stdin {
        q.push("stdin=true".into());
    }
    q.push("stdout=true".into());
    if !tty {
        q.push("stderr=true".into());
    }
    if tty {
        q.push("tty=true".into());
    }
    let url = format!("/api/v1/namespaces/{ns}/pods/{name}/exec?{}", q.join("&"));
    let result = if api.in_process() {
        match local_session(api, &url).await {
            Ok(s) => run_local(s, e.stdin, out).await,
            Err(err) => Err(err),
        }
    } else {
        run_remote(api, &url, e.stdin, out).await
    };
    match result {
        Ok(code) => {
            out.flush_warnings();
            code
        }
        Err(err) => finish(&[err], out),
    }
}

/// The exec session an in-process owner hands over, or the server's refusal.
async fn local_session(api: &Api, url: &str) -> Result<Box<ExecSession>, String> {
    let req = http::Request::builder()
        .method("GET")
        .uri(url)
        .header("Upgrade", "websocket")
        .body(Body::from(Vec::new()))
        .map_err(|e| format!("error: {e}"))?;
    let resp = api.send(req).await.map_err(|e| e.report())?;
    if let Some(s) = resp
        .extensions()
        .get::<InProcessExec>()
        .and_then(InProcessExec::take)
    {
        return Ok(s);
    }
    Err(Api::refusal(resp).await.report())
}
