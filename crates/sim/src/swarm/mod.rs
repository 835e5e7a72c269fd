//! The Swarm control plane: services, tasks, nodes and overlay networks with swarmkit's
//! semantics. Commands come in through [`command::handle`]; the orchestrator, updater and
//! scheduler keep tasks matching specs; each node's agent ([`executor`]) runs them in the
//! node's container runtime and reports back; [`raft`] keeps a leader.

pub mod command;
pub mod constraint;
pub mod endpoint;
pub mod executor;
pub mod lookup;
pub mod network;
pub mod nodes;
pub mod orchestrator;
pub mod raft;
pub mod resources;
pub mod scheduler;
pub mod seed;
pub mod services;
pub mod settings;
pub mod tasks;
pub mod updater;

use crate::state::{Kind, State};

/// A swarm object's timer is due.
pub fn wake(st: &mut State, kind: Kind, key: &str) {
    match kind {
        Kind::Task => executor::task_wake(st, key),
        Kind::Node => executor::node_wake(st, key),
        Kind::Service => updater::service_wake(st, key, &orchestrator::Orchestrator),
        Kind::Cluster if raft::has_leader(st) => scheduler::run(st),
        _ => {}
    }
}
