//! Volume, network and container commands.

use crate::base::time::SimDuration;
use crate::infra::ipam::{format_ipv4, parse_cidr};
use crate::infra::runtime;
use crate::model::*;
use crate::state::State;
use crate::swarm::*;
use crate::{ApiError, NetworkCreate, Outcome};

pub fn create_volume(
    st: &mut State,
    node: &str,
    name: Option<String>,
    driver: &str,
    labels: Labels,
    options: Labels,
) -> Result<Outcome, ApiError> {
    lookup::node_exists(st, node)?;
    let anonymous = name.is_none();
    let name = name.unwrap_or_else(|| st.meta.rng.hex_id());
    if !valid_volume_name(&name) {
        return Err(ApiError(format!(
            "create {name}: \"{name}\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path"
        )));
    }
    if driver != "local" {
        return Err(ApiError(format!(
            "create {name}: error looking up volume plugin {driver}: plugin \"{driver}\" not found"
        )));
    }
    if let Some(v) = st.get::<Volume>(&Volume::key_of(node, &name)) {
        if v.driver != driver {
            return Err(ApiError(format!(
                "create {name}: volume name must be unique"
            )));
        }
        return Ok(Outcome::Id(name));
    }
    runtime::create_volume(st, node, &name, driver, anonymous, labels, options);
    Ok(Outcome::Id(name))
}

pub fn remove_volume(
    st: &mut State,
    node: &str,
    name: &str,
    force: bool,
) -> Result<Outcome, ApiError> {
    let key = Volume::key_of(node, name);
    if st.get::<Volume>(&key).is_none() {
        if force {
            return Ok(Outcome::Done);
        }
        return Err(ApiError(format!("get {name}: no such volume")));
    }
    if let Some(users) = lookup::volumes_in_use(st, node).get(name) {
        return Err(ApiError(format!(
            "remove {name}: volume is in use - [{}]",
            users.join(", ")
        )));
    }
    st.remove::<Volume>(&key);
    Ok(Outcome::Done)
}

pub fn create_network(st: &mut State, req: NetworkCreate) -> Result<Outcome, ApiError> {
    if matches!(
        req.name.as_str(),
        "bridge" | "host" | "none" | "docker_gwbridge"
    ) || st.index().network_names.contains_key(&req.name)
    {
        return Err(ApiError(format!(
            "network with name {} already exists",
            req.name
        )));
    }
    if req.driver != "overlay" {
        return Err(ApiError(format!(
            "the built-in cluster only simulates swarm-scoped networks: use -d overlay (got -d {})",
            req.driver
        )));
    }
    let subnet = match &req.subnet {
        Some(s) => {
            let Some((net, len)) = parse_cidr(s) else {
                return Err(ApiError(format!("invalid CIDR address: {s}")));
            };
            let overlaps = st.all::<Network>().filter_map(network::subnet_of).any(|(u, ul)| {
                let m = ul.min(len);
                let mask = if m == 0 { 0 } else { u32::MAX << (32 - m) };
                (u & mask) == (net & mask)
            });
            if overlaps {
                return Err(ApiError("Pool overlaps with other one on this address space".into()));
            }
            format!("{}/{len}", format_ipv4(net))
        }
        None => network::free_subnet(st).ok_or_else(|| ApiError("could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network".into()))?,
    };
    let gateway = match &req.gateway {
        Some(g) => g.clone(),
        None => {
            let (net, _) = parse_cidr(&subnet).unwrap_or((0, 24));
            format_ipv4(net + 1)
        }
    };
    let id = st.meta.rng.swarm_id();
    st.meta.next_vxlan += 1;
    let vxlan = 4096 + st.meta.next_vxlan;
    let mut options = req.options.clone();
    if req.encrypted {
        options.insert("encrypted".into(), String::new());
    }
    let now = st.now();
    st.insert(network::overlay(
        id.clone(),
        now,
        network::OverlaySpec {
            name: req.name,
            subnet,
            gateway,
            vxlan,
            ingress: false,
            internal: req.internal,
            attachable: req.attachable,
            options,
            labels: req.labels,
        },
    ));
    Ok(Outcome::Id(id))
}

pub fn remove_network(st: &mut State, key: &str) -> Result<Outcome, ApiError> {
    if matches!(key, "bridge" | "host" | "none") {
        return Err(ApiError(format!(
            "{key} is a pre-defined network and cannot be removed"
        )));
    }
    let Some(net) = lookup::find_network(st, key).cloned() else {
        return Err(ApiError(format!("network {key} not found")));
    };
    for s in st.all::<Service>() {
        if network::task_networks(st, &s.spec).contains(&net.id) {
            if net.ingress {
                return Err(ApiError::rpc(
                    "PermissionDenied",
                    format!(
                        "ingress network cannot be removed because service {} depends on it",
                        s.id
                    ),
                ));
            }
            return Err(ApiError::rpc(
                "FailedPrecondition",
                format!("network {} is in use by service {}", net.id, s.id),
            ));
        }
    }
    st.remove::<Network>(&net.id);
    Ok(Outcome::Done)
}

fn valid_volume_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

pub fn prune_volumes(st: &mut State, node: &str, all: bool) -> Result<Outcome, ApiError> {
    let used = lookup::volumes_in_use(st, node);
    let doomed: Vec<String> = st
        .all::<Volume>()
        .filter(|v| v.sim.node == node && !used.contains_key(&v.name) && (all || v.sim.anonymous))
        .map(|v| v.name.clone())
        .collect();
    for name in &doomed {
        st.remove::<Volume>(&Volume::key_of(node, name));
    }
    Ok(Outcome::Ids(doomed))
}

pub fn stop_container(
    st: &mut State,
    container: &str,
    timeout: Option<SimDuration>,
) -> Result<Outcome, ApiError> {
    lookup::container_exists(st, container)?;
    let exited = runtime::stop(st, container, timeout);
    executor::report(st, exited);
    Ok(Outcome::Done)
}

pub fn kill_container(st: &mut State, container: &str, signal: &str) -> Result<Outcome, ApiError> {
    let c = lookup::container_exists(st, container)?;
    if !c.is_running() {
        return Err(ApiError(format!(
            "Cannot kill container: {container}: Container {container} is not running"
        )));
    }
    let sig = signal.trim_start_matches("SIG").to_ascii_uppercase();
    if !runtime::valid_signal(&sig) {
        return Err(ApiError(format!("Invalid signal: {signal}")));
    }
    let exited = runtime::signal(st, container, &sig);
    executor::report(st, exited);
    Ok(Outcome::Done)
}

pub fn remove_container(
    st: &mut State,
    container: &str,
    force: bool,
    volumes: bool,
) -> Result<Outcome, ApiError> {
    let c = lookup::container_exists(st, container)?.clone();
    if c.is_running() && !force {
        return Err(ApiError(format!(
            "You cannot remove a running container {}. Stop the container before attempting removal or force remove",
            c.id
        )));
    }
    if c.is_running() {
        let exited = runtime::kill(st, container, 137);
        executor::report(st, exited);
    }
    if volumes {
        runtime::remove_container_volumes(st, container);
    }
    st.remove::<Container>(container);
    Ok(Outcome::Done)
}

pub fn prune_containers(st: &mut State, node: &str) -> Result<Outcome, ApiError> {
    let doomed: Vec<String> = lookup::containers_on_node(st, node)
        .iter()
        .filter(|c| !c.is_running())
        .map(|c| c.id.clone())
        .collect();
    for id in &doomed {
        st.remove::<Container>(id);
    }
    Ok(Outcome::Ids(doomed))
}

/// `sim task crash`/`stop`: the task's container exits with `code`.
pub fn task_exit(st: &mut State, task: &str, code: i64) -> Result<Outcome, ApiError> {
    let Some(t) = st.get::<Task>(task) else {
        return Err(ApiError(format!("no such task: {task}")));
    };
    let running = st
        .index()
        .container_by_task
        .get(task)
        .and_then(|c| st.get::<Container>(c))
        .filter(|c| c.is_running())
        .map(|c| c.id.clone());
    let Some(cid) = running else {
        return Err(ApiError(format!(
            "task {} is not running (it is {})",
            t.id,
            t.status.state.as_str()
        )));
    };
    let exited = runtime::kill(st, &cid, code);
    executor::report(st, exited);
    Ok(Outcome::Done)
}
