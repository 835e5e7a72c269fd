//! The Kubernetes controllers as deterministic reconcile passes on the simulator's timer, the
//! way kube-controller-manager's loops converge: Deployments own ReplicaSets
//! ([`super::deployment`]), ReplicaSets own Pods, the garbage collector removes what lost its
//! owner; then the scheduler binds pods and the kubelets run them ([`super::scheduler`],
//! [`super::kubelet`]).

use super::{events, kubelet, scheduler};
use crate::base::time::{SimDuration, SimTime};
use crate::model::kube::*;
use crate::state::State;
use k8s_openapi::api::apps::v1::ReplicaSetStatus;
use std::collections::BTreeMap;

/// How long after a change the controllers look (their work queues' batching).
pub const DEBOUNCE: SimDuration = SimDuration::from_millis(50);

/// One pass of every controller. Asks for the next pass when something is left to do.
pub fn sync(st: &mut State) {
    let before = st.meta.kube.rv;
    let now = st.now();
    if st.meta.kube.events_gc_at.is_none_or(|t| t <= now) {
        events::expire(st, now);
        st.meta.kube.events_gc_at = Some(now + SimDuration::from_secs(60));
    }
    let lifecycle = super::nodes::run(st);
    super::namespaces::run(st);
    let mut removed = super::gc::run(st);
    super::deployment::run(st);
    removed += replicasets(st);
    super::daemonset::run(st);
    super::batch::jobs(st);
    let cron = super::batch::cronjobs(st);
    scheduler::run(st);
    let due = [kubelet::run(st), cron, lifecycle]
        .into_iter()
        .flatten()
        .min();
    // Each controller sees the others' changes on the next pass, as through a watch.
    let changed = st.meta.kube.rv != before || removed > 0;
    let now = st.now();
    let next = if changed { Some(now + DEBOUNCE) } else { due };
    if let Some(t) = next {
        st.request_kube_sync(t.max(now + SimDuration(1)));
    }
}

/// How many live pods of the ReplicaSet's family (every ReplicaSet with its controller, or
/// itself alone) each node runs.
fn related_pods_per_node(st: &State, rs: &ReplicaSet) -> BTreeMap<String, usize> {
    let ns = rs.metadata.namespace.clone().unwrap_or_default();
    let family: Vec<String> = match controller_of(&rs.metadata) {
        Some(owner) => st
            .with_prefix::<ReplicaSet>(&format!("{ns}/"))
            .filter(|r| controlled_by(&r.metadata, &owner.uid))
            .filter_map(|r| r.metadata.uid.clone())
            .collect(),
        None => rs.metadata.uid.clone().into_iter().collect(),
    };
    let mut per_node = BTreeMap::new();
    for p in st.with_prefix::<Pod>(&format!("{ns}/")) {
        if p.metadata.deletion_timestamp.is_some() || kubelet::finished(p) {
            continue;
        }
        if !controller_of(&p.metadata).is_some_and(|o| family.contains(&o.uid)) {
            continue;
        }
        if let Some(n) = p.spec.as_ref().and_then(|s| s.node_name.clone()) {
            *per_node.entry(n).or_insert(0) += 1;
        }
    }
    per_node
}

/// The order in which a ReplicaSet's surplus pods go (upstream's `ActivePodsWithRanks` with
/// LogarithmicScaleDown): unscheduled, then Pending before Unknown before Running, not ready
/// before ready, pods doubled up on a node with more of the family first, ready for less
/// time first (by powers of two), more restarts first, newer first (by powers of two).
fn victim_rank(p: &Pod, related: &BTreeMap<String, usize>, now: SimTime) -> impl Ord + use<> {
    use std::cmp::Reverse;
    let node = p.spec.as_ref().and_then(|s| s.node_name.clone());
    let phase = match p.status.as_ref().and_then(|s| s.phase.as_deref()) {
        Some("Pending") => 0,
        Some("Running") => 2,
        _ => 1,
    };
    let ready = kubelet::ready(p);
    let rank = node
        .as_ref()
        .and_then(|n| related.get(n))
        .copied()
        .unwrap_or(0);
    // floor(log2(nanoseconds since)), as upstream buckets the times it compares.
    let bucket = |t: Option<SimTime>| {
        t.map_or(-1, |t| {
            let d = now.0.saturating_sub(t.0);
            if d == 0 {
                -1
            } else {
                63 - i64::from(d.leading_zeros())
            }
        })
    };
    let ready_since = ready
        .then(|| {
            kubelet::condition(p, "Ready")
                .and_then(|c| c.last_transition_time.as_ref())
                .map(sim_time)
        })
        .flatten();
    let restarts: i32 = p
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .map_or(0, |cs| cs.iter().map(|c| c.restart_count).sum());
    let created = p.metadata.creation_timestamp.as_ref().map(sim_time);
    (
        node.is_some(),
        phase,
        ready,
        Reverse(rank),
        bucket(ready_since),
        Reverse(restarts),
        bucket(created),
        p.metadata.uid.clone(),
    )
}

/// Returns how many pods went.
fn replicasets(st: &mut State) -> usize {
    let keys: Vec<String> = st
        .all::<ReplicaSet>()
        .map(|r| object_key(&r.metadata))
        .collect();
    keys.iter().map(|key| replicaset(st, key)).sum()
}

fn replicaset(st: &mut State, key: &str) -> usize {
    let Some(rs) = st.get::<ReplicaSet>(key).cloned() else {
        return 0;
    };
    let mut removed = 0;
    let uid = rs.metadata.uid.clone().unwrap_or_default();
    let ns = rs.metadata.namespace.clone().unwrap_or_default();
    let spec = rs.spec.clone().unwrap_or_default();
    let desired = spec.replicas.unwrap_or(1);
    let mut pods: Vec<Pod> = st
        .with_prefix::<Pod>(&format!("{ns}/"))
        .filter(|p| controlled_by(&p.metadata, &uid) && p.metadata.deletion_timestamp.is_none())
        .filter(|p| !kubelet::finished(p))
        .cloned()
        .collect();
    let have = pods.len() as i32;
    if have < desired {
        for _ in have..desired {
            let Some(t) = spec.template.clone() else {
                break;
            };
            let owner = super::gc::owner_ref("apps/v1", "ReplicaSet", &rs.metadata);
            let pod = super::defaults::pod_from_template(st, &t, owner, &ns);
            let msg = format!(
                "Created pod: {}",
                pod.metadata.name.as_deref().unwrap_or_default()
            );
            events::record(
                st,
                events::about(&rs),
                false,
                "SuccessfulCreate",
                &msg,
                &events::controller("replicaset-controller"),
            );
            st.insert(pod);
        }
    } else if have > desired {
        let related = related_pods_per_node(st, &rs);
        let now = st.now();
        pods.sort_by_key(|p| victim_rank(p, &related, now));
        for p in pods.iter().take((have - desired) as usize) {
            super::gc::delete_pod(st, &object_key(&p.metadata), None);
            let msg = format!(
                "Deleted pod: {}",
                p.metadata.name.as_deref().unwrap_or_default()
            );
            events::record(
                st,
                events::about(&rs),
                false,
                "SuccessfulDelete",
                &msg,
                &events::controller("replicaset-controller"),
            );
            removed += 1;
        }
    }
    let pods: Vec<&Pod> = st
        .with_prefix::<Pod>(&format!("{ns}/"))
        .filter(|p| controlled_by(&p.metadata, &uid) && !kubelet::finished(p))
        .collect();
    let replicas = pods.len() as i32;
    let ready = pods.iter().filter(|p| kubelet::ready(p)).count() as i32;
    let status = ReplicaSetStatus {
        replicas,
        fully_labeled_replicas: Some(replicas).filter(|r| *r != 0),
        ready_replicas: Some(ready).filter(|r| *r != 0),
        available_replicas: Some(ready).filter(|r| *r != 0),
        observed_generation: rs.metadata.generation,
        conditions: None,
    };
    if rs.status.as_ref() != Some(&status) {
        st.update::<ReplicaSet>(key, |r| r.status = Some(status));
    }
    removed
}
