//! Finding objects as docker resolves them: an ID, then a name, then a unique ID prefix.

use crate::ApiError;
use crate::model::*;
use crate::state::{Object, State};
use crate::swarm::*;
use std::collections::BTreeMap;

pub fn lookup<'a, T: Object>(
    st: &'a State,
    key: &str,
    names: Option<&BTreeMap<String, String>>,
) -> Option<&'a T> {
    if let Some(x) = st.get::<T>(key) {
        return Some(x);
    }
    if let Some(id) = names.and_then(|m| m.get(key)) {
        return st.get::<T>(id);
    }
    if key.is_empty() {
        return None;
    }
    unique_prefix(st.with_prefix::<T>(key))
}

pub fn find_service<'a>(st: &'a State, key: &str) -> Option<&'a Service> {
    lookup(st, key, Some(&st.index().service_names))
}

pub fn find_node<'a>(st: &'a State, key: &str) -> Option<&'a Node> {
    lookup(st, key, Some(&st.index().node_names))
}

pub fn find_task<'a>(st: &'a State, key: &str) -> Option<&'a Task> {
    lookup(st, key, None)
}

/// A container on a node, by ID, ID prefix or name.
pub fn find_container<'a>(st: &'a State, node: &str, key: &str) -> Option<&'a Container> {
    let on_node = |c: &&Container| c.sim.node == node;
    if let Some(c) = st.get::<Container>(key).filter(on_node) {
        return Some(c);
    }
    let name = key.trim_start_matches('/');
    if let Some(id) = st
        .index()
        .container_names
        .get(&(node.to_string(), name.to_string()))
    {
        return st.get::<Container>(id);
    }
    unique_prefix(
        st.index()
            .containers_on_node(node)
            .filter(|id| !key.is_empty() && id.starts_with(key))
            .filter_map(|id| st.get::<Container>(id)),
    )
}

pub fn find_network<'a>(st: &'a State, key: &str) -> Option<&'a Network> {
    lookup(st, key, Some(&st.index().network_names))
}

pub fn tasks_of_service<'a>(st: &'a State, svc_id: &str) -> Vec<&'a Task> {
    st.index()
        .tasks_of_service(svc_id)
        .filter_map(|id| st.get::<Task>(id))
        .collect()
}

pub fn tasks_on_node<'a>(st: &'a State, node_id: &str) -> Vec<&'a Task> {
    st.index()
        .tasks_on_node(node_id)
        .filter_map(|id| st.get::<Task>(id))
        .collect()
}

pub fn containers_on_node<'a>(st: &'a State, node_id: &str) -> Vec<&'a Container> {
    st.index()
        .containers_on_node(node_id)
        .filter_map(|id| st.get::<Container>(id))
        .collect()
}

pub fn leader(st: &State) -> Option<&Node> {
    st.all::<Node>().find(|n| n.is_leader())
}

/// Running/desired counts as `docker service ls` shows them.
pub fn replica_counts(st: &State, svc: &Service) -> (u64, u64) {
    let tasks = lookup::tasks_of_service(st, &svc.id);
    let running = tasks
        .iter()
        .filter(|t| t.status.state == TaskState::Running && t.desired_state <= TaskState::Complete)
        .count() as u64;
    let desired = match svc.spec.mode {
        ServiceMode::Replicated { replicas } => replicas,
        ServiceMode::ReplicatedJob { max_concurrent, .. } => max_concurrent,
        ServiceMode::Global {} | ServiceMode::GlobalJob {} => tasks
            .iter()
            .filter(|t| t.desired_state <= TaskState::Complete && t.is_runnable())
            .count() as u64,
    };
    (running, desired)
}

// -----------------------------------------------------------------------

pub fn node_exists<'a>(st: &'a State, id: &str) -> Result<&'a Node, ApiError> {
    st.get::<Node>(id)
        .ok_or_else(|| ApiError(format!("node {id} not found")))
}

pub fn container_exists<'a>(st: &'a State, id: &str) -> Result<&'a Container, ApiError> {
    st.get::<Container>(id)
        .ok_or_else(|| ApiError(format!("No such container: {id}")))
}

pub fn service_exists<'a>(st: &'a State, id: &str) -> Result<&'a Service, ApiError> {
    st.get::<Service>(id)
        .ok_or_else(|| ApiError(format!("service {id} not found")))
}

/// Validates a service spec the way swarmkit's control API does.
pub fn volumes_in_use(st: &State, node: &str) -> BTreeMap<String, Vec<String>> {
    let mut used: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for c in lookup::containers_on_node(st, node) {
        for m in c.mounts.iter().filter(|m| m.r#type == "volume") {
            used.entry(m.name.clone()).or_default().push(c.id.clone());
        }
    }
    used
}

fn unique_prefix<'a, T: 'a>(mut it: impl Iterator<Item = &'a T>) -> Option<&'a T> {
    match (it.next(), it.next()) {
        (Some(x), None) => Some(x),
        _ => None,
    }
}
