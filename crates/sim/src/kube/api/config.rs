//! What the API server does to ConfigMaps, Secrets and ServiceAccounts: Secret types and
//! `stringData`, config keys, the type-specific keys, and `immutable`.

use super::registry::Served;
use crate::model::kube::*;
use k8s_openapi::ByteString;
use std::collections::BTreeMap;

/// apimachinery's `IsConfigMapKey`, for the keys of `data` at `field`.
fn key_problems<'a>(
    field: &str,
    keys: impl Iterator<Item = &'a String>,
    out: &mut Vec<(String, String)>,
) {
    for k in keys {
        let mut why = Vec::new();
        if k.len() > 253 {
            why.push("must be no more than 253 characters".to_string());
        }
        if k.is_empty()
            || !k
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        {
            why.push("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')".into());
        }
        if k == "." {
            why.push("must not be '.'".into());
        } else if k == ".." {
            why.push("must not be '..'".into());
        } else if k.starts_with("..") {
            why.push("must not start with '..'".into());
        }
        if !why.is_empty() {
            out.push((
                format!("{field}[{k}]"),
                format!("Invalid value: {k:?}: {}", why.join(", ")),
            ));
        }
    }
}

/// The problems of changing data that was made `immutable`.
fn immutable_problems(
    was: Option<bool>,
    now: Option<bool>,
    same_data: bool,
    out: &mut Vec<(String, String)>,
) {
    const WHY: &str = "Forbidden: field is immutable when `immutable` is set";
    if was != Some(true) {
        return;
    }
    if now != Some(true) {
        out.push(("immutable".into(), WHY.into()));
    }
    if !same_data {
        out.push(("data".into(), WHY.into()));
    }
}

impl Served for ConfigMap {
    fn validate(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        key_problems("data", self.data.iter().flat_map(|d| d.keys()), &mut out);
        key_problems(
            "binaryData",
            self.binary_data.iter().flat_map(|d| d.keys()),
            &mut out,
        );
        for k in self.data.iter().flat_map(|d| d.keys()) {
            if self.binary_data.as_ref().is_some_and(|b| b.contains_key(k)) {
                out.push((
                    format!("data[{k}]"),
                    format!("Invalid value: {k:?}: duplicate of key present in binaryData"),
                ));
            }
        }
        out
    }
    fn validate_update(&self, old: &Self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let same = self.data == old.data && self.binary_data == old.binary_data;
        immutable_problems(old.immutable, self.immutable, same, &mut out);
        out
    }
}

/// The keys a Secret of each built-in type must have.
fn required_keys(ty: &str) -> &'static [&'static str] {
    match ty {
        "kubernetes.io/dockerconfigjson" => &[".dockerconfigjson"],
        "kubernetes.io/dockercfg" => &[".dockercfg"],
        "kubernetes.io/tls" => &["tls.crt", "tls.key"],
        "kubernetes.io/ssh-auth" => &["ssh-privatekey"],
        _ => &[],
    }
}

impl Served for Secret {
    fn defaults(&mut self) {
        self.type_.get_or_insert_with(|| "Opaque".into());
        // `stringData` is write-only: merged into `data`, its values winning.
        if let Some(strings) = self.string_data.take() {
            let data = self.data.get_or_insert_with(BTreeMap::new);
            for (k, v) in strings {
                data.insert(k, ByteString(v.into_bytes()));
            }
        }
    }
    fn validate(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let data = self.data.as_ref();
        key_problems("data", data.iter().flat_map(|d| d.keys()), &mut out);
        let ty = self.type_.as_deref().unwrap_or("Opaque");
        for k in required_keys(ty) {
            if !data.is_some_and(|d| d.contains_key(*k)) {
                out.push((format!("data[{k}]"), "Required value".into()));
            }
        }
        if ty == "kubernetes.io/service-account-token"
            && self
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get("kubernetes.io/service-account.name"))
                .is_none_or(|n| n.is_empty())
        {
            out.push((
                "metadata.annotations[kubernetes.io/service-account.name]".into(),
                "Required value".into(),
            ));
        }
        let size: usize = data
            .iter()
            .flat_map(|d| d.iter())
            .map(|(k, v)| k.len() + v.0.len())
            .sum();
        if size > 1024 * 1024 {
            out.push((
                "data".into(),
                "Too long: must have at most 1048576 bytes".into(),
            ));
        }
        out
    }
    fn validate_update(&self, old: &Self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if self.type_ != old.type_ {
            out.push((
                "type".into(),
                format!(
                    "Invalid value: {:?}: field is immutable",
                    self.type_.as_deref().unwrap_or_default()
                ),
            ));
        }
        immutable_problems(
            old.immutable,
            self.immutable,
            self.data == old.data,
            &mut out,
        );
        out
    }
}

impl Served for ServiceAccount {}
