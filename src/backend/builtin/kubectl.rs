//! `kubectl` run by the host for whoever sent it a command line: the console's `:` line and
//! macros, and `opsconsole ctl kubectl` while a console holds the state. The client runs on
//! a thread of its own and reaches the cluster as every other client does, through the
//! host's Kubernetes API handler (the one `serve --kube-api` serves), so it sees what real
//! kubectl would and its changes are saved before they are acknowledged.

use super::host::{KubeReply, Request, RunMsg};
use opsconsole_kubectl::{Out, inprocess};
use opsconsole_sim::lang::kubectl::KubectlCmd;
use std::sync::mpsc::Sender;
use tokio::sync::mpsc::UnboundedSender;

/// Starts `cmd` on its own thread; its output and exit status go to `reply`. A caller that
/// goes away (`reply` closed) interrupts it.
pub fn spawn(
    host: Sender<Request>,
    cmd: KubectlCmd,
    stdin: Option<String>,
    namespace: String,
    reply: UnboundedSender<RunMsg>,
) {
    let failed = reply.clone();
    let started = std::thread::Builder::new()
        .name("opsconsole-kubectl".into())
        .spawn(move || {
            let rt = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = reply.send(RunMsg::Err(format!(
                        "opsconsole: cannot run kubectl: {e}\n"
                    )));
                    let _ = reply.send(RunMsg::Exit(1));
                    return;
                }
            };
            rt.block_on(run(host, cmd, stdin, namespace, reply));
        });
    if let Err(e) = started {
        let _ = failed.send(RunMsg::Err(format!(
            "opsconsole: cannot run kubectl: {e}\n"
        )));
        let _ = failed.send(RunMsg::Exit(1));
    }
}

/// A `kube::Client` whose requests go to the host as served ones would (their answers —
/// a stream's rest, an exec's process — come back to the client), and the task that carries
/// them: it must be polled for the client to get answers.
pub fn bridge(
    host: Sender<Request>,
    namespace: &str,
    verbosity: u8,
) -> (
    kube::Client,
    impl std::future::Future<Output = ()> + Send + 'static,
) {
    let (tx, mut calls) = tokio::sync::mpsc::channel::<inprocess::Call>(16);
    let client = inprocess::client(tx, namespace, verbosity);
    let bridge = async move {
        while let Some((req, answer)) = calls.recv().await {
            let (rtx, rrx) = tokio::sync::oneshot::channel::<KubeReply>();
            if host
                .send(Request::Kube {
                    req: Box::new(req),
                    reply: rtx,
                })
                .is_err()
            {
                return;
            }
            tokio::spawn(async move {
                if let Ok(r) = rrx.await {
                    let _ = answer.send(inprocess::Answer {
                        response: r.resp,
                        more: r.more,
                        exec: r.exec,
                    });
                }
            });
        }
    };
    (client, bridge)
}

async fn run(
    host: Sender<Request>,
    cmd: KubectlCmd,
    stdin: Option<String>,
    namespace: String,
    reply: UnboundedSender<RunMsg>,
) {
    let verbosity = opsconsole_kubectl::verbose::level(cmd.globals.verbosity.as_deref());
    let (client, bridge) = bridge(host, &namespace, verbosity);
    let sink_reply = reply.clone();
    let mut out = Out::default();
    out.stdin = stdin;
    out.sink = Some(Box::new(move |o: &[u8], e: &[u8]| {
        if !o.is_empty() {
            let _ = sink_reply.send(RunMsg::Out(String::from_utf8_lossy(o).into_owned()));
        }
        if !e.is_empty() {
            let _ = sink_reply.send(RunMsg::Err(String::from_utf8_lossy(e).into_owned()));
        }
    }));
    let code = tokio::select! {
        code = opsconsole_kubectl::run_hosted(&client, &cmd, &mut out) => code,
        () = bridge => 1,
        () = reply.closed() => 130,
    };
    out.flush_to_terminal();
    let _ = reply.send(RunMsg::Exit(code));
}
