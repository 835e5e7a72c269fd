//! opsconsole: a terminal console for Docker Swarm and Kubernetes clusters, with a built-in
//! simulated cluster.

pub mod compose;
pub mod ctl;
pub mod exec;
pub mod lang;
pub mod orch;
pub mod store;
