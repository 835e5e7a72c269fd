//! opsconsole: a terminal console for Docker Swarm and Kubernetes clusters, with a built-in
//! simulated cluster.

pub mod app;
pub mod backend;
pub mod console;
pub mod ctl;
pub mod fixtures;
pub mod macros;

pub mod shots;
pub mod ui;
