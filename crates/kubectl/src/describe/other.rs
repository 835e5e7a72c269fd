//! Describing Services, Namespaces, ConfigMaps, Secrets, ServiceAccounts, RBAC objects, and
//! anything else the generic way.

use super::{
    Cx, W, annotations_multiline, describe_events, format_labels, labels_multiline, name_ns,
    rfc1123z, typed,
};
use crate::api::enc;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret, Service, ServiceAccount};
use serde_json::Value;

pub(crate) async fn service(cx: &Cx<'_>, obj: &Value) -> Result<String, String> {
    let svc: Service = typed(obj)?;
    let m = &svc.metadata;
    let ns = m.namespace.clone().unwrap_or_default();
    let name = m.name.clone().unwrap_or_default();
    let slices = cx
        .api
        .get(
            &format!(
                "/apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices?labelSelector={}",
                enc(&format!("kubernetes.io/service-name={name}"))
            ),
            "application/json",
        )
        .await
        .map(|v| v["items"].as_array().cloned().unwrap_or_default())
        .unwrap_or_default();
    let events = cx.events_of(m, Some("Service")).await;
    let spec = svc.spec.clone().unwrap_or_default();
    let mut w = W::default();
    name_ns(&mut w, m);
    labels_multiline(&mut w, "", "Labels", m.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", m.annotations.as_ref());
    w.w(
        0,
        &format!("Selector:\t{}\n", format_labels(spec.selector.as_ref())),
    );
    w.w(
        0,
        &format!("Type:\t{}\n", spec.type_.as_deref().unwrap_or_default()),
    );
    if let Some(p) = &spec.ip_family_policy {
        w.w(0, &format!("IP Family Policy:\t{p}\n"));
    }
    match spec.ip_families.as_ref().filter(|f| !f.is_empty()) {
        Some(f) => w.w(0, &format!("IP Families:\t{}\n", f.join(","))),
        None => w.w(0, "IP Families:\t<none>\n"),
    }
    w.w(
        0,
        &format!("IP:\t{}\n", spec.cluster_ip.as_deref().unwrap_or_default()),
    );
    match spec.cluster_ips.as_ref().filter(|f| !f.is_empty()) {
        Some(ips) => w.w(0, &format!("IPs:\t{}\n", ips.join(","))),
        None => w.w(0, "IPs:\t<none>\n"),
    }
    if let Some(e) = spec.external_ips.as_ref().filter(|e| !e.is_empty()) {
        w.w(0, &format!("External IPs:\t{}\n", e.join(",")));
    }
    if let Some(e) = spec.external_name.as_ref().filter(|e| !e.is_empty()) {
        w.w(0, &format!("External Name:\t{e}\n"));
    }
    for p in spec.ports.iter().flatten() {
        let pname = p
            .name
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "<unset>".into());
        let proto = p.protocol.clone().unwrap_or_default();
        w.w(0, &format!("Port:\t{pname}\t{}/{proto}\n", p.port));
        let target = match &p.target_port {
            Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(i)) => {
                i.to_string()
            }
            Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(s)) => s.clone(),
            None => "0".into(),
        };
        w.w(0, &format!("TargetPort:\t{target}/{proto}\n"));
        if let Some(ap) = &p.app_protocol {
            w.w(0, &format!("AppProtocol:\t{ap}\n"));
        }
        if let Some(np) = p.node_port.filter(|n| *n != 0) {
            w.w(0, &format!("NodePort:\t{pname}\t{np}/{proto}\n"));
        }
        w.w(
            0,
            &format!(
                "Endpoints:\t{}\n",
                endpoints(&slices, p.name.as_deref().unwrap_or_default())
            ),
        );
    }
    w.w(
        0,
        &format!(
            "Session Affinity:\t{}\n",
            spec.session_affinity.as_deref().unwrap_or_default()
        ),
    );
    if let Some(p) = spec
        .external_traffic_policy
        .as_ref()
        .filter(|p| !p.is_empty())
    {
        w.w(0, &format!("External Traffic Policy:\t{p}\n"));
    }
    if let Some(p) = &spec.internal_traffic_policy {
        w.w(0, &format!("Internal Traffic Policy:\t{p}\n"));
    }
    if let Some(ev) = events {
        describe_events(&ev, &mut w);
    }
    Ok(w.tabbed())
}

/// `formatEndpointSlices` for one port name: up to three `ip:port`, then `+ N more...`.
fn endpoints(slices: &[Value], port_name: &str) -> String {
    if slices.is_empty() {
        return "<none>".into();
    }
    let mut list: Vec<String> = Vec::new();
    let mut count = 0;
    let mut more = false;
    for s in slices {
        let eps = s["endpoints"].as_array().cloned().unwrap_or_default();
        let ports = s["ports"].as_array().cloned().unwrap_or_default();
        let ready = |e: &Value| e["conditions"]["ready"].as_bool() != Some(false);
        if ports.is_empty() {
            for e in &eps {
                if list.len() == 3 {
                    more = true;
                }
                if !ready(e) {
                    continue;
                }
                if !more {
                    list.push(e["addresses"][0].as_str().unwrap_or_default().to_string());
                }
                count += 1;
            }
            continue;
        }
        for p in ports
            .iter()
            .filter(|p| p["name"].as_str().unwrap_or_default() == port_name)
        {
            for e in &eps {
                if list.len() == 3 {
                    more = true;
                }
                if !ready(e) {
                    continue;
                }
                if !more {
                    list.push(format!(
                        "{}:{}",
                        e["addresses"][0].as_str().unwrap_or_default(),
                        p["port"].as_i64().unwrap_or(0)
                    ));
                }
                count += 1;
            }
        }
    }
    let joined = list.join(",");
    if more {
        format!("{joined} + {} more...", count - 3)
    } else {
        joined
    }
}

pub(crate) async fn namespace(cx: &Cx<'_>, obj: &Value) -> Result<String, String> {
    let n: Namespace = typed(obj)?;
    let name = n.metadata.name.clone().unwrap_or_default();
    let quotas = cx
        .api
        .get(
            &format!("/api/v1/namespaces/{name}/resourcequotas?limit=500"),
            "application/json",
        )
        .await;
    let limits = cx
        .api
        .get(
            &format!("/api/v1/namespaces/{name}/limitranges?limit=500"),
            "application/json",
        )
        .await;
    let mut w = W::default();
    w.w(0, &format!("Name:\t{name}\n"));
    labels_multiline(&mut w, "", "Labels", n.metadata.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", n.metadata.annotations.as_ref());
    let status = n.status.clone().unwrap_or_default();
    w.w(
        0,
        &format!("Status:\t{}\n", status.phase.as_deref().unwrap_or_default()),
    );
    if let Some(conds) = status.conditions.as_ref().filter(|c| !c.is_empty()) {
        w.w(0, "Conditions:\n");
        w.w(1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n");
        w.w(1, "----\t------\t------------------\t------\t-------\n");
        for c in conds {
            let t = c
                .last_transition_time
                .as_ref()
                .map(rfc1123z)
                .unwrap_or_else(|| "Mon, 01 Jan 0001 00:00:00 +0000".into());
            w.w(
                1,
                &format!(
                    "{}\t{}\t{t}\t{}\t{}\n",
                    c.type_,
                    c.status,
                    c.reason.as_deref().unwrap_or_default(),
                    c.message.as_deref().unwrap_or_default()
                ),
            );
        }
    }
    // Quotas and limit ranges: shown when the server has them (a NotFound means it has
    // no such resource and they are left out).
    let shown = |r: &Result<Value, crate::api::Failure>| match r {
        Ok(v) => Some(v["items"].as_array().map_or(0, Vec::len)),
        Err(e) if e.is_not_found() => None,
        Err(_) => Some(0),
    };
    if let Some(n) = shown(&quotas) {
        w.w(0, "\n");
        if n == 0 {
            w.w(0, "No resource quota.\n");
        }
    }
    if let Some(n) = shown(&limits) {
        w.w(0, "\n");
        if n == 0 {
            w.w(0, "No LimitRange resource.\n");
        }
    }
    Ok(w.tabbed())
}

pub(crate) async fn configmap(cx: &Cx<'_>, obj: &Value) -> Result<String, String> {
    let cm: ConfigMap = typed(obj)?;
    let mut w = W::default();
    name_ns(&mut w, &cm.metadata);
    labels_multiline(&mut w, "", "Labels", cm.metadata.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", cm.metadata.annotations.as_ref());
    w.w(0, "\nData\n====\n");
    for (k, v) in cm.data.iter().flatten() {
        w.w(0, &format!("{k}:\n----\n"));
        w.w(0, &format!("{v}\n"));
        w.w(0, "\n");
    }
    w.w(0, "\nBinaryData\n====\n");
    for (k, v) in cm.binary_data.iter().flatten() {
        w.w(0, &format!("{k}: {} bytes\n", v.0.len()));
    }
    w.w(0, "\n");
    if let Some(ev) = cx.events_of(&cm.metadata, Some("ConfigMap")).await {
        describe_events(&ev, &mut w);
    }
    Ok(w.tabbed())
}

pub(crate) fn secret(obj: &Value) -> Result<String, String> {
    let s: Secret = typed(obj)?;
    let mut w = W::default();
    name_ns(&mut w, &s.metadata);
    labels_multiline(&mut w, "", "Labels", s.metadata.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", s.metadata.annotations.as_ref());
    let ty = s.type_.clone().unwrap_or_default();
    w.w(0, &format!("\nType:\t{ty}\n"));
    w.w(0, "\nData\n====\n");
    for (k, v) in s.data.iter().flatten() {
        if k == "token" && ty == "kubernetes.io/service-account-token" {
            w.w(0, &format!("{k}:\t{}\n", String::from_utf8_lossy(&v.0)));
        } else {
            w.w(0, &format!("{k}:\t{} bytes\n", v.0.len()));
        }
    }
    Ok(w.tabbed())
}

pub(crate) async fn serviceaccount(cx: &Cx<'_>, obj: &Value) -> Result<String, String> {
    let sa: ServiceAccount = typed(obj)?;
    let events = cx.events_of(&sa.metadata, Some("ServiceAccount")).await;
    let mut w = W::default();
    name_ns(&mut w, &sa.metadata);
    labels_multiline(&mut w, "", "Labels", sa.metadata.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", sa.metadata.annotations.as_ref());
    let pulls: Vec<String> = sa
        .image_pull_secrets
        .iter()
        .flatten()
        .map(|s| s.name.clone())
        .collect();
    if pulls.is_empty() {
        w.w(0, "Image pull secrets:\t<none>\n");
    } else {
        let mut header = "Image pull secrets:";
        for n in &pulls {
            w.w(0, &format!("{header}\t{n}\n"));
            header = "                   ";
        }
    }
    w.w(0, "Mountable secrets:\t<none>\n");
    w.w(0, "Tokens:\t<none>\n");
    if let Some(ev) = events {
        describe_events(&ev, &mut w);
    }
    Ok(w.tabbed())
}

/// The first lines of an RBAC object: name, labels, annotations.
fn rbac_head(obj: &Value) -> Result<W, String> {
    let mut w = W::default();
    let meta: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta = typed(&obj["metadata"])?;
    w.w(
        0,
        &format!("Name:\t{}\n", meta.name.as_deref().unwrap_or_default()),
    );
    labels_multiline(&mut w, "", "Labels", meta.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", meta.annotations.as_ref());
    Ok(w)
}

/// Roles and ClusterRoles: their rules, one resource a row.
pub(crate) fn role(obj: &Value) -> Result<String, String> {
    let mut w = rbac_head(obj)?;
    w.w(0, "PolicyRule:\n");
    w.w(1, "Resources\tNon-Resource URLs\tResource Names\tVerbs\n");
    w.w(1, "---------\t-----------------\t--------------\t-----\n");
    let list = |v: &Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(str::to_string))
            .collect()
    };
    let mut rows: Vec<(String, String, String, String)> = Vec::new();
    for r in obj["rules"].as_array().into_iter().flatten() {
        let groups = list(&r["apiGroups"]);
        let resources = list(&r["resources"]);
        let names = format!("[{}]", list(&r["resourceNames"]).join(" "));
        let verbs = format!("[{}]", list(&r["verbs"]).join(" "));
        let urls = list(&r["nonResourceURLs"]);
        if !urls.is_empty() {
            for u in &urls {
                rows.push((
                    String::new(),
                    format!("[{u}]"),
                    names.clone(),
                    verbs.clone(),
                ));
            }
        }
        for g in &groups {
            for res in &resources {
                let combined = match res.split_once('/') {
                    Some((r, sub)) if !g.is_empty() => format!("{r}.{g}/{sub}"),
                    Some((r, sub)) => format!("{r}/{sub}"),
                    None if !g.is_empty() => format!("{res}.{g}"),
                    None => res.clone(),
                };
                rows.push((combined, "[]".into(), names.clone(), verbs.clone()));
            }
        }
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    for (res, urls, names, verbs) in rows {
        w.w(1, &format!("{res}\t{urls}\t{names}\t{verbs}\n"));
    }
    Ok(w.tabbed())
}

/// RoleBindings and ClusterRoleBindings: the role and the subjects.
pub(crate) fn binding(obj: &Value) -> Result<String, String> {
    let mut w = rbac_head(obj)?;
    w.w(0, "Role:\n");
    w.w(
        1,
        &format!(
            "Kind:\t{}\n",
            obj["roleRef"]["kind"].as_str().unwrap_or_default()
        ),
    );
    w.w(
        1,
        &format!(
            "Name:\t{}\n",
            obj["roleRef"]["name"].as_str().unwrap_or_default()
        ),
    );
    w.w(0, "Subjects:\n");
    w.w(1, "Kind\tName\tNamespace\n");
    w.w(1, "----\t----\t---------\n");
    for s in obj["subjects"].as_array().into_iter().flatten() {
        w.w(
            1,
            &format!(
                "{}\t{}\t{}\n",
                s["kind"].as_str().unwrap_or_default(),
                s["name"].as_str().unwrap_or_default(),
                s["namespace"].as_str().unwrap_or_default()
            ),
        );
    }
    Ok(w.tabbed())
}

/// kubectl's `smartLabelFor`: `apiVersion` → `API Version`, `podIP` → `Pod IP`.
fn smart_label(field: &str) -> String {
    if field.chars().any(|c| !c.is_alphabetic() && c != '-') {
        return field.to_string();
    }
    // camelcase.Split: runs of lower-case, of upper-case (the last upper letter starting the
    // next word when lower-case follows), of digits and of other characters.
    let chars: Vec<char> = field.chars().collect();
    let mut parts: Vec<String> = Vec::new();
    let class = |c: char| {
        if c.is_lowercase() {
            0
        } else if c.is_uppercase() {
            1
        } else if c.is_ascii_digit() {
            2
        } else {
            3
        }
    };
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let starts = match cur.chars().last() {
            None => false,
            Some(p) => {
                let (a, b) = (class(p), class(c));
                a != b && !(a == 1 && b == 0)
                    || (a == 1 && b == 1 && chars.get(i + 1).is_some_and(|n| n.is_lowercase()))
            }
        };
        if starts {
            parts.push(std::mem::take(&mut cur));
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        parts.push(cur);
    }
    let mut merged: Vec<String> = Vec::new();
    let mut i = 0;
    while i < parts.len() {
        let p = &parts[i];
        if i + 1 < parts.len()
            && p.len() >= 2
            && p.chars().all(|c| !c.is_alphabetic() || c.is_uppercase())
            && parts[i + 1].chars().next().is_some_and(char::is_uppercase)
        {
            merged.push(format!("{p}{}", parts[i + 1]));
            i += 2;
            continue;
        }
        merged.push(p.clone());
        i += 1;
    }
    merged
        .into_iter()
        .filter(|p| p != "_")
        .map(|p| {
            if ["API", "URL", "UID", "GUID"].contains(&p.to_uppercase().as_str()) {
                p.to_uppercase()
            } else if p.to_lowercase() == p {
                let mut c = p.chars();
                match c.next() {
                    Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                    None => p,
                }
            } else {
                p
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn unstructured(
    w: &mut W,
    level: usize,
    v: &serde_json::Map<String, Value>,
    prefix: &str,
    skip: &[&str],
) {
    let mut fields: Vec<&String> = v.keys().collect();
    fields.sort();
    for f in fields {
        let path = format!("{prefix}.{f}");
        if skip.contains(&path.as_str()) {
            continue;
        }
        match &v[f.as_str()] {
            Value::Object(m) => {
                w.w(level, &format!("{}:\n", smart_label(f)));
                unstructured(w, level + 1, m, &path, skip);
            }
            Value::Array(a) => {
                w.w(level, &format!("{}:\n", smart_label(f)));
                for child in a {
                    match child {
                        Value::Object(m) => unstructured(w, level + 1, m, &path, skip),
                        other => w.w(level + 1, &format!("{}\n", crate::jsonpath::go_fmt(other))),
                    }
                }
            }
            other => w.w(
                level,
                &format!("{}:\t{}\n", smart_label(f), crate::jsonpath::go_fmt(other)),
            ),
        }
    }
}

/// kubectl's generic describer (kinds without their own): the object's fields, labelled.
pub(crate) async fn generic(cx: &Cx<'_>, obj: &Value) -> Result<String, String> {
    let meta: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta = typed(&obj["metadata"])?;
    let events = cx.events_of(&meta, obj["kind"].as_str()).await;
    let mut w = W::default();
    name_ns(&mut w, &meta);
    labels_multiline(&mut w, "", "Labels", meta.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", meta.annotations.as_ref());
    if let Some(m) = obj.as_object() {
        unstructured(
            &mut w,
            0,
            m,
            "",
            &[
                ".metadata.managedFields",
                ".metadata.name",
                ".metadata.namespace",
                ".metadata.labels",
                ".metadata.annotations",
            ],
        );
    }
    if let Some(ev) = events {
        describe_events(&ev, &mut w);
    }
    Ok(w.tabbed())
}

#[cfg(test)]
mod tests {
    use super::smart_label;

    #[test]
    fn labels_read_like_kubectls() {
        assert_eq!(smart_label("apiVersion"), "API Version");
        assert_eq!(smart_label("podIP"), "Pod IP");
        assert_eq!(smart_label("kind"), "Kind");
        assert_eq!(smart_label("creationTimestamp"), "Creation Timestamp");
        assert_eq!(smart_label("involvedObject"), "Involved Object");
        assert_eq!(smart_label("uid"), "UID");
    }
}
