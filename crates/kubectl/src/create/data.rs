//! The generators of data objects: `configmap` and `secret generic|docker-registry|tls`,
//! with their sources (`--from-literal`, `--from-file`, `--from-env-file`).

use super::*;

/// The keys and contents of `--from-literal`, `--from-file` and `--from-env-file`.
pub(super) fn sources(c: &Create) -> Result<Vec<(String, Vec<u8>)>, String> {
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

pub(super) fn configmap(g: &Gen) -> Result<Made, String> {
    let mut data = Map::new();
    let mut binary = Map::new();
    for (k, v) in sources(g.c)? {
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
    let mut o = head("ConfigMap", "v1", g.meta(true));
    if !data.is_empty() {
        o.insert("data".into(), Value::Object(data));
    }
    if !binary.is_empty() {
        o.insert("binaryData".into(), Value::Object(binary));
    }
    Ok(
        Made::new(Value::Object(o), "/api/v1", "configmaps", "configmap")
            .refused("failed to create configmap: "),
    )
}

/// A Secret of `ty` holding `data` (values base64-encoded here).
pub(super) fn secret(g: &Gen, data: Vec<(String, Vec<u8>)>, ty: Option<&str>) -> Made {
    let engine = base64::engine::general_purpose::STANDARD;
    let mut o = head("Secret", "v1", g.meta(true));
    if !data.is_empty() {
        let data: Map<String, Value> = data
            .into_iter()
            .map(|(k, v)| (k, json!(engine.encode(v))))
            .collect();
        o.insert("data".into(), Value::Object(data));
    }
    if let Some(t) = ty {
        o.insert("type".into(), json!(t));
    }
    Made::new(Value::Object(o), "/api/v1", "secrets", "secret").refused("failed to create secret ")
}

pub(super) fn secret_generic(g: &Gen) -> Result<Made, String> {
    Ok(secret(g, sources(g.c)?, g.c.secret_type.as_deref()))
}

pub(super) fn secret_docker(g: &Gen) -> Result<Made, String> {
    let c = g.c;
    let from_files = c.all("from-file");
    if !from_files.is_empty() {
        return Ok(secret(
            g,
            sources(c)?,
            Some("kubernetes.io/dockerconfigjson"),
        ));
    }
    let (Some(user), Some(password)) = (c.last("docker-username"), c.last("docker-password"))
    else {
        return Err("error: either --from-file or the combination of --docker-username, --docker-password and --docker-server is required".into());
    };
    let server = c
        .last("docker-server")
        .unwrap_or_else(|| "https://index.docker.io/v1/".into());
    let engine = base64::engine::general_purpose::STANDARD;
    let mut entry = Map::new();
    entry.insert("username".into(), json!(user));
    entry.insert("password".into(), json!(password));
    if let Some(e) = c.last("docker-email").filter(|e| !e.is_empty()) {
        entry.insert("email".into(), json!(e));
    }
    entry.insert(
        "auth".into(),
        json!(engine.encode(format!("{user}:{password}"))),
    );
    let mut auths = Map::new();
    auths.insert(server, Value::Object(entry));
    let config = serde_json::to_vec(&json!({"auths": auths})).unwrap_or_default();
    Ok(secret(
        g,
        vec![(".dockerconfigjson".into(), config)],
        Some("kubernetes.io/dockerconfigjson"),
    ))
}

pub(super) fn secret_tls(g: &Gen) -> Result<Made, String> {
    let (Some(cert), Some(key)) = (g.c.last("cert"), g.c.last("key")) else {
        return Err("error: key and cert must be specified".into());
    };
    let read = |p: &str, what: &str| {
        let bytes = std::fs::read(p).map_err(|e| {
            format!(
                "error: Cannot read file {p}, open {p}: {}",
                crate::go_io_error(&e)
            )
        })?;
        // Go's `tls.X509KeyPair` first looks for PEM blocks.
        if !String::from_utf8_lossy(&bytes).contains("-----BEGIN ") {
            return Err(format!(
                "error: tls: failed to find any PEM data in {what} input"
            ));
        }
        Ok(bytes)
    };
    let data = vec![
        ("tls.crt".into(), read(&cert, "certificate")?),
        ("tls.key".into(), read(&key, "key")?),
    ];
    Ok(secret(g, data, Some("kubernetes.io/tls")))
}
