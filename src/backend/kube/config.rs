//! Reaching a cluster through a kubeconfig, as kubectl does: the file named, else
//! `KUBECONFIG`, else `~/.kube/config`; its current context or the one named; the context's
//! credentials (client certificates, tokens, exec plugins) and namespace.

use super::{Kube, Reach, Target};
use std::path::Path;

/// The Kubernetes backend for a kubeconfig context. `namespace`: the one panes show (`all`
/// for every one); without it, the context's namespace if it sets one, else all.
pub async fn connect(
    file: Option<&Path>,
    context: Option<&str>,
    namespace: Option<&str>,
) -> Result<Kube, String> {
    let kc = match file {
        Some(f) => ::kube::config::Kubeconfig::read_from(f)
            .map_err(|e| format!("cannot read the kubeconfig {}: {e}", f.display()))?,
        None => ::kube::config::Kubeconfig::read().map_err(|e| {
            format!("cannot read a kubeconfig (KUBECONFIG, else ~/.kube/config): {e}")
        })?,
    };
    let context_name = context
        .map(str::to_string)
        .or_else(|| kc.current_context.clone())
        .unwrap_or_default();
    if let Some(c) = context
        && !kc.contexts.iter().any(|n| n.name == c)
    {
        let known: Vec<&str> = kc.contexts.iter().map(|c| c.name.as_str()).collect();
        return Err(format!(
            "no context {c:?} in the kubeconfig (it has: {})",
            known.join(", ")
        ));
    }
    let opts = ::kube::config::KubeConfigOptions {
        context: context.map(str::to_string),
        ..Default::default()
    };
    let config = ::kube::Config::from_custom_kubeconfig(kc, &opts)
        .await
        .map_err(|e| format!("kubeconfig context {context_name:?}: {e}"))?;
    let server = config.cluster_url.to_string();
    let scope = match namespace {
        Some("all") => None,
        Some(ns) => Some(ns.to_string()),
        // The context's namespace scopes the console; "default" is what kube fills in
        // when the context sets none.
        None if config.default_namespace != "default" => Some(config.default_namespace.clone()),
        None => None,
    };
    let client = ::kube::Client::try_from(config)
        .map_err(|e| format!("kubeconfig context {context_name:?}: {e}"))?;
    Ok(Kube::new(
        client,
        Target {
            endpoint: format!("{context_name} · {}", server.trim_end_matches('/')),
            server: server.trim_end_matches('/').to_string(),
            namespace: scope,
            simulated: false,
            reach: Reach::Served,
        },
    ))
}
