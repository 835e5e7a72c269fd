//! `kubectl create` with a generator: the object kubectl's generator builds (`namespace`,
//! `deployment`, `serviceaccount`, `configmap`, `secret generic|docker-registry|tls`, `job`
//! (also `--from=cronjob/X`), `cronjob`, `role`, `clusterrole`, `rolebinding`,
//! `clusterrolebinding`), printed with `--dry-run=client` or posted as kubectl posts it, with
//! its messages and errors.

use crate::Out;
use crate::api::{Api, Failure};
use crate::discovery::Discovery;
use base64::Engine;
use opsconsole_sim::lang::kubectl::Create;
use serde_json::{Map, Value, json};
use std::path::Path;

mod data;
mod rbac;
use data::*;
use rbac::*;

/// What a generator makes: the object, where it goes, and how kubectl names its kind.
struct Made {
    object: Value,
    /// `/api/v1`, `/apis/apps/v1`.
    base: &'static str,
    plural: &'static str,
    namespaced: bool,
    kind_name: &'static str,
    /// How the generator words the server's refusal (`None`: as the server's error).
    refused: Option<&'static str>,
}

impl Made {
    fn new(
        object: Value,
        base: &'static str,
        plural: &'static str,
        kind_name: &'static str,
    ) -> Made {
        Made {
            object,
            base,
            plural,
            namespaced: true,
            kind_name,
            refused: None,
        }
    }
    fn refused(self, how: &'static str) -> Made {
        Made {
            refused: Some(how),
            ..self
        }
    }
    fn cluster_scoped(self) -> Made {
        Made {
            namespaced: false,
            ..self
        }
    }
    fn collection(&self, namespace: &str) -> String {
        if self.namespaced {
            format!("{}/namespaces/{namespace}/{}", self.base, self.plural)
        } else {
            format!("{}/{}", self.base, self.plural)
        }
    }
}

/// What a generator reads: the command, the name, the namespace kubectl writes into the
/// object (given with `-n`), and what it had to ask the server first.
struct Gen<'a> {
    c: &'a Create,
    name: &'a str,
    namespace: Option<&'a str>,
    discovery: Option<&'a Discovery>,
    /// `job --from`'s source object.
    source: Option<&'a Value>,
}

impl Gen<'_> {
    /// Metadata as Go's `ObjectMeta` writes it: `name`, `namespace`, `creationTimestamp`.
    fn meta(&self, namespaced: bool) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("name".into(), json!(self.name));
        if let Some(ns) = self.namespace.filter(|_| namespaced) {
            m.insert("namespace".into(), json!(ns));
        }
        m.insert("creationTimestamp".into(), Value::Null);
        m
    }
    /// A flag's values, with comma-separated lists split (pflag's StringSlice).
    fn slice(&self, flag: &str) -> Vec<String> {
        self.c
            .all(flag)
            .iter()
            .flat_map(|v| v.split(','))
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .collect()
    }
}

type Generator = fn(&Gen) -> Result<Made, String>;

/// Every generator, by each name kubectl takes for it (the first is its command name).
const GENERATORS: &[(&[&str], Generator)] = &[
    (&["namespace", "ns"], namespace),
    (&["deployment", "deploy"], deployment),
    (&["serviceaccount", "sa"], serviceaccount),
    (&["configmap", "cm"], configmap),
    (&["secret generic"], secret_generic),
    (&["secret docker-registry"], secret_docker),
    (&["secret tls"], secret_tls),
    (&["job"], job),
    (&["cronjob", "cj"], cronjob),
    (&["role"], role),
    (&["clusterrole"], clusterrole),
    (&["rolebinding"], rolebinding),
    (&["clusterrolebinding"], clusterrolebinding),
];

const RBAC: &str = "/apis/rbac.authorization.k8s.io/v1";
const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// An object's head: `kind`, `apiVersion`, `metadata`.
fn head(kind: &str, api_version: &str, meta: Map<String, Value>) -> Map<String, Value> {
    let mut o = Map::new();
    o.insert("kind".into(), json!(kind));
    o.insert("apiVersion".into(), json!(api_version));
    o.insert("metadata".into(), Value::Object(meta));
    o
}

fn namespace(g: &Gen) -> Result<Made, String> {
    let mut o = head("Namespace", "v1", g.meta(false));
    o.insert("spec".into(), json!({}));
    o.insert("status".into(), json!({}));
    Ok(Made::new(Value::Object(o), "/api/v1", "namespaces", "namespace").cluster_scoped())
}

fn serviceaccount(g: &Gen) -> Result<Made, String> {
    let o = head("ServiceAccount", "v1", g.meta(true));
    Ok(Made::new(
        Value::Object(o),
        "/api/v1",
        "serviceaccounts",
        "serviceaccount",
    )
    .refused("failed to create serviceaccount: "))
}

/// A container as Go's struct orders it: name, image, command, ports, resources.
fn container(name: &str, image: &str, command: &[String], port: Option<i64>) -> Value {
    let mut c = Map::new();
    c.insert("name".into(), json!(name));
    c.insert("image".into(), json!(image));
    if !command.is_empty() {
        c.insert("command".into(), json!(command));
    }
    if let Some(p) = port {
        c.insert("ports".into(), json!([{"containerPort": p}]));
    }
    c.insert("resources".into(), json!({}));
    Value::Object(c)
}

fn deployment(g: &Gen) -> Result<Made, String> {
    let c = g.c;
    if c.images.is_empty() {
        return Err("error: required flag(s) \"image\" not set".into());
    }
    if c.images.len() > 1 && !c.command.is_empty() {
        return Err("error: cannot specify multiple --image options and command".into());
    }
    let replicas: i64 = c
        .replicas
        .as_deref()
        .map_or(Ok(1), str::parse)
        .map_err(|_| "error: invalid replicas".to_string())?;
    let port = c
        .port
        .as_deref()
        .and_then(|p| p.parse::<i64>().ok())
        .filter(|p| *p >= 0);
    let containers: Vec<Value> = c
        .images
        .iter()
        .zip(container_names(&c.images))
        .enumerate()
        .map(|(i, (image, name))| container(&name, image, &c.command, port.filter(|_| i == 0)))
        .collect();
    let labels = json!({"app": g.name});
    let mut meta = g.meta(true);
    meta.insert("labels".into(), labels.clone());
    let mut o = head("Deployment", "apps/v1", meta);
    o.insert(
        "spec".into(),
        json!({
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"creationTimestamp": null, "labels": labels}, "spec": {"containers": containers}},
            "strategy": {}
        }),
    );
    o.insert("status".into(), json!({}));
    Ok(Made::new(
        Value::Object(o),
        "/apis/apps/v1",
        "deployments",
        "deployment.apps",
    )
    .refused("failed to create deployment: "))
}

/// A container's name from its image, as kubectl's generator picks it: the last path
/// element without tag or digest; one with `_` or `.` gets them as `-` and a random
/// five-character suffix (kubectl's `sanitizeAndUniquify`).
fn container_names(images: &[String]) -> Vec<String> {
    images
        .iter()
        .map(|image| {
            let base = image.rsplit('/').next().unwrap_or(image);
            let base = base.split(':').next().unwrap_or(base);
            let base = base.split('@').next().unwrap_or(base);
            if base.contains(['_', '.']) {
                format!("{}-{}", base.replace(['_', '.'], "-"), random_suffix())
            } else {
                base.to_string()
            }
        })
        .collect()
}

/// Five characters of kubectl's random alphabet.
fn random_suffix() -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut n = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() as u64 ^ d.as_secs())
        .unwrap_or(7);
    (0..5)
        .map(|_| {
            n = n
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ALPHABET[(n >> 33) as usize % ALPHABET.len()] as char
        })
        .collect()
}

/// A pod template of one container named after the object, with `restart`.
fn pod_template(g: &Gen, image: &str, restart: &str) -> Value {
    json!({
        "metadata": {"creationTimestamp": null},
        "spec": {
            "containers": [container(g.name, image, &g.c.command, None)],
            "restartPolicy": restart,
        }
    })
}

fn job(g: &Gen) -> Result<Made, String> {
    let c = g.c;
    let image = c.last("image");
    let from = c.last("from");
    let made = |o: Map<String, Value>| {
        Made::new(Value::Object(o), "/apis/batch/v1", "jobs", "job.batch")
            .refused("failed to create job: ")
    };
    match (image, from) {
        (Some(_), Some(_)) | (None, None) => {
            Err("error: either --image or --from must be specified".into())
        }
        (Some(image), None) => {
            let mut o = head("Job", "batch/v1", g.meta(true));
            o.insert(
                "spec".into(),
                json!({"template": pod_template(g, &image, "Never")}),
            );
            o.insert("status".into(), json!({}));
            Ok(made(o))
        }
        (None, Some(_)) if !c.command.is_empty() => {
            Err("error: cannot specify --from and command".into())
        }
        (None, Some(_)) => {
            // The CronJob's job template, owned by it and marked as started by hand.
            let cj = g.source.ok_or("error: from must be an existing cronjob")?;
            let template = &cj["spec"]["jobTemplate"];
            let mut meta = g.meta(true);
            if let Some(l) = template["metadata"].get("labels") {
                meta.insert("labels".into(), l.clone());
            }
            let mut annotations = template["metadata"]
                .get("annotations")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            annotations.insert("cronjob.kubernetes.io/instantiate".into(), json!("manual"));
            meta.insert("annotations".into(), Value::Object(annotations));
            meta.insert(
                "ownerReferences".into(),
                json!([{
                    "apiVersion": "batch/v1",
                    "kind": "CronJob",
                    "name": cj["metadata"]["name"],
                    "uid": cj["metadata"]["uid"],
                    "controller": true
                }]),
            );
            let mut o = head("Job", "batch/v1", meta);
            o.insert("spec".into(), template["spec"].clone());
            o.insert("status".into(), json!({}));
            Ok(made(o))
        }
    }
}

fn cronjob(g: &Gen) -> Result<Made, String> {
    let c = g.c;
    let Some(image) = c.last("image") else {
        return Err("error: required flag(s) \"image\" not set".into());
    };
    let Some(schedule) = c.last("schedule") else {
        return Err("error: required flag(s) \"schedule\" not set".into());
    };
    let restart = c.last("restart").unwrap_or_else(|| "OnFailure".into());
    let mut o = head("CronJob", "batch/v1", g.meta(true));
    o.insert(
        "spec".into(),
        json!({
            "schedule": schedule,
            "jobTemplate": {
                "metadata": {"name": g.name, "creationTimestamp": null},
                "spec": {"template": pod_template(g, &image, &restart)}
            }
        }),
    );
    o.insert("status".into(), json!({}));
    Ok(Made::new(
        Value::Object(o),
        "/apis/batch/v1",
        "cronjobs",
        "cronjob.batch",
    )
    .refused("failed to create cronjob: "))
}

/// The verbs kubectl knows (others are warned about, and kept).
const VERBS: &[&str] = &[
    "*",
    "get",
    "delete",
    "list",
    "create",
    "update",
    "patch",
    "watch",
    "proxy",
    "deletecollection",
    "use",
    "bind",
    "escalate",
    "impersonate",
];

/// What a generator needs from the server before it runs: discovery for a role's
/// resources, the source of `job --from`.
async fn ask_first(
    api: &Api,
    namespace: &str,
    canonical: &str,
    c: &Create,
) -> Result<(Option<Discovery>, Option<Value>), String> {
    match canonical {
        "role" | "clusterrole" if !c.all("resource").is_empty() => {
            let d = Discovery::load(api).await.map_err(|e| e.to_string())?;
            Ok((Some(d), None))
        }
        "job" if c.last("image").is_none() => {
            let Some(from) = c.last("from") else {
                return Ok((None, None));
            };
            let (kind, name) = from.split_once('/').unwrap_or(("", &from));
            if !matches!(
                kind,
                "cronjob" | "cronjobs" | "cj" | "cronjob.batch" | "cronjobs.batch"
            ) {
                let d = Discovery::load(api).await.map_err(|e| e.to_string())?;
                let Some(r) = d.resolve(kind).and_then(|rs| rs.first().copied()) else {
                    return Err(format!(
                        "error: the server doesn't have a resource type \"{kind}\""
                    ));
                };
                // kubectl looks the object up before it refuses its kind.
                api.get(
                    &format!("{}/{name}", r.path(Some(namespace))),
                    "application/json",
                )
                .await
                .map_err(|e| e.to_string())?;
                return Err(format!(
                    "error: unknown object type *{}.{}",
                    r.version, r.kind
                ));
            }
            let cj = api
                .get(
                    &format!("/apis/batch/v1/namespaces/{namespace}/cronjobs/{name}"),
                    "application/json",
                )
                .await
                .map_err(|e| e.to_string())?;
            Ok((None, Some(cj)))
        }
        _ => Ok((None, None)),
    }
}

pub async fn run(api: &Api, namespace: &str, enforce: bool, c: &Create, out: &mut Out) -> i32 {
    let fail = |out: &mut Out, e: &str| {
        out.eprint(&format!("{e}\n"));
        1
    };
    if c.what.is_empty() {
        return fail(
            out,
            "error: must specify one of -f and -k\n\nSee 'kubectl create -h' for help and examples",
        );
    }
    let Some((names, generator)) = GENERATORS
        .iter()
        .find(|(n, _)| n.contains(&c.what.as_str()))
    else {
        return fail(
            out,
            &format!(
                "error: opsconsole does not run `kubectl create {}` yet",
                c.what
            ),
        );
    };
    let canonical = names[0];
    if c.args.len() != 1 {
        return fail(
            out,
            &format!(
                "error: exactly one NAME is required, got {}\nSee 'kubectl create {canonical} -h' for help and examples",
                c.args.len()
            ),
        );
    }
    let format =
        match crate::printer::parse(c.output.as_deref(), None, crate::printer::CHANGE_FORMATS) {
            Ok(f) => f,
            Err(e) => return fail(out, &e),
        };
    let (discovery, source) = match ask_first(api, namespace, canonical, c).await {
        Ok(x) => x,
        Err(e) => return fail(out, &e),
    };
    let g = Gen {
        c,
        name: &c.args[0],
        namespace: enforce.then_some(namespace),
        discovery: discovery.as_ref(),
        source: source.as_ref(),
    };
    if matches!(canonical, "role" | "clusterrole")
        && let Ok((_, warnings)) = rules(&g, canonical == "clusterrole")
    {
        out.eprint(&warnings.concat());
    }
    let made = match generator(&g) {
        Ok(m) => m,
        Err(e) => return fail(out, &e),
    };
    let slash = format!("{}/{}", made.kind_name, g.name);
    let dry = c.dry_run.as_deref().unwrap_or("none");
    if dry == "client" {
        return match crate::printer::generated(&format, &slash, &made.object, "created (dry run)") {
            Ok(t) => {
                out.print(&t);
                0
            }
            Err(e) => fail(out, &e),
        };
    }
    let mut url = made.collection(namespace);
    let mut query = Vec::new();
    if let Some(m) = &c.field_manager {
        query.push(format!("fieldManager={}", crate::api::enc(m)));
    }
    if dry == "server" {
        query.push("dryRun=All".into());
    }
    if !query.is_empty() {
        url = format!("{url}?{}", query.join("&"));
    }
    let body = serde_json::to_vec(&made.object).unwrap_or_default();
    match api
        .call("POST", &url, "application/json", body, "application/json")
        .await
    {
        Ok(mut answer) => {
            // kubectl prints the answer as its Go type: a ClusterRole's `rules` is there
            // even when null.
            if let Some(o) = answer
                .as_object_mut()
                .filter(|_| canonical == "clusterrole")
            {
                o.entry("rules").or_insert(Value::Null);
            }
            let message = if dry == "server" {
                "created (server dry run)"
            } else {
                "created"
            };
            match crate::printer::changed(&format, &slash, &answer, message) {
                Ok(t) => {
                    out.print(&t);
                    0
                }
                Err(e) => fail(out, &e),
            }
        }
        Err(e) => match (made.refused, e) {
            (Some(how), Failure::Status { message, .. }) => {
                fail(out, &format!("error: {how}{message}"))
            }
            (_, e) => fail(out, &e.to_string()),
        },
    }
}
