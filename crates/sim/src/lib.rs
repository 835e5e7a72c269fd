//! The built-in simulator of opsconsole and everything that runs commands against it: the
//! simulated cluster (pure and deterministic), its store, the command language and the
//! command executors. No terminal, UI, async-runtime or HTTP-client crate is a dependency:
//! the console, the backends and the servers are built on top, in the `opsconsole` crate.
//!
//! Layers, lowest first: [`base`] (time, randomness) and [`engine`] (the Docker Engine API's
//! types); [`state`] (object tables, transactions, timers, events); [`infra`] (what every
//! node runs: containers, images, logs, addresses); the control planes ([`swarm`], [`kube`]); the
//! [`Cluster`] facade; then [`store`], [`lang`] and [`exec`].

pub mod base;
mod cluster;

pub mod engine;
pub mod exec;
pub mod infra;
pub mod kube;
pub mod lang;
pub mod model;
pub mod state;
pub mod store;
pub mod swarm;

pub use cluster::seed_cluster;
pub use cluster::{ApiError, Cluster, NO_LEADER, SCHED_DEBOUNCE};
pub use engine::NetworkCreate;
pub use state::{Event, EventAction, FORMAT_VERSION, Meta, State};
pub use swarm::command::{Command, NodeTemplate, Outcome};
pub use swarm::seed::{DEFAULT_NODE_CPUS, DEFAULT_NODE_MEMORY, basic_spec};
pub use swarm::services::valid_dns_name;

#[cfg(test)]
mod tests;
