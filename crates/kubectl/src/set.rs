//! `kubectl set image`: new images for containers of pod templates (or pods), sent as a
//! strategic merge patch of what changed (with `--record`, the command as the object's
//! `kubernetes.io/change-cause`).

use crate::api::Api;
use crate::smp::three_way;
use crate::target::{NOTHING_NAMED, named, printing_and_types};
use crate::{Out, finish};
use opsconsole_sim::lang::kubectl::{KubectlCmd, SetImage};
use serde_json::{Value, json};

/// The annotation `--record` writes.
pub const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";

/// Where a kind keeps its pod spec.
pub fn pod_spec_path(kind: &str) -> Option<&'static [&'static str]> {
    match kind {
        "Pod" => Some(&["spec"]),
        "CronJob" => Some(&["spec", "jobTemplate", "spec", "template", "spec"]),
        "Deployment"
        | "ReplicaSet"
        | "DaemonSet"
        | "StatefulSet"
        | "Job"
        | "ReplicationController"
        | "PodTemplate" => Some(&["spec", "template", "spec"]),
        _ => None,
    }
}

/// The pod spec of an object, to change.
pub fn pod_spec_mut<'a>(obj: &'a mut Value, kind: &str) -> Option<&'a mut Value> {
    let mut at = obj;
    for k in pod_spec_path(kind)? {
        at = at.get_mut(*k)?;
    }
    Some(at)
}

/// Sets `image` on the containers named `name` (`*`: all) in the spec's lists; whether any
/// was found.
fn set_image(spec: &mut Value, name: &str, image: &str) -> bool {
    let mut found = false;
    for list in ["initContainers", "containers", "ephemeralContainers"] {
        for c in spec
            .get_mut(list)
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            if name == "*" || c["name"].as_str() == Some(name) {
                c["image"] = json!(image);
                found = true;
            }
        }
    }
    found
}

/// Writes the change cause into an object (kubectl's `ChangeCauseRecorder`).
pub fn record(obj: &mut Value, cause: &str) {
    let meta = &mut obj["metadata"];
    if !meta["annotations"].is_object() {
        meta["annotations"] = json!({});
    }
    meta["annotations"][CHANGE_CAUSE] = json!(cause);
}

/// The deprecation notice kubectl prints when `--record` is given.
pub const RECORD_DEPRECATED: &str =
    "Flag --record has been deprecated, --record will be removed in the future\n";

pub async fn image(
    api: &Api,
    namespace: &str,
    enforce: bool,
    s: &SetImage,
    cmd: &KubectlCmd,
    out: &mut Out,
) -> i32 {
    let fail = |out: &mut Out, e: &str| {
        out.eprint(&format!("{e}\n"));
        1
    };
    if s.record {
        out.eprint(RECORD_DEPRECATED);
    }
    if s.targets.args.is_empty() && s.targets.filenames.is_empty() {
        return fail(out, NOTHING_NAMED);
    }
    if s.images.is_empty() {
        return fail(out, "error: at least one image update is required");
    }
    let (format, discovery) = match printing_and_types(api, s.output.as_deref()).await {
        Ok(x) => x,
        Err(e) => return fail(out, &e),
    };
    let (found, mut errors) =
        match named(api, &discovery, &s.targets, namespace, enforce, out).await {
            Ok(x) => x,
            Err(e) => return fail(out, &e),
        };
    for t in &found.targets {
        let current = match api.get(&t.path(), "application/json").await {
            Ok(v) => v,
            Err(e) => {
                errors.push(e.report());
                continue;
            }
        };
        let mut modified = current.clone();
        let Some(spec) = pod_spec_mut(&mut modified, &t.res.kind) else {
            errors.push(format!(
                "error: {}/{} the object is not a pod or does not have a pod template: *v1.{}",
                t.res.qualified(),
                t.name,
                t.res.kind
            ));
            continue;
        };
        for (name, image) in &s.images {
            if !set_image(spec, name, image) {
                errors.push(format!("error: unable to find container named {name:?}"));
            }
        }
        if s.record {
            record(&mut modified, &cmd.globals.change_cause);
        }
        let patch = three_way(None, &modified, &current);
        if patch.as_object().is_some_and(|m| m.is_empty()) {
            continue;
        }
        let done = if s.local || s.dry_run.as_deref() == Some("client") {
            modified
        } else {
            let manager = s.field_manager.as_deref().unwrap_or("kubectl-set");
            let url = format!("{}?fieldManager={}", t.path(), crate::api::enc(manager));
            match api.patch(&url, "strategic-merge-patch+json", &patch).await {
                Ok(v) => v,
                Err(e) => {
                    errors.push(format!(
                        "failed to patch image update to pod template: {}",
                        e.report()
                    ));
                    continue;
                }
            }
        };
        let dry = match s.dry_run.as_deref() {
            Some("client") => " (dry run)",
            Some("server") => " (server dry run)",
            _ => "",
        };
        match crate::printer::changed(
            &format,
            &t.slash_name(),
            &done,
            &format!("image updated{dry}"),
        ) {
            Ok(text) => out.print(&text),
            Err(e) => errors.push(e),
        }
    }
    finish(&errors, out)
}
