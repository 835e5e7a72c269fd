//! Node commands: update (availability, role, labels), remove, and the simulator's `node add`.

use crate::model::*;
use crate::state::State;
use crate::swarm::seed::make_node;
use crate::swarm::*;
use crate::{ApiError, NodeTemplate, Outcome};

pub fn update_node(st: &mut State, id: &str, spec: NodeSpec) -> Result<Outcome, ApiError> {
    let old = lookup::node_exists(st, id)?.clone();
    if old.spec.role == NodeRole::Manager && spec.role == NodeRole::Worker {
        let managers = st.all::<Node>().filter(|n| n.is_manager()).count();
        if managers <= 1 {
            return Err(ApiError::rpc(
                "FailedPrecondition",
                "attempting to demote the last manager of the swarm",
            ));
        }
    }
    let addr = format!("{}:2377", old.ip());
    st.update::<Node>(id, |n| {
        n.spec = spec.clone();
        match (old.spec.role, spec.role) {
            (NodeRole::Worker, NodeRole::Manager) => {
                n.manager_status = Some(ManagerStatus {
                    leader: false,
                    reachability: if n.sim.engine_up {
                        Reachability::Reachable
                    } else {
                        Reachability::Unreachable
                    },
                    addr: addr.clone(),
                })
            }
            (NodeRole::Manager, NodeRole::Worker) => n.manager_status = None,
            _ => {}
        }
    });
    if old.spec.role != spec.role {
        raft::elect(st);
    }
    if old.spec.availability != spec.availability && spec.availability == Availability::Drain {
        orchestrator::evacuate_node(st, id, true);
    }
    if old.spec.labels != spec.labels || old.spec.role != spec.role {
        orchestrator::enforce_constraints(st, id);
    }
    orchestrator::reconcile_globals(st);
    Ok(Outcome::Done)
}

pub fn remove_node(st: &mut State, id: &str, force: bool) -> Result<Outcome, ApiError> {
    let n = lookup::node_exists(st, id)?.clone();
    if n.is_manager() {
        return Err(ApiError::rpc(
            "FailedPrecondition",
            format!(
                "node {id} is a cluster manager and is a member of the raft cluster. It must be demoted to worker before removal"
            ),
        ));
    }
    if !force && n.status.state != NodeState::Down {
        return Err(ApiError::rpc(
            "FailedPrecondition",
            format!("node {id} is not down and can't be removed"),
        ));
    }
    orchestrator::orphan_tasks(st, id, "Task belonged to a node that has been deleted");
    for cid in lookup::containers_on_node(st, id)
        .iter()
        .map(|c| c.id.clone())
        .collect::<Vec<_>>()
    {
        st.remove::<Container>(&cid);
    }
    let vols: Vec<String> = st
        .all::<Volume>()
        .filter(|v| v.sim.node == id)
        .map(|v| Volume::key_of(id, &v.name))
        .collect();
    for k in vols {
        st.remove::<Volume>(&k);
    }
    st.remove::<Node>(id);
    orchestrator::reconcile_globals(st);
    Ok(Outcome::Done)
}

/// Volumes in use on a node: name -> containers using it.
pub fn add_nodes(st: &mut State, tpl: NodeTemplate) -> Result<Outcome, ApiError> {
    let names = tpl.names().map_err(ApiError)?;
    for n in &names {
        if !valid_hostname(n) {
            return Err(ApiError(format!(
                "invalid node name {n:?}: use letters, digits and '-'"
            )));
        }
        if st.index().node_names.contains_key(n) {
            return Err(ApiError(format!("a node named {n} already exists")));
        }
    }
    let now = st.now();
    let mut ids = Vec::new();
    let mut ips = nodes::free_ips(st, names.len()).into_iter();
    for name in names {
        let ip = ips
            .next()
            .ok_or_else(|| ApiError("no free addresses left in 192.168.0.0/16".into()))?;
        let id = st.meta.rng.swarm_id();
        let node = make_node(
            &id,
            &name,
            &ip,
            tpl.role,
            false,
            "18.06.1-ce",
            (tpl.cpus * 1e9) as i64,
            tpl.memory,
            &tpl.arch,
            tpl.labels.clone(),
            now,
        );
        st.insert(node);
        ids.push(id);
    }
    raft::elect(st);
    orchestrator::reconcile_globals(st);
    Ok(Outcome::Ids(ids))
}

/// The first `n` unused node addresses, from 192.168.31.2 up.
pub fn free_ips(st: &State, n: usize) -> Vec<String> {
    let used: std::collections::BTreeSet<String> =
        st.all::<Node>().map(|n| n.ip().to_string()).collect();
    (31..=255u32)
        .flat_map(|third| (2..=254u32).map(move |last| format!("192.168.{third}.{last}")))
        .filter(|ip| !used.contains(ip))
        .take(n)
        .collect()
}

fn valid_hostname(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
        && !s.starts_with('-')
}

pub fn node_down(st: &mut State, node: &str) -> Result<Outcome, ApiError> {
    let n = lookup::node_exists(st, node)?;
    if !n.sim.engine_up {
        return Err(ApiError(format!("node {} is already down", n.hostname())));
    }
    executor::engine_stop(st, node);
    Ok(Outcome::Done)
}

pub fn node_up(st: &mut State, node: &str) -> Result<Outcome, ApiError> {
    let n = lookup::node_exists(st, node)?;
    if n.sim.engine_up {
        return Err(ApiError(format!("node {} is already up", n.hostname())));
    }
    executor::engine_start(st, node);
    Ok(Outcome::Done)
}
