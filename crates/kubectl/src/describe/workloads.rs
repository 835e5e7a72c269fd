//! Describing the workload controllers: Deployments (with their new and old ReplicaSets),
//! ReplicaSets, DaemonSets and StatefulSets (with their pods' phases), Jobs and CronJobs.

use super::{
    Cx, W, annotations_multiline, conditions, controller, describe_events, format_labels,
    format_selector, labels_multiline, name_ns, pod_template, rfc1123z, selector_string, typed,
};
use crate::api::enc;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job, JobTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::Value;

fn int_or_string(v: Option<&IntOrString>) -> String {
    match v {
        Some(IntOrString::Int(i)) => i.to_string(),
        Some(IntOrString::String(s)) => s.clone(),
        None => "0".into(),
    }
}

/// The objects of a namespaced list (every page) that a label selector matches.
async fn list(cx: &Cx<'_>, path: &str, selector: &str) -> Vec<Value> {
    let url = format!("{path}?labelSelector={}", enc(selector));
    cx.api.list_all(&url).await.unwrap_or_default()
}

/// `getPodStatusForController`: the phases of the pods it controls.
async fn pod_phases(cx: &Cx<'_>, m: &ObjectMeta, sel: Option<&LabelSelector>) -> [usize; 4] {
    let ns = m.namespace.as_deref().unwrap_or_default();
    let uid = m.uid.as_deref().unwrap_or_default();
    let pods = list(
        cx,
        &format!("/api/v1/namespaces/{ns}/pods"),
        &selector_string(sel),
    )
    .await;
    let mut n = [0; 4];
    for p in pods.iter().filter(|p| crate::target::controlled_by(p, uid)) {
        match p["status"]["phase"].as_str() {
            Some("Running") => n[0] += 1,
            Some("Pending") => n[1] += 1,
            Some("Succeeded") => n[2] += 1,
            Some("Failed") => n[3] += 1,
            _ => {}
        }
    }
    n
}

fn pods_status(w: &mut W, n: [usize; 4]) {
    w.w(
        0,
        &format!(
            "Pods Status:\t{} Running / {} Waiting / {} Succeeded / {} Failed\n",
            n[0], n[1], n[2], n[3]
        ),
    );
}

/// A pod template without its `pod-template-hash` label (how a Deployment recognises its
/// new ReplicaSet).
fn template_sans_hash(t: &Value) -> Value {
    let mut t = t.clone();
    if let Some(l) = t["metadata"]["labels"].as_object_mut() {
        l.remove("pod-template-hash");
        if l.is_empty() {
            t["metadata"].as_object_mut().map(|m| m.remove("labels"));
        }
    }
    t
}

pub(crate) async fn deployment(cx: &Cx<'_>, obj: &Value) -> Result<String, String> {
    let d: Deployment = typed(obj)?;
    let m = &d.metadata;
    let events = cx.events_of(m, Some("Deployment")).await;
    let spec = d.spec.clone().unwrap_or_default();
    let status = d.status.clone().unwrap_or_default();
    let ns = m.namespace.as_deref().unwrap_or_default();
    let uid = m.uid.as_deref().unwrap_or_default();
    let rss: Vec<Value> = list(
        cx,
        &format!("/apis/apps/v1/namespaces/{ns}/replicasets"),
        &selector_string(Some(&spec.selector)),
    )
    .await
    .into_iter()
    .filter(|rs| crate::target::controlled_by(rs, uid))
    .collect();
    let mine = template_sans_hash(&obj["spec"]["template"]);
    let (new, old): (Vec<&Value>, Vec<&Value>) = rss
        .iter()
        .partition(|rs| template_sans_hash(&rs["spec"]["template"]) == mine);
    let mut w = W::default();
    name_ns(&mut w, m);
    if let Some(t) = &m.creation_timestamp {
        w.w(0, &format!("CreationTimestamp:\t{}\n", rfc1123z(t)));
    }
    labels_multiline(&mut w, "", "Labels", m.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", m.annotations.as_ref());
    w.w(
        0,
        &format!("Selector:\t{}\n", selector_string(Some(&spec.selector))),
    );
    w.w(
        0,
        &format!(
            "Replicas:\t{} desired | {} updated | {} total | {} available | {} unavailable\n",
            spec.replicas.unwrap_or(0),
            status.updated_replicas.unwrap_or(0),
            status.replicas.unwrap_or(0),
            status.available_replicas.unwrap_or(0),
            status.unavailable_replicas.unwrap_or(0)
        ),
    );
    let strategy = spec.strategy.clone().unwrap_or_default();
    w.w(
        0,
        &format!(
            "StrategyType:\t{}\n",
            strategy.type_.as_deref().unwrap_or_default()
        ),
    );
    w.w(
        0,
        &format!(
            "MinReadySeconds:\t{}\n",
            spec.min_ready_seconds.unwrap_or(0)
        ),
    );
    if let Some(ru) = &strategy.rolling_update {
        w.w(
            0,
            &format!(
                "RollingUpdateStrategy:\t{} max unavailable, {} max surge\n",
                int_or_string(ru.max_unavailable.as_ref()),
                int_or_string(ru.max_surge.as_ref())
            ),
        );
    }
    pod_template(Some(&spec.template), &mut w);
    conditions(
        &mut w,
        status.conditions.iter().flatten().map(|c| {
            (
                c.type_.as_str(),
                c.status.as_str(),
                c.reason.as_deref().unwrap_or_default(),
            )
        }),
    );
    if !rss.is_empty() {
        let show = |list: &[&Value]| -> String {
            let parts: Vec<String> = list
                .iter()
                .map(|rs| {
                    format!(
                        "{} ({}/{} replicas created)",
                        rs["metadata"]["name"].as_str().unwrap_or_default(),
                        rs["status"]["replicas"].as_i64().unwrap_or(0),
                        rs["spec"]["replicas"].as_i64().unwrap_or(0)
                    )
                })
                .collect();
            if parts.is_empty() {
                "<none>".into()
            } else {
                parts.join(", ")
            }
        };
        w.w(0, &format!("OldReplicaSets:\t{}\n", show(&old)));
        w.w(
            0,
            &format!("NewReplicaSet:\t{}\n", show(&new[..new.len().min(1)])),
        );
    }
    if let Some(ev) = events {
        describe_events(&ev, &mut w);
    }
    Ok(w.tabbed())
}

pub(crate) async fn replicaset(cx: &Cx<'_>, obj: &Value) -> Result<String, String> {
    let rs: ReplicaSet = typed(obj)?;
    let m = &rs.metadata;
    let spec = rs.spec.clone().unwrap_or_default();
    let phases = pod_phases(cx, m, Some(&spec.selector)).await;
    let events = cx.events_of(m, Some("ReplicaSet")).await;
    let mut w = W::default();
    name_ns(&mut w, m);
    w.w(
        0,
        &format!("Selector:\t{}\n", format_selector(Some(&spec.selector))),
    );
    labels_multiline(&mut w, "", "Labels", m.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", m.annotations.as_ref());
    if let Some(c) = controller(m) {
        w.w(0, &format!("Controlled By:\t{c}\n"));
    }
    w.w(
        0,
        &format!(
            "Replicas:\t{} current / {} desired\n",
            rs.status.as_ref().map_or(0, |s| s.replicas),
            spec.replicas.unwrap_or(0)
        ),
    );
    pods_status(&mut w, phases);
    pod_template(spec.template.as_ref(), &mut w);
    conditions(
        &mut w,
        rs.status
            .iter()
            .flat_map(|s| s.conditions.iter().flatten())
            .map(|c| {
                (
                    c.type_.as_str(),
                    c.status.as_str(),
                    c.reason.as_deref().unwrap_or_default(),
                )
            }),
    );
    if let Some(ev) = events {
        describe_events(&ev, &mut w);
    }
    Ok(w.tabbed())
}

pub(crate) async fn daemonset(cx: &Cx<'_>, obj: &Value) -> Result<String, String> {
    let ds: DaemonSet = typed(obj)?;
    let m = &ds.metadata;
    let spec = ds.spec.clone().unwrap_or_default();
    let status = ds.status.clone().unwrap_or_default();
    let phases = pod_phases(cx, m, Some(&spec.selector)).await;
    let events = cx.events_of(m, Some("DaemonSet")).await;
    let mut w = W::default();
    w.w(
        0,
        &format!("Name:\t{}\n", m.name.as_deref().unwrap_or_default()),
    );
    w.w(
        0,
        &format!("Selector:\t{}\n", selector_string(Some(&spec.selector))),
    );
    let node_sel = spec
        .template
        .spec
        .as_ref()
        .and_then(|s| s.node_selector.as_ref());
    w.w(0, &format!("Node-Selector:\t{}\n", format_labels(node_sel)));
    labels_multiline(&mut w, "", "Labels", m.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", m.annotations.as_ref());
    w.w(
        0,
        &format!(
            "Desired Number of Nodes Scheduled: {}\n",
            status.desired_number_scheduled
        ),
    );
    w.w(
        0,
        &format!(
            "Current Number of Nodes Scheduled: {}\n",
            status.current_number_scheduled
        ),
    );
    w.w(
        0,
        &format!(
            "Number of Nodes Scheduled with Up-to-date Pods: {}\n",
            status.updated_number_scheduled.unwrap_or(0)
        ),
    );
    w.w(
        0,
        &format!(
            "Number of Nodes Scheduled with Available Pods: {}\n",
            status.number_available.unwrap_or(0)
        ),
    );
    w.w(
        0,
        &format!(
            "Number of Nodes Misscheduled: {}\n",
            status.number_misscheduled
        ),
    );
    pods_status(&mut w, phases);
    pod_template(Some(&spec.template), &mut w);
    if let Some(ev) = events {
        describe_events(&ev, &mut w);
    }
    Ok(w.tabbed())
}

pub(crate) async fn statefulset(cx: &Cx<'_>, obj: &Value) -> Result<String, String> {
    let sts: StatefulSet = typed(obj)?;
    let m = &sts.metadata;
    let spec = sts.spec.clone().unwrap_or_default();
    let phases = pod_phases(cx, m, Some(&spec.selector)).await;
    let events = cx.events_of(m, Some("StatefulSet")).await;
    let mut w = W::default();
    name_ns(&mut w, m);
    if let Some(t) = &m.creation_timestamp {
        w.w(0, &format!("CreationTimestamp:\t{}\n", rfc1123z(t)));
    }
    w.w(
        0,
        &format!("Selector:\t{}\n", selector_string(Some(&spec.selector))),
    );
    labels_multiline(&mut w, "", "Labels", m.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", m.annotations.as_ref());
    w.w(
        0,
        &format!(
            "Replicas:\t{} desired | {} total\n",
            spec.replicas.unwrap_or(0),
            sts.status.as_ref().map_or(0, |s| s.replicas)
        ),
    );
    let us = spec.update_strategy.clone().unwrap_or_default();
    w.w(
        0,
        &format!(
            "Update Strategy:\t{}\n",
            us.type_.as_deref().unwrap_or_default()
        ),
    );
    if let Some(p) = us.rolling_update.as_ref().and_then(|r| r.partition) {
        w.w(1, &format!("Partition:\t{p}\n"));
    }
    pods_status(&mut w, phases);
    pod_template(Some(&spec.template), &mut w);
    let templates = spec.volume_claim_templates.clone().unwrap_or_default();
    if templates.is_empty() {
        w.w(0, "Volume Claims:\t<none>\n");
    } else {
        w.w(0, "Volume Claims:\n");
        for pvc in &templates {
            let pm = &pvc.metadata;
            let ps = pvc.spec.clone().unwrap_or_default();
            w.w(
                1,
                &format!("Name:\t{}\n", pm.name.as_deref().unwrap_or_default()),
            );
            w.w(
                1,
                &format!(
                    "StorageClass:\t{}\n",
                    ps.storage_class_name.as_deref().unwrap_or_default()
                ),
            );
            labels_multiline(&mut w, "  ", "Labels", pm.labels.as_ref());
            labels_multiline(&mut w, "  ", "Annotations", pm.annotations.as_ref());
            let cap = ps
                .resources
                .as_ref()
                .and_then(|r| r.requests.as_ref())
                .and_then(|r| r.get("storage"))
                .map_or("<default>".to_string(), |q| {
                    crate::quantity::Quantity::parse(&q.0).to_string()
                });
            w.w(1, &format!("Capacity:\t{cap}\n"));
            w.w(
                1,
                &format!(
                    "Access Modes:\t[{}]\n",
                    ps.access_modes.unwrap_or_default().join(" ")
                ),
            );
        }
    }
    if let Some(ev) = events {
        describe_events(&ev, &mut w);
    }
    Ok(w.tabbed())
}

pub(crate) async fn job(cx: &Cx<'_>, obj: &Value) -> Result<String, String> {
    let job: Job = typed(obj)?;
    let m = &job.metadata;
    let spec = job.spec.clone().unwrap_or_default();
    let status = job.status.clone().unwrap_or_default();
    let events = cx.events_of(m, Some("Job")).await;
    let mut w = W::default();
    name_ns(&mut w, m);
    w.w(
        0,
        &format!("Selector:\t{}\n", selector_string(spec.selector.as_ref())),
    );
    labels_multiline(&mut w, "", "Labels", m.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", m.annotations.as_ref());
    if let Some(c) = controller(m) {
        w.w(0, &format!("Controlled By:\t{c}\n"));
    }
    if let Some(p) = spec.parallelism {
        w.w(0, &format!("Parallelism:\t{p}\n"));
    }
    match spec.completions {
        Some(c) => w.w(0, &format!("Completions:\t{c}\n")),
        None => w.w(0, "Completions:\t<unset>\n"),
    }
    if let Some(c) = &spec.completion_mode {
        w.w(0, &format!("Completion Mode:\t{c}\n"));
    }
    if let Some(s) = spec.suspend {
        w.w(0, &format!("Suspend:\t{s}\n"));
    }
    if let Some(b) = spec.backoff_limit {
        w.w(0, &format!("Backoff Limit:\t{b}\n"));
    }
    if let Some(t) = spec.ttl_seconds_after_finished {
        w.w(0, &format!("TTL Seconds After Finished:\t{t}\n"));
    }
    if let Some(t) = &status.start_time {
        w.w(0, &format!("Start Time:\t{}\n", rfc1123z(t)));
    }
    if let Some(t) = &status.completion_time {
        w.w(0, &format!("Completed At:\t{}\n", rfc1123z(t)));
    }
    if let (Some(s), Some(c)) = (&status.start_time, &status.completion_time) {
        let nanos = c.0.as_nanosecond() - s.0.as_nanosecond();
        w.w(
            0,
            &format!(
                "Duration:\t{}\n",
                opsconsole_sim::kube::print::human_duration(nanos as i64)
            ),
        );
    }
    if let Some(a) = spec.active_deadline_seconds {
        w.w(0, &format!("Active Deadline Seconds:\t{a}s\n"));
    }
    let (active, succeeded, failed) = (
        status.active.unwrap_or(0),
        status.succeeded.unwrap_or(0),
        status.failed.unwrap_or(0),
    );
    match status.ready {
        None => w.w(
            0,
            &format!("Pods Statuses:\t{active} Active / {succeeded} Succeeded / {failed} Failed\n"),
        ),
        Some(r) => w.w(
            0,
            &format!(
                "Pods Statuses:\t{active} Active ({r} Ready) / {succeeded} Succeeded / {failed} Failed\n"
            ),
        ),
    }
    if spec.completion_mode.as_deref() == Some("Indexed") {
        let idx = status
            .completed_indexes
            .clone()
            .filter(|i| !i.is_empty())
            .unwrap_or_else(|| "<none>".into());
        w.w(0, &format!("Completed Indexes:\t{idx}\n"));
    }
    pod_template(Some(&spec.template), &mut w);
    if let Some(ev) = events {
        describe_events(&ev, &mut w);
    }
    Ok(w.tabbed())
}

fn job_template(t: &JobTemplateSpec, w: &mut W) {
    let spec = t.spec.clone().unwrap_or_default();
    match &spec.selector {
        Some(s) => w.w(0, &format!("Selector:\t{}\n", selector_string(Some(s)))),
        None => w.w(0, "Selector:\t<unset>\n"),
    }
    match spec.parallelism {
        Some(p) => w.w(0, &format!("Parallelism:\t{p}\n")),
        None => w.w(0, "Parallelism:\t<unset>\n"),
    }
    match spec.completions {
        Some(c) => w.w(0, &format!("Completions:\t{c}\n")),
        None => w.w(0, "Completions:\t<unset>\n"),
    }
    if let Some(a) = spec.active_deadline_seconds {
        w.w(0, &format!("Active Deadline Seconds:\t{a}s\n"));
    }
    pod_template(Some(&spec.template), w);
}

pub(crate) async fn cronjob(cx: &Cx<'_>, obj: &Value) -> Result<String, String> {
    let cj: CronJob = typed(obj)?;
    let m = &cj.metadata;
    let spec = cj.spec.clone().unwrap_or_default();
    let status = cj.status.clone().unwrap_or_default();
    let events = cx.events_of(m, Some("CronJob")).await;
    let mut w = W::default();
    name_ns(&mut w, m);
    labels_multiline(&mut w, "", "Labels", m.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", m.annotations.as_ref());
    w.w(0, &format!("Schedule:\t{}\n", spec.schedule));
    w.w(
        0,
        &format!(
            "Concurrency Policy:\t{}\n",
            spec.concurrency_policy.as_deref().unwrap_or_default()
        ),
    );
    let suspend = match spec.suspend {
        Some(true) => "True",
        Some(false) => "False",
        None => "<unset>",
    };
    w.w(0, &format!("Suspend:\t{suspend}\n"));
    if let Some(tz) = &spec.time_zone {
        w.w(0, &format!("Time Zone:\t{tz}\n"));
    }
    let or_unset = |v: Option<i32>| v.map_or("<unset>".to_string(), |v| v.to_string());
    w.w(
        0,
        &format!(
            "Successful Job History Limit:\t{}\n",
            or_unset(spec.successful_jobs_history_limit)
        ),
    );
    w.w(
        0,
        &format!(
            "Failed Job History Limit:\t{}\n",
            or_unset(spec.failed_jobs_history_limit)
        ),
    );
    match spec.starting_deadline_seconds {
        Some(s) => w.w(0, &format!("Starting Deadline Seconds:\t{s}s\n")),
        None => w.w(0, "Starting Deadline Seconds:\t<unset>\n"),
    }
    job_template(&spec.job_template, &mut w);
    match &status.last_schedule_time {
        Some(t) => w.w(0, &format!("Last Schedule Time:\t{}\n", rfc1123z(t))),
        None => w.w(0, "Last Schedule Time:\t<unset>\n"),
    }
    w.w(0, "Active Jobs:\t");
    let active = status.active.clone().unwrap_or_default();
    if active.is_empty() {
        w.line("<none>");
    } else {
        let names: Vec<String> = active
            .iter()
            .map(|r| r.name.clone().unwrap_or_default())
            .collect();
        w.w(0, &names.join(", "));
        w.line("");
    }
    if let Some(ev) = events {
        describe_events(&ev, &mut w);
    }
    Ok(w.tabbed())
}
