//! The registry: what the API server does to an object of one kind on create, replace and
//! delete (names, UIDs, timestamps, generations, defaults, validation, preconditions),
//! written once over the typed objects. The served resource table points at it.

use super::status::Status;
use crate::kube::names;
use crate::kube::print::{Column, PrintCx, Printer};
use crate::model::kube::*;
use crate::state::{AnyObj, Kind, Object, State};
use serde_json::Value;
use std::marker::PhantomData;

/// A kind the API server serves.
pub trait Served:
    Object + Printer + k8s_openapi::Resource + k8s_openapi::Metadata<Ty = ObjectMeta>
{
    /// Whether `metadata.generation` counts spec changes (kinds with a spec controllers
    /// act on).
    const GENERATION: bool = false;
    /// Server-side defaulting, as the real API server fills in omitted fields.
    fn defaults(&mut self) {}
    /// Deletion in the API server's own way (a pod is stopped gracefully): true if it
    /// handled it.
    fn delete_specially(_st: &mut State, _key: &str, _grace: Option<i64>) -> bool {
        false
    }
    /// Validation: (field path, message) for each problem.
    fn validate(&self) -> Vec<(String, String)> {
        Vec::new()
    }
    /// Validation of a replacement against the object it replaces (immutable fields).
    fn validate_update(&self, _old: &Self) -> Vec<(String, String)> {
        Vec::new()
    }
    /// What a name of this kind must look like.
    const NAME: NameRule = NameRule::Subdomain;
}

/// The API server's rules for object names (apimachinery's `validation.IsDNS1123Subdomain`
/// and friends), with their messages.
#[derive(Clone, Copy)]
pub enum NameRule {
    /// Most kinds: a DNS subdomain of at most 253 characters.
    Subdomain,
    /// Namespaces: a DNS label of at most 63 characters.
    Label,
    /// Services: a DNS-1035 label (starts with a letter).
    Dns1035,
    /// RBAC objects: any path segment (`system:aggregate-to-view` is one).
    PathSegment,
}

impl NameRule {
    /// The problem with `name`, as `metadata.name`'s message.
    pub fn check(self, name: &str) -> Option<String> {
        let label = |l: &str, first_alpha: bool| {
            let b = l.as_bytes();
            let inner = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-';
            let end = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
            let start = |c: &u8| {
                if first_alpha {
                    c.is_ascii_lowercase()
                } else {
                    end(c)
                }
            };
            b.first().is_some_and(start) && b.last().is_some_and(end) && b.iter().all(inner)
        };
        if let NameRule::PathSegment = self {
            // apimachinery's `IsValidPathSegmentName`.
            let why = match name {
                "." | ".." => Some(format!("may not be '{name}'")),
                _ => ["/", "%"]
                    .iter()
                    .find(|c| name.contains(*c))
                    .map(|c| format!("may not contain '{c}'")),
            };
            return why.map(|w| format!("Invalid value: {name:?}: {w}"));
        }
        let (ok, max, what) = match self {
            NameRule::PathSegment => (true, usize::MAX, ""),
            NameRule::Subdomain => (
                name.split('.').all(|l| label(l, false)),
                253,
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
            ),
            NameRule::Label => (
                label(name, false),
                63,
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
            ),
            NameRule::Dns1035 => (
                label(name, true),
                63,
                "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
            ),
        };
        let mut problems = Vec::new();
        if name.len() > max {
            problems.push(format!("must be no more than {max} characters"));
        }
        if !ok {
            problems.push(what.to_string());
        }
        (!problems.is_empty()).then(|| format!("Invalid value: {name:?}: {}", problems.join(", ")))
    }
}

impl Served for Namespace {
    const NAME: NameRule = NameRule::Label;
    fn delete_specially(st: &mut State, key: &str, _grace: Option<i64>) -> bool {
        crate::kube::namespaces::delete(st, key);
        true
    }
    fn defaults(&mut self) {
        let name = self.metadata.name.clone().unwrap_or_default();
        self.metadata
            .labels
            .get_or_insert_default()
            .insert("kubernetes.io/metadata.name".into(), name);
        let spec = self.spec.get_or_insert_default();
        if spec.finalizers.is_none() {
            spec.finalizers = Some(vec!["kubernetes".into()]);
        }
        let status = self.status.get_or_insert_default();
        if status.phase.is_none() {
            status.phase = Some("Active".into());
        }
    }
}
impl Served for KubeNode {}
impl Served for KubeService {
    const NAME: NameRule = NameRule::Dns1035;
}
impl Served for Pod {
    fn delete_specially(st: &mut State, key: &str, grace: Option<i64>) -> bool {
        crate::kube::gc::delete_pod(st, key, grace)
    }
    fn validate(&self) -> Vec<(String, String)> {
        pod_spec_problems("spec", self.spec.as_ref())
    }
    fn defaults(&mut self) {
        crate::kube::defaults::pod(self);
        let st = self.status.get_or_insert_default();
        st.phase.get_or_insert_with(|| "Pending".into());
        st.qos_class.get_or_insert_with(|| "BestEffort".into());
    }
}
impl Served for Deployment {
    const GENERATION: bool = true;
    fn defaults(&mut self) {
        crate::kube::defaults::deployment(self);
    }
    fn validate(&self) -> Vec<(String, String)> {
        let spec = self.spec.as_ref();
        workload_problems(
            spec.map(|s| &s.selector),
            spec.map(|s| &s.template),
            spec.and_then(|s| s.replicas),
        )
    }
}
impl Served for ReplicaSet {
    const GENERATION: bool = true;
    fn defaults(&mut self) {
        crate::kube::defaults::replicaset(self);
    }
    fn validate(&self) -> Vec<(String, String)> {
        let spec = self.spec.as_ref();
        workload_problems(
            spec.map(|s| &s.selector),
            spec.and_then(|s| s.template.as_ref()),
            spec.and_then(|s| s.replicas),
        )
    }
}

impl Served for DaemonSet {
    const GENERATION: bool = true;
    fn defaults(&mut self) {
        crate::kube::defaults::daemonset(self);
    }
    fn validate(&self) -> Vec<(String, String)> {
        let spec = self.spec.as_ref();
        workload_problems(spec.map(|s| &s.selector), spec.map(|s| &s.template), None)
    }
}
impl Served for ControllerRevision {}
impl Served for Job {
    const GENERATION: bool = true;
    fn defaults(&mut self) {
        crate::kube::defaults::job(self);
    }
    fn validate(&self) -> Vec<(String, String)> {
        let spec = self.spec.as_ref();
        let mut out = workload_problems(
            spec.and_then(|s| s.selector.as_ref()),
            spec.map(|s| &s.template),
            None,
        );
        let policy = spec
            .and_then(|s| s.template.spec.as_ref())
            .and_then(|s| s.restart_policy.as_deref());
        if !matches!(policy, Some("OnFailure" | "Never")) {
            out.push((
                "spec.template.spec.restartPolicy".into(),
                "Required value: valid values: \"OnFailure\", \"Never\"".into(),
            ));
        }
        out
    }
}
impl Served for CronJob {
    const GENERATION: bool = true;
    fn defaults(&mut self) {
        crate::kube::defaults::cronjob(self);
    }
    fn validate(&self) -> Vec<(String, String)> {
        let Some(spec) = self.spec.as_ref() else {
            return vec![("spec.schedule".into(), "Required value".into())];
        };
        let mut out = Vec::new();
        if let Err(e) = crate::kube::cron::Schedule::parse(&spec.schedule) {
            out.push((
                "spec.schedule".into(),
                format!("Invalid value: {:?}: {e}", spec.schedule),
            ));
        }
        let policy = spec
            .job_template
            .spec
            .as_ref()
            .and_then(|s| s.template.spec.as_ref())
            .and_then(|s| s.restart_policy.as_deref());
        if !matches!(policy, Some("OnFailure" | "Never")) {
            out.push((
                "spec.jobTemplate.spec.template.spec.restartPolicy".into(),
                "Required value: valid values: \"OnFailure\", \"Never\"".into(),
            ));
        }
        out
    }
}
impl Served for KubeEvent {}

/// Go's `%#v` of a label map: `map[string]string{"app":"nginx"}`.
fn go_map(m: Option<&std::collections::BTreeMap<String, String>>) -> String {
    let items: Vec<String> = m
        .into_iter()
        .flatten()
        .map(|(k, v)| format!("{k:?}:{v:?}"))
        .collect();
    format!("map[string]string{{{}}}", items.join(", "))
}

/// What the API server checks of a controller's selector, template and replicas.
fn workload_problems(
    selector: Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector>,
    template: Option<&k8s_openapi::api::core::v1::PodTemplateSpec>,
    replicas: Option<i32>,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let labels = template
        .and_then(|t| t.metadata.as_ref())
        .and_then(|m| m.labels.as_ref());
    let wanted = selector.and_then(|s| s.match_labels.as_ref());
    let empty = selector.is_none_or(|s| {
        s.match_labels.as_ref().is_none_or(|m| m.is_empty())
            && s.match_expressions.as_ref().is_none_or(|e| e.is_empty())
    });
    if empty {
        out.push(("spec.selector".into(), "Required value".into()));
    } else if wanted
        .into_iter()
        .flatten()
        .any(|(k, v)| labels.and_then(|l| l.get(k)) != Some(v))
    {
        out.push((
            "spec.template.metadata.labels".into(),
            format!(
                "Invalid value: {}: `selector` does not match template `labels`",
                go_map(labels)
            ),
        ));
    }
    if let Some(n) = replicas.filter(|n| *n < 0) {
        out.push((
            "spec.replicas".into(),
            format!("Invalid value: {n}: must be greater than or equal to 0"),
        ));
    }
    out.extend(pod_spec_problems(
        "spec.template.spec",
        template.and_then(|t| t.spec.as_ref()),
    ));
    out
}

/// What the API server checks of a pod spec at `path`: containers, their names and images.
fn pod_spec_problems(
    path: &str,
    spec: Option<&k8s_openapi::api::core::v1::PodSpec>,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let containers = spec.map(|s| s.containers.as_slice()).unwrap_or_default();
    if containers.is_empty() {
        out.push((format!("{path}.containers"), "Required value".into()));
    }
    let mut seen = std::collections::BTreeSet::new();
    for (i, c) in containers.iter().enumerate() {
        let at = format!("{path}.containers[{i}]");
        if c.name.is_empty() {
            out.push((format!("{at}.name"), "Required value".into()));
        } else if let Some(m) = NameRule::Label.check(&c.name) {
            out.push((format!("{at}.name"), m));
        } else if !seen.insert(c.name.as_str()) {
            out.push((
                format!("{at}.name"),
                format!("Duplicate value: {:?}", c.name),
            ));
        }
        if c.image.as_deref().unwrap_or("").trim().is_empty() {
            out.push((format!("{at}.image"), "Required value".into()));
        }
    }
    out
}

/// The operations the router needs, object-safe so the resource table can hold them.
pub trait Ops: Sync {
    fn kind(&self) -> Kind;
    fn columns(&self) -> &'static [Column];
    /// A removed object (from the watch window) as JSON, and its table cells.
    fn gone(&self, o: &AnyObj, cx: &PrintCx) -> Option<(Value, Vec<Value>)>;
    /// Keys of the objects in a namespace (or all), in key order.
    fn keys(&self, st: &State, ns: Option<&str>) -> Vec<String>;
    fn json(&self, st: &State, key: &str) -> Option<Value>;
    /// The object's resourceVersion (without converting it).
    fn rv(&self, st: &State, key: &str) -> Option<u64>;
    fn cells(&self, st: &State, key: &str, cx: &PrintCx) -> Option<Vec<Value>>;
    /// `strict`: unknown fields are an error (`fieldValidation=Strict`, kubectl's default).
    fn create(
        &self,
        st: &mut State,
        ns: Option<&str>,
        body: Value,
        strict: bool,
    ) -> Result<Value, Status>;
    fn replace(
        &self,
        st: &mut State,
        key: &str,
        body: Value,
        strict: bool,
    ) -> Result<Value, Status>;
    /// Deletes (or, for a graceful or foreground deletion, marks) an object: the object as
    /// it was removed, or as it is now while it waits.
    fn delete(&self, st: &mut State, key: &str, o: &DeleteOpts) -> Option<(Value, bool)>;
}

/// DeleteOptions: from the request's body or its query.
#[derive(Clone, Debug, Default)]
pub struct DeleteOpts {
    pub grace: Option<i64>,
    pub propagation: Option<String>,
}

/// The operations of kind `T`.
pub struct Typed<T>(PhantomData<fn() -> T>);

impl<T> Typed<T> {
    pub const OPS: Typed<T> = Typed(PhantomData);
}

fn to_json<T: serde::Serialize>(o: &T) -> Value {
    serde_json::to_value(o).unwrap_or(Value::Null)
}

/// Fields of `input` that decoding dropped (`spec.frobs`), as the strict decoder names them.
fn unknown_fields(input: &Value, decoded: &Value, path: &str, out: &mut Vec<String>) {
    match (input, decoded) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match b.get(k) {
                    // Absent after decoding: unknown, unless it was null or empty anyway.
                    None if !v.is_null() && *v != Value::Object(Default::default()) => out.push(p),
                    None => {}
                    Some(w) => unknown_fields(v, w, &p, out),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for (i, (v, w)) in a.iter().zip(b).enumerate() {
                unknown_fields(v, w, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// Decodes a request body into `T`, with the decoding error as the API server words it.
fn decode<T: Served>(body: Value, strict: bool) -> Result<T, Status> {
    let cannot = |why: String| {
        Status::bad_request(format!(
            "{} in version \"{}\" cannot be handled as a {}: {why}",
            <T as k8s_openapi::Resource>::KIND,
            <T as k8s_openapi::Resource>::VERSION,
            <T as k8s_openapi::Resource>::KIND
        ))
    };
    let obj: T = serde_json::from_value(body.clone()).map_err(|e| cannot(e.to_string()))?;
    if strict {
        let mut unknown = Vec::new();
        unknown_fields(&body, &to_json(&obj), "", &mut unknown);
        if !unknown.is_empty() {
            let list: Vec<String> = unknown
                .iter()
                .map(|f| format!("unknown field \"{f}\""))
                .collect();
            return Err(cannot(format!(
                "strict decoding error: {}",
                list.join(", ")
            )));
        }
    }
    Ok(obj)
}

fn spec_of(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(m) = v.as_object_mut() {
        m.remove("metadata");
        m.remove("status");
    }
    v
}

fn invalid<T: Served>(o: &T, causes: &[(String, String)]) -> Status {
    let name = o.metadata().name.as_deref().unwrap_or_default();
    Status::invalid(<T as k8s_openapi::Resource>::KIND, T::GROUP, name, causes)
}

impl<T: Served> Ops for Typed<T> {
    fn kind(&self) -> Kind {
        <T as Object>::KIND
    }
    fn columns(&self) -> &'static [Column] {
        T::COLUMNS
    }
    fn gone(&self, o: &AnyObj, cx: &PrintCx) -> Option<(Value, Vec<Value>)> {
        T::peek(o).map(|o| (to_json(o), o.cells(cx)))
    }

    fn keys(&self, st: &State, ns: Option<&str>) -> Vec<String> {
        match ns {
            Some(ns) => {
                let prefix = format!("{ns}/");
                st.with_prefix::<T>(&prefix).map(|o| o.key()).collect()
            }
            None => st.all::<T>().map(|o| o.key()).collect(),
        }
    }

    fn json(&self, st: &State, key: &str) -> Option<Value> {
        st.get::<T>(key).map(to_json)
    }

    fn rv(&self, st: &State, key: &str) -> Option<u64> {
        st.get::<T>(key)?
            .metadata()
            .resource_version
            .as_deref()?
            .parse()
            .ok()
    }

    fn cells(&self, st: &State, key: &str, cx: &PrintCx) -> Option<Vec<Value>> {
        st.get::<T>(key).map(|o| o.cells(cx))
    }

    fn create(
        &self,
        st: &mut State,
        ns: Option<&str>,
        body: Value,
        strict: bool,
    ) -> Result<Value, Status> {
        let mut obj: T = decode(body, strict)?;
        let namespaced = ns.is_some();
        let now = time(st.now());
        let m = obj.metadata_mut();
        if namespaced {
            match (m.namespace.as_deref(), ns) {
                (Some(a), Some(b)) if !a.is_empty() && a != b => {
                    return Err(Status::bad_request(
                        "the namespace of the provided object does not match the namespace sent on the request",
                    ));
                }
                _ => m.namespace = ns.map(str::to_string),
            }
        } else {
            m.namespace = None;
        }
        if m.name.as_deref().unwrap_or_default().is_empty() {
            match m.generate_name.as_deref().filter(|g| !g.is_empty()) {
                Some(g) => m.name = Some(format!("{g}{}", names::suffix(&mut st.meta.kube.rng))),
                None => {
                    return Err(invalid(
                        &obj,
                        &[(
                            "metadata.name".into(),
                            "Required value: name or generateName is required".into(),
                        )],
                    ));
                }
            }
        }
        let name_problem = T::NAME.check(obj.metadata().name.as_deref().unwrap_or_default());
        let m = obj.metadata_mut();
        m.uid = Some(names::uid(&mut st.meta.kube.rng));
        m.creation_timestamp = Some(now);
        m.resource_version = None;
        m.deletion_timestamp = None;
        m.deletion_grace_period_seconds = None;
        m.generation = T::GENERATION.then_some(1);
        m.managed_fields = None;
        let name = m.name.clone().unwrap_or_default();
        if let Some(ns) = ns {
            match st.get::<Namespace>(ns) {
                None => return Err(Status::not_found("namespaces", "", ns)),
                Some(n) if n.metadata.deletion_timestamp.is_some() => {
                    return Err(Status::forbidden(
                        T::URL_PATH_SEGMENT,
                        T::GROUP,
                        &name,
                        &format!(
                            "unable to create new content in namespace {ns} because it is being terminated"
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
        let key = obj.key();
        if st.get::<T>(&key).is_some() {
            return Err(Status::already_exists(T::URL_PATH_SEGMENT, T::GROUP, &name));
        }
        obj.defaults();
        let causes: Vec<_> = name_problem
            .map(|p| ("metadata.name".to_string(), p))
            .into_iter()
            .chain(obj.validate())
            .collect();
        if !causes.is_empty() {
            return Err(invalid(&obj, &causes));
        }
        st.insert(obj);
        Ok(self.json(st, &key).unwrap_or(Value::Null))
    }

    fn replace(
        &self,
        st: &mut State,
        key: &str,
        body: Value,
        strict: bool,
    ) -> Result<Value, Status> {
        let mut obj: T = decode(body, strict)?;
        let Some(cur) = st.get::<T>(key) else {
            let name = key.rsplit('/').next().unwrap_or(key);
            return Err(Status::not_found(T::URL_PATH_SEGMENT, T::GROUP, name));
        };
        let cur_meta = cur.metadata().clone();
        let name = cur_meta.name.clone().unwrap_or_default();
        let m = obj.metadata_mut();
        if m.name.as_deref().is_some_and(|n| n != name) {
            return Err(Status::bad_request(format!(
                "the name of the object ({}) does not match the name on the URL ({name})",
                m.name.as_deref().unwrap_or_default()
            )));
        }
        if let Some(rv) = m.resource_version.as_deref().filter(|rv| !rv.is_empty())
            && Some(rv) != cur_meta.resource_version.as_deref()
        {
            return Err(Status::conflict(T::URL_PATH_SEGMENT, T::GROUP, &name));
        }
        m.name = Some(name);
        m.namespace = cur_meta.namespace.clone();
        m.uid = cur_meta.uid.clone();
        m.creation_timestamp = cur_meta.creation_timestamp.clone();
        m.deletion_timestamp = cur_meta.deletion_timestamp.clone();
        m.generation = cur_meta.generation;
        obj.defaults();
        let mut causes = obj.validate();
        causes.extend(obj.validate_update(cur));
        if !causes.is_empty() {
            return Err(invalid(&obj, &causes));
        }
        if T::GENERATION && spec_of(&to_json(&obj)) != spec_of(&to_json(cur)) {
            obj.metadata_mut().generation = Some(cur_meta.generation.unwrap_or(0) + 1);
        }
        st.insert(obj);
        Ok(self.json(st, key).unwrap_or(Value::Null))
    }

    fn delete(&self, st: &mut State, key: &str, o: &DeleteOpts) -> Option<(Value, bool)> {
        use crate::kube::gc;
        let cur = st.get::<T>(key)?.clone();
        let uid = cur.metadata().uid.clone().unwrap_or_default();
        if T::delete_specially(st, key, o.grace) {
            return Some(match st.get::<T>(key) {
                Some(now) => (to_json(now), false),
                None => (to_json(&cur), true),
            });
        }
        match o.propagation.as_deref() {
            Some("Orphan") => gc::orphan(st, &uid),
            Some("Foreground") if gc::has_dependents(st, &uid) => {
                let now = time(st.now());
                st.update::<T>(key, |x| {
                    let m = x.metadata_mut();
                    m.deletion_timestamp.get_or_insert(now);
                    m.deletion_grace_period_seconds.get_or_insert(0);
                    let f = m.finalizers.get_or_insert_default();
                    if !f.iter().any(|f| f == gc::FOREGROUND) {
                        f.push(gc::FOREGROUND.into());
                    }
                });
                return st.get::<T>(key).map(|x| (to_json(x), false));
            }
            _ => {}
        }
        st.remove::<T>(key).map(|x| (to_json(&x), true))
    }
}

/// The operations of kind `T` served at another version of its group: bodies come in and go
/// out with that `apiVersion` (the fields are the same, as batch/v1beta1 CronJob's are).
pub struct Versioned<T> {
    api_version: &'static str,
    typed: Typed<T>,
}

impl Versioned<CronJob> {
    pub const V1BETA1: Versioned<CronJob> = Versioned {
        api_version: "batch/v1beta1",
        typed: Typed(PhantomData),
    };
}

impl<T: Served> Versioned<T> {
    fn outward(&self, mut v: Value) -> Value {
        if v.get("apiVersion").is_some() {
            v["apiVersion"] = Value::String(self.api_version.into());
        }
        v
    }
    fn inward(&self, mut v: Value) -> Value {
        if v.get("apiVersion").and_then(Value::as_str) == Some(self.api_version) {
            v["apiVersion"] = Value::String(<T as k8s_openapi::Resource>::API_VERSION.into());
        }
        v
    }
}

impl<T: Served> Ops for Versioned<T> {
    fn kind(&self) -> Kind {
        self.typed.kind()
    }
    fn columns(&self) -> &'static [Column] {
        self.typed.columns()
    }
    fn gone(&self, o: &AnyObj, cx: &PrintCx) -> Option<(Value, Vec<Value>)> {
        self.typed.gone(o, cx).map(|(v, c)| (self.outward(v), c))
    }
    fn keys(&self, st: &State, ns: Option<&str>) -> Vec<String> {
        self.typed.keys(st, ns)
    }
    fn json(&self, st: &State, key: &str) -> Option<Value> {
        self.typed.json(st, key).map(|v| self.outward(v))
    }
    fn rv(&self, st: &State, key: &str) -> Option<u64> {
        self.typed.rv(st, key)
    }
    fn cells(&self, st: &State, key: &str, cx: &PrintCx) -> Option<Vec<Value>> {
        self.typed.cells(st, key, cx)
    }
    fn create(
        &self,
        st: &mut State,
        ns: Option<&str>,
        body: Value,
        strict: bool,
    ) -> Result<Value, Status> {
        let v = self.typed.create(st, ns, self.inward(body), strict)?;
        Ok(self.outward(v))
    }
    fn replace(
        &self,
        st: &mut State,
        key: &str,
        body: Value,
        strict: bool,
    ) -> Result<Value, Status> {
        let v = self.typed.replace(st, key, self.inward(body), strict)?;
        Ok(self.outward(v))
    }
    fn delete(&self, st: &mut State, key: &str, o: &DeleteOpts) -> Option<(Value, bool)> {
        self.typed
            .delete(st, key, o)
            .map(|(v, gone)| (self.outward(v), gone))
    }
}
