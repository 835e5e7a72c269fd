//! The engine's objects (as the API returns them, in JSON) read into the shared Swarm
//! converter's facts ([`crate::backend::convert::swarm`]). Everything is computed from one
//! [`Raw`] listing, so a refresh is: list what changed, build the views again, and send the
//! difference.

use crate::backend::convert::swarm::{self as conv, Counts, NodeFacts, ServiceFacts, TaskFacts};
use crate::backend::view::*;
use opsconsole_sim::base::time::{SimDuration, SimTime};
use opsconsole_sim::engine::PortConfig;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// What the engine last listed.
#[derive(Clone, Debug, Default)]
pub struct Raw {
    /// `/info`.
    pub info: Value,
    /// Swarm mode is active and this engine is a manager.
    pub swarm: bool,
    pub nodes: Vec<Value>,
    pub services: Vec<Value>,
    pub tasks: Vec<Value>,
    /// `/containers/json?all=1` (without sizes).
    pub containers: Vec<Value>,
    pub volumes: Vec<Value>,
    pub networks: Vec<Value>,
    /// Container ID → when it last started and finished.
    pub times: HashMap<String, (SimTime, SimTime)>,
}

impl Raw {
    /// What this engine can do to each kind of object.
    pub fn caps(&self) -> Vec<(ResKind, Caps)> {
        if self.swarm {
            conv::swarm_caps()
        } else {
            conv::engine_caps()
        }
    }
}

pub fn s<'a>(v: &'a Value, path: &str) -> &'a str {
    v.pointer(path).and_then(Value::as_str).unwrap_or("")
}

fn i(v: &Value, path: &str) -> i64 {
    v.pointer(path).and_then(Value::as_i64).unwrap_or(0)
}

pub fn time(v: &Value, path: &str) -> SimTime {
    SimTime::parse_rfc3339(s(v, path)).unwrap_or_default()
}

fn labels(v: &Value, path: &str) -> Labels {
    v.pointer(path)
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// `busybox:latest@sha256:...` → `busybox:latest`.
pub fn strip_digest(image: &str) -> String {
    image.split('@').next().unwrap_or(image).to_string()
}

/// The engine's node ID and hostname (of this engine, for local objects).
pub fn local_node(raw: &Raw) -> (String, String) {
    let id = s(&raw.info, "/Swarm/NodeID");
    let id = if id.is_empty() {
        s(&raw.info, "/ID")
    } else {
        id
    };
    (id.to_string(), s(&raw.info, "/Name").to_string())
}

fn node_names(raw: &Raw) -> HashMap<String, String> {
    raw.nodes
        .iter()
        .map(|n| {
            (
                s(n, "/ID").to_string(),
                s(n, "/Description/Hostname").to_string(),
            )
        })
        .collect()
}

/// Assigned and running or about to, and meant to.
fn active(t: &Value) -> bool {
    let (state, desired) = (s(t, "/Status/State"), s(t, "/DesiredState"));
    Phase::of_task_state(desired) <= Phase::Running && Phase::of_task_state(state) <= Phase::Running
}

pub fn node_views(raw: &Raw, endpoint_ip: &str) -> Vec<HostView> {
    let caps = raw.caps();
    if !raw.swarm {
        let (id, name) = local_node(raw);
        let running = raw
            .containers
            .iter()
            .filter(|c| s(c, "/State") == "running")
            .count() as u32;
        let info = &raw.info;
        let facts = NodeFacts {
            id,
            hostname: name,
            ip: endpoint_ip.to_string(),
            manager: false,
            status: HostStatus::Ready,
            availability: Schedulable::Active,
            manager_status: ManagerStatus::None,
            engine: s(info, "/ServerVersion").to_string(),
            platform: format!("{}/{}", s(info, "/OSType"), s(info, "/Architecture")),
            labels: Labels::new(),
            created: SimTime::default(),
            nano_cpus: i(info, "/NCPU") * 1_000_000_000,
            memory: i(info, "/MemTotal"),
            engine_up: true,
        };
        let usage = conv::Usage {
            tasks: running,
            ..conv::Usage::default()
        };
        let caps = conv::caps_of(&caps, ResKind::Engine);
        return vec![conv::host(ResKind::Engine, facts, usage, caps)];
    }
    let mut usage: HashMap<&str, conv::Usage> = HashMap::new();
    for t in raw.tasks.iter().filter(|t| active(t)) {
        let u = usage.entry(s(t, "/NodeID")).or_default();
        u.reserved_cpus += i(t, "/Spec/Resources/Reservations/NanoCPUs");
        u.reserved_memory += i(t, "/Spec/Resources/Reservations/MemoryBytes");
        u.tasks += 1;
    }
    raw.nodes
        .iter()
        .map(|n| {
            let id = s(n, "/ID");
            let manager_status = if n.pointer("/ManagerStatus").is_none() {
                ManagerStatus::None
            } else if n
                .pointer("/ManagerStatus/Leader")
                .and_then(Value::as_bool)
                .unwrap_or(false)
            {
                ManagerStatus::Leader
            } else {
                ManagerStatus::of_reachability(s(n, "/ManagerStatus/Reachability"))
            };
            let facts = NodeFacts {
                id: id.to_string(),
                hostname: s(n, "/Description/Hostname").to_string(),
                ip: s(n, "/Status/Addr").to_string(),
                manager: s(n, "/Spec/Role") == "manager",
                status: HostStatus::parse(s(n, "/Status/State")),
                availability: Schedulable::parse(s(n, "/Spec/Availability")),
                manager_status,
                engine: s(n, "/Description/Engine/EngineVersion").to_string(),
                platform: format!(
                    "{}/{}",
                    s(n, "/Description/Platform/OS"),
                    s(n, "/Description/Platform/Architecture")
                ),
                labels: labels(n, "/Spec/Labels"),
                created: time(n, "/CreatedAt"),
                nano_cpus: i(n, "/Description/Resources/NanoCPUs"),
                memory: i(n, "/Description/Resources/MemoryBytes"),
                engine_up: true,
            };
            let u = usage.get(id).copied().unwrap_or_default();
            let caps = conv::caps_of(&caps, ResKind::SwarmNode);
            conv::host(ResKind::SwarmNode, facts, u, caps)
        })
        .collect()
}

fn strategy(v: Option<&Value>) -> Option<StrategyView> {
    let v = v?;
    let dur = |p: &str| SimDuration(i(v, p));
    let word_or = |p: &str, d: &str| {
        let x = s(v, p);
        Word::new(if x.is_empty() { d } else { x })
    };
    Some(StrategyView {
        parallelism: i(v, "/Parallelism").max(0) as u64,
        delay: dur("/Delay"),
        failure_action: word_or("/FailureAction", "pause"),
        monitor: dur("/Monitor"),
        max_failure_ratio: v
            .pointer("/MaxFailureRatio")
            .and_then(Value::as_f64)
            .unwrap_or(0.0) as f32,
        order: word_or("/Order", "stop-first"),
    })
}

fn mode_of(spec: &Value) -> WorkloadMode {
    let m = spec.pointer("/Mode");
    let has = |k: &str| m.and_then(|m| m.get(k)).is_some();
    if has("Global") {
        WorkloadMode::Global
    } else if has("ReplicatedJob") {
        WorkloadMode::ReplicatedJob
    } else if has("GlobalJob") {
        WorkloadMode::GlobalJob
    } else {
        WorkloadMode::Replicated
    }
}

/// A task spec or task template without what the engine keeps on only one of them, for
/// telling whether a task runs the service's current template.
fn comparable(v: &Value) -> Value {
    let mut v = v.clone();
    // The engine keeps these on the service's template but not on its tasks.
    if let Some(o) = v.as_object_mut() {
        o.remove("ForceUpdate");
        o.remove("Runtime");
    }
    if let Some(cs) = v.pointer_mut("/ContainerSpec/Image")
        && let Some(img) = cs.as_str()
    {
        *cs = Value::String(strip_digest(img));
    }
    v
}

/// Running, desired and (jobs) completed, as `docker service ls` counts them.
fn counts(
    sv: &Value,
    spec: &Value,
    mode: WorkloadMode,
    tasks: &[&Value],
    up: &HashMap<&str, bool>,
) -> Counts {
    let running = tasks
        .iter()
        .filter(|t| {
            s(t, "/Status/State") == "running" && up.get(s(t, "/NodeID")).copied().unwrap_or(true)
        })
        .count() as u64;
    let desired = match mode {
        WorkloadMode::Replicated => i(spec, "/Mode/Replicated/Replicas").max(0) as u64,
        WorkloadMode::ReplicatedJob => {
            i(spec, "/Mode/ReplicatedJob/TotalCompletions").max(1) as u64
        }
        _ => i(sv, "/ServiceStatus/DesiredTasks").max(0) as u64,
    };
    let completed = mode.is_job().then(|| {
        (
            i(sv, "/ServiceStatus/CompletedTasks").max(0) as u64,
            desired,
        )
    });
    Counts {
        running,
        desired,
        completed,
    }
}

/// Each service's view and its revisions.
pub fn service_views(raw: &Raw) -> Vec<(WorkloadView, Vec<RevisionView>)> {
    let caps = conv::caps_of(&raw.caps(), ResKind::SwarmService);
    let mut by_service: HashMap<&str, Vec<&Value>> = HashMap::new();
    for t in &raw.tasks {
        by_service.entry(s(t, "/ServiceID")).or_default().push(t);
    }
    let nodes_up: HashMap<&str, bool> = raw
        .nodes
        .iter()
        .map(|n| (s(n, "/ID"), s(n, "/Status/State") != "down"))
        .collect();
    raw.services
        .iter()
        .map(|sv| {
            let id = s(sv, "/ID");
            let spec = sv.get("Spec").cloned().unwrap_or(Value::Null);
            let tasks = by_service.get(id).cloned().unwrap_or_default();
            let mode = mode_of(&spec);
            let counts = counts(sv, &spec, mode, &tasks, &nodes_up);
            let ports: Vec<PortConfig> = sv
                .pointer("/Endpoint/Ports")
                .and_then(|p| serde_json::from_value(p.clone()).ok())
                .unwrap_or_default();
            let update = sv.get("UpdateStatus").map(|u| conv::UpdateFacts {
                state: Word::new(s(u, "/State")),
                message: s(u, "/Message").to_string(),
                started_at: Some(time(u, "/StartedAt")).filter(|t| t.0 != 0),
                completed_at: Some(time(u, "/CompletedAt")).filter(|t| t.0 != 0),
            });
            let updating = update.as_ref().is_some_and(|u| {
                matches!(u.state.as_str(), "updating" | "rollback_started" | "paused")
            });
            let progress = updating.then(|| {
                let template = comparable(spec.get("TaskTemplate").unwrap_or(&Value::Null));
                conv::update_progress(
                    counts.desired,
                    tasks.iter().map(|t| conv::TaskProgress {
                        wanted: s(t, "/DesiredState") == "running",
                        running: s(t, "/Status/State") == "running",
                        current: t.get("Spec").map(comparable).as_ref() == Some(&template),
                    }),
                )
            });
            let facts = ServiceFacts {
                id: id.to_string(),
                name: s(&spec, "/Name").to_string(),
                mode,
                labels: labels(&spec, "/Labels"),
                created: time(sv, "/CreatedAt"),
                updated: time(sv, "/UpdatedAt"),
                image: strip_digest(s(&spec, "/TaskTemplate/ContainerSpec/Image")),
                ports,
                max_per_node: match mode {
                    WorkloadMode::Replicated => {
                        i(&spec, "/TaskTemplate/Placement/MaxReplicas").max(0) as u64
                    }
                    _ => 0,
                },
                update,
                update_config: strategy(spec.get("UpdateConfig")),
                rollback_config: strategy(spec.get("RollbackConfig")),
                previous_spec: sv.get("PreviousSpec").cloned(),
                spec,
            };
            conv::workload(facts, counts, progress, caps)
        })
        .collect()
}

pub fn task_views(raw: &Raw) -> Vec<ReplicaView> {
    if !raw.swarm {
        return container_tasks(raw);
    }
    let caps = conv::caps_of(&raw.caps(), ResKind::SwarmTask);
    let names = node_names(raw);
    let services: HashMap<&str, &str> = raw
        .services
        .iter()
        .map(|sv| (s(sv, "/ID"), s(sv, "/Spec/Name")))
        .collect();
    raw.tasks
        .iter()
        .map(|t| {
            let node_id = s(t, "/NodeID").to_string();
            let ports: Vec<PortConfig> = t
                .pointer("/Status/PortStatus/Ports")
                .and_then(|p| serde_json::from_value(p.clone()).ok())
                .unwrap_or_default();
            let protos: Vec<String> = ports
                .iter()
                .map(|p| {
                    serde_json::to_value(p.protocol)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default()
                })
                .collect();
            let facts = TaskFacts {
                id: s(t, "/ID").to_string(),
                service_id: s(t, "/ServiceID").to_string(),
                service_name: services
                    .get(s(t, "/ServiceID"))
                    .copied()
                    .unwrap_or("")
                    .to_string(),
                slot: i(t, "/Slot").max(0) as u64,
                node_name: names.get(&node_id).cloned().unwrap_or_default(),
                node_id,
                image: strip_digest(s(t, "/Spec/ContainerSpec/Image")),
                state: Word::new(s(t, "/Status/State")),
                desired: Word::new(s(t, "/DesiredState")),
                since: time(t, "/Status/Timestamp"),
                err: s(t, "/Status/Err").to_string(),
                message: s(t, "/Status/Message").to_string(),
                exit_code: t
                    .pointer("/Status/ContainerStatus/ExitCode")
                    .and_then(Value::as_i64),
                created: time(t, "/CreatedAt"),
                container_id: Some(s(t, "/Status/ContainerStatus/ContainerID"))
                    .filter(|c| !c.is_empty())
                    .map(str::to_string),
                ports: conv::host_ports(
                    ports
                        .iter()
                        .zip(&protos)
                        .map(|(p, proto)| (p.published_port, p.target_port, proto.as_str())),
                ),
            };
            conv::replica(facts, caps)
        })
        .collect()
}

/// A container's name, without docker's leading slash.
fn container_name(c: &Value) -> String {
    s(c, "/Names/0").trim_start_matches('/').to_string()
}

/// `Exited (137) 5 minutes ago` → 137.
fn exit_code_of(status: &str) -> Option<i64> {
    let rest = status.strip_prefix("Exited (")?;
    rest.split(')').next()?.parse().ok()
}

/// A plain engine's containers, shown as replicas (like `docker ps -a`), in docker's task
/// states.
fn container_tasks(raw: &Raw) -> Vec<ReplicaView> {
    let caps = conv::caps_of(&raw.caps(), ResKind::Container);
    let (node_id, node_name) = local_node(raw);
    raw.containers
        .iter()
        .map(|c| {
            let status = s(c, "/Status");
            let exit_code = exit_code_of(status);
            let state = match s(c, "/State") {
                "running" | "paused" => "running",
                "restarting" => "starting",
                "created" => "ready",
                "removing" => "remove",
                "exited" if exit_code == Some(0) => "complete",
                _ => "failed",
            };
            let phase = Phase::of_task_state(state);
            let ports = c
                .get("Ports")
                .and_then(Value::as_array)
                .map(|ps| {
                    ps.iter()
                        .filter(|p| p.get("PublicPort").is_some())
                        .map(|p| {
                            format!(
                                "{}:{}->{}/{}",
                                s(p, "/IP"),
                                i(p, "/PublicPort"),
                                i(p, "/PrivatePort"),
                                s(p, "/Type")
                            )
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            let created = SimTime(i(c, "/Created") * 1_000_000_000);
            let (started, finished) = raw.times.get(s(c, "/Id")).copied().unwrap_or_default();
            let since = match phase {
                Phase::Running | Phase::Starting if started.0 > 0 => started,
                Phase::Succeeded | Phase::Failed if finished.0 > 0 => finished,
                _ => created,
            };
            let running = phase == Phase::Running;
            let desired = if running { "running" } else { "shutdown" };
            ReplicaView {
                c: Common {
                    r: ObjRef::new(ResKind::Container, container_name(c), s(c, "/Id")),
                    labels: labels(c, "/Labels"),
                    created,
                    owner: None,
                    caps,
                },
                slot: 0,
                node_id: node_id.clone(),
                node_name: node_name.clone(),
                image: s(c, "/Image").to_string(),
                phase,
                desired: Phase::of_task_state(desired),
                status: Word::new(state),
                desired_status: Word::new(desired),
                since,
                // How it ended, as `docker ps` says it ("Exited (137)"; the time is the
                // CURRENT STATE column's).
                err: if running {
                    String::new()
                } else {
                    status.split(')').next().map_or(String::new(), |s| {
                        if s.len() < status.len() {
                            format!("{s})")
                        } else {
                            s.to_string()
                        }
                    })
                },
                message: status.to_string(),
                exit_code,
                container_id: Some(s(c, "/Id").to_string()),
                ports,
                kube: None,
            }
        })
        .collect()
}

pub fn volume_views(raw: &Raw) -> Vec<StorageView> {
    let caps = raw.caps();
    let (node_id, node_name) = local_node(raw);
    let mut used: HashMap<String, Vec<String>> = HashMap::new();
    let mut binds: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for c in &raw.containers {
        let name = container_name(c);
        for m in c
            .get("Mounts")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let user = if m.get("RW").and_then(Value::as_bool) == Some(false) {
                format!("{name}:ro")
            } else {
                name.clone()
            };
            match s(m, "/Type") {
                "volume" => used
                    .entry(s(m, "/Name").to_string())
                    .or_default()
                    .push(user),
                "bind" => binds
                    .entry(s(m, "/Source").to_string())
                    .or_default()
                    .push(user),
                _ => {}
            }
        }
    }
    let common = |kind: ResKind, name: String, labels: Labels, created: SimTime| Common {
        r: ObjRef::new(
            kind,
            name.clone(),
            StorageView::key_of(&node_id, &name, kind == ResKind::Bind),
        ),
        labels,
        created,
        owner: None,
        caps: conv::caps_of(&caps, kind),
    };
    let mut out: Vec<StorageView> = raw
        .volumes
        .iter()
        .map(|v| {
            let name = s(v, "/Name").to_string();
            StorageView {
                anonymous: name.len() == 64 && name.chars().all(|c| c.is_ascii_hexdigit()),
                used_by: used.remove(&name).unwrap_or_default(),
                c: common(
                    ResKind::Volume,
                    name,
                    labels(v, "/Labels"),
                    time(v, "/CreatedAt"),
                ),
                node_id: node_id.clone(),
                node_name: node_name.clone(),
                driver: s(v, "/Driver").to_string(),
                scope: s(v, "/Scope").to_string(),
                mountpoint: s(v, "/Mountpoint").to_string(),
            }
        })
        .collect();
    out.extend(binds.into_iter().map(|(path, users)| StorageView {
        c: common(
            ResKind::Bind,
            path.clone(),
            Labels::new(),
            SimTime::default(),
        ),
        node_id: node_id.clone(),
        node_name: node_name.clone(),
        driver: "bind".into(),
        scope: "local".into(),
        mountpoint: path,
        anonymous: false,
        used_by: users,
    }));
    out
}

pub fn network_views(raw: &Raw) -> Vec<NetworkView> {
    let caps = conv::caps_of(&raw.caps(), ResKind::Network);
    raw.networks
        .iter()
        .map(|n| NetworkView {
            c: Common {
                r: ObjRef::new(ResKind::Network, s(n, "/Name"), s(n, "/Id")),
                labels: labels(n, "/Labels"),
                created: time(n, "/Created"),
                owner: None,
                caps,
            },
            driver: s(n, "/Driver").to_string(),
            scope: s(n, "/Scope").to_string(),
            subnet: s(n, "/IPAM/Config/0/Subnet").to_string(),
            gateway: s(n, "/IPAM/Config/0/Gateway").to_string(),
            ingress: n.get("Ingress").and_then(Value::as_bool).unwrap_or(false),
            encrypted: n.pointer("/Options/encrypted").is_some(),
            attachable: n
                .get("Attachable")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        })
        .collect()
}

/// Everything, as the watch's snapshot holds it.
pub fn cluster_view(raw: &Raw, endpoint_ip: &str) -> Snapshot {
    let mut out: Snapshot = node_views(raw, endpoint_ip)
        .into_iter()
        .map(View::Host)
        .collect();
    for (w, revs) in service_views(raw) {
        out.push(View::Workload(Box::new(w)));
        out.extend(revs.into_iter().map(|r| View::Revision(Box::new(r))));
    }
    out.extend(
        task_views(raw)
            .into_iter()
            .map(|t| View::Replica(Box::new(t))),
    );
    out.extend(volume_views(raw).into_iter().map(View::Storage));
    out.extend(network_views(raw).into_iter().map(View::Network));
    out
}

pub use conv::diff;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tasks_and_services_from_engine_json() {
        let raw = Raw {
            info: json!({"Name": "vm", "Swarm": {"NodeID": "n1"}}),
            swarm: true,
            nodes: vec![json!({"ID": "n1", "Description": {"Hostname": "vm"},
                "Spec": {"Role": "manager", "Availability": "active"},
                "Status": {"State": "ready", "Addr": "127.0.0.1"},
                "ManagerStatus": {"Leader": true, "Reachability": "reachable"}})],
            services: vec![json!({"ID": "s1", "CreatedAt": "2026-11-22T08:00:00.5Z",
                "Spec": {"Name": "web", "Mode": {"Replicated": {"Replicas": 2}},
                    "TaskTemplate": {"ContainerSpec": {"Image": "busybox:latest@sha256:abc"}}},
                "Endpoint": {"Ports": [{"Protocol": "tcp", "TargetPort": 80,
                    "PublishedPort": 8080, "PublishMode": "ingress"}]}})],
            tasks: vec![
                json!({"ID": "t1", "ServiceID": "s1", "Slot": 1, "NodeID": "n1",
                    "DesiredState": "running",
                    "Status": {"State": "running", "Timestamp": "2026-11-22T08:00:01Z",
                        "ContainerStatus": {"ContainerID": "c1"}},
                    "Spec": {"ContainerSpec": {"Image": "busybox:latest@sha256:abc"}}}),
                json!({"ID": "t0", "ServiceID": "s1", "Slot": 1, "NodeID": "n1",
                    "DesiredState": "shutdown",
                    "Status": {"State": "failed", "Err": "task: non-zero exit (1)",
                        "ContainerStatus": {"ContainerID": "c0", "ExitCode": 1}}}),
            ],
            ..Raw::default()
        };
        let v = Store::from_snapshot(cluster_view(&raw, ""));
        let node = v.hosts.values().next().unwrap();
        assert_eq!(node.manager_status, ManagerStatus::Leader);
        assert_eq!(node.tasks, 1);
        let sv = v.workloads.values().next().unwrap();
        assert_eq!(
            (sv.replicas.as_str(), sv.image.as_str()),
            ("1/2", "busybox:latest")
        );
        assert_eq!(sv.ports, "*:8080->80/tcp");
        let t0 = &v.replicas["t0"];
        assert_eq!((t0.phase, t0.exit_code), (Phase::Failed, Some(1)));
        assert_eq!(t0.name(), "web.1");
        // A change of one task is one change.
        let mut raw2 = raw.clone();
        raw2.tasks[0]["Status"]["State"] = json!("shutdown");
        let changes = diff(&cluster_view(&raw, ""), &cluster_view(&raw2, ""));
        assert!(
            changes
                .iter()
                .any(|c| matches!(c, Change::Upsert(View::Replica(t)) if t.id() == "t1"))
        );
        assert!(changes.iter().all(|c| !matches!(c, Change::Removed(..))));
    }

    #[test]
    fn containers_of_a_plain_engine() {
        let raw = Raw {
            info: json!({"Name": "box", "ID": "E1", "ServerVersion": "20.10"}),
            containers: vec![json!({"Id": "abc", "Names": ["/web"], "Image": "busybox",
                "State": "exited", "Status": "Exited (137) 2 minutes ago", "Created": 1,
                "Mounts": [{"Type": "volume", "Name": "data", "RW": false}]})],
            volumes: vec![json!({"Name": "data", "Driver": "local", "Scope": "local"})],
            ..Raw::default()
        };
        let v = Store::from_snapshot(cluster_view(&raw, ""));
        assert_eq!(v.hosts.len(), 1);
        let t = v.replicas.values().next().unwrap();
        assert_eq!(
            (t.name(), t.phase, t.exit_code),
            ("web", Phase::Failed, Some(137))
        );
        let vol = v.storage.values().next().unwrap();
        assert_eq!(vol.used_by, vec!["web:ro".to_string()]);
    }
}
