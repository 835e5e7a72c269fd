//! opsconsole: a terminal console for Docker Swarm and Kubernetes clusters, with a built-in
//! simulated cluster.

pub mod app;
pub mod backend;
pub mod compose;
pub mod console;
pub mod ctl;
pub mod exec;
pub mod fixtures;
pub mod lang;
pub mod macros;
pub mod orch;
pub mod play;
pub mod shots;
pub mod store;
pub mod ui;
