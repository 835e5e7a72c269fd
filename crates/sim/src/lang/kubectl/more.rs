//! The typed forms of kubectl's workload, pod, node and local commands: `set image`, `patch`,
//! `rollout ...`, `describe`, `logs`, `exec`, `run`, `cordon`/`uncordon`/`drain`, `taint`,
//! `api-resources` and `config ...`.

use super::pflag::{Parsed, Spec, flag, int};
use super::types::*;

pub(super) const SET_IMAGE_SPECS: &[Spec] = &[
    flag("local", None, false),
    flag("record", None, false),
    flag("field-manager", None, true),
];

pub(super) const PATCH_SPECS: &[Spec] = &[
    flag("patch", Some('p'), true),
    flag("patch-file", None, true),
    flag("type", None, true),
    flag("local", None, false),
    flag("record", None, false),
    flag("subresource", None, true),
    flag("field-manager", None, true),
];

pub(super) fn patch_verb(p: &Parsed, args: Vec<String>) -> Verb {
    Verb::Patch(Patch {
        targets: Targets::from(p, args),
        patch: p.last("patch"),
        patch_file: p.last("patch-file"),
        kind: p.last("type"),
        output: p.last("output"),
        dry_run: p.last("dry-run"),
        local: p.on("local"),
        subresource: p.last("subresource"),
        field_manager: p.last("field-manager"),
    })
}

pub(super) const ROLLOUT_SPECS: &[Spec] = &[
    int("revision", None),
    int("to-revision", None),
    flag("timeout", None, true),
    flag("watch", Some('w'), false),
    flag("field-manager", None, true),
];

pub(super) const DESCRIBE_SPECS: &[Spec] =
    &[flag("show-events", None, false), int("chunk-size", None)];

pub(super) const LOGS_SPECS: &[Spec] = &[
    flag("container", Some('c'), true),
    flag("follow", Some('f'), false),
    flag("previous", Some('p'), false),
    int("tail", None),
    flag("timestamps", None, false),
    flag("since", None, true),
    flag("since-time", None, true),
    flag("all-containers", None, false),
    flag("all-pods", None, false),
    flag("selector", Some('l'), true),
    flag("prefix", None, false),
    int("limit-bytes", None),
    int("max-log-requests", None),
    flag("ignore-errors", None, false),
    flag("pod-running-timeout", None, true),
    flag("insecure-skip-tls-verify-backend", None, false),
];

pub(super) const EXEC_SPECS: &[Spec] = &[
    flag("container", Some('c'), true),
    flag("stdin", Some('i'), false),
    flag("tty", Some('t'), false),
    flag("quiet", Some('q'), false),
    flag("filename", Some('f'), true),
    flag("pod-running-timeout", None, true),
];

pub(super) const RUN_SPECS: &[Spec] = &[
    flag("image", None, true),
    flag("command", None, false),
    flag("env", None, true),
    flag("labels", Some('l'), true),
    flag("annotations", None, true),
    int("port", None),
    flag("restart", None, true),
    flag("rm", None, false),
    flag("stdin", Some('i'), false),
    flag("tty", Some('t'), false),
    flag("attach", None, false),
    flag("quiet", Some('q'), false),
    flag("image-pull-policy", None, true),
    flag("expose", None, false),
    flag("privileged", None, false),
    flag("overrides", None, true),
    flag("pod-running-timeout", None, true),
    flag("save-config", None, false),
    flag("field-manager", None, true),
    flag("leave-stdin-open", None, false),
    flag("cascade", None, true),
    flag("filename", Some('f'), true),
    flag("force", None, false),
    int("grace-period", None),
    flag("kustomize", Some('k'), true),
    flag("recursive", Some('R'), false),
    flag("timeout", None, true),
    flag("wait", None, false),
];

pub(super) const DRAIN_SPECS: &[Spec] = &[
    flag("force", None, false),
    flag("ignore-daemonsets", None, false),
    flag("delete-emptydir-data", None, false),
    flag("delete-local-data", None, false),
    int("grace-period", None),
    flag("timeout", None, true),
    flag("disable-eviction", None, false),
    flag("pod-selector", None, true),
    int("skip-wait-for-delete-timeout", None),
    int("chunk-size", None),
];

pub(super) const TAINT_SPECS: &[Spec] = &[
    flag("overwrite", None, false),
    flag("validate", None, true),
    flag("field-manager", None, true),
];

pub(super) const API_RESOURCES_SPECS: &[Spec] = &[
    flag("namespaced", None, true),
    flag("api-group", None, true),
    flag("verbs", None, true),
    flag("output", Some('o'), true),
    flag("no-headers", None, false),
    flag("sort-by", None, true),
    flag("categories", None, true),
    flag("cached", None, false),
];

pub(super) const CONFIG_SPECS: &[Spec] = &[
    flag("raw", None, false),
    flag("minify", None, false),
    flag("flatten", None, false),
    flag("merge", None, true),
    flag("output", Some('o'), true),
    flag("template", None, true),
    flag("no-headers", None, false),
    flag("embed-certs", None, false),
    flag("current", None, false),
    flag("set-raw-bytes", None, false),
    flag("auth-provider", None, true),
    flag("auth-provider-arg", None, true),
    flag("exec-command", None, true),
    flag("exec-api-version", None, true),
    flag("exec-arg", None, true),
    flag("exec-env", None, true),
    flag("username", None, true),
    flag("password", None, true),
    flag("proxy-url", None, true),
    flag("allow-missing-template-keys", None, false),
    flag("show-managed-fields", None, false),
];

/// `CONTAINER=IMAGE` words apart from the objects' words.
fn split_pairs(words: Vec<String>) -> (Vec<String>, Vec<(String, String)>) {
    let mut objects = Vec::new();
    let mut pairs = Vec::new();
    for w in words {
        match w.split_once('=') {
            Some((k, v)) => pairs.push((k.to_string(), v.to_string())),
            None => objects.push(w),
        }
    }
    (objects, pairs)
}

pub(super) fn set_image_verb(p: &Parsed, args: Vec<String>) -> Verb {
    let (objects, images) = split_pairs(args);
    Verb::SetImage(SetImage {
        targets: Targets::from(p, objects),
        images,
        output: p.last("output"),
        dry_run: p.last("dry-run"),
        local: p.on("local"),
        record: p.on("record"),
        field_manager: p.last("field-manager"),
    })
}

pub(super) fn rollout_verb(p: &Parsed, args: Vec<String>) -> Verb {
    let action = match p.command.as_str() {
        "rollout history" => RolloutAction::History,
        "rollout undo" => RolloutAction::Undo,
        "rollout pause" => RolloutAction::Pause,
        "rollout resume" => RolloutAction::Resume,
        "rollout restart" => RolloutAction::Restart,
        _ => RolloutAction::Status,
    };
    Verb::Rollout(Rollout {
        action,
        targets: Targets::from(p, args),
        revision: p.last("revision"),
        to_revision: p.last("to-revision"),
        timeout: p.last("timeout"),
        watch: p.last("watch").is_none_or(|v| v != "false"),
        output: p.last("output"),
        dry_run: p.last("dry-run"),
        field_manager: p.last("field-manager"),
    })
}

pub(super) fn describe_verb(p: &Parsed, args: Vec<String>) -> Verb {
    Verb::Describe(Describe {
        targets: Targets::from(p, args),
        show_events: p.last("show-events").is_none_or(|v| v != "false"),
    })
}

pub(super) fn logs_verb(p: &Parsed, args: Vec<String>) -> Verb {
    Verb::Logs(Logs {
        args,
        container: p.last("container"),
        follow: p.on("follow"),
        previous: p.on("previous"),
        tail: p.last("tail"),
        timestamps: p.on("timestamps"),
        since: p.last("since"),
        since_time: p.last("since-time"),
        all_containers: p.on("all-containers"),
        selector: p.last("selector"),
        prefix: p.on("prefix"),
        limit_bytes: p.last("limit-bytes"),
        max_log_requests: p.last("max-log-requests"),
        ignore_errors: p.on("ignore-errors"),
    })
}

pub(super) fn exec_verb(p: &Parsed, args: Vec<String>) -> Verb {
    let before_dash = p
        .dash_at
        .map_or(args.len(), |d| d.saturating_sub(p.depth).min(args.len()));
    let (target, command, undashed) = match (args.first(), p.dash_at) {
        (Some(t), Some(_)) if before_dash >= 1 => {
            (t.clone(), args[before_dash..].to_vec(), before_dash > 1)
        }
        (Some(t), _) => (t.clone(), args[1..].to_vec(), args.len() > 1),
        (None, _) => (String::new(), Vec::new(), false),
    };
    // Words between the pod and `--` are the deprecated form's command too.
    let command = if p.dash_at.is_some() && before_dash > 1 {
        let mut c = args[1..before_dash].to_vec();
        c.extend(command);
        c
    } else {
        command
    };
    Verb::Exec(Exec {
        target,
        command,
        undashed,
        container: p.last("container"),
        stdin: p.on("stdin"),
        tty: p.on("tty"),
        quiet: p.on("quiet"),
        filenames: p.all("filename"),
    })
}

pub(super) fn run_verb(p: &Parsed, args: Vec<String>) -> Verb {
    let mut args = args.into_iter();
    let name = args.next().unwrap_or_default();
    Verb::Run(Run {
        name,
        image: p.last("image"),
        args: args.collect(),
        command: p.on("command"),
        env: p.all("env"),
        labels: p.last("labels"),
        annotations: p.all("annotations"),
        port: p.last("port"),
        restart: p.last("restart"),
        rm: p.on("rm"),
        stdin: p.on("stdin"),
        tty: p.on("tty"),
        attach: p.last("attach").map(|v| v != "false"),
        quiet: p.on("quiet"),
        image_pull_policy: p.last("image-pull-policy"),
        dry_run: p.last("dry-run"),
        output: p.last("output"),
        expose: p.on("expose"),
        privileged: p.on("privileged"),
    })
}

pub(super) fn node_verb(p: &Parsed, args: Vec<String>) -> Verb {
    let action = match p.command.as_str() {
        "uncordon" => NodeAction::Uncordon,
        "drain" => NodeAction::Drain,
        _ => NodeAction::Cordon,
    };
    // A node's name alone means the node (`drain node1`).
    let mut targets = Targets::from(p, args);
    if !targets.args.is_empty() && !targets.args.iter().any(|a| a.contains('/')) {
        targets.args.insert(0, "nodes".into());
    } else if targets.args.is_empty() && (targets.selector.is_some() || targets.all) {
        targets.args.push("nodes".into());
    }
    Verb::Node(NodeCmd {
        action,
        targets,
        dry_run: p.last("dry-run"),
        force: p.on("force"),
        ignore_daemonsets: p.on("ignore-daemonsets"),
        delete_emptydir_data: p.on("delete-emptydir-data") || p.on("delete-local-data"),
        grace_period: p.last("grace-period"),
        timeout: p.last("timeout"),
        disable_eviction: p.on("disable-eviction"),
        pod_selector: p.last("pod-selector"),
        skip_wait_for_delete_timeout: p.last("skip-wait-for-delete-timeout"),
    })
}

pub(super) fn taint_verb(p: &Parsed, args: Vec<String>) -> Verb {
    Verb::Taint(Taint {
        targets: Targets::from(p, args),
        overwrite: p.on("overwrite"),
        output: p.last("output"),
        dry_run: p.last("dry-run"),
    })
}

pub(super) fn api_resources_verb(p: &Parsed, _: Vec<String>) -> Verb {
    let list = |long: &str| -> Vec<String> {
        p.all(long)
            .iter()
            .flat_map(|v| v.split(','))
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .collect()
    };
    Verb::ApiResources(ApiResources {
        namespaced: p.last("namespaced"),
        api_group: p.last("api-group"),
        verbs: list("verbs"),
        output: p.last("output"),
        no_headers: p.on("no-headers"),
        sort_by: p.last("sort-by"),
        categories: list("categories"),
    })
}

pub(super) fn config_verb(p: &Parsed, args: Vec<String>) -> Verb {
    Verb::Config(Config {
        action: p
            .command
            .strip_prefix("config")
            .unwrap_or_default()
            .trim()
            .to_string(),
        args,
        values: p
            .values
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    })
}
