//! `kubectl create` with a generator: the object kubectl's generator builds (`namespace`,
//! `deployment`, `serviceaccount`, `configmap`, `secret generic`), posted as kubectl posts
//! it, with its messages and errors.

use crate::Out;
use crate::api::{Api, Failure};
use base64::Engine;
use opsconsole_sim::lang::kubectl::Create;
use serde_json::{Map, Value, json};
use std::path::Path;

/// What a generator makes: the object, where it goes, and how kubectl names its kind.
struct Made {
    object: Value,
    /// `None`: cluster-scoped.
    collection: fn(Option<&str>) -> String,
    kind_name: &'static str,
    /// How the generator words the server's refusal (`None`: as the server's error).
    refused: Option<&'static str>,
}

type Generator = fn(&Create, &str) -> Result<Made, String>;

/// Every generator, by each name kubectl takes for it.
const GENERATORS: &[(&[&str], &str, Generator)] = &[
    (&["namespace", "ns"], "namespace", namespace),
    (&["deployment", "deploy"], "deployment", deployment),
    (&["serviceaccount", "sa"], "serviceaccount", serviceaccount),
    (&["configmap", "cm"], "configmap", configmap),
    (&["secret generic"], "secret generic", secret_generic),
];

fn core(plural: &'static str) -> impl Fn(Option<&str>) -> String {
    move |ns| match ns {
        Some(ns) => format!("/api/v1/namespaces/{ns}/{plural}"),
        None => format!("/api/v1/{plural}"),
    }
}

fn namespace(_: &Create, name: &str) -> Result<Made, String> {
    Ok(Made {
        object: json!({"kind": "Namespace", "apiVersion": "v1", "metadata": {"name": name}, "spec": {}, "status": {}}),
        collection: |_| "/api/v1/namespaces".into(),
        kind_name: "namespace",
        refused: None,
    })
}

fn serviceaccount(_: &Create, name: &str) -> Result<Made, String> {
    Ok(Made {
        object: json!({"kind": "ServiceAccount", "apiVersion": "v1", "metadata": {"name": name}}),
        collection: |ns| core("serviceaccounts")(ns),
        kind_name: "serviceaccount",
        refused: Some("failed to create serviceaccount: "),
    })
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

fn deployment(c: &Create, name: &str) -> Result<Made, String> {
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
    let mut containers = Vec::new();
    for (i, (image, name)) in c.images.iter().zip(container_names(&c.images)).enumerate() {
        let mut ctr = json!({"name": name, "image": image, "resources": {}});
        if let Some(p) = c.port.as_deref().and_then(|p| p.parse::<i64>().ok())
            && i == 0
            && p >= 0
        {
            ctr["ports"] = json!([{"containerPort": p}]);
        }
        if !c.command.is_empty() {
            ctr["command"] = json!(c.command);
        }
        containers.push(ctr);
    }
    let labels = json!({"app": name});
    Ok(Made {
        object: json!({
            "kind": "Deployment", "apiVersion": "apps/v1",
            "metadata": {"name": name, "labels": labels},
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": labels},
                "template": {"metadata": {"labels": labels}, "spec": {"containers": containers}},
                "strategy": {}
            },
            "status": {}
        }),
        collection: |ns| match ns {
            Some(ns) => format!("/apis/apps/v1/namespaces/{ns}/deployments"),
            None => "/apis/apps/v1/deployments".into(),
        },
        kind_name: "deployment.apps",
        refused: Some("failed to create deployment: "),
    })
}

/// The keys and contents of `--from-literal`, `--from-file` and `--from-env-file`.
fn sources(c: &Create) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    let add = |k: String, v: Vec<u8>, out: &mut Vec<(String, Vec<u8>)>| {
        if out.iter().any(|(have, _)| *have == k) {
            return Err(format!(
                "error: cannot add key \"{k}\", another key by that name already exists in Data for ConfigMap \"{}\"",
                c.args.first().map(String::as_str).unwrap_or_default()
            ));
        }
        out.push((k, v));
        Ok(())
    };
    for lit in &c.from_literal {
        let Some((k, v)) = lit.split_once('=').filter(|(k, _)| !k.is_empty()) else {
            return Err(format!(
                "error: invalid literal source {lit}, expected key=value"
            ));
        };
        add(k.to_string(), v.as_bytes().to_vec(), &mut out)?;
    }
    for src in &c.from_file {
        let (key, path) = match src.split_once('=') {
            Some((k, p)) => (Some(k.to_string()), p),
            None => (None, src.as_str()),
        };
        let p = Path::new(path);
        if p.is_dir() {
            let mut entries: Vec<_> = std::fs::read_dir(p)
                .map_err(|e| format!("error: error reading {path}: {e}"))?
                .filter_map(Result::ok)
                .filter(|e| e.path().is_file())
                .collect();
            entries.sort_by_key(|e| e.file_name());
            for e in entries {
                let bytes = std::fs::read(e.path())
                    .map_err(|err| format!("error: error reading {}: {err}", e.path().display()))?;
                add(
                    e.file_name().to_string_lossy().into_owned(),
                    bytes,
                    &mut out,
                )?;
            }
            continue;
        }
        let bytes = std::fs::read(p)
            .map_err(|_| format!("error: error reading {path}: no such file or directory"))?;
        let key = key.unwrap_or_else(|| {
            p.file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
        add(key, bytes, &mut out)?;
    }
    for env in &c.from_env_file {
        let text = std::fs::read_to_string(env)
            .map_err(|_| format!("error: open {env}: no such file or directory"))?;
        for line in text.lines() {
            let line = line.trim_start();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match line.split_once('=') {
                Some((k, v)) => add(k.to_string(), v.as_bytes().to_vec(), &mut out)?,
                None => add(line.to_string(), Vec::new(), &mut out)?,
            }
        }
    }
    Ok(out)
}

fn configmap(c: &Create, name: &str) -> Result<Made, String> {
    let mut data = Map::new();
    let mut binary = Map::new();
    for (k, v) in sources(c)? {
        match String::from_utf8(v) {
            Ok(s) => {
                data.insert(k, json!(s));
            }
            Err(e) => {
                let b64 = base64::engine::general_purpose::STANDARD.encode(e.into_bytes());
                binary.insert(k, json!(b64));
            }
        }
    }
    let mut object = json!({"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": name}});
    if !data.is_empty() {
        object["data"] = Value::Object(data);
    }
    if !binary.is_empty() {
        object["binaryData"] = Value::Object(binary);
    }
    Ok(Made {
        object,
        collection: |ns| core("configmaps")(ns),
        kind_name: "configmap",
        refused: Some("failed to create configmap: "),
    })
}

fn secret_generic(c: &Create, name: &str) -> Result<Made, String> {
    let mut data = Map::new();
    for (k, v) in sources(c)? {
        data.insert(
            k,
            json!(base64::engine::general_purpose::STANDARD.encode(v)),
        );
    }
    let mut object = json!({"kind": "Secret", "apiVersion": "v1", "metadata": {"name": name}});
    if !data.is_empty() {
        object["data"] = Value::Object(data);
    }
    if let Some(t) = &c.secret_type {
        object["type"] = json!(t);
    }
    Ok(Made {
        object,
        collection: |ns| core("secrets")(ns),
        kind_name: "secret",
        refused: Some("failed to create secret "),
    })
}

pub async fn run(api: &Api, namespace: &str, c: &Create, out: &mut Out) -> i32 {
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
    let Some((_, canonical, generator)) = GENERATORS
        .iter()
        .find(|(n, _, _)| n.contains(&c.what.as_str()))
    else {
        return fail(
            out,
            &format!(
                "error: opsconsole does not run `kubectl create {}` yet",
                c.what
            ),
        );
    };
    if c.args.len() != 1 {
        return fail(
            out,
            &format!(
                "error: exactly one NAME is required, got {}\nSee 'kubectl create {canonical} -h' for help and examples",
                c.args.len()
            ),
        );
    }
    let name = &c.args[0];
    let made = match generator(c, name) {
        Ok(m) => m,
        Err(e) => return fail(out, &e),
    };
    let namespaced = made.kind_name != "namespace";
    let url = (made.collection)(namespaced.then_some(namespace));
    let body = serde_json::to_vec(&made.object).unwrap_or_default();
    match api
        .call("POST", &url, "application/json", body, "application/json")
        .await
    {
        Ok(_) => {
            if c.output.as_deref() == Some("name") {
                out.print(&format!("{}/{name}\n", made.kind_name));
            } else {
                out.print(&format!("{}/{name} created\n", made.kind_name));
            }
            0
        }
        Err(e) => match (made.refused, e) {
            (Some(how), Failure::Status { message, .. }) => {
                fail(out, &format!("error: {how}{message}"))
            }
            (_, e) => fail(out, &e.to_string()),
        },
    }
}
