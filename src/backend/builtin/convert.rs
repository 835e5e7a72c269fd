//! The built-in cluster as the console sees it: its typed objects read into the shared
//! Swarm converter's facts ([`crate::backend::convert::swarm`]), and the changes that follow
//! from its change events.

use crate::backend::convert::swarm::{self as conv, Counts, NodeFacts, ServiceFacts, TaskFacts};
use crate::backend::view::*;
use opsconsole_sim::Cluster;
use opsconsole_sim::base::time::SimTime;
use opsconsole_sim::infra::images;
use opsconsole_sim::model::{
    Container, Network, Node, NodeState, Owner, Reachability, Service, ServiceMode, ServiceSpec,
    Task, TaskState, UpdateConfig, Volume,
};
use opsconsole_sim::state::{Event, EventAction, Kind};
use opsconsole_sim::swarm::tasks::{spec_hash, task_name};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

fn hostname(cl: &Cluster, node_id: &str) -> String {
    cl.state()
        .get::<Node>(node_id)
        .map(|n| n.hostname().to_string())
        .unwrap_or_default()
}

fn caps(kind: ResKind) -> Caps {
    conv::caps_of(&conv::builtin_caps(), kind)
}

pub fn node_view(cl: &Cluster, n: &Node) -> HostView {
    let usage = cl.state().index().usage_of(&n.id);
    let status = match n.status.state {
        NodeState::Ready => HostStatus::Ready,
        NodeState::Down => HostStatus::Down,
        NodeState::Unknown => HostStatus::Unknown,
        NodeState::Disconnected => HostStatus::Disconnected,
    };
    let manager_status = match &n.manager_status {
        None => ManagerStatus::None,
        Some(m) if m.leader => ManagerStatus::Leader,
        Some(m) => match m.reachability {
            Reachability::Reachable => ManagerStatus::Reachable,
            Reachability::Unreachable => ManagerStatus::Unreachable,
            Reachability::Unknown => ManagerStatus::Unknown,
        },
    };
    let facts = NodeFacts {
        id: n.id.clone(),
        hostname: n.hostname().to_string(),
        ip: n.ip().to_string(),
        manager: n.is_manager(),
        status,
        availability: Schedulable::parse(n.spec.availability.as_str()),
        manager_status,
        engine: n.description.engine.engine_version.clone(),
        platform: format!(
            "{}/{}",
            n.description.platform.os, n.description.platform.architecture
        ),
        labels: n.spec.labels.clone(),
        created: n.created_at,
        nano_cpus: n.description.resources.nano_cpus,
        memory: n.description.resources.memory_bytes,
        engine_up: n.sim.engine_up,
    };
    let usage = conv::Usage {
        reserved_cpus: usage.map_or(0, |u| u.reserved.nano_cpus),
        reserved_memory: usage.map_or(0, |u| u.reserved.memory_bytes),
        tasks: usage.map_or(0, |u| u.active),
    };
    conv::host(ResKind::SwarmNode, facts, usage, caps(ResKind::SwarmNode))
}

fn strategy(c: &UpdateConfig) -> StrategyView {
    StrategyView {
        parallelism: c.parallelism,
        delay: c.delay,
        failure_action: Word::new(c.failure_action.as_str()),
        monitor: c.monitor,
        max_failure_ratio: c.max_failure_ratio,
        order: Word::new(c.order.as_str()),
    }
}

fn mode(m: &ServiceMode) -> WorkloadMode {
    match m {
        ServiceMode::Replicated { .. } => WorkloadMode::Replicated,
        ServiceMode::Global {} => WorkloadMode::Global,
        ServiceMode::ReplicatedJob { .. } => WorkloadMode::ReplicatedJob,
        ServiceMode::GlobalJob {} => WorkloadMode::GlobalJob,
    }
}

/// Running, desired and (jobs) completed, as `docker service ls` counts them.
fn counts(cl: &Cluster, s: &Service) -> Counts {
    let (running, desired) = cl.replica_counts(s);
    let completed = || {
        let it = s.job_status.as_ref().map(|j| j.job_iteration);
        cl.tasks_of_service(&s.id)
            .iter()
            .filter(|t| t.job_iteration == it && t.status.state == TaskState::Complete)
            .count() as u64
    };
    let completed = match s.spec.mode {
        ServiceMode::ReplicatedJob {
            total_completions, ..
        } => Some((completed(), total_completions)),
        ServiceMode::GlobalJob {} => Some((completed(), cl.state().all::<Node>().count() as u64)),
        _ => None,
    };
    Counts {
        running,
        desired,
        completed,
    }
}

/// A service's view and its revisions.
pub fn service_view(cl: &Cluster, s: &Service) -> (WorkloadView, Vec<RevisionView>) {
    let counts = counts(cl, s);
    let spec_json = |spec: &ServiceSpec| serde_json::to_value(spec).unwrap_or_default();
    let progress = s.update_status.as_ref().map(|_| {
        let hash = spec_hash(&s.spec);
        let tasks = cl.tasks_of_service(&s.id);
        conv::update_progress(
            counts.desired,
            tasks.iter().map(|t| conv::TaskProgress {
                wanted: t.desired_state <= TaskState::Running,
                running: t.status.state == TaskState::Running,
                current: t.sim.spec_hash == hash,
            }),
        )
    });
    let facts = ServiceFacts {
        id: s.id.clone(),
        name: s.spec.name.clone(),
        mode: mode(&s.spec.mode),
        labels: s.spec.labels.clone(),
        created: s.created_at,
        updated: s.updated_at,
        image: images::display(&s.spec.task_template.container_spec.image),
        ports: s.endpoint.ports.clone(),
        max_per_node: match s.spec.mode {
            ServiceMode::Replicated { .. } => s.spec.task_template.max_replicas(),
            _ => 0,
        },
        update: s.update_status.as_ref().map(|u| conv::UpdateFacts {
            state: Word::new(u.state.as_str()),
            message: u.message.clone(),
            started_at: u.started_at,
            completed_at: u.completed_at,
        }),
        update_config: Some(strategy(&s.spec.update_cfg())),
        rollback_config: Some(strategy(&s.spec.rollback_cfg())),
        spec: spec_json(&s.spec),
        previous_spec: s.previous_spec.as_ref().map(spec_json),
    };
    conv::workload(facts, counts, progress, caps(ResKind::SwarmService))
}

pub fn task_view(cl: &Cluster, t: &Task) -> ReplicaView {
    let service_name = cl
        .state()
        .get::<Service>(&t.service_id)
        .map(|s| s.spec.name.clone())
        .unwrap_or_else(|| t.service_id.clone());
    let facts = TaskFacts {
        id: t.id.clone(),
        service_id: t.service_id.clone(),
        service_name,
        slot: t.slot,
        node_id: t.node_id.clone(),
        node_name: hostname(cl, &t.node_id),
        image: images::display(&t.spec.container_spec.image),
        state: Word::new(t.status.state.as_str()),
        desired: Word::new(t.desired_state.as_str()),
        since: t.status.timestamp,
        err: t.status.err.clone(),
        message: t.status.message.to_string(),
        exit_code: t.status.container_status.as_ref().map(|c| c.exit_code),
        created: t.created_at,
        container_id: cl.state().index().container_by_task.get(&t.id).cloned(),
        ports: conv::host_ports(
            t.sim
                .host_ports
                .iter()
                .map(|(proto, p)| (*p, *p, proto.as_str())),
        ),
    };
    conv::replica(facts, caps(ResKind::SwarmTask))
}

fn storage(
    kind: ResKind,
    node_id: &str,
    node_name: &str,
    name: String,
    created: SimTime,
) -> Common {
    let uid = StorageView::key_of(node_id, &name, kind == ResKind::Bind);
    let _ = node_name;
    Common {
        r: ObjRef::new(kind, name, uid),
        labels: Labels::new(),
        created,
        owner: None,
        caps: caps(kind),
    }
}

/// Named volumes and bind-mounted paths of one node, with the containers using them.
pub fn volume_views(cl: &Cluster, node_id: &str) -> Vec<StorageView> {
    let node_name = hostname(cl, node_id);
    let mut users: BTreeMap<(bool, String), Vec<String>> = BTreeMap::new();
    let mut binds: BTreeMap<String, SimTime> = BTreeMap::new();
    for c in cl.containers_on_node(node_id) {
        for m in &c.mounts {
            let ro = if m.rw { "" } else { ":ro" };
            let user = format!("{}{ro}", c.short_name());
            match m.r#type.as_str() {
                "volume" => users.entry((false, m.name.clone())).or_default().push(user),
                "bind" => {
                    let at = binds.entry(m.source.clone()).or_insert(c.created);
                    *at = (*at).min(c.created);
                    users
                        .entry((true, m.source.clone()))
                        .or_default()
                        .push(user)
                }
                _ => {}
            }
        }
    }
    let mut out: Vec<StorageView> = cl
        .state()
        .with_prefix::<Volume>(&format!("{node_id}/"))
        .map(|v| {
            let mut c = storage(
                ResKind::Volume,
                node_id,
                &node_name,
                v.name.clone(),
                v.created_at,
            );
            c.labels = v.labels.clone();
            StorageView {
                c,
                node_id: node_id.to_string(),
                node_name: node_name.clone(),
                driver: v.driver.clone(),
                scope: v.scope.clone(),
                mountpoint: v.mountpoint.clone(),
                anonymous: v.sim.anonymous,
                used_by: users.remove(&(false, v.name.clone())).unwrap_or_default(),
            }
        })
        .collect();
    for (path, created_at) in binds {
        out.push(StorageView {
            c: storage(ResKind::Bind, node_id, &node_name, path.clone(), created_at),
            node_id: node_id.to_string(),
            node_name: node_name.clone(),
            mountpoint: path.clone(),
            used_by: users.remove(&(true, path)).unwrap_or_default(),
            driver: "bind".into(),
            scope: "local".into(),
            anonymous: false,
        });
    }
    out
}

pub fn network_view(n: &Network) -> NetworkView {
    let cfg = n.ipam.config.first();
    NetworkView {
        c: Common {
            r: ObjRef::new(ResKind::Network, n.name.clone(), n.id.clone()),
            labels: n.labels.clone(),
            created: n.created,
            owner: None,
            caps: caps(ResKind::Network),
        },
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
    /// Storage view keys last published per node, to publish removals.
    volume_keys: HashMap<String, BTreeSet<String>>,
    /// Containers with mounts, and their nodes (a removed container's node is gone with it).
    mounting: HashMap<String, String>,
    /// Services last published with a previous spec (whose revision may go).
    with_previous: HashSet<String>,
}

fn removed(kind: ResKind, uid: &str) -> Change {
    Change::Removed(ObjRef::new(kind, "", uid))
}

impl Tracker {
    /// A full view of the cluster; resets what the tracker knows.
    pub fn snapshot(&mut self, cl: &Cluster) -> Snapshot {
        self.volume_keys.clear();
        self.with_previous.clear();
        let st = cl.state();
        self.mounting = st
            .all::<Container>()
            .filter(|c| !c.mounts.is_empty())
            .map(|c| (c.id.clone(), c.sim.node.clone()))
            .collect();
        let mut out: Snapshot = st
            .all::<Node>()
            .map(|n| View::Host(node_view(cl, n)))
            .collect();
        for s in st.all::<Service>() {
            self.service(cl, s, &mut out);
        }
        out.extend(
            st.all::<Task>()
                .map(|t| View::Replica(Box::new(task_view(cl, t)))),
        );
        for n in st.all::<Node>() {
            let vs = volume_views(cl, &n.id);
            self.volume_keys.insert(
                n.id.clone(),
                vs.iter().map(|v| v.key().to_string()).collect(),
            );
            out.extend(vs.into_iter().map(View::Storage));
        }
        out.extend(st.all::<Network>().map(|n| View::Network(network_view(n))));
        out
    }

    /// A service and its revisions.
    fn service(&mut self, cl: &Cluster, s: &Service, out: &mut Vec<View>) {
        let (w, revs) = service_view(cl, s);
        if s.previous_spec.is_some() {
            self.with_previous.insert(s.id.clone());
        }
        out.push(View::Workload(Box::new(w)));
        out.extend(revs.into_iter().map(|r| View::Revision(Box::new(r))));
    }

    pub fn changes(&mut self, cl: &Cluster, events: &[Event]) -> Vec<Change> {
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
                // The Kubernetes cluster reaches the console through its API, not here.
                Kind::Cluster => {}
                k => debug_assert!(k.is_kube(), "a swarm kind the tracker misses: {k:?}"),
            }
        }
        // A node removal takes its tasks' node names with it; a rename changes them.
        for id in &nodes {
            match st.get::<Node>(id) {
                Some(n) => out.push(Change::Upsert(View::Host(node_view(cl, n)))),
                None => out.push(removed(ResKind::SwarmNode, id)),
            }
        }
        for id in &services {
            let [cur, prev] = conv::revision_uids(id);
            match st.get::<Service>(id) {
                Some(s) => {
                    let had_previous = self.with_previous.remove(id);
                    let mut views = Vec::new();
                    self.service(cl, s, &mut views);
                    out.extend(views.into_iter().map(Change::Upsert));
                    if had_previous && s.previous_spec.is_none() {
                        out.push(removed(ResKind::SwarmSpec, &prev));
                    }
                }
                None => {
                    out.push(removed(ResKind::SwarmService, id));
                    out.push(removed(ResKind::SwarmSpec, &cur));
                    if self.with_previous.remove(id) {
                        out.push(removed(ResKind::SwarmSpec, &prev));
                    }
                }
            }
        }
        for id in &tasks {
            match st.get::<Task>(id) {
                Some(t) => out.push(Change::Upsert(View::Replica(Box::new(task_view(cl, t))))),
                None => out.push(removed(ResKind::SwarmTask, id)),
            }
        }
        for node in &volume_nodes {
            let now: Vec<StorageView> = if st.get::<Node>(node).is_some() {
                volume_views(cl, node)
            } else {
                Vec::new()
            };
            let keys: BTreeSet<String> = now.iter().map(|v| v.key().to_string()).collect();
            let before = self.volume_keys.remove(node).unwrap_or_default();
            for gone in before.difference(&keys) {
                out.push(removed(ResKind::Volume, gone));
            }
            out.extend(now.into_iter().map(|v| Change::Upsert(View::Storage(v))));
            if !keys.is_empty() {
                self.volume_keys.insert(node.clone(), keys);
            }
        }
        for id in &networks {
            match st.get::<Network>(id) {
                Some(n) => out.push(Change::Upsert(View::Network(network_view(n)))),
                None => out.push(removed(ResKind::Network, id)),
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
