//! The Kubernetes API handler: the one way into the Kubernetes control plane. Real kubectl
//! over HTTPS, the console's kube-rs client and `ctl kubectl` all arrive here as an
//! [`ApiRequest`] and leave with an [`ApiResponse`], so they cannot disagree. Pure: the
//! HTTP server that feeds it lives in the console crate.
//!
//! A request runs inside the cluster's transaction ([`crate::Cluster::kube_api`]): an
//! answer of 400 or more changes nothing.

pub mod config;
pub mod discovery;
pub mod exec;
pub mod logs;
pub mod patch;
pub mod proto;
mod rbac;
pub mod registry;
pub mod resources;
pub mod select;
pub mod status;
pub mod watch;

use crate::kube::print::{Column, PrintCx};
use crate::state::State;
use resources::Resource;
use select::{FieldSelector, LabelSelector};
use serde_json::{Value, json};
use status::Status;

/// The largest request body the API server takes (kube-apiserver's limit).
pub const MAX_BODY: usize = 3 << 20;

/// An HTTP request to the API, as the server got it.
#[derive(Clone, Debug, Default)]
pub struct ApiRequest {
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The raw query string (percent-encoded).
    pub query: String,
    pub accept: String,
    pub content_type: String,
    pub body: Vec<u8>,
    /// The address the client reached the server at (for legacy discovery).
    pub server: String,
}

/// The answer.
#[derive(Clone, Debug)]
pub struct ApiResponse {
    pub status: u16,
    pub content_type: String,
    /// The whole body, or (for a stream) its first bytes.
    pub body: Vec<u8>,
    /// A response that goes on after `body`: whoever serves it keeps polling this.
    pub stream: Option<Stream>,
    /// `Warning` headers (a deprecated API version).
    pub warnings: Vec<String>,
}

/// What a streamed response keeps sending.
#[derive(Clone, Debug)]
pub enum Stream {
    Watch(Box<watch::Watch>),
    Log(Box<logs::LogFollow>),
    /// A process in a container: the transport drives it (it needs nothing more from the
    /// state).
    Exec(Box<exec::ExecSession>),
}

impl Stream {
    /// The next bytes (`bookmark`: a watch that asked for bookmarks gets one now).
    pub fn poll(&mut self, st: &State, bookmark: bool) -> Vec<u8> {
        match self {
            Stream::Watch(w) => w.poll(st, bookmark),
            Stream::Log(l) => l.poll(st),
            Stream::Exec(_) => Vec::new(),
        }
    }
    /// Whether the stream has ended.
    pub fn done(&self) -> bool {
        match self {
            Stream::Watch(w) => w.done,
            Stream::Log(l) => l.done,
            Stream::Exec(e) => e.ended(),
        }
    }
    /// When the server ends it anyway (`timeoutSeconds` of a watch).
    pub fn timeout_secs(&self) -> Option<u64> {
        match self {
            Stream::Watch(w) => w.timeout_secs,
            Stream::Log(_) | Stream::Exec(_) => None,
        }
    }
}

impl ApiResponse {
    pub fn json(status: u16, v: &Value) -> ApiResponse {
        ApiResponse {
            status,
            content_type: "application/json".into(),
            body: serde_json::to_vec(v).unwrap_or_default(),
            stream: None,
            warnings: Vec::new(),
        }
    }
    fn ok(v: &Value) -> ApiResponse {
        ApiResponse::json(200, v)
    }
    pub fn error(s: &Status) -> ApiResponse {
        ApiResponse::json(s.code, &s.to_json())
    }
    /// The body as JSON (for tests and in-process clients).
    pub fn value(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

fn unhex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Decodes `application/x-www-form-urlencoded` text.
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match (unhex(b[i + 1]), unhex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The query parameters, decoded.
pub struct Query(Vec<(String, String)>);

impl Query {
    pub fn parse(q: &str) -> Query {
        Query(
            q.split('&')
                .filter(|p| !p.is_empty())
                .map(|p| match p.split_once('=') {
                    Some((k, v)) => (percent_decode(k), percent_decode(v)),
                    None => (percent_decode(p), String::new()),
                })
                .collect(),
        )
    }
    pub fn get(&self, k: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    }
    /// Every value of a repeated parameter (`command=sh&command=-c&...`), in order.
    pub fn all(&self, k: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// Where a resource request points.
struct Target<'a> {
    res: &'static Resource,
    ns: Option<&'a str>,
    name: Option<&'a str>,
    sub: Option<&'a str>,
}

impl Target<'_> {
    fn key(&self) -> Option<String> {
        let name = self.name?;
        Some(match self.ns {
            Some(ns) => format!("{ns}/{name}"),
            None => name.to_string(),
        })
    }
    fn not_found(&self) -> Status {
        Status::not_found(
            self.res.plural,
            self.res.group,
            self.name.unwrap_or_default(),
        )
    }
}

/// Resolves `/api/v1/...` and `/apis/G/V/...` to a resource.
fn route<'a>(segs: &[&'a str]) -> Result<Target<'a>, Status> {
    let (group, version, rest) = match segs {
        ["api", v, rest @ ..] => ("", *v, rest),
        ["apis", g, v, rest @ ..] => (*g, *v, rest),
        _ => return Err(Status::no_route()),
    };
    let find = |plural: &str| resources::find(group, version, plural);
    let (ns, tail) = match rest {
        ["namespaces", ns, plural, tail @ ..] if find(plural).is_some_and(|r| r.namespaced) => (
            Some(*ns),
            std::iter::once(plural)
                .chain(tail)
                .copied()
                .collect::<Vec<_>>(),
        ),
        _ => (None, rest.to_vec()),
    };
    let (plural, name, sub) = match tail.as_slice() {
        [p] => (*p, None, None),
        [p, n] => (*p, Some(*n), None),
        [p, n, s] => (*p, Some(*n), Some(*s)),
        _ => return Err(Status::no_route()),
    };
    let res = find(plural).ok_or_else(Status::no_route)?;
    if ns.is_some() && !res.namespaced {
        return Err(Status::no_route());
    }
    if res.namespaced && ns.is_none() && name.is_some() {
        return Err(Status::no_route());
    }
    if let Some(s) = sub
        && !res.subresources.iter().any(|r| r.name == s)
    {
        return Err(Status::no_route());
    }
    Ok(Target { res, ns, name, sub })
}

/// Handles one request. Writes happen in the caller's transaction.
pub fn handle(st: &mut State, req: &ApiRequest) -> ApiResponse {
    let q = Query::parse(&req.query);
    let segs: Vec<&str> = req.path.split('/').filter(|s| !s.is_empty()).collect();
    let aggregated = req.accept.contains("as=APIGroupDiscoveryList");
    let get = req.method == "GET";
    match (segs.as_slice(), get) {
        (["version"], true) => ApiResponse::ok(&discovery::version()),
        (["healthz" | "livez" | "readyz"], true) => ApiResponse {
            status: 200,
            content_type: "text/plain".into(),
            body: b"ok".to_vec(),
            stream: None,
            warnings: Vec::new(),
        },
        (["api"], true) if aggregated => aggregated_answer(discovery::aggregated(true)),
        (["apis"], true) if aggregated => aggregated_answer(discovery::aggregated(false)),
        (["api"], true) => ApiResponse::ok(&discovery::api_versions(&req.server)),
        (["apis"], true) => ApiResponse::ok(&discovery::api_groups()),
        (["api", v], true) => discovered(discovery::resource_list("", v)),
        (["apis", g, v], true) => discovered(discovery::resource_list(g, v)),
        (["openapi", "v2"], true) => ApiResponse {
            content_type: discovery::OPENAPI_V2.into(),
            body: discovery::openapi_v2(),
            ..ApiResponse::ok(&Value::Null)
        },
        (["openapi", "v3"], true) => ApiResponse::ok(&discovery::openapi_root()),
        (["openapi", "v3", "api", v], true) => discovered(discovery::openapi_doc("", v)),
        (["openapi", "v3", "apis", g, v], true) => discovered(discovery::openapi_doc(g, v)),
        _ => match route(&segs) {
            Ok(t) if !get && q.get("dryRun").is_some() => {
                let mut r = dry_run(st, req, &q, &t).unwrap_or_else(|e| ApiResponse::error(&e));
                r.warnings.extend(t.res.warning.map(str::to_string));
                r
            }
            Ok(t) => {
                let mut r = resource(st, req, &q, &t).unwrap_or_else(|e| ApiResponse::error(&e));
                r.warnings.extend(t.res.warning.map(str::to_string));
                r
            }
            Err(e) => ApiResponse::error(&e),
        },
    }
}

/// A change asked for with `dryRun=All`: made on a copy of the cluster, which is then
/// dropped, so it is checked, defaulted and answered as the real change would be and
/// changes nothing. As the real storage layer does, a created object gets no
/// resourceVersion and a changed one keeps its own.
fn dry_run(st: &State, req: &ApiRequest, q: &Query, t: &Target) -> Result<ApiResponse, Status> {
    if let Some(v) = q.all("dryRun").into_iter().find(|v| *v != "All") {
        return Err(Status::bad_request(format!(
            "Invalid dry run value: \"{v}\": supported values: \"All\""
        )));
    }
    let before = t.key().and_then(|k| t.res.ops.json(st, &k));
    let mut copy = st.clone();
    let mut r = resource(&mut copy, req, q, t)?;
    if r.stream.is_none() && r.content_type.starts_with("application/json") {
        let mut v = r.value();
        if let Some(meta) = v
            .get_mut("metadata")
            .and_then(Value::as_object_mut)
            .filter(|m| m.contains_key("resourceVersion"))
        {
            match before
                .as_ref()
                .and_then(|b| b.pointer("/metadata/resourceVersion"))
            {
                Some(rv) => meta.insert("resourceVersion".into(), rv.clone()),
                None => meta.remove("resourceVersion"),
            };
        }
        r.body = serde_json::to_vec(&v).unwrap_or_default();
    }
    Ok(r)
}

fn aggregated_answer(v: Value) -> ApiResponse {
    ApiResponse {
        content_type: discovery::AGGREGATED.into(),
        ..ApiResponse::ok(&v)
    }
}

fn discovered(v: Option<Value>) -> ApiResponse {
    match v {
        Some(v) => ApiResponse::ok(&v),
        None => ApiResponse::error(&Status::no_route()),
    }
}

/// Decodes a request body (JSON or YAML) into JSON.
fn body(req: &ApiRequest) -> Result<Value, Status> {
    if req.body.len() > MAX_BODY {
        return Err(Status::too_large());
    }
    let ct = req.content_type.split(';').next().unwrap_or("").trim();
    match ct {
        ""
        | "application/json"
        | "application/merge-patch+json"
        | "application/strategic-merge-patch+json"
        | "application/json-patch+json" => serde_json::from_slice(&req.body).map_err(|e| {
            Status::bad_request(format!("error decoding the request body as JSON: {e}"))
        }),
        "application/vnd.kubernetes.protobuf" => proto::decode(&req.body).map_err(|e| {
            Status::bad_request(format!("error decoding the protobuf request body: {e}"))
        }),
        "application/yaml" | "application/apply-patch+yaml" => {
            let text = String::from_utf8_lossy(&req.body);
            serde_saphyr::from_str(&text)
                .map_err(|e| Status::bad_request(format!("error decoding YAML: {e}")))
        }
        other => Err(Status::unsupported_media(other)),
    }
}

/// `fieldValidation=Strict`: unknown fields are refused (kubectl asks for it by default).
fn strict(q: &Query) -> bool {
    q.get("fieldValidation") == Some("Strict")
}

fn resource(
    st: &mut State,
    req: &ApiRequest,
    q: &Query,
    t: &Target,
) -> Result<ApiResponse, Status> {
    let ops = t.res.ops;
    let table = req.accept.contains("as=Table");
    if let (Some("scale"), Some(key)) = (t.sub, t.key()) {
        return scale(st, req, t, &key);
    }
    if let (Some("log"), Some(key), "GET") = (t.sub, t.key(), req.method.as_str()) {
        return logs::read(st, &key, q);
    }
    if let (Some("exec"), Some(key), "GET" | "POST") = (t.sub, t.key(), req.method.as_str()) {
        return exec::start(st, &key, q);
    }
    match (req.method.as_str(), t.key()) {
        ("GET", _)
            if t.sub.is_none() && q.get("watch").is_some_and(|w| w == "true" || w == "1") =>
        {
            let (w, first) = watch::start(st, q, t, table)?;
            Ok(ApiResponse {
                status: 200,
                content_type: "application/json".into(),
                body: first,
                stream: Some(Stream::Watch(Box::new(w))),
                warnings: Vec::new(),
            })
        }
        ("GET", None) => {
            let labels = LabelSelector::parse(q.get("labelSelector").unwrap_or(""))?;
            let fields = FieldSelector::parse(q.get("fieldSelector").unwrap_or(""))?;
            let page = Page::of(q, st.meta.kube.rv)?;
            let selecting = !q.get("labelSelector").unwrap_or("").is_empty()
                || !q.get("fieldSelector").unwrap_or("").is_empty();
            let mut keys = Vec::new();
            let mut items = Vec::new();
            let mut more = None;
            let mut remaining = 0u64;
            for key in ops.keys(st, t.ns) {
                if page.start.as_deref().is_some_and(|s| key.as_str() <= s) {
                    continue;
                }
                if page.limit.is_some_and(|l| items.len() as u64 >= l) {
                    // The page is full: whether anything follows (without selectors, how
                    // much, as the real server counts it).
                    if selecting {
                        let obj = ops.json(st, &key);
                        if obj.is_some_and(|o| labels.matches_json(&o) && fields.matches_json(&o)) {
                            more = keys.last().cloned();
                            break;
                        }
                        continue;
                    }
                    more = keys.last().cloned();
                    remaining += 1;
                    continue;
                }
                let Some(obj) = ops.json(st, &key) else {
                    continue;
                };
                if labels.matches_json(&obj) && fields.matches_json(&obj) {
                    keys.push(key);
                    items.push(obj);
                }
            }
            let rv = page.rv.to_string();
            let mut meta = json!({"resourceVersion": rv});
            if let Some(last) = more {
                meta["continue"] = json!(Page::token(page.rv, &last));
                if !selecting {
                    meta["remainingItemCount"] = json!(remaining);
                }
            }
            if table {
                let mut v = self::table(st, t.res, q, &keys, items, &rv);
                v["metadata"] = meta;
                return Ok(ApiResponse::ok(&v));
            }
            Ok(ApiResponse::ok(&json!({
                "kind": format!("{}List", t.res.kind),
                "apiVersion": t.res.group_version(),
                "metadata": meta,
                "items": items,
            })))
        }
        ("GET", Some(key)) => {
            let obj = ops.json(st, &key).ok_or_else(|| t.not_found())?;
            if table && t.sub.is_none() {
                let rv = st.meta.kube.rv.to_string();
                return Ok(ApiResponse::ok(&self::table(
                    st,
                    t.res,
                    q,
                    &[key],
                    vec![obj],
                    &rv,
                )));
            }
            Ok(ApiResponse::ok(&obj))
        }
        ("POST", None) => {
            let v = ops.create(st, t.ns, body(req)?, strict(q))?;
            Ok(ApiResponse::json(201, &v))
        }
        ("PUT", Some(key)) => Ok(ApiResponse::ok(&ops.replace(
            st,
            &key,
            body(req)?,
            strict(q),
        )?)),
        ("PATCH", Some(key)) => {
            let cur = ops.json(st, &key).ok_or_else(|| t.not_found())?;
            let ct = req.content_type.split(';').next().unwrap_or("").trim();
            let patched = patch::apply(ct, cur, body(req)?)?;
            Ok(ApiResponse::ok(&ops.replace(
                st,
                &key,
                patched,
                strict(q),
            )?))
        }
        ("DELETE", Some(key)) => {
            if t.res.plural == "namespaces"
                && matches!(t.name, Some("default" | "kube-system" | "kube-public"))
            {
                return Err(Status::forbidden(
                    "namespaces",
                    "",
                    t.name.unwrap_or_default(),
                    "this namespace may not be deleted",
                ));
            }
            let opts = delete_opts(req, q)?;
            let (obj, gone) = ops.delete(st, &key, &opts).ok_or_else(|| t.not_found())?;
            if !gone {
                return Ok(ApiResponse::ok(&obj));
            }
            Ok(ApiResponse::ok(&json!({
                "kind": "Status",
                "apiVersion": "v1",
                "metadata": {},
                "status": "Success",
                "details": {
                    "name": t.name,
                    "group": t.res.group,
                    "kind": t.res.plural,
                    "uid": obj.pointer("/metadata/uid"),
                },
            })))
        }
        (m, _) => Err(Status::method_not_allowed(m)),
    }
}

/// DeleteOptions from the body (kubectl sends them there) or the query.
fn delete_opts(req: &ApiRequest, q: &Query) -> Result<registry::DeleteOpts, Status> {
    let b = if req.body.is_empty() {
        Value::Null
    } else {
        body(req)?
    };
    let grace = b
        .get("gracePeriodSeconds")
        .and_then(Value::as_i64)
        .or_else(|| q.get("gracePeriodSeconds").and_then(|g| g.parse().ok()));
    let propagation = b
        .get("propagationPolicy")
        .and_then(Value::as_str)
        .or_else(|| q.get("propagationPolicy"))
        .map(str::to_string);
    if let Some(p) = propagation.as_deref()
        && !matches!(p, "Orphan" | "Background" | "Foreground")
    {
        return Err(Status::bad_request(format!(
            "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"{p}\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\""
        )));
    }
    Ok(registry::DeleteOpts { grace, propagation })
}

/// The autoscaling/v1 Scale of an object with `spec.replicas`.
fn scale_of(obj: &Value) -> Value {
    let selector = obj
        .pointer("/spec/selector/matchLabels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    let m = &obj["metadata"];
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": m["name"],
            "namespace": m["namespace"],
            "uid": m["uid"],
            "resourceVersion": m["resourceVersion"],
            "creationTimestamp": m["creationTimestamp"],
        },
        "spec": {"replicas": obj.pointer("/spec/replicas").cloned().unwrap_or(json!(0))},
        "status": {
            "replicas": obj.pointer("/status/replicas").cloned().unwrap_or(json!(0)),
            "selector": selector,
        },
    })
}

/// `.../scale`: read it, or change `spec.replicas` through it (PUT with the Scale's
/// resourceVersion as precondition, or a patch of the Scale).
fn scale(st: &mut State, req: &ApiRequest, t: &Target, key: &str) -> Result<ApiResponse, Status> {
    let ops = t.res.ops;
    let obj = ops.json(st, key).ok_or_else(|| t.not_found())?;
    let cur = scale_of(&obj);
    let want = match req.method.as_str() {
        "GET" => return Ok(ApiResponse::ok(&cur)),
        "PUT" => {
            let b = body(req)?;
            if let Some(rv) = b
                .pointer("/metadata/resourceVersion")
                .and_then(Value::as_str)
                && !rv.is_empty()
                && Some(rv)
                    != cur
                        .pointer("/metadata/resourceVersion")
                        .and_then(Value::as_str)
            {
                return Err(Status::conflict(
                    t.res.plural,
                    t.res.group,
                    t.name.unwrap_or_default(),
                ));
            }
            b
        }
        "PATCH" => {
            let ct = req.content_type.split(';').next().unwrap_or("").trim();
            patch::apply(ct, cur, body(req)?)?
        }
        m => return Err(Status::method_not_allowed(m)),
    };
    let Some(n) = want.pointer("/spec/replicas").and_then(Value::as_i64) else {
        return Err(Status::invalid(
            "Scale",
            "autoscaling",
            t.name.unwrap_or_default(),
            &[("spec.replicas".into(), "Required value".into())],
        ));
    };
    if n < 0 {
        return Err(Status::invalid(
            "Scale",
            "autoscaling",
            t.name.unwrap_or_default(),
            &[(
                "spec.replicas".into(),
                format!("Invalid value: {n}: must be greater than or equal to 0"),
            )],
        ));
    }
    let mut obj = obj;
    obj["spec"]["replicas"] = json!(n);
    let updated = ops.replace(st, key, obj, false)?;
    Ok(ApiResponse::ok(&scale_of(&updated)))
}

fn column_json(c: &Column) -> Value {
    json!({
        "name": c.name,
        "type": c.ty,
        "format": if c.name == "Name" { "name" } else { "" },
        "description": c.description,
        "priority": if c.wide { 1 } else { 0 },
    })
}

/// The Table's column definitions for a resource.
fn column_defs(res: &Resource) -> Vec<Value> {
    res.ops.columns().iter().map(column_json).collect()
}

/// What a Table row carries of its object: its metadata (`Metadata`, the default), all of it
/// (`Object`) or nothing (`None`).
fn row_object(include: &str, obj: Value) -> Value {
    match include {
        "Object" => obj,
        "None" => Value::Null,
        _ => json!({
            "kind": "PartialObjectMetadata",
            "apiVersion": "meta.k8s.io/v1",
            "metadata": obj.get("metadata").cloned().unwrap_or(Value::Null),
        }),
    }
}

/// A list request's paging: `limit`, and the `continue` token of the previous page (the
/// real server's format: base64 of `{"v":"meta.k8s.io/v1","rv":N,"start":"KEY\u0000"}`).
/// The pages after the first show the objects as they are now, from where the previous page
/// stopped, under the first page's resourceVersion.
struct Page {
    limit: Option<u64>,
    start: Option<String>,
    rv: u64,
}

impl Page {
    fn of(q: &Query, now: u64) -> Result<Page, Status> {
        use base64::Engine;
        let limit = match q.get("limit") {
            None | Some("") => None,
            Some(l) => match l.parse::<i64>() {
                Ok(n) if n > 0 => Some(n as u64),
                Ok(_) => None,
                Err(_) => {
                    return Err(Status::bad_request(format!(
                        "invalid limit {l:?}: must be an integer"
                    )));
                }
            },
        };
        let Some(token) = q.get("continue").filter(|c| !c.is_empty()) else {
            return Ok(Page {
                limit,
                start: None,
                rv: now,
            });
        };
        let bad = |why: &str| Status::bad_request(format!("continue key is not valid: {why}"));
        let raw = base64::engine::general_purpose::URL_SAFE
            .decode(token)
            .or_else(|_| base64::engine::general_purpose::STANDARD.decode(token))
            .map_err(|e| bad(&e.to_string()))?;
        let v: Value = serde_json::from_slice(&raw).map_err(|e| bad(&e.to_string()))?;
        if v["v"] != "meta.k8s.io/v1" {
            return Err(bad(
                "incorrect encoded start resourceVersion (version meta.k8s.io/v1)",
            ));
        }
        let rv = v["rv"].as_u64().ok_or_else(|| bad("no resourceVersion"))?;
        let start = v["start"]
            .as_str()
            .map(|s| s.trim_end_matches('\0').to_string())
            .ok_or_else(|| bad("no start key"))?;
        Ok(Page {
            limit,
            start: Some(start),
            rv,
        })
    }

    fn token(rv: u64, last: &str) -> String {
        use base64::Engine;
        let v = json!({"v": "meta.k8s.io/v1", "rv": rv, "start": format!("{last}\0")});
        base64::engine::general_purpose::URL_SAFE.encode(v.to_string())
    }
}

/// A `meta.k8s.io/v1` Table of the objects, each row carrying the object's metadata (or
/// the whole object with `includeObject=Object`).
fn table(
    st: &State,
    res: &Resource,
    q: &Query,
    keys: &[String],
    items: Vec<Value>,
    rv: &str,
) -> Value {
    let cx = PrintCx { now: st.now() };
    let include = q.get("includeObject").unwrap_or("Metadata");
    let rows: Vec<Value> = keys
        .iter()
        .zip(items)
        .map(|(key, obj)| {
            let cells = res.ops.cells(st, key, &cx).unwrap_or_default();
            json!({"cells": cells, "object": row_object(include, obj)})
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": rv},
        "columnDefinitions": column_defs(res),
        "rows": rows,
    })
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_config;
