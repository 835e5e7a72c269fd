//! kubectl's client logic, once, in Rust, over kube-rs: the commands opsconsole runs against
//! any Kubernetes API server (the built-in cluster's, in process or served, or a real one),
//! with kubectl 1.32's output, errors and exit codes. Commands come typed from the command
//! language ([`opsconsole_sim::lang::kubectl`]).

pub use kube;

pub mod api;
mod delete;
pub mod discovery;
mod get;
pub mod inprocess;
pub mod json;
mod label;
mod scale;
pub mod table;
pub mod target;
pub mod yaml;

use opsconsole_sim::lang::kubectl::{KubectlCmd, Verb};

/// The kubectl release this client speaks as.
pub const CLIENT_VERSION: &str = "v1.32.5";
/// The kustomize kubectl 1.32 embeds.
pub const KUSTOMIZE_VERSION: &str = "v5.5.0";

/// What a command prints.
#[derive(Debug, Default)]
pub struct Out {
    pub out: Vec<u8>,
    pub err: Vec<u8>,
}

impl Out {
    pub fn print(&mut self, s: &str) {
        self.out.extend_from_slice(s.as_bytes());
    }
    pub fn eprint(&mut self, s: &str) {
        self.err.extend_from_slice(s.as_bytes());
    }
}

/// Runs one kubectl command; returns kubectl's exit status.
pub async fn run(client: &kube::Client, cmd: &KubectlCmd, out: &mut Out) -> i32 {
    let namespace = cmd
        .globals
        .namespace
        .clone()
        .unwrap_or_else(|| client.default_namespace().to_string());
    let api = api::Api::new(client.clone());
    match &cmd.verb {
        Verb::Get(g) => get::run(&api, &namespace, g, out).await,
        Verb::Version(v) => version(&api, v.client, out).await,
        Verb::Delete(d) => delete::run(&api, &namespace, d, out).await,
        Verb::Scale(s) => scale::run(&api, &namespace, s, out).await,
        Verb::Label(l) => label::run(&api, &namespace, l, out).await,
        Verb::Other => {
            out.eprint(&format!(
                "error: opsconsole does not run `kubectl {}` yet\n",
                cmd.command
            ));
            1
        }
    }
}

async fn version(api: &api::Api, client_only: bool, out: &mut Out) -> i32 {
    out.print(&format!(
        "Client Version: {CLIENT_VERSION}\nKustomize Version: {KUSTOMIZE_VERSION}\n"
    ));
    if client_only {
        return 0;
    }
    match api.get("/version", "application/json").await {
        Ok(v) => {
            let server = v["gitVersion"].as_str().unwrap_or_default();
            out.print(&format!("Server Version: {server}\n"));
            0
        }
        Err(e) => {
            out.eprint(&format!("{e}\n"));
            1
        }
    }
}
