//! The deployment controller, as kube-controller-manager's `DeploymentController` syncs a
//! Deployment: find (or make) the ReplicaSet of the current template, keeping revisions and
//! change-causes (an old template again becomes the newest revision, as `rollout undo`
//! shows); on a scaling event (or while paused) scale every active ReplicaSet in proportion;
//! otherwise roll: grow the new ReplicaSet within maxSurge, then shrink the old ones, the
//! unhealthy first, within maxUnavailable (Recreate: all old pods gone first). Spec C1-C18.

use super::{events, names};
use crate::model::kube::*;
use crate::state::State;
use k8s_openapi::api::apps::v1::{
    DeploymentCondition, DeploymentStatus, ReplicaSetSpec, ReplicaSetStatus,
};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

const REVISION: &str = "deployment.kubernetes.io/revision";
const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";
const HASH_LABEL: &str = "pod-template-hash";
const DESIRED: &str = "deployment.kubernetes.io/desired-replicas";
const MAX: &str = "deployment.kubernetes.io/max-replicas";

pub fn run(st: &mut State) {
    let keys: Vec<String> = st
        .all::<Deployment>()
        .map(|d| object_key(&d.metadata))
        .collect();
    for key in keys {
        sync(st, &key);
    }
}

/// A Deployment's rollout numbers: replicas, maxSurge and maxUnavailable resolved against
/// them (both zero makes maxUnavailable 1, as upstream's fenceposts do).
#[derive(Clone, Copy)]
struct Plan {
    desired: i32,
    surge: i32,
    unavailable: i32,
    recreate: bool,
    paused: bool,
}

impl Plan {
    fn of(spec: &k8s_openapi::api::apps::v1::DeploymentSpec) -> Plan {
        let desired = spec.replicas.unwrap_or(1);
        let recreate = spec.strategy.as_ref().and_then(|s| s.type_.as_deref()) == Some("Recreate");
        let ru = spec
            .strategy
            .as_ref()
            .and_then(|s| s.rolling_update.as_ref());
        let (surge, mut unavailable) = if recreate {
            (0, 0)
        } else {
            (
                scaled(ru.and_then(|r| r.max_surge.as_ref()), "25%", desired, true),
                scaled(
                    ru.and_then(|r| r.max_unavailable.as_ref()),
                    "25%",
                    desired,
                    false,
                ),
            )
        };
        if !recreate && surge == 0 && unavailable == 0 {
            unavailable = 1;
        }
        unavailable = unavailable.min(desired);
        Plan {
            desired,
            surge,
            unavailable,
            recreate,
            paused: spec.paused == Some(true),
        }
    }
}

fn size(r: &ReplicaSet) -> i32 {
    r.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0)
}

fn available(r: &ReplicaSet) -> i32 {
    r.status
        .as_ref()
        .and_then(|s| s.available_replicas)
        .unwrap_or(0)
}

fn annotation(r: &ReplicaSet, key: &str) -> Option<i32> {
    r.metadata.annotations.as_ref()?.get(key)?.parse().ok()
}

fn created(r: &ReplicaSet) -> (Option<crate::base::time::SimTime>, String) {
    (
        r.metadata.creation_timestamp.as_ref().map(sim_time),
        r.metadata.name.clone().unwrap_or_default(),
    )
}

/// Sets a ReplicaSet's size and its desired/max-replicas annotations; records the
/// ScalingReplicaSet event when the size changed. `always`: write the annotations even when
/// the size stays (the proportional scaler does, `scaleReplicaSetAndRecordEvent` does not).
fn resize(st: &mut State, d: &Deployment, plan: Plan, key: &str, to: i32, always: bool) -> bool {
    let Some(r) = st.get::<ReplicaSet>(key) else {
        return false;
    };
    let from = size(r);
    let stale = annotation(r, DESIRED) != Some(plan.desired)
        || annotation(r, MAX) != Some(plan.desired + plan.surge);
    if from == to && !(always && stale) {
        return false;
    }
    let name = r.metadata.name.clone().unwrap_or_default();
    st.update::<ReplicaSet>(key, |r| {
        r.spec.get_or_insert_default().replicas = Some(to);
        let a = r.metadata.annotations.get_or_insert_default();
        a.insert(DESIRED.into(), plan.desired.to_string());
        a.insert(MAX.into(), (plan.desired + plan.surge).to_string());
    });
    if from != to {
        scaling_event(st, d, &name, from, to);
    }
    from != to
}

fn owned(st: &State, ns: &str, uid: &str) -> Vec<ReplicaSet> {
    st.with_prefix::<ReplicaSet>(&format!("{ns}/"))
        .filter(|r| controlled_by(&r.metadata, uid))
        .cloned()
        .collect()
}

fn sync(st: &mut State, key: &str) {
    let Some(d) = st.get::<Deployment>(key).cloned() else {
        return;
    };
    let Some(spec) = d.spec.clone() else { return };
    let uid = d.metadata.uid.clone().unwrap_or_default();
    let ns = d.metadata.namespace.clone().unwrap_or_default();
    let plan = Plan::of(&spec);
    let mut new_key = sync_revision(st, &d, false);
    let sets = owned(st, &ns, &uid);
    // A scaling event: an active ReplicaSet was sized for another replica count.
    let scaling = sets
        .iter()
        .filter(|r| size(r) > 0)
        .any(|r| annotation(r, DESIRED).is_some_and(|n| n != plan.desired));
    if plan.paused || scaling {
        scale(st, &d, plan, new_key.as_deref(), &sets);
    } else {
        if new_key.is_none() {
            new_key = sync_revision(st, &d, true);
        }
        let new_key = new_key.clone().unwrap_or_default();
        let sets = owned(st, &ns, &uid);
        if plan.recreate {
            recreate(st, &d, plan, &new_key, &sets);
        } else if !roll_new(st, &d, plan, &new_key, &sets) {
            let sets = owned(st, &ns, &uid);
            roll_old(st, &d, plan, &new_key, &sets);
        }
    }
    let new_key = new_key.unwrap_or_default();
    cleanup(st, &spec, &ns, &uid, &new_key);
    deployment_status(
        st,
        key,
        &uid,
        &ns,
        &new_key,
        plan.desired - plan.unavailable,
    );
}

/// Upstream's `scale`: one active (or the latest) ReplicaSet takes the whole count; a
/// saturated new one leaves the old ones nothing; otherwise the replicas to add or remove
/// are shared out in proportion to each ReplicaSet's size.
fn scale(st: &mut State, d: &Deployment, plan: Plan, new_key: Option<&str>, sets: &[ReplicaSet]) {
    let new = new_key.and_then(|k| sets.iter().find(|r| object_key(&r.metadata) == k));
    let mut old: Vec<&ReplicaSet> = sets
        .iter()
        .filter(|r| Some(object_key(&r.metadata).as_str()) != new_key)
        .collect();
    old.sort_by_key(|r| std::cmp::Reverse(created(r)));
    let mut active: Vec<&ReplicaSet> = old
        .iter()
        .copied()
        .chain(new)
        .filter(|r| size(r) > 0)
        .collect();
    let latest = match active.len() {
        0 => new.or(old.first().copied()),
        1 => Some(active[0]),
        _ => None,
    };
    if let Some(r) = latest {
        resize(st, d, plan, &object_key(&r.metadata), plan.desired, false);
        return;
    }
    if let Some(n) = new {
        let saturated = size(n) == plan.desired
            && annotation(n, DESIRED) == Some(plan.desired)
            && available(n) == plan.desired;
        if saturated {
            for r in old.iter().filter(|r| size(r) > 0) {
                resize(st, d, plan, &object_key(&r.metadata), 0, false);
            }
            return;
        }
    }
    if plan.recreate {
        return;
    }
    let total: i32 = active.iter().map(|r| size(r)).sum();
    let allowed = if plan.desired > 0 {
        plan.desired + plan.surge
    } else {
        0
    };
    let to_add = allowed - total;
    // Larger first; among equals the newer first when growing, the older when shrinking.
    active.sort_by(|a, b| {
        size(b).cmp(&size(a)).then_with(|| {
            if to_add > 0 {
                created(b).cmp(&created(a))
            } else {
                created(a).cmp(&created(b))
            }
        })
    });
    let before_total = d.status.as_ref().and_then(|s| s.replicas).unwrap_or(0);
    let mut added = 0;
    let mut sizes: Vec<i32> = Vec::new();
    for r in &active {
        let cur = size(r);
        if to_add == 0 || to_add == added || cur == 0 {
            sizes.push(cur);
            continue;
        }
        let fraction = if plan.desired == 0 {
            -cur
        } else {
            let before = annotation(r, MAX)
                .filter(|n| *n > 0)
                .unwrap_or(before_total);
            if before == 0 {
                0
            } else {
                let x = f64::from(cur) * f64::from(plan.desired + plan.surge) / f64::from(before);
                x.round() as i32 - cur
            }
        };
        let allowed = to_add - added;
        let p = if to_add > 0 {
            fraction.min(allowed)
        } else {
            fraction.max(allowed)
        };
        sizes.push(cur + p);
        added += p;
    }
    if let Some(first) = sizes.first_mut() {
        *first = (*first + to_add - added).max(0);
    }
    for (r, n) in active.iter().zip(sizes) {
        resize(st, d, plan, &object_key(&r.metadata), n, true);
    }
}

/// Upstream's `reconcileNewReplicaSet`: true if it scaled (the old ones wait a pass).
fn roll_new(
    st: &mut State,
    d: &Deployment,
    plan: Plan,
    new_key: &str,
    sets: &[ReplicaSet],
) -> bool {
    let Some(new) = sets.iter().find(|r| object_key(&r.metadata) == new_key) else {
        return false;
    };
    let cur = size(new);
    if cur == plan.desired {
        return false;
    }
    let to = if cur > plan.desired {
        plan.desired
    } else {
        let total: i32 = sets.iter().map(size).sum();
        let max_total = plan.desired + plan.surge;
        if total >= max_total {
            cur
        } else {
            cur + (max_total - total).min(plan.desired - cur)
        }
    };
    resize(st, d, plan, new_key, to, false)
}

/// Upstream's `reconcileOldReplicaSets`: unhealthy old pods go first, as far as the new
/// ReplicaSet's unavailable pods allow; then healthy ones while enough stay available.
fn roll_old(st: &mut State, d: &Deployment, plan: Plan, new_key: &str, sets: &[ReplicaSet]) {
    let Some(new) = sets.iter().find(|r| object_key(&r.metadata) == new_key) else {
        return;
    };
    let mut old: Vec<ReplicaSet> = sets
        .iter()
        .filter(|r| object_key(&r.metadata) != new_key)
        .cloned()
        .collect();
    if old.iter().map(size).sum::<i32>() == 0 {
        return;
    }
    old.sort_by_key(created);
    let all: i32 = sets.iter().map(size).sum();
    let min_available = plan.desired - plan.unavailable;
    let new_unavailable = size(new) - available(new);
    let max_down = all - min_available - new_unavailable;
    if max_down <= 0 {
        return;
    }
    let mut cleaned = 0;
    for r in &mut old {
        if cleaned >= max_down {
            break;
        }
        let (cur, avail) = (size(r), available(r));
        if cur == 0 || avail >= cur {
            continue;
        }
        let cut = (max_down - cleaned).min(cur - avail);
        resize(st, d, plan, &object_key(&r.metadata), cur - cut, false);
        r.spec.get_or_insert_default().replicas = Some(cur - cut);
        cleaned += cut;
    }
    let avail_all: i32 = available(new) + old.iter().map(available).sum::<i32>();
    if avail_all <= min_available {
        return;
    }
    let budget = avail_all - min_available;
    let mut done = 0;
    for r in &old {
        if done >= budget {
            break;
        }
        let cur = size(r);
        if cur == 0 {
            continue;
        }
        let cut = cur.min(budget - done);
        resize(st, d, plan, &object_key(&r.metadata), cur - cut, false);
        done += cut;
    }
}

/// Recreate: every old ReplicaSet to zero; the new one grows once their pods are gone.
fn recreate(st: &mut State, d: &Deployment, plan: Plan, new_key: &str, sets: &[ReplicaSet]) {
    let mut waiting = false;
    for r in sets.iter().filter(|r| object_key(&r.metadata) != new_key) {
        resize(st, d, plan, &object_key(&r.metadata), 0, false);
        waiting |= r.status.as_ref().map_or(0, |s| s.replicas) > 0;
    }
    if !waiting {
        resize(st, d, plan, new_key, plan.desired, false);
    }
}

/// Old ReplicaSets beyond the history limit go, the oldest revisions first.
fn cleanup(
    st: &mut State,
    spec: &k8s_openapi::api::apps::v1::DeploymentSpec,
    ns: &str,
    uid: &str,
    new_key: &str,
) {
    let limit = spec.revision_history_limit.unwrap_or(10) as usize;
    let mut empties: Vec<(i64, String)> = st
        .with_prefix::<ReplicaSet>(&format!("{ns}/"))
        .filter(|r| controlled_by(&r.metadata, uid) && object_key(&r.metadata) != new_key)
        .filter(|r| size(r) == 0 && r.status.as_ref().map_or(0, |s| s.replicas) == 0)
        .map(|r| (rs_revision(r), object_key(&r.metadata)))
        .collect();
    empties.sort();
    while empties.len() > limit {
        let (_, k) = empties.remove(0);
        st.remove::<ReplicaSet>(&k);
    }
}
/// The ReplicaSet of the Deployment's current template, its revision brought up to date (an
/// old template again becomes the newest revision); made if `create` and there is none.
fn sync_revision(st: &mut State, d: &Deployment, create: bool) -> Option<String> {
    let spec = d.spec.clone()?;
    let uid = d.metadata.uid.clone().unwrap_or_default();
    let ns = d.metadata.namespace.clone().unwrap_or_default();
    let name = d.metadata.name.clone().unwrap_or_default();
    let plan = Plan::of(&spec);
    let desired = spec.replicas.unwrap_or(1);
    let mut owned: Vec<ReplicaSet> = st
        .with_prefix::<ReplicaSet>(&format!("{ns}/"))
        .filter(|r| controlled_by(&r.metadata, &uid))
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
            let k = object_key(&r.metadata);
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
            if !create || plan.paused {
                return None;
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
            annotations.insert(DESIRED.into(), plan.desired.to_string());
            annotations.insert(MAX.into(), (plan.desired + plan.surge).to_string());
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
            let k = object_key(&rs.metadata);
            owned.push(rs.clone());
            st.insert(rs);
            if first && desired > 0 {
                scaling_event(st, d, &format!("{name}-{hash}"), 0, desired);
            }
            k
        }
    };
    Some(new_rs_key)
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
        .filter(|r| controlled_by(&r.metadata, uid))
        .collect();
    let sum = |f: fn(&ReplicaSetStatus) -> i32| -> i32 {
        owned.iter().filter_map(|r| r.status.as_ref()).map(f).sum()
    };
    let replicas = sum(|s| s.replicas);
    let ready = sum(|s| s.ready_replicas.unwrap_or(0));
    let available = sum(|s| s.available_replicas.unwrap_or(0));
    let new = owned.iter().find(|r| object_key(&r.metadata) == new_key);
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
