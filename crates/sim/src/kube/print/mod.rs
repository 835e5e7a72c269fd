//! Server-side printing: the columns and cells of the Tables the API server sends, as
//! kube-apiserver 1.32 prints them (kubernetes `pkg/printers/internalversion/printers.go`).
//! kubectl prints no columns of its own any more; what is here is what `kubectl get` shows.

use crate::base::time::SimTime;
use crate::model::kube::*;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use serde_json::{Value, json};

mod config;
mod more;
mod rbac;

/// A column of a Table.
pub struct Column {
    pub name: &'static str,
    pub ty: &'static str,
    /// Wide-only columns (`-o wide`) have priority 1.
    pub wide: bool,
    pub description: &'static str,
}

pub(super) const fn col(name: &'static str, description: &'static str) -> Column {
    Column {
        name,
        ty: "string",
        wide: false,
        description,
    }
}
pub(super) const fn int(name: &'static str, description: &'static str) -> Column {
    Column {
        name,
        ty: "integer",
        wide: false,
        description,
    }
}
pub(super) const fn wide(name: &'static str, description: &'static str) -> Column {
    Column {
        name,
        ty: "string",
        wide: true,
        description,
    }
}

pub(super) const NAME: Column = col(
    "Name",
    "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated.",
);
pub(super) const CONTAINERS: Column =
    wide("Containers", "Names of each container in the template.");
pub(super) const IMAGES: Column = wide(
    "Images",
    "Images referenced by each container in the template.",
);
pub(super) const AGE: Column = col(
    "Age",
    "CreationTimestamp is a timestamp representing the server time when this object was created.",
);

/// What printing an object may read besides the object.
pub struct PrintCx {
    pub now: SimTime,
}

/// How one kind is printed.
pub trait Printer {
    const COLUMNS: &'static [Column];
    /// One cell per column, wide ones included.
    fn cells(&self, cx: &PrintCx) -> Vec<Value>;
}

pub use crate::base::time::kube_age as human_duration;

/// `translateTimestampSince`: the age of a timestamp, `<unknown>` without one.
pub fn since(t: Option<&Time>, now: SimTime) -> String {
    match t {
        Some(t) => human_duration(now.0 - sim_time(t).0),
        None => "<unknown>".into(),
    }
}

pub(super) fn name(m: &ObjectMeta) -> Value {
    json!(m.name.as_deref().unwrap_or_default())
}

pub(super) fn age(m: &ObjectMeta, cx: &PrintCx) -> Value {
    json!(since(m.creation_timestamp.as_ref(), cx.now))
}

/// `metav1.FormatLabelSelector`.
pub fn format_selector(s: Option<&LabelSelector>) -> String {
    let Some(s) = s else {
        return "<none>".into();
    };
    let mut parts: Vec<String> = s
        .match_labels
        .iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    for e in s.match_expressions.iter().flatten() {
        let vals = e.values.clone().unwrap_or_default().join(",");
        parts.push(match e.operator.as_str() {
            "In" => format!("{} in ({vals})", e.key),
            "NotIn" => format!("{} notin ({vals})", e.key),
            "Exists" => e.key.clone(),
            "DoesNotExist" => format!("!{}", e.key),
            op => format!("{} {op} ({vals})", e.key),
        });
    }
    if parts.is_empty() {
        "<none>".into()
    } else {
        parts.join(",")
    }
}

pub(super) fn containers_images(
    t: Option<&k8s_openapi::api::core::v1::PodTemplateSpec>,
) -> (Value, Value) {
    let cs = t
        .and_then(|t| t.spec.as_ref())
        .map(|s| s.containers.as_slice())
        .unwrap_or_default();
    let names: Vec<&str> = cs.iter().map(|c| c.name.as_str()).collect();
    let images: Vec<&str> = cs.iter().filter_map(|c| c.image.as_deref()).collect();
    (json!(names.join(",")), json!(images.join(",")))
}

impl Printer for Namespace {
    const COLUMNS: &'static [Column] = &[NAME, col("Status", "The status of the namespace"), AGE];
    fn cells(&self, cx: &PrintCx) -> Vec<Value> {
        let phase = self
            .status
            .as_ref()
            .and_then(|s| s.phase.as_deref())
            .unwrap_or_default();
        vec![name(&self.metadata), json!(phase), age(&self.metadata, cx)]
    }
}

/// Label keys that name a node's roles.
const ROLE_PREFIX: &str = "node-role.kubernetes.io/";

impl Printer for KubeNode {
    const COLUMNS: &'static [Column] = &[
        NAME,
        col("Status", "The status of the node"),
        col("Roles", "The roles of the node"),
        AGE,
        col("Version", "Kubelet Version reported by the node."),
        wide("Internal-IP", "List of internal IPs of the node."),
        wide("External-IP", "List of external IPs of the node."),
        wide(
            "OS-Image",
            "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).",
        ),
        wide(
            "Kernel-Version",
            "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
        ),
        wide(
            "Container-Runtime",
            "Container runtime version reported by the node through runtime remote API (e.g. containerd://1.4.2).",
        ),
    ];
    fn cells(&self, cx: &PrintCx) -> Vec<Value> {
        let st = self.status.as_ref();
        let ready = st
            .and_then(|s| s.conditions.as_ref())
            .and_then(|cs| cs.iter().find(|c| c.type_ == "Ready"));
        let mut status = match ready {
            Some(c) if c.status == "True" => "Ready".to_string(),
            Some(_) => "NotReady".to_string(),
            None => "Unknown".to_string(),
        };
        if self.spec.as_ref().and_then(|s| s.unschedulable) == Some(true) {
            status.push_str(",SchedulingDisabled");
        }
        let mut roles: Vec<&str> = Vec::new();
        for (k, v) in self.metadata.labels.iter().flatten() {
            if let Some(r) = k.strip_prefix(ROLE_PREFIX) {
                if !r.is_empty() {
                    roles.push(r);
                }
            } else if k == "kubernetes.io/role" && !v.is_empty() {
                roles.push(v);
            }
        }
        roles.sort_unstable();
        roles.dedup();
        let roles = if roles.is_empty() {
            "<none>".to_string()
        } else {
            roles.join(",")
        };
        let info = st.and_then(|s| s.node_info.as_ref());
        let addr = |ty: &str| {
            let a: Vec<&str> = st
                .and_then(|s| s.addresses.as_ref())
                .into_iter()
                .flatten()
                .filter(|a| a.type_ == ty)
                .map(|a| a.address.as_str())
                .collect();
            if a.is_empty() {
                "<none>".to_string()
            } else {
                a.join(",")
            }
        };
        let field = |f: fn(&k8s_openapi::api::core::v1::NodeSystemInfo) -> &str| match info.map(f) {
            Some(v) if !v.is_empty() => v.to_string(),
            _ => "<unknown>".to_string(),
        };
        vec![
            name(&self.metadata),
            json!(status),
            json!(roles),
            age(&self.metadata, cx),
            json!(info.map(|i| i.kubelet_version.as_str()).unwrap_or_default()),
            json!(addr("InternalIP")),
            json!(addr("ExternalIP")),
            json!(field(|i| &i.os_image)),
            json!(field(|i| &i.kernel_version)),
            json!(field(|i| &i.container_runtime_version)),
        ]
    }
}

impl Printer for KubeService {
    const COLUMNS: &'static [Column] = &[
        NAME,
        col("Type", "The type of the service"),
        col("Cluster-IP", "The cluster IP of the service"),
        col("External-IP", "The external IP of the service"),
        col("Port(s)", "The ports of the service"),
        AGE,
        wide("Selector", "The selector of the service"),
    ];
    fn cells(&self, cx: &PrintCx) -> Vec<Value> {
        let spec = self.spec.as_ref();
        let ty = spec.and_then(|s| s.type_.as_deref()).unwrap_or("ClusterIP");
        let cluster_ip = spec
            .and_then(|s| s.cluster_ip.as_deref())
            .filter(|ip| !ip.is_empty())
            .unwrap_or("<none>");
        let external: Vec<String> = spec
            .and_then(|s| s.external_ips.clone())
            .unwrap_or_default();
        let external = match ty {
            "ExternalName" => spec
                .and_then(|s| s.external_name.clone())
                .unwrap_or_else(|| "<none>".into()),
            "LoadBalancer" if external.is_empty() => "<pending>".into(),
            _ if external.is_empty() => "<none>".into(),
            _ => external.join(","),
        };
        let ports: Vec<String> = spec
            .and_then(|s| s.ports.as_ref())
            .into_iter()
            .flatten()
            .map(|p| {
                let proto = p.protocol.as_deref().unwrap_or("TCP");
                match p.node_port {
                    Some(np) => format!("{}:{np}/{proto}", p.port),
                    None => format!("{}/{proto}", p.port),
                }
            })
            .collect();
        let ports = if ports.is_empty() {
            "<none>".to_string()
        } else {
            ports.join(",")
        };
        let selector = spec
            .and_then(|s| s.selector.as_ref())
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .unwrap_or_else(|| "<none>".into());
        vec![
            name(&self.metadata),
            json!(ty),
            json!(cluster_ip),
            json!(external),
            json!(ports),
            age(&self.metadata, cx),
            json!(selector),
        ]
    }
}

impl Printer for Pod {
    const COLUMNS: &'static [Column] = &[
        NAME,
        col(
            "Ready",
            "The aggregate readiness state of this pod for accepting traffic.",
        ),
        col(
            "Status",
            "The aggregate status of the containers in this pod.",
        ),
        col(
            "Restarts",
            "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
        ),
        AGE,
        wide("IP", "The IP address of the pod"),
        wide("Node", "The name of the node this pod is running on"),
        wide(
            "Nominated Node",
            "The name of the node the pod is nominated to run on",
        ),
        wide("Readiness Gates", "The readiness gates of the pod"),
    ];
    fn cells(&self, cx: &PrintCx) -> Vec<Value> {
        let spec = self.spec.as_ref();
        let st = self.status.as_ref();
        let total = spec.map_or(0, |s| s.containers.len());
        let statuses = st
            .and_then(|s| s.container_statuses.as_deref())
            .unwrap_or_default();
        let ready = statuses.iter().filter(|c| c.ready).count();
        let mut restarts = 0;
        let mut last_restart: Option<&Time> = None;
        let mut reason = st
            .and_then(|s| s.reason.clone())
            .or_else(|| st.and_then(|s| s.phase.clone()))
            .unwrap_or_else(|| "Pending".into());
        let mut has_running = false;
        for c in statuses.iter().rev() {
            restarts += c.restart_count;
            if let Some(t) = c
                .last_state
                .as_ref()
                .and_then(|s| s.terminated.as_ref())
                .and_then(|t| t.finished_at.as_ref())
                && last_restart.is_none_or(|l| l.0 < t.0)
            {
                last_restart = Some(t);
            }
            let state = c.state.as_ref();
            if let Some(w) = state.and_then(|s| s.waiting.as_ref())
                && let Some(r) = w.reason.as_deref().filter(|r| !r.is_empty())
            {
                reason = r.to_string();
            } else if let Some(t) = state.and_then(|s| s.terminated.as_ref()) {
                reason = match t.reason.as_deref().filter(|r| !r.is_empty()) {
                    Some(r) => r.to_string(),
                    None if t.signal.is_some_and(|s| s != 0) => {
                        format!("Signal:{}", t.signal.unwrap_or(0))
                    }
                    None => format!("ExitCode:{}", t.exit_code),
                };
            } else if c.ready && state.is_some_and(|s| s.running.is_some()) {
                has_running = true;
            }
        }
        if reason == "Completed" && has_running {
            reason = "Running".into();
        }
        if self.metadata.deletion_timestamp.is_some() {
            reason = if st.and_then(|s| s.reason.as_deref()) == Some("NodeLost") {
                "Unknown".into()
            } else {
                "Terminating".into()
            };
        }
        let restarts = match last_restart {
            Some(t) if restarts > 0 => {
                format!(
                    "{restarts} ({} ago)",
                    human_duration(cx.now.0 - sim_time(t).0)
                )
            }
            _ => restarts.to_string(),
        };
        let ip = st
            .and_then(|s| s.pod_ip.as_deref())
            .filter(|ip| !ip.is_empty())
            .unwrap_or("<none>");
        let node = spec
            .and_then(|s| s.node_name.as_deref())
            .filter(|n| !n.is_empty())
            .unwrap_or("<none>");
        let nominated = st
            .and_then(|s| s.nominated_node_name.as_deref())
            .filter(|n| !n.is_empty())
            .unwrap_or("<none>");
        vec![
            name(&self.metadata),
            json!(format!("{ready}/{total}")),
            json!(reason),
            json!(restarts),
            age(&self.metadata, cx),
            json!(ip),
            json!(node),
            json!(nominated),
            json!("<none>"),
        ]
    }
}

impl Printer for Deployment {
    const COLUMNS: &'static [Column] = &[
        NAME,
        col("Ready", "Number of the pod with ready state"),
        int(
            "Up-to-date",
            "Total number of non-terminated pods targeted by this deployment that have the desired template spec.",
        ),
        int(
            "Available",
            "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.",
        ),
        AGE,
        CONTAINERS,
        IMAGES,
        wide(
            "Selector",
            "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.",
        ),
    ];
    fn cells(&self, cx: &PrintCx) -> Vec<Value> {
        let spec = self.spec.as_ref();
        let st = self.status.as_ref();
        let desired = spec.and_then(|s| s.replicas).unwrap_or(0);
        let ready = st.and_then(|s| s.ready_replicas).unwrap_or(0);
        let (cs, is) = containers_images(spec.map(|s| &s.template));
        vec![
            name(&self.metadata),
            json!(format!("{ready}/{desired}")),
            json!(st.and_then(|s| s.updated_replicas).unwrap_or(0)),
            json!(st.and_then(|s| s.available_replicas).unwrap_or(0)),
            age(&self.metadata, cx),
            cs,
            is,
            json!(format_selector(spec.map(|s| &s.selector))),
        ]
    }
}

impl Printer for ReplicaSet {
    const COLUMNS: &'static [Column] = &[
        NAME,
        int(
            "Desired",
            "Number of desired pods. This is a pointer to distinguish between explicit zero and not specified. Defaults to 1.",
        ),
        int(
            "Current",
            "Replicas is the most recently observed number of replicas.",
        ),
        int(
            "Ready",
            "The number of ready replicas for this replica set.",
        ),
        AGE,
        CONTAINERS,
        IMAGES,
        wide(
            "Selector",
            "Selector is a label query over pods that should match the replica count. Label keys and values that must match in order to be controlled by this replica set.",
        ),
    ];
    fn cells(&self, cx: &PrintCx) -> Vec<Value> {
        let spec = self.spec.as_ref();
        let st = self.status.as_ref();
        let (cs, is) = containers_images(spec.and_then(|s| s.template.as_ref()));
        vec![
            name(&self.metadata),
            json!(spec.and_then(|s| s.replicas).unwrap_or(0)),
            json!(st.map_or(0, |s| s.replicas)),
            json!(st.and_then(|s| s.ready_replicas).unwrap_or(0)),
            age(&self.metadata, cx),
            cs,
            is,
            json!(format_selector(spec.map(|s| &s.selector))),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::human_duration;

    #[test]
    fn ages_read_like_kubectls() {
        let s = 1_000_000_000i64;
        for (secs, want) in [
            (-5, "<invalid>"),
            (-1, "0s"),
            (19, "19s"),
            (75, "75s"),
            (126, "2m6s"),
            (240, "4m"),
            (49 * 60, "49m"),
            (3 * 3600 + 5 * 60, "3h5m"),
            (30 * 3600, "30h"),
            (8 * 86400, "8d"),
            (3 * 86400 + 5 * 3600, "3d5h"),
            (800 * 86400, "2y70d"),
        ] {
            assert_eq!(human_duration(secs * s), want, "{secs}s");
        }
    }
}
