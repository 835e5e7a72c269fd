//! The RBAC generators: `role`, `clusterrole` (rules from verbs, resources, names and
//! non-resource URLs; aggregation), `rolebinding` and `clusterrolebinding`.

use super::*;

/// A role's rules as kubectl's generator groups them: one per API group (groups sorted),
/// each with every verb and resource name given; then a rule for non-resource URLs.
pub(super) fn rules(g: &Gen, cluster: bool) -> Result<(Vec<Value>, Vec<String>), String> {
    let verbs = g.slice("verb");
    let resources = g.slice("resource");
    let urls = if cluster {
        g.slice("non-resource-url")
    } else {
        Vec::new()
    };
    if verbs.is_empty() {
        return Err("error: at least one verb must be specified".into());
    }
    if resources.is_empty() && urls.is_empty() {
        return Err("error: at least one resource must be specified".into());
    }
    if let Some(u) = urls.iter().find(|u| !u.starts_with('/')) {
        let _ = u;
        return Err("error: nonResourceURL should start with /".into());
    }
    let warnings: Vec<String> = verbs
        .iter()
        .filter(|v| !VERBS.contains(&v.as_str()))
        .map(|v| format!("Warning: '{v}' is not a standard resource verb\n"))
        .collect();
    let mut by_group: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for r in &resources {
        let (name, sub) = match r.split_once('/') {
            Some((n, s)) => (n, Some(s)),
            None => (r.as_str(), None),
        };
        let (plural, group) = if name == "*" {
            ("*".to_string(), String::new())
        } else {
            let found = g
                .discovery
                .and_then(|d| d.resolve(name))
                .and_then(|rs| rs.first().copied())
                .ok_or_else(|| format!("the server doesn't have a resource type \"{name}\""))?;
            (found.plural.clone(), found.group.clone())
        };
        let full = match sub {
            Some(s) => format!("{plural}/{s}"),
            None => plural,
        };
        let list = by_group.entry(group).or_default();
        if !list.contains(&full) {
            list.push(full);
        }
    }
    let names = g.c.all("resource-name");
    let mut out = Vec::new();
    for (group, resources) in by_group {
        let mut rule = Map::new();
        rule.insert("verbs".into(), json!(verbs));
        rule.insert("apiGroups".into(), json!([group]));
        rule.insert("resources".into(), json!(resources));
        if !names.is_empty() {
            rule.insert("resourceNames".into(), json!(names));
        }
        out.push(Value::Object(rule));
    }
    if !urls.is_empty() {
        out.push(json!({"verbs": verbs, "nonResourceURLs": urls}));
    }
    Ok((out, warnings))
}

pub(super) fn role(g: &Gen) -> Result<Made, String> {
    let (rules, _) = rules(g, false)?;
    let mut o = head("Role", "rbac.authorization.k8s.io/v1", g.meta(true));
    o.insert("rules".into(), json!(rules));
    Ok(Made::new(
        Value::Object(o),
        RBAC,
        "roles",
        "role.rbac.authorization.k8s.io",
    ))
}

pub(super) fn clusterrole(g: &Gen) -> Result<Made, String> {
    let mut o = head("ClusterRole", "rbac.authorization.k8s.io/v1", g.meta(false));
    if let Some(rule) = g.c.last("aggregation-rule") {
        let mut labels = Map::new();
        for pair in rule.split(',') {
            let Some((k, v)) = pair.split_once('=') else {
                return Err(format!("error: invalid aggregation rule: {rule}"));
            };
            labels.insert(k.into(), json!(v));
        }
        o.insert(
            "aggregationRule".into(),
            json!({"clusterRoleSelectors": [{"matchLabels": labels}]}),
        );
        // `rules` has no omitempty in Go's struct.
        o.insert("rules".into(), Value::Null);
    } else {
        let (rules, _) = rules(g, true)?;
        o.insert("rules".into(), json!(rules));
    }
    Ok(Made::new(
        Value::Object(o),
        RBAC,
        "clusterroles",
        "clusterrole.rbac.authorization.k8s.io",
    )
    .cluster_scoped())
}

/// A binding's subjects (users, groups, then service accounts) and role reference.
pub(super) fn binding(
    g: &Gen,
    kind: &str,
    role_kind: &str,
    role: &str,
) -> Result<Map<String, Value>, String> {
    let mut subjects = Vec::new();
    for (flag, kind) in [("user", "User"), ("group", "Group")] {
        for name in g.c.all(flag) {
            subjects.push(json!({"kind": kind, "apiGroup": RBAC_GROUP, "name": name}));
        }
    }
    for sa in g.c.all("serviceaccount") {
        let Some((ns, name)) = sa
            .split_once(':')
            .filter(|(n, m)| !n.is_empty() && !m.is_empty())
        else {
            return Err("error: serviceaccount must be <namespace>:<name>".into());
        };
        subjects.push(json!({"kind": "ServiceAccount", "name": name, "namespace": ns}));
    }
    let mut o = head(
        kind,
        "rbac.authorization.k8s.io/v1",
        g.meta(kind == "RoleBinding"),
    );
    if !subjects.is_empty() {
        o.insert("subjects".into(), json!(subjects));
    }
    o.insert(
        "roleRef".into(),
        json!({"apiGroup": RBAC_GROUP, "kind": role_kind, "name": role}),
    );
    Ok(o)
}

pub(super) fn rolebinding(g: &Gen) -> Result<Made, String> {
    let (role_kind, role) = match (g.c.last("role"), g.c.last("clusterrole")) {
        (Some(r), None) => ("Role", r),
        (None, Some(r)) => ("ClusterRole", r),
        _ => return Err("error: exactly one of clusterrole or role must be specified".into()),
    };
    let o = binding(g, "RoleBinding", role_kind, &role)?;
    Ok(Made::new(
        Value::Object(o),
        RBAC,
        "rolebindings",
        "rolebinding.rbac.authorization.k8s.io",
    ))
}

pub(super) fn clusterrolebinding(g: &Gen) -> Result<Made, String> {
    let Some(role) = g.c.last("clusterrole") else {
        return Err("error: required flag(s) \"clusterrole\" not set".into());
    };
    let o = binding(g, "ClusterRoleBinding", "ClusterRole", &role)?;
    Ok(Made::new(
        Value::Object(o),
        RBAC,
        "clusterrolebindings",
        "clusterrolebinding.rbac.authorization.k8s.io",
    )
    .cluster_scoped())
}
