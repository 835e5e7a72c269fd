//! `rollout status`: kubectl's status viewers for Deployments, DaemonSets and StatefulSets,
//! printed on every change until the rollout is done (or at once without `--watch`).

use super::watch_object;
use crate::Out;
use crate::api::Api;
use crate::target::Target;
use opsconsole_sim::lang::kubectl::Rollout;
use serde_json::Value;

fn i(v: &Value) -> i64 {
    v.as_i64().unwrap_or(0)
}

/// The message for one state of the object, and whether the rollout is done.
pub(crate) fn status(kind: &str, obj: &Value, revision: i64) -> Result<(String, bool), String> {
    let name = obj["metadata"]["name"].as_str().unwrap_or_default();
    let generation = i(&obj["metadata"]["generation"]);
    let st = &obj["status"];
    let observed = i(&st["observedGeneration"]);
    match kind {
        "Deployment" => {
            if revision > 0 {
                let rev: i64 = obj["metadata"]["annotations"]["deployment.kubernetes.io/revision"]
                    .as_str()
                    .and_then(|r| r.parse().ok())
                    .unwrap_or(0);
                if rev != revision {
                    return Err(format!(
                        "error: desired revision ({revision}) is different from the running revision ({rev})"
                    ));
                }
            }
            if generation > observed {
                return Ok((
                    "Waiting for deployment spec update to be observed...\n".into(),
                    false,
                ));
            }
            let progressing = st["conditions"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|c| c["type"] == "Progressing");
            if progressing.is_some_and(|c| c["reason"] == "ProgressDeadlineExceeded") {
                return Err(format!(
                    "error: deployment {name:?} exceeded its progress deadline"
                ));
            }
            let want = obj["spec"]["replicas"].as_i64();
            let (updated, replicas, available) = (
                i(&st["updatedReplicas"]),
                i(&st["replicas"]),
                i(&st["availableReplicas"]),
            );
            let waiting = format!("Waiting for deployment {name:?} rollout to finish: ");
            if let Some(want) = want
                && updated < want
            {
                return Ok((
                    format!("{waiting}{updated} out of {want} new replicas have been updated...\n"),
                    false,
                ));
            }
            if replicas > updated {
                return Ok((
                    format!(
                        "{waiting}{} old replicas are pending termination...\n",
                        replicas - updated
                    ),
                    false,
                ));
            }
            if available < updated {
                return Ok((
                    format!(
                        "{waiting}{available} of {updated} updated replicas are available...\n"
                    ),
                    false,
                ));
            }
            Ok((
                format!("deployment {name:?} successfully rolled out\n"),
                true,
            ))
        }
        "DaemonSet" => {
            if obj["spec"]["updateStrategy"]["type"] != "RollingUpdate" {
                return Err(
                    "error: rollout status is only available for RollingUpdate strategy type"
                        .into(),
                );
            }
            if generation > observed {
                return Ok((
                    "Waiting for daemon set spec update to be observed...\n".into(),
                    false,
                ));
            }
            let (desired, updated, available) = (
                i(&st["desiredNumberScheduled"]),
                i(&st["updatedNumberScheduled"]),
                i(&st["numberAvailable"]),
            );
            let waiting = format!("Waiting for daemon set {name:?} rollout to finish: ");
            if updated < desired {
                return Ok((
                    format!("{waiting}{updated} out of {desired} new pods have been updated...\n"),
                    false,
                ));
            }
            if available < desired {
                return Ok((
                    format!("{waiting}{available} of {desired} updated pods are available...\n"),
                    false,
                ));
            }
            Ok((
                format!("daemon set {name:?} successfully rolled out\n"),
                true,
            ))
        }
        "StatefulSet" => {
            let strategy = &obj["spec"]["updateStrategy"];
            if strategy["type"] != "RollingUpdate" {
                return Err(
                    "error: rollout status is only available for RollingUpdate strategy type"
                        .into(),
                );
            }
            if observed == 0 || generation > observed {
                return Ok((
                    "Waiting for statefulset spec update to be observed...\n".into(),
                    false,
                ));
            }
            let want = obj["spec"]["replicas"].as_i64();
            let ready = i(&st["readyReplicas"]);
            if let Some(want) = want
                && ready < want
            {
                return Ok((
                    format!("Waiting for {} pods to be ready...\n", want - ready),
                    false,
                ));
            }
            let updated = i(&st["updatedReplicas"]);
            if let (Some(want), Some(partition)) =
                (want, strategy["rollingUpdate"]["partition"].as_i64())
            {
                if updated < want - partition {
                    return Ok((
                        format!(
                            "Waiting for partitioned roll out to finish: {updated} out of {} new pods have been updated...\n",
                            want - partition
                        ),
                        false,
                    ));
                }
                return Ok((
                    format!(
                        "partitioned roll out complete: {updated} new pods have been updated...\n"
                    ),
                    true,
                ));
            }
            let (update_rev, current_rev) = (
                st["updateRevision"].as_str().unwrap_or_default(),
                st["currentRevision"].as_str().unwrap_or_default(),
            );
            if update_rev != current_rev {
                return Ok((
                    format!(
                        "waiting for statefulset rolling update to complete {updated} pods at revision {update_rev}...\n"
                    ),
                    false,
                ));
            }
            Ok((
                format!(
                    "statefulset rolling update complete {} pods at revision {current_rev}...\n",
                    i(&st["currentReplicas"])
                ),
                true,
            ))
        }
        other => Err(format!(
            "error: no status viewer has been implemented for {other}"
        )),
    }
}

/// Follows the object until its rollout is done (or prints once, without `--watch`).
pub(crate) async fn follow(
    api: &Api,
    t: &Target<'_>,
    r: &Rollout,
    out: &mut Out,
) -> Result<(), String> {
    let kind = t.res.kind.clone();
    if !matches!(kind.as_str(), "Deployment" | "DaemonSet" | "StatefulSet") {
        let gk = if t.res.group.is_empty() {
            kind.clone()
        } else {
            format!("{kind}.{}", t.res.group)
        };
        return Err(format!(
            "error: no status viewer has been implemented for {gk}"
        ));
    }
    let revision: i64 = r
        .revision
        .as_deref()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let watch = r.watch;
    watch_object(api, t, |_, obj| {
        let (msg, done) = status(&kind, obj, revision)?;
        out.print(&msg);
        out.flush_to_terminal();
        Ok(done || !watch)
    })
    .await
}
