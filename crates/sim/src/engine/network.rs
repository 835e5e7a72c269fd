//! Networks: IPAM.

use super::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IpamConfig {
    pub subnet: String,
    pub gateway: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Ipam {
    pub driver: String,
    pub options: Option<Labels>,
    pub config: Vec<IpamConfig>,
}

/// The body of `POST /networks/create` as the CLI fills it from `docker network create`.
#[derive(Clone, Debug, PartialEq)]
pub struct NetworkCreate {
    pub name: String,
    pub driver: String,
    pub subnet: Option<String>,
    pub gateway: Option<String>,
    pub attachable: bool,
    pub internal: bool,
    pub encrypted: bool,
    pub labels: Labels,
    pub options: Labels,
}
