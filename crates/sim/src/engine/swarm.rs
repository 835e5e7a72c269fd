//! The swarm itself: join tokens, address pools, history limit.

use super::*;
use crate::base::time::SimTime;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct JoinTokens {
    pub worker: String,
    pub manager: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Swarm {
    #[serde(rename = "ID")]
    pub id: String,
    pub version: Version,
    pub created_at: SimTime,
    pub updated_at: SimTime,
    /// `--task-history-limit` (B11); negative keeps everything.
    pub task_history_retention_limit: i64,
    pub join_tokens: JoinTokens,
    /// The default subnet pool for overlay networks.
    pub default_addr_pool: Vec<String>,
    pub subnet_size: u8,
}
