//! Compose files for `docker stack deploy`, converted client-side the way the docker CLI does:
//! a `<stack>_default` overlay network, services named `<stack>_<service>` and labelled with
//! `com.docker.stack.namespace`, named volumes prefixed with the stack name.

mod file;
mod interp;
mod service;
#[cfg(test)]
mod tests;

use crate::NetworkCreate;
use crate::lang::service::Resolve;
use crate::model::*;
use file::*;
use interp::{interpolate, yaml_error};
use serde_json::Value;
use service::Stack;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct StackPlan {
    /// Networks to create if missing (already namespaced).
    pub networks: Vec<NetworkCreate>,
    /// External networks that must already exist.
    pub external_networks: Vec<String>,
    pub services: Vec<ServiceSpec>,
    /// "Ignoring unsupported options: ..." lines.
    pub warnings: Vec<String>,
}

/// Parses a compose file and plans the stack.
pub fn plan(
    file: &str,
    text: &str,
    stack: &str,
    env: &dyn Fn(&str) -> Option<String>,
    resolve: Resolve,
) -> Result<StackPlan, String> {
    if !crate::valid_dns_name(stack) {
        return Err(format!(
            "Invalid stack name {stack:?}: must be valid as a DNS name component"
        ));
    }
    let text = interpolate(text, env).map_err(|e| format!("{file}: {e}"))?;
    let f: File = serde_saphyr::from_str(&text).map_err(|e| yaml_error(file, e))?;
    if let Some(k) = f.extensions.keys().find(|k| !k.starts_with("x-")) {
        return Err(format!(
            "{file}: (root) Additional property {k} is not allowed"
        ));
    }
    if let Some(v) = &f.version {
        let v = scalar(v);
        if !v.starts_with('3') {
            return Err(format!(
                "{file}: unsupported Compose file version: {v}. Stack files need version 3 or later"
            ));
        }
    }
    if f.services.is_empty() {
        return Err(format!("{file}: no services to deploy"));
    }
    let _ = (&f.configs, &f.secrets);
    let mut warnings = Vec::new();
    let mut networks = Vec::new();
    let mut external_networks = Vec::new();
    let mut st = Stack {
        file,
        name: stack,
        f: &f,
        resolve,
        net_names: BTreeMap::new(),
    };
    let ns_labels = |extra: &Labels| -> Labels {
        let mut l = extra.clone();
        l.insert(STACK_LABEL.into(), stack.to_string());
        l
    };
    // Network names as the stack sees them -> real names.
    let uses_default = f.services.values().any(|s| s.networks.is_none());
    let mut declared = f.networks.clone();
    if uses_default && !declared.contains_key("default") {
        declared.insert("default".into(), None);
    }
    for (name, decl) in &declared {
        let decl = decl.as_ref();
        let external = decl
            .and_then(|d| d.external.as_ref())
            .is_some_and(|v| !matches!(v, Value::Bool(false)));
        if external {
            let real = decl
                .and_then(|d| d.name.clone())
                .unwrap_or_else(|| name.clone());
            external_networks.push(real.clone());
            st.net_names.insert(name.clone(), real);
            continue;
        }
        let real = decl
            .and_then(|d| d.name.clone())
            .unwrap_or_else(|| format!("{stack}_{name}"));
        let driver = decl
            .and_then(|d| d.driver.clone())
            .unwrap_or_else(|| "overlay".into());
        let mut labels = ns_labels(&Labels::new());
        if let Some(l) = decl.and_then(|d| d.labels.as_ref()) {
            for (k, v) in l.pairs() {
                labels.insert(k, v.unwrap_or_default());
            }
        }
        let opts: Labels = decl
            .map(|d| {
                d.driver_opts
                    .iter()
                    .map(|(k, v)| (k.clone(), scalar(v)))
                    .collect()
            })
            .unwrap_or_default();
        networks.push(NetworkCreate {
            name: real.clone(),
            driver,
            subnet: None,
            gateway: None,
            attachable: decl.is_some_and(|d| d.attachable),
            internal: decl.is_some_and(|d| d.internal),
            encrypted: opts.contains_key("encrypted"),
            labels,
            options: opts.into_iter().filter(|(k, _)| k != "encrypted").collect(),
        });
        st.net_names.insert(name.clone(), real);
    }
    let mut services = Vec::new();
    let mut unsupported: Vec<&'static str> = Vec::new();
    for (short, s) in &f.services {
        services.push(st.service(short, s, &mut unsupported)?);
    }
    if !unsupported.is_empty() {
        warnings.push(format!(
            "Ignoring unsupported options: {}\n",
            unsupported.join(", ")
        ));
    }
    Ok(StackPlan {
        networks,
        external_networks,
        services,
        warnings,
    })
}

/// Reads and plans the compose files of one `stack deploy` (later files override services of
/// the same name), as the docker CLI does on the client side.
pub fn plan_files(
    files: &[String],
    cwd: &std::path::Path,
    stack: &str,
    env: &dyn Fn(&str) -> Option<String>,
    resolve: Resolve,
    stdin: Option<&str>,
) -> Result<StackPlan, String> {
    let mut merged: Option<StackPlan> = None;
    for f in files {
        let path = cwd.join(f);
        // `-` is the compose file on standard input.
        let text = if f == "-" {
            stdin
                .map(str::to_string)
                .ok_or_else(|| "-: no compose file on standard input".to_string())?
        } else {
            std::fs::read_to_string(&path).map_err(|e| {
                let why = if e.kind() == std::io::ErrorKind::NotFound {
                    "no such file or directory".to_string()
                } else {
                    e.to_string()
                };
                format!("open {}: {why}", path.display())
            })?
        };
        let p = plan(f, &text, stack, env, resolve)?;
        let Some(mut acc) = merged.take() else {
            merged = Some(p);
            continue;
        };
        for s in p.services {
            acc.services.retain(|x| x.name != s.name);
            acc.services.push(s);
        }
        for n in p.networks {
            if !acc.networks.iter().any(|x| x.name == n.name) {
                acc.networks.push(n);
            }
        }
        acc.external_networks.extend(p.external_networks);
        acc.warnings.extend(p.warnings);
        merged = Some(acc);
    }
    merged.ok_or_else(|| "Please specify a Compose file (with --compose-file).".to_string())
}
