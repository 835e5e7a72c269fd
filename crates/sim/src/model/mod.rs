//! The simulator's objects: the Docker Engine API's types ([`crate::engine`]), and the
//! objects the state keeps, each with the simulator's own part beside the API's: what every
//! node runs ([`infra`]: containers, local volumes) and the swarm's ([`swarm`]: nodes,
//! services, tasks, overlay networks).

pub mod infra;
pub mod swarm;

pub use crate::engine::*;
pub use infra::*;
pub use swarm::*;
