//! The engine's objects (as the API returns them, in JSON) turned into the console's views.
//! Everything is computed from one [`Raw`] listing, so a refresh is: list what changed, build
//! the views again, and send the difference.

use crate::backend::view::*;
use opsconsole_sim::base::time::{SimDuration, SimTime};
use opsconsole_sim::exec::format::{service_ports, title};
use opsconsole_sim::model::{PortConfig, TaskState, UpdateState};
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

pub fn s<'a>(v: &'a Value, path: &str) -> &'a str {
    v.pointer(path).and_then(Value::as_str).unwrap_or("")
}

fn i(v: &Value, path: &str) -> i64 {
    v.pointer(path).and_then(Value::as_i64).unwrap_or(0)
}

pub fn time(v: &Value, path: &str) -> SimTime {
    SimTime::parse_rfc3339(s(v, path)).unwrap_or_default()
}

fn labels(v: &Value, path: &str) -> BTreeMap<String, String> {
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

pub fn task_state(s: &str) -> TaskState {
    serde_json::from_value(Value::String(s.to_string())).unwrap_or(TaskState::New)
}

fn update_state(s: &str) -> Option<UpdateState> {
    serde_json::from_value(Value::String(s.to_string())).ok()
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

fn active(t: &Value) -> bool {
    task_state(s(t, "/DesiredState")) <= TaskState::Running
        && task_state(s(t, "/Status/State")) <= TaskState::Running
}

pub fn node_views(raw: &Raw, endpoint_ip: &str) -> Vec<NodeView> {
    if !raw.swarm {
        let (id, name) = local_node(raw);
        let running = raw
            .containers
            .iter()
            .filter(|c| s(c, "/State") == "running")
            .count() as u32;
        let info = &raw.info;
        return vec![NodeView {
            id,
            hostname: name,
            ip: endpoint_ip.to_string(),
            manager: false,
            status: "Ready".into(),
            availability: "Active".into(),
            manager_status: String::new(),
            engine: s(info, "/ServerVersion").to_string(),
            platform: format!("{}/{}", s(info, "/OSType"), s(info, "/Architecture")),
            labels: BTreeMap::new(),
            nano_cpus: i(info, "/NCPU") * 1_000_000_000,
            memory: i(info, "/MemTotal"),
            reserved_cpus: 0,
            reserved_memory: 0,
            tasks: running,
            engine_up: true,
        }];
    }
    let mut usage: HashMap<&str, (i64, i64, u32)> = HashMap::new();
    for t in raw.tasks.iter().filter(|t| active(t)) {
        let u = usage.entry(s(t, "/NodeID")).or_default();
        u.0 += i(t, "/Spec/Resources/Reservations/NanoCPUs");
        u.1 += i(t, "/Spec/Resources/Reservations/MemoryBytes");
        u.2 += 1;
    }
    raw.nodes
        .iter()
        .map(|n| {
            let id = s(n, "/ID");
            let u = usage.get(id).copied().unwrap_or_default();
            let manager_status = if n.pointer("/ManagerStatus").is_none() {
                String::new()
            } else if n
                .pointer("/ManagerStatus/Leader")
                .and_then(Value::as_bool)
                .unwrap_or(false)
            {
                "Leader".into()
            } else {
                title(s(n, "/ManagerStatus/Reachability"))
            };
            NodeView {
                id: id.to_string(),
                hostname: s(n, "/Description/Hostname").to_string(),
                ip: s(n, "/Status/Addr").to_string(),
                manager: s(n, "/Spec/Role") == "manager",
                status: title(s(n, "/Status/State")),
                availability: title(s(n, "/Spec/Availability")),
                manager_status,
                engine: s(n, "/Description/Engine/EngineVersion").to_string(),
                platform: format!(
                    "{}/{}",
                    s(n, "/Description/Platform/OS"),
                    s(n, "/Description/Platform/Architecture")
                ),
                labels: labels(n, "/Spec/Labels"),
                nano_cpus: i(n, "/Description/Resources/NanoCPUs"),
                memory: i(n, "/Description/Resources/MemoryBytes"),
                reserved_cpus: u.0,
                reserved_memory: u.1,
                tasks: u.2,
                engine_up: true,
            }
        })
        .collect()
}

fn cfg_view(v: Option<&Value>) -> Option<UpdateCfgView> {
    let v = v?;
    let dur = |p: &str| SimDuration(i(v, p));
    let str_or = |p: &str, d: &str| {
        let x = s(v, p);
        if x.is_empty() { d } else { x }.to_string()
    };
    Some(UpdateCfgView {
        parallelism: i(v, "/Parallelism").max(0) as u64,
        delay: dur("/Delay"),
        failure_action: str_or("/FailureAction", "pause"),
        monitor: dur("/Monitor"),
        max_failure_ratio: v
            .pointer("/MaxFailureRatio")
            .and_then(Value::as_f64)
            .unwrap_or(0.0) as f32,
        order: str_or("/Order", "stop-first"),
    })
}

fn mode_of(spec: &Value) -> (&'static str, Option<i64>) {
    let m = spec.pointer("/Mode");
    let has = |k: &str| m.and_then(|m| m.get(k)).is_some();
    if has("Global") {
        ("global", None)
    } else if has("ReplicatedJob") {
        (
            "replicated job",
            Some(i(spec, "/Mode/ReplicatedJob/TotalCompletions").max(1)),
        )
    } else if has("GlobalJob") {
        ("global job", None)
    } else {
        ("replicated", Some(i(spec, "/Mode/Replicated/Replicas")))
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

pub fn service_views(raw: &Raw) -> Vec<ServiceView> {
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
            let running = tasks
                .iter()
                .filter(|t| {
                    s(t, "/Status/State") == "running"
                        && nodes_up.get(s(t, "/NodeID")).copied().unwrap_or(true)
                })
                .count() as u64;
            let (mode, replicas) = mode_of(&spec);
            let desired = match replicas {
                Some(r) => r.max(0) as u64,
                None => i(sv, "/ServiceStatus/DesiredTasks").max(0) as u64,
            };
            let mut column = format!("{running}/{desired}");
            let max = i(&spec, "/TaskTemplate/Placement/MaxReplicas");
            if max > 0 {
                column.push_str(&format!(" (max {max} per node)"));
            }
            if mode.ends_with("job") {
                let done = i(sv, "/ServiceStatus/CompletedTasks");
                column.push_str(&format!(" ({done}/{desired} completed)"));
            }
            let ports: Vec<PortConfig> = sv
                .pointer("/Endpoint/Ports")
                .and_then(|p| serde_json::from_value(p.clone()).ok())
                .unwrap_or_default();
            let update_status = sv.get("UpdateStatus").and_then(|u| {
                Some(UpdateStatusView {
                    state: update_state(s(u, "/State"))?,
                    message: s(u, "/Message").to_string(),
                    started_at: Some(time(u, "/StartedAt")).filter(|t| t.0 != 0),
                    completed_at: Some(time(u, "/CompletedAt")).filter(|t| t.0 != 0),
                })
            });
            let updating = update_status.as_ref().is_some_and(|u| {
                matches!(
                    u.state,
                    UpdateState::Updating | UpdateState::RollbackStarted | UpdateState::Paused
                )
            });
            let progress = updating.then(|| {
                let template = comparable(spec.get("TaskTemplate").unwrap_or(&Value::Null));
                let done = tasks
                    .iter()
                    .filter(|t| {
                        s(t, "/DesiredState") == "running"
                            && s(t, "/Status/State") == "running"
                            && t.get("Spec").map(comparable).as_ref() == Some(&template)
                    })
                    .count() as u64;
                (done.min(desired), desired)
            });
            let labels = labels(&spec, "/Labels");
            let stack = labels.get(opsconsole_sim::model::STACK_LABEL).cloned();
            ServiceView {
                id: id.to_string(),
                name: s(&spec, "/Name").to_string(),
                mode: mode.to_string(),
                running,
                desired,
                replicas: column,
                image: strip_digest(s(&spec, "/TaskTemplate/ContainerSpec/Image")),
                ports: service_ports(&ports),
                stack,
                labels,
                update_status,
                update_config: cfg_view(spec.get("UpdateConfig")),
                rollback_config: cfg_view(spec.get("RollbackConfig")),
                progress,
                previous_spec: sv.get("PreviousSpec").cloned(),
                spec,
                created_at: time(sv, "/CreatedAt"),
                updated_at: time(sv, "/UpdatedAt"),
                replicated: mode == "replicated",
            }
        })
        .collect()
}

pub fn task_views(raw: &Raw) -> Vec<TaskView> {
    if !raw.swarm {
        return container_tasks(raw);
    }
    let names = node_names(raw);
    let services: HashMap<&str, &str> = raw
        .services
        .iter()
        .map(|sv| (s(sv, "/ID"), s(sv, "/Spec/Name")))
        .collect();
    raw.tasks
        .iter()
        .map(|t| {
            let state = task_state(s(t, "/Status/State"));
            let node_id = s(t, "/NodeID").to_string();
            let ports: Vec<PortConfig> = t
                .pointer("/Status/PortStatus/Ports")
                .and_then(|p| serde_json::from_value(p.clone()).ok())
                .unwrap_or_default();
            let exit = t.pointer("/Status/ContainerStatus/ExitCode");
            TaskView {
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
                desired: task_state(s(t, "/DesiredState")),
                state,
                state_since: time(t, "/Status/Timestamp"),
                err: s(t, "/Status/Err").to_string(),
                message: s(t, "/Status/Message").to_string(),
                exit_code: (state > TaskState::Running)
                    .then(|| exit.and_then(Value::as_i64))
                    .flatten(),
                created_at: time(t, "/CreatedAt"),
                container_id: Some(s(t, "/Status/ContainerStatus/ContainerID"))
                    .filter(|c| !c.is_empty())
                    .map(str::to_string),
                ports: host_ports(&ports),
                name: None,
            }
        })
        .collect()
}

fn host_ports(ports: &[PortConfig]) -> String {
    ports
        .iter()
        .map(|p| {
            format!(
                "*:{}->{}/{}",
                p.published_port,
                p.target_port,
                serde_json::to_value(p.protocol)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join(",")
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

/// A plain engine's containers, shown as tasks (like `docker ps -a`).
fn container_tasks(raw: &Raw) -> Vec<TaskView> {
    let (node_id, node_name) = local_node(raw);
    raw.containers
        .iter()
        .map(|c| {
            let status = s(c, "/Status");
            let exit_code = exit_code_of(status);
            let state = match s(c, "/State") {
                "running" | "paused" => TaskState::Running,
                "restarting" => TaskState::Starting,
                "created" => TaskState::Ready,
                "removing" => TaskState::Remove,
                "exited" if exit_code == Some(0) => TaskState::Complete,
                "exited" => TaskState::Failed,
                _ => TaskState::Failed,
            };
            let name = container_name(c);
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
            let since = match state {
                TaskState::Running | TaskState::Starting if started.0 > 0 => started,
                TaskState::Complete | TaskState::Failed if finished.0 > 0 => finished,
                _ => created,
            };
            TaskView {
                id: s(c, "/Id").to_string(),
                service_id: String::new(),
                service_name: String::new(),
                slot: 0,
                node_id: node_id.clone(),
                node_name: node_name.clone(),
                image: s(c, "/Image").to_string(),
                desired: if state == TaskState::Running {
                    TaskState::Running
                } else {
                    TaskState::Shutdown
                },
                state,
                state_since: since,
                // How it ended, as `docker ps` says it ("Exited (137)"; the time is the
                // CURRENT STATE column's).
                err: if state == TaskState::Running {
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
                created_at: created,
                container_id: Some(s(c, "/Id").to_string()),
                ports,
                name: Some(name),
            }
        })
        .collect()
}

pub fn volume_views(raw: &Raw) -> Vec<VolumeView> {
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
    let mut out: Vec<VolumeView> = raw
        .volumes
        .iter()
        .map(|v| {
            let name = s(v, "/Name").to_string();
            VolumeView {
                kind: VolumeKind::Volume,
                node_id: node_id.clone(),
                node_name: node_name.clone(),
                driver: s(v, "/Driver").to_string(),
                scope: s(v, "/Scope").to_string(),
                mountpoint: s(v, "/Mountpoint").to_string(),
                created_at: time(v, "/CreatedAt"),
                anonymous: name.len() == 64 && name.chars().all(|c| c.is_ascii_hexdigit()),
                used_by: used.remove(&name).unwrap_or_default(),
                name,
            }
        })
        .collect();
    out.extend(binds.into_iter().map(|(path, users)| VolumeView {
        kind: VolumeKind::Bind,
        node_id: node_id.clone(),
        node_name: node_name.clone(),
        name: path.clone(),
        driver: "bind".into(),
        scope: "local".into(),
        mountpoint: path,
        created_at: SimTime::default(),
        anonymous: false,
        used_by: users,
    }));
    out
}

pub fn network_views(raw: &Raw) -> Vec<NetworkView> {
    raw.networks
        .iter()
        .map(|n| NetworkView {
            id: s(n, "/Id").to_string(),
            name: s(n, "/Name").to_string(),
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

pub fn cluster_view(raw: &Raw, endpoint_ip: &str) -> ClusterView {
    ClusterView {
        nodes: node_views(raw, endpoint_ip),
        services: service_views(raw),
        tasks: task_views(raw),
        volumes: volume_views(raw),
        networks: network_views(raw),
    }
}

/// The changes that turn `old` into `new`.
pub fn diff(old: &ClusterView, new: &ClusterView) -> Vec<Change> {
    fn kind<T: PartialEq + Clone>(
        old: &[T],
        new: &[T],
        key: impl Fn(&T) -> String,
        vk: ViewKind,
        wrap: impl Fn(T) -> Change,
        out: &mut Vec<Change>,
    ) {
        let before: HashMap<String, &T> = old.iter().map(|x| (key(x), x)).collect();
        let mut seen = std::collections::HashSet::new();
        for x in new {
            let k = key(x);
            if before.get(&k).is_none_or(|o| *o != x) {
                out.push(wrap(x.clone()));
            }
            seen.insert(k);
        }
        for k in before.keys() {
            if !seen.contains(k) {
                out.push(Change::Removed(vk, k.clone()));
            }
        }
    }
    let mut out = Vec::new();
    kind(
        &old.nodes,
        &new.nodes,
        |n| n.id.clone(),
        ViewKind::Node,
        Change::Node,
        &mut out,
    );
    kind(
        &old.services,
        &new.services,
        |x| x.id.clone(),
        ViewKind::Service,
        |x| Change::Service(Box::new(x)),
        &mut out,
    );
    kind(
        &old.tasks,
        &new.tasks,
        |t| t.id.clone(),
        ViewKind::Task,
        Change::Task,
        &mut out,
    );
    kind(
        &old.volumes,
        &new.volumes,
        VolumeView::key,
        ViewKind::Volume,
        Change::Volume,
        &mut out,
    );
    kind(
        &old.networks,
        &new.networks,
        |n| n.id.clone(),
        ViewKind::Network,
        Change::Network,
        &mut out,
    );
    out
}

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
        let v = cluster_view(&raw, "");
        assert_eq!(v.nodes[0].manager_status, "Leader");
        assert_eq!(v.nodes[0].tasks, 1);
        let sv = &v.services[0];
        assert_eq!(
            (sv.replicas.as_str(), sv.image.as_str()),
            ("1/2", "busybox:latest")
        );
        assert_eq!(sv.ports, "*:8080->80/tcp");
        let t0 = v.tasks.iter().find(|t| t.id == "t0").unwrap();
        assert_eq!((t0.state, t0.exit_code), (TaskState::Failed, Some(1)));
        assert_eq!(t0.name(), "web.1");
        // A change of one task is one change.
        let mut raw2 = raw.clone();
        raw2.tasks[0]["Status"]["State"] = json!("shutdown");
        let changes = diff(&v, &cluster_view(&raw2, ""));
        assert!(
            changes
                .iter()
                .any(|c| matches!(c, Change::Task(t) if t.id == "t1"))
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
        let v = cluster_view(&raw, "");
        assert_eq!(v.nodes.len(), 1);
        let t = &v.tasks[0];
        assert_eq!(
            (t.name().as_str(), t.state, t.exit_code),
            ("web", TaskState::Failed, Some(137))
        );
        assert_eq!(v.volumes[0].used_by, vec!["web:ro".to_string()]);
    }
}
