//! Server-side defaulting, as kube-apiserver fills in what a manifest leaves out (kubectl's
//! client logic and `-o yaml` read these: strategies, history limits, container defaults).

use crate::model::kube::*;
use k8s_openapi::api::apps::v1::{DeploymentStrategy, RollingUpdateDeployment};
use k8s_openapi::api::core::v1::{Container, PodSpec, PodTemplateSpec};
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
