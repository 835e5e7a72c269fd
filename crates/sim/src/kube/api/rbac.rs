//! What the API server does to Roles, ClusterRoles and their bindings: the RBAC
//! validation (`pkg/apis/rbac/validation`), with its field paths and messages. Who may do
//! what under them is the authorizer's business, not storage's.

use super::registry::{NameRule, Served};
use crate::model::kube::*;
use k8s_openapi::api::rbac::v1::{PolicyRule, RoleRef, Subject};

const GROUP: &str = "rbac.authorization.k8s.io";

/// `ValidatePolicyRule` for each rule.
fn rules(rules: Option<&Vec<PolicyRule>>, namespaced: bool) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, r) in rules.into_iter().flatten().enumerate() {
        let at = |f: &str| format!("rules[{i}].{f}");
        if r.verbs.is_empty() {
            out.push((
                at("verbs"),
                "Required value: verbs must contain at least one value".into(),
            ));
        }
        let urls = r.non_resource_urls.as_deref().unwrap_or_default();
        let groups = r.api_groups.as_deref().unwrap_or_default();
        let resources = r.resources.as_deref().unwrap_or_default();
        if !urls.is_empty() {
            if namespaced {
                out.push((
                    at("nonResourceURLs"),
                    format!(
                        "Invalid value: {}: namespaced rules cannot apply to non-resource URLs",
                        go_strings(urls)
                    ),
                ));
            }
            if !groups.is_empty() || !resources.is_empty() {
                out.push((
                    at("nonResourceURLs"),
                    format!(
                        "Invalid value: {}: rules cannot apply to both regular resources and non-resource URLs",
                        go_strings(urls)
                    ),
                ));
            }
            continue;
        }
        if groups.is_empty() {
            out.push((
                at("apiGroups"),
                "Required value: resource rules must supply at least one api group".into(),
            ));
        }
        if resources.is_empty() {
            out.push((
                at("resources"),
                "Required value: resource rules must supply at least one resource".into(),
            ));
        }
    }
    out
}

/// Go's `%v` of a string slice.
fn go_strings(v: &[String]) -> String {
    format!(
        "[]string{{{}}}",
        v.iter()
            .map(|s| format!("{s:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// Go's `%#v` of a RoleRef (the immutability message shows it).
fn go_role_ref(r: &RoleRef) -> String {
    format!(
        "rbac.RoleRef{{APIGroup:{:?}, Kind:{:?}, Name:{:?}}}",
        r.api_group, r.kind, r.name
    )
}

/// `ValidateRoleBindingSubject` and the roleRef checks; `cluster`: a ClusterRoleBinding.
fn binding(
    role: &RoleRef,
    subjects: Option<&Vec<Subject>>,
    cluster: bool,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if role.api_group != GROUP {
        out.push((
            "roleRef.apiGroup".into(),
            format!(
                "Unsupported value: {:?}: supported values: {GROUP:?}",
                role.api_group
            ),
        ));
    }
    let kinds: &[&str] = if cluster {
        &["ClusterRole"]
    } else {
        &["Role", "ClusterRole"]
    };
    if !kinds.contains(&role.kind.as_str()) {
        let supported: Vec<String> = kinds.iter().map(|k| format!("{k:?}")).collect();
        out.push((
            "roleRef.kind".into(),
            format!(
                "Unsupported value: {:?}: supported values: {}",
                role.kind,
                supported.join(", ")
            ),
        ));
    }
    if role.name.is_empty() {
        out.push(("roleRef.name".into(), "Required value".into()));
    } else if let Some(why) = NameRule::PathSegment.check(&role.name) {
        out.push(("roleRef.name".into(), why));
    }
    for (i, s) in subjects.into_iter().flatten().enumerate() {
        let at = |f: &str| format!("subjects[{i}].{f}");
        if s.name.is_empty() {
            out.push((at("name"), "Required value".into()));
        }
        match s.kind.as_str() {
            "ServiceAccount" => {
                if s.api_group.as_deref().is_some_and(|g| !g.is_empty()) {
                    out.push((
                        at("apiGroup"),
                        format!("Unsupported value: {:?}: supported values: \"\"", s.api_group.as_deref().unwrap_or_default()),
                    ));
                }
                if cluster && s.namespace.as_deref().is_none_or(str::is_empty) {
                    out.push((at("namespace"), "Required value".into()));
                }
            }
            "User" | "Group" => {
                if s.api_group.as_deref() != Some(GROUP) {
                    out.push((
                        at("apiGroup"),
                        format!(
                            "Unsupported value: {:?}: supported values: {GROUP:?}",
                            s.api_group.as_deref().unwrap_or_default()
                        ),
                    ));
                }
            }
            k => out.push((
                at("kind"),
                format!("Unsupported value: {k:?}: supported values: \"ServiceAccount\", \"User\", \"Group\""),
            )),
        }
    }
    out
}

fn role_ref_kept(new: &RoleRef, old: &RoleRef) -> Vec<(String, String)> {
    if new == old {
        return Vec::new();
    }
    vec![(
        "roleRef".into(),
        format!("Invalid value: {}: cannot change roleRef", go_role_ref(new)),
    )]
}

impl Served for Role {
    const NAME: NameRule = NameRule::PathSegment;
    fn validate(&self) -> Vec<(String, String)> {
        rules(self.rules.as_ref(), true)
    }
}

impl Served for ClusterRole {
    const NAME: NameRule = NameRule::PathSegment;
    fn validate(&self) -> Vec<(String, String)> {
        rules(self.rules.as_ref(), false)
    }
}

/// Bindings: subjects defaulted, checked (a ClusterRoleBinding's more strictly), and
/// the role they grant fixed once made.
macro_rules! served_binding {
    ($($ty:ty => $cluster:expr),*) => {$(
        impl Served for $ty {
            const NAME: NameRule = NameRule::PathSegment;
            fn defaults(&mut self) {
                default_subjects(self.subjects.as_mut());
            }
            fn validate(&self) -> Vec<(String, String)> {
                binding(&self.role_ref, self.subjects.as_ref(), $cluster)
            }
            fn validate_update(&self, old: &Self) -> Vec<(String, String)> {
                role_ref_kept(&self.role_ref, &old.role_ref)
            }
        }
    )*};
}

served_binding!(RoleBinding => false, ClusterRoleBinding => true);

/// The v1 defaults: a User's or Group's apiGroup is RBAC's.
fn default_subjects(subjects: Option<&mut Vec<Subject>>) {
    for s in subjects.into_iter().flatten() {
        if matches!(s.kind.as_str(), "User" | "Group") && s.api_group.is_none() {
            s.api_group = Some(GROUP.into());
        }
    }
}
