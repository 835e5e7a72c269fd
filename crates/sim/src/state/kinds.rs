//! The kinds registry: one row per kind of object the state keeps. From it come the [`Kind`]
//! enum, the [`Tables`] the objects live in, the [`AnyObj`] the journal keeps old values in,
//! each type's [`Object`] impl, and dispatch from a `Kind` to its type ([`Kind::with`],
//! [`each_kind`]), which the state's rollback, timers and rebuild and the store's tables are
//! written against. Adding a kind is a row here and its model file (a type implementing
//! [`Record`]); the store's table is named by the row.

use super::index::{self, Index};
use super::key::Key;
use crate::model::kube::*;
use crate::model::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A table of objects by key. Each object has a box of its own: Kubernetes objects are
/// kilobytes (a Pod is over 2 KB), and a B-tree that kept them in its nodes would move
/// whole objects on every insert and split, and leave its nodes' free slots that large.
pub type Table<T> = BTreeMap<Key, Box<T>>;

/// A kind of object stored in a table.
pub trait Object:
    Record + Clone + Sized + serde::Serialize + serde::de::DeserializeOwned + 'static
{
    const KIND: Kind;
    /// The store's table: `<plane>.<kinds>`.
    const TABLE: &'static str;
    fn wrap(self) -> AnyObj;
    fn unwrap(o: AnyObj) -> Option<Self>;
    fn peek(o: &AnyObj) -> Option<&Self>;
    fn table(t: &Tables) -> &Table<Self>;
    fn table_mut(t: &mut Tables) -> &mut Table<Self>;
    /// Keeps the derived indexes in step with a change of the object at `key`.
    fn reindex(ix: &mut Index, key: &str, old: Option<&Self>, new: Option<&Self>);
    /// Whether [`Object::reindex`] does anything (an update then needs the old value).
    const INDEXED: bool;
}

/// `a == b`, in a constant.
const fn same_str(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Something to do with one kind's type (see [`Kind::with`]).
pub trait KindFn {
    type Out;
    fn call<T: Object>(self) -> Self::Out;
}

/// Something to do with every kind's type in turn (see [`each_kind`]).
pub trait EachKind {
    fn visit<T: Object>(&mut self);
}

macro_rules! kinds {
    ($($kind:ident: $ty:ty, $field:ident, $table:literal, $name:literal, $reindex:path;)*) => {
        /// Which kind of object an ID refers to (`Cluster`: the swarm itself and its
        /// scheduler, which are not objects of a table).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "lowercase")]
        pub enum Kind {
            Cluster,
            $($kind,)*
        }

        impl Kind {
            /// The kinds kept in tables, in registry order.
            pub const STORED: &'static [Kind] = &[$(Kind::$kind,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    Kind::Cluster => "cluster",
                    $(Kind::$kind => $name,)*
                }
            }

            /// Whether objects of this kind belong to the Kubernetes control plane.
            pub fn is_kube(self) -> bool {
                match self {
                    Kind::Cluster => false,
                    $(Kind::$kind => <$ty as Record>::KUBE,)*
                }
            }

            /// Runs `f` with this kind's type (`None` for `Cluster`).
            pub fn with<F: KindFn>(self, f: F) -> Option<F::Out> {
                match self {
                    Kind::Cluster => None,
                    $(Kind::$kind => Some(f.call::<$ty>()),)*
                }
            }
        }

        /// Every object, one table per kind, keyed by [`Record::key`].
        #[derive(Clone, Debug, Default)]
        pub struct Tables {
            $(pub $field: Table<$ty>,)*
        }

        /// An object of any kind (boxed: objects are large, journals can be long).
        #[derive(Clone, Debug)]
        pub enum AnyObj {
            $($kind(Box<$ty>),)*
        }

        $(
            impl Object for $ty {
                const KIND: Kind = Kind::$kind;
                const TABLE: &'static str = $table;
                fn wrap(self) -> AnyObj {
                    AnyObj::$kind(Box::new(self))
                }
                #[allow(unreachable_patterns)]
                fn unwrap(o: AnyObj) -> Option<Self> {
                    match o {
                        AnyObj::$kind(x) => Some(*x),
                        _ => None,
                    }
                }
                #[allow(unreachable_patterns)]
                fn peek(o: &AnyObj) -> Option<&Self> {
                    match o {
                        AnyObj::$kind(x) => Some(x),
                        _ => None,
                    }
                }
                fn table(t: &Tables) -> &Table<Self> {
                    &t.$field
                }
                fn table_mut(t: &mut Tables) -> &mut Table<Self> {
                    &mut t.$field
                }
                fn reindex(ix: &mut Index, key: &str, old: Option<&Self>, new: Option<&Self>) {
                    $reindex(ix, key, old, new)
                }
                const INDEXED: bool = !same_str(stringify!($reindex), "index::none");
            }
        )*

        /// Visits every stored kind's type, in registry order.
        pub fn each_kind(v: &mut impl EachKind) {
            $(v.visit::<$ty>();)*
        }
    };
}

// kind:     type       table field   store table          name         index hook
kinds! {
    Node: Node, nodes, "swarm.nodes", "node", index::node;
    Service: Service, services, "swarm.services", "service", index::service;
    Task: Task, tasks, "swarm.tasks", "task", index::task;
    Container: Container, containers, "infra.containers", "container", index::container;
    Volume: Volume, volumes, "infra.volumes", "volume", index::none;
    Network: Network, networks, "swarm.networks", "network", index::network;
    KubeNamespace: Namespace, kube_namespaces, "kube.namespaces", "namespace", index::none;
    KubeNode: KubeNode, kube_nodes, "kube.nodes", "kube-node", index::none;
    KubeService: KubeService, kube_services, "kube.services", "kube-service", index::none;
    KubePod: Pod, kube_pods, "kube.pods", "pod", index::none;
    KubeDeployment: Deployment, kube_deployments, "kube.deployments", "deployment", index::none;
    KubeReplicaSet: ReplicaSet, kube_replicasets, "kube.replicasets", "replicaset", index::none;
    KubeDaemonSet: DaemonSet, kube_daemonsets, "kube.daemonsets", "daemonset", index::none;
    KubeControllerRevision: ControllerRevision, kube_controllerrevisions, "kube.controllerrevisions", "controllerrevision", index::none;
    KubeJob: Job, kube_jobs, "kube.jobs", "job", index::none;
    KubeCronJob: CronJob, kube_cronjobs, "kube.cronjobs", "cronjob", index::none;
    KubeEvent: KubeEvent, kube_events, "kube.events", "event", index::kube_event;
    KubeConfigMap: ConfigMap, kube_configmaps, "kube.configmaps", "configmap", index::none;
    KubeSecret: Secret, kube_secrets, "kube.secrets", "secret", index::none;
    KubeServiceAccount: ServiceAccount, kube_serviceaccounts, "kube.serviceaccounts", "serviceaccount", index::none;
    KubeRole: Role, kube_roles, "kube.roles", "role", index::none;
    KubeRoleBinding: RoleBinding, kube_rolebindings, "kube.rolebindings", "rolebinding", index::none;
    KubeClusterRole: ClusterRole, kube_clusterroles, "kube.clusterroles", "clusterrole", index::none;
    KubeClusterRoleBinding: ClusterRoleBinding, kube_clusterrolebindings, "kube.clusterrolebindings", "clusterrolebinding", index::none;
}
