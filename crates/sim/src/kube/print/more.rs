//! The printers of DaemonSets, ControllerRevisions, Jobs, CronJobs and Events.

use super::*;

impl Printer for DaemonSet {
    const COLUMNS: &'static [Column] = &[
        NAME,
        int(
            "Desired",
            "The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).",
        ),
        int(
            "Current",
            "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.",
        ),
        int(
            "Ready",
            "numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.",
        ),
        int(
            "Up-to-date",
            "The total number of nodes that are running updated daemon pod",
        ),
        int(
            "Available",
            "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)",
        ),
        col(
            "Node Selector",
            "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node.",
        ),
        AGE,
        CONTAINERS,
        IMAGES,
        wide(
            "Selector",
            "A label query over pods that are managed by the daemon set. Must match in order to be controlled. It must match the pod template's labels.",
        ),
    ];
    fn cells(&self, cx: &PrintCx) -> Vec<Value> {
        let spec = self.spec.as_ref();
        let st = self.status.as_ref();
        let n = |f: fn(&k8s_openapi::api::apps::v1::DaemonSetStatus) -> i32| json!(st.map_or(0, f));
        let selector = spec
            .and_then(|s| s.template.spec.as_ref())
            .and_then(|s| s.node_selector.as_ref())
            .filter(|m| !m.is_empty())
            .map(|m| {
                m.iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .unwrap_or_else(|| "<none>".into());
        let (cs, is) = containers_images(spec.map(|s| &s.template));
        vec![
            name(&self.metadata),
            n(|s| s.desired_number_scheduled),
            n(|s| s.current_number_scheduled),
            n(|s| s.number_ready),
            n(|s| s.updated_number_scheduled.unwrap_or(0)),
            n(|s| s.number_available.unwrap_or(0)),
            json!(selector),
            age(&self.metadata, cx),
            cs,
            is,
            json!(format_selector(spec.map(|s| &s.selector))),
        ]
    }
}

impl Printer for ControllerRevision {
    const COLUMNS: &'static [Column] = &[
        NAME,
        col("Controller", "Controller of the object, if any."),
        int(
            "Revision",
            "Revision indicates the revision of the state represented by Data.",
        ),
        AGE,
    ];
    fn cells(&self, cx: &PrintCx) -> Vec<Value> {
        let controller = controller_of(&self.metadata)
            .map(|r| {
                let group = r.api_version.split_once('/').map_or("", |(g, _)| g);
                let gk = if group.is_empty() {
                    r.kind.clone()
                } else {
                    format!("{}.{group}", r.kind)
                };
                format!("{}/{}", gk.to_lowercase(), r.name)
            })
            .unwrap_or_else(|| "<none>".into());
        vec![
            name(&self.metadata),
            json!(controller),
            json!(self.revision),
            age(&self.metadata, cx),
        ]
    }
}

fn has_condition(conds: Option<&Vec<k8s_openapi::api::batch::v1::JobCondition>>, ty: &str) -> bool {
    conds
        .into_iter()
        .flatten()
        .any(|c| c.type_ == ty && c.status == "True")
}

impl Printer for Job {
    const COLUMNS: &'static [Column] = &[
        NAME,
        col("Status", "Status of the job."),
        col(
            "Completions",
            "The desired number of successfully finished pods the job should be run with.",
        ),
        col("Duration", "Time required to complete the job."),
        AGE,
        CONTAINERS,
        IMAGES,
        wide(
            "Selector",
            "A label query over pods that should match the pod count. Normally, the system sets this field for you.",
        ),
    ];
    fn cells(&self, cx: &PrintCx) -> Vec<Value> {
        let spec = self.spec.as_ref();
        let st = self.status.as_ref();
        let succeeded = st.and_then(|s| s.succeeded).unwrap_or(0);
        let completions = match spec.and_then(|s| s.completions) {
            Some(c) => format!("{succeeded}/{c}"),
            None => match spec.and_then(|s| s.parallelism).unwrap_or(0) {
                p if p > 1 => format!("{succeeded}/1 of {p}"),
                _ => format!("{succeeded}/1"),
            },
        };
        let duration = match (
            st.and_then(|s| s.start_time.as_ref()),
            st.and_then(|s| s.completion_time.as_ref()),
        ) {
            (None, _) => String::new(),
            (Some(s), None) => human_duration(cx.now.0 - sim_time(s).0),
            (Some(s), Some(c)) => human_duration(sim_time(c).0 - sim_time(s).0),
        };
        let conds = st.and_then(|s| s.conditions.as_ref());
        let status = if has_condition(conds, "Complete") {
            "Complete"
        } else if has_condition(conds, "Failed") {
            "Failed"
        } else if self.metadata.deletion_timestamp.is_some() {
            "Terminating"
        } else if has_condition(conds, "SuccessCriteriaMet") {
            "SuccessCriteriaMet"
        } else if has_condition(conds, "Suspended") {
            "Suspended"
        } else if has_condition(conds, "FailureTarget") {
            "FailureTarget"
        } else {
            "Running"
        };
        let (cs, is) = containers_images(spec.map(|s| &s.template));
        vec![
            name(&self.metadata),
            json!(status),
            json!(completions),
            json!(duration),
            age(&self.metadata, cx),
            cs,
            is,
            json!(format_selector(spec.and_then(|s| s.selector.as_ref()))),
        ]
    }
}

impl Printer for CronJob {
    const COLUMNS: &'static [Column] = &[
        NAME,
        col(
            "Schedule",
            "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.",
        ),
        col(
            "Timezone",
            "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.",
        ),
        col(
            "Suspend",
            "This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false.",
        ),
        int("Active", "A list of pointers to currently running jobs."),
        col(
            "Last Schedule",
            "Information when was the last time the job was successfully scheduled.",
        ),
        AGE,
        CONTAINERS,
        IMAGES,
        wide(
            "Selector",
            "A label query over pods that should match the pod count. Normally, the system sets this field for you.",
        ),
    ];
    fn cells(&self, cx: &PrintCx) -> Vec<Value> {
        let spec = self.spec.as_ref();
        let st = self.status.as_ref();
        let job = spec.and_then(|s| s.job_template.spec.as_ref());
        let (cs, is) = containers_images(job.map(|j| &j.template));
        let last = match st.and_then(|s| s.last_schedule_time.as_ref()) {
            Some(t) => since(Some(t), cx.now),
            None => "<none>".into(),
        };
        vec![
            name(&self.metadata),
            json!(spec.map(|s| s.schedule.clone()).unwrap_or_default()),
            json!(
                spec.and_then(|s| s.time_zone.clone())
                    .unwrap_or_else(|| "<none>".into())
            ),
            json!(if spec.and_then(|s| s.suspend).unwrap_or(false) {
                "True"
            } else {
                "False"
            }),
            json!(st.and_then(|s| s.active.as_ref()).map_or(0, Vec::len)),
            json!(last),
            age(&self.metadata, cx),
            cs,
            is,
            json!(format_selector(job.and_then(|j| j.selector.as_ref()))),
        ]
    }
}

impl Printer for KubeEvent {
    const COLUMNS: &'static [Column] = &[
        col("Last Seen", "Last Seen"),
        col("Type", "Type"),
        col("Reason", "Reason"),
        col("Object", "Object"),
        wide("Subobject", "Subobject"),
        wide("Source", "Source"),
        col("Message", "Message"),
        wide("First Seen", "First Seen"),
        wide("Count", "Count"),
        wide("Name", "Name"),
    ];
    fn cells(&self, cx: &PrintCx) -> Vec<Value> {
        let first = since(self.first_timestamp.as_ref(), cx.now);
        let last = match &self.last_timestamp {
            Some(t) => since(Some(t), cx.now),
            None => first.clone(),
        };
        let count = self.count.filter(|c| *c > 0).unwrap_or(1);
        let o = &self.involved_object;
        let kind = o.kind.as_deref().unwrap_or_default().to_lowercase();
        let target = match o.name.as_deref().filter(|n| !n.is_empty()) {
            Some(n) => format!("{kind}/{n}"),
            None => kind,
        };
        let source = self.source.as_ref().map_or(String::new(), |s| {
            match (s.component.as_deref(), s.host.as_deref()) {
                (Some(c), Some(h)) if !h.is_empty() => format!("{c}, {h}"),
                (Some(c), _) => c.to_string(),
                _ => String::new(),
            }
        });
        vec![
            json!(last),
            json!(self.type_.clone().unwrap_or_default()),
            json!(self.reason.clone().unwrap_or_default()),
            json!(target),
            json!(o.field_path.clone().unwrap_or_default()),
            json!(source),
            json!(self.message.as_deref().unwrap_or_default().trim()),
            json!(first),
            json!(count),
            name(&self.metadata),
        ]
    }
}
