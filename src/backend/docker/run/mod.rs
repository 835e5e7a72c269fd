//! The command language against a real engine: each parsed command becomes the API calls the
//! docker CLI makes for it, and prints what the CLI prints. One file per group of commands.

mod inspect;
mod lists;
mod node;
mod objects;
mod plan;
mod service;
mod stack;

pub use plan::plan;
#[cfg(test)]
use service::{image_ref, patch};

use super::convert::{self, Raw};
use super::{api_error, json};
use crate::backend::{BackendError, CmdOutput, Invocation, Plan, PlannedMove, RunOpts};
use bollard::query_parameters::*;
use opsconsole_sim::exec::format::{inspect_json, render_template, trunc_id};
use opsconsole_sim::lang::docker::{
    DockerCmd, InspectOpts, ListOpts, ServiceCreate, ServiceUpdate,
};
use opsconsole_sim::lang::{Cmd, SimCmd};
use serde_json::{Value, json};
use std::collections::HashMap;

#[derive(Default)]
struct Out {
    stdout: String,
    stderr: String,
    code: i32,
}

impl Out {
    fn line(&mut self, s: impl AsRef<str>) {
        self.stdout.push_str(s.as_ref());
        self.stdout.push('\n');
    }
    fn fail(&mut self, s: impl AsRef<str>) {
        self.stderr.push_str(s.as_ref());
        self.stderr.push('\n');
        self.code = 1;
    }
    fn result(&mut self, r: Result<String, String>) {
        match r {
            Ok(s) => self.line(s),
            Err(e) => self.fail(e),
        }
    }
}

type R<T> = Result<T, String>;

fn err(e: bollard::errors::Error) -> String {
    api_error(&e)
}

fn from_json<T: serde::de::DeserializeOwned>(v: Value) -> R<T> {
    serde_json::from_value(v).map_err(|e| format!("opsconsole: cannot build the request: {e}"))
}

/// Runs `f` for each name; prints the name when it worked and the engine's error when not.
async fn each<F, Fut>(out: &mut Out, c: &bollard::Docker, names: &[String], f: F)
where
    F: Fn(bollard::Docker, String) -> Fut,
    Fut: std::future::Future<Output = Result<(), bollard::errors::Error>> + Send,
{
    for n in names {
        match f(c.clone(), n.clone()).await {
            Ok(()) => out.line(n),
            Err(e) => out.fail(err(e)),
        }
    }
}

fn filters(list: &ListOpts) -> HashMap<String, Vec<String>> {
    let mut m: HashMap<String, Vec<String>> = HashMap::new();
    for (k, v) in &list.filters {
        m.entry(k.clone()).or_default().push(v.clone());
    }
    m
}

fn print_inspect(out: &mut Out, values: Vec<Value>, opts: &InspectOpts) {
    match &opts.format {
        Some(f) => {
            for v in &values {
                match render_template(f, v) {
                    Ok(s) => out.line(s),
                    Err(e) => out.fail(e),
                }
            }
        }
        None => out.stdout.push_str(&inspect_json(&values)),
    }
}

async fn docker(
    c: &bollard::Docker,
    host: &str,
    cmd: DockerCmd,
    stdin: Option<&str>,
    out: &mut Out,
) -> R<()> {
    use DockerCmd::*;
    match cmd {
        ServiceLs(_)
        | NodeLs(_)
        | ServicePs { .. }
        | ContainerLs { .. }
        | VolumeLs(_)
        | NetworkLs(_) => lists::lists(c, &cmd, out).await,
        ServiceInspect(_) | NodeInspect(_) | VolumeInspect(_) | NetworkInspect(_)
        | ContainerInspect(_) | Inspect(_) => inspect::inspects(c, host, &cmd, out).await,
        ServiceCreate(sc) => service::create(c, out, sc).await,
        ServiceUpdate(su) => service::update(c, out, su).await,
        ServiceScale { pairs, .. } => service::scale(c, out, pairs).await,
        ServiceRollback { service: name, .. } => service::rollback(c, out, name).await,
        ServiceRm(names) => service::rm(c, out, names).await,
        NodeUpdate {
            node,
            availability,
            role,
            label_add,
            label_rm,
        } => node::update(c, out, node, availability, role, label_add, label_rm).await,
        NodePromote(nodes) => node::promote(c, out, nodes).await,
        NodeDemote(nodes) => node::demote(c, out, nodes).await,
        NodeRm { nodes, force } => node::rm(c, out, nodes, force).await,
        VolumeCreate {
            name,
            driver,
            labels,
            opts,
        } => objects::volume_create(c, out, name, driver, labels, opts).await,
        VolumeRm { names, force } => objects::volume_rm(c, out, names, force).await,
        NetworkCreate(n) => objects::network_create(c, out, n).await,
        NetworkRm(names) => objects::network_rm(c, out, names).await,
        StackDeploy { files, name, prune } => {
            stack::deploy(c, &files, &name, prune, stdin, out).await
        }
        StackRm(names) => {
            for n in names {
                stack::rm(c, &n, out).await?;
            }
            Ok(())
        }
        ContainerStart(names) => objects::container_start(c, out, names).await,
        ContainerStop { names, time } => objects::container_stop(c, out, names, time).await,
        ContainerRestart { names, time } => objects::container_restart(c, out, names, time).await,
        ContainerKill { names, signal } => objects::container_kill(c, out, names, signal).await,
        ContainerRm {
            names,
            force,
            volumes,
        } => objects::container_rm(c, out, names, force, volumes).await,
        Info => objects::info(c, out).await,
        Version => objects::version(c, out).await,
        ServiceLogs(_) | ContainerLogs(_) => Err(
            "opsconsole: logs stream in the logs pane here (`:logs SERVICE` or `:logs TASK`)"
                .into(),
        ),
        other => Err(format!(
            "opsconsole: `{}` is not available on a Docker engine yet; use the docker CLI",
            command_name(&other)
        )),
    }
}

fn command_name(c: &DockerCmd) -> String {
    let dbg = format!("{c:?}");
    let head = dbg
        .split(|ch: char| !ch.is_alphanumeric())
        .next()
        .unwrap_or("")
        .to_string();
    let mut out = String::new();
    for (i, ch) in head.chars().enumerate() {
        if ch.is_uppercase() && i > 0 {
            out.push(' ');
        }
        out.push(ch.to_ascii_lowercase());
    }
    format!("docker {out}")
}

pub async fn run(c: &bollard::Docker, host: &str, inv: Invocation, _opts: RunOpts) -> CmdOutput {
    let mut out = Out::default();
    let r = match inv.cmd {
        Cmd::Docker(d) => docker(c, host, d, inv.stdin.as_deref(), &mut out).await,
        Cmd::Kubectl(_) => Err(
            "opsconsole: kubectl commands are for a Kubernetes cluster; this is a Docker engine"
                .into(),
        ),
        Cmd::Sim(SimCmd::Status) | Cmd::Sim(_) => Err(
            "opsconsole: `sim` commands drive the built-in cluster; this is a Docker engine".into(),
        ),
        Cmd::Help(text) => {
            out.stdout = text;
            Ok(())
        }
    };
    if let Err(e) = r {
        out.fail(e);
    }
    CmdOutput {
        code: out.code,
        stdout: out.stdout,
        stderr: out.stderr,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_touches_only_what_changed() {
        let mut orig = json!({"Name": "web", "TaskTemplate": {"ContainerSpec":
            {"Image": "busybox:latest", "Isolation": "default"}, "ForceUpdate": 0},
            "Labels": {"a": "1"}});
        let before = json!({"Name": "web", "TaskTemplate": {"ContainerSpec":
            {"Image": "busybox:latest"}}, "Labels": {"a": "1"}});
        let after = json!({"Name": "web", "TaskTemplate": {"ContainerSpec":
            {"Image": "busybox:v2"}}, "Labels": {}});
        patch(&mut orig, &before, &after);
        assert_eq!(orig["TaskTemplate"]["ContainerSpec"]["Image"], "busybox:v2");
        // Fields opsconsole does not model survive.
        assert_eq!(
            orig["TaskTemplate"]["ContainerSpec"]["Isolation"],
            "default"
        );
        assert_eq!(orig["TaskTemplate"]["ForceUpdate"], 0);
        assert_eq!(orig["Labels"], json!({}));
    }

    #[test]
    fn images_get_the_cli_default_tag() {
        assert_eq!(image_ref("busybox"), "busybox:latest");
        assert_eq!(image_ref("localhost:5000/app"), "localhost:5000/app:latest");
        assert_eq!(image_ref("nginx:1.17-alpine"), "nginx:1.17-alpine");
        assert_eq!(image_ref("a@sha256:00"), "a@sha256:00");
    }
}
