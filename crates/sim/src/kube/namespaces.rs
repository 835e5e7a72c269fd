//! The namespace lifecycle, as kube-controller-manager's namespace and service-account
//! controllers keep it: every active namespace has its `default` ServiceAccount; a deleted
//! namespace is `Terminating` (the API server refuses new content in it) while everything in
//! it is deleted, pods gracefully, and goes once nothing is left and its `kubernetes`
//! finalizer is removed.

use crate::kube::{gc, names};
use crate::model::kube::*;
use crate::state::{EachKind, Kind, Object, State, each_kind};

/// The finalizer the namespace controller owns (`spec.finalizers`).
pub const FINALIZER: &str = "kubernetes";

/// One pass of both controllers.
pub fn run(st: &mut State) {
    let namespaces: Vec<(String, bool)> = st
        .all::<Namespace>()
        .map(|n| {
            (
                n.metadata.name.clone().unwrap_or_default(),
                n.metadata.deletion_timestamp.is_some(),
            )
        })
        .collect();
    for (ns, terminating) in namespaces {
        if terminating {
            finalize(st, &ns);
        } else {
            default_service_account(st, &ns);
        }
    }
}

/// Marks a namespace for deletion (the API server's part of deleting one).
pub fn delete(st: &mut State, name: &str) {
    let now = time(st.now());
    st.update::<Namespace>(name, |n| {
        n.metadata.deletion_timestamp.get_or_insert(now);
        n.status.get_or_insert_default().phase = Some("Terminating".into());
    });
}

/// The service-account controller: a namespace's `default` ServiceAccount.
fn default_service_account(st: &mut State, ns: &str) {
    let key = format!("{ns}/default");
    if st.get::<ServiceAccount>(&key).is_some() {
        return;
    }
    let sa = ServiceAccount {
        metadata: ObjectMeta {
            name: Some("default".into()),
            namespace: Some(ns.into()),
            uid: Some(names::uid(&mut st.meta.kube.rng)),
            creation_timestamp: Some(time(st.now())),
            ..Default::default()
        },
        ..Default::default()
    };
    st.insert(sa);
}

/// Deletes what is left in a terminating namespace; removes the namespace once it is empty.
fn finalize(st: &mut State, ns: &str) {
    let mut purge = Purge {
        st,
        prefix: format!("{ns}/"),
        left: 0,
    };
    each_kind(&mut purge);
    if purge.left > 0 {
        return;
    }
    st.update::<Namespace>(ns, |n| {
        if let Some(spec) = n.spec.as_mut() {
            spec.finalizers
                .get_or_insert_default()
                .retain(|f| f != FINALIZER);
        }
    });
    let done = st.get::<Namespace>(ns).is_some_and(|n| {
        n.spec
            .as_ref()
            .and_then(|s| s.finalizers.as_ref())
            .is_none_or(|f| f.is_empty())
            && n.metadata.finalizers.as_ref().is_none_or(|f| f.is_empty())
    });
    if done {
        st.remove::<Namespace>(ns);
    }
}

/// Deletes every object of a namespace, kind by kind; counts what is still there (pods
/// stopping, events their stopping records).
struct Purge<'a> {
    st: &'a mut State,
    prefix: String,
    left: usize,
}

impl EachKind for Purge<'_> {
    fn visit<T: Object>(&mut self) {
        if !T::KUBE || matches!(T::KIND, Kind::KubeNamespace | Kind::KubeNode) {
            return;
        }
        let keys: Vec<String> = self
            .st
            .with_prefix::<T>(&self.prefix)
            .map(|o| o.key())
            .collect();
        for k in &keys {
            if T::KIND == Kind::KubePod {
                gc::delete_pod(self.st, k, None);
            } else {
                self.st.remove::<T>(k);
            }
        }
        self.left += self.st.with_prefix::<T>(&self.prefix).count();
    }
}
