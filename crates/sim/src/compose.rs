//! Compose files for `docker stack deploy`, converted client-side the way the docker CLI does:
//! a `<stack>_default` overlay network, services named `<stack>_<service>` and labelled with
//! `com.docker.stack.namespace`, named volumes prefixed with the stack name.

use crate::NetworkCreate;
use crate::lang::values;
use crate::model::*;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Deserialize, Debug, Default)]
struct File {
    #[serde(default)]
    version: Option<Value>,
    #[serde(default)]
    services: BTreeMap<String, Svc>,
    #[serde(default)]
    networks: BTreeMap<String, Option<NetDecl>>,
    #[serde(default)]
    volumes: BTreeMap<String, Option<VolDecl>>,
    #[serde(default)]
    configs: Option<Value>,
    #[serde(default)]
    secrets: Option<Value>,
    #[serde(flatten)]
    extensions: BTreeMap<String, Value>,
}

// Keys of the compose schema that are accepted but have no effect here.
#[allow(dead_code)]
#[derive(Deserialize, Debug, Default, Clone)]
#[serde(deny_unknown_fields)]
struct NetDecl {
    driver: Option<String>,
    #[serde(default)]
    external: Option<Value>,
    #[serde(default)]
    attachable: bool,
    #[serde(default)]
    internal: bool,
    name: Option<String>,
    #[serde(default)]
    driver_opts: BTreeMap<String, Value>,
    #[serde(default)]
    labels: Option<KvList>,
    #[serde(default)]
    ipam: Option<Value>,
}

// Keys of the compose schema that are accepted but have no effect here.
#[allow(dead_code)]
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
struct VolDecl {
    driver: Option<String>,
    #[serde(default)]
    external: Option<Value>,
    name: Option<String>,
    #[serde(default)]
    driver_opts: BTreeMap<String, Value>,
    #[serde(default)]
    labels: Option<KvList>,
}

/// `KEY=VALUE` lists or maps (environment, labels).
#[derive(Deserialize, Debug, Clone)]
#[serde(untagged)]
enum KvList {
    List(Vec<String>),
    Map(BTreeMap<String, Option<Value>>),
}

impl KvList {
    fn pairs(&self) -> Vec<(String, Option<String>)> {
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

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[derive(Deserialize, Debug, Clone)]
#[serde(untagged)]
enum StrOrList {
    Str(String),
    List(Vec<String>),
}

impl StrOrList {
    fn words(&self) -> Result<Vec<String>, String> {
        match self {
            StrOrList::Str(s) => crate::lang::flags::split_line(s),
            StrOrList::List(l) => Ok(l.clone()),
        }
    }
}

#[derive(Deserialize, Debug, Clone)]
#[serde(untagged)]
enum PortEntry {
    Num(u64),
    Short(String),
    Long(LongPort),
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
struct LongPort {
    target: u32,
    published: Option<Value>,
    protocol: Option<String>,
    mode: Option<String>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(untagged)]
enum VolEntry {
    Short(String),
    Long(Box<LongVol>),
}

// Keys of the compose schema that are accepted but have no effect here.
#[allow(dead_code)]
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
struct LongVol {
    #[serde(rename = "type")]
    kind: String,
    source: Option<String>,
    target: String,
    #[serde(default)]
    read_only: bool,
    #[serde(default)]
    volume: Option<Value>,
    #[serde(default)]
    bind: Option<Value>,
    #[serde(default)]
    consistency: Option<String>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(untagged)]
enum SvcNetworks {
    List(Vec<String>),
    Map(BTreeMap<String, Option<SvcNetOpts>>),
}

// Keys of the compose schema that are accepted but have no effect here.
#[allow(dead_code)]
#[derive(Deserialize, Debug, Clone, Default)]
#[serde(deny_unknown_fields)]
struct SvcNetOpts {
    #[serde(default)]
    aliases: Vec<String>,
    ipv4_address: Option<String>,
    ipv6_address: Option<String>,
}

// Keys of the compose schema that are accepted but have no effect here.
#[allow(dead_code)]
#[derive(Deserialize, Debug, Default, Clone)]
#[serde(deny_unknown_fields)]
struct Svc {
    image: Option<String>,
    command: Option<StrOrList>,
    entrypoint: Option<StrOrList>,
    environment: Option<KvList>,
    #[serde(default)]
    ports: Vec<PortEntry>,
    #[serde(default)]
    volumes: Vec<VolEntry>,
    networks: Option<SvcNetworks>,
    deploy: Option<Deploy>,
    labels: Option<KvList>,
    hostname: Option<String>,
    user: Option<String>,
    working_dir: Option<String>,
    stop_grace_period: Option<String>,
    init: Option<bool>,
    // Accepted but not supported by `docker stack deploy` (reported as ignored).
    build: Option<Value>,
    restart: Option<Value>,
    container_name: Option<Value>,
    depends_on: Option<Value>,
    links: Option<Value>,
    network_mode: Option<Value>,
    privileged: Option<Value>,
    cap_add: Option<Value>,
    cap_drop: Option<Value>,
    devices: Option<Value>,
    expose: Option<Value>,
    external_links: Option<Value>,
    extra_hosts: Option<Value>,
    healthcheck: Option<Value>,
    logging: Option<Value>,
    dns: Option<Value>,
    dns_search: Option<Value>,
    env_file: Option<Value>,
    tty: Option<Value>,
    stdin_open: Option<Value>,
    read_only: Option<Value>,
    secrets: Option<Value>,
    configs: Option<Value>,
    ulimits: Option<Value>,
    sysctls: Option<Value>,
    tmpfs: Option<Value>,
    stop_signal: Option<Value>,
    security_opt: Option<Value>,
    shm_size: Option<Value>,
    pid: Option<Value>,
    ipc: Option<Value>,
    isolation: Option<Value>,
    mac_address: Option<Value>,
    cgroup_parent: Option<Value>,
    domainname: Option<Value>,
    userns_mode: Option<Value>,
    credential_spec: Option<Value>,
}

#[derive(Deserialize, Debug, Default, Clone)]
#[serde(deny_unknown_fields)]
struct Deploy {
    mode: Option<String>,
    replicas: Option<u64>,
    labels: Option<KvList>,
    update_config: Option<UpdCfg>,
    rollback_config: Option<UpdCfg>,
    resources: Option<ResCfg>,
    restart_policy: Option<RestartCfg>,
    placement: Option<PlacementCfg>,
    endpoint_mode: Option<String>,
}

#[derive(Deserialize, Debug, Default, Clone)]
#[serde(deny_unknown_fields)]
struct UpdCfg {
    parallelism: Option<u64>,
    delay: Option<String>,
    failure_action: Option<String>,
    monitor: Option<String>,
    max_failure_ratio: Option<f32>,
    order: Option<String>,
}

#[derive(Deserialize, Debug, Default, Clone)]
#[serde(deny_unknown_fields)]
struct ResCfg {
    limits: Option<ResVals>,
    reservations: Option<ResVals>,
}

// Keys of the compose schema that are accepted but have no effect here.
#[allow(dead_code)]
#[derive(Deserialize, Debug, Default, Clone)]
#[serde(deny_unknown_fields)]
struct ResVals {
    cpus: Option<Value>,
    memory: Option<String>,
    pids: Option<Value>,
    #[serde(default)]
    generic_resources: Option<Value>,
    #[serde(default)]
    devices: Option<Value>,
}

#[derive(Deserialize, Debug, Default, Clone)]
#[serde(deny_unknown_fields)]
struct RestartCfg {
    condition: Option<String>,
    delay: Option<String>,
    max_attempts: Option<u64>,
    window: Option<String>,
}

#[derive(Deserialize, Debug, Default, Clone)]
#[serde(deny_unknown_fields)]
struct PlacementCfg {
    #[serde(default)]
    constraints: Vec<String>,
    #[serde(default)]
    preferences: Vec<PrefCfg>,
    max_replicas_per_node: Option<u64>,
}

#[derive(Deserialize, Debug, Default, Clone)]
#[serde(deny_unknown_fields)]
struct PrefCfg {
    spread: String,
}

/// What `stack deploy` will do.
#[derive(Debug, Clone, PartialEq)]
pub struct StackPlan {
    /// Networks to create if missing (already namespaced).
    pub networks: Vec<NetworkCreate>,
    /// External networks that must already exist.
    pub external_networks: Vec<String>,
    pub services: Vec<ServiceSpec>,
    /// "Ignoring unsupported options: ..." lines.
    pub warnings: Vec<String>,
}

/// Replaces `${VAR}`, `${VAR:-default}` and `$VAR` from the environment, like compose does.
fn interpolate(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        match chars.peek().map(|x| x.1) {
            Some('$') => {
                chars.next();
                out.push('$');
            }
            Some('{') => {
                chars.next();
                let mut expr = String::new();
                let mut closed = false;
                for (_, ch) in chars.by_ref() {
                    if ch == '}' {
                        closed = true;
                        break;
                    }
                    expr.push(ch);
                }
                if !closed {
                    return Err(format!("Invalid template: \"${{{expr}\""));
                }
                let (name, default) = if let Some((n, d)) = expr.split_once(":-") {
                    (n, Some(d.to_string()))
                } else if let Some((n, d)) = expr.split_once('-') {
                    (n, Some(d.to_string()))
                } else {
                    (expr.as_str(), None)
                };
                out.push_str(
                    &env(name)
                        .filter(|v| !v.is_empty())
                        .or(default)
                        .unwrap_or_default(),
                );
            }
            Some(ch) if ch.is_ascii_alphabetic() || ch == '_' => {
                let mut name = String::new();
                while let Some(&(_, ch)) = chars.peek() {
                    if ch.is_ascii_alphanumeric() || ch == '_' {
                        name.push(ch);
                        chars.next();
                    } else {
                        break;
                    }
                }
                out.push_str(&env(&name).unwrap_or_default());
            }
            _ => out.push('$'),
        }
    }
    Ok(out)
}

fn yaml_error(file: &str, e: impl std::fmt::Display) -> String {
    let text = e.to_string().replace("<input>", file);
    let text = text.strip_prefix("error: ").unwrap_or(&text).to_string();
    format!("{file}: {text}")
}

fn dur(
    file: &str,
    what: &str,
    s: &Option<String>,
) -> Result<Option<crate::base::time::SimDuration>, String> {
    s.as_ref()
        .map(|v| values::parse_duration(v).map_err(|e| format!("{file}: {what}: {e}")))
        .transpose()
}

/// Parses a compose file and plans the stack.
pub fn plan(
    file: &str,
    text: &str,
    stack: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<StackPlan, String> {
    if !crate::valid_dns_name(stack) {
        return Err(format!(
            "Invalid stack name {stack:?}: must be valid as a DNS name component"
        ));
    }
    let text = interpolate(text, env).map_err(|e| format!("{file}: {e}"))?;
    let f: File = serde_saphyr::from_str(&text).map_err(|e| yaml_error(file, e))?;
    if let Some(k) = f.extensions.keys().find(|k| !k.starts_with("x-")) {
        return Err(format!(
            "{file}: (root) Additional property {k} is not allowed"
        ));
    }
    if let Some(v) = &f.version {
        let v = scalar(v);
        if !v.starts_with('3') {
            return Err(format!(
                "{file}: unsupported Compose file version: {v}. Stack files need version 3 or later"
            ));
        }
    }
    if f.services.is_empty() {
        return Err(format!("{file}: no services to deploy"));
    }
    let _ = (&f.configs, &f.secrets);
    let mut warnings = Vec::new();
    let mut networks = Vec::new();
    let mut external_networks = Vec::new();
    let ns_labels = |extra: &Labels| -> Labels {
        let mut l = extra.clone();
        l.insert(STACK_LABEL.into(), stack.to_string());
        l
    };
    // Network names as the stack sees them -> real names.
    let mut net_names: BTreeMap<String, String> = BTreeMap::new();
    let uses_default = f.services.values().any(|s| s.networks.is_none());
    let mut declared = f.networks.clone();
    if uses_default && !declared.contains_key("default") {
        declared.insert("default".into(), None);
    }
    for (name, decl) in &declared {
        let decl = decl.as_ref();
        let external = decl
            .and_then(|d| d.external.as_ref())
            .is_some_and(|v| !matches!(v, Value::Bool(false)));
        if external {
            let real = decl
                .and_then(|d| d.name.clone())
                .unwrap_or_else(|| name.clone());
            external_networks.push(real.clone());
            net_names.insert(name.clone(), real);
            continue;
        }
        let real = decl
            .and_then(|d| d.name.clone())
            .unwrap_or_else(|| format!("{stack}_{name}"));
        let driver = decl
            .and_then(|d| d.driver.clone())
            .unwrap_or_else(|| "overlay".into());
        let mut labels = ns_labels(&Labels::new());
        if let Some(l) = decl.and_then(|d| d.labels.as_ref()) {
            for (k, v) in l.pairs() {
                labels.insert(k, v.unwrap_or_default());
            }
        }
        let opts: Labels = decl
            .map(|d| {
                d.driver_opts
                    .iter()
                    .map(|(k, v)| (k.clone(), scalar(v)))
                    .collect()
            })
            .unwrap_or_default();
        networks.push(NetworkCreate {
            name: real.clone(),
            driver,
            subnet: None,
            gateway: None,
            attachable: decl.is_some_and(|d| d.attachable),
            internal: decl.is_some_and(|d| d.internal),
            encrypted: opts.contains_key("encrypted"),
            labels,
            options: opts.into_iter().filter(|(k, _)| k != "encrypted").collect(),
        });
        net_names.insert(name.clone(), real);
    }
    let vol_name = |name: &str| -> String {
        match f.volumes.get(name).and_then(|d| d.as_ref()) {
            Some(d)
                if d.external
                    .as_ref()
                    .is_some_and(|v| !matches!(v, Value::Bool(false))) =>
            {
                d.name.clone().unwrap_or_else(|| name.to_string())
            }
            Some(d) if d.name.is_some() => d.name.clone().unwrap_or_default(),
            _ => format!("{stack}_{name}"),
        }
    };
    let mut services = Vec::new();
    let mut unsupported: Vec<&str> = Vec::new();
    for (short, s) in &f.services {
        let ctx = format!("{file}: services.{short}");
        for (key, present) in [
            ("build", s.build.is_some()),
            ("restart", s.restart.is_some()),
            ("container_name", s.container_name.is_some()),
            ("depends_on", s.depends_on.is_some()),
            ("links", s.links.is_some()),
            ("network_mode", s.network_mode.is_some()),
            ("privileged", s.privileged.is_some()),
            ("cap_add", s.cap_add.is_some()),
            ("cap_drop", s.cap_drop.is_some()),
            ("devices", s.devices.is_some()),
            ("external_links", s.external_links.is_some()),
            ("security_opt", s.security_opt.is_some()),
            ("userns_mode", s.userns_mode.is_some()),
            ("cgroup_parent", s.cgroup_parent.is_some()),
        ] {
            if present && !unsupported.contains(&key) {
                unsupported.push(key);
            }
        }
        let image = s.image.clone().ok_or_else(|| {
            format!("{ctx}: image is required (stack deploy does not build images)")
        })?;
        let d = s.deploy.clone().unwrap_or_default();
        let mode = match d.mode.as_deref().unwrap_or("replicated") {
            "replicated" => ServiceMode::Replicated {
                replicas: d.replicas.unwrap_or(1),
            },
            "global" => {
                if d.replicas.is_some() {
                    return Err(format!(
                        "{ctx}: deploy.replicas can only be used with replicated mode"
                    ));
                }
                ServiceMode::Global {}
            }
            "replicated-job" => ServiceMode::ReplicatedJob {
                max_concurrent: d.replicas.unwrap_or(1),
                total_completions: d.replicas.unwrap_or(1),
            },
            "global-job" => ServiceMode::GlobalJob {},
            other => {
                return Err(format!(
                    "{ctx}: deploy.mode must be one of replicated, global, replicated-job, global-job (got {other:?})"
                ));
            }
        };
        let mut spec = crate::basic_spec(&format!("{stack}_{short}"), "", 1);
        spec.mode = mode;
        let mut labels = Labels::new();
        if let Some(l) = &d.labels {
            for (k, v) in l.pairs() {
                labels.insert(k, v.unwrap_or_default());
            }
        }
        spec.labels = ns_labels(&labels);
        spec.labels
            .insert("com.docker.stack.image".into(), image.clone());
        let cs = &mut spec.task_template.container_spec;
        cs.image = crate::infra::images::pin(&image).unwrap_or(image);
        if let Some(c) = &s.command {
            cs.args = c.words().map_err(|e| format!("{ctx}.command: {e}"))?;
        }
        if let Some(e) = &s.entrypoint {
            cs.command = e.words().map_err(|e| format!("{ctx}.entrypoint: {e}"))?;
        }
        if let Some(env) = &s.environment {
            for (k, v) in env.pairs() {
                cs.env.push(match v {
                    Some(v) => format!("{k}={v}"),
                    None => k,
                });
            }
        }
        let mut clabels = ns_labels(&Labels::new());
        if let Some(l) = &s.labels {
            for (k, v) in l.pairs() {
                clabels.insert(k, v.unwrap_or_default());
            }
        }
        cs.labels = clabels;
        cs.hostname = s.hostname.clone().unwrap_or_default();
        cs.user = s.user.clone().unwrap_or_default();
        cs.dir = s.working_dir.clone().unwrap_or_default();
        cs.stop_grace_period = dur(
            file,
            &format!("services.{short}.stop_grace_period"),
            &s.stop_grace_period,
        )?;
        cs.init = s.init;
        for v in &s.volumes {
            let m = match v {
                VolEntry::Short(text) => {
                    let parts: Vec<&str> = text.split(':').collect();
                    let (src, dst, mode) = match parts.as_slice() {
                        [dst] => ("", *dst, ""),
                        [src, dst] => (*src, *dst, ""),
                        [src, dst, mode] => (*src, *dst, *mode),
                        _ => {
                            return Err(format!(
                                "{ctx}.volumes: invalid volume specification: '{text}'"
                            ));
                        }
                    };
                    let bind = src.starts_with('/') || src.starts_with('.') || src.starts_with('~');
                    Mount {
                        r#type: if bind {
                            MountType::Bind
                        } else {
                            MountType::Volume
                        },
                        source: if bind || src.is_empty() {
                            src.to_string()
                        } else {
                            vol_name(src)
                        },
                        target: dst.to_string(),
                        read_only: mode.split(',').any(|m| m == "ro"),
                        volume_options: None,
                    }
                }
                VolEntry::Long(l) => {
                    let kind = match l.kind.as_str() {
                        "volume" => MountType::Volume,
                        "bind" => MountType::Bind,
                        "tmpfs" => MountType::Tmpfs,
                        other => {
                            return Err(format!(
                                "{ctx}.volumes: unsupported volume type {other:?}"
                            ));
                        }
                    };
                    let src = l.source.clone().unwrap_or_default();
                    Mount {
                        r#type: kind,
                        source: if kind == MountType::Volume && !src.is_empty() {
                            vol_name(&src)
                        } else {
                            src
                        },
                        target: l.target.clone(),
                        read_only: l.read_only,
                        volume_options: None,
                    }
                }
            };
            if !m.target.starts_with('/') {
                return Err(format!(
                    "{ctx}.volumes: invalid mount target {:?}: must be an absolute path",
                    m.target
                ));
            }
            cs.mounts.push(m);
        }
        // Networks, each with the service's short name as alias.
        let nets: Vec<(String, Vec<String>)> = match &s.networks {
            None => vec![("default".into(), vec![])],
            Some(SvcNetworks::List(l)) => l.iter().map(|n| (n.clone(), vec![])).collect(),
            Some(SvcNetworks::Map(m)) => m
                .iter()
                .map(|(n, o)| (n.clone(), o.clone().unwrap_or_default().aliases))
                .collect(),
        };
        for (n, extra) in nets {
            let real = net_names.get(&n).cloned().ok_or_else(|| {
                format!("{ctx}: service refers to undefined network {n}: invalid compose project")
            })?;
            let mut aliases = vec![short.clone()];
            aliases.extend(extra);
            spec.task_template.networks.push(NetworkAttachmentConfig {
                target: real,
                aliases,
            });
        }
        // Ports.
        let mut ports = Vec::new();
        for p in &s.ports {
            match p {
                PortEntry::Num(n) => ports.extend(
                    values::parse_publish(&n.to_string())
                        .map_err(|e| format!("{ctx}.ports: {e}"))?,
                ),
                PortEntry::Short(text) => ports
                    .extend(values::parse_publish(text).map_err(|e| format!("{ctx}.ports: {e}"))?),
                PortEntry::Long(l) => {
                    let published = match &l.published {
                        None => 0,
                        Some(v) => scalar(v).parse::<u32>().map_err(|_| {
                            format!("{ctx}.ports: invalid published port {}", scalar(v))
                        })?,
                    };
                    ports.push(PortConfig {
                        name: String::new(),
                        protocol: match l.protocol.as_deref().unwrap_or("tcp") {
                            "tcp" => Protocol::Tcp,
                            "udp" => Protocol::Udp,
                            "sctp" => Protocol::Sctp,
                            o => return Err(format!("{ctx}.ports: invalid protocol {o:?}")),
                        },
                        target_port: l.target,
                        published_port: published,
                        publish_mode: match l.mode.as_deref().unwrap_or("ingress") {
                            "ingress" => PublishMode::Ingress,
                            "host" => PublishMode::Host,
                            o => return Err(format!("{ctx}.ports: invalid mode {o:?}")),
                        },
                    })
                }
            }
        }
        let endpoint_mode = match d.endpoint_mode.as_deref() {
            None => EndpointMode::Vip,
            Some(m) => values::parse_endpoint_mode(m)
                .map_err(|e| format!("{ctx}.deploy.endpoint_mode: {e}"))?,
        };
        spec.endpoint_spec = Some(EndpointSpec {
            mode: endpoint_mode,
            ports,
        });
        // Resources.
        let res = |v: &Option<ResVals>, what: &str| -> Result<Resources, String> {
            let mut r = Resources::default();
            if let Some(v) = v {
                if let Some(c) = &v.cpus {
                    r.nano_cpus = values::parse_cpus(&scalar(c))
                        .map_err(|e| format!("{ctx}.deploy.resources.{what}.cpus: {e}"))?;
                }
                if let Some(m) = &v.memory {
                    r.memory_bytes = values::parse_memory(m)
                        .map_err(|e| format!("{ctx}.deploy.resources.{what}.memory: {e}"))?;
                }
            }
            Ok(r)
        };
        if let Some(r) = &d.resources {
            spec.task_template.resources = Some(ResourceRequirements {
                limits: Some(res(&r.limits, "limits")?),
                reservations: Some(res(&r.reservations, "reservations")?),
            });
        }
        if let Some(rp) = &d.restart_policy {
            let cond = match rp.condition.as_deref() {
                None => None,
                Some(c) => Some(
                    values::parse_restart_condition(c)
                        .map_err(|e| format!("{ctx}.deploy.restart_policy.condition: {e}"))?,
                ),
            };
            spec.task_template.restart_policy = Some(RestartPolicy {
                condition: cond.or(Some(RestartCondition::Any)),
                delay: dur(
                    file,
                    &format!("services.{short}.deploy.restart_policy.delay"),
                    &rp.delay,
                )?
                .or(Some(crate::base::time::SimDuration::from_secs(5))),
                max_attempts: rp.max_attempts.or(Some(0)),
                window: dur(
                    file,
                    &format!("services.{short}.deploy.restart_policy.window"),
                    &rp.window,
                )?,
            });
        }
        if let Some(p) = &d.placement {
            crate::swarm::constraint::parse(&p.constraints)
                .map_err(|e| format!("{ctx}.deploy.placement.constraints: {e}"))?;
            spec.task_template.placement = Some(Placement {
                constraints: p.constraints.clone(),
                preferences: p
                    .preferences
                    .iter()
                    .map(|x| PlacementPreference {
                        spread: SpreadOver {
                            spread_descriptor: x.spread.clone(),
                        },
                    })
                    .collect(),
                max_replicas: p.max_replicas_per_node.unwrap_or(0),
                platforms: Vec::new(),
            });
        }
        let upd = |c: &Option<UpdCfg>,
                   rollback: bool,
                   what: &str|
         -> Result<Option<UpdateConfig>, String> {
            let Some(c) = c else { return Ok(None) };
            let mut u = UpdateConfig::default();
            if let Some(v) = c.parallelism {
                u.parallelism = v;
            }
            if let Some(v) = dur(
                file,
                &format!("services.{short}.deploy.{what}.delay"),
                &c.delay,
            )? {
                u.delay = v;
            }
            if let Some(v) = dur(
                file,
                &format!("services.{short}.deploy.{what}.monitor"),
                &c.monitor,
            )? {
                u.monitor = v;
            }
            if let Some(v) = &c.failure_action {
                u.failure_action = values::parse_failure_action(v, rollback)
                    .map_err(|e| format!("{ctx}.deploy.{what}.failure_action: {e}"))?;
            }
            if let Some(v) = c.max_failure_ratio {
                u.max_failure_ratio = v;
            }
            if let Some(v) = &c.order {
                u.order = values::parse_order(v)
                    .map_err(|e| format!("{ctx}.deploy.{what}.order: {e}"))?;
            }
            Ok(Some(u))
        };
        if d.update_config.is_some() {
            spec.update_config = upd(&d.update_config, false, "update_config")?;
        }
        if d.rollback_config.is_some() {
            spec.rollback_config = upd(&d.rollback_config, true, "rollback_config")?;
        }
        services.push(spec);
    }
    if !unsupported.is_empty() {
        warnings.push(format!(
            "Ignoring unsupported options: {}\n",
            unsupported.join(", ")
        ));
    }
    Ok(StackPlan {
        networks,
        external_networks,
        services,
        warnings,
    })
}

/// Reads and plans the compose files of one `stack deploy` (later files override services of
/// the same name), as the docker CLI does on the client side.
pub fn plan_files(
    files: &[String],
    cwd: &std::path::Path,
    stack: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<StackPlan, String> {
    let mut merged: Option<StackPlan> = None;
    for f in files {
        let path = cwd.join(f);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            let why = if e.kind() == std::io::ErrorKind::NotFound {
                "no such file or directory".to_string()
            } else {
                e.to_string()
            };
            format!("open {}: {why}", path.display())
        })?;
        let p = plan(f, &text, stack, env)?;
        let Some(mut acc) = merged.take() else {
            merged = Some(p);
            continue;
        };
        for s in p.services {
            acc.services.retain(|x| x.name != s.name);
            acc.services.push(s);
        }
        for n in p.networks {
            if !acc.networks.iter().any(|x| x.name == n.name) {
                acc.networks.push(n);
            }
        }
        acc.external_networks.extend(p.external_networks);
        acc.warnings.extend(p.warnings);
        merged = Some(acc);
    }
    merged.ok_or_else(|| "Please specify a Compose file (with --compose-file).".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = r#"version: "3"
services:
  nginx:
    image: nginx
    ports:
      - 8888:80
    deploy:
      mode: replicated
      replicas: 3

  visualizer:
    image: dockersamples/visualizer
    ports:
      - "8080:8080"
    volumes:
      - "/var/run/docker.sock:/var/run/docker.sock"
    deploy:
      replicas: 1
      placement:
        constraints: [node.role == manager]

  portainer:
    image: portainer/portainer
    ports:
      - "9000:9000"
    volumes:
      - "/var/run/docker.sock:/var/run/docker.sock"
    deploy:
      replicas: 1
      placement:
        constraints: [node.role == manager]
"#;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn seed_compose_file() {
        let p = plan("docker-compose.yml", SEED, "deploy_deamon", &no_env).unwrap();
        assert_eq!(p.networks.len(), 1);
        assert_eq!(p.networks[0].name, "deploy_deamon_default");
        let names: Vec<&str> = p.services.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "deploy_deamon_nginx",
                "deploy_deamon_portainer",
                "deploy_deamon_visualizer"
            ]
        );
        let nginx = &p.services[0];
        assert_eq!(nginx.mode, ServiceMode::Replicated { replicas: 3 });
        assert_eq!(nginx.endpoint().ports[0].published_port, 8888);
        assert_eq!(nginx.labels[STACK_LABEL], "deploy_deamon");
        assert_eq!(
            nginx.task_template.networks[0].target,
            "deploy_deamon_default"
        );
        assert_eq!(
            nginx.task_template.networks[0].aliases,
            vec!["nginx".to_string()]
        );
        let viz = &p.services[2];
        assert_eq!(
            viz.task_template.constraints(),
            ["node.role == manager".to_string()]
        );
        assert_eq!(
            viz.task_template.container_spec.mounts[0].r#type,
            MountType::Bind
        );
    }

    #[test]
    fn bad_files_name_the_line() {
        let e = plan(
            "c.yml",
            "services:\n  web:\n    imagee: nginx\n",
            "s",
            &no_env,
        )
        .unwrap_err();
        assert!(
            e.starts_with("c.yml: line 3 column 5: unknown field `imagee`"),
            "{e}"
        );
        let e = plan(
            "c.yml",
            "services:\n  web:\n    image: nginx\n    deploy:\n      replicas: many\n",
            "s",
            &no_env,
        )
        .unwrap_err();
        assert!(e.contains("line 5"), "{e}");
        let e = plan(
            "c.yml",
            "services:\n  web:\n    image: nginx\n    networks: [missing]\n",
            "s",
            &no_env,
        )
        .unwrap_err();
        assert!(e.contains("undefined network missing"), "{e}");
        let e = plan("c.yml", "services:\n  web:\n    image: nginx\n    deploy:\n      placement:\n        constraints: [node.role=manager]\n", "s", &no_env).unwrap_err();
        assert!(
            e.contains("constraint expected one operator from ==, !="),
            "{e}"
        );
        assert!(
            plan(
                "c.yml",
                "version: \"2\"\nservices:\n  web:\n    image: nginx\n",
                "s",
                &no_env
            )
            .is_err()
        );
        let e = plan(
            "c.yml",
            "servics:\n  web:\n    image: nginx\n",
            "s",
            &no_env,
        )
        .unwrap_err();
        assert_eq!(
            e,
            "c.yml: (root) Additional property servics is not allowed"
        );
        assert!(
            plan(
                "c.yml",
                "x-common: &c\n  image: nginx\nservices:\n  web:\n    image: nginx\n",
                "s",
                &no_env
            )
            .is_ok()
        );
    }

    #[test]
    fn interpolation() {
        let env = |k: &str| {
            if k == "TAG" {
                Some("1.16-alpine".to_string())
            } else {
                None
            }
        };
        let p = plan("c.yml", "services:\n  web:\n    image: nginx:${TAG}\n    environment:\n      - A=${MISSING:-dflt}\n", "s", &env).unwrap();
        assert!(
            p.services[0]
                .task_template
                .container_spec
                .image
                .starts_with("nginx:1.16-alpine@sha256:")
        );
        assert_eq!(
            p.services[0].task_template.container_spec.env,
            vec!["A=dflt".to_string()]
        );
    }
}
