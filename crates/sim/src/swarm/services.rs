//! Service commands: create, update, roll back, pause and resume an update, remove; and the
//! spec validation swarmkit's control API does.

use crate::infra::images;
use crate::model::*;
use crate::state::State;
use crate::swarm::endpoint::allocate_endpoint;
use crate::swarm::*;
use crate::{ApiError, Outcome};

pub fn validate_spec(
    st: &State,
    spec: &ServiceSpec,
    existing: Option<&Service>,
) -> Result<(), ApiError> {
    let name = &spec.name;
    if name.is_empty() {
        return Err(ApiError::invalid("meta: name must be provided"));
    }
    if !valid_dns_name(name) {
        return Err(ApiError::invalid(
            "name must be valid as a DNS name component",
        ));
    }
    if name.len() > 63 {
        return Err(ApiError::invalid("name must be 63 characters or fewer"));
    }
    if let Some(old) = existing {
        if old.spec.name != *name {
            return Err(ApiError::rpc(
                "Unimplemented",
                "renaming services is not supported",
            ));
        }
        if !old.spec.mode.same_kind(&spec.mode) {
            return Err(ApiError::invalid("service mode change is not allowed"));
        }
    } else if st.index().service_names.contains_key(name) {
        return Err(ApiError::rpc(
            "AlreadyExists",
            format!("name conflicts with an existing object: service {name} already exists"),
        ));
    }
    let cs = &spec.task_template.container_spec;
    if cs.image.is_empty() {
        return Err(ApiError::invalid(
            "ContainerSpec: image reference must be provided",
        ));
    }
    if images::ImageRef::parse(&cs.image).is_none() {
        return Err(ApiError::invalid(format!(
            "ContainerSpec: \"{}\" is not a valid repository/tag",
            cs.image
        )));
    }
    for m in &cs.mounts {
        if !m.target.starts_with('/') {
            return Err(ApiError::invalid(format!(
                "ContainerSpec: invalid mount target, must be an absolute path: {}",
                m.target
            )));
        }
        if m.r#type == MountType::Bind && !m.source.starts_with('/') {
            return Err(ApiError::invalid(format!(
                "ContainerSpec: invalid bind mount source, must be an absolute path: {}",
                m.source
            )));
        }
    }
    constraint::parse(spec.task_template.constraints()).map_err(ApiError::invalid)?;
    if spec.task_template.max_replicas() > 0
        && matches!(
            spec.mode,
            ServiceMode::Global {} | ServiceMode::GlobalJob {}
        )
    {
        return Err(ApiError::invalid(
            "ContainerSpec: MaxReplicas can only be used with replicated mode",
        ));
    }
    for n in &spec.task_template.networks {
        let Some(net) = lookup::find_network(st, &n.target) else {
            return Err(ApiError(format!("network {} not found", n.target)));
        };
        if net.ingress {
            return Err(ApiError::invalid(
                "Service cannot be explicitly attached to the ingress network \"ingress\"",
            ));
        }
    }
    let ep = spec.endpoint();
    if ep.mode == EndpointMode::Dnsrr
        && ep
            .ports
            .iter()
            .any(|p| p.publish_mode == PublishMode::Ingress)
    {
        return Err(ApiError::invalid(
            "EndpointSpec: port published with ingress mode can't be used with dnsrr mode",
        ));
    }
    let mut seen = std::collections::BTreeSet::new();
    for p in ep.ports.iter().filter(|p| p.published_port != 0) {
        if !seen.insert((p.published_port, p.protocol, p.publish_mode)) {
            return Err(ApiError::invalid(
                "EndpointSpec: duplicate published ports provided",
            ));
        }
    }
    // Ingress ports are cluster-wide.
    for p in ep
        .ports
        .iter()
        .filter(|p| p.publish_mode == PublishMode::Ingress && p.published_port != 0)
    {
        for other in st.all::<Service>() {
            if existing.is_some_and(|e| e.id == other.id) {
                continue;
            }
            if other.endpoint.ports.iter().any(|q| {
                q.publish_mode == PublishMode::Ingress
                    && q.published_port == p.published_port
                    && q.protocol == p.protocol
            }) {
                return Err(ApiError::invalid(format!(
                    "port '{}' is already in use by service '{}' ({}) as an ingress port",
                    p.published_port, other.spec.name, other.id
                )));
            }
        }
    }
    Ok(())
}

pub fn create_service(st: &mut State, spec: ServiceSpec) -> Result<Outcome, ApiError> {
    services::validate_spec(st, &spec, None)?;
    let now = st.now();
    let id = st.meta.rng.swarm_id();
    let job_status = spec.mode.is_job().then(|| JobStatus {
        job_iteration: Version {
            index: st.meta.version_seq + 1,
        },
        last_execution: Some(now),
    });
    st.insert(Service {
        id: id.clone(),
        version: Version::default(),
        created_at: now,
        updated_at: now,
        spec,
        previous_spec: None,
        endpoint: Endpoint::default(),
        update_status: None,
        job_status,
        sim: ServiceSim::default(),
    });
    allocate_endpoint(st, &id);
    orchestrator::reconcile(st, &id);
    Ok(Outcome::Id(id))
}

pub fn update_service(st: &mut State, id: &str, spec: ServiceSpec) -> Result<Outcome, ApiError> {
    let old = lookup::service_exists(st, id)?.clone();
    services::validate_spec(st, &spec, Some(&old))?;
    let now = st.now();
    let rerun_job = old.spec.mode.is_job()
        && old.spec.task_template.force_update != spec.task_template.force_update;
    let version = st.meta.version_seq + 1;
    st.update::<Service>(id, |s| {
        s.previous_spec = Some(std::mem::replace(&mut s.spec, spec));
        s.update_status = None;
        updater::stop_run(s, None);
        if rerun_job {
            s.job_status = Some(JobStatus {
                job_iteration: Version { index: version },
                last_execution: Some(now),
            });
            s.sim.next_job_slot = 0;
        }
    });
    allocate_endpoint(st, id);
    orchestrator::reconcile(st, id);
    Ok(Outcome::Id(id.to_string()))
}

pub fn rollback_service(st: &mut State, id: &str) -> Result<Outcome, ApiError> {
    let svc = lookup::service_exists(st, id)?;
    if svc.previous_spec.is_none() {
        return Err(ApiError::rpc(
            "FailedPrecondition",
            format!("service {id} does not have a previous spec"),
        ));
    }
    let now = st.now();
    st.update::<Service>(id, |s| {
        if let Some(prev) = s.previous_spec.take() {
            s.previous_spec = Some(std::mem::replace(&mut s.spec, prev));
        }
        updater::stop_run(
            s,
            Some(updater::rollback_started(
                now,
                "manually requested rollback".into(),
            )),
        );
    });
    allocate_endpoint(st, id);
    orchestrator::reconcile(st, id);
    Ok(Outcome::Id(id.to_string()))
}

pub fn pause_update(st: &mut State, id: &str) -> Result<Outcome, ApiError> {
    let svc = lookup::service_exists(st, id)?;
    let state = svc.update_status.as_ref().map(|u| u.state);
    let (to, what) = match state {
        Some(UpdateState::Updating) => (UpdateState::Paused, "update"),
        Some(UpdateState::RollbackStarted) => (UpdateState::RollbackPaused, "rollback"),
        _ => {
            return Err(ApiError::rpc(
                "FailedPrecondition",
                format!("service {id} has no update in progress"),
            ));
        }
    };
    st.update::<Service>(id, |s| {
        updater::stop_run(s, None);
        if let Some(u) = s.update_status.as_mut() {
            u.state = to;
            u.message = format!("{what} paused manually");
        }
    });
    Ok(Outcome::Id(id.to_string()))
}

pub fn resume_update(st: &mut State, id: &str) -> Result<Outcome, ApiError> {
    let svc = lookup::service_exists(st, id)?;
    let state = svc.update_status.as_ref().map(|u| u.state);
    let (to, what) = match state {
        Some(UpdateState::Paused) => (UpdateState::Updating, "update"),
        Some(UpdateState::RollbackPaused) => (UpdateState::RollbackStarted, "rollback"),
        _ => {
            return Err(ApiError::rpc(
                "FailedPrecondition",
                format!("service {id} has no paused update"),
            ));
        }
    };
    st.update::<Service>(id, |s| {
        updater::stop_run(s, None);
        if let Some(u) = s.update_status.as_mut() {
            u.state = to;
            u.message = format!("{what} resumed manually");
            u.completed_at = None;
        }
    });
    orchestrator::reconcile(st, id);
    Ok(Outcome::Id(id.to_string()))
}

pub fn remove_service(st: &mut State, id: &str) -> Result<Outcome, ApiError> {
    let svc = lookup::service_exists(st, id)?.clone();
    let tasks: Vec<String> = lookup::tasks_of_service(st, id)
        .iter()
        .map(|t| t.id.clone())
        .collect();
    st.remove::<Service>(id);
    for vip in &svc.endpoint.virtual_ips {
        network::release(st, &vip.network_id, &format!("vip:{id}"));
    }
    for tid in tasks {
        let Some(t) = st.get::<Task>(&tid) else {
            continue;
        };
        if t.status.state > TaskState::Running {
            tasks::delete_task(st, &tid, true);
        } else {
            orchestrator::set_desired(st, &tid, TaskState::Remove);
        }
    }
    Ok(Outcome::Done)
}

/// swarmkit: `^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$`
pub fn valid_dns_name(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() || !b[0].is_ascii_alphanumeric() || !b[b.len() - 1].is_ascii_alphanumeric() {
        return false;
    }
    b.iter()
        .all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_')
}
