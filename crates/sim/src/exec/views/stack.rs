//! Stacks: `stack ls`.

use super::*;
use crate::Cluster;
use crate::lang::docker::ListOpts;
use serde_json::json;

pub fn stacks(cl: &Cluster) -> std::collections::BTreeMap<String, Vec<&Service>> {
    let mut m: std::collections::BTreeMap<String, Vec<&Service>> =
        std::collections::BTreeMap::new();
    for s in cl.state().all::<Service>() {
        if let Some(ns) = s.spec.stack_namespace() {
            m.entry(ns.to_string()).or_default().push(s);
        }
    }
    m
}

pub fn stack_ls(cl: &Cluster, opts: &ListOpts) -> Result<String, String> {
    let rows = stacks(cl).iter().map(|(name, svcs)| json!({"Name": name, "Services": svcs.len().to_string(), "Orchestrator": "Swarm"})).collect();
    Listing {
        headers: &["NAME", "SERVICES", "ORCHESTRATOR"],
        keys: &["Name", "Services", "Orchestrator"],
        rows,
        quiet_key: "Name",
    }
    .render(opts)
}
