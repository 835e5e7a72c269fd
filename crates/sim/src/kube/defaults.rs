//! Server-side defaulting, as kube-apiserver fills in what a manifest leaves out (kubectl's
//! client logic and `-o yaml` read these: strategies, history limits, container defaults).

use crate::model::kube::*;
use k8s_openapi::api::apps::v1::{DeploymentStrategy, RollingUpdateDeployment};
use k8s_openapi::api::core::v1::{Container, PodSpec, PodTemplateSpec, Toleration};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

fn container(c: &mut Container) {
    if c.termination_message_path.is_none() {
        c.termination_message_path = Some("/dev/termination-log".into());
    }
    if c.termination_message_policy.is_none() {
        c.termination_message_policy = Some("File".into());
    }
    if c.image_pull_policy.is_none() {
        let latest = c.image.as_deref().is_none_or(|i| {
            !i.rsplit('/').next().unwrap_or(i).contains(':') || i.ends_with(":latest")
        });
        c.image_pull_policy = Some(if latest { "Always" } else { "IfNotPresent" }.into());
    }
    if c.resources.is_none() {
        c.resources = Some(Default::default());
    }
    for p in c.ports.iter_mut().flatten() {
        if p.protocol.is_none() {
            p.protocol = Some("TCP".into());
        }
    }
}

pub fn pod_spec(s: &mut PodSpec) {
    for c in s
        .containers
        .iter_mut()
        .chain(s.init_containers.iter_mut().flatten())
    {
        container(c);
    }
    s.restart_policy.get_or_insert_with(|| "Always".into());
    s.termination_grace_period_seconds.get_or_insert(30);
    s.dns_policy.get_or_insert_with(|| "ClusterFirst".into());
    s.scheduler_name
        .get_or_insert_with(|| "default-scheduler".into());
    s.security_context.get_or_insert_default();
}

pub fn template(t: &mut PodTemplateSpec) {
    t.metadata.get_or_insert_default();
    if let Some(s) = t.spec.as_mut() {
        pod_spec(s);
    }
}

pub fn pod(p: &mut Pod) {
    if let Some(s) = p.spec.as_mut() {
        pod_spec(s);
        s.enable_service_links.get_or_insert(true);
        s.preemption_policy
            .get_or_insert_with(|| "PreemptLowerPriority".into());
        s.priority.get_or_insert(0);
        // The ServiceAccount admission plugin's default, and the deprecated field it mirrors.
        let sa = s
            .service_account_name
            .get_or_insert_with(|| "default".into())
            .clone();
        s.service_account.get_or_insert(sa);
        default_toleration_seconds(s);
    }
}

/// The DefaultTolerationSeconds admission plugin's default.
pub const DEFAULT_TOLERATION_SECONDS: i64 = 300;
/// The taints a node gets from its Ready condition (not-ready, unreachable).
pub const CONDITION_TAINTS: [&str; 2] = [
    "node.kubernetes.io/not-ready",
    "node.kubernetes.io/unreachable",
];

/// The DefaultTolerationSeconds admission plugin: a pod that does not say otherwise stays
/// on a not-ready or unreachable node for five minutes before it is evicted.
fn default_toleration_seconds(s: &mut PodSpec) {
    let tols = s.tolerations.get_or_insert_default();
    for key in CONDITION_TAINTS {
        let covered = tols.iter().any(|t| {
            (t.key.as_deref() == Some(key)
                || t.key.is_none() && t.operator.as_deref() == Some("Exists"))
                && t.effect
                    .as_deref()
                    .is_none_or(|e| e.is_empty() || e == "NoExecute")
        });
        if !covered {
            tols.push(Toleration {
                key: Some(key.to_string()),
                operator: Some("Exists".into()),
                effect: Some("NoExecute".into()),
                toleration_seconds: Some(DEFAULT_TOLERATION_SECONDS),
                ..Default::default()
            });
        }
    }
}

pub fn deployment(d: &mut Deployment) {
    let Some(s) = d.spec.as_mut() else { return };
    s.replicas.get_or_insert(1);
    s.revision_history_limit.get_or_insert(10);
    s.progress_deadline_seconds.get_or_insert(600);
    let st = s.strategy.get_or_insert_with(DeploymentStrategy::default);
    let ty = st.type_.get_or_insert_with(|| "RollingUpdate".into());
    if ty == "RollingUpdate" {
        let ru = st
            .rolling_update
            .get_or_insert_with(RollingUpdateDeployment::default);
        ru.max_surge
            .get_or_insert(IntOrString::String("25%".into()));
        ru.max_unavailable
            .get_or_insert(IntOrString::String("25%".into()));
    }
    template(&mut s.template);
}

pub fn replicaset(r: &mut ReplicaSet) {
    let Some(s) = r.spec.as_mut() else { return };
    s.replicas.get_or_insert(1);
    if let Some(t) = s.template.as_mut() {
        template(t);
    }
}

pub fn daemonset(d: &mut DaemonSet) {
    let Some(s) = d.spec.as_mut() else { return };
    s.revision_history_limit.get_or_insert(10);
    let us = s.update_strategy.get_or_insert_default();
    let ty = us.type_.get_or_insert_with(|| "RollingUpdate".into());
    if ty == "RollingUpdate" {
        let ru = us.rolling_update.get_or_insert_default();
        ru.max_unavailable.get_or_insert(IntOrString::Int(1));
        ru.max_surge.get_or_insert(IntOrString::Int(0));
    }
    template(&mut s.template);
}

/// The Job controller's labels and selector (`manualSelector` unset), from the Job's UID.
pub fn job(j: &mut Job) {
    let uid = j.metadata.uid.clone().unwrap_or_default();
    let name = j.metadata.name.clone().unwrap_or_default();
    let Some(s) = j.spec.as_mut() else { return };
    match (s.completions, s.parallelism) {
        (None, None) => {
            s.completions = Some(1);
            s.parallelism = Some(1);
        }
        (_, None) => s.parallelism = Some(1),
        _ => {}
    }
    s.backoff_limit.get_or_insert(6);
    s.completion_mode.get_or_insert_with(|| "NonIndexed".into());
    s.suspend.get_or_insert(false);
    s.pod_replacement_policy
        .get_or_insert_with(|| "TerminatingOrFailed".into());
    if s.manual_selector != Some(true) && !uid.is_empty() {
        let labels = s
            .template
            .metadata
            .get_or_insert_default()
            .labels
            .get_or_insert_default();
        for (k, v) in [
            ("batch.kubernetes.io/controller-uid", &uid),
            ("batch.kubernetes.io/job-name", &name),
            ("controller-uid", &uid),
            ("job-name", &name),
        ] {
            labels.insert(k.into(), v.clone());
        }
        if s.selector.is_none() {
            s.selector = Some(LabelSelector {
                match_labels: Some(
                    [(
                        "batch.kubernetes.io/controller-uid".to_string(),
                        uid.clone(),
                    )]
                    .into(),
                ),
                ..Default::default()
            });
        }
    }
    template(&mut s.template);
}

pub fn cronjob(c: &mut CronJob) {
    let Some(s) = c.spec.as_mut() else { return };
    s.concurrency_policy.get_or_insert_with(|| "Allow".into());
    s.suspend.get_or_insert(false);
    s.successful_jobs_history_limit.get_or_insert(3);
    s.failed_jobs_history_limit.get_or_insert(1);
    if let Some(j) = s.job_template.spec.as_mut() {
        j.backoff_limit.get_or_insert(6);
        j.completion_mode.get_or_insert_with(|| "NonIndexed".into());
        j.suspend.get_or_insert(false);
        j.pod_replacement_policy
            .get_or_insert_with(|| "TerminatingOrFailed".into());
        template(&mut j.template);
    }
}

/// A controller's new pod from its template: named `<owner>-xxxxx` (with that generateName),
/// owned by `owner`, Pending, defaulted as the API server would.
pub fn pod_from_template(
    st: &mut crate::state::State,
    t: &PodTemplateSpec,
    owner: OwnerReference,
    ns: &str,
) -> Pod {
    let base = owner.name.clone();
    let mut pod = Pod {
        metadata: ObjectMeta {
            name: Some(format!(
                "{base}-{}",
                crate::kube::names::suffix(&mut st.meta.kube.rng)
            )),
            generate_name: Some(format!("{base}-")),
            namespace: Some(ns.to_string()),
            uid: Some(crate::kube::names::uid(&mut st.meta.kube.rng)),
            creation_timestamp: Some(time(st.now())),
            labels: t.metadata.as_ref().and_then(|m| m.labels.clone()),
            annotations: t.metadata.as_ref().and_then(|m| m.annotations.clone()),
            owner_references: Some(vec![owner]),
            ..Default::default()
        },
        spec: t.spec.clone(),
        status: Some(k8s_openapi::api::core::v1::PodStatus {
            phase: Some("Pending".into()),
            qos_class: Some("BestEffort".into()),
            ..Default::default()
        }),
    };
    self::pod(&mut pod);
    pod
}
