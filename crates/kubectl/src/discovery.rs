//! Which resources the server has (legacy discovery, as kubectl's RESTMapper reads it), and
//! what a name typed on the command line means: a plural, singular, short name or kind, with
//! or without its group (`deployments.apps`), or a category (`all`).

use crate::api::{Api, Failure};
use serde_json::Value;

/// A resource the server serves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resource {
    pub group: String,
    pub version: String,
    pub plural: String,
    pub singular: String,
    pub kind: String,
    pub namespaced: bool,
    pub short_names: Vec<String>,
    pub categories: Vec<String>,
    pub verbs: Vec<String>,
    /// Served at its group's preferred version (names typed on the command line resolve to
    /// these; manifests may name any version served).
    pub preferred: bool,
}

impl Resource {
    /// The URL of its objects: in a namespace (`None`: every namespace, or cluster-scoped).
    pub fn path(&self, namespace: Option<&str>) -> String {
        let base = if self.group.is_empty() {
            format!("/api/{}", self.version)
        } else {
            format!("/apis/{}/{}", self.group, self.version)
        };
        match namespace {
            Some(ns) if self.namespaced => format!("{base}/namespaces/{ns}/{}", self.plural),
            _ => format!("{base}/{}", self.plural),
        }
    }
    /// `deployment.apps`, `pod`: how kubectl names one of its objects (`-o name`, kinds).
    pub fn kind_name(&self) -> String {
        let kind = self.kind.to_lowercase();
        if self.group.is_empty() {
            kind
        } else {
            format!("{kind}.{}", self.group)
        }
    }
    /// `deployments.apps`, `pods`: how the server's messages name the resource.
    pub fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }
    /// `apps/v1`, `v1`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
    fn answers_to(&self, name: &str) -> bool {
        let (name, group) = match name.split_once('.') {
            Some((n, g)) => (n, Some(g)),
            None => (name, None),
        };
        if group.is_some_and(|g| g != self.group) {
            return false;
        }
        self.plural == name
            || self.singular == name
            || self.kind.to_lowercase() == name
            || self.short_names.iter().any(|s| s == name)
    }
}

/// Everything the server serves, in discovery order (core first, then each group's
/// preferred version).
pub struct Discovery {
    pub resources: Vec<Resource>,
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect()
}

fn resources_of(
    list: &Value,
    group: &str,
    version: &str,
    preferred: bool,
    out: &mut Vec<Resource>,
) {
    for r in list["resources"].as_array().into_iter().flatten() {
        let plural = r["name"].as_str().unwrap_or_default();
        if plural.contains('/') || !strings(&r["verbs"]).iter().any(|v| v == "list") {
            continue;
        }
        let kind = r["kind"].as_str().unwrap_or_default().to_string();
        let singular = match r["singularName"].as_str() {
            Some(s) if !s.is_empty() => s.to_string(),
            _ => kind.to_lowercase(),
        };
        out.push(Resource {
            group: group.into(),
            version: version.into(),
            plural: plural.into(),
            singular,
            kind,
            namespaced: r["namespaced"].as_bool().unwrap_or(false),
            short_names: strings(&r["shortNames"]),
            categories: strings(&r["categories"]),
            verbs: strings(&r["verbs"]),
            preferred,
        });
    }
}

impl Discovery {
    pub async fn load(api: &Api) -> Result<Discovery, Failure> {
        let mut resources = Vec::new();
        let core = api.get("/api/v1", "application/json").await?;
        resources_of(&core, "", "v1", true, &mut resources);
        let groups = api.get("/apis", "application/json").await?;
        for g in groups["groups"].as_array().into_iter().flatten() {
            let name = g["name"].as_str().unwrap_or_default();
            let preferred = g["preferredVersion"]["version"].as_str();
            for v in g["versions"].as_array().into_iter().flatten() {
                let Some(version) = v["version"].as_str() else {
                    continue;
                };
                let list = api
                    .get(&format!("/apis/{name}/{version}"), "application/json")
                    .await?;
                resources_of(
                    &list,
                    name,
                    version,
                    preferred == Some(version),
                    &mut resources,
                );
            }
        }
        // The preferred versions first, so names resolve to them.
        resources.sort_by_key(|r| !r.preferred);
        Ok(Discovery { resources })
    }

    /// A manifest's kind without an `apiVersion` (kubectl with validation off): the core
    /// resource of that kind, at no version (a path the server does not serve).
    pub fn core_kind_unversioned(&self, kind: &str) -> Option<std::borrow::Cow<'_, Resource>> {
        let r = self
            .resources
            .iter()
            .find(|r| r.group.is_empty() && r.kind == kind)?;
        let mut r = r.clone();
        r.version = String::new();
        Some(std::borrow::Cow::Owned(r))
    }

    /// The resource of a manifest's `apiVersion` and `kind`.
    pub fn for_kind(&self, api_version: &str, kind: &str) -> Option<&Resource> {
        self.resources
            .iter()
            .find(|r| r.api_version() == api_version && r.kind == kind)
    }

    /// The resources a typed name stands for: one, or a category's members.
    pub fn resolve(&self, typed: &str) -> Option<Vec<&Resource>> {
        let name = typed.to_lowercase();
        let preferred = || self.resources.iter().filter(|r| r.preferred);
        if let Some(r) = preferred().find(|r| r.answers_to(&name)) {
            return Some(vec![r]);
        }
        let members: Vec<&Resource> = preferred()
            .filter(|r| r.categories.contains(&name))
            .collect();
        (!members.is_empty()).then_some(members)
    }
}
