//! Raft in miniature: the leader is a reachable manager; without a majority of managers
//! reachable there is no leader, and orchestration stops until one is elected again.

use crate::model::*;
use crate::state::State;
use crate::swarm::*;

pub fn has_leader(st: &State) -> bool {
    st.all::<Node>().any(|n| n.is_leader())
}

fn reachable(n: &Node) -> bool {
    n.is_manager() && n.sim.engine_up && n.status.state == NodeState::Ready
}

/// Keeps a leader if the current one is reachable, else elects the reachable manager with the
/// lowest ID — if a majority of managers is reachable.
pub fn elect(st: &mut State) {
    let had = has_leader(st);
    if st.all::<Node>().any(|n| n.is_leader() && reachable(n)) {
        return;
    }
    let stale: Vec<String> = st
        .all::<Node>()
        .filter(|n| n.is_leader())
        .map(|n| n.id.clone())
        .collect();
    for id in stale {
        st.update::<Node>(&id, |n| {
            if let Some(m) = n.manager_status.as_mut() {
                m.leader = false;
            }
        });
    }
    let managers = st.all::<Node>().filter(|n| n.is_manager()).count();
    let up: Vec<String> = st
        .all::<Node>()
        .filter(|n| reachable(n))
        .map(|n| n.id.clone())
        .collect();
    if up.len() * 2 > managers
        && let Some(first) = up.first()
    {
        st.update::<Node>(first, |n| {
            if let Some(m) = n.manager_status.as_mut() {
                m.leader = true;
            }
        });
        if !had {
            resync(st);
        }
    }
}

/// A new leader catches up on what happened while there was none.
pub fn resync(st: &mut State) {
    let down: Vec<String> = st
        .all::<Node>()
        .filter(|n| n.status.state == NodeState::Down)
        .map(|n| n.id.clone())
        .collect();
    for id in down {
        orchestrator::evacuate_node(st, &id, false);
    }
    let dead: Vec<String> = st
        .all::<Task>()
        .filter(|t| t.status.state > TaskState::Running && t.desired_state <= TaskState::Complete)
        .map(|t| t.id.clone())
        .collect();
    for id in dead {
        orchestrator::task_stopped(st, &id);
    }
    let svcs: Vec<String> = st.all::<Service>().map(|s| s.id.clone()).collect();
    for id in svcs {
        orchestrator::reconcile(st, &id);
    }
}
