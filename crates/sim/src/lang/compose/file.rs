//! The compose file format, as far as `stack deploy` reads it.

use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Deserialize, Debug, Default)]
pub(super) struct File {
    #[serde(default)]
    pub(super) version: Option<Value>,
    #[serde(default)]
    pub(super) services: BTreeMap<String, Svc>,
    #[serde(default)]
    pub(super) networks: BTreeMap<String, Option<NetDecl>>,
    #[serde(default)]
    pub(super) volumes: BTreeMap<String, Option<VolDecl>>,
    #[serde(default)]
    pub(super) configs: Option<Value>,
    #[serde(default)]
    pub(super) secrets: Option<Value>,
    #[serde(flatten)]
    pub(super) extensions: BTreeMap<String, Value>,
}

// Keys of the compose schema that are accepted but have no effect here.
#[allow(dead_code)]
#[derive(Deserialize, Debug, Default, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct NetDecl {
    pub(super) driver: Option<String>,
    #[serde(default)]
    pub(super) external: Option<Value>,
    #[serde(default)]
    pub(super) attachable: bool,
    #[serde(default)]
    pub(super) internal: bool,
    pub(super) name: Option<String>,
    #[serde(default)]
    pub(super) driver_opts: BTreeMap<String, Value>,
    #[serde(default)]
    pub(super) labels: Option<KvList>,
    #[serde(default)]
    pub(super) ipam: Option<Value>,
}

// Keys of the compose schema that are accepted but have no effect here.
#[allow(dead_code)]
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct VolDecl {
    pub(super) driver: Option<String>,
    #[serde(default)]
    pub(super) external: Option<Value>,
    pub(super) name: Option<String>,
    #[serde(default)]
    pub(super) driver_opts: BTreeMap<String, Value>,
    #[serde(default)]
    pub(super) labels: Option<KvList>,
}

/// `KEY=VALUE` lists or maps (environment, labels).
#[derive(Deserialize, Debug, Clone)]
#[serde(untagged)]
pub(super) enum KvList {
    List(Vec<String>),
    Map(BTreeMap<String, Option<Value>>),
}

impl KvList {
    pub(super) fn pairs(&self) -> Vec<(String, Option<String>)> {
        match self {
            KvList::List(l) => l
                .iter()
                .map(|s| match s.split_once('=') {
                    Some((k, v)) => (k.to_string(), Some(v.to_string())),
                    None => (s.clone(), None),
                })
                .collect(),
            KvList::Map(m) => m
                .iter()
                .map(|(k, v)| (k.clone(), v.as_ref().map(scalar)))
                .collect(),
        }
    }
}

pub(super) fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[derive(Deserialize, Debug, Clone)]
#[serde(untagged)]
pub(super) enum StrOrList {
    Str(String),
    List(Vec<String>),
}

impl StrOrList {
    pub(super) fn words(&self) -> Result<Vec<String>, String> {
        match self {
            StrOrList::Str(s) => crate::lang::flags::split_line(s),
            StrOrList::List(l) => Ok(l.clone()),
        }
    }
}

#[derive(Deserialize, Debug, Clone)]
#[serde(untagged)]
pub(super) enum PortEntry {
    Num(u64),
    Short(String),
    Long(LongPort),
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct LongPort {
    pub(super) target: u32,
    pub(super) published: Option<Value>,
    pub(super) protocol: Option<String>,
    pub(super) mode: Option<String>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(untagged)]
pub(super) enum VolEntry {
    Short(String),
    Long(Box<LongVol>),
}

// Keys of the compose schema that are accepted but have no effect here.
#[allow(dead_code)]
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct LongVol {
    #[serde(rename = "type")]
    pub(super) kind: String,
    pub(super) source: Option<String>,
    pub(super) target: String,
    #[serde(default)]
    pub(super) read_only: bool,
    #[serde(default)]
    pub(super) volume: Option<Value>,
    #[serde(default)]
    pub(super) bind: Option<Value>,
    #[serde(default)]
    pub(super) consistency: Option<String>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(untagged)]
pub(super) enum SvcNetworks {
    List(Vec<String>),
    Map(BTreeMap<String, Option<SvcNetOpts>>),
}

// Keys of the compose schema that are accepted but have no effect here.
#[allow(dead_code)]
#[derive(Deserialize, Debug, Clone, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct SvcNetOpts {
    #[serde(default)]
    pub(super) aliases: Vec<String>,
    pub(super) ipv4_address: Option<String>,
    pub(super) ipv6_address: Option<String>,
}

// Keys of the compose schema that are accepted but have no effect here.
#[allow(dead_code)]
#[derive(Deserialize, Debug, Default, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct Svc {
    pub(super) image: Option<String>,
    pub(super) command: Option<StrOrList>,
    pub(super) entrypoint: Option<StrOrList>,
    pub(super) environment: Option<KvList>,
    #[serde(default)]
    pub(super) ports: Vec<PortEntry>,
    #[serde(default)]
    pub(super) volumes: Vec<VolEntry>,
    pub(super) networks: Option<SvcNetworks>,
    pub(super) deploy: Option<Deploy>,
    pub(super) labels: Option<KvList>,
    pub(super) hostname: Option<String>,
    pub(super) user: Option<String>,
    pub(super) working_dir: Option<String>,
    pub(super) stop_grace_period: Option<String>,
    pub(super) init: Option<bool>,
    // Accepted but not supported by `docker stack deploy` (reported as ignored).
    pub(super) build: Option<Value>,
    pub(super) restart: Option<Value>,
    pub(super) container_name: Option<Value>,
    pub(super) depends_on: Option<Value>,
    pub(super) links: Option<Value>,
    pub(super) network_mode: Option<Value>,
    pub(super) privileged: Option<Value>,
    pub(super) cap_add: Option<Value>,
    pub(super) cap_drop: Option<Value>,
    pub(super) devices: Option<Value>,
    pub(super) expose: Option<Value>,
    pub(super) external_links: Option<Value>,
    pub(super) extra_hosts: Option<Value>,
    pub(super) healthcheck: Option<Value>,
    pub(super) logging: Option<Value>,
    pub(super) dns: Option<Value>,
    pub(super) dns_search: Option<Value>,
    pub(super) env_file: Option<Value>,
    pub(super) tty: Option<Value>,
    pub(super) stdin_open: Option<Value>,
    pub(super) read_only: Option<Value>,
    pub(super) secrets: Option<Value>,
    pub(super) configs: Option<Value>,
    pub(super) ulimits: Option<Value>,
    pub(super) sysctls: Option<Value>,
    pub(super) tmpfs: Option<Value>,
    pub(super) stop_signal: Option<Value>,
    pub(super) security_opt: Option<Value>,
    pub(super) shm_size: Option<Value>,
    pub(super) pid: Option<Value>,
    pub(super) ipc: Option<Value>,
    pub(super) isolation: Option<Value>,
    pub(super) mac_address: Option<Value>,
    pub(super) cgroup_parent: Option<Value>,
    pub(super) domainname: Option<Value>,
    pub(super) userns_mode: Option<Value>,
    pub(super) credential_spec: Option<Value>,
}

#[derive(Deserialize, Debug, Default, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct Deploy {
    pub(super) mode: Option<String>,
    pub(super) replicas: Option<u64>,
    pub(super) labels: Option<KvList>,
    pub(super) update_config: Option<UpdCfg>,
    pub(super) rollback_config: Option<UpdCfg>,
    pub(super) resources: Option<ResCfg>,
    pub(super) restart_policy: Option<RestartCfg>,
    pub(super) placement: Option<PlacementCfg>,
    pub(super) endpoint_mode: Option<String>,
}

#[derive(Deserialize, Debug, Default, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct UpdCfg {
    pub(super) parallelism: Option<u64>,
    pub(super) delay: Option<String>,
    pub(super) failure_action: Option<String>,
    pub(super) monitor: Option<String>,
    pub(super) max_failure_ratio: Option<f32>,
    pub(super) order: Option<String>,
}

#[derive(Deserialize, Debug, Default, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct ResCfg {
    pub(super) limits: Option<ResVals>,
    pub(super) reservations: Option<ResVals>,
}

// Keys of the compose schema that are accepted but have no effect here.
#[allow(dead_code)]
#[derive(Deserialize, Debug, Default, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct ResVals {
    pub(super) cpus: Option<Value>,
    pub(super) memory: Option<String>,
    pub(super) pids: Option<Value>,
    #[serde(default)]
    pub(super) generic_resources: Option<Value>,
    #[serde(default)]
    pub(super) devices: Option<Value>,
}

#[derive(Deserialize, Debug, Default, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct RestartCfg {
    pub(super) condition: Option<String>,
    pub(super) delay: Option<String>,
    pub(super) max_attempts: Option<u64>,
    pub(super) window: Option<String>,
}

#[derive(Deserialize, Debug, Default, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct PlacementCfg {
    #[serde(default)]
    pub(super) constraints: Vec<String>,
    #[serde(default)]
    pub(super) preferences: Vec<PrefCfg>,
    pub(super) max_replicas_per_node: Option<u64>,
}

#[derive(Deserialize, Debug, Default, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct PrefCfg {
    pub(super) spread: String,
}
