//! `pods/NAME/exec`: a process in a running container, as kubectl and kube-rs start one
//! (`command`, `container`, `stdin`, `stdout`, `stderr`, `tty`). The handler checks the pod
//! and container and answers with an [`ExecSession`]: the container's userland
//! ([`crate::infra::shell`]) with the pod's view (host name, `/etc/hosts`, resolv.conf, the
//! environment the kubelet gives, the image's files), which the transport drives with the
//! client's stdin and whose output it sends on the stream's channels.

use super::status::Status;
use super::{ApiResponse, Query, Stream};
use crate::infra::images::{self, userland};
use crate::infra::shell::{self, Output, Shell, Start};
use crate::model::kube::*;
use crate::state::State;

/// What a session sends: on stdout, on stderr, or its end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExecOut {
    Stdout(Vec<u8>),
    Stderr(Vec<u8>),
    /// The process ended: the Status for the error channel (JSON).
    Exit(Vec<u8>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Mode {
    /// An interactive shell reading lines.
    Shell,
    /// A program reading all of stdin first.
    Reading(Vec<u8>),
    Ended,
}

/// A process started by `exec`, driven by the transport.
#[derive(Clone, Debug)]
pub struct ExecSession {
    shell: Shell,
    argv: Vec<String>,
    pub tty: bool,
    pub stdin: bool,
    mode: Mode,
    line: Vec<u8>,
}

fn bad(msg: String) -> Status {
    Status::bad_request(msg)
}

/// The Status a process's end is reported with (channel 3 of `v5.channel.k8s.io`).
pub fn exit_status(code: i32) -> Vec<u8> {
    let v = if code == 0 {
        serde_json::json!({"metadata": {}, "status": "Success"})
    } else {
        serde_json::json!({
            "metadata": {},
            "status": "Failure",
            "message": format!("command terminated with non-zero exit code: exit status {code}"),
            "reason": "NonZeroExitCode",
            "details": {"causes": [{"reason": "ExitCode", "message": code.to_string()}]}
        })
    };
    serde_json::to_vec(&v).unwrap_or_default()
}

fn internal(message: String) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "metadata": {}, "status": "Failure", "message": message,
        "reason": "InternalError", "code": 500,
        "details": {"causes": [{"message": message}]}
    }))
    .unwrap_or_default()
}

/// The environment the kubelet gives a container: its own, the Services of its namespace
/// (`enableServiceLinks`), the image's `ENV`.
fn environment(
    st: &State,
    p: &Pod,
    c: &k8s_openapi::api::core::v1::Container,
    image_env: Vec<(String, String)>,
) -> Vec<(String, String)> {
    let name = p.metadata.name.clone().unwrap_or_default();
    let ns = p.metadata.namespace.clone().unwrap_or_default();
    let mut env = vec![
        (
            "PATH".to_string(),
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string(),
        ),
        ("HOSTNAME".to_string(), name),
    ];
    for e in c.env.iter().flatten() {
        env.push((e.name.clone(), e.value.clone().unwrap_or_default()));
    }
    let links = p.spec.as_ref().and_then(|s| s.enable_service_links) != Some(false);
    let mut services: Vec<&KubeService> = st
        .all::<KubeService>()
        .filter(|s| {
            let sns = s.metadata.namespace.as_deref().unwrap_or_default();
            sns == ns && links
                || sns == "default" && s.metadata.name.as_deref() == Some("kubernetes")
        })
        .collect();
    services.sort_by_key(|s| s.metadata.name.clone());
    for s in services {
        let Some(spec) = s.spec.as_ref() else {
            continue;
        };
        let Some(ip) = spec.cluster_ip.as_deref().filter(|ip| *ip != "None") else {
            continue;
        };
        let prefix = s
            .metadata
            .name
            .as_deref()
            .unwrap_or_default()
            .to_uppercase()
            .replace('-', "_");
        let ports = spec.ports.as_deref().unwrap_or_default();
        env.push((format!("{prefix}_SERVICE_HOST"), ip.to_string()));
        if let Some(first) = ports.first() {
            env.push((format!("{prefix}_SERVICE_PORT"), first.port.to_string()));
            let proto = first
                .protocol
                .clone()
                .unwrap_or("TCP".into())
                .to_lowercase();
            env.push((
                format!("{prefix}_PORT"),
                format!("{proto}://{ip}:{}", first.port),
            ));
        }
        for port in ports {
            let proto = port.protocol.clone().unwrap_or("TCP".into());
            let p = format!("{prefix}_PORT_{}_{}", port.port, proto);
            env.push((
                p.clone(),
                format!("{}://{ip}:{}", proto.to_lowercase(), port.port),
            ));
            env.push((format!("{p}_PROTO"), proto.to_lowercase()));
            env.push((format!("{p}_PORT"), port.port.to_string()));
            env.push((format!("{p}_ADDR"), ip.to_string()));
        }
    }
    env.extend(image_env);
    env.push(("HOME".into(), "/root".into()));
    env
}

/// Starts an exec in a pod (`key` is `namespace/name`).
pub fn start(st: &State, key: &str, q: &Query) -> Result<ApiResponse, Status> {
    let (ns, name) = key.split_once('/').unwrap_or(("", key));
    let p = st
        .get::<Pod>(key)
        .ok_or_else(|| Status::not_found("pods", "", name))?;
    let spec = p.spec.clone().unwrap_or_default();
    let container = match q.get("container") {
        Some(c) if !c.is_empty() => spec
            .containers
            .iter()
            .find(|x| x.name == c)
            .ok_or_else(|| bad(format!("container {c} is not valid for pod {name}")))?,
        _ => spec
            .containers
            .first()
            .ok_or_else(|| bad(format!("pod {name} has no containers")))?,
    };
    let status = p
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .and_then(|cs| cs.iter().find(|s| s.name == container.name));
    let running = status.is_some_and(|s| s.state.as_ref().is_some_and(|x| x.running.is_some()));
    if crate::kube::kubelet::finished(p) {
        let phase = p
            .status
            .as_ref()
            .and_then(|s| s.phase.clone())
            .unwrap_or_default();
        return Err(bad(format!(
            "cannot exec into a container in a completed pod; current phase is {phase}"
        )));
    }
    if !running {
        return Err(bad(format!(
            "unable to upgrade connection: container not found (\"{}\")",
            container.name
        )));
    }
    let argv: Vec<String> = q.all("command").into_iter().map(str::to_string).collect();
    if argv.is_empty() {
        return Err(bad("you must specify at least 1 command".into()));
    }
    let flag = |k: &str| matches!(q.get(k), Some("true" | "1"));
    let image = container.image.clone().unwrap_or_default();
    let (info, r) = images::lookup(&image)
        .ok_or_else(|| bad(format!("container {} has no image to run", container.name)))?;
    let view = userland::view(&r, info);
    let mut files = view.files;
    let ip = p
        .status
        .as_ref()
        .and_then(|s| s.pod_ip.clone())
        .unwrap_or_default();
    files.insert("/etc/hostname".into(), format!("{name}\n").into_bytes());
    files.insert(
        "/etc/hosts".into(),
        format!(
            "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n{ip}\t{name}\n"
        )
        .into_bytes(),
    );
    files.insert(
        "/etc/resolv.conf".into(),
        format!(
            "search {ns}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n"
        )
        .into_bytes(),
    );
    files.insert(
        "/var/run/secrets/kubernetes.io/serviceaccount/namespace".into(),
        ns.as_bytes().to_vec(),
    );
    let main = crate::kube::kubelet::program(container)
        .map(|_| {
            images::effective_argv(
                info,
                container.command.as_deref().unwrap_or_default(),
                container.args.as_deref().unwrap_or_default(),
            )
        })
        .unwrap_or_default();
    let shell = Shell::new(shell::Container {
        hostname: name.to_string(),
        userland: view.userland,
        env: environment(st, p, container, view.env),
        files,
        main,
        nginx: view.nginx,
        kernel: "3.10.0-1160.el7.x86_64".into(),
        date: st.now().ctime_utc(),
    });
    let session = ExecSession {
        shell,
        argv,
        tty: flag("tty"),
        stdin: flag("stdin"),
        mode: Mode::Ended,
        line: Vec::new(),
    };
    Ok(ApiResponse {
        status: 101,
        content_type: String::new(),
        body: Vec::new(),
        stream: Some(Stream::Exec(Box::new(session))),
        warnings: Vec::new(),
    })
}

impl ExecSession {
    fn emit(&self, o: Output, out: &mut Vec<ExecOut>) {
        let fix = |b: Vec<u8>| -> Vec<u8> {
            if !self.tty {
                return b;
            }
            let mut v = Vec::with_capacity(b.len());
            for c in b {
                if c == b'\n' {
                    v.push(b'\r');
                }
                v.push(c);
            }
            v
        };
        if !o.stdout.is_empty() {
            out.push(ExecOut::Stdout(fix(o.stdout)));
        }
        if !o.stderr.is_empty() {
            // A terminal has one output stream.
            out.push(if self.tty {
                ExecOut::Stdout(fix(o.stderr))
            } else {
                ExecOut::Stderr(o.stderr)
            });
        }
    }

    /// The process starts: what it prints at once (all of it, for a command that does not
    /// read stdin).
    pub fn begin(&mut self) -> Vec<ExecOut> {
        let mut out = Vec::new();
        match self.shell.start(&self.argv, self.stdin) {
            Start::Done(o) => {
                let code = o.code;
                self.emit(o, &mut out);
                out.push(ExecOut::Exit(exit_status(code)));
            }
            Start::NotFound(why) => {
                let id = crate::base::rng::stable_hex64(&self.argv.join(" "));
                out.push(ExecOut::Exit(internal(format!(
                    "Internal error occurred: error executing command in container: failed to exec in container: failed to start exec \"{id}\": OCI runtime exec failed: exec failed: unable to start container process: {why}: unknown"
                ))));
            }
            Start::Shell => {
                self.mode = Mode::Shell;
                if self.tty {
                    out.push(ExecOut::Stdout(self.shell.prompt().into_bytes()));
                }
            }
            Start::ReadsStdin => self.mode = Mode::Reading(Vec::new()),
        }
        if matches!(out.last(), Some(ExecOut::Exit(_))) {
            self.mode = Mode::Ended;
        }
        out
    }

    /// Whether the process has ended.
    pub fn ended(&self) -> bool {
        self.mode == Mode::Ended
    }

    /// Bytes from the client's stdin.
    pub fn input(&mut self, data: &[u8]) -> Vec<ExecOut> {
        let mut out = Vec::new();
        match &mut self.mode {
            Mode::Ended => {}
            Mode::Reading(buf) => buf.extend_from_slice(data),
            Mode::Shell => {
                for &b in data {
                    if self.mode == Mode::Ended {
                        break;
                    }
                    self.key(b, &mut out);
                }
            }
        }
        out
    }

    /// One byte typed into the shell.
    fn key(&mut self, b: u8, out: &mut Vec<ExecOut>) {
        match b {
            b'\r' | b'\n' => {
                if self.tty {
                    out.push(ExecOut::Stdout(b"\r\n".to_vec()));
                }
                let line = String::from_utf8_lossy(&std::mem::take(&mut self.line)).to_string();
                let o = self.shell.line(&line);
                self.emit(o, out);
                if let Some(code) = self.shell.exited {
                    // bash says it is leaving; busybox's sh does not.
                    if self.tty && self.shell.name == "bash" {
                        out.push(ExecOut::Stdout(b"exit\r\n".to_vec()));
                    }
                    out.push(ExecOut::Exit(exit_status(code)));
                    self.mode = Mode::Ended;
                } else if self.tty {
                    out.push(ExecOut::Stdout(self.shell.prompt().into_bytes()));
                }
            }
            // Backspace / DEL.
            0x7f | 0x08 if self.tty => {
                if self.line.pop().is_some() {
                    out.push(ExecOut::Stdout(b"\x08 \x08".to_vec()));
                }
            }
            // Ctrl-C: the line is dropped.
            0x03 if self.tty => {
                self.line.clear();
                out.push(ExecOut::Stdout(b"^C\r\n".to_vec()));
                out.push(ExecOut::Stdout(self.shell.prompt().into_bytes()));
            }
            // Ctrl-D on an empty line: the shell exits.
            0x04 if self.tty && self.line.is_empty() => {
                out.push(ExecOut::Stdout(b"exit\r\n".to_vec()));
                out.push(ExecOut::Exit(exit_status(0)));
                self.mode = Mode::Ended;
            }
            _ => {
                self.line.push(b);
                if self.tty && b >= 0x20 {
                    out.push(ExecOut::Stdout(vec![b]));
                }
            }
        }
    }

    /// The client closed stdin.
    pub fn close_stdin(&mut self) -> Vec<ExecOut> {
        let mut out = Vec::new();
        match std::mem::replace(&mut self.mode, Mode::Ended) {
            Mode::Ended => return out,
            Mode::Reading(buf) => {
                let argv = self.argv.clone();
                let o = self.shell.finish(&argv, &buf);
                let code = o.code;
                self.emit(o, &mut out);
                out.push(ExecOut::Exit(exit_status(code)));
            }
            Mode::Shell => {
                self.mode = Mode::Shell;
                if !self.line.is_empty() {
                    self.key(b'\n', &mut out);
                }
                if self.mode != Mode::Ended {
                    self.mode = Mode::Ended;
                    out.push(ExecOut::Exit(exit_status(self.shell.exited.unwrap_or(0))));
                }
            }
        }
        out
    }
}
