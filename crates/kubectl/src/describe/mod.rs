//! `kubectl describe`: kubectl 1.32's describers (pods, workloads, nodes, services, config
//! and RBAC objects, and the generic one for the rest), each asking the server what
//! kubectl's asks (the object, its pods or ReplicaSets, its Events) and writing through
//! kubectl's prefix writer and tabwriter, so the text is kubectl's.

use crate::api::{Api, Failure, enc};
use crate::discovery::{Discovery, Resource};
use crate::tabwriter::tabwrite;
use crate::target::{asks, matching};
use crate::{Out, finish};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta, Time};
use opsconsole_sim::lang::kubectl::Describe;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::BTreeMap;

mod nodes;
mod other;
mod pods;
mod workloads;

pub(crate) use pods::pod_template;

/// kubectl's `PrefixWriter`: text at an indentation level of two spaces each.
#[derive(Default)]
pub(crate) struct W {
    pub text: String,
}

impl W {
    /// Writes `s` after `level` indents (`Write(level, ...)`).
    pub fn w(&mut self, level: usize, s: &str) {
        for _ in 0..level {
            self.text.push_str("  ");
        }
        self.text.push_str(s);
    }
    /// A whole line, no indent (`WriteLine`).
    pub fn line(&mut self, s: &str) {
        self.text.push_str(s);
        self.text.push('\n');
    }
    /// What kubectl prints: the text through its tabwriter (`tabbedString`).
    pub fn tabbed(self) -> String {
        tabwrite(&self.text, 0, 2)
    }
}

/// `Name:` and `Namespace:`, as most describers start.
pub(crate) fn name_ns(w: &mut W, m: &ObjectMeta) {
    w.w(
        0,
        &format!("Name:\t{}\n", m.name.as_deref().unwrap_or_default()),
    );
    w.w(
        0,
        &format!(
            "Namespace:\t{}\n",
            m.namespace.as_deref().unwrap_or_default()
        ),
    );
}

/// The `Conditions:` table of a controller (`Type Status Reason`).
pub(crate) fn conditions<'c>(
    w: &mut W,
    list: impl IntoIterator<Item = (&'c str, &'c str, &'c str)>,
) {
    let list: Vec<_> = list.into_iter().collect();
    if list.is_empty() {
        return;
    }
    w.w(0, "Conditions:\n  Type\tStatus\tReason\n");
    w.w(1, "----\t------\t------\n");
    for (ty, status, reason) in list {
        w.w(1, &format!("{ty} \t{status}\t{reason}\n"));
    }
}

/// Decodes a server object as its k8s-openapi type.
pub(crate) fn typed<T: DeserializeOwned>(v: &Value) -> Result<T, String> {
    serde_json::from_value(v.clone()).map_err(|e| format!("error: {e}"))
}

/// RFC 1123 with a numeric zone, as Go's `time.RFC1123Z` (in UTC).
pub(crate) fn rfc1123z(t: &Time) -> String {
    t.0.strftime("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

/// `translateTimestampSince`: how long ago, by this machine's clock (as kubectl computes it).
pub(crate) fn since(t: Option<&Time>) -> String {
    let Some(t) = t else {
        return "<unknown>".into();
    };
    let now = k8s_openapi::jiff::Timestamp::now();
    let nanos = now.as_nanosecond() - t.0.as_nanosecond();
    opsconsole_sim::kube::print::human_duration(nanos as i64)
}

/// `printLabelsMultilineWithIndent`.
pub(crate) fn labels_multiline(
    w: &mut W,
    initial: &str,
    title: &str,
    labels: Option<&BTreeMap<String, String>>,
) {
    w.w(0, &format!("{initial}{title}:\t"));
    let Some(labels) = labels.filter(|l| !l.is_empty()) else {
        w.line("<none>");
        return;
    };
    for (i, (k, v)) in labels.iter().enumerate() {
        if i != 0 {
            w.w(0, &format!("{initial}\t"));
        }
        w.w(0, &format!("{k}={v}\n"));
    }
}

const MAX_ANNOTATION_LEN: usize = 140;

/// `printAnnotationsMultiline`: sorted, the last applied configuration left out, long or
/// multi-line values on lines of their own.
pub(crate) fn annotations_multiline(w: &mut W, title: &str, a: Option<&BTreeMap<String, String>>) {
    w.w(0, &format!("{title}:\t"));
    let keys: Vec<(&String, &String)> = a
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.as_str() != crate::apply::LAST_APPLIED)
        .collect();
    if keys.is_empty() {
        w.line("<none>");
        return;
    }
    for (i, (k, v)) in keys.iter().enumerate() {
        if i != 0 {
            w.w(0, "\t");
        }
        let v = v.strip_suffix('\n').unwrap_or(v);
        if v.len() + k.len() + 2 > MAX_ANNOTATION_LEN || v.contains('\n') {
            w.w(0, &format!("{k}:\n"));
            for s in v.split('\n') {
                let s = if s.len() > MAX_ANNOTATION_LEN - 2 {
                    format!("{}...", truncate(s, MAX_ANNOTATION_LEN - 2))
                } else {
                    s.to_string()
                };
                w.w(0, &format!("\t  {s}\n"));
            }
        } else {
            w.w(0, &format!("{k}: {v}\n"));
        }
    }
}

fn truncate(s: &str, n: usize) -> &str {
    let mut end = n.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// `labels.Selector.String()` of a label selector (`metav1.FormatLabelSelector` without the
/// `<none>`): requirements sorted by key.
pub(crate) fn selector_string(s: Option<&LabelSelector>) -> String {
    let Some(s) = s else {
        return String::new();
    };
    let mut reqs: Vec<(String, String)> = s
        .match_labels
        .iter()
        .flatten()
        .map(|(k, v)| (k.clone(), format!("{k}={v}")))
        .collect();
    for e in s.match_expressions.iter().flatten() {
        let mut vals = e.values.clone().unwrap_or_default();
        vals.sort();
        let vals = vals.join(",");
        let text = match e.operator.as_str() {
            "In" => format!("{} in ({vals})", e.key),
            "NotIn" => format!("{} notin ({vals})", e.key),
            "Exists" => e.key.clone(),
            "DoesNotExist" => format!("!{}", e.key),
            op => format!("{} {op} ({vals})", e.key),
        };
        reqs.push((e.key.clone(), text));
    }
    reqs.sort_by(|a, b| a.0.cmp(&b.0));
    reqs.into_iter()
        .map(|(_, t)| t)
        .collect::<Vec<_>>()
        .join(",")
}

/// `metav1.FormatLabelSelector`.
pub(crate) fn format_selector(s: Option<&LabelSelector>) -> String {
    let t = selector_string(s);
    if t.is_empty() { "<none>".into() } else { t }
}

/// `labels.FormatLabels`.
pub(crate) fn format_labels(m: Option<&BTreeMap<String, String>>) -> String {
    let parts: Vec<String> = m
        .into_iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if parts.is_empty() {
        "<none>".into()
    } else {
        parts.join(",")
    }
}

/// `Controlled By:`'s `Kind/name`.
pub(crate) fn controller(m: &ObjectMeta) -> Option<String> {
    m.owner_references
        .iter()
        .flatten()
        .find(|r| r.controller == Some(true))
        .map(|r| format!("{}/{}", r.kind, r.name))
}

/// The Events about an object (kubectl's `searchEvents`): by name, namespace, kind (not
/// for pods and nodes' name search) and uid.
pub(crate) async fn events(
    api: &Api,
    meta: &ObjectMeta,
    kind: Option<&str>,
    uid: Option<&str>,
) -> Vec<Value> {
    let ns = meta.namespace.clone().unwrap_or_default();
    let mut sel = Vec::new();
    if let Some(k) = kind {
        sel.push(format!("involvedObject.kind={k}"));
    }
    sel.push(format!(
        "involvedObject.name={}",
        meta.name.as_deref().unwrap_or_default()
    ));
    sel.push(format!("involvedObject.namespace={ns}"));
    if let Some(u) = uid.filter(|u| !u.is_empty()) {
        sel.push(format!("involvedObject.uid={u}"));
    }
    let base = if ns.is_empty() {
        "/api/v1/events".to_string()
    } else {
        format!("/api/v1/namespaces/{ns}/events")
    };
    let url = format!("{base}?fieldSelector={}", enc(&sel.join(",")));
    api.list_all(&url).await.unwrap_or_default()
}

/// `DescribeEvents`.
pub(crate) fn describe_events(events: &[Value], w: &mut W) {
    if events.is_empty() {
        w.w(0, "Events:\t<none>\n");
        return;
    }
    let mut evs: Vec<k8s_openapi::api::core::v1::Event> =
        events.iter().filter_map(|e| typed(e).ok()).collect();
    let when = |e: &k8s_openapi::api::core::v1::Event| {
        e.last_timestamp
            .as_ref()
            .map(|t| t.0.as_nanosecond())
            .unwrap_or(0)
    };
    evs.sort_by_key(when);
    w.w(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
    w.w(1, "----\t------\t----\t----\t-------\n");
    for e in &evs {
        let first = match &e.event_time {
            Some(t) => since(Some(&Time(t.0))),
            None => since(e.first_timestamp.as_ref()),
        };
        let count = e.count.unwrap_or(0);
        let interval = if let Some(s) = &e.series {
            format!(
                "{} (x{} over {first})",
                since(s.last_observed_time.as_ref().map(|t| Time(t.0)).as_ref()),
                s.count.unwrap_or(0)
            )
        } else if count > 1 {
            format!(
                "{} (x{count} over {first})",
                since(e.last_timestamp.as_ref())
            )
        } else {
            first
        };
        let source = e
            .source
            .as_ref()
            .and_then(|s| s.component.clone())
            .filter(|s| !s.is_empty())
            .or_else(|| e.reporting_component.clone())
            .unwrap_or_default();
        let message = e.message.clone().unwrap_or_default().trim().to_string();
        w.w(
            1,
            &format!(
                "{}\t{}\t{interval}\t{source}\t{message}\n",
                e.type_.as_deref().unwrap_or_default(),
                e.reason.as_deref().unwrap_or_default()
            ),
        );
    }
}

/// One object to describe: what describes it, with the server to ask for more.
async fn describe_one(
    api: &Api,
    res: &Resource,
    obj: &Value,
    show_events: bool,
) -> Result<String, String> {
    let cx = Cx { api, show_events };
    match (res.group.as_str(), res.kind.as_str()) {
        ("", "Pod") => pods::pod(&cx, obj).await,
        ("apps", "Deployment") => workloads::deployment(&cx, obj).await,
        ("apps", "ReplicaSet") => workloads::replicaset(&cx, obj).await,
        ("apps", "DaemonSet") => workloads::daemonset(&cx, obj).await,
        ("apps", "StatefulSet") => workloads::statefulset(&cx, obj).await,
        ("batch", "Job") => workloads::job(&cx, obj).await,
        ("batch", "CronJob") => workloads::cronjob(&cx, obj).await,
        ("", "Node") => nodes::node(&cx, obj).await,
        ("", "Service") => other::service(&cx, obj).await,
        ("", "Namespace") => other::namespace(&cx, obj).await,
        ("", "ConfigMap") => other::configmap(&cx, obj).await,
        ("", "Secret") => other::secret(obj),
        ("", "ServiceAccount") => other::serviceaccount(&cx, obj).await,
        ("rbac.authorization.k8s.io", "Role" | "ClusterRole") => other::role(obj),
        ("rbac.authorization.k8s.io", "RoleBinding" | "ClusterRoleBinding") => other::binding(obj),
        _ => other::generic(&cx, obj).await,
    }
}

/// What describers may ask.
pub(crate) struct Cx<'a> {
    pub api: &'a Api,
    pub show_events: bool,
}

impl Cx<'_> {
    /// The object's Events, when `--show-events` (the default).
    pub async fn events_of(&self, meta: &ObjectMeta, kind: Option<&str>) -> Option<Vec<Value>> {
        if !self.show_events {
            return None;
        }
        Some(events(self.api, meta, kind, meta.uid.as_deref()).await)
    }
}

pub async fn run(api: &Api, namespace: &str, d: &Describe, out: &mut Out) -> i32 {
    let fail = |out: &mut Out, e: &str| {
        out.eprint(&format!("{e}\n"));
        1
    };
    if d.targets.args.is_empty() && d.targets.filenames.is_empty() {
        return fail(
            out,
            "error: You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.",
        );
    }
    let discovery = match Discovery::load(api).await {
        Ok(d) => d,
        Err(e) => return fail(out, &e.to_string()),
    };
    let t = &d.targets;
    let all_ns = t.all_namespaces;
    let mut errors: Vec<String> = Vec::new();
    let mut objects: Vec<(&Resource, Value)> = Vec::new();
    let named_pair = if t.filenames.is_empty() {
        match asks(&discovery, &t.args) {
            Ok((a, _)) => Some(a),
            Err(e) => return fail(out, &e),
        }
    } else {
        None
    };
    let mut prefix_search: Option<(&Resource, String, String)> = None;
    if let Some(asks) = named_pair {
        for ask in asks {
            let ns = (ask.res.namespaced && !all_ns).then_some(namespace);
            if ask.names.is_empty() {
                match matching(
                    api,
                    ask.res,
                    ns,
                    t.selector.as_deref(),
                    t.field_selector.as_deref(),
                )
                .await
                {
                    Ok(found) => {
                        for f in found {
                            match api.get(&f.path(), "application/json").await {
                                Ok(v) => objects.push((ask.res, v)),
                                Err(e) => errors.push(e.report()),
                            }
                        }
                    }
                    Err(e) => errors.push(e.report()),
                }
                continue;
            }
            for name in &ask.names {
                let path = format!("{}/{name}", ask.res.path(ns));
                match api.get(&path, "application/json").await {
                    Ok(v) => objects.push((ask.res, v)),
                    Err(e) if e.is_not_found() && t.args.len() == 2 && !t.args[0].contains('/') => {
                        prefix_search = Some((ask.res, name.clone(), e.report()));
                    }
                    Err(e) => errors.push(e.report()),
                }
            }
        }
    } else {
        let (found, errs) =
            match crate::target::named(api, &discovery, t, namespace, true, out).await {
                Ok(x) => x,
                Err(e) => return fail(out, &e),
            };
        errors.extend(errs);
        for f in found.targets {
            let res = discovery
                .resources
                .iter()
                .find(|r| r.kind == f.res.kind && r.group == f.res.group && r.preferred);
            match (res, api.get(&f.path(), "application/json").await) {
                (Some(r), Ok(v)) => objects.push((r, v)),
                (_, Err(e)) => errors.push(e.report()),
                _ => {}
            }
        }
    }
    // `describe TYPE PREFIX`: every object whose name starts with it (kubectl's
    // DescribeMatchingResources), else the original NotFound.
    if let Some((res, prefix, original)) = prefix_search {
        let ns = (res.namespaced && !all_ns).then_some(namespace);
        let found = matching(api, res, ns, None, None).await.unwrap_or_default();
        let mut any = false;
        for f in found.iter().filter(|f| f.name.starts_with(&prefix)) {
            any = true;
            match api.get(&f.path(), "application/json").await {
                Ok(v) => match describe_one(api, res, &v, d.show_events).await {
                    Ok(s) => out.print(&format!("{s}\n")),
                    Err(e) => return fail(out, &e),
                },
                Err(e) => return fail(out, &e.report()),
            }
        }
        if !any {
            return fail(out, &original);
        }
        return 0;
    }
    let mut first = true;
    let mut seen_errors: Vec<String> = Vec::new();
    for (res, obj) in &objects {
        match describe_one(api, res, obj, d.show_events).await {
            Ok(s) => {
                if first {
                    out.print(&s);
                    first = false;
                } else {
                    out.print(&format!("\n\n{s}"));
                }
            }
            Err(e) if !seen_errors.contains(&e) => {
                seen_errors.push(e.clone());
                errors.push(e);
            }
            Err(_) => {}
        }
    }
    if objects.is_empty() && errors.is_empty() {
        if all_ns {
            out.eprint("No resources found\n");
        } else {
            out.eprint(&format!("No resources found in {namespace} namespace.\n"));
        }
    }
    finish(&errors, out)
}

/// A GET whose failure is worded as kubectl's typed client words it.
pub(crate) async fn get_or(api: &Api, path: &str) -> Result<Value, Failure> {
    api.get(path, "application/json").await
}
