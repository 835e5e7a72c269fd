//! The served resources: one row per resource (group, version, names, scope, verbs,
//! subresources), the table discovery, OpenAPI, URL routing and kubectl's `TYPE/NAME`
//! resolution are all read from; each row points at the typed operations of its kind.

use super::registry::{Ops, Typed};
use crate::model::kube::*;

/// A subresource as discovery lists it.
pub struct Subresource {
    pub name: &'static str,
    pub group: &'static str,
    pub version: &'static str,
    pub kind: &'static str,
    pub verbs: &'static [&'static str],
}

/// A served resource.
pub struct Resource {
    pub group: &'static str,
    pub version: &'static str,
    pub kind: &'static str,
    pub plural: &'static str,
    pub singular: &'static str,
    pub namespaced: bool,
    pub short_names: &'static [&'static str],
    pub categories: &'static [&'static str],
    pub verbs: &'static [&'static str],
    pub subresources: &'static [Subresource],
    pub ops: &'static dyn Ops,
    /// A deprecated version: the warning each answer carries.
    pub warning: Option<&'static str>,
}

impl Resource {
    /// `group/version`, or `version` for the core group.
    pub fn group_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
    /// The URL prefix of its group version: `/api/v1` or `/apis/apps/v1`.
    pub fn prefix(&self) -> String {
        if self.group.is_empty() {
            format!("/api/{}", self.version)
        } else {
            format!("/apis/{}/{}", self.group, self.version)
        }
    }
}

/// Every verb of a read-write resource.
pub const RW: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];
const SUB_RW: &[&str] = &["get", "patch", "update"];

const fn status(group: &'static str, version: &'static str, kind: &'static str) -> Subresource {
    Subresource {
        name: "status",
        group,
        version,
        kind,
        verbs: SUB_RW,
    }
}
const fn scale() -> Subresource {
    Subresource {
        name: "scale",
        group: "autoscaling",
        version: "v1",
        kind: "Scale",
        verbs: SUB_RW,
    }
}

/// A namespaced resource with every verb, in the `all` category.
#[allow(clippy::too_many_arguments)]
const fn workload(
    group: &'static str,
    kind: &'static str,
    plural: &'static str,
    singular: &'static str,
    short: &'static [&'static str],
    subresources: &'static [Subresource],
    ops: &'static dyn Ops,
) -> Resource {
    Resource {
        group,
        version: "v1",
        kind,
        plural,
        singular,
        namespaced: true,
        short_names: short,
        categories: &["all"],
        verbs: RW,
        subresources,
        ops,
        warning: None,
    }
}

/// A namespaced core resource outside the `all` category, with every verb.
const fn config(
    kind: &'static str,
    plural: &'static str,
    singular: &'static str,
    short: &'static [&'static str],
    ops: &'static dyn Ops,
) -> Resource {
    Resource {
        categories: &[],
        ..workload("", kind, plural, singular, short, &[], ops)
    }
}

pub static RESOURCES: &[Resource] = &[
    Resource {
        group: "",
        version: "v1",
        kind: "Namespace",
        plural: "namespaces",
        singular: "namespace",
        namespaced: false,
        short_names: &["ns"],
        categories: &[],
        verbs: &[
            "create", "delete", "get", "list", "patch", "update", "watch",
        ],
        subresources: &[status("", "v1", "Namespace")],
        ops: &Typed::<Namespace>::OPS,
        warning: None,
    },
    Resource {
        group: "",
        version: "v1",
        kind: "Node",
        plural: "nodes",
        singular: "node",
        namespaced: false,
        short_names: &["no"],
        categories: &[],
        verbs: RW,
        subresources: &[status("", "v1", "Node")],
        ops: &Typed::<KubeNode>::OPS,
        warning: None,
    },
    workload(
        "",
        "Pod",
        "pods",
        "pod",
        &["po"],
        &[
            Subresource {
                name: "exec",
                group: "",
                version: "v1",
                kind: "PodExecOptions",
                verbs: &["create", "get"],
            },
            Subresource {
                name: "log",
                group: "",
                version: "v1",
                kind: "Pod",
                verbs: &["get"],
            },
            status("", "v1", "Pod"),
        ],
        &Typed::<Pod>::OPS,
    ),
    workload(
        "",
        "Service",
        "services",
        "service",
        &["svc"],
        &[status("", "v1", "Service")],
        &Typed::<KubeService>::OPS,
    ),
    workload(
        "apps",
        "Deployment",
        "deployments",
        "deployment",
        &["deploy"],
        &[scale(), status("apps", "v1", "Deployment")],
        &Typed::<Deployment>::OPS,
    ),
    workload(
        "apps",
        "ReplicaSet",
        "replicasets",
        "replicaset",
        &["rs"],
        &[scale(), status("apps", "v1", "ReplicaSet")],
        &Typed::<ReplicaSet>::OPS,
    ),
    workload(
        "apps",
        "DaemonSet",
        "daemonsets",
        "daemonset",
        &["ds"],
        &[status("apps", "v1", "DaemonSet")],
        &Typed::<DaemonSet>::OPS,
    ),
    Resource {
        categories: &[],
        ..workload(
            "apps",
            "ControllerRevision",
            "controllerrevisions",
            "controllerrevision",
            &[],
            &[],
            &Typed::<ControllerRevision>::OPS,
        )
    },
    workload(
        "batch",
        "Job",
        "jobs",
        "job",
        &[],
        &[status("batch", "v1", "Job")],
        &Typed::<Job>::OPS,
    ),
    workload(
        "batch",
        "CronJob",
        "cronjobs",
        "cronjob",
        &["cj"],
        &[status("batch", "v1", "CronJob")],
        &Typed::<CronJob>::OPS,
    ),
    // Seed 002's CronJob file is batch/v1beta1, as a 1.24 server still served it.
    Resource {
        version: "v1beta1",
        warning: Some(
            "batch/v1beta1 CronJob is deprecated in v1.21+, unavailable in v1.25+; use batch/v1 CronJob",
        ),
        ..workload(
            "batch",
            "CronJob",
            "cronjobs",
            "cronjob",
            &["cj"],
            &[status("batch", "v1beta1", "CronJob")],
            &super::registry::Versioned::<CronJob>::V1BETA1,
        )
    },
    config(
        "ConfigMap",
        "configmaps",
        "configmap",
        &["cm"],
        &Typed::<ConfigMap>::OPS,
    ),
    config("Secret", "secrets", "secret", &[], &Typed::<Secret>::OPS),
    config(
        "ServiceAccount",
        "serviceaccounts",
        "serviceaccount",
        &["sa"],
        &Typed::<ServiceAccount>::OPS,
    ),
    config(
        "Event",
        "events",
        "event",
        &["ev"],
        &Typed::<KubeEvent>::OPS,
    ),
    rbac("Role", "roles", "role", true, &Typed::<Role>::OPS),
    rbac(
        "RoleBinding",
        "rolebindings",
        "rolebinding",
        true,
        &Typed::<RoleBinding>::OPS,
    ),
    rbac(
        "ClusterRole",
        "clusterroles",
        "clusterrole",
        false,
        &Typed::<ClusterRole>::OPS,
    ),
    rbac(
        "ClusterRoleBinding",
        "clusterrolebindings",
        "clusterrolebinding",
        false,
        &Typed::<ClusterRoleBinding>::OPS,
    ),
];

/// An `rbac.authorization.k8s.io/v1` resource.
const fn rbac(
    kind: &'static str,
    plural: &'static str,
    singular: &'static str,
    namespaced: bool,
    ops: &'static dyn Ops,
) -> Resource {
    Resource {
        group: "rbac.authorization.k8s.io",
        namespaced,
        categories: &[],
        ..workload("", kind, plural, singular, &[], &[], ops)
    }
}

/// The resource `plural` of a group version.
pub fn find(group: &str, version: &str, plural: &str) -> Option<&'static Resource> {
    RESOURCES
        .iter()
        .find(|r| r.group == group && r.version == version && r.plural == plural)
}

/// The group versions served, in discovery order (core first).
pub fn group_versions() -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&str, &str)> = Vec::new();
    for r in RESOURCES {
        if !out.contains(&(r.group, r.version)) {
            out.push((r.group, r.version));
        }
    }
    out
}
