//! The Job and CronJob controllers (spec E7-E18): a Job keeps `parallelism` pods running
//! until `completions` have succeeded (or its failures pass `backoffLimit`); a CronJob
//! creates a Job at each scheduled minute (concurrency policy, suspend) and keeps the last
//! few finished ones.

use super::cron::Schedule;
use super::events;
use super::names;
use crate::base::time::SimTime;
use crate::model::kube::*;
use crate::state::State;
use k8s_openapi::api::batch::v1::JobCondition;
use k8s_openapi::api::core::v1::ObjectReference;

fn owned(m: &ObjectMeta, uid: &str) -> bool {
    controller_of(m).is_some_and(|r| r.uid == uid)
}

fn phase(p: &Pod) -> &str {
    p.status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .unwrap_or("Pending")
}

fn job_finished(j: &Job) -> Option<&'static str> {
    let conds = j.status.as_ref().and_then(|s| s.conditions.as_ref());
    for c in conds.into_iter().flatten() {
        if c.status == "True" {
            match c.type_.as_str() {
                "Complete" => return Some("Complete"),
                "Failed" => return Some("Failed"),
                _ => {}
            }
        }
    }
    None
}

fn condition(ty: &str, reason: &str, message: &str, now: &Time) -> JobCondition {
    JobCondition {
        type_: ty.into(),
        status: "True".into(),
        reason: Some(reason.into()),
        message: Some(message.into()),
        last_probe_time: Some(now.clone()),
        last_transition_time: Some(now.clone()),
    }
}

/// One pass of the Job controller.
pub fn jobs(st: &mut State) {
    let keys: Vec<String> = st
        .all::<Job>()
        .filter(|j| j.metadata.deletion_timestamp.is_none() && job_finished(j).is_none())
        .map(|j| object_key(&j.metadata))
        .collect();
    for k in keys {
        job(st, &k);
    }
}

fn job(st: &mut State, key: &str) {
    let Some(j) = st.get::<Job>(key).cloned() else {
        return;
    };
    let Some(spec) = j.spec.clone() else { return };
    let uid = j.metadata.uid.clone().unwrap_or_default();
    let ns = j.metadata.namespace.clone().unwrap_or_default();
    let now = time(st.now());
    let pods: Vec<Pod> = st
        .with_prefix::<Pod>(&format!("{ns}/"))
        .filter(|p| owned(&p.metadata, &uid))
        .cloned()
        .collect();
    let succeeded = pods.iter().filter(|p| phase(p) == "Succeeded").count() as i32;
    let failed_pods = pods.iter().filter(|p| phase(p) == "Failed").count() as i32;
    let restarts: i32 = pods
        .iter()
        .flat_map(|p| {
            p.status
                .iter()
                .flat_map(|s| s.container_statuses.iter().flatten())
        })
        .map(|c| c.restart_count)
        .sum();
    let failed = failed_pods + restarts;
    let active: Vec<&Pod> = pods
        .iter()
        .filter(|p| {
            !matches!(phase(p), "Succeeded" | "Failed") && p.metadata.deletion_timestamp.is_none()
        })
        .collect();
    let ready = active.iter().filter(|p| super::kubelet::ready(p)).count() as i32;
    let parallelism = spec.parallelism.unwrap_or(1).max(0);
    let backoff_limit = spec.backoff_limit.unwrap_or(6);
    let mut status = j.status.clone().unwrap_or_default();
    if status.start_time.is_none() && !spec.suspend.unwrap_or(false) {
        status.start_time = Some(now.clone());
    }
    let about = events::about(&j);
    let reporter = events::controller("job-controller");
    let complete = match spec.completions {
        Some(c) => succeeded >= c,
        None => succeeded > 0 && active.is_empty(),
    };
    let mut active_n = active.len() as i32;
    if complete {
        let conds = status.conditions.get_or_insert_default();
        conds.push(condition(
            "SuccessCriteriaMet",
            "CompletionsReached",
            "Reached expected number of succeeded pods",
            &now,
        ));
        conds.push(condition(
            "Complete",
            "CompletionsReached",
            "Reached expected number of succeeded pods",
            &now,
        ));
        status.completion_time = Some(now.clone());
        events::record(st, about, false, "Completed", "Job completed", &reporter);
    } else if failed > backoff_limit {
        for p in &active {
            super::gc::delete_pod(st, &object_key(&p.metadata), None);
        }
        active_n = 0;
        let msg = "Job has reached the specified backoff limit";
        let conds = status.conditions.get_or_insert_default();
        conds.push(condition(
            "FailureTarget",
            "BackoffLimitExceeded",
            msg,
            &now,
        ));
        conds.push(condition("Failed", "BackoffLimitExceeded", msg, &now));
        events::record(st, about, true, "BackoffLimitExceeded", msg, &reporter);
    } else if !spec.suspend.unwrap_or(false) {
        let remaining = match spec.completions {
            Some(c) => (c - succeeded).max(0),
            None if succeeded > 0 => 0,
            None => parallelism,
        };
        let want = parallelism.min(remaining);
        let missing = (want - active_n).max(0);
        for _ in 0..missing {
            let t = spec.template.clone();
            let owner = super::gc::owner_ref("batch/v1", "Job", &j.metadata);
            let pod = super::defaults::pod_from_template(st, &t, owner, &ns);
            let msg = format!(
                "Created pod: {}",
                pod.metadata.name.as_deref().unwrap_or_default()
            );
            events::record(
                st,
                about.clone(),
                false,
                "SuccessfulCreate",
                &msg,
                &reporter,
            );
            st.insert(pod);
            active_n += 1;
        }
    }
    status.active = Some(active_n).filter(|n| *n > 0);
    status.succeeded = Some(succeeded).filter(|n| *n > 0);
    status.failed = Some(failed_pods).filter(|n| *n > 0);
    status.ready = Some(ready);
    status.terminating = Some(0);
    status.uncounted_terminated_pods = Some(Default::default());
    if j.status.as_ref() != Some(&status) {
        st.update::<Job>(key, |j| j.status = Some(status));
    }
}

/// One pass of the CronJob controller; returns when one is next due.
pub fn cronjobs(st: &mut State) -> Option<SimTime> {
    let keys: Vec<String> = st
        .all::<CronJob>()
        .filter(|c| c.metadata.deletion_timestamp.is_none())
        .map(|c| object_key(&c.metadata))
        .collect();
    let mut next: Option<SimTime> = None;
    for k in keys {
        if let Some(t) = cronjob(st, &k) {
            next = Some(next.map_or(t, |n: SimTime| n.min(t)));
        }
    }
    next
}

fn job_ref(j: &Job) -> ObjectReference {
    ObjectReference {
        resource_version: None,
        ..events::about(j)
    }
}

fn cronjob(st: &mut State, key: &str) -> Option<SimTime> {
    let cj = st.get::<CronJob>(key)?.clone();
    let spec = cj.spec.clone()?;
    let sched = Schedule::parse(&spec.schedule).ok()?;
    let uid = cj.metadata.uid.clone().unwrap_or_default();
    let ns = cj.metadata.namespace.clone().unwrap_or_default();
    let name = cj.metadata.name.clone().unwrap_or_default();
    let now = st.now();
    let reporter = events::controller("cronjob-controller");
    let about = events::about(&cj);
    let mut status = cj.status.clone().unwrap_or_default();
    let mut jobs: Vec<Job> = st
        .with_prefix::<Job>(&format!("{ns}/"))
        .filter(|j| owned(&j.metadata, &uid))
        .cloned()
        .collect();
    jobs.sort_by_key(|j| j.metadata.creation_timestamp.as_ref().map(sim_time));
    // Finished jobs leave the active list.
    let mut active: Vec<ObjectReference> = Vec::new();
    for j in &jobs {
        let listed = status
            .active
            .iter()
            .flatten()
            .any(|r| r.uid == j.metadata.uid);
        match job_finished(j) {
            Some(result) if listed => {
                let msg = format!(
                    "Saw completed job: {}, status: {result}",
                    j.metadata.name.as_deref().unwrap_or_default()
                );
                events::record(st, about.clone(), false, "SawCompletedJob", &msg, &reporter);
                if result == "Complete" {
                    status.last_successful_time =
                        j.status.as_ref().and_then(|s| s.completion_time.clone());
                }
            }
            None if j.metadata.deletion_timestamp.is_none() => active.push(job_ref(j)),
            _ => {}
        }
    }
    // The scheduled time due now, if any (the latest of those missed).
    let last = status
        .last_schedule_time
        .as_ref()
        .or(cj.metadata.creation_timestamp.as_ref())
        .map(sim_time)
        .unwrap_or(now);
    let mut due = None;
    let mut t = last;
    for _ in 0..1000 {
        match sched.next_after(t) {
            Some(n) if n <= now => {
                due = Some(n);
                t = n;
            }
            _ => break,
        }
    }
    if let Some(at) = due.filter(|_| !spec.suspend.unwrap_or(false)) {
        let policy = spec.concurrency_policy.as_deref().unwrap_or("Allow");
        let skip = policy == "Forbid" && !active.is_empty();
        if policy == "Replace" {
            for r in active.drain(..) {
                let k = format!("{ns}/{}", r.name.as_deref().unwrap_or_default());
                st.remove::<Job>(&k);
                let msg = format!("Deleted job {}", r.name.as_deref().unwrap_or_default());
                events::record(
                    st,
                    about.clone(),
                    false,
                    "SuccessfulDelete",
                    &msg,
                    &reporter,
                );
            }
        }
        if !skip {
            let minutes = at.0.div_euclid(60 * crate::base::time::NANOS_PER_SEC);
            let job_name = format!("{name}-{minutes}");
            let t = spec.job_template.clone();
            let mut annotations = t
                .metadata
                .as_ref()
                .and_then(|m| m.annotations.clone())
                .unwrap_or_default();
            annotations.insert(
                "batch.kubernetes.io/cronjob-scheduled-timestamp".into(),
                at.rfc3339(),
            );
            let mut job = Job {
                metadata: ObjectMeta {
                    name: Some(job_name.clone()),
                    namespace: Some(ns.clone()),
                    uid: Some(names::uid(&mut st.meta.kube.rng)),
                    creation_timestamp: Some(time(now)),
                    generation: Some(1),
                    labels: t.metadata.as_ref().and_then(|m| m.labels.clone()),
                    annotations: Some(annotations),
                    owner_references: Some(vec![super::gc::owner_ref(
                        "batch/v1",
                        "CronJob",
                        &cj.metadata,
                    )]),
                    ..Default::default()
                },
                spec: t.spec.clone(),
                status: None,
            };
            if st.get::<Job>(&format!("{ns}/{job_name}")).is_none() {
                super::defaults::job(&mut job);
                active.push(job_ref(&job));
                st.insert(job);
                let msg = format!("Created job {job_name}");
                events::record(
                    st,
                    about.clone(),
                    false,
                    "SuccessfulCreate",
                    &msg,
                    &reporter,
                );
            }
        }
        status.last_schedule_time = Some(time(at));
    }
    // History limits: the oldest finished jobs beyond them go (and their pods with them).
    for (result, limit) in [
        ("Complete", spec.successful_jobs_history_limit.unwrap_or(3)),
        ("Failed", spec.failed_jobs_history_limit.unwrap_or(1)),
    ] {
        let done: Vec<&Job> = jobs
            .iter()
            .filter(|j| job_finished(j) == Some(result))
            .collect();
        let extra = done.len().saturating_sub(limit.max(0) as usize);
        for j in done.into_iter().take(extra) {
            let n = j.metadata.name.clone().unwrap_or_default();
            st.remove::<Job>(&format!("{ns}/{n}"));
            events::record(
                st,
                about.clone(),
                false,
                "SuccessfulDelete",
                &format!("Deleted job {n}"),
                &reporter,
            );
        }
    }
    status.active = Some(active).filter(|a| !a.is_empty());
    if cj.status.as_ref() != Some(&status) {
        st.update::<CronJob>(key, |c| c.status = Some(status));
    }
    if spec.suspend.unwrap_or(false) {
        return None;
    }
    sched.next_after(now)
}
