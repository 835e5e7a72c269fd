//! `rollout history` and `rollout undo`: a Deployment's revisions are its ReplicaSets
//! (`deployment.kubernetes.io/revision`), a DaemonSet's or StatefulSet's its
//! ControllerRevisions; undo copies a revision's pod template back, as kubectl's
//! rollbackers do.

use crate::api::{Api, enc};
use crate::describe::{W, pod_template};
use crate::tabwriter::tabwrite;
use crate::target::{Target, controlled_by};
use opsconsole_sim::lang::kubectl::Rollout;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

const REVISION: &str = "deployment.kubernetes.io/revision";
const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";

/// The label selector of an object's `spec.selector`, as a query value.
fn selector(obj: &Value) -> String {
    let s = &obj["spec"]["selector"];
    let ls: Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector> =
        serde_json::from_value(s.clone()).ok();
    crate::describe::selector_string(ls.as_ref())
}

/// A revision: its number, its pod template, and the object it is kept in.
struct Revision {
    number: i64,
    template: Value,
    cause: String,
    source: Value,
}

/// The object's revisions, by number.
async fn revisions(
    api: &Api,
    t: &Target<'_>,
    obj: &Value,
) -> Result<BTreeMap<i64, Revision>, String> {
    let ns = t.namespace.clone().unwrap_or_default();
    let uid = obj["metadata"]["uid"].as_str().unwrap_or_default();
    let deployment = t.res.kind == "Deployment";
    let path = if deployment {
        format!("/apis/apps/v1/namespaces/{ns}/replicasets")
    } else {
        format!("/apis/apps/v1/namespaces/{ns}/controllerrevisions")
    };
    let list = api
        .get(
            &format!("{path}?labelSelector={}", enc(&selector(obj))),
            "application/json",
        )
        .await
        .map_err(|e| e.report())?;
    let mut out = BTreeMap::new();
    for item in list["items"].as_array().into_iter().flatten() {
        if !controlled_by(item, uid) {
            continue;
        }
        let (number, template) = if deployment {
            let Some(n) = item["metadata"]["annotations"][REVISION]
                .as_str()
                .and_then(|r| r.parse::<i64>().ok())
            else {
                continue;
            };
            (n, item["spec"]["template"].clone())
        } else {
            (
                item["revision"].as_i64().unwrap_or(0),
                item["data"]["spec"]["template"].clone(),
            )
        };
        let cause = item["metadata"]["annotations"][CHANGE_CAUSE]
            .as_str()
            .unwrap_or_default()
            .to_string();
        out.insert(
            number,
            Revision {
                number,
                template,
                cause,
                source: item.clone(),
            },
        );
    }
    Ok(out)
}

/// A pod template as `describe` prints it (`DescribePodTemplate`, without the tabwriter).
fn template_text(template: &Value) -> String {
    let t: Option<k8s_openapi::api::core::v1::PodTemplateSpec> =
        serde_json::from_value(template.clone()).ok();
    let mut w = W::default();
    pod_template(t.as_ref(), &mut w);
    w.text
}

/// What `rollout history` prints for one object.
pub(crate) async fn show(
    api: &Api,
    t: &Target<'_>,
    revision: Option<&str>,
) -> Result<String, String> {
    if !matches!(
        t.res.kind.as_str(),
        "Deployment" | "DaemonSet" | "StatefulSet"
    ) {
        return Err(format!(
            "error: error retrieving history for {:?}, no visitor method exists for {{{} {}}}",
            t.res.kind, t.res.group, t.res.kind
        ));
    }
    let obj = api
        .get(&t.path(), "application/json")
        .await
        .map_err(|e| e.report())?;
    let revs = revisions(api, t, &obj).await?;
    let wanted: i64 = revision.and_then(|r| r.parse().ok()).unwrap_or(0);
    let body = if revs.is_empty() {
        "No rollout history found.".to_string()
    } else if wanted > 0 {
        let Some(r) = revs.get(&wanted) else {
            return Err("error: unable to find the specified revision".into());
        };
        template_text(&r.template)
    } else {
        let mut text = String::from("REVISION\tCHANGE-CAUSE\n");
        for r in revs.values() {
            let cause = if r.cause.is_empty() {
                "<none>"
            } else {
                &r.cause
            };
            text.push_str(&format!("{}\t{cause}\n", r.number));
        }
        tabwrite(&text, 0, 2)
    };
    let with = if wanted > 0 {
        format!("with revision #{wanted}")
    } else {
        String::new()
    };
    Ok(format!("{}/{} {with}\n{body}\n", t.res.kind_name(), t.name))
}

/// Annotations a Deployment keeps through an undo (kubectl's `annotationsToSkip`).
const KEEP: &[&str] = &[
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION,
    "deployment.kubernetes.io/revision-history",
    "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas",
    "deprecated.deployment.rollback.to",
];

/// `rollout undo`: the revision asked for (the one before the current, by default) becomes
/// the object's template again.
pub(crate) async fn undo(api: &Api, t: &Target<'_>, r: &Rollout) -> Result<String, String> {
    let kind = t.res.kind.as_str();
    if !matches!(kind, "Deployment" | "DaemonSet" | "StatefulSet") {
        return Err(format!(
            "error: no rollbacker has been implemented for {}",
            if t.res.group.is_empty() {
                kind.to_string()
            } else {
                format!("{kind}.{}", t.res.group)
            }
        ));
    }
    let obj = api
        .get(&t.path(), "application/json")
        .await
        .map_err(|e| e.report())?;
    let to: i64 = r
        .to_revision
        .as_deref()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if kind == "Deployment" && obj["spec"]["paused"].as_bool() == Some(true) {
        return Err("error: you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again".into());
    }
    let revs = revisions(api, t, &obj).await?;
    let target = if to == 0 {
        // The previous revision: the highest below the current (the highest).
        let mut numbers: Vec<i64> = revs.keys().copied().collect();
        numbers.sort();
        if numbers.len() < 2 {
            return Err("error: no rollout history found".into());
        }
        &revs[&numbers[numbers.len() - 2]]
    } else {
        revs.get(&to)
            .ok_or_else(|| format!("error: unable to find specified revision {to} in history"))?
    };
    let done = |msg: &str| format!("{}/{} {msg}\n", t.res.kind_name(), t.name);
    let skipped = done(&format!(
        "skipped rollback (current template already matches revision {})",
        target.number
    ));
    let dry = r.dry_run.as_deref().is_some_and(|d| d != "none");
    if kind == "Deployment" {
        let mut template = target.template.clone();
        if let Some(l) = template["metadata"]["labels"].as_object_mut() {
            l.remove("pod-template-hash");
        }
        let strip = |mut v: Value| {
            if let Some(l) = v["metadata"]["labels"].as_object_mut() {
                l.remove("pod-template-hash");
            }
            v
        };
        if strip(obj["spec"]["template"].clone()) == template {
            return Ok(skipped);
        }
        if dry {
            return Ok(done("rolled back (dry run)"));
        }
        let mut annotations = Map::new();
        for (k, v) in obj["metadata"]["annotations"]
            .as_object()
            .into_iter()
            .flatten()
        {
            if KEEP.contains(&k.as_str()) {
                annotations.insert(k.clone(), v.clone());
            }
        }
        for (k, v) in target.source["metadata"]["annotations"]
            .as_object()
            .into_iter()
            .flatten()
        {
            if !KEEP.contains(&k.as_str()) {
                annotations.insert(k.clone(), v.clone());
            }
        }
        let patch = json!([
            {"op": "replace", "path": "/spec/template", "value": template},
            {"op": "replace", "path": "/metadata/annotations", "value": annotations},
        ]);
        api.patch(&t.path(), "json-patch+json", &patch)
            .await
            .map_err(|e| e.report())?;
        return Ok(done("rolled back"));
    }
    // DaemonSets and StatefulSets: the ControllerRevision's data, as a strategic merge patch.
    let data = target.source["data"].clone();
    if data["spec"]["template"] == obj["spec"]["template"] {
        return Ok(skipped);
    }
    if dry {
        return Ok(done("rolled back (dry run)"));
    }
    api.patch(&t.path(), "strategic-merge-patch+json", &data)
        .await
        .map_err(|e| e.report())?;
    Ok(done("rolled back"))
}
