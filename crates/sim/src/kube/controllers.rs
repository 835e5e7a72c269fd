//! The Kubernetes controllers as deterministic reconcile passes on the simulator's timer, the
//! way kube-controller-manager's loops converge: Deployments own ReplicaSets (one per pod
//! template, named by its pod-template-hash, rolled with maxSurge/maxUnavailable), ReplicaSets
//! own Pods, the garbage collector removes what lost its owner; then the scheduler binds
//! pods and the kubelets run them ([`super::scheduler`], [`super::kubelet`]).

use super::{events, kubelet, names, scheduler};
use crate::base::time::{SimDuration, SimTime};
use crate::model::kube::*;
use crate::state::State;
use k8s_openapi::api::apps::v1::{
    DeploymentCondition, DeploymentStatus, ReplicaSetSpec, ReplicaSetStatus,
};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

/// How long after a change the controllers look (their work queues' batching).
pub const DEBOUNCE: SimDuration = SimDuration::from_millis(50);

const REVISION: &str = "deployment.kubernetes.io/revision";
const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";
const HASH_LABEL: &str = "pod-template-hash";

/// One pass of every controller. Asks for the next pass when something is left to do.
pub fn sync(st: &mut State) {
    let before = st.meta.kube.rv;
    let now = st.now();
    if st.meta.kube.events_gc_at.is_none_or(|t| t <= now) {
        events::expire(st, now);
        st.meta.kube.events_gc_at = Some(now + SimDuration::from_secs(60));
    }
    let lifecycle = super::nodes::run(st);
    let mut removed = super::gc::run(st);
    deployments(st);
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

fn key_of(m: &ObjectMeta) -> String {
    object_key(m)
}

fn owned_by(m: &ObjectMeta, uid: &str) -> bool {
    controller_of(m).is_some_and(|r| r.uid == uid)
}

/// `25%` of `total`, rounded up (surge) or down (unavailable); an integer as it is.
fn scaled(v: Option<&IntOrString>, default: &str, total: i32, up: bool) -> i32 {
    let v = v.cloned().unwrap_or(IntOrString::String(default.into()));
    match v {
        IntOrString::Int(i) => i,
        IntOrString::String(s) => {
            let pct: i64 = s.trim_end_matches('%').parse().unwrap_or(0);
            let x = pct * i64::from(total);
            (if up { (x + 99) / 100 } else { x / 100 }) as i32
        }
    }
}

fn rs_revision(r: &ReplicaSet) -> i64 {
    r.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(REVISION))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// The template without its pod-template-hash label, as the Deployment holds it.
fn without_hash(t: &PodTemplateSpec) -> PodTemplateSpec {
    let mut t = t.clone();
    if let Some(l) = t.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
        l.remove(HASH_LABEL);
    }
    t
}

/// The deployment controller's `ScalingReplicaSet` event (`kubectl describe deploy` shows
/// them): "Scaled up replica set web-5d4f8b9c7 from 0 to 3".
fn scaling_event(st: &mut State, d: &Deployment, rs: &str, from: i32, to: i32) {
    let how = if to > from { "up" } else { "down" };
    let msg = format!("Scaled {how} replica set {rs} from {from} to {to}");
    events::record(
        st,
        events::about(d),
        false,
        "ScalingReplicaSet",
        &msg,
        &events::controller("deployment-controller"),
    );
}

fn deployments(st: &mut State) {
    let keys: Vec<String> = st
        .all::<Deployment>()
        .map(|d| key_of(&d.metadata))
        .collect();
    for key in keys {
        deployment(st, &key);
    }
}

fn deployment(st: &mut State, key: &str) {
    let Some(d) = st.get::<Deployment>(key).cloned() else {
        return;
    };
    let Some(spec) = d.spec.clone() else { return };
    let uid = d.metadata.uid.clone().unwrap_or_default();
    let ns = d.metadata.namespace.clone().unwrap_or_default();
    let name = d.metadata.name.clone().unwrap_or_default();
    let desired = spec.replicas.unwrap_or(1);
    let mut owned: Vec<ReplicaSet> = st
        .with_prefix::<ReplicaSet>(&format!("{ns}/"))
        .filter(|r| owned_by(&r.metadata, &uid))
        .cloned()
        .collect();
    let hash = names::template_hash(&spec.template);
    let cause = d
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(CHANGE_CAUSE))
        .cloned();
    let max_rev = owned.iter().map(rs_revision).max().unwrap_or(0);
    let current = owned.iter().position(|r| {
        r.spec
            .as_ref()
            .and_then(|s| s.template.as_ref())
            .map(without_hash)
            .as_ref()
            == Some(&spec.template)
    });
    let new_rs_key = match current {
        Some(i) => {
            let r = &owned[i];
            let k = key_of(&r.metadata);
            // An old template again (rollout undo): it becomes the newest revision.
            if rs_revision(r) < max_rev
                || cause.is_some()
                    && r.metadata
                        .annotations
                        .as_ref()
                        .and_then(|a| a.get(CHANGE_CAUSE))
                        != cause.as_ref()
            {
                let rev = if rs_revision(r) < max_rev {
                    max_rev + 1
                } else {
                    max_rev
                };
                let cause = cause.clone();
                st.update::<ReplicaSet>(&k, |r| {
                    let a = r.metadata.annotations.get_or_insert_default();
                    a.insert(REVISION.into(), rev.to_string());
                    if let Some(c) = cause {
                        a.insert(CHANGE_CAUSE.into(), c);
                    }
                });
            }
            k
        }
        None => {
            if spec.paused == Some(true) {
                return;
            }
            let mut template = spec.template.clone();
            let tm = template.metadata.get_or_insert_default();
            tm.labels
                .get_or_insert_default()
                .insert(HASH_LABEL.into(), hash.clone());
            let mut selector = spec.selector.clone();
            selector
                .match_labels
                .get_or_insert_default()
                .insert(HASH_LABEL.into(), hash.clone());
            let mut labels = tm.labels.clone().unwrap_or_default();
            labels.insert(HASH_LABEL.into(), hash.clone());
            let mut annotations: BTreeMap<String, String> = d
                .metadata
                .annotations
                .clone()
                .unwrap_or_default()
                .into_iter()
                .filter(|(k, _)| k != "kubectl.kubernetes.io/last-applied-configuration")
                .collect();
            annotations.insert(REVISION.into(), (max_rev + 1).to_string());
            annotations.insert(
                "deployment.kubernetes.io/desired-replicas".into(),
                desired.to_string(),
            );
            let first = owned.is_empty();
            let rs = ReplicaSet {
                metadata: ObjectMeta {
                    name: Some(format!("{name}-{hash}")),
                    namespace: Some(ns.clone()),
                    uid: Some(names::uid(&mut st.meta.kube.rng)),
                    creation_timestamp: Some(time(st.now())),
                    generation: Some(1),
                    labels: Some(labels),
                    annotations: Some(annotations),
                    owner_references: Some(vec![super::gc::owner_ref(
                        "apps/v1",
                        "Deployment",
                        &d.metadata,
                    )]),
                    ..Default::default()
                },
                spec: Some(ReplicaSetSpec {
                    // The first ReplicaSet starts whole; a new one during a rollout grows.
                    replicas: Some(if first { desired } else { 0 }),
                    selector,
                    template: Some(template),
                    min_ready_seconds: spec.min_ready_seconds,
                }),
                status: Some(ReplicaSetStatus::default()),
            };
            let k = key_of(&rs.metadata);
            owned.push(rs.clone());
            st.insert(rs);
            if first && desired > 0 {
                scaling_event(st, &d, &format!("{name}-{hash}"), 0, desired);
            }
            k
        }
    };
    // Roll: grow the new ReplicaSet within maxSurge, shrink the old ones within
    // maxUnavailable (Recreate: old ones to zero first).
    let owned: Vec<ReplicaSet> = st
        .with_prefix::<ReplicaSet>(&format!("{ns}/"))
        .filter(|r| owned_by(&r.metadata, &uid))
        .cloned()
        .collect();
    let spec_of = |r: &ReplicaSet| r.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0);
    let avail_of = |r: &ReplicaSet| {
        r.status
            .as_ref()
            .and_then(|s| s.available_replicas)
            .unwrap_or(0)
    };
    let total: i32 = owned.iter().map(spec_of).sum();
    let recreate = spec.strategy.as_ref().and_then(|s| s.type_.as_deref()) == Some("Recreate");
    let ru = spec
        .strategy
        .as_ref()
        .and_then(|s| s.rolling_update.as_ref());
    let surge = scaled(ru.and_then(|r| r.max_surge.as_ref()), "25%", desired, true);
    let mut unavailable = scaled(
        ru.and_then(|r| r.max_unavailable.as_ref()),
        "25%",
        desired,
        false,
    );
    if surge == 0 && unavailable == 0 {
        unavailable = 1;
    }
    let new = owned.iter().find(|r| key_of(&r.metadata) == new_rs_key);
    let old: Vec<&ReplicaSet> = owned
        .iter()
        .filter(|r| key_of(&r.metadata) != new_rs_key)
        .collect();
    let old_total: i32 = old.iter().map(|r| spec_of(r)).sum();
    if let Some(new) = new {
        let cur = spec_of(new);
        let want = if spec.paused == Some(true) {
            cur
        } else if old_total == 0 {
            desired
        } else if recreate {
            if old
                .iter()
                .all(|r| r.status.as_ref().map_or(0, |s| s.replicas) == 0)
            {
                desired
            } else {
                0
            }
        } else if cur < desired {
            let room = desired + surge - total;
            (cur + room.max(0)).min(desired)
        } else {
            desired
        };
        if want != cur {
            let rs_name = new.metadata.name.clone().unwrap_or_default();
            scaling_event(st, &d, &rs_name, cur, want);
            let k = key_of(&new.metadata);
            st.update::<ReplicaSet>(&k, |r| {
                r.spec.get_or_insert_default().replicas = Some(want);
                r.metadata.annotations.get_or_insert_default().insert(
                    "deployment.kubernetes.io/desired-replicas".into(),
                    desired.to_string(),
                );
            });
        }
        if spec.paused != Some(true) {
            // Old ones shrink while enough pods stay available.
            let all_avail: i32 = owned.iter().map(avail_of).sum();
            let min_avail = desired - unavailable;
            let mut budget = if recreate {
                i32::MAX
            } else {
                (all_avail - min_avail).max(0)
            };
            for r in &old {
                let cur = spec_of(r);
                if cur == 0 {
                    continue;
                }
                // Unavailable old pods can always go; available ones within the budget.
                let unhealthy = (cur - avail_of(r)).max(0);
                let cut = if recreate {
                    cur
                } else {
                    (unhealthy + budget).min(cur)
                };
                if !recreate {
                    budget -= (cut - unhealthy).max(0);
                }
                if cut > 0 {
                    let rs_name = r.metadata.name.clone().unwrap_or_default();
                    scaling_event(st, &d, &rs_name, cur, cur - cut);
                    let k = key_of(&r.metadata);
                    st.update::<ReplicaSet>(&k, |r| {
                        r.spec.get_or_insert_default().replicas = Some(cur - cut)
                    });
                }
            }
        }
    }
    // Old ReplicaSets beyond the history limit go.
    let limit = spec.revision_history_limit.unwrap_or(10) as usize;
    let mut empties: Vec<(i64, String)> = st
        .with_prefix::<ReplicaSet>(&format!("{ns}/"))
        .filter(|r| owned_by(&r.metadata, &uid) && key_of(&r.metadata) != new_rs_key)
        .filter(|r| spec_of(r) == 0 && r.status.as_ref().map_or(0, |s| s.replicas) == 0)
        .map(|r| (rs_revision(r), key_of(&r.metadata)))
        .collect();
    empties.sort();
    while empties.len() > limit {
        let (_, k) = empties.remove(0);
        st.remove::<ReplicaSet>(&k);
    }
    deployment_status(st, key, &uid, &ns, &new_rs_key, desired - unavailable);
}

fn deployment_status(
    st: &mut State,
    key: &str,
    uid: &str,
    ns: &str,
    new_key: &str,
    min_avail: i32,
) {
    let owned: Vec<&ReplicaSet> = st
        .with_prefix::<ReplicaSet>(&format!("{ns}/"))
        .filter(|r| owned_by(&r.metadata, uid))
        .collect();
    let sum = |f: fn(&ReplicaSetStatus) -> i32| -> i32 {
        owned.iter().filter_map(|r| r.status.as_ref()).map(f).sum()
    };
    let replicas = sum(|s| s.replicas);
    let ready = sum(|s| s.ready_replicas.unwrap_or(0));
    let available = sum(|s| s.available_replicas.unwrap_or(0));
    let new = owned.iter().find(|r| key_of(&r.metadata) == new_key);
    let updated = new
        .and_then(|r| r.status.as_ref())
        .map_or(0, |s| s.replicas);
    let new_name = new
        .and_then(|r| r.metadata.name.clone())
        .unwrap_or_default();
    let revision = new.map(|r| rs_revision(r)).unwrap_or(0);
    let now = time(st.now());
    let Some(d) = st.get::<Deployment>(key) else {
        return;
    };
    let desired = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let generation = d.metadata.generation;
    let old = d.status.clone().unwrap_or_default();
    let complete = updated == desired && replicas == desired && available == desired;
    let cond = |ty: &str, status: bool, reason: &str, message: String, prev: &DeploymentStatus| {
        let was = prev
            .conditions
            .iter()
            .flatten()
            .find(|c| c.type_ == ty)
            .cloned();
        let status = if status { "True" } else { "False" }.to_string();
        let changed = was
            .as_ref()
            .is_none_or(|c| c.status != status || c.reason.as_deref() != Some(reason));
        DeploymentCondition {
            type_: ty.into(),
            status,
            reason: Some(reason.into()),
            message: Some(message),
            last_update_time: if changed {
                Some(now.clone())
            } else {
                was.as_ref().and_then(|c| c.last_update_time.clone())
            },
            last_transition_time: if changed {
                Some(now.clone())
            } else {
                was.as_ref().and_then(|c| c.last_transition_time.clone())
            },
        }
    };
    let min_available = available >= min_avail;
    let status = DeploymentStatus {
        observed_generation: generation,
        replicas: Some(replicas).filter(|r| *r != 0),
        updated_replicas: Some(updated).filter(|r| *r != 0),
        ready_replicas: Some(ready).filter(|r| *r != 0),
        available_replicas: Some(available).filter(|r| *r != 0),
        unavailable_replicas: Some((replicas - available).max(desired - available))
            .filter(|r| *r > 0),
        conditions: Some(vec![
            cond(
                "Available",
                min_available,
                if min_available {
                    "MinimumReplicasAvailable"
                } else {
                    "MinimumReplicasUnavailable"
                },
                if min_available {
                    "Deployment has minimum availability.".into()
                } else {
                    "Deployment does not have minimum availability.".into()
                },
                &old,
            ),
            cond(
                "Progressing",
                true,
                if complete {
                    "NewReplicaSetAvailable"
                } else {
                    "ReplicaSetUpdated"
                },
                if complete {
                    format!("ReplicaSet \"{new_name}\" has successfully progressed.")
                } else {
                    format!("ReplicaSet \"{new_name}\" is progressing.")
                },
                &old,
            ),
        ]),
        ..Default::default()
    };
    let status_changed = {
        let mut a = old.clone();
        let mut b = status.clone();
        for s in [&mut a, &mut b] {
            for c in s.conditions.iter_mut().flatten() {
                c.last_update_time = None;
                c.last_transition_time = None;
            }
        }
        a != b
    };
    // (No revision yet, no annotation to write: a pass that writes nothing ends the loop.)
    let rev_changed = revision > 0
        && d.metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(REVISION))
            != Some(&revision.to_string());
    if status_changed || rev_changed {
        st.update::<Deployment>(key, |d| {
            d.status = Some(status);
            if revision > 0 {
                d.metadata
                    .annotations
                    .get_or_insert_default()
                    .insert(REVISION.into(), revision.to_string());
            }
        });
    }
}

/// Returns how many pods went.
fn replicasets(st: &mut State) -> usize {
    let keys: Vec<String> = st
        .all::<ReplicaSet>()
        .map(|r| key_of(&r.metadata))
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
        .filter(|p| owned_by(&p.metadata, &uid) && p.metadata.deletion_timestamp.is_none())
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
        // kube-controller-manager's order: unscheduled, then not ready, then the newest.
        pods.sort_by_key(|p| {
            (
                p.spec.as_ref().and_then(|s| s.node_name.clone()).is_some(),
                kubelet::ready(p),
                std::cmp::Reverse(
                    p.metadata
                        .creation_timestamp
                        .as_ref()
                        .map(sim_time)
                        .unwrap_or(SimTime(0)),
                ),
            )
        });
        for p in pods.iter().take((have - desired) as usize) {
            super::gc::delete_pod(st, &key_of(&p.metadata), None);
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
        .filter(|p| owned_by(&p.metadata, &uid) && !kubelet::finished(p))
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
