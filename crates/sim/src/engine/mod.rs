//! The Docker Engine API's object model: specs, statuses and states with the API's field
//! names, as `docker inspect` prints them and the Engine API sends and accepts them. The
//! simulator keeps its swarm in these types (with its own state beside them, in `x-sim`), the
//! command language builds them from flags, and the Docker backend sends them to real
//! engines: one wire model, as k8s-openapi is for Kubernetes.

mod container;
mod network;
mod node;
pub(crate) mod serde_util;
mod service;
mod swarm;
mod task;

pub use container::*;
pub use network::*;
pub use node::*;
pub use service::*;
pub use swarm::*;
pub use task::*;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub type Labels = BTreeMap<String, String>;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    #[serde(rename = "Index")]
    pub index: u64,
}
