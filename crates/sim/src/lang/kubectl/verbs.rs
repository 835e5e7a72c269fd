//! The commands opsconsole runs, typed: each with its flags (as pflag knows them) and how its
//! typed form is made from what pflag parsed.

use super::super::flags::ParseError;
use super::Globals;
use super::create::{CREATE_SPECS, GENERATOR_SPECS, GENERATORS, create_verb};
use super::more::*;
use super::pflag::{Parsed, Spec, check_ints, flag, globals, int, optional, pflags};
use super::types::*;

pub(super) const GET_SPECS: &[Spec] = &[
    flag("output", Some('o'), true),
    flag("selector", Some('l'), true),
    flag("field-selector", None, true),
    flag("all-namespaces", Some('A'), false),
    flag("show-labels", None, false),
    flag("show-kind", None, false),
    flag("no-headers", None, false),
    flag("ignore-not-found", None, false),
    flag("watch", Some('w'), false),
    flag("watch-only", None, false),
    flag("sort-by", None, true),
    flag("label-columns", Some('L'), true),
    int("chunk-size", None),
    flag("filename", Some('f'), true),
    flag("recursive", Some('R'), false),
    flag("raw", None, true),
    flag("subresource", None, true),
    flag("output-watch-events", None, false),
    flag("server-print", None, false),
    flag("show-managed-fields", None, false),
    flag("allow-missing-template-keys", None, false),
    flag("template", None, true),
];

pub(super) const VERSION_SPECS: &[Spec] =
    &[flag("client", None, false), flag("output", Some('o'), true)];

/// The flags of commands that act on objects: which objects.
pub(super) const TARGET_SPECS: &[Spec] = &[
    flag("filename", Some('f'), true),
    flag("recursive", Some('R'), false),
    flag("kustomize", Some('k'), true),
    flag("selector", Some('l'), true),
    flag("field-selector", None, true),
    flag("all", None, false),
    flag("all-namespaces", Some('A'), false),
];

/// The flags of commands that print the objects they change.
pub(super) const PRINT_SPECS: &[Spec] = &[
    flag("output", Some('o'), true),
    optional("dry-run", "unchanged"),
    flag("show-managed-fields", None, false),
    flag("allow-missing-template-keys", None, false),
    flag("template", None, true),
];

pub(super) const DELETE_SPECS: &[Spec] = &[
    flag("cascade", None, true),
    int("grace-period", None),
    flag("force", None, false),
    flag("now", None, false),
    flag("wait", None, false),
    flag("timeout", None, true),
    flag("ignore-not-found", None, false),
    flag("raw", None, true),
    flag("interactive", Some('i'), false),
];

pub(super) const SCALE_SPECS: &[Spec] = &[
    int("replicas", None),
    int("current-replicas", None),
    flag("resource-version", None, true),
    flag("timeout", None, true),
];

pub(super) const LABEL_SPECS: &[Spec] = &[
    flag("overwrite", None, false),
    flag("list", None, false),
    flag("local", None, false),
    flag("resource-version", None, true),
    flag("field-manager", None, true),
];

pub(super) const APPLY_SPECS: &[Spec] = &[
    flag("filename", Some('f'), true),
    flag("recursive", Some('R'), false),
    flag("kustomize", Some('k'), true),
    flag("validate", None, true),
    flag("server-side", None, false),
    flag("force-conflicts", None, false),
    flag("field-manager", None, true),
    flag("overwrite", None, false),
    flag("record", None, false),
    flag("selector", Some('l'), true),
    flag("prune", None, false),
    flag("all", None, false),
    flag("prune-allowlist", None, true),
    flag("force", None, false),
    int("grace-period", None),
    flag("timeout", None, true),
    flag("wait", None, false),
    flag("cascade", None, true),
    flag("openapi-patch", None, false),
];

pub(super) fn apply_verb(p: &Parsed, _: Vec<String>) -> Verb {
    Verb::Apply(Apply {
        filenames: p.all("filename"),
        recursive: p.on("recursive"),
        kustomize: p.last("kustomize"),
        output: p.last("output"),
        dry_run: p.last("dry-run"),
        validate: p.last("validate"),
        server_side: p.on("server-side"),
        force_conflicts: p.on("force-conflicts"),
        field_manager: p.last("field-manager"),
        // kubectl apply overwrites unless told `--overwrite=false`.
        overwrite: p.last("overwrite").is_none_or(|v| v != "false"),
        record: p.on("record"),
        selector: p.last("selector"),
        prune: p.on("prune"),
    })
}

pub(super) fn label_verb(p: &Parsed, args: Vec<String>, annotations: bool) -> Verb {
    Verb::Label(Label {
        annotations,
        targets: Targets::from(p, args),
        overwrite: p.on("overwrite"),
        list: p.on("list"),
        resource_version: p.last("resource-version"),
        output: p.last("output"),
    })
}

pub(super) fn get_verb(p: &Parsed, args: Vec<String>) -> Verb {
    Verb::Get(Get {
        args,
        output: p.last("output"),
        selector: p.last("selector"),
        field_selector: p.last("field-selector"),
        all_namespaces: p.on("all-namespaces"),
        show_labels: p.on("show-labels"),
        show_kind: p.on("show-kind"),
        no_headers: p.on("no-headers"),
        ignore_not_found: p.on("ignore-not-found"),
        watch: p.on("watch"),
        sort_by: p.last("sort-by"),
        label_columns: p.all("label-columns"),
        chunk_size: p.last("chunk-size"),
        template: p.last("template"),
        watch_only: p.on("watch-only"),
    })
}

pub(super) fn version_verb(p: &Parsed, _: Vec<String>) -> Verb {
    Verb::Version(Version {
        client: p.on("client"),
        output: p.last("output"),
    })
}

pub(super) fn delete_verb(p: &Parsed, args: Vec<String>) -> Verb {
    Verb::Delete(Delete {
        targets: Targets::from(p, args),
        cascade: p.last("cascade"),
        grace_period: p.last("grace-period"),
        force: p.on("force"),
        now: p.on("now"),
        // kubectl waits unless told `--wait=false`.
        wait: p.last("wait").is_none_or(|v| v != "false"),
        timeout: p.last("timeout"),
        ignore_not_found: p.on("ignore-not-found"),
        output: p.last("output"),
    })
}

pub(super) fn scale_verb(p: &Parsed, args: Vec<String>) -> Verb {
    Verb::Scale(Scale {
        targets: Targets::from(p, args),
        replicas: p.last("replicas"),
        current_replicas: p.last("current-replicas"),
        resource_version: p.last("resource-version"),
        timeout: p.last("timeout"),
        output: p.last("output"),
    })
}

pub(super) type Build = fn(&Parsed, Vec<String>) -> Verb;

/// The commands opsconsole runs: their own flags and how their typed form is made.
pub(super) const VERBS: &[(&str, &[&[Spec]], Build)] = &[
    ("get", &[GET_SPECS], get_verb),
    ("version", &[VERSION_SPECS], version_verb),
    (
        "delete",
        &[TARGET_SPECS, PRINT_SPECS, DELETE_SPECS],
        delete_verb,
    ),
    (
        "scale",
        &[TARGET_SPECS, PRINT_SPECS, SCALE_SPECS],
        scale_verb,
    ),
    ("create", &[PRINT_SPECS, CREATE_SPECS], create_verb),
    ("apply", &[PRINT_SPECS, APPLY_SPECS], apply_verb),
    (
        "label",
        &[TARGET_SPECS, PRINT_SPECS, LABEL_SPECS],
        |p, a| label_verb(p, a, false),
    ),
    (
        "annotate",
        &[TARGET_SPECS, PRINT_SPECS, LABEL_SPECS],
        |p, a| label_verb(p, a, true),
    ),
    (
        "set image",
        &[TARGET_SPECS, PRINT_SPECS, SET_IMAGE_SPECS],
        set_image_verb,
    ),
    (
        "patch",
        &[TARGET_SPECS, PRINT_SPECS, PATCH_SPECS],
        patch_verb,
    ),
    ("rollout status", ROLLOUT, rollout_verb),
    ("rollout history", ROLLOUT, rollout_verb),
    ("rollout undo", ROLLOUT, rollout_verb),
    ("rollout pause", ROLLOUT, rollout_verb),
    ("rollout resume", ROLLOUT, rollout_verb),
    ("rollout restart", ROLLOUT, rollout_verb),
    ("describe", &[TARGET_SPECS, DESCRIBE_SPECS], describe_verb),
    ("logs", &[LOGS_SPECS], logs_verb),
    ("exec", &[EXEC_SPECS], exec_verb),
    ("run", &[PRINT_SPECS, RUN_SPECS], run_verb),
    ("cordon", &[TARGET_SPECS, PRINT_SPECS], node_verb),
    ("uncordon", &[TARGET_SPECS, PRINT_SPECS], node_verb),
    (
        "drain",
        &[TARGET_SPECS, PRINT_SPECS, DRAIN_SPECS],
        node_verb,
    ),
    (
        "taint",
        &[TARGET_SPECS, PRINT_SPECS, TAINT_SPECS],
        taint_verb,
    ),
    ("api-resources", &[API_RESOURCES_SPECS], api_resources_verb),
    ("config view", CONFIG, config_verb),
    ("config get-contexts", CONFIG, config_verb),
    ("config get-clusters", CONFIG, config_verb),
    ("config get-users", CONFIG, config_verb),
    ("config current-context", CONFIG, config_verb),
    ("config use-context", CONFIG, config_verb),
    ("config use", CONFIG, config_verb),
    ("config set-cluster", CONFIG, config_verb),
    ("config set-credentials", CONFIG, config_verb),
    ("config set-context", CONFIG, config_verb),
    ("config delete-context", CONFIG, config_verb),
    ("config delete-cluster", CONFIG, config_verb),
    ("config delete-user", CONFIG, config_verb),
    ("config rename-context", CONFIG, config_verb),
    ("config set", CONFIG, config_verb),
    ("config unset", CONFIG, config_verb),
];

const ROLLOUT: &[&[Spec]] = &[TARGET_SPECS, PRINT_SPECS, ROLLOUT_SPECS];
const CONFIG: &[&[Spec]] = &[CONFIG_SPECS];

/// The typed command, for the commands opsconsole runs; `Other` for the rest.
pub(super) fn typed(
    command: &str,
    depth: usize,
    args: &[String],
) -> Result<(Globals, Verb), ParseError> {
    let generator = command
        .strip_prefix("create ")
        .and_then(|g| GENERATORS.iter().find(|(n, _)| n[0] == g));
    let (own, build): (Vec<&[Spec]>, Build) = match generator {
        Some((_, specs)) => (vec![PRINT_SPECS, GENERATOR_SPECS, specs], create_verb),
        None => match VERBS.iter().find(|(c, _, _)| *c == command) {
            Some((_, own, build)) => (own.to_vec(), *build),
            None => return Ok((Globals::default(), Verb::Other)),
        },
    };
    let mut p = pflags(args, &own, command)?;
    check_ints(&p, command)?;
    p.command = command.to_string();
    p.depth = depth;
    let rest: Vec<String> = p.words.iter().skip(depth).cloned().collect();
    let mut g = globals(&p, &own);
    g.change_cause = change_cause(&p);
    Ok((g, build(&p, rest)))
}

/// The command line as kubectl records it in `kubernetes.io/change-cause` (`--record`): the
/// words, then every flag given as `--name=value`, in order.
fn change_cause(p: &Parsed) -> String {
    let mut s = String::from("kubectl");
    for w in &p.words {
        s.push(' ');
        s.push_str(w);
    }
    for (k, v) in &p.values {
        s.push_str(&format!(" --{k}={v}"));
    }
    s
}
