//! The DaemonSet controller (spec E1-E6): one pod on every node the pod fits (nodeSelector,
//! affinity, taints tolerated, with the tolerations the controller adds), bound by the
//! scheduler through a `metadata.name` node affinity; template revisions kept as
//! ControllerRevisions; a RollingUpdate replaces pods node by node, at most `maxUnavailable`
//! at a time.

use super::{events, names, scheduler};
use crate::model::kube::*;
use crate::state::State;
use k8s_openapi::api::apps::v1::DaemonSetStatus;
use k8s_openapi::api::core::v1::{
    Affinity, NodeAffinity, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm,
    PodTemplateSpec, Toleration,
};
use k8s_openapi::apimachinery::pkg::runtime::RawExtension;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

const HASH: &str = "controller-revision-hash";

/// The tolerations the controller gives every daemon pod.
fn default_tolerations() -> Vec<Toleration> {
    let t = |key: &str, effect: &str| Toleration {
        key: Some(key.into()),
        operator: Some("Exists".into()),
        effect: Some(effect.into()),
        ..Default::default()
    };
    vec![
        t("node.kubernetes.io/not-ready", "NoExecute"),
        t("node.kubernetes.io/unreachable", "NoExecute"),
        t("node.kubernetes.io/disk-pressure", "NoSchedule"),
        t("node.kubernetes.io/memory-pressure", "NoSchedule"),
        t("node.kubernetes.io/pid-pressure", "NoSchedule"),
        t("node.kubernetes.io/unschedulable", "NoSchedule"),
    ]
}

fn should_run(t: &PodTemplateSpec, n: &KubeNode) -> bool {
    let Some(spec) = t.spec.as_ref() else {
        return false;
    };
    let mut tols = spec.tolerations.clone().unwrap_or_default();
    tols.extend(default_tolerations());
    let taints = n.spec.as_ref().and_then(|s| s.taints.as_ref());
    taints.into_iter().flatten().all(|taint| {
        !(taint.effect == "NoSchedule" || taint.effect == "NoExecute")
            || scheduler::tolerates(&tols, taint)
    }) && scheduler::selected(spec, n)
}

fn revision_of(r: &ControllerRevision) -> i64 {
    r.revision
}

/// The revision of the current template: found (and made the newest, after a rollback) or
/// created. Returns its hash.
fn current_revision(st: &mut State, ds: &DaemonSet, owned: &[ControllerRevision]) -> String {
    let template = ds
        .spec
        .as_ref()
        .map(|s| s.template.clone())
        .unwrap_or_default();
    let hash = names::template_hash(&template);
    let ns = ds.metadata.namespace.clone().unwrap_or_default();
    let name = ds.metadata.name.clone().unwrap_or_default();
    let max = owned.iter().map(revision_of).max().unwrap_or(0);
    let data = serde_json::json!({"spec": {"template": {"$patch": "replace", "metadata": template.metadata, "spec": template.spec}}});
    match owned
        .iter()
        .find(|r| r.metadata.labels.as_ref().and_then(|l| l.get(HASH)) == Some(&hash))
    {
        Some(r) if r.revision < max => {
            st.update::<ControllerRevision>(&object_key(&r.metadata), |r| r.revision = max + 1);
        }
        Some(_) => {}
        None => {
            let mut labels = template
                .metadata
                .as_ref()
                .and_then(|m| m.labels.clone())
                .unwrap_or_default();
            labels.insert(HASH.into(), hash.clone());
            let cause = ds
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get("kubernetes.io/change-cause"))
                .map(|c| {
                    [
                        (
                            "deprecated.daemonset.template.generation".to_string(),
                            ds.metadata.generation.unwrap_or(1).to_string(),
                        ),
                        ("kubernetes.io/change-cause".to_string(), c.clone()),
                    ]
                    .into()
                });
            let uid = names::uid(&mut st.meta.kube.rng);
            let now = time(st.now());
            st.insert(ControllerRevision {
                metadata: ObjectMeta {
                    name: Some(format!("{name}-{hash}")),
                    namespace: Some(ns),
                    uid: Some(uid),
                    creation_timestamp: Some(now),
                    labels: Some(labels),
                    annotations: cause,
                    owner_references: Some(vec![super::gc::owner_ref(
                        "apps/v1",
                        "DaemonSet",
                        &ds.metadata,
                    )]),
                    ..Default::default()
                },
                data: Some(RawExtension(data)),
                revision: max + 1,
            });
        }
    }
    hash
}

fn node_of(p: &Pod) -> Option<String> {
    p.spec
        .as_ref()
        .and_then(|s| s.node_name.clone())
        .or_else(|| {
            p.spec
                .as_ref()?
                .affinity
                .as_ref()?
                .node_affinity
                .as_ref()?
                .required_during_scheduling_ignored_during_execution
                .as_ref()?
                .node_selector_terms
                .first()?
                .match_fields
                .as_ref()?
                .first()?
                .values
                .as_ref()?
                .first()
                .cloned()
        })
}

/// One pass over every DaemonSet.
pub fn run(st: &mut State) {
    let keys: Vec<String> = st
        .all::<DaemonSet>()
        .filter(|d| d.metadata.deletion_timestamp.is_none())
        .map(|d| object_key(&d.metadata))
        .collect();
    for k in keys {
        daemonset(st, &k);
    }
}

fn daemonset(st: &mut State, key: &str) {
    let Some(ds) = st.get::<DaemonSet>(key).cloned() else {
        return;
    };
    let Some(spec) = ds.spec.clone() else { return };
    let uid = ds.metadata.uid.clone().unwrap_or_default();
    let ns = ds.metadata.namespace.clone().unwrap_or_default();
    let owned_by = |m: &ObjectMeta| controller_of(m).is_some_and(|r| r.uid == uid);
    let revisions: Vec<ControllerRevision> = st
        .with_prefix::<ControllerRevision>(&format!("{ns}/"))
        .filter(|r| owned_by(&r.metadata))
        .cloned()
        .collect();
    let hash = current_revision(st, &ds, &revisions);
    // History beyond the limit goes, oldest first (never the current one).
    let limit = spec.revision_history_limit.unwrap_or(10).max(0) as usize;
    let mut old: Vec<&ControllerRevision> = revisions
        .iter()
        .filter(|r| r.metadata.labels.as_ref().and_then(|l| l.get(HASH)) != Some(&hash))
        .collect();
    old.sort_by_key(|r| r.revision);
    for r in old.iter().take(old.len().saturating_sub(limit)) {
        st.remove::<ControllerRevision>(&object_key(&r.metadata));
    }
    let nodes: Vec<KubeNode> = st.all::<KubeNode>().cloned().collect();
    let pods: Vec<Pod> = st
        .with_prefix::<Pod>(&format!("{ns}/"))
        .filter(|p| owned_by(&p.metadata) && p.metadata.deletion_timestamp.is_none())
        .cloned()
        .collect();
    let reporter = events::controller("daemonset-controller");
    let about = events::about(&ds);
    let is_current = |p: &Pod| p.metadata.labels.as_ref().and_then(|l| l.get(HASH)) == Some(&hash);
    let mut desired = 0;
    let mut unavailable = pods.iter().filter(|p| !super::kubelet::ready(p)).count() as i32;
    let max_unavailable = match spec
        .update_strategy
        .as_ref()
        .and_then(|u| u.rolling_update.as_ref())
        .and_then(|r| r.max_unavailable.clone())
    {
        Some(IntOrString::Int(i)) => i,
        Some(IntOrString::String(s)) => {
            let pct: i32 = s.trim_end_matches('%').parse().unwrap_or(0);
            (pct * nodes.len() as i32 / 100).max(1)
        }
        None => 1,
    };
    let rolling = spec
        .update_strategy
        .as_ref()
        .and_then(|u| u.type_.as_deref())
        != Some("OnDelete");
    // Its pods by the node they run on (or are pinned to), read once.
    let mut by_node: std::collections::HashMap<String, Vec<&Pod>> = Default::default();
    for p in &pods {
        if let Some(n) = node_of(p) {
            by_node.entry(n).or_default().push(p);
        }
    }
    for n in &nodes {
        let node = n.metadata.name.clone().unwrap_or_default();
        let here: Vec<&Pod> = by_node.remove(&node).unwrap_or_default();
        if !should_run(&spec.template, n) {
            for p in here {
                super::gc::delete_pod(st, &object_key(&p.metadata), None);
            }
            continue;
        }
        desired += 1;
        if here.is_empty() {
            let last = create_pod(st, &ds, &spec.template, &hash, &node);
            let msg = format!("Created pod: {last}");
            events::record(
                st,
                about.clone(),
                false,
                "SuccessfulCreate",
                &msg,
                &reporter,
            );
            continue;
        }
        if rolling && !is_current(here[0]) && unavailable < max_unavailable {
            let k = object_key(&here[0].metadata);
            super::gc::delete_pod(st, &k, None);
            let msg = format!(
                "Deleted pod: {}",
                here[0].metadata.name.as_deref().unwrap_or_default()
            );
            events::record(
                st,
                about.clone(),
                false,
                "SuccessfulDelete",
                &msg,
                &reporter,
            );
            unavailable += 1;
        }
    }
    let pods: Vec<&Pod> = st
        .with_prefix::<Pod>(&format!("{ns}/"))
        .filter(|p| owned_by(&p.metadata) && p.metadata.deletion_timestamp.is_none())
        .collect();
    let scheduled = pods.iter().filter(|p| node_of(p).is_some()).count() as i32;
    let ready = pods.iter().filter(|p| super::kubelet::ready(p)).count() as i32;
    let updated = pods.iter().filter(|p| is_current(p)).count() as i32;
    let status = DaemonSetStatus {
        current_number_scheduled: scheduled,
        desired_number_scheduled: desired,
        number_misscheduled: 0,
        number_ready: ready,
        number_available: Some(ready).filter(|n| *n > 0),
        number_unavailable: Some(desired - ready).filter(|n| *n > 0),
        updated_number_scheduled: Some(updated).filter(|n| *n > 0),
        observed_generation: ds.metadata.generation,
        collision_count: None,
        conditions: None,
    };
    if ds.status.as_ref() != Some(&status) {
        st.update::<DaemonSet>(key, |d| d.status = Some(status));
    }
}

/// Creates the daemon pod for `node`; returns its name.
fn create_pod(
    st: &mut State,
    ds: &DaemonSet,
    t: &PodTemplateSpec,
    hash: &str,
    node: &str,
) -> String {
    let ns = ds.metadata.namespace.clone().unwrap_or_default();
    let mut labels = t
        .metadata
        .as_ref()
        .and_then(|m| m.labels.clone())
        .unwrap_or_default();
    labels.insert(HASH.into(), hash.into());
    labels.insert(
        "pod-template-generation".into(),
        ds.metadata.generation.unwrap_or(1).to_string(),
    );
    let mut spec = t.spec.clone().unwrap_or_default();
    let tols = spec.tolerations.get_or_insert_default();
    for d in default_tolerations() {
        if !tols.iter().any(|x| x.key == d.key && x.effect == d.effect) {
            tols.push(d);
        }
    }
    spec.affinity = Some(Affinity {
        node_affinity: Some(NodeAffinity {
            required_during_scheduling_ignored_during_execution: Some(NodeSelector {
                node_selector_terms: vec![NodeSelectorTerm {
                    match_fields: Some(vec![NodeSelectorRequirement {
                        key: "metadata.name".into(),
                        operator: "In".into(),
                        values: Some(vec![node.into()]),
                    }]),
                    ..Default::default()
                }],
            }),
            ..Default::default()
        }),
        ..spec.affinity.clone().unwrap_or_default()
    });
    let template = PodTemplateSpec {
        metadata: Some(ObjectMeta {
            labels: Some(labels),
            ..t.metadata.clone().unwrap_or_default()
        }),
        spec: Some(spec),
    };
    let owner = super::gc::owner_ref("apps/v1", "DaemonSet", &ds.metadata);
    let pod = super::defaults::pod_from_template(st, &template, owner, &ns);
    let name = pod.metadata.name.clone().unwrap_or_default();
    st.insert(pod);
    name
}
