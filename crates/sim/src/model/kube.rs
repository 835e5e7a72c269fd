//! The Kubernetes control plane's objects: the k8s-openapi types themselves (Kubernetes
//! 1.32), so what kubectl and kube-rs read is what the simulator keeps. What only the
//! simulator needs never goes inside them (kubectl would print it).

use super::Record;
use crate::base::time::{NANOS_PER_SEC, SimTime};
pub use k8s_openapi::api::apps::v1::{ControllerRevision, DaemonSet, Deployment, ReplicaSet};
pub use k8s_openapi::api::batch::v1::{CronJob, Job};
pub use k8s_openapi::api::core::v1::{
    ConfigMap, Event as KubeEvent, Namespace, Node as KubeNode, Pod, Secret,
    Service as KubeService, ServiceAccount,
};
pub use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
pub use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference, Time};

/// The key of an object in its table: `namespace/name`, or `name` at cluster scope.
pub fn object_key(m: &ObjectMeta) -> String {
    let name = m.name.as_deref().unwrap_or_default();
    match m.namespace.as_deref() {
        Some(ns) if !ns.is_empty() => format!("{ns}/{name}"),
        _ => name.to_string(),
    }
}

/// Whether the object's controller is the object with this uid.
pub fn controlled_by(m: &ObjectMeta, uid: &str) -> bool {
    controller_of(m).is_some_and(|r| r.uid == uid)
}

/// The controller owner reference of an object.
pub fn controller_of(m: &ObjectMeta) -> Option<&OwnerReference> {
    m.owner_references
        .iter()
        .flatten()
        .find(|r| r.controller == Some(true))
}

/// A simulated instant as a Kubernetes timestamp (whole seconds, as the API server keeps
/// them).
pub fn time(t: SimTime) -> Time {
    let secs = t.0.div_euclid(NANOS_PER_SEC);
    Time(jiff::Timestamp::from_second(secs).unwrap_or(jiff::Timestamp::UNIX_EPOCH))
}

/// A Kubernetes timestamp as a simulated instant.
pub fn sim_time(t: &Time) -> SimTime {
    SimTime(t.0.as_nanosecond() as i64)
}

macro_rules! kube_records {
    ($($ty:ty),* $(,)?) => {
        $(
            impl Record for $ty {
                const KUBE: bool = true;
                fn key(&self) -> String {
                    object_key(&self.metadata)
                }
                fn stamp(&mut self, version: u64, _now: SimTime) {
                    // In place, without the formatting machinery: every write stamps one.
                    let rv = self.metadata.resource_version.get_or_insert_default();
                    rv.clear();
                    rv.push_str(itoa::Buffer::new().format(version));
                }
            }
        )*
    };
}

kube_records!(
    Namespace,
    KubeNode,
    KubeService,
    Pod,
    Deployment,
    ReplicaSet,
    DaemonSet,
    ControllerRevision,
    Job,
    CronJob,
    KubeEvent,
    ConfigMap,
    Secret,
    ServiceAccount,
    Role,
    RoleBinding,
    ClusterRole,
    ClusterRoleBinding
);
