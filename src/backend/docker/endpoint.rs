//! Which Docker engine to talk to, decided the way the docker CLI decides it: an explicit host,
//! else `--context`, else `DOCKER_HOST`, else `DOCKER_CONTEXT`, else the config's
//! `currentContext`, else the local socket. Contexts are read from the CLI's own store
//! (`~/.docker/contexts/meta/<sha256(name)>/meta.json`, TLS material under `contexts/tls`).

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const DEFAULT_SOCKET: &str = "unix:///var/run/docker.sock";

/// Client certificates for a TLS connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tls {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// What the user asked for on the command line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Request {
    /// `--docker HOST` (None: work it out).
    pub host: Option<String>,
    /// `--context NAME`.
    pub context: Option<String>,
    /// `--tlsverify` (with `--tlscacert/--tlscert/--tlskey` or DOCKER_CERT_PATH).
    pub tls_verify: bool,
    pub tls_ca: Option<PathBuf>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
}

/// A resolved endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// `unix:///path`, `tcp://host:port` or `ssh://user@host`.
    pub host: String,
    /// The docker context it came from ("default" when none was used).
    pub context: String,
    pub tls: Option<Tls>,
}

impl Endpoint {
    /// What the header shows.
    pub fn describe(&self) -> String {
        let tls = if self.tls.is_some() { " (TLS)" } else { "" };
        format!("{}{tls} · context {}", self.host, self.context)
    }
}

/// Where the docker CLI keeps its configuration, and the environment that matters.
#[derive(Clone, Debug, Default)]
pub struct Env {
    /// DOCKER_CONFIG, else ~/.docker.
    pub config_dir: Option<PathBuf>,
    pub vars: BTreeMap<String, String>,
}

impl Env {
    /// The process's own environment.
    pub fn from_process() -> Env {
        let vars: BTreeMap<String, String> = ["DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY"]
            .into_iter()
            .chain(["DOCKER_CERT_PATH", "DOCKER_CONFIG"])
            .filter_map(|k| std::env::var(k).ok().map(|v| (k.to_string(), v)))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        let config_dir = vars
            .get("DOCKER_CONFIG")
            .map(PathBuf::from)
            .or_else(|| directories::BaseDirs::new().map(|b| b.home_dir().join(".docker")));
        Env { config_dir, vars }
    }

    fn var(&self, k: &str) -> Option<&str> {
        self.vars.get(k).map(String::as_str)
    }
}

fn context_hash(name: &str) -> String {
    let d = Sha256::digest(name.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

fn read_json(path: &Path) -> Result<serde_json::Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: line {}: {e}", path.display(), e.line()))
}

/// Resolves the endpoint; an error names the context or file that is wrong.
pub fn resolve(req: &Request, env: &Env) -> Result<Endpoint, String> {
    let explicit_tls = |host: String, context: &str| -> Result<Endpoint, String> {
        Ok(Endpoint {
            tls: tls_from_flags(req, env, &host)?,
            host: normalize_host(&host)?,
            context: context.to_string(),
        })
    };
    if let Some(h) = &req.host {
        return explicit_tls(h.clone(), "default");
    }
    let context = match &req.context {
        Some(c) => Some(c.clone()),
        None => {
            if let Some(h) = env.var("DOCKER_HOST") {
                return explicit_tls(h.to_string(), "default");
            }
            match env.var("DOCKER_CONTEXT") {
                Some(c) => Some(c.to_string()),
                None => current_context(env)?,
            }
        }
    };
    match context.as_deref() {
        None | Some("default") => explicit_tls(DEFAULT_SOCKET.to_string(), "default"),
        Some(name) => from_context(name, env),
    }
}

fn current_context(env: &Env) -> Result<Option<String>, String> {
    let Some(dir) = &env.config_dir else {
        return Ok(None);
    };
    let path = dir.join("config.json");
    if !path.exists() {
        return Ok(None);
    }
    let v = read_json(&path)?;
    Ok(v.get("currentContext")
        .and_then(|c| c.as_str())
        .filter(|c| !c.is_empty())
        .map(str::to_string))
}

fn from_context(name: &str, env: &Env) -> Result<Endpoint, String> {
    let dir = env
        .config_dir
        .as_ref()
        .ok_or_else(|| format!("context {name:?} not found: no docker config directory"))?;
    let hash = context_hash(name);
    let meta = dir.join("contexts/meta").join(&hash).join("meta.json");
    if !meta.exists() {
        return Err(format!(
            "context {name:?} does not exist (looked for {})",
            meta.display()
        ));
    }
    let v = read_json(&meta)?;
    let docker = v.pointer("/Endpoints/docker").ok_or_else(|| {
        format!(
            "{}: context {name:?} has no docker endpoint",
            meta.display()
        )
    })?;
    let host = docker
        .get("Host")
        .and_then(|h| h.as_str())
        .ok_or_else(|| format!("{}: context {name:?} has no Host", meta.display()))?;
    let tls_dir = dir.join("contexts/tls").join(&hash).join("docker");
    let tls = if tls_dir.join("cert.pem").exists() {
        Some(Tls {
            ca: tls_dir.join("ca.pem"),
            cert: tls_dir.join("cert.pem"),
            key: tls_dir.join("key.pem"),
        })
    } else {
        None
    };
    Ok(Endpoint {
        host: normalize_host(host)?,
        context: name.to_string(),
        tls,
    })
}

fn tls_from_flags(req: &Request, env: &Env, host: &str) -> Result<Option<Tls>, String> {
    let verify = req.tls_verify
        || req.tls_ca.is_some()
        || req.tls_cert.is_some()
        || env
            .var("DOCKER_TLS_VERIFY")
            .is_some_and(|v| v != "0" && !v.is_empty());
    if !verify || !host.starts_with("tcp://") && !host.starts_with("https://") {
        return Ok(None);
    }
    let base = env
        .var("DOCKER_CERT_PATH")
        .map(PathBuf::from)
        .or_else(|| env.config_dir.clone())
        .ok_or("TLS requested but no certificate directory (set DOCKER_CERT_PATH)")?;
    let tls = Tls {
        ca: req.tls_ca.clone().unwrap_or_else(|| base.join("ca.pem")),
        cert: req
            .tls_cert
            .clone()
            .unwrap_or_else(|| base.join("cert.pem")),
        key: req.tls_key.clone().unwrap_or_else(|| base.join("key.pem")),
    };
    for p in [&tls.ca, &tls.cert, &tls.key] {
        if !p.exists() {
            return Err(format!("TLS: {} does not exist", p.display()));
        }
    }
    Ok(Some(tls))
}

/// Checks a host's form: `unix://`, `tcp://`, `http(s)://`, `ssh://`, or a bare socket path.
pub fn normalize_host(h: &str) -> Result<String, String> {
    let h = h.trim();
    if h.starts_with('/') {
        return Ok(format!("unix://{h}"));
    }
    let Some((scheme, rest)) = h.split_once("://") else {
        return Err(format!(
            "invalid docker host {h:?}: expected unix:///path, tcp://host:port or ssh://user@host"
        ));
    };
    if rest.is_empty() {
        return Err(format!(
            "invalid docker host {h:?}: nothing after {scheme}://"
        ));
    }
    match scheme {
        "unix" | "ssh" | "http" | "https" => Ok(h.to_string()),
        "tcp" => {
            if rest.contains(':') {
                Ok(h.to_string())
            } else {
                // The docker CLI's default port.
                Ok(format!("{h}:2375"))
            }
        }
        "npipe" => Err(format!("{h}: named pipes exist only on Windows")),
        other => Err(format!(
            "invalid docker host {h:?}: unknown scheme {other:?} (use unix, tcp or ssh)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(dir: &Path, vars: &[(&str, &str)]) -> Env {
        Env {
            config_dir: Some(dir.to_path_buf()),
            vars: vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    fn write_context(dir: &Path, name: &str, host: &str) {
        let meta = dir.join("contexts/meta").join(context_hash(name));
        std::fs::create_dir_all(&meta).unwrap();
        std::fs::write(
            meta.join("meta.json"),
            format!(
                r#"{{"Name":"{name}","Metadata":{{}},"Endpoints":{{"docker":{{"Host":"{host}","SkipTLSVerify":false}}}}}}"#
            ),
        )
        .unwrap();
    }

    #[test]
    fn the_cli_order() {
        let d = tempfile::tempdir().unwrap();
        write_context(d.path(), "remote", "ssh://ops@prod");
        std::fs::write(
            d.path().join("config.json"),
            r#"{"currentContext":"remote"}"#,
        )
        .unwrap();
        let r = Request::default();
        // The config's current context.
        let e = resolve(&r, &env(d.path(), &[])).unwrap();
        assert_eq!(
            (e.host.as_str(), e.context.as_str()),
            ("ssh://ops@prod", "remote")
        );
        // DOCKER_HOST wins over the config.
        let e = resolve(&r, &env(d.path(), &[("DOCKER_HOST", "tcp://10.0.0.1")])).unwrap();
        assert_eq!(e.host, "tcp://10.0.0.1:2375");
        // An explicit host wins over everything.
        let r2 = Request {
            host: Some("unix:///tmp/x.sock".into()),
            ..Request::default()
        };
        let e = resolve(&r2, &env(d.path(), &[("DOCKER_HOST", "tcp://a:1")])).unwrap();
        assert_eq!(e.host, "unix:///tmp/x.sock");
        // --context wins over DOCKER_HOST; "default" is the local socket.
        let r3 = Request {
            context: Some("default".into()),
            ..Request::default()
        };
        let e = resolve(&r3, &env(d.path(), &[("DOCKER_HOST", "tcp://a:1")])).unwrap();
        assert_eq!(e.host, DEFAULT_SOCKET);
        // No config at all: the local socket.
        let empty = tempfile::tempdir().unwrap();
        assert_eq!(
            resolve(&r, &env(empty.path(), &[])).unwrap().host,
            DEFAULT_SOCKET
        );
    }

    #[test]
    fn context_hash_is_the_clis() {
        // `docker context create remote` stores it under this directory name.
        assert_eq!(
            context_hash("default"),
            "37a8eec1ce19687d132fe29051dca629d164e2c4958ba141d5f4133a33f0688f"
        );
    }

    #[test]
    fn bad_input_names_the_value() {
        let d = tempfile::tempdir().unwrap();
        let r = Request {
            context: Some("nope".into()),
            ..Request::default()
        };
        let e = resolve(&r, &env(d.path(), &[])).unwrap_err();
        assert!(e.contains("context \"nope\" does not exist"), "{e}");
        std::fs::write(d.path().join("config.json"), "{ not json").unwrap();
        let e = resolve(&Request::default(), &env(d.path(), &[])).unwrap_err();
        assert!(e.contains("config.json: line 1"), "{e}");
        assert!(
            normalize_host("ftp://x")
                .unwrap_err()
                .contains("unknown scheme")
        );
        assert!(
            normalize_host("localhost")
                .unwrap_err()
                .contains("expected unix")
        );
        let tls = Request {
            host: Some("tcp://h:2376".into()),
            tls_verify: true,
            ..Request::default()
        };
        let e = resolve(&tls, &env(d.path(), &[])).unwrap_err();
        assert!(e.contains("ca.pem does not exist"), "{e}");
    }
}
