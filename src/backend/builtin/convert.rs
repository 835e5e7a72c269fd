//! The built-in cluster as the console sees it: views of its objects, and the changes that
//! follow from its change events.

use crate::backend::view::*;
use opsconsole_sim::Cluster;
use opsconsole_sim::exec::format::service_ports;
use opsconsole_sim::exec::views::{manager_status, node_status, replicas_column};
use opsconsole_sim::infra::images;
use opsconsole_sim::model::*;
use opsconsole_sim::state::{Event, EventAction};
use opsconsole_sim::swarm::tasks::{spec_hash, task_name};
use std::collections::{BTreeMap, BTreeSet, HashMap};

fn hostname(cl: &Cluster, node_id: &str) -> String {
    cl.state()
        .get::<Node>(node_id)
        .map(|n| n.hostname().to_string())
        .unwrap_or_default()
}

pub fn node_view(cl: &Cluster, n: &Node) -> NodeView {
    let usage = cl.state().index().usage.get(&n.id);
    NodeView {
        id: n.id.clone(),
        hostname: n.hostname().to_string(),
        ip: n.ip().to_string(),
        manager: n.is_manager(),
        status: node_status(n),
        availability: opsconsole_sim::exec::format::title(n.spec.availability.as_str()),
        manager_status: manager_status(n),
        engine: n.description.engine.engine_version.clone(),
        platform: format!(
            "{}/{}",
            n.description.platform.os, n.description.platform.architecture
        ),
        labels: n.spec.labels.clone(),
        nano_cpus: n.description.resources.nano_cpus,
        memory: n.description.resources.memory_bytes,
        reserved_cpus: usage.map_or(0, |u| u.reserved.nano_cpus),
        reserved_memory: usage.map_or(0, |u| u.reserved.memory_bytes),
        tasks: usage.map_or(0, |u| u.active),
        engine_up: n.sim.engine_up,
    }
}

fn cfg_view(c: &UpdateConfig) -> UpdateCfgView {
    UpdateCfgView {
        parallelism: c.parallelism,
        delay: c.delay,
        failure_action: c.failure_action.as_str().to_string(),
        monitor: c.monitor,
        max_failure_ratio: c.max_failure_ratio,
        order: c.order.as_str().to_string(),
    }
}

/// Slots running the current spec, and the slots the service wants.
fn update_progress(cl: &Cluster, s: &Service, desired: u64) -> (u64, u64) {
    let hash = spec_hash(&s.spec);
    let updated = cl
        .tasks_of_service(&s.id)
        .iter()
        .filter(|t| {
            t.desired_state <= TaskState::Running
                && t.sim.spec_hash == hash
                && t.status.state == TaskState::Running
        })
        .count() as u64;
    (updated.min(desired), desired)
}

pub fn service_view(cl: &Cluster, s: &Service) -> ServiceView {
    let (running, desired) = cl.replica_counts(s);
    let spec_json = |spec: &ServiceSpec| serde_json::to_value(spec).unwrap_or_default();
    ServiceView {
        id: s.id.clone(),
        name: s.spec.name.clone(),
        mode: s.spec.mode.name().to_string(),
        running,
        desired,
        replicas: replicas_column(cl, s),
        image: images::display(&s.spec.task_template.container_spec.image),
        ports: service_ports(&s.endpoint.ports),
        stack: s.spec.labels.get("com.docker.stack.namespace").cloned(),
        labels: s.spec.labels.clone(),
        update_status: s.update_status.as_ref().map(|u| UpdateStatusView {
            state: u.state,
            message: u.message.clone(),
            started_at: u.started_at,
            completed_at: u.completed_at,
        }),
        update_config: Some(cfg_view(&s.spec.update_cfg())),
        rollback_config: Some(cfg_view(&s.spec.rollback_cfg())),
        progress: s
            .update_status
            .as_ref()
            .map(|_| update_progress(cl, s, desired)),
        spec: spec_json(&s.spec),
        previous_spec: s.previous_spec.as_ref().map(spec_json),
        created_at: s.created_at,
        updated_at: s.updated_at,
        replicated: matches!(s.spec.mode, ServiceMode::Replicated { .. }),
    }
}

pub fn task_view(cl: &Cluster, t: &Task) -> TaskView {
    let service_name = cl
        .state()
        .get::<Service>(&t.service_id)
        .map(|s| s.spec.name.clone())
        .unwrap_or_else(|| t.service_id.clone());
    let container_id = cl.state().index().container_by_task.get(&t.id).cloned();
    TaskView {
        id: t.id.clone(),
        service_id: t.service_id.clone(),
        service_name,
        slot: t.slot,
        node_id: t.node_id.clone(),
        node_name: hostname(cl, &t.node_id),
        image: images::display(&t.spec.container_spec.image),
        desired: t.desired_state,
        state: t.status.state,
        state_since: t.status.timestamp,
        err: t.status.err.clone(),
        message: t.status.message.to_string(),
        exit_code: t
            .status
            .container_status
            .as_ref()
            .filter(|_| t.status.state > TaskState::Running)
            .map(|c| c.exit_code),
        created_at: t.created_at,
        container_id,
        ports: t
            .sim
            .host_ports
            .iter()
            .map(|(proto, p)| format!("*:{p}->{p}/{}", proto.as_str()))
            .collect::<Vec<_>>()
            .join(","),
        name: None,
    }
}

/// Named volumes and bind-mounted paths of one node, with the containers using them.
pub fn volume_views(cl: &Cluster, node_id: &str) -> Vec<VolumeView> {
    let node_name = hostname(cl, node_id);
    let mut users: BTreeMap<(VolumeKind, String), Vec<String>> = BTreeMap::new();
    let mut binds: BTreeMap<String, opsconsole_sim::base::time::SimTime> = BTreeMap::new();
    for c in cl.containers_on_node(node_id) {
        for m in &c.mounts {
            let ro = if m.rw { "" } else { ":ro" };
            let user = format!("{}{ro}", c.short_name());
            match m.r#type.as_str() {
                "volume" => users
                    .entry((VolumeKind::Volume, m.name.clone()))
                    .or_default()
                    .push(user),
                "bind" => {
                    let at = binds.entry(m.source.clone()).or_insert(c.created);
                    *at = (*at).min(c.created);
                    users
                        .entry((VolumeKind::Bind, m.source.clone()))
                        .or_default()
                        .push(user)
                }
                _ => {}
            }
        }
    }
    let mut out: Vec<VolumeView> = cl
        .state()
        .with_prefix::<Volume>(&format!("{node_id}/"))
        .map(|v| VolumeView {
            kind: VolumeKind::Volume,
            node_id: node_id.to_string(),
            node_name: node_name.clone(),
            name: v.name.clone(),
            driver: v.driver.clone(),
            scope: v.scope.clone(),
            mountpoint: v.mountpoint.clone(),
            created_at: v.created_at,
            anonymous: v.sim.anonymous,
            used_by: users
                .remove(&(VolumeKind::Volume, v.name.clone()))
                .unwrap_or_default(),
        })
        .collect();
    for (path, created_at) in binds {
        out.push(VolumeView {
            kind: VolumeKind::Bind,
            node_id: node_id.to_string(),
            node_name: node_name.clone(),
            mountpoint: path.clone(),
            used_by: users
                .remove(&(VolumeKind::Bind, path.clone()))
                .unwrap_or_default(),
            name: path,
            driver: "bind".into(),
            scope: "local".into(),
            created_at,
            anonymous: false,
        });
    }
    out
}

pub fn network_view(n: &Network) -> NetworkView {
    let cfg = n.ipam.config.first();
    NetworkView {
        id: n.id.clone(),
        name: n.name.clone(),
        driver: n.driver.clone(),
        scope: n.scope.clone(),
        subnet: cfg.map(|c| c.subnet.clone()).unwrap_or_default(),
        gateway: cfg.map(|c| c.gateway.clone()).unwrap_or_default(),
        ingress: n.ingress,
        encrypted: n.options.contains_key("encrypted"),
        attachable: n.attachable,
    }
}

/// Turns the cluster's change events into view changes, each object at most once per batch.
/// A task change also refreshes its service (replica counts) and node (reservations).
#[derive(Default)]
pub struct Tracker {
    /// Volume view keys last published per node, to publish removals.
    volume_keys: HashMap<String, BTreeSet<String>>,
    /// Containers with mounts, and their nodes (a removed container's node is gone with it).
    mounting: HashMap<String, String>,
}

impl Tracker {
    /// A full view of the cluster; resets what the tracker knows.
    pub fn snapshot(&mut self, cl: &Cluster) -> ClusterView {
        self.volume_keys.clear();
        let st = cl.state();
        self.mounting = st
            .all::<Container>()
            .filter(|c| !c.mounts.is_empty())
            .map(|c| (c.id.clone(), c.sim.node.clone()))
            .collect();
        let mut volumes = Vec::new();
        for n in st.all::<Node>() {
            let vs = volume_views(cl, &n.id);
            self.volume_keys
                .insert(n.id.clone(), vs.iter().map(|v| v.key()).collect());
            volumes.extend(vs);
        }
        ClusterView {
            nodes: st.all::<Node>().map(|n| node_view(cl, n)).collect(),
            services: st.all::<Service>().map(|s| service_view(cl, s)).collect(),
            tasks: st.all::<Task>().map(|t| task_view(cl, t)).collect(),
            volumes,
            networks: st.all::<Network>().map(network_view).collect(),
        }
    }

    pub fn changes(&mut self, cl: &Cluster, events: &[Event]) -> Vec<Change> {
        use opsconsole_sim::state::Kind;
        let st = cl.state();
        let mut nodes = BTreeSet::new();
        let mut services = BTreeSet::new();
        let mut tasks = BTreeSet::new();
        let mut volume_nodes = BTreeSet::new();
        let mut networks = BTreeSet::new();
        let mut out = Vec::new();
        for e in events {
            match e.kind {
                Kind::Node => {
                    nodes.insert(e.id.clone());
                    if e.action == EventAction::Remove {
                        volume_nodes.insert(e.id.clone());
                    }
                }
                Kind::Service => {
                    services.insert(e.id.clone());
                }
                Kind::Task => {
                    if let Some(t) = st.get::<Task>(&e.id) {
                        services.insert(t.service_id.clone());
                        if !t.node_id.is_empty() {
                            nodes.insert(t.node_id.clone());
                        }
                    }
                    tasks.insert(e.id.clone());
                }
                Kind::Container => match st.get::<Container>(&e.id) {
                    Some(c) => {
                        if let Some(t) = c.sim.owner.as_ref().and_then(Owner::swarm_task) {
                            tasks.insert(t.to_string());
                        }
                        if !c.mounts.is_empty() {
                            self.mounting.insert(c.id.clone(), c.sim.node.clone());
                            volume_nodes.insert(c.sim.node.clone());
                        } else if let Some(n) = self.mounting.remove(&c.id) {
                            volume_nodes.insert(n);
                        }
                    }
                    None => {
                        if let Some(n) = self.mounting.remove(&e.id) {
                            volume_nodes.insert(n);
                        }
                    }
                },
                Kind::Volume => {
                    if let Some((node, _)) = e.id.split_once('/') {
                        volume_nodes.insert(node.to_string());
                    }
                }
                Kind::Network => {
                    networks.insert(e.id.clone());
                }
                Kind::Cluster => {}
            }
        }
        // A node removal takes its tasks' node names with it; a rename changes them.
        for id in &nodes {
            match st.get::<Node>(id) {
                Some(n) => out.push(Change::Node(node_view(cl, n))),
                None => out.push(Change::Removed(ViewKind::Node, id.clone())),
            }
        }
        for id in &services {
            match st.get::<Service>(id) {
                Some(s) => out.push(Change::Service(Box::new(service_view(cl, s)))),
                None => out.push(Change::Removed(ViewKind::Service, id.clone())),
            }
        }
        for id in &tasks {
            match st.get::<Task>(id) {
                Some(t) => out.push(Change::Task(task_view(cl, t))),
                None => out.push(Change::Removed(ViewKind::Task, id.clone())),
            }
        }
        for node in &volume_nodes {
            let now: Vec<VolumeView> = if st.get::<Node>(node).is_some() {
                volume_views(cl, node)
            } else {
                Vec::new()
            };
            let keys: BTreeSet<String> = now.iter().map(|v| v.key()).collect();
            let before = self.volume_keys.remove(node).unwrap_or_default();
            for gone in before.difference(&keys) {
                out.push(Change::Removed(ViewKind::Volume, gone.clone()));
            }
            out.extend(now.into_iter().map(Change::Volume));
            if !keys.is_empty() {
                self.volume_keys.insert(node.clone(), keys);
            }
        }
        for id in &networks {
            match st.get::<Network>(id) {
                Some(n) => out.push(Change::Network(network_view(n))),
                None => out.push(Change::Removed(ViewKind::Network, id.clone())),
            }
        }
        out
    }
}

/// The name docker gives a task (`svc.slot`), for plans and messages.
pub fn task_label(cl: &Cluster, t: &Task) -> String {
    let svc = cl
        .state()
        .get::<Service>(&t.service_id)
        .map(|s| s.spec.name.as_str())
        .unwrap_or(t.service_id.as_str());
    task_name(svc, t)
}
