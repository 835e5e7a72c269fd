//! Storage: node-local volumes, and host paths bind-mounted into containers.

use super::Common;
use serde::{Deserialize, Serialize};

/// A volume or bind mount on one node: `c.r.name` is the volume's name (or the path),
/// `c.r.uid` is unique per node.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StorageView {
    pub c: Common,
    pub node_id: String,
    pub node_name: String,
    pub driver: String,
    pub scope: String,
    pub mountpoint: String,
    pub anonymous: bool,
    /// Containers using it (names), with `:ro` for read-only mounts.
    pub used_by: Vec<String>,
}

impl StorageView {
    pub fn name(&self) -> &str {
        &self.c.r.name
    }
    pub fn key(&self) -> &str {
        &self.c.r.uid
    }
    /// A host path, not a volume.
    pub fn is_bind(&self) -> bool {
        self.c.r.kind == super::ResKind::Bind
    }
    /// The key of a volume (`node/name`) or bind mount (`node/bind:path`) on a node.
    pub fn key_of(node_id: &str, name: &str, bind: bool) -> String {
        if bind {
            format!("{node_id}/bind:{name}")
        } else {
            format!("{node_id}/{name}")
        }
    }
}
