//! The Kubernetes control plane: a cluster of its own beside the swarm, on the same clock
//! and infrastructure. Its objects are the k8s-openapi types ([`crate::model::kube`]); the
//! API handler ([`api`]) is the only way in; the seed ([`seed`]) is seed 002's cluster;
//! [`print`] is the API server's Table printing; [`controllers`], [`scheduler`] and
//! [`kubelet`] make the objects come true, on the simulator's timers.

pub mod api;
pub mod batch;
pub mod controllers;
pub mod cron;
pub mod daemonset;
pub mod defaults;
pub mod deployment;
pub mod events;
pub mod gc;
pub mod kubelet;
pub mod manifest;
pub mod names;
pub mod namespaces;
pub mod nodes;
pub mod print;
pub mod scheduler;
pub mod search;
pub mod seed;

#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;
