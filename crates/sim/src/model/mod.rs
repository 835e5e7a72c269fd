//! The simulator's objects: the Docker Engine API's types ([`crate::engine`]), and the
//! objects the state keeps, each with the simulator's own part beside the API's: what every
//! node runs ([`infra`]: containers, local volumes) and the swarm's ([`swarm`]: nodes,
//! services, tasks, overlay networks); and the Kubernetes control plane's ([`kube`]: the
//! k8s-openapi types).

pub mod infra;
pub mod kube;
pub mod swarm;

pub use crate::engine::*;
pub use infra::*;
pub use swarm::*;

use crate::base::time::SimTime;

/// What the state needs of every object it keeps (see the kinds registry in
/// [`crate::state`]): its key in its table, how a change stamps it, and when it next wants
/// to wake.
pub trait Record {
    /// A Kubernetes object: its versions are resourceVersions, counted apart.
    const KUBE: bool = false;
    fn key(&self) -> String;
    /// Called on every change with the new version index and the time.
    fn stamp(&mut self, _version: u64, _now: SimTime) {}
    /// When the object's timer is due, if it has one.
    fn wake(&self) -> Option<SimTime> {
        None
    }
    /// Forgets the due timer (it is being handled).
    fn clear_wake(&mut self) {}
}
