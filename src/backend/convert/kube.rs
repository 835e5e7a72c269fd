//! Kubernetes objects (k8s-openapi types, as a watch delivers them from any API server) as
//! the console's views. The columns are kubectl's: the cells come from the same printers
//! the built-in API server uses for its Tables (kube-apiserver 1.32's printing rules), so a
//! pod's STATUS reads the same here, in `kubectl get` and on a real cluster.

use crate::backend::view::*;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use opsconsole_sim::base::time::SimTime;
use opsconsole_sim::kube::print::{PrintCx, Printer, format_selector};
use opsconsole_sim::model::kube::*;
use std::collections::BTreeMap;

/// The cell of column `name` of an object's printed row, as text.
fn cell<P: Printer>(obj: &P, name: &str) -> String {
    let cx = PrintCx { now: SimTime(0) };
    let i = P::COLUMNS.iter().position(|c| c.name == name);
    match i.and_then(|i| obj.cells(&cx).into_iter().nth(i)) {
        Some(serde_json::Value::String(s)) => s,
        Some(serde_json::Value::Null) | None => String::new(),
        Some(v) => v.to_string(),
    }
}

fn created(m: &ObjectMeta) -> SimTime {
    m.creation_timestamp
        .as_ref()
        .map(sim_time)
        .unwrap_or_default()
}

fn labels(m: &ObjectMeta) -> Labels {
    m.labels.clone().unwrap_or_default()
}

/// The reference of a Kubernetes object of `kind`.
pub fn obj_ref(kind: ResKind, m: &ObjectMeta) -> ObjRef {
    ObjRef {
        kind,
        ns: m.namespace.clone().filter(|n| !n.is_empty()),
        name: m.name.clone().unwrap_or_default(),
        uid: m.uid.clone().unwrap_or_default(),
    }
}

/// The workload kinds the console shows, by their `kind`.
fn workload_kind(kind: &str) -> Option<ResKind> {
    Some(match kind {
        "Deployment" => ResKind::Deployment,
        "ReplicaSet" => ResKind::ReplicaSet,
        "StatefulSet" => ResKind::StatefulSet,
        "DaemonSet" => ResKind::DaemonSet,
        "Job" => ResKind::Job,
        "CronJob" => ResKind::CronJob,
        _ => return None,
    })
}

/// The controller that owns an object, if the console shows its kind.
fn owner(m: &ObjectMeta) -> Option<ObjRef> {
    let o = controller_of(m)?;
    Some(ObjRef {
        kind: workload_kind(&o.kind)?,
        ns: m.namespace.clone(),
        name: o.name.clone(),
        uid: o.uid.clone(),
    })
}

fn common(kind: ResKind, m: &ObjectMeta, caps: Caps) -> Common {
    Common {
        r: obj_ref(kind, m),
        labels: labels(m),
        created: created(m),
        owner: owner(m),
        caps,
    }
}

/// What the console can do to each Kubernetes kind.
pub fn caps_of(kind: ResKind) -> Caps {
    let workload = Caps::REMOVE | Caps::LABEL | Caps::EVENTS;
    match kind {
        ResKind::KubeNode => Caps::AVAILABILITY | Caps::LABEL | Caps::EVENTS,
        ResKind::Deployment => {
            workload
                | Caps::SCALE
                | Caps::SET_IMAGE
                | Caps::ROLLBACK
                | Caps::PAUSE
                | Caps::RESUME
                | Caps::RESTART
                | Caps::HISTORY
        }
        ResKind::StatefulSet => {
            workload
                | Caps::SCALE
                | Caps::SET_IMAGE
                | Caps::ROLLBACK
                | Caps::RESTART
                | Caps::HISTORY
        }
        ResKind::DaemonSet => {
            workload | Caps::SET_IMAGE | Caps::ROLLBACK | Caps::RESTART | Caps::HISTORY
        }
        ResKind::ReplicaSet => workload | Caps::SCALE | Caps::SET_IMAGE,
        ResKind::Job => workload,
        // Suspend (pause), resume, and run a Job now (start).
        ResKind::CronJob => workload | Caps::PAUSE | Caps::RESUME | Caps::START,
        ResKind::Pod => Caps::REMOVE | Caps::LABEL | Caps::EVENTS,
        _ => Caps::NONE,
    }
}

/// Every Kubernetes kind the console shows, with what it can do to each.
pub fn all_caps() -> Vec<(ResKind, Caps)> {
    [
        ResKind::KubeNode,
        ResKind::Deployment,
        ResKind::ReplicaSet,
        ResKind::StatefulSet,
        ResKind::DaemonSet,
        ResKind::Job,
        ResKind::CronJob,
        ResKind::Pod,
    ]
    .into_iter()
    .map(|k| (k, caps_of(k)))
    .collect()
}

/// CPU in nanocores and memory in bytes of a quantity ("500m", "2", "64Mi").
pub fn nano_cpus(q: &Quantity) -> i64 {
    opsconsole_sim::base::quantity::quantity(&q.0, true).saturating_mul(1_000_000)
}

pub fn bytes(q: &Quantity) -> i64 {
    opsconsole_sim::base::quantity::quantity(&q.0, false)
}

/// A node, with what its pods ask for (`Load`, kept by the watch).
pub fn node(n: &KubeNode, load: &Load) -> HostView {
    let st = n.status.as_ref();
    let alloc = st.and_then(|s| s.allocatable.as_ref());
    let q = |k: &str, f: fn(&Quantity) -> i64| alloc.and_then(|a| a.get(k)).map_or(0, f);
    let status = cell(n, "Status");
    let ready = status.split(',').next() == Some("Ready");
    let info = st.and_then(|s| s.node_info.as_ref());
    let roles = cell(n, "Roles");
    let internal = cell(n, "Internal-IP");
    let taints = n
        .spec
        .as_ref()
        .and_then(|s| s.taints.as_ref())
        .into_iter()
        .flatten()
        .map(|t| match t.value.as_deref() {
            Some(v) if !v.is_empty() => format!("{}={v}:{}", t.key, t.effect),
            _ => format!("{}:{}", t.key, t.effect),
        })
        .collect();
    let cordoned = n.spec.as_ref().and_then(|s| s.unschedulable) == Some(true);
    HostView {
        c: common(ResKind::KubeNode, &n.metadata, caps_of(ResKind::KubeNode)),
        ip: internal,
        role: if roles.contains("control-plane") || roles.contains("master") {
            HostRole::Manager
        } else {
            HostRole::Worker
        },
        status: if ready {
            HostStatus::Ready
        } else if status.starts_with("NotReady") {
            HostStatus::Down
        } else {
            HostStatus::Unknown
        },
        availability: if cordoned {
            Schedulable::Pause
        } else {
            Schedulable::Active
        },
        manager_status: ManagerStatus::None,
        engine: info
            .map(|i| i.container_runtime_version.clone())
            .unwrap_or_default(),
        platform: info
            .map(|i| format!("{}/{}", i.operating_system, i.architecture))
            .unwrap_or_default(),
        nano_cpus: q("cpu", nano_cpus),
        memory: q("memory", bytes),
        reserved_cpus: load.cpu,
        reserved_memory: load.memory,
        tasks: load.pods,
        engine_up: ready,
        kube: Some(Box::new(KubeHost {
            status,
            roles,
            version: info.map(|i| i.kubelet_version.clone()).unwrap_or_default(),
            taints,
            limit_cpus: load.limit_cpu,
            limit_memory: load.limit_memory,
        })),
    }
}

/// What the pods on a node ask for and may use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Load {
    pub pods: u32,
    pub cpu: i64,
    pub memory: i64,
    pub limit_cpu: i64,
    pub limit_memory: i64,
}

impl Load {
    /// What one pod adds to its node (none once it has ended: the scheduler frees it).
    pub fn of_pod(p: &Pod) -> Load {
        let phase = p.status.as_ref().and_then(|s| s.phase.as_deref());
        if matches!(phase, Some("Succeeded" | "Failed")) {
            return Load::default();
        }
        let mut l = Load {
            pods: 1,
            ..Load::default()
        };
        for c in p.spec.iter().flat_map(|s| s.containers.iter()) {
            let Some(r) = c.resources.as_ref() else {
                continue;
            };
            let get = |m: &Option<BTreeMap<String, Quantity>>, k: &str, f: fn(&Quantity) -> i64| {
                m.as_ref().and_then(|m| m.get(k)).map_or(0, f)
            };
            l.cpu += get(&r.requests, "cpu", nano_cpus);
            l.memory += get(&r.requests, "memory", bytes);
            l.limit_cpu += get(&r.limits, "cpu", nano_cpus);
            l.limit_memory += get(&r.limits, "memory", bytes);
        }
        l
    }

    pub fn add(&mut self, o: Load) {
        self.pods += o.pods;
        self.cpu += o.cpu;
        self.memory += o.memory;
        self.limit_cpu += o.limit_cpu;
        self.limit_memory += o.limit_memory;
    }

    pub fn sub(&mut self, o: Load) {
        self.pods = self.pods.saturating_sub(o.pods);
        self.cpu -= o.cpu;
        self.memory -= o.memory;
        self.limit_cpu -= o.limit_cpu;
        self.limit_memory -= o.limit_memory;
    }
}

/// A pod's phase in the console's terms, from kubectl's STATUS and the pod's phase.
fn pod_phase(p: &Pod, status: &str) -> Phase {
    if p.metadata.deletion_timestamp.is_some() {
        return Phase::Terminating;
    }
    match p.status.as_ref().and_then(|s| s.phase.as_deref()) {
        Some("Succeeded") => Phase::Succeeded,
        Some("Failed") => Phase::Failed,
        Some("Unknown") => Phase::Unknown,
        Some("Running") if status == "Running" => Phase::Running,
        Some("Running") => Phase::Starting,
        _ if p.spec.as_ref().and_then(|s| s.node_name.as_ref()).is_some() => Phase::Starting,
        _ => Phase::Pending,
    }
}

/// A pod as a replica: its owner is the workload that controls it.
pub fn pod(p: &Pod) -> ReplicaView {
    let status = cell(p, "Status");
    let phase = pod_phase(p, &status);
    let spec = p.spec.as_ref();
    let st = p.status.as_ref();
    let statuses = st
        .and_then(|s| s.container_statuses.as_deref())
        .unwrap_or_default();
    let restarts: i32 = statuses.iter().map(|c| c.restart_count).sum();
    let last_restart = statuses
        .iter()
        .filter_map(|c| {
            c.last_state
                .as_ref()?
                .terminated
                .as_ref()?
                .finished_at
                .as_ref()
        })
        .map(sim_time)
        .max();
    let why = st
        .and_then(|s| s.conditions.as_ref())
        .into_iter()
        .flatten()
        .find(|c| c.status == "False" && c.message.is_some())
        .and_then(|c| c.message.clone())
        .unwrap_or_default();
    let node = spec.and_then(|s| s.node_name.clone()).unwrap_or_default();
    let slot = p
        .metadata
        .name
        .as_deref()
        .and_then(|n| n.rsplit_once('-'))
        .filter(|_| owner(&p.metadata).is_some_and(|o| o.kind == ResKind::StatefulSet))
        .and_then(|(_, i)| i.parse().ok())
        .unwrap_or(0);
    let exit_code = statuses
        .iter()
        .filter_map(|c| c.state.as_ref()?.terminated.as_ref())
        .map(|t| t.exit_code as i64)
        .next();
    let since = st
        .and_then(|s| s.start_time.as_ref())
        .map(sim_time)
        .unwrap_or_else(|| created(&p.metadata));
    ReplicaView {
        c: common(ResKind::Pod, &p.metadata, caps_of(ResKind::Pod)),
        slot,
        node_id: node.clone(),
        node_name: node,
        image: spec
            .map(|s| images(s.containers.iter().map(|c| c.image.as_deref())))
            .unwrap_or_default(),
        phase,
        desired: if p.metadata.deletion_timestamp.is_some() {
            Phase::Terminating
        } else {
            Phase::Running
        },
        status: Word::new(&status),
        desired_status: Word::new(if p.metadata.deletion_timestamp.is_some() {
            "Terminating"
        } else {
            "Running"
        }),
        since,
        err: st.and_then(|s| s.message.clone()).unwrap_or_default(),
        message: st.and_then(|s| s.reason.clone()).unwrap_or_default(),
        exit_code,
        // Read only for a Docker engine's stats.
        container_id: None,
        ports: String::new(),
        kube: Some(Box::new(KubePod {
            ready: cell(p, "Ready"),
            restarts: restarts.max(0) as u32,
            last_restart,
            ip: st.and_then(|s| s.pod_ip.clone()).unwrap_or_default(),
            containers: spec
                .map(|s| s.containers.iter().map(|c| c.name.clone()).collect())
                .unwrap_or_default(),
            why,
        })),
    }
}

fn images<'a>(it: impl Iterator<Item = Option<&'a str>>) -> String {
    it.map(|i| i.unwrap_or_default())
        .collect::<Vec<_>>()
        .join(",")
}

fn template_images(t: Option<&PodTemplateSpec>) -> (String, Vec<String>) {
    let cs = t
        .and_then(|t| t.spec.as_ref())
        .map(|s| s.containers.as_slice())
        .unwrap_or_default();
    (
        images(cs.iter().map(|c| c.image.as_deref())),
        cs.iter().map(|c| c.name.clone()).collect(),
    )
}

/// The parts every workload view has.
struct Parts {
    mode: WorkloadMode,
    ready: u64,
    desired: u64,
    replicas: String,
    template: Option<PodTemplateSpec>,
    rollout: Option<RolloutView>,
    kube: KubeWorkload,
}

fn workload(kind: ResKind, m: &ObjectMeta, p: Parts) -> WorkloadView {
    let (image, containers) = template_images(p.template.as_ref());
    WorkloadView {
        c: common(kind, m, caps_of(kind)),
        mode: p.mode,
        running: p.ready,
        desired: p.desired,
        replicas: p.replicas,
        image,
        ports: String::new(),
        stack: None,
        updated_at: created(m),
        rollout: p.rollout,
        update_config: None,
        rollback_config: None,
        kube: Some(Box::new(KubeWorkload {
            containers,
            ..p.kube
        })),
    }
}

fn rollout(state: RolloutState, message: String, done: u64, of: u64) -> RolloutView {
    let word = match state {
        RolloutState::Paused => "paused",
        RolloutState::Complete => "complete",
        _ => "progressing",
    };
    RolloutView {
        state,
        status: Word::new(word),
        message,
        started_at: None,
        completed_at: None,
        progress: Some((done, of)),
    }
}

fn num(v: Option<i32>) -> u64 {
    v.unwrap_or(0).max(0) as u64
}

pub fn deployment(d: &Deployment) -> WorkloadView {
    let spec = d.spec.as_ref();
    let st = d.status.as_ref();
    let desired = num(spec.and_then(|s| s.replicas));
    let updated = num(st.and_then(|s| s.updated_replicas));
    let total = num(st.and_then(|s| s.replicas));
    let available = num(st.and_then(|s| s.available_replicas));
    let ready = num(st.and_then(|s| s.ready_replicas));
    let current = st.and_then(|s| s.observed_generation) >= d.metadata.generation;
    let progressing = st
        .and_then(|s| s.conditions.as_ref())
        .into_iter()
        .flatten()
        .find(|c| c.type_ == "Progressing");
    let paused = spec.and_then(|s| s.paused) == Some(true);
    let state = if paused {
        RolloutState::Paused
    } else if !current || updated < desired || total > updated || available < updated {
        RolloutState::Progressing
    } else {
        RolloutState::Complete
    };
    let message = progressing
        .and_then(|c| c.message.clone())
        .unwrap_or_default();
    workload(
        ResKind::Deployment,
        &d.metadata,
        Parts {
            mode: WorkloadMode::Replicated,
            ready,
            desired,
            replicas: cell(d, "Ready"),
            template: spec.map(|s| s.template.clone()),
            rollout: Some(rollout(state, message, updated, desired)),
            kube: KubeWorkload {
                up_to_date: Some(updated),
                available: Some(available),
                selector: format_selector(spec.map(|s| &s.selector)),
                ..Default::default()
            },
        },
    )
}

pub fn replica_set(r: &ReplicaSet) -> WorkloadView {
    let spec = r.spec.as_ref();
    let st = r.status.as_ref();
    let desired = num(spec.and_then(|s| s.replicas));
    let ready = num(st.and_then(|s| s.ready_replicas));
    workload(
        ResKind::ReplicaSet,
        &r.metadata,
        Parts {
            mode: WorkloadMode::Replicated,
            ready,
            desired,
            replicas: format!("{ready}/{desired}"),
            template: spec.and_then(|s| s.template.clone()),
            rollout: None,
            kube: KubeWorkload {
                available: Some(num(st.and_then(|s| s.available_replicas))),
                status: format!("current {}", st.map_or(0, |s| s.replicas)),
                selector: format_selector(spec.map(|s| &s.selector)),
                ..Default::default()
            },
        },
    )
}

pub fn stateful_set(s: &StatefulSet) -> WorkloadView {
    let spec = s.spec.as_ref();
    let st = s.status.as_ref();
    let desired = num(spec.and_then(|s| s.replicas).or(Some(1)));
    let ready = num(st.and_then(|s| s.ready_replicas));
    let updated = num(st.and_then(|s| s.updated_replicas));
    let changing = st.is_some_and(|s| s.current_revision != s.update_revision);
    let state = if changing || updated < desired {
        RolloutState::Progressing
    } else {
        RolloutState::Complete
    };
    workload(
        ResKind::StatefulSet,
        &s.metadata,
        Parts {
            mode: WorkloadMode::Replicated,
            ready,
            desired,
            replicas: format!("{ready}/{desired}"),
            template: spec.map(|s| s.template.clone()),
            rollout: Some(rollout(state, String::new(), updated, desired)),
            kube: KubeWorkload {
                up_to_date: Some(updated),
                available: st
                    .and_then(|s| s.available_replicas)
                    .map(|v| v.max(0) as u64),
                selector: format_selector(spec.map(|s| &s.selector)),
                ..Default::default()
            },
        },
    )
}

pub fn daemon_set(d: &DaemonSet) -> WorkloadView {
    let spec = d.spec.as_ref();
    let st = d.status.as_ref();
    let desired = st.map_or(0, |s| s.desired_number_scheduled.max(0) as u64);
    let ready = st.map_or(0, |s| s.number_ready.max(0) as u64);
    let updated = num(st.and_then(|s| s.updated_number_scheduled));
    let available = num(st.and_then(|s| s.number_available));
    let state = if updated < desired || available < desired {
        RolloutState::Progressing
    } else {
        RolloutState::Complete
    };
    workload(
        ResKind::DaemonSet,
        &d.metadata,
        Parts {
            mode: WorkloadMode::Global,
            ready,
            desired,
            replicas: format!("{ready}/{desired}"),
            template: spec.map(|s| s.template.clone()),
            rollout: Some(rollout(state, String::new(), updated, desired)),
            kube: KubeWorkload {
                up_to_date: Some(updated),
                available: Some(available),
                status: cell(d, "Node Selector"),
                selector: format_selector(spec.map(|s| &s.selector)),
                ..Default::default()
            },
        },
    )
}

pub fn job(j: &Job) -> WorkloadView {
    let spec = j.spec.as_ref();
    let st = j.status.as_ref();
    let succeeded = num(st.and_then(|s| s.succeeded));
    let completions = num(spec.and_then(|s| s.completions).or(Some(1)));
    workload(
        ResKind::Job,
        &j.metadata,
        Parts {
            mode: WorkloadMode::ReplicatedJob,
            ready: succeeded,
            desired: completions,
            replicas: cell(j, "Completions"),
            template: spec.map(|s| s.template.clone()),
            rollout: None,
            kube: KubeWorkload {
                status: cell(j, "Status"),
                suspended: spec.and_then(|s| s.suspend) == Some(true),
                selector: format_selector(spec.and_then(|s| s.selector.as_ref())),
                ..Default::default()
            },
        },
    )
}

pub fn cron_job(c: &CronJob) -> WorkloadView {
    let spec = c.spec.as_ref();
    let active = c
        .status
        .as_ref()
        .and_then(|s| s.active.as_ref())
        .map_or(0, |a| a.len() as u64);
    let suspended = spec.and_then(|s| s.suspend) == Some(true);
    workload(
        ResKind::CronJob,
        &c.metadata,
        Parts {
            mode: WorkloadMode::Scheduled,
            ready: active,
            desired: active,
            replicas: format!("{active} active"),
            template: spec
                .and_then(|s| s.job_template.spec.as_ref())
                .map(|s| s.template.clone()),
            rollout: None,
            kube: KubeWorkload {
                status: cell(c, "Schedule"),
                suspended,
                ..Default::default()
            },
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml<T: serde::de::DeserializeOwned>(s: &str) -> T {
        serde_saphyr::from_str(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_crashing_pod_reads_as_kubectl_prints_it() {
        let p: Pod = yaml(
            "metadata: {name: web-1, namespace: default, uid: u1, creationTimestamp: '2024-01-01T00:00:00Z',
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-7d, uid: rs1, controller: true}]}
spec:
  nodeName: node1
  containers: [{name: web, image: 'nginx:1.25', resources: {requests: {cpu: 250m, memory: 64Mi}}}]
status:
  phase: Running
  podIP: 10.3.1.5
  containerStatuses:
  - name: web
    image: 'nginx:1.25'
    imageID: ''
    ready: false
    restartCount: 3
    state: {waiting: {reason: CrashLoopBackOff}}
",
        );
        let v = pod(&p);
        assert_eq!(v.status.as_str(), "CrashLoopBackOff");
        assert_eq!(v.phase, Phase::Starting);
        let k = v.kube.as_deref().unwrap();
        assert_eq!((k.ready.as_str(), k.restarts), ("0/1", 3));
        assert_eq!(k.ip, "10.3.1.5");
        assert_eq!(v.node_name, "node1");
        let o = v.c.owner.as_ref().unwrap();
        assert_eq!((o.kind, o.name.as_str()), (ResKind::ReplicaSet, "web-7d"));
        assert_eq!(v.c.r.ns.as_deref(), Some("default"));
        let l = Load::of_pod(&p);
        assert_eq!((l.pods, l.cpu, l.memory), (1, 250_000_000, 64 << 20));
    }

    #[test]
    fn a_deployment_mid_rollout_is_progressing() {
        let d: Deployment = yaml(
            "metadata: {name: web, namespace: default, uid: d1, generation: 2}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: 'nginx:1.25'}]}
status: {observedGeneration: 2, replicas: 4, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3}
",
        );
        let v = deployment(&d);
        assert_eq!(v.replicas, "3/3");
        let r = v.rollout.as_ref().unwrap();
        assert_eq!(
            (r.state, r.progress),
            (RolloutState::Progressing, Some((1, 3)))
        );
        let k = v.kube.as_deref().unwrap();
        assert_eq!((k.up_to_date, k.available), (Some(1), Some(3)));
        assert_eq!(k.selector, "app=web");
        assert_eq!(v.image, "nginx:1.25");
        assert!(v.c.caps.has(Caps::SCALE | Caps::ROLLBACK));
    }
}
