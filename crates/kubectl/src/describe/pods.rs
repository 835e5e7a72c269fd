//! Describing pods and pod templates: containers (state, ports, command, resources,
//! probes, environment, mounts), volumes, tolerations, QoS.

use super::{
    Cx, W, annotations_multiline, controller, describe_events, labels_multiline, name_ns, rfc1123z,
    since, typed,
};
use crate::quantity::Quantity;
use k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStatus, Pod, PodTemplateSpec, Probe, Toleration, Volume,
};
use serde_json::Value;
use std::collections::BTreeMap;

pub(crate) async fn pod(cx: &Cx<'_>, obj: &Value) -> Result<String, String> {
    let pod: Pod = typed(obj)?;
    let mut meta = pod.metadata.clone();
    // A mirror pod's Events are filed under its mirror annotation's uid.
    if let Some(uid) = meta
        .annotations
        .as_ref()
        .and_then(|a| a.get("kubernetes.io/config.mirror"))
    {
        meta.uid = Some(uid.clone());
    }
    let events = cx.events_of(&meta, None).await;
    Ok(describe_pod(&pod, events.as_deref()))
}

fn describe_pod(pod: &Pod, events: Option<&[Value]>) -> String {
    let mut w = W::default();
    let m = &pod.metadata;
    let spec = pod.spec.clone().unwrap_or_default();
    let status = pod.status.clone().unwrap_or_default();
    name_ns(&mut w, m);
    if let Some(p) = spec.priority {
        w.w(0, &format!("Priority:\t{p}\n"));
    }
    if let Some(p) = spec.priority_class_name.as_ref().filter(|p| !p.is_empty()) {
        w.w(0, &format!("Priority Class Name:\t{p}\n"));
    }
    if let Some(r) = spec.runtime_class_name.as_ref().filter(|r| !r.is_empty()) {
        w.w(0, &format!("Runtime Class Name:\t{r}\n"));
    }
    if let Some(sa) = spec.service_account_name.as_ref().filter(|s| !s.is_empty()) {
        w.w(0, &format!("Service Account:\t{sa}\n"));
    }
    match spec.node_name.as_deref().filter(|n| !n.is_empty()) {
        None => w.w(0, "Node:\t<none>\n"),
        Some(n) => w.w(
            0,
            &format!(
                "Node:\t{n}/{}\n",
                status.host_ip.as_deref().unwrap_or_default()
            ),
        ),
    }
    if let Some(t) = &status.start_time {
        w.w(0, &format!("Start Time:\t{}\n", rfc1123z(t)));
    }
    labels_multiline(&mut w, "", "Labels", m.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", m.annotations.as_ref());
    let phase = status.phase.clone().unwrap_or_default();
    if m.deletion_timestamp.is_some() && phase != "Failed" && phase != "Succeeded" {
        w.w(
            0,
            &format!(
                "Status:\tTerminating (lasts {})\n",
                since(m.deletion_timestamp.as_ref())
            ),
        );
        w.w(
            0,
            &format!(
                "Termination Grace Period:\t{}s\n",
                m.deletion_grace_period_seconds.unwrap_or(0)
            ),
        );
    } else {
        w.w(0, &format!("Status:\t{phase}\n"));
    }
    if let Some(r) = status.reason.as_ref().filter(|r| !r.is_empty()) {
        w.w(0, &format!("Reason:\t{r}\n"));
    }
    if let Some(msg) = status.message.as_ref().filter(|r| !r.is_empty()) {
        w.w(0, &format!("Message:\t{msg}\n"));
    }
    w.w(
        0,
        &format!("IP:\t{}\n", status.pod_ip.as_deref().unwrap_or_default()),
    );
    match status.pod_ips.as_ref().filter(|p| !p.is_empty()) {
        None => w.w(0, "IPs:\t<none>\n"),
        Some(ips) => {
            w.w(0, "IPs:\n");
            for ip in ips {
                w.w(1, &format!("IP:\t{}\n", ip.ip));
            }
        }
    }
    if let Some(c) = controller(m) {
        w.w(0, &format!("Controlled By:\t{c}\n"));
    }
    if let Some(n) = status
        .nominated_node_name
        .as_ref()
        .filter(|n| !n.is_empty())
    {
        w.w(0, &format!("NominatedNodeName:\t{n}\n"));
    }
    let statuses = |s: &Option<Vec<ContainerStatus>>| s.clone().unwrap_or_default();
    if let Some(init) = spec.init_containers.as_ref().filter(|c| !c.is_empty()) {
        containers(
            "Init Containers",
            init,
            Some(&statuses(&status.init_container_statuses)),
            &mut w,
            "",
        );
    }
    containers(
        "Containers",
        &spec.containers,
        Some(&statuses(&status.container_statuses)),
        &mut w,
        "",
    );
    if let Some(gates) = spec.readiness_gates.as_ref().filter(|g| !g.is_empty()) {
        w.w(0, "Readiness Gates:\n  Type\tStatus\n");
        for g in gates {
            let st = status
                .conditions
                .iter()
                .flatten()
                .find(|c| c.type_ == g.condition_type)
                .map_or("<none>".to_string(), |c| c.status.clone());
            w.w(1, &format!("{} \t{st} \n", g.condition_type));
        }
    }
    if let Some(conds) = status.conditions.as_ref().filter(|c| !c.is_empty()) {
        w.w(0, "Conditions:\n  Type\tStatus\n");
        for c in conds {
            w.w(1, &format!("{} \t{} \n", c.type_, c.status));
        }
    }
    volumes(spec.volumes.as_deref().unwrap_or_default(), &mut w, "");
    w.w(0, &format!("QoS Class:\t{}\n", qos(pod)));
    labels_multiline(&mut w, "", "Node-Selectors", spec.node_selector.as_ref());
    tolerations(
        &mut w,
        "",
        "Tolerations",
        spec.tolerations.as_deref().unwrap_or_default(),
    );
    if let Some(ev) = events {
        describe_events(ev, &mut w);
    }
    w.tabbed()
}

/// The pod's QoS class: from its status, else worked out as the kubelet does.
fn qos(pod: &Pod) -> String {
    if let Some(q) = pod.status.as_ref().and_then(|s| s.qos_class.clone()) {
        return q;
    }
    let mut requests = false;
    let mut guaranteed = true;
    for c in pod.spec.iter().flat_map(|s| s.containers.iter()) {
        let r = c.resources.clone().unwrap_or_default();
        let (req, lim) = (r.requests.unwrap_or_default(), r.limits.unwrap_or_default());
        requests |= !req.is_empty() || !lim.is_empty();
        for k in ["cpu", "memory"] {
            match (req.get(k).or(lim.get(k)), lim.get(k)) {
                (Some(a), Some(b)) if Quantity::parse(&a.0) == Quantity::parse(&b.0) => {}
                _ => guaranteed = false,
            }
        }
    }
    match (requests, guaranteed) {
        (false, _) => "BestEffort",
        (true, true) => "Guaranteed",
        _ => "Burstable",
    }
    .into()
}

/// `describeContainers`: the label line, then each container.
pub(crate) fn containers(
    label: &str,
    list: &[Container],
    statuses: Option<&[ContainerStatus]>,
    w: &mut W,
    space: &str,
) {
    let none = if list.is_empty() { " <none>" } else { "" };
    w.w(0, &format!("{space}{label}:{none}\n"));
    let name_indent = if space.is_empty() { "" } else { " " };
    for c in list {
        let status = statuses.and_then(|s| s.iter().find(|s| s.name == c.name));
        w.w(1, &format!("{name_indent}{}:\n", c.name));
        if let Some(s) = status {
            w.w(
                2,
                &format!(
                    "Container ID:\t{}\n",
                    s.container_id.as_deref().unwrap_or_default()
                ),
            );
        }
        w.w(
            2,
            &format!("Image:\t{}\n", c.image.as_deref().unwrap_or_default()),
        );
        if let Some(s) = status {
            w.w(2, &format!("Image ID:\t{}\n", s.image_id));
        }
        let ports = c.ports.clone().unwrap_or_default();
        let fmt_ports = |host: bool| -> String {
            ports
                .iter()
                .map(|p| {
                    let n = if host {
                        p.host_port.unwrap_or(0)
                    } else {
                        p.container_port
                    };
                    format!("{n}/{}", p.protocol.as_deref().unwrap_or_default())
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (p, hp) = (fmt_ports(false), fmt_ports(true));
        let or_none = |s: &str| {
            if s.is_empty() {
                "<none>".to_string()
            } else {
                s.to_string()
            }
        };
        if p.contains(',') {
            w.w(2, &format!("Ports:\t{p}\n"));
        } else {
            w.w(2, &format!("Port:\t{}\n", or_none(&p)));
        }
        if hp.contains(',') {
            w.w(2, &format!("Host Ports:\t{hp}\n"));
        } else {
            w.w(2, &format!("Host Port:\t{}\n", or_none(&hp)));
        }
        for (title, words) in [("Command", &c.command), ("Args", &c.args)] {
            if let Some(words) = words.as_ref().filter(|w| !w.is_empty()) {
                w.w(2, &format!("{title}:\n"));
                for word in words {
                    for s in word.split('\n') {
                        w.w(3, &format!("{s}\n"));
                    }
                }
            }
        }
        if let Some(s) = status {
            describe_state("State", s.state.as_ref(), w);
            if s.last_state
                .as_ref()
                .is_some_and(|l| l.terminated.is_some())
            {
                describe_state("Last State", s.last_state.as_ref(), w);
            }
            w.w(
                2,
                &format!("Ready:\t{}\n", if s.ready { "True" } else { "False" }),
            );
            w.w(2, &format!("Restart Count:\t{}\n", s.restart_count));
        }
        resources(c, w);
        for (title, probe) in [
            ("Liveness", &c.liveness_probe),
            ("Readiness", &c.readiness_probe),
            ("Startup", &c.startup_probe),
        ] {
            if let Some(p) = probe {
                w.w(2, &format!("{title}:\t{}\n", describe_probe(p)));
            }
        }
        if let Some(from) = c.env_from.as_ref().filter(|e| !e.is_empty()) {
            w.w(2, "Environment Variables from:\n");
            for e in from {
                let (kind, name, optional) = match (&e.config_map_ref, &e.secret_ref) {
                    (Some(r), _) => ("ConfigMap", r.name.clone(), r.optional.unwrap_or(false)),
                    (_, Some(r)) => ("Secret", r.name.clone(), r.optional.unwrap_or(false)),
                    _ => ("", String::new(), false),
                };
                match e.prefix.as_ref().filter(|p| !p.is_empty()) {
                    None => w.w(3, &format!("{name}\t{kind}\tOptional: {optional}\n")),
                    Some(p) => w.w(
                        3,
                        &format!("{name}\t{kind} with prefix '{p}'\tOptional: {optional}\n"),
                    ),
                }
            }
        }
        env_vars(c, w);
        mounts(c, w);
    }
}

fn describe_state(name: &str, state: Option<&ContainerState>, w: &mut W) {
    let state = state.cloned().unwrap_or_default();
    if let Some(r) = &state.running {
        w.w(2, &format!("{name}:\tRunning\n"));
        let started = r
            .started_at
            .as_ref()
            .map(rfc1123z)
            .unwrap_or_else(zero_time);
        w.w(3, &format!("Started:\t{started}\n"));
    } else if let Some(wt) = &state.waiting {
        w.w(2, &format!("{name}:\tWaiting\n"));
        if let Some(r) = wt.reason.as_ref().filter(|r| !r.is_empty()) {
            w.w(3, &format!("Reason:\t{r}\n"));
        }
    } else if let Some(t) = &state.terminated {
        w.w(2, &format!("{name}:\tTerminated\n"));
        if let Some(r) = t.reason.as_ref().filter(|r| !r.is_empty()) {
            w.w(3, &format!("Reason:\t{r}\n"));
        }
        if let Some(m) = t.message.as_ref().filter(|r| !r.is_empty()) {
            w.w(3, &format!("Message:\t{m}\n"));
        }
        w.w(3, &format!("Exit Code:\t{}\n", t.exit_code));
        if let Some(s) = t.signal.filter(|s| *s > 0) {
            w.w(3, &format!("Signal:\t{s}\n"));
        }
        let f = |x: &Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::Time>| {
            x.as_ref().map(rfc1123z).unwrap_or_else(zero_time)
        };
        w.w(3, &format!("Started:\t{}\n", f(&t.started_at)));
        w.w(3, &format!("Finished:\t{}\n", f(&t.finished_at)));
    } else {
        w.w(2, &format!("{name}:\tWaiting\n"));
    }
}

/// Go's zero time in RFC 1123Z.
fn zero_time() -> String {
    "Mon, 01 Jan 0001 00:00:00 +0000".into()
}

fn resources(c: &Container, w: &mut W) {
    let r = c.resources.clone().unwrap_or_default();
    for (title, list) in [("Limits", r.limits), ("Requests", r.requests)] {
        let list = list.unwrap_or_default();
        if list.is_empty() {
            continue;
        }
        w.w(2, &format!("{title}:\n"));
        for (k, v) in &list {
            w.w(3, &format!("{k}:\t{}\n", Quantity::parse(&v.0)));
        }
    }
}

/// `DescribeProbe`.
fn describe_probe(p: &Probe) -> String {
    let attrs = format!(
        "delay={}s timeout={}s period={}s #success={} #failure={}",
        p.initial_delay_seconds.unwrap_or(0),
        p.timeout_seconds.unwrap_or(0),
        p.period_seconds.unwrap_or(0),
        p.success_threshold.unwrap_or(0),
        p.failure_threshold.unwrap_or(0)
    );
    let port = |p: &k8s_openapi::apimachinery::pkg::util::intstr::IntOrString| match p {
        k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(i) => i.to_string(),
        k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(s) => s.clone(),
    };
    if let Some(e) = &p.exec {
        return format!(
            "exec [{}] {attrs}",
            e.command.clone().unwrap_or_default().join(" ")
        );
    }
    if let Some(h) = &p.http_get {
        let scheme = h.scheme.as_deref().unwrap_or_default().to_lowercase();
        let host = h.host.clone().unwrap_or_default();
        return format!(
            "http-get {scheme}://{host}:{}{} {attrs}",
            port(&h.port),
            h.path.as_deref().unwrap_or_default()
        );
    }
    if let Some(t) = &p.tcp_socket {
        return format!(
            "tcp-socket {}:{} {attrs}",
            t.host.as_deref().unwrap_or_default(),
            port(&t.port)
        );
    }
    if let Some(g) = &p.grpc {
        return format!(
            "grpc <pod>:{} {} {attrs}",
            g.port,
            g.service.as_deref().unwrap_or_default()
        );
    }
    format!("unknown {attrs}")
}

fn env_vars(c: &Container, w: &mut W) {
    let env = c.env.clone().unwrap_or_default();
    if env.is_empty() {
        w.w(2, "Environment:\t<none>\n");
        return;
    }
    w.w(2, "Environment:\n");
    for e in &env {
        let Some(from) = &e.value_from else {
            for (i, s) in e
                .value
                .as_deref()
                .unwrap_or_default()
                .split('\n')
                .enumerate()
            {
                if i == 0 {
                    w.w(3, &format!("{}:\t{s}\n", e.name));
                } else {
                    w.w(3, &format!("\t{s}\n"));
                }
            }
            continue;
        };
        if let Some(f) = &from.field_ref {
            w.w(
                3,
                &format!(
                    "{}:\t ({}:{})\n",
                    e.name,
                    f.api_version.as_deref().unwrap_or_default(),
                    f.field_path
                ),
            );
        } else if let Some(r) = &from.resource_field_ref {
            w.w(3, &format!("{}:\t ({})\n", e.name, r.resource));
        } else if let Some(s) = &from.secret_key_ref {
            w.w(
                3,
                &format!(
                    "{}:\t<set to the key '{}' in secret '{}'>\tOptional: {}\n",
                    e.name,
                    s.key,
                    s.name,
                    s.optional.unwrap_or(false)
                ),
            );
        } else if let Some(s) = &from.config_map_key_ref {
            w.w(
                3,
                &format!(
                    "{}:\t<set to the key '{}' of config map '{}'>\tOptional: {}\n",
                    e.name,
                    s.key,
                    s.name,
                    s.optional.unwrap_or(false)
                ),
            );
        }
    }
}

fn mounts(c: &Container, w: &mut W) {
    let mut mounts = c.volume_mounts.clone().unwrap_or_default();
    if mounts.is_empty() {
        w.w(2, "Mounts:\t<none>\n");
    } else {
        w.w(2, "Mounts:\n");
    }
    mounts.sort_by(|a, b| a.mount_path.cmp(&b.mount_path));
    for m in &mounts {
        let mut flags = vec![
            if m.read_only.unwrap_or(false) {
                "ro"
            } else {
                "rw"
            }
            .to_string(),
        ];
        if let Some(sp) = m.sub_path.as_ref().filter(|s| !s.is_empty()) {
            flags.push(format!("path={sp:?}"));
        }
        w.w(
            3,
            &format!("{} from {} ({})\n", m.mount_path, m.name, flags.join(",")),
        );
    }
    if let Some(devices) = c.volume_devices.as_ref().filter(|d| !d.is_empty()) {
        w.w(2, "Devices:\n");
        let mut devices = devices.clone();
        devices.sort_by(|a, b| a.device_path.cmp(&b.device_path));
        for d in devices {
            w.w(3, &format!("{} from {}\n", d.device_path, d.name));
        }
    }
}

/// `describeVolumes`.
pub(crate) fn volumes(list: &[Volume], w: &mut W, space: &str) {
    if list.is_empty() {
        w.w(0, &format!("{space}Volumes:\t<none>\n"));
        return;
    }
    w.w(0, &format!("{space}Volumes:\n"));
    let name_indent = if space.is_empty() { "" } else { " " };
    for v in list {
        w.w(1, &format!("{name_indent}{}:\n", v.name));
        if let Some(h) = &v.host_path {
            w.w(
                2,
                &format!(
                    "Type:\tHostPath (bare host directory volume)\n    Path:\t{}\n    HostPathType:\t{}\n",
                    h.path,
                    h.type_.as_deref().unwrap_or_default()
                ),
            );
        } else if let Some(e) = &v.empty_dir {
            let size = e
                .size_limit
                .as_ref()
                .map(|q| Quantity::parse(&q.0))
                .filter(|q| q.milli > 0)
                .map_or("<unset>".to_string(), |q| q.to_string());
            w.w(
                2,
                &format!(
                    "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t{}\n    SizeLimit:\t{size}\n",
                    e.medium.as_deref().unwrap_or_default()
                ),
            );
        } else if let Some(s) = &v.secret {
            w.w(
                2,
                &format!(
                    "Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t{}\n    Optional:\t{}\n",
                    s.secret_name.as_deref().unwrap_or_default(),
                    s.optional.unwrap_or(false)
                ),
            );
        } else if let Some(c) = &v.config_map {
            w.w(
                2,
                &format!(
                    "Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t{}\n    Optional:\t{}\n",
                    c.name,
                    c.optional.unwrap_or(false)
                ),
            );
        } else if let Some(n) = &v.nfs {
            w.w(
                2,
                &format!(
                    "Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n    Server:\t{}\n    Path:\t{}\n    ReadOnly:\t{}\n",
                    n.server,
                    n.path,
                    n.read_only.unwrap_or(false)
                ),
            );
        } else if let Some(c) = &v.persistent_volume_claim {
            w.w(
                2,
                &format!(
                    "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:\t{}\n    ReadOnly:\t{}\n",
                    c.claim_name,
                    c.read_only.unwrap_or(false)
                ),
            );
        } else if let Some(p) = &v.projected {
            w.w(
                2,
                "Type:\tProjected (a volume that contains injected data from multiple sources)\n",
            );
            for s in p.sources.iter().flatten() {
                if let Some(sec) = &s.secret {
                    w.w(
                        2,
                        &format!(
                            "SecretName:\t{}\n    Optional:\t{}\n",
                            sec.name,
                            sec.optional.unwrap_or(false)
                        ),
                    );
                } else if s.downward_api.is_some() {
                    w.w(2, "DownwardAPI:\ttrue\n");
                } else if let Some(cm) = &s.config_map {
                    w.w(
                        2,
                        &format!(
                            "ConfigMapName:\t{}\n    Optional:\t{}\n",
                            cm.name,
                            cm.optional.unwrap_or(false)
                        ),
                    );
                } else if let Some(t) = &s.service_account_token {
                    w.w(
                        2,
                        &format!(
                            "TokenExpirationSeconds:\t{}\n",
                            t.expiration_seconds.unwrap_or(0)
                        ),
                    );
                }
            }
        } else if let Some(d) = &v.downward_api {
            w.w(2, "Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n");
            for i in d.items.iter().flatten() {
                if let Some(f) = &i.field_ref {
                    w.w(3, &format!("{} -> {}\n", f.field_path, i.path));
                }
                if let Some(r) = &i.resource_field_ref {
                    w.w(3, &format!("{} -> {}\n", r.resource, i.path));
                }
            }
        } else {
            w.w(1, "<unknown>\n");
        }
    }
}

/// `printTolerationsMultilineWithIndent`.
pub(crate) fn tolerations(w: &mut W, initial: &str, title: &str, list: &[Toleration]) {
    w.w(0, &format!("{initial}{title}:\t"));
    if list.is_empty() {
        w.line("<none>");
        return;
    }
    let mut list = list.to_vec();
    list.sort_by(|a, b| a.key.cmp(&b.key));
    for (i, t) in list.iter().enumerate() {
        if i != 0 {
            w.w(0, &format!("{initial}\t"));
        }
        let key = t.key.clone().unwrap_or_default();
        let value = t.value.clone().unwrap_or_default();
        let effect = t.effect.clone().unwrap_or_default();
        let mut s = key.clone();
        if !value.is_empty() {
            s.push_str(&format!("={value}"));
        }
        if !effect.is_empty() {
            s.push_str(&format!(":{effect}"));
        }
        if t.operator.as_deref() == Some("Exists") && value.is_empty() {
            if !key.is_empty() || !effect.is_empty() {
                s.push_str(" op=Exists");
            } else {
                s.push_str("op=Exists");
            }
        }
        if let Some(secs) = t.toleration_seconds {
            s.push_str(&format!(" for {secs}s"));
        }
        w.w(0, &format!("{s}\n"));
    }
}

/// `DescribePodTemplate`.
pub(crate) fn pod_template(t: Option<&PodTemplateSpec>, w: &mut W) {
    w.w(0, "Pod Template:\n");
    let Some(t) = t else {
        w.w(1, "<unset>");
        return;
    };
    let meta = t.metadata.clone().unwrap_or_default();
    let spec = t.spec.clone().unwrap_or_default();
    labels_multiline(w, "", "  Labels", meta.labels.as_ref());
    if meta.annotations.as_ref().is_some_and(|a| !a.is_empty()) {
        annotations_multiline(w, "  Annotations", meta.annotations.as_ref());
    }
    if let Some(sa) = spec.service_account_name.as_ref().filter(|s| !s.is_empty()) {
        w.w(1, &format!("Service Account:\t{sa}\n"));
    }
    if let Some(init) = spec.init_containers.as_ref().filter(|c| !c.is_empty()) {
        containers("Init Containers", init, None, w, "  ");
    }
    containers("Containers", &spec.containers, None, w, "  ");
    volumes(spec.volumes.as_deref().unwrap_or_default(), w, "  ");
    if let Some(p) = spec.priority_class_name.as_ref().filter(|p| !p.is_empty()) {
        w.w(1, &format!("Priority Class Name:\t{p}\n"));
    }
    let ns: Option<BTreeMap<String, String>> = spec.node_selector.clone();
    labels_multiline(w, "", "  Node-Selectors", ns.as_ref());
    tolerations(
        w,
        "",
        "  Tolerations",
        spec.tolerations.as_deref().unwrap_or_default(),
    );
}
