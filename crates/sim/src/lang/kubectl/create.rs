//! `kubectl create`: its generators (`create namespace|deployment|secret generic|...`), each
//! a command of its own with its own flags, and `create -f`.

use super::pflag::{Parsed, Spec, flag, int};
use super::types::{Create, Verb};

/// `kubectl create -f`.
pub(super) const CREATE_SPECS: &[Spec] = &[
    flag("filename", Some('f'), true),
    flag("recursive", Some('R'), false),
    flag("kustomize", Some('k'), true),
    flag("edit", None, false),
    flag("raw", None, true),
    flag("selector", Some('l'), true),
    flag("windows-line-endings", None, false),
    flag("record", None, false),
];

/// What every generator of `kubectl create` takes.
pub(super) const GENERATOR_SPECS: &[Spec] = &[
    flag("save-config", None, false),
    flag("validate", None, true),
    flag("field-manager", None, true),
];

pub(super) const FROM_SPECS: &[Spec] = &[
    flag("from-literal", None, true),
    flag("from-file", None, true),
    flag("from-env-file", None, true),
    flag("append-hash", None, false),
];

pub(super) const DEPLOYMENT_SPECS: &[Spec] = &[
    flag("image", None, true),
    int("replicas", Some('r')),
    int("port", None),
];

pub(super) const SECRET_GENERIC_SPECS: &[Spec] = &[
    flag("from-literal", None, true),
    flag("from-file", None, true),
    flag("from-env-file", None, true),
    flag("append-hash", None, false),
    flag("type", None, true),
];

pub(super) const SECRET_DOCKER_SPECS: &[Spec] = &[
    flag("docker-server", None, true),
    flag("docker-username", None, true),
    flag("docker-password", None, true),
    flag("docker-email", None, true),
    flag("from-file", None, true),
    flag("append-hash", None, false),
];

pub(super) const SECRET_TLS_SPECS: &[Spec] = &[
    flag("cert", None, true),
    flag("key", None, true),
    flag("append-hash", None, false),
];

pub(super) const ROLE_SPECS: &[Spec] = &[
    flag("verb", None, true),
    flag("resource", None, true),
    flag("resource-name", None, true),
];

pub(super) const CLUSTERROLE_SPECS: &[Spec] = &[
    flag("verb", None, true),
    flag("resource", None, true),
    flag("resource-name", None, true),
    flag("non-resource-url", None, true),
    flag("aggregation-rule", None, true),
];

pub(super) const BINDING_SPECS: &[Spec] = &[
    flag("role", None, true),
    flag("clusterrole", None, true),
    flag("user", None, true),
    flag("group", None, true),
    flag("serviceaccount", None, true),
];

pub(super) const JOB_SPECS: &[Spec] = &[flag("image", None, true), flag("from", None, true)];

pub(super) const CRONJOB_SPECS: &[Spec] = &[
    flag("image", None, true),
    flag("schedule", None, true),
    flag("restart", None, true),
];

pub(super) const SERVICE_SPECS: &[Spec] = &[
    flag("tcp", None, true),
    flag("clusterip", None, true),
    int("node-port", None),
    flag("external-name", None, true),
];

pub(super) const TOKEN_SPECS: &[Spec] = &[
    flag("duration", None, true),
    flag("audience", None, true),
    flag("bound-object-kind", None, true),
    flag("bound-object-name", None, true),
    flag("bound-object-uid", None, true),
];

/// The generators of `kubectl create`: each name kubectl takes for it (the first is its
/// command name), then its own flags.
pub(super) const GENERATORS: &[(&[&str], &[Spec])] = &[
    (&["namespace", "ns"], &[]),
    (&["deployment", "deploy"], DEPLOYMENT_SPECS),
    (&["serviceaccount", "sa"], &[]),
    (&["configmap", "cm"], FROM_SPECS),
    (&["secret generic"], SECRET_GENERIC_SPECS),
    (&["secret docker-registry"], SECRET_DOCKER_SPECS),
    (&["secret tls"], SECRET_TLS_SPECS),
    (&["role"], ROLE_SPECS),
    (&["clusterrole"], CLUSTERROLE_SPECS),
    (&["rolebinding"], BINDING_SPECS),
    (&["clusterrolebinding"], BINDING_SPECS),
    (&["job"], JOB_SPECS),
    (&["cronjob", "cj"], CRONJOB_SPECS),
    (&["service clusterip"], SERVICE_SPECS),
    (&["service nodeport"], SERVICE_SPECS),
    (&["service loadbalancer"], SERVICE_SPECS),
    (&["service externalname"], SERVICE_SPECS),
    (&["token"], TOKEN_SPECS),
];

/// The command name of the generator `words` start with (`create deploy` → `deployment`),
/// and how many words name it.
pub(super) fn generator(words: &[&str]) -> Option<(&'static str, usize)> {
    for (names, _) in GENERATORS {
        for n in names.iter() {
            let parts: Vec<&str> = n.split(' ').collect();
            if words.len() >= parts.len() && words[..parts.len()] == parts[..] {
                return Some((names[0], parts.len()));
            }
        }
    }
    None
}

pub(super) fn create_verb(p: &Parsed, args: Vec<String>) -> Verb {
    let cut = p
        .dash_at
        .map_or(args.len(), |d| d.saturating_sub(p.depth).min(args.len()));
    let (head, command) = (args[..cut].to_vec(), args[cut..].to_vec());
    let what = p
        .command
        .strip_prefix("create")
        .unwrap_or_default()
        .trim()
        .to_string();
    Verb::Create(Create {
        what,
        args: head,
        command,
        filenames: p.all("filename"),
        images: p.all("image"),
        replicas: p.last("replicas"),
        port: p.last("port"),
        from_literal: p.all("from-literal"),
        from_file: p.all("from-file"),
        from_env_file: p.all("from-env-file"),
        secret_type: p.last("type"),
        output: p.last("output"),
        dry_run: p.last("dry-run"),
        recursive: p.on("recursive"),
        validate: p.last("validate"),
        save_config: p.on("save-config"),
        record: p.on("record"),
        field_manager: p.last("field-manager"),
        values: p
            .values
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    })
}
