//! One compose service as the swarm service spec `stack deploy` creates for it.

use super::file::*;
use super::interp::dur;
use crate::lang::service::Resolve;
use crate::lang::values;
use crate::model::*;
use std::collections::BTreeMap;

/// What planning one service needs to know about its stack.
pub(super) struct Stack<'a> {
    pub file: &'a str,
    pub name: &'a str,
    pub f: &'a File,
    pub resolve: Resolve<'a>,
    /// Network names as the stack sees them -> real names.
    pub net_names: BTreeMap<String, String>,
}

impl Stack<'_> {
    /// Labels with the stack's namespace label added.
    pub fn ns_labels(&self, extra: &Labels) -> Labels {
        let mut l = extra.clone();
        l.insert(STACK_LABEL.into(), self.name.to_string());
        l
    }

    /// A named volume's real name.
    fn vol_name(&self, name: &str) -> String {
        match self.f.volumes.get(name).and_then(|d| d.as_ref()) {
            Some(d)
                if d.external
                    .as_ref()
                    .is_some_and(|v| !matches!(v, serde_json::Value::Bool(false))) =>
            {
                d.name.clone().unwrap_or_else(|| name.to_string())
            }
            Some(d) if d.name.is_some() => d.name.clone().unwrap_or_default(),
            _ => format!("{}_{name}", self.name),
        }
    }

    /// The spec of service `short`; options `stack deploy` ignores are added to `unsupported`.
    pub fn service(
        &self,
        short: &str,
        s: &Svc,
        unsupported: &mut Vec<&'static str>,
    ) -> Result<ServiceSpec, String> {
        let (file, stack) = (self.file, self.name);
        let ns_labels = |l: &Labels| self.ns_labels(l);
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
        cs.image = (self.resolve)(&image);
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
        cs.mounts = self.mounts(&ctx, s)?;
        spec.task_template.networks = self.attachments(&ctx, short, s)?;
        spec.endpoint_spec = Some(EndpointSpec {
            mode: endpoint_mode(&ctx, &d)?,
            ports: ports(&ctx, s)?,
        });
        deploy_settings(&mut spec, file, short, &ctx, &d)?;
        Ok(spec)
    }

    fn mounts(&self, ctx: &str, s: &Svc) -> Result<Vec<Mount>, String> {
        let vol_name = |n: &str| self.vol_name(n);
        let mut mounts = Vec::new();
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
            mounts.push(m);
        }
        Ok(mounts)
    }

    fn attachments(
        &self,
        ctx: &str,
        short: &str,
        s: &Svc,
    ) -> Result<Vec<NetworkAttachmentConfig>, String> {
        let net_names = &self.net_names;
        let mut out = Vec::new();
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
            let mut aliases = vec![short.to_string()];
            aliases.extend(extra);
            out.push(NetworkAttachmentConfig {
                target: real,
                aliases,
            });
        }
        Ok(out)
    }
}

fn ports(ctx: &str, s: &Svc) -> Result<Vec<PortConfig>, String> {
    // Ports.
    let mut ports = Vec::new();
    for p in &s.ports {
        match p {
            PortEntry::Num(n) => ports.extend(
                values::parse_publish(&n.to_string()).map_err(|e| format!("{ctx}.ports: {e}"))?,
            ),
            PortEntry::Short(text) => {
                ports.extend(values::parse_publish(text).map_err(|e| format!("{ctx}.ports: {e}"))?)
            }
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
    Ok(ports)
}

fn endpoint_mode(ctx: &str, d: &Deploy) -> Result<EndpointMode, String> {
    Ok(match d.endpoint_mode.as_deref() {
        None => EndpointMode::Vip,
        Some(m) => values::parse_endpoint_mode(m)
            .map_err(|e| format!("{ctx}.deploy.endpoint_mode: {e}"))?,
    })
}

/// Resources, restart policy, placement, update and rollback configs.
fn deploy_settings(
    spec: &mut ServiceSpec,
    file: &str,
    short: &str,
    ctx: &str,
    d: &Deploy,
) -> Result<(), String> {
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
    let upd =
        |c: &Option<UpdCfg>, rollback: bool, what: &str| -> Result<Option<UpdateConfig>, String> {
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
    Ok(())
}
