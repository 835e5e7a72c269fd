//! The printers of Roles, ClusterRoles and their bindings.

use super::*;
use k8s_openapi::api::rbac::v1::{RoleRef, Subject};

const CREATED_AT: Column = Column {
    name: "Created At",
    ty: "date",
    wide: false,
    description: "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
};

const BINDING_COLUMNS: &[Column] = &[
    NAME,
    col(
        "Role",
        "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.",
    ),
    AGE,
    wide("Users", "Users in the roleBinding"),
    wide("Groups", "Groups in the roleBinding"),
    wide("ServiceAccounts", "ServiceAccounts in the roleBinding"),
];

fn created_at(m: &ObjectMeta) -> Value {
    json!(
        m.creation_timestamp
            .as_ref()
            .map(|t| t.0.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
            .unwrap_or_default()
    )
}

/// A binding's cells: `Kind/name` of its role, and its subjects by kind.
fn binding_cells(m: &ObjectMeta, role: &RoleRef, subjects: &[Subject], cx: &PrintCx) -> Vec<Value> {
    let of = |kind: &str| {
        let names: Vec<String> = subjects
            .iter()
            .filter(|s| s.kind == kind)
            .map(|s| match (kind, s.namespace.as_deref()) {
                ("ServiceAccount", Some(ns)) => format!("{ns}/{}", s.name),
                _ => s.name.clone(),
            })
            .collect();
        json!(names.join(", "))
    };
    vec![
        name(m),
        json!(format!("{}/{}", role.kind, role.name)),
        age(m, cx),
        of("User"),
        of("Group"),
        of("ServiceAccount"),
    ]
}

impl Printer for Role {
    const COLUMNS: &'static [Column] = &[NAME, CREATED_AT];
    fn cells(&self, _: &PrintCx) -> Vec<Value> {
        vec![name(&self.metadata), created_at(&self.metadata)]
    }
}

impl Printer for ClusterRole {
    const COLUMNS: &'static [Column] = &[NAME, CREATED_AT];
    fn cells(&self, _: &PrintCx) -> Vec<Value> {
        vec![name(&self.metadata), created_at(&self.metadata)]
    }
}

/// Both kinds of binding print alike.
macro_rules! binding_printer {
    ($($ty:ty),*) => {$(
        impl Printer for $ty {
            const COLUMNS: &'static [Column] = BINDING_COLUMNS;
            fn cells(&self, cx: &PrintCx) -> Vec<Value> {
                binding_cells(
                    &self.metadata,
                    &self.role_ref,
                    self.subjects.as_deref().unwrap_or_default(),
                    cx,
                )
            }
        }
    )*};
}

binding_printer!(RoleBinding, ClusterRoleBinding);
