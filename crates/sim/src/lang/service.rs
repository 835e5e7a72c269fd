//! Service options as `docker service create/update` take them, and how they become a
//! service spec (with the docker CLI's defaults, as `service inspect` shows them).

use super::values;
use crate::base::time::SimDuration;
use crate::model::*;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct UpdateFlags {
    pub parallelism: Option<u64>,
    pub delay: Option<SimDuration>,
    pub failure_action: Option<FailureAction>,
    pub monitor: Option<SimDuration>,
    pub max_failure_ratio: Option<f32>,
    pub order: Option<UpdateOrder>,
}

impl UpdateFlags {
    fn apply(&self, c: &mut UpdateConfig) {
        if let Some(v) = self.parallelism {
            c.parallelism = v;
        }
        if let Some(v) = self.delay {
            c.delay = v;
        }
        if let Some(v) = self.failure_action {
            c.failure_action = v;
        }
        if let Some(v) = self.monitor {
            c.monitor = v;
        }
        if let Some(v) = self.max_failure_ratio {
            c.max_failure_ratio = v;
        }
        if let Some(v) = self.order {
            c.order = v;
        }
    }
}

/// Options shared by `service create` and `service update` (update's `-add`/`-rm` lists
/// included; create leaves those empty).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ServiceFlags {
    pub name: Option<String>,
    pub image: Option<String>,
    pub args: Option<Vec<String>>,
    pub replicas: Option<u64>,
    pub mode: Option<String>,
    pub max_concurrent: Option<u64>,
    pub env_add: Vec<String>,
    pub env_rm: Vec<String>,
    pub label_add: Vec<(String, String)>,
    pub label_rm: Vec<String>,
    pub container_label_add: Vec<(String, String)>,
    pub container_label_rm: Vec<String>,
    pub publish_add: Vec<PortConfig>,
    pub publish_rm: Vec<String>,
    pub network_add: Vec<String>,
    pub network_rm: Vec<String>,
    pub mount_add: Vec<Mount>,
    pub mount_rm: Vec<String>,
    pub constraint_add: Vec<String>,
    pub constraint_rm: Vec<String>,
    pub pref_add: Vec<PlacementPreference>,
    pub pref_rm: Vec<PlacementPreference>,
    pub max_replicas: Option<u64>,
    pub reserve_cpu: Option<i64>,
    pub reserve_memory: Option<i64>,
    pub limit_cpu: Option<i64>,
    pub limit_memory: Option<i64>,
    pub restart_condition: Option<RestartCondition>,
    pub restart_delay: Option<SimDuration>,
    pub restart_max_attempts: Option<u64>,
    pub restart_window: Option<SimDuration>,
    pub update: UpdateFlags,
    pub rollback: UpdateFlags,
    pub endpoint_mode: Option<EndpointMode>,
    pub entrypoint: Option<Vec<String>>,
    pub workdir: Option<String>,
    pub user: Option<String>,
    pub hostname: Option<String>,
    pub stop_grace_period: Option<SimDuration>,
    pub init: Option<bool>,
    pub force: bool,
}

fn mode_from(flags: &ServiceFlags) -> Result<ServiceMode, String> {
    let mode = flags.mode.as_deref().unwrap_or("replicated");
    match mode {
        "replicated" => Ok(ServiceMode::Replicated {
            replicas: flags.replicas.unwrap_or(1),
        }),
        "global" => {
            if flags.replicas.is_some() {
                return Err(
                    "replicas can only be used with replicated or replicated-job mode".into(),
                );
            }
            Ok(ServiceMode::Global {})
        }
        "replicated-job" => {
            let total = flags.replicas.unwrap_or(1);
            Ok(ServiceMode::ReplicatedJob {
                max_concurrent: flags.max_concurrent.unwrap_or(total),
                total_completions: total,
            })
        }
        "global-job" => {
            if flags.replicas.is_some() {
                return Err(
                    "replicas can only be used with replicated or replicated-job mode".into(),
                );
            }
            Ok(ServiceMode::GlobalJob {})
        }
        other => Err(format!(
            "Unknown mode: {other}, only replicated and global supported"
        )),
    }
}

/// How the CLI sends an image: pinned to the digest its registry answers with, or as typed
/// with `:latest` added (the engine resolves it).
pub type Resolve<'a> = &'a dyn Fn(&str) -> String;

/// Builds the spec `docker service create` sends.
pub fn create_spec(
    flags: &ServiceFlags,
    name: String,
    resolve: Resolve,
) -> Result<ServiceSpec, String> {
    let mode = mode_from(flags)?;
    if flags.max_replicas.is_some()
        && matches!(mode, ServiceMode::Global {} | ServiceMode::GlobalJob {})
    {
        return Err(
            "replicas-max-per-node can only be used with replicated or replicated-job mode".into(),
        );
    }
    let image = flags.image.clone().unwrap_or_default();
    let job = mode.is_job();
    let mut spec = ServiceSpec::cli_default(&name, resolve(&image), 1);
    spec.mode = mode;
    if job {
        // Jobs default to restarting on failure only, and have no update config.
        spec.task_template.restart_policy = Some(RestartPolicy {
            condition: Some(RestartCondition::OnFailure),
            ..spec.task_template.restart_policy.unwrap_or_default()
        });
        spec.update_config = None;
        spec.rollback_config = None;
    }
    apply(&mut spec, flags)?;
    Ok(spec)
}

/// Applies `service update` options to a copy of the current spec.
pub fn update_spec(
    current: &ServiceSpec,
    flags: &ServiceFlags,
    resolve: Resolve,
) -> Result<ServiceSpec, String> {
    let mut spec = current.clone();
    if flags.mode.is_some() {
        return Err("unknown flag: --mode".into());
    }
    if let Some(r) = flags.replicas {
        match &mut spec.mode {
            ServiceMode::Replicated { replicas } => *replicas = r,
            ServiceMode::ReplicatedJob {
                total_completions, ..
            } => *total_completions = r,
            _ => {
                return Err(
                    "replicas can only be used with replicated or replicated-job mode".into(),
                );
            }
        }
    }
    if let Some(m) = flags.max_concurrent {
        match &mut spec.mode {
            ServiceMode::ReplicatedJob { max_concurrent, .. } => *max_concurrent = m,
            _ => return Err("max-concurrent can only be used with replicated-job mode".into()),
        }
    }
    if let Some(image) = &flags.image {
        spec.task_template.container_spec.image = resolve(image);
    }
    apply(&mut spec, flags)?;
    if flags.force {
        spec.task_template.force_update += 1;
    }
    Ok(spec)
}

fn env_key(e: &str) -> &str {
    e.split_once('=').map(|(k, _)| k).unwrap_or(e)
}

fn apply(spec: &mut ServiceSpec, f: &ServiceFlags) -> Result<(), String> {
    for k in &f.label_rm {
        spec.labels.remove(k);
    }
    for (k, v) in &f.label_add {
        spec.labels.insert(k.clone(), v.clone());
    }
    let t = &mut spec.task_template;
    let cs = &mut t.container_spec;
    if let Some(a) = &f.args {
        cs.args = a.clone();
    }
    for k in &f.container_label_rm {
        cs.labels.remove(k);
    }
    for (k, v) in &f.container_label_add {
        cs.labels.insert(k.clone(), v.clone());
    }
    cs.env.retain(|e| !f.env_rm.iter().any(|r| env_key(e) == r));
    for e in &f.env_add {
        cs.env.retain(|x| env_key(x) != env_key(e));
        cs.env.push(e.clone());
    }
    cs.mounts
        .retain(|m| !f.mount_rm.iter().any(|r| &m.target == r));
    for m in &f.mount_add {
        cs.mounts.retain(|x| x.target != m.target);
        cs.mounts.push(m.clone());
    }
    if let Some(e) = &f.entrypoint {
        cs.command = e.clone();
    }
    if let Some(v) = &f.workdir {
        cs.dir = v.clone();
    }
    if let Some(v) = &f.user {
        cs.user = v.clone();
    }
    if let Some(v) = &f.hostname {
        cs.hostname = v.clone();
    }
    if let Some(v) = f.stop_grace_period {
        cs.stop_grace_period = Some(v);
    }
    if let Some(v) = f.init {
        cs.init = Some(v);
    }
    let res = t.resources.get_or_insert_with(Default::default);
    let reservations = res.reservations.get_or_insert_with(Default::default);
    if let Some(v) = f.reserve_cpu {
        reservations.nano_cpus = v;
    }
    if let Some(v) = f.reserve_memory {
        reservations.memory_bytes = v;
    }
    let limits = res.limits.get_or_insert_with(Default::default);
    if let Some(v) = f.limit_cpu {
        limits.nano_cpus = v;
    }
    if let Some(v) = f.limit_memory {
        limits.memory_bytes = v;
    }
    let rp = t.restart_policy.get_or_insert_with(Default::default);
    if let Some(v) = f.restart_condition {
        rp.condition = Some(v);
    }
    if let Some(v) = f.restart_delay {
        rp.delay = Some(v);
    }
    if let Some(v) = f.restart_max_attempts {
        rp.max_attempts = Some(v);
    }
    if let Some(v) = f.restart_window {
        rp.window = Some(v);
    }
    let pl = t.placement.get_or_insert_with(Default::default);
    pl.constraints.retain(|c| !f.constraint_rm.contains(c));
    for c in &f.constraint_add {
        if !pl.constraints.contains(c) {
            pl.constraints.push(c.clone());
        }
    }
    pl.preferences.retain(|p| !f.pref_rm.contains(p));
    pl.preferences.extend(f.pref_add.iter().cloned());
    if let Some(v) = f.max_replicas {
        pl.max_replicas = v;
    }
    t.networks.retain(|n| !f.network_rm.contains(&n.target));
    for n in &f.network_add {
        if !t.networks.iter().any(|x| &x.target == n) {
            t.networks.push(NetworkAttachmentConfig {
                target: n.clone(),
                aliases: Vec::new(),
            });
        }
    }
    if !spec.mode.is_job() {
        f.update
            .apply(spec.update_config.get_or_insert_with(Default::default));
        f.rollback
            .apply(spec.rollback_config.get_or_insert_with(Default::default));
    }
    let ep = spec.endpoint_spec.get_or_insert_with(Default::default);
    if let Some(m) = f.endpoint_mode {
        ep.mode = m;
    }
    for r in &f.publish_rm {
        // `--publish-rm 80` or `--publish-rm 8080:80`: by published port (or target when only one).
        let (port, proto) = match r.split_once('/') {
            Some((p, pr)) => (p, Some(pr.to_ascii_lowercase())),
            None => (r.as_str(), None),
        };
        let published: Option<u32> = port.split(':').next().and_then(|p| p.parse().ok());
        ep.ports.retain(|p| {
            !(Some(p.published_port) == published
                && proto.as_deref().is_none_or(|x| x == p.protocol.as_str()))
        });
    }
    for p in &f.publish_add {
        ep.ports.retain(|x| {
            !(x.published_port != 0
                && x.published_port == p.published_port
                && x.protocol == p.protocol)
        });
        ep.ports.push(p.clone());
    }
    Ok(())
}

/// Parses the `--placement-pref` values of a command line.
pub fn prefs(v: &[String]) -> Result<Vec<PlacementPreference>, String> {
    v.iter().map(|s| values::parse_placement_pref(s)).collect()
}
