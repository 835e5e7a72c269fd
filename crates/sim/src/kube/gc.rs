//! The garbage collector: dependents whose owner is gone are deleted (background
//! propagation); an owner deleted in the foreground waits, with its `foregroundDeletion`
//! finalizer, until its dependents are gone; orphaning removes the owner's references from
//! its dependents before the owner goes.

use crate::model::kube::*;
use crate::state::{Object, State};

pub const FOREGROUND: &str = "foregroundDeletion";

/// The kinds that own others, and the kinds that have owners.
fn owner_live(st: &State, ns: &str, r: &OwnerReference) -> Option<ObjectMeta> {
    let key = if ns.is_empty() || r.kind == "Node" {
        r.name.clone()
    } else {
        format!("{ns}/{}", r.name)
    };
    let m = match r.kind.as_str() {
        "Deployment" => st.get::<Deployment>(&key).map(|o| &o.metadata),
        "ReplicaSet" => st.get::<ReplicaSet>(&key).map(|o| &o.metadata),
        "DaemonSet" => st.get::<DaemonSet>(&key).map(|o| &o.metadata),
        "Job" => st.get::<Job>(&key).map(|o| &o.metadata),
        "CronJob" => st.get::<CronJob>(&key).map(|o| &o.metadata),
        "Node" => st.get::<KubeNode>(&key).map(|o| &o.metadata),
        _ => return None,
    };
    m.filter(|m| m.uid.as_deref() == Some(r.uid.as_str()))
        .cloned()
}

fn known_kind(k: &str) -> bool {
    matches!(
        k,
        "Deployment" | "ReplicaSet" | "DaemonSet" | "Job" | "CronJob" | "Node"
    )
}

/// Whether an object should go: its controller is gone, or is being deleted in the
/// foreground.
fn doomed(st: &State, m: &ObjectMeta) -> bool {
    let ns = m.namespace.as_deref().unwrap_or_default();
    controller_of(m).is_some_and(|r| {
        known_kind(&r.kind)
            && match owner_live(st, ns, r) {
                None => true,
                Some(o) => {
                    o.deletion_timestamp.is_some()
                        && o.finalizers.iter().flatten().any(|f| f == FOREGROUND)
                }
            }
    })
}

fn owned_by(m: &ObjectMeta, uid: &str) -> bool {
    m.owner_references.iter().flatten().any(|r| r.uid == uid)
}

/// One pass over a kind: deletes its doomed objects with `delete`. Returns how many went.
fn collect<T: Object + k8s_openapi::Metadata<Ty = ObjectMeta>>(
    st: &mut State,
    delete: fn(&mut State, &str),
) -> usize {
    let keys: Vec<String> = st
        .all::<T>()
        .filter(|o| o.metadata().deletion_timestamp.is_none() && doomed(st, o.metadata()))
        .map(|o| object_key(o.metadata()))
        .collect();
    let n = keys.len();
    for k in keys {
        delete(st, &k);
    }
    n
}

fn remove<T: Object>(st: &mut State, key: &str) {
    st.remove::<T>(key);
}

/// Deletes a pod as the API server does: at once if it never ran on a node or the grace
/// period is 0, else by marking it (the kubelet stops its containers and removes it).
pub fn delete_pod(st: &mut State, key: &str, grace: Option<i64>) -> bool {
    let Some(p) = st.get::<Pod>(key).cloned() else {
        return false;
    };
    let bound = p.spec.as_ref().and_then(|s| s.node_name.as_ref()).is_some();
    let grace = grace
        .or_else(|| {
            p.spec
                .as_ref()
                .and_then(|s| s.termination_grace_period_seconds)
        })
        .unwrap_or(30)
        .max(0);
    if !bound || grace == 0 || crate::kube::kubelet::finished(&p) {
        st.remove::<Pod>(key);
        return true;
    }
    if p.metadata.deletion_timestamp.is_some() {
        return true;
    }
    let at = time(st.now() + crate::base::time::SimDuration::from_secs(grace));
    st.update::<Pod>(key, |p| {
        p.metadata.deletion_timestamp = Some(at);
        p.metadata.deletion_grace_period_seconds = Some(grace);
    });
    crate::kube::kubelet::killing(st, &p);
    true
}

/// Owners being deleted in the foreground whose dependents are all gone: removed now.
fn finish_foreground<T: Object + k8s_openapi::Metadata<Ty = ObjectMeta>>(st: &mut State) -> usize {
    let waiting: Vec<(String, String)> = st
        .all::<T>()
        .filter(|o| {
            o.metadata().deletion_timestamp.is_some()
                && o.metadata()
                    .finalizers
                    .iter()
                    .flatten()
                    .any(|f| f == FOREGROUND)
        })
        .map(|o| {
            (
                object_key(o.metadata()),
                o.metadata().uid.clone().unwrap_or_default(),
            )
        })
        .collect();
    let mut n = 0;
    for (key, uid) in waiting {
        if !has_dependents(st, &uid) {
            st.remove::<T>(&key);
            n += 1;
        }
    }
    n
}

/// Whether anything still names `uid` as an owner.
pub fn has_dependents(st: &State, uid: &str) -> bool {
    st.all::<ReplicaSet>().any(|o| owned_by(&o.metadata, uid))
        || st.all::<Pod>().any(|o| owned_by(&o.metadata, uid))
        || st.all::<Job>().any(|o| owned_by(&o.metadata, uid))
        || st
            .all::<ControllerRevision>()
            .any(|o| owned_by(&o.metadata, uid))
}

fn unown<T: Object + k8s_openapi::Metadata<Ty = ObjectMeta>>(st: &mut State, uid: &str) {
    let keys: Vec<String> = st
        .all::<T>()
        .filter(|o| owned_by(o.metadata(), uid))
        .map(|o| object_key(o.metadata()))
        .collect();
    for k in keys {
        st.update::<T>(&k, |o| {
            let m = o.metadata_mut();
            if let Some(refs) = m.owner_references.as_mut() {
                refs.retain(|r| r.uid != uid);
                if refs.is_empty() {
                    m.owner_references = None;
                }
            }
        });
    }
}

/// Orphan propagation: the dependents of `uid` forget it.
pub fn orphan(st: &mut State, uid: &str) {
    unown::<ReplicaSet>(st, uid);
    unown::<Pod>(st, uid);
    unown::<Job>(st, uid);
    unown::<ControllerRevision>(st, uid);
}

/// One pass of the collector; returns how many objects went.
pub fn run(st: &mut State) -> usize {
    // Owners first, so a Deployment's pods go in the same pass as its ReplicaSets.
    let mut n = collect::<Job>(st, remove::<Job>);
    n += collect::<ReplicaSet>(st, remove::<ReplicaSet>);
    n += collect::<ControllerRevision>(st, remove::<ControllerRevision>);
    // Pods are stopped gracefully, as a deletion through the API stops them.
    n += collect::<Pod>(st, |st, k| {
        delete_pod(st, k, None);
    });
    n += finish_foreground::<Deployment>(st);
    n += finish_foreground::<ReplicaSet>(st);
    n += finish_foreground::<DaemonSet>(st);
    n += finish_foreground::<Job>(st);
    n += finish_foreground::<CronJob>(st);
    n
}

/// The controller reference a controller puts on what it creates.
pub fn owner_ref(api_version: &str, kind: &str, m: &ObjectMeta) -> OwnerReference {
    OwnerReference {
        api_version: api_version.into(),
        kind: kind.into(),
        name: m.name.clone().unwrap_or_default(),
        uid: m.uid.clone().unwrap_or_default(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}
