//! What every node runs, whichever control plane placed it there: containers and local
//! volumes, as the Engine API shows them, with the simulator's state in `x-sim`.

use crate::base::time::SimTime;
use crate::engine::serde_util::*;
use crate::engine::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The control-plane object a container runs for.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Owner {
    /// A swarm task (by ID).
    SwarmTask(String),
}

impl Owner {
    /// The swarm task, if a swarm task owns it.
    pub fn swarm_task(&self) -> Option<&str> {
        match self {
            Owner::SwarmTask(t) => Some(t),
        }
    }
}

/// What a container does while it runs (derived from its image and command).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ContainerSim {
    pub node: String,
    /// Who placed the container (and is told when it exits); none for a plain `docker run`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    /// Image reference as given ("nginx:latest").
    pub image_ref: String,
    /// Seed for the container's generated log lines.
    pub log_seed: u64,
    /// When the container will exit by itself, and with which code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_at: Option<(SimTime, i64)>,
    /// A stop in progress: the container exits at this time with this code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopping: Option<(SimTime, i64)>,
    pub wake: Option<SimTime>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Container {
    pub id: String,
    pub created: SimTime,
    pub path: String,
    pub args: Vec<String>,
    pub state: ContainerState,
    pub image: String,
    pub name: String,
    pub restart_count: u64,
    pub driver: String,
    pub platform: String,
    pub config: ContainerConfig,
    pub mounts: Vec<MountPoint>,
    pub network_settings: BTreeMap<String, EndpointSettings>,
    #[serde(rename = "x-sim", default)]
    pub sim: ContainerSim,
}

impl Container {
    /// The name without docker's leading slash.
    pub fn short_name(&self) -> &str {
        self.name.trim_start_matches('/')
    }
    pub fn is_running(&self) -> bool {
        self.state.running
    }
    /// The full command line, as `docker ps` shows it.
    pub fn command_line(&self) -> String {
        let mut parts = vec![self.path.clone()];
        parts.extend(self.args.iter().cloned());
        parts.join(" ")
    }
}

// ---------------------------------------------------------------------------
// Volumes and networks

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct VolumeSim {
    pub node: String,
    pub anonymous: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Volume {
    #[serde(serialize_with = "ser_secs_time")]
    pub created_at: SimTime,
    pub driver: String,
    pub labels: Labels,
    pub mountpoint: String,
    pub name: String,
    pub options: Labels,
    pub scope: String,
    #[serde(rename = "x-sim", default)]
    pub sim: VolumeSim,
}

impl Volume {
    /// The store key: volumes are local to a node.
    pub fn key_of(node: &str, name: &str) -> String {
        format!("{node}/{name}")
    }
}

impl super::Record for Container {
    fn key(&self) -> String {
        self.id.clone()
    }
    fn wake(&self) -> Option<SimTime> {
        self.sim.wake
    }
    fn clear_wake(&mut self) {
        self.sim.wake = None;
    }
}

impl super::Record for Volume {
    fn key(&self) -> String {
        Volume::key_of(&self.sim.node, &self.name)
    }
}

/// A node to add with `sim node add`.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeTemplate {
    pub name: String,
    pub role: NodeRole,
    pub cpus: f64,
    pub memory: i64,
    pub labels: Labels,
    pub count: u32,
    pub arch: String,
}

impl NodeTemplate {
    /// The names of the nodes it adds (`NAME`, or `NAME1..NAMEn` with a count), after
    /// checking its count and sizes.
    pub fn names(&self) -> Result<Vec<String>, String> {
        if self.count == 0 {
            return Err("--count must be at least 1".into());
        }
        if self.cpus.is_nan() || self.cpus <= 0.0 || self.memory <= 0 {
            return Err("a node needs positive --cpus and --memory".into());
        }
        Ok(if self.count == 1 {
            vec![self.name.clone()]
        } else {
            (1..=self.count)
                .map(|i| format!("{}{i}", self.name))
                .collect()
        })
    }
}
