//! The built-in mini-orchestrator: a simulated cluster with Docker Swarm semantics.
//!
//! Pure and deterministic: no terminal, no async runtime, no wall clock. Time comes from the
//! caller ([`Cluster::advance_to`]), randomness from a seeded RNG in the state, and every
//! change goes through [`Cluster::apply`] and is published as [`Event`]s.

pub mod agent;
pub mod cluster_health;
pub mod constraint;
pub mod images;
pub mod logs;
pub mod model;
pub mod network;
pub mod orchestrator;
pub mod rng;
pub mod scheduler;
pub mod state;
pub mod time;
pub mod updater;

use model::*;
pub use state::{Event, EventAction, FORMAT_VERSION, Meta, State};
use std::collections::BTreeMap;
use time::{SimDuration, SimTime};

/// An error as the Docker daemon reports it (the CLI prefixes "Error response from daemon: ").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError(pub String);

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl ApiError {
    pub fn rpc(code: &str, desc: impl std::fmt::Display) -> ApiError {
        ApiError(format!("rpc error: code = {code} desc = {desc}"))
    }
    pub fn invalid(desc: impl std::fmt::Display) -> ApiError {
        ApiError::rpc("InvalidArgument", desc)
    }
}

pub const NO_LEADER: &str = "rpc error: code = Unknown desc = The swarm does not have a leader. It's possible that too few managers are online. Make sure more than half of the managers are online.";

/// A node to add with `sim node add`.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeTemplate {
    pub name: String,
    pub role: NodeRole,
    pub cpus: f64,
    pub memory: i64,
    pub labels: Labels,
    pub count: u32,
    pub arch: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NetworkCreate {
    pub name: String,
    pub driver: String,
    pub subnet: Option<String>,
    pub gateway: Option<String>,
    pub attachable: bool,
    pub internal: bool,
    pub encrypted: bool,
    pub labels: Labels,
    pub options: Labels,
}

/// Every change to the cluster is one of these.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    CreateService {
        spec: ServiceSpec,
    },
    UpdateService {
        service: String,
        spec: ServiceSpec,
    },
    RollbackService {
        service: String,
    },
    /// Pauses an update or rollback in progress (the simulator's `kubectl rollout pause`;
    /// a Swarm engine can only pause one on failure).
    PauseUpdate {
        service: String,
    },
    /// Resumes a paused update or rollback where it stopped, keeping the previous spec.
    ResumeUpdate {
        service: String,
    },
    RemoveService {
        service: String,
    },
    UpdateNode {
        node: String,
        spec: NodeSpec,
    },
    RemoveNode {
        node: String,
        force: bool,
    },
    UpdateSwarm {
        task_history_limit: i64,
    },
    RotateJoinToken {
        manager: bool,
    },
    CreateVolume {
        node: String,
        name: Option<String>,
        driver: String,
        labels: Labels,
        options: Labels,
    },
    RemoveVolume {
        node: String,
        name: String,
        force: bool,
    },
    PruneVolumes {
        node: String,
        all: bool,
    },
    CreateNetwork(NetworkCreate),
    RemoveNetwork {
        network: String,
    },
    StopContainer {
        container: String,
        timeout: Option<SimDuration>,
    },
    KillContainer {
        container: String,
        signal: String,
    },
    RemoveContainer {
        container: String,
        force: bool,
        volumes: bool,
    },
    PruneContainers {
        node: String,
    },
    // The simulation's own verbs.
    NodeDown {
        node: String,
    },
    NodeUp {
        node: String,
    },
    AddNodes(NodeTemplate),
    TaskExit {
        task: String,
        code: i64,
    },
    SetStrategy(Strategy),
}

impl Command {
    /// Whether the command needs a leader (swarm-level changes do; node-local ones don't).
    fn needs_leader(&self) -> bool {
        matches!(
            self,
            Command::CreateService { .. }
                | Command::UpdateService { .. }
                | Command::RollbackService { .. }
                | Command::PauseUpdate { .. }
                | Command::ResumeUpdate { .. }
                | Command::RemoveService { .. }
                | Command::UpdateNode { .. }
                | Command::RemoveNode { .. }
                | Command::UpdateSwarm { .. }
                | Command::RotateJoinToken { .. }
                | Command::CreateNetwork(_)
                | Command::RemoveNetwork { .. }
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Done,
    Id(String),
    Ids(Vec<String>),
}

#[derive(Clone)]
pub struct Cluster {
    st: State,
}

/// Scheduler batching delay (swarmkit commits scheduling decisions in debounced batches).
pub const SCHED_DEBOUNCE: SimDuration = SimDuration::from_millis(50);

impl Cluster {
    pub fn from_state(st: State) -> Cluster {
        Cluster { st }
    }
    pub fn state(&self) -> &State {
        &self.st
    }
    pub fn state_mut(&mut self) -> &mut State {
        &mut self.st
    }
    pub fn into_state(self) -> State {
        self.st
    }
    pub fn now(&self) -> SimTime {
        self.st.now()
    }

    /// Applies one command atomically: on error nothing changes.
    pub fn apply(&mut self, cmd: Command) -> Result<Outcome, ApiError> {
        if cmd.needs_leader() && !cluster_health::has_leader(&self.st) {
            return Err(ApiError(NO_LEADER.into()));
        }
        self.st.begin();
        match self.handle(cmd) {
            Ok(o) => {
                self.after_step();
                self.st.commit();
                Ok(o)
            }
            Err(e) => {
                self.st.rollback();
                Err(e)
            }
        }
    }

    /// Applies several commands as one transaction: all of them, or (on the first error,
    /// whose index is returned) none.
    pub fn apply_all(&mut self, cmds: Vec<Command>) -> Result<Vec<Outcome>, (usize, ApiError)> {
        if cmds.iter().any(|c| c.needs_leader()) && !cluster_health::has_leader(&self.st) {
            return Err((0, ApiError(NO_LEADER.into())));
        }
        self.st.begin();
        let mut out = Vec::with_capacity(cmds.len());
        for (i, c) in cmds.into_iter().enumerate() {
            match self.handle(c) {
                Ok(o) => out.push(o),
                Err(e) => {
                    self.st.rollback();
                    return Err((i, e));
                }
            }
        }
        self.after_step();
        self.st.commit();
        Ok(out)
    }

    fn after_step(&mut self) {
        if self.st.take_sched_hint()
            && !self.st.index().unscheduled.is_empty()
            && cluster_health::has_leader(&self.st)
        {
            let at = self.st.now() + SCHED_DEBOUNCE;
            self.st.request_schedule(at);
        }
    }

    /// The next instant at which something is due, if any.
    pub fn next_event_time(&mut self) -> Option<SimTime> {
        self.st.prune_timers();
        self.st.next_timer()
    }

    /// Runs the simulation up to `target`, processing every due timer in order.
    pub fn advance_to(&mut self, target: SimTime) {
        let mut guard = 0u64;
        let mut last = self.st.now();
        loop {
            self.st.prune_timers();
            let Some(t) = self.st.next_timer() else { break };
            if t > target {
                break;
            }
            if t == last {
                guard += 1;
                if guard > 1_000_000 {
                    // A handler keeps rescheduling itself at the same instant: a bug, but
                    // never a hang.
                    break;
                }
            } else {
                guard = 0;
                last = t;
            }
            self.st.begin();
            self.st.set_now(t);
            for (kind, key) in self.st.pop_due(t) {
                self.dispatch(kind, &key);
            }
            self.after_step();
            self.st.commit();
        }
        self.st.set_now(target);
    }

    pub fn advance(&mut self, d: SimDuration) {
        let t = self.st.now() + d;
        self.advance_to(t);
    }

    fn dispatch(&mut self, kind: Kind, key: &str) {
        let st = &mut self.st;
        match kind {
            Kind::Task => agent::task_wake(st, key),
            Kind::Container => agent::container_wake(st, key),
            Kind::Node => agent::node_wake(st, key),
            Kind::Service => updater::service_wake(st, key),
            Kind::Cluster if cluster_health::has_leader(st) => scheduler::run(st),
            _ => {}
        }
    }

    pub fn take_events(&mut self) -> Vec<Event> {
        self.st.take_events()
    }

    // -----------------------------------------------------------------------
    // Lookups (docker resolves an ID, then a name, then a unique ID prefix)

    /// An object by exact ID, then by name, then by unique ID prefix.
    fn lookup<'a, T: state::Object>(
        &'a self,
        key: &str,
        names: Option<&BTreeMap<String, String>>,
    ) -> Option<&'a T> {
        if let Some(x) = self.st.get::<T>(key) {
            return Some(x);
        }
        if let Some(id) = names.and_then(|m| m.get(key)) {
            return self.st.get::<T>(id);
        }
        if key.is_empty() {
            return None;
        }
        unique_prefix(self.st.with_prefix::<T>(key))
    }

    pub fn find_service(&self, key: &str) -> Option<&Service> {
        self.lookup(key, Some(&self.st.index().service_names))
    }

    pub fn find_node(&self, key: &str) -> Option<&Node> {
        self.lookup(key, Some(&self.st.index().node_names))
    }

    pub fn find_task(&self, key: &str) -> Option<&Task> {
        self.lookup(key, None)
    }

    /// A container on a node, by ID, ID prefix or name.
    pub fn find_container(&self, node: &str, key: &str) -> Option<&Container> {
        let on_node = |c: &&Container| c.sim.node == node;
        if let Some(c) = self.st.get::<Container>(key).filter(on_node) {
            return Some(c);
        }
        let name = key.trim_start_matches('/');
        if let Some(id) = self
            .st
            .index()
            .container_names
            .get(&(node.to_string(), name.to_string()))
        {
            return self.st.get::<Container>(id);
        }
        let ids = self.st.index().containers_by_node.get(node)?;
        unique_prefix(
            ids.iter()
                .filter(|id| !key.is_empty() && id.starts_with(key))
                .filter_map(|id| self.st.get::<Container>(id)),
        )
    }

    pub fn find_network(&self, key: &str) -> Option<&Network> {
        self.lookup(key, Some(&self.st.index().network_names))
    }

    pub fn tasks_of_service(&self, svc_id: &str) -> Vec<&Task> {
        self.st
            .index()
            .tasks_by_service
            .get(svc_id)
            .map(|ids| {
                ids.iter()
                    .filter_map(|id| self.st.get::<Task>(id))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn tasks_on_node(&self, node_id: &str) -> Vec<&Task> {
        self.st
            .index()
            .tasks_by_node
            .get(node_id)
            .map(|ids| {
                ids.iter()
                    .filter_map(|id| self.st.get::<Task>(id))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn containers_on_node(&self, node_id: &str) -> Vec<&Container> {
        self.st
            .index()
            .containers_by_node
            .get(node_id)
            .map(|ids| {
                ids.iter()
                    .filter_map(|id| self.st.get::<Container>(id))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn leader(&self) -> Option<&Node> {
        self.st.all::<Node>().find(|n| n.is_leader())
    }

    /// Running/desired counts as `docker service ls` shows them.
    pub fn replica_counts(&self, svc: &Service) -> (u64, u64) {
        let tasks = self.tasks_of_service(&svc.id);
        let running = tasks
            .iter()
            .filter(|t| {
                t.status.state == TaskState::Running && t.desired_state <= TaskState::Complete
            })
            .count() as u64;
        let desired = match svc.spec.mode {
            ServiceMode::Replicated { replicas } => replicas,
            ServiceMode::ReplicatedJob { max_concurrent, .. } => max_concurrent,
            ServiceMode::Global {} | ServiceMode::GlobalJob {} => tasks
                .iter()
                .filter(|t| t.desired_state <= TaskState::Complete && t.is_runnable())
                .count() as u64,
        };
        (running, desired)
    }

    // -----------------------------------------------------------------------

    fn handle(&mut self, cmd: Command) -> Result<Outcome, ApiError> {
        match cmd {
            Command::CreateService { spec } => self.create_service(spec),
            Command::UpdateService { service, spec } => self.update_service(&service, spec),
            Command::RollbackService { service } => self.rollback_service(&service),
            Command::PauseUpdate { service } => self.pause_update(&service),
            Command::ResumeUpdate { service } => self.resume_update(&service),
            Command::RemoveService { service } => self.remove_service(&service),
            Command::UpdateNode { node, spec } => self.update_node(&node, spec),
            Command::RemoveNode { node, force } => self.remove_node(&node, force),
            Command::UpdateSwarm { task_history_limit } => {
                let now = self.st.now();
                self.st.meta.version_seq += 1;
                self.st.meta.swarm.version.index = self.st.meta.version_seq;
                self.st.meta.swarm.updated_at = now;
                self.st.meta.swarm.task_history_retention_limit = task_history_limit;
                Ok(Outcome::Done)
            }
            Command::RotateJoinToken { manager } => {
                let fresh = self.st.meta.rng.swarm_id();
                let tokens = &mut self.st.meta.swarm.join_tokens;
                let t = if manager {
                    &mut tokens.manager
                } else {
                    &mut tokens.worker
                };
                if let Some((prefix, _)) = t.rsplit_once('-') {
                    *t = format!("{prefix}-{fresh}");
                }
                Ok(Outcome::Done)
            }
            Command::CreateVolume {
                node,
                name,
                driver,
                labels,
                options,
            } => self.create_volume(&node, name, &driver, labels, options),
            Command::RemoveVolume { node, name, force } => self.remove_volume(&node, &name, force),
            Command::PruneVolumes { node, all } => {
                let used = self.volumes_in_use(&node);
                let doomed: Vec<Volume> = self
                    .st
                    .all::<Volume>()
                    .filter(|v| {
                        v.sim.node == node
                            && !used.contains_key(&v.name)
                            && (all || v.sim.anonymous)
                    })
                    .cloned()
                    .collect();
                let names = doomed.iter().map(|v| v.name.clone()).collect();
                for v in doomed {
                    self.st.remove::<Volume>(&Volume::key_of(&node, &v.name));
                }
                Ok(Outcome::Ids(names))
            }
            Command::CreateNetwork(req) => self.create_network(req),
            Command::RemoveNetwork { network } => self.remove_network(&network),
            Command::StopContainer { container, timeout } => {
                self.container_exists(&container)?;
                agent::stop_container(&mut self.st, &container, timeout);
                Ok(Outcome::Done)
            }
            Command::KillContainer { container, signal } => {
                let c = self.container_exists(&container)?;
                if !c.is_running() {
                    return Err(ApiError(format!(
                        "Cannot kill container: {container}: Container {container} is not running"
                    )));
                }
                let sig = signal.trim_start_matches("SIG").to_ascii_uppercase();
                if !matches!(
                    sig.as_str(),
                    "KILL"
                        | "TERM"
                        | "INT"
                        | "QUIT"
                        | "HUP"
                        | "USR1"
                        | "USR2"
                        | "9"
                        | "15"
                        | "2"
                        | "3"
                        | "1"
                ) {
                    return Err(ApiError(format!("Invalid signal: {signal}")));
                }
                agent::signal_container(&mut self.st, &container, &sig);
                Ok(Outcome::Done)
            }
            Command::RemoveContainer {
                container,
                force,
                volumes,
            } => {
                let c = self.container_exists(&container)?.clone();
                if c.is_running() && !force {
                    return Err(ApiError(format!(
                        "You cannot remove a running container {}. Stop the container before attempting removal or force remove",
                        c.id
                    )));
                }
                if c.is_running() {
                    agent::kill_now(&mut self.st, &container, 137, true);
                }
                if volumes {
                    agent::remove_container_volumes(&mut self.st, &container);
                }
                self.st.remove::<Container>(&container);
                Ok(Outcome::Done)
            }
            Command::PruneContainers { node } => {
                let doomed: Vec<String> = self
                    .containers_on_node(&node)
                    .iter()
                    .filter(|c| !c.is_running())
                    .map(|c| c.id.clone())
                    .collect();
                for id in &doomed {
                    self.st.remove::<Container>(id);
                }
                Ok(Outcome::Ids(doomed))
            }
            Command::NodeDown { node } => {
                let n = self.node_exists(&node)?;
                if !n.sim.engine_up {
                    return Err(ApiError(format!("node {} is already down", n.hostname())));
                }
                agent::engine_stop(&mut self.st, &node);
                Ok(Outcome::Done)
            }
            Command::NodeUp { node } => {
                let n = self.node_exists(&node)?;
                if n.sim.engine_up {
                    return Err(ApiError(format!("node {} is already up", n.hostname())));
                }
                agent::engine_start(&mut self.st, &node);
                Ok(Outcome::Done)
            }
            Command::AddNodes(tpl) => self.add_nodes(tpl),
            Command::TaskExit { task, code } => {
                let Some(t) = self.st.get::<Task>(&task) else {
                    return Err(ApiError(format!("no such task: {task}")));
                };
                let running = self
                    .st
                    .index()
                    .container_by_task
                    .get(&task)
                    .and_then(|c| self.st.get::<Container>(c))
                    .filter(|c| c.is_running())
                    .map(|c| c.id.clone());
                let Some(cid) = running else {
                    return Err(ApiError(format!(
                        "task {} is not running (it is {})",
                        t.id,
                        t.status.state.as_str()
                    )));
                };
                agent::kill_now(&mut self.st, &cid, code, true);
                Ok(Outcome::Done)
            }
            Command::SetStrategy(s) => {
                self.st.meta.strategy = s;
                Ok(Outcome::Done)
            }
        }
    }

    fn node_exists(&self, id: &str) -> Result<&Node, ApiError> {
        self.st
            .get::<Node>(id)
            .ok_or_else(|| ApiError(format!("node {id} not found")))
    }

    fn container_exists(&self, id: &str) -> Result<&Container, ApiError> {
        self.st
            .get::<Container>(id)
            .ok_or_else(|| ApiError(format!("No such container: {id}")))
    }

    fn service_exists(&self, id: &str) -> Result<&Service, ApiError> {
        self.st
            .get::<Service>(id)
            .ok_or_else(|| ApiError(format!("service {id} not found")))
    }

    /// Validates a service spec the way swarmkit's control API does.
    fn validate_spec(
        &self,
        spec: &ServiceSpec,
        existing: Option<&Service>,
    ) -> Result<(), ApiError> {
        let name = &spec.name;
        if name.is_empty() {
            return Err(ApiError::invalid("meta: name must be provided"));
        }
        if !valid_dns_name(name) {
            return Err(ApiError::invalid(
                "name must be valid as a DNS name component",
            ));
        }
        if name.len() > 63 {
            return Err(ApiError::invalid("name must be 63 characters or fewer"));
        }
        if let Some(old) = existing {
            if old.spec.name != *name {
                return Err(ApiError::rpc(
                    "Unimplemented",
                    "renaming services is not supported",
                ));
            }
            if !old.spec.mode.same_kind(&spec.mode) {
                return Err(ApiError::invalid("service mode change is not allowed"));
            }
        } else if self.st.index().service_names.contains_key(name) {
            return Err(ApiError::rpc(
                "AlreadyExists",
                format!("name conflicts with an existing object: service {name} already exists"),
            ));
        }
        let cs = &spec.task_template.container_spec;
        if cs.image.is_empty() {
            return Err(ApiError::invalid(
                "ContainerSpec: image reference must be provided",
            ));
        }
        if images::ImageRef::parse(&cs.image).is_none() {
            return Err(ApiError::invalid(format!(
                "ContainerSpec: \"{}\" is not a valid repository/tag",
                cs.image
            )));
        }
        for m in &cs.mounts {
            if !m.target.starts_with('/') {
                return Err(ApiError::invalid(format!(
                    "ContainerSpec: invalid mount target, must be an absolute path: {}",
                    m.target
                )));
            }
            if m.r#type == MountType::Bind && !m.source.starts_with('/') {
                return Err(ApiError::invalid(format!(
                    "ContainerSpec: invalid bind mount source, must be an absolute path: {}",
                    m.source
                )));
            }
        }
        constraint::parse(spec.task_template.constraints()).map_err(ApiError::invalid)?;
        if spec.task_template.max_replicas() > 0
            && matches!(
                spec.mode,
                ServiceMode::Global {} | ServiceMode::GlobalJob {}
            )
        {
            return Err(ApiError::invalid(
                "ContainerSpec: MaxReplicas can only be used with replicated mode",
            ));
        }
        for n in &spec.task_template.networks {
            let Some(net) = self.find_network(&n.target) else {
                return Err(ApiError(format!("network {} not found", n.target)));
            };
            if net.ingress {
                return Err(ApiError::invalid(
                    "Service cannot be explicitly attached to the ingress network \"ingress\"",
                ));
            }
        }
        let ep = spec.endpoint();
        if ep.mode == EndpointMode::Dnsrr
            && ep
                .ports
                .iter()
                .any(|p| p.publish_mode == PublishMode::Ingress)
        {
            return Err(ApiError::invalid(
                "EndpointSpec: port published with ingress mode can't be used with dnsrr mode",
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        for p in ep.ports.iter().filter(|p| p.published_port != 0) {
            if !seen.insert((p.published_port, p.protocol, p.publish_mode)) {
                return Err(ApiError::invalid(
                    "EndpointSpec: duplicate published ports provided",
                ));
            }
        }
        // Ingress ports are cluster-wide.
        for p in ep
            .ports
            .iter()
            .filter(|p| p.publish_mode == PublishMode::Ingress && p.published_port != 0)
        {
            for other in self.st.all::<Service>() {
                if existing.is_some_and(|e| e.id == other.id) {
                    continue;
                }
                if other.endpoint.ports.iter().any(|q| {
                    q.publish_mode == PublishMode::Ingress
                        && q.published_port == p.published_port
                        && q.protocol == p.protocol
                }) {
                    return Err(ApiError::invalid(format!(
                        "port '{}' is already in use by service '{}' ({}) as an ingress port",
                        p.published_port, other.spec.name, other.id
                    )));
                }
            }
        }
        Ok(())
    }

    fn create_service(&mut self, spec: ServiceSpec) -> Result<Outcome, ApiError> {
        self.validate_spec(&spec, None)?;
        let now = self.st.now();
        let id = self.st.meta.rng.swarm_id();
        let job_status = spec.mode.is_job().then(|| JobStatus {
            job_iteration: Version {
                index: self.st.meta.version_seq + 1,
            },
            last_execution: Some(now),
        });
        self.st.insert(Service {
            id: id.clone(),
            version: Version::default(),
            created_at: now,
            updated_at: now,
            spec,
            previous_spec: None,
            endpoint: Endpoint::default(),
            update_status: None,
            job_status,
            sim: ServiceSim::default(),
        });
        allocate_endpoint(&mut self.st, &id);
        orchestrator::reconcile(&mut self.st, &id);
        Ok(Outcome::Id(id))
    }

    fn update_service(&mut self, id: &str, spec: ServiceSpec) -> Result<Outcome, ApiError> {
        let old = self.service_exists(id)?.clone();
        self.validate_spec(&spec, Some(&old))?;
        let now = self.st.now();
        let rerun_job = old.spec.mode.is_job()
            && old.spec.task_template.force_update != spec.task_template.force_update;
        let version = self.st.meta.version_seq + 1;
        self.st.update::<Service>(id, |s| {
            s.previous_spec = Some(std::mem::replace(&mut s.spec, spec));
            s.update_status = None;
            updater::stop_run(s, None);
            if rerun_job {
                s.job_status = Some(JobStatus {
                    job_iteration: Version { index: version },
                    last_execution: Some(now),
                });
                s.sim.next_job_slot = 0;
            }
        });
        allocate_endpoint(&mut self.st, id);
        orchestrator::reconcile(&mut self.st, id);
        Ok(Outcome::Id(id.to_string()))
    }

    fn rollback_service(&mut self, id: &str) -> Result<Outcome, ApiError> {
        let svc = self.service_exists(id)?;
        if svc.previous_spec.is_none() {
            return Err(ApiError::rpc(
                "FailedPrecondition",
                format!("service {id} does not have a previous spec"),
            ));
        }
        let now = self.st.now();
        self.st.update::<Service>(id, |s| {
            if let Some(prev) = s.previous_spec.take() {
                s.previous_spec = Some(std::mem::replace(&mut s.spec, prev));
            }
            updater::stop_run(
                s,
                Some(updater::rollback_started(
                    now,
                    "manually requested rollback".into(),
                )),
            );
        });
        allocate_endpoint(&mut self.st, id);
        orchestrator::reconcile(&mut self.st, id);
        Ok(Outcome::Id(id.to_string()))
    }

    fn pause_update(&mut self, id: &str) -> Result<Outcome, ApiError> {
        let svc = self.service_exists(id)?;
        let state = svc.update_status.as_ref().map(|u| u.state);
        let (to, what) = match state {
            Some(UpdateState::Updating) => (UpdateState::Paused, "update"),
            Some(UpdateState::RollbackStarted) => (UpdateState::RollbackPaused, "rollback"),
            _ => {
                return Err(ApiError::rpc(
                    "FailedPrecondition",
                    format!("service {id} has no update in progress"),
                ));
            }
        };
        self.st.update::<Service>(id, |s| {
            updater::stop_run(s, None);
            if let Some(u) = s.update_status.as_mut() {
                u.state = to;
                u.message = format!("{what} paused manually");
            }
        });
        Ok(Outcome::Id(id.to_string()))
    }

    fn resume_update(&mut self, id: &str) -> Result<Outcome, ApiError> {
        let svc = self.service_exists(id)?;
        let state = svc.update_status.as_ref().map(|u| u.state);
        let (to, what) = match state {
            Some(UpdateState::Paused) => (UpdateState::Updating, "update"),
            Some(UpdateState::RollbackPaused) => (UpdateState::RollbackStarted, "rollback"),
            _ => {
                return Err(ApiError::rpc(
                    "FailedPrecondition",
                    format!("service {id} has no paused update"),
                ));
            }
        };
        self.st.update::<Service>(id, |s| {
            updater::stop_run(s, None);
            if let Some(u) = s.update_status.as_mut() {
                u.state = to;
                u.message = format!("{what} resumed manually");
                u.completed_at = None;
            }
        });
        orchestrator::reconcile(&mut self.st, id);
        Ok(Outcome::Id(id.to_string()))
    }

    fn remove_service(&mut self, id: &str) -> Result<Outcome, ApiError> {
        let svc = self.service_exists(id)?.clone();
        let tasks: Vec<String> = self
            .tasks_of_service(id)
            .iter()
            .map(|t| t.id.clone())
            .collect();
        self.st.remove::<Service>(id);
        for vip in &svc.endpoint.virtual_ips {
            network::release(&mut self.st, &vip.network_id, &format!("vip:{id}"));
        }
        for tid in tasks {
            let Some(t) = self.st.get::<Task>(&tid) else {
                continue;
            };
            if t.status.state > TaskState::Running {
                orchestrator::delete_task(&mut self.st, &tid, true);
            } else {
                orchestrator::set_desired(&mut self.st, &tid, TaskState::Remove);
            }
        }
        Ok(Outcome::Done)
    }

    fn update_node(&mut self, id: &str, spec: NodeSpec) -> Result<Outcome, ApiError> {
        let old = self.node_exists(id)?.clone();
        if old.spec.role == NodeRole::Manager && spec.role == NodeRole::Worker {
            let managers = self.st.all::<Node>().filter(|n| n.is_manager()).count();
            if managers <= 1 {
                return Err(ApiError::rpc(
                    "FailedPrecondition",
                    "attempting to demote the last manager of the swarm",
                ));
            }
        }
        let addr = format!("{}:2377", old.ip());
        self.st.update::<Node>(id, |n| {
            n.spec = spec.clone();
            match (old.spec.role, spec.role) {
                (NodeRole::Worker, NodeRole::Manager) => {
                    n.manager_status = Some(ManagerStatus {
                        leader: false,
                        reachability: if n.sim.engine_up {
                            Reachability::Reachable
                        } else {
                            Reachability::Unreachable
                        },
                        addr: addr.clone(),
                    })
                }
                (NodeRole::Manager, NodeRole::Worker) => n.manager_status = None,
                _ => {}
            }
        });
        if old.spec.role != spec.role {
            cluster_health::elect(&mut self.st);
        }
        if old.spec.availability != spec.availability && spec.availability == Availability::Drain {
            orchestrator::evacuate_node(&mut self.st, id, true);
        }
        if old.spec.labels != spec.labels || old.spec.role != spec.role {
            orchestrator::enforce_constraints(&mut self.st, id);
        }
        orchestrator::reconcile_globals(&mut self.st);
        Ok(Outcome::Done)
    }

    fn remove_node(&mut self, id: &str, force: bool) -> Result<Outcome, ApiError> {
        let n = self.node_exists(id)?.clone();
        if n.is_manager() {
            return Err(ApiError::rpc(
                "FailedPrecondition",
                format!(
                    "node {id} is a cluster manager and is a member of the raft cluster. It must be demoted to worker before removal"
                ),
            ));
        }
        if !force && n.status.state != NodeState::Down {
            return Err(ApiError::rpc(
                "FailedPrecondition",
                format!("node {id} is not down and can't be removed"),
            ));
        }
        orchestrator::orphan_tasks(
            &mut self.st,
            id,
            "Task belonged to a node that has been deleted",
        );
        for cid in self
            .containers_on_node(id)
            .iter()
            .map(|c| c.id.clone())
            .collect::<Vec<_>>()
        {
            self.st.remove::<Container>(&cid);
        }
        let vols: Vec<String> = self
            .st
            .all::<Volume>()
            .filter(|v| v.sim.node == id)
            .map(|v| Volume::key_of(id, &v.name))
            .collect();
        for k in vols {
            self.st.remove::<Volume>(&k);
        }
        self.st.remove::<Node>(id);
        orchestrator::reconcile_globals(&mut self.st);
        Ok(Outcome::Done)
    }

    /// Volumes in use on a node: name -> containers using it.
    pub fn volumes_in_use(&self, node: &str) -> BTreeMap<String, Vec<String>> {
        let mut used: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for c in self.containers_on_node(node) {
            for m in c.mounts.iter().filter(|m| m.r#type == "volume") {
                used.entry(m.name.clone()).or_default().push(c.id.clone());
            }
        }
        used
    }

    fn create_volume(
        &mut self,
        node: &str,
        name: Option<String>,
        driver: &str,
        labels: Labels,
        options: Labels,
    ) -> Result<Outcome, ApiError> {
        self.node_exists(node)?;
        let anonymous = name.is_none();
        let name = name.unwrap_or_else(|| self.st.meta.rng.hex_id());
        if !valid_volume_name(&name) {
            return Err(ApiError(format!(
                "create {name}: \"{name}\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path"
            )));
        }
        if driver != "local" {
            return Err(ApiError(format!(
                "create {name}: error looking up volume plugin {driver}: plugin \"{driver}\" not found"
            )));
        }
        if let Some(v) = self.st.get::<Volume>(&Volume::key_of(node, &name)) {
            if v.driver != driver {
                return Err(ApiError(format!(
                    "create {name}: volume name must be unique"
                )));
            }
            return Ok(Outcome::Id(name));
        }
        agent::create_volume(
            &mut self.st,
            node,
            &name,
            driver,
            anonymous,
            labels,
            options,
        );
        Ok(Outcome::Id(name))
    }

    fn remove_volume(&mut self, node: &str, name: &str, force: bool) -> Result<Outcome, ApiError> {
        let key = Volume::key_of(node, name);
        if self.st.get::<Volume>(&key).is_none() {
            if force {
                return Ok(Outcome::Done);
            }
            return Err(ApiError(format!("get {name}: no such volume")));
        }
        if let Some(users) = self.volumes_in_use(node).get(name) {
            return Err(ApiError(format!(
                "remove {name}: volume is in use - [{}]",
                users.join(", ")
            )));
        }
        self.st.remove::<Volume>(&key);
        Ok(Outcome::Done)
    }

    fn create_network(&mut self, req: NetworkCreate) -> Result<Outcome, ApiError> {
        if matches!(
            req.name.as_str(),
            "bridge" | "host" | "none" | "docker_gwbridge"
        ) || self.st.index().network_names.contains_key(&req.name)
        {
            return Err(ApiError(format!(
                "network with name {} already exists",
                req.name
            )));
        }
        if req.driver != "overlay" {
            return Err(ApiError(format!(
                "the built-in cluster only simulates swarm-scoped networks: use -d overlay (got -d {})",
                req.driver
            )));
        }
        let subnet = match &req.subnet {
            Some(s) => {
                let Some((net, len)) = constraint::parse_cidr(s) else {
                    return Err(ApiError(format!("invalid CIDR address: {s}")));
                };
                let overlaps = self.st.all::<Network>().filter_map(network::subnet_of).any(|(u, ul)| {
                    let m = ul.min(len);
                    let mask = if m == 0 { 0 } else { u32::MAX << (32 - m) };
                    (u & mask) == (net & mask)
                });
                if overlaps {
                    return Err(ApiError("Pool overlaps with other one on this address space".into()));
                }
                format!("{}/{len}", constraint::format_ipv4(net))
            }
            None => network::free_subnet(&self.st).ok_or_else(|| ApiError("could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network".into()))?,
        };
        let gateway = match &req.gateway {
            Some(g) => g.clone(),
            None => {
                let (net, _) = constraint::parse_cidr(&subnet).unwrap_or((0, 24));
                constraint::format_ipv4(net + 1)
            }
        };
        let id = self.st.meta.rng.swarm_id();
        self.st.meta.next_vxlan += 1;
        let vxlan = 4096 + self.st.meta.next_vxlan;
        let mut options = req.options.clone();
        if req.encrypted {
            options.insert("encrypted".into(), String::new());
        }
        let now = self.st.now();
        self.st.insert(network::overlay(
            id.clone(),
            now,
            network::OverlaySpec {
                name: req.name,
                subnet,
                gateway,
                vxlan,
                ingress: false,
                internal: req.internal,
                attachable: req.attachable,
                options,
                labels: req.labels,
            },
        ));
        Ok(Outcome::Id(id))
    }

    fn remove_network(&mut self, key: &str) -> Result<Outcome, ApiError> {
        if matches!(key, "bridge" | "host" | "none") {
            return Err(ApiError(format!(
                "{key} is a pre-defined network and cannot be removed"
            )));
        }
        let Some(net) = self.find_network(key).cloned() else {
            return Err(ApiError(format!("network {key} not found")));
        };
        for s in self.st.all::<Service>() {
            if network::task_networks(&self.st, &s.spec).contains(&net.id) {
                if net.ingress {
                    return Err(ApiError::rpc(
                        "PermissionDenied",
                        format!(
                            "ingress network cannot be removed because service {} depends on it",
                            s.id
                        ),
                    ));
                }
                return Err(ApiError::rpc(
                    "FailedPrecondition",
                    format!("network {} is in use by service {}", net.id, s.id),
                ));
            }
        }
        self.st.remove::<Network>(&net.id);
        Ok(Outcome::Done)
    }

    fn add_nodes(&mut self, tpl: NodeTemplate) -> Result<Outcome, ApiError> {
        if tpl.count == 0 {
            return Err(ApiError("--count must be at least 1".into()));
        }
        if tpl.cpus.is_nan() || tpl.cpus <= 0.0 || tpl.memory <= 0 {
            return Err(ApiError("a node needs positive --cpus and --memory".into()));
        }
        let names: Vec<String> = if tpl.count == 1 {
            vec![tpl.name.clone()]
        } else {
            (1..=tpl.count)
                .map(|i| format!("{}{i}", tpl.name))
                .collect()
        };
        for n in &names {
            if !valid_hostname(n) {
                return Err(ApiError(format!(
                    "invalid node name {n:?}: use letters, digits and '-'"
                )));
            }
            if self.st.index().node_names.contains_key(n) {
                return Err(ApiError(format!("a node named {n} already exists")));
            }
        }
        let now = self.st.now();
        let mut ids = Vec::new();
        let mut ips = self.free_ips(names.len()).into_iter();
        for name in names {
            let ip = ips
                .next()
                .ok_or_else(|| ApiError("no free addresses left in 192.168.0.0/16".into()))?;
            let id = self.st.meta.rng.swarm_id();
            let node = make_node(
                &id,
                &name,
                &ip,
                tpl.role,
                false,
                "18.06.1-ce",
                (tpl.cpus * 1e9) as i64,
                tpl.memory,
                &tpl.arch,
                tpl.labels.clone(),
                now,
            );
            self.st.insert(node);
            ids.push(id);
        }
        cluster_health::elect(&mut self.st);
        orchestrator::reconcile_globals(&mut self.st);
        Ok(Outcome::Ids(ids))
    }

    /// The first `n` unused node addresses, from 192.168.31.2 up.
    fn free_ips(&self, n: usize) -> Vec<String> {
        let used: std::collections::BTreeSet<String> =
            self.st.all::<Node>().map(|n| n.ip().to_string()).collect();
        (31..=255u32)
            .flat_map(|third| (2..=254u32).map(move |last| format!("192.168.{third}.{last}")))
            .filter(|ip| !used.contains(ip))
            .take(n)
            .collect()
    }
}

fn unique_prefix<'a, T: 'a>(mut it: impl Iterator<Item = &'a T>) -> Option<&'a T> {
    match (it.next(), it.next()) {
        (Some(x), None) => Some(x),
        _ => None,
    }
}

/// swarmkit: `^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$`
pub fn valid_dns_name(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() || !b[0].is_ascii_alphanumeric() || !b[b.len() - 1].is_ascii_alphanumeric() {
        return false;
    }
    b.iter()
        .all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_')
}

fn valid_volume_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

fn valid_hostname(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
        && !s.starts_with('-')
}

/// Resolves a service's published ports (dynamic ones from 30000) and its VIPs (A service
/// gets one VIP per network in vip mode; dnsrr gets none).
pub fn allocate_endpoint(st: &mut State, svc_id: &str) {
    let Some(svc) = st.get::<Service>(svc_id).cloned() else {
        return;
    };
    let spec = svc.spec.endpoint();
    let mut used: std::collections::BTreeSet<u32> = st
        .all::<Service>()
        .filter(|s| s.id != svc_id)
        .flat_map(|s| {
            s.endpoint
                .ports
                .iter()
                .filter(|p| p.publish_mode == PublishMode::Ingress)
                .map(|p| p.published_port)
        })
        .collect();
    let mut ports = Vec::new();
    for p in &spec.ports {
        let mut p = p.clone();
        if p.publish_mode == PublishMode::Ingress && p.published_port == 0 {
            // Keep the port it had, if any.
            let kept = svc
                .endpoint
                .ports
                .iter()
                .find(|q| {
                    q.target_port == p.target_port
                        && q.protocol == p.protocol
                        && q.publish_mode == PublishMode::Ingress
                })
                .map(|q| q.published_port);
            let port = kept.unwrap_or_else(|| {
                let mut candidate = st.meta.next_ingress_port.max(30000);
                while used.contains(&candidate) {
                    candidate += 1;
                }
                candidate
            });
            if kept.is_none() {
                st.meta.next_ingress_port = port + 1;
            }
            p.published_port = port;
        }
        used.insert(p.published_port);
        ports.push(p);
    }
    let owner = format!("vip:{svc_id}");
    let nets = if spec.mode == EndpointMode::Vip {
        network::task_networks(st, &svc.spec)
    } else {
        Vec::new()
    };
    let mut vips = Vec::new();
    for n in &nets {
        match svc.endpoint.virtual_ips.iter().find(|v| &v.network_id == n) {
            Some(v) => vips.push(v.clone()),
            None => {
                if let Some(addr) = network::allocate(st, n, &owner) {
                    vips.push(VirtualIp {
                        network_id: n.clone(),
                        addr,
                    });
                }
            }
        }
    }
    for v in &svc.endpoint.virtual_ips {
        if !nets.contains(&v.network_id) {
            network::release(st, &v.network_id, &owner);
        }
    }
    st.update::<Service>(svc_id, |s| {
        s.endpoint = Endpoint {
            spec: spec.clone(),
            ports,
            virtual_ips: vips,
        };
    });
}

#[allow(clippy::too_many_arguments)]
fn make_node(
    id: &str,
    hostname: &str,
    ip: &str,
    role: NodeRole,
    leader: bool,
    engine: &str,
    nano_cpus: i64,
    memory: i64,
    arch: &str,
    labels: Labels,
    now: SimTime,
) -> Node {
    let plugin = |t: &str, n: &str| PluginDescription {
        r#type: t.into(),
        name: n.into(),
    };
    Node {
        id: id.to_string(),
        version: Version::default(),
        created_at: now,
        updated_at: now,
        spec: NodeSpec {
            name: String::new(),
            labels,
            role,
            availability: Availability::Active,
        },
        description: NodeDescription {
            hostname: hostname.to_string(),
            platform: Platform {
                architecture: arch.to_string(),
                os: "linux".into(),
            },
            resources: Resources {
                nano_cpus,
                memory_bytes: memory,
            },
            engine: EngineDescription {
                engine_version: engine.to_string(),
                labels: Labels::new(),
                plugins: vec![
                    plugin("Log", "awslogs"),
                    plugin("Log", "fluentd"),
                    plugin("Log", "json-file"),
                    plugin("Log", "journald"),
                    plugin("Log", "syslog"),
                    plugin("Network", "bridge"),
                    plugin("Network", "host"),
                    plugin("Network", "macvlan"),
                    plugin("Network", "null"),
                    plugin("Network", "overlay"),
                    plugin("Volume", "local"),
                ],
            },
        },
        status: NodeStatus {
            state: NodeState::Ready,
            message: String::new(),
            addr: ip.to_string(),
        },
        manager_status: (role == NodeRole::Manager).then(|| ManagerStatus {
            leader,
            reachability: Reachability::Reachable,
            addr: format!("{ip}:2377"),
        }),
        sim: NodeSim {
            engine_up: true,
            ..Default::default()
        },
    }
}

/// Default node size: 4 CPUs and about 7.6 GiB, a typical tutorial VM.
pub const DEFAULT_NODE_CPUS: f64 = 4.0;
pub const DEFAULT_NODE_MEMORY: i64 = 8_200_000_000;

/// The swarm seed 000 builds: manager43 (leader), node139 and node188, no services.
pub fn seed_cluster(seed: u64, start: SimTime) -> Cluster {
    let mut rng = rng::Rng::new(seed);
    let swarm_id = rng.swarm_id();
    let manager_token = format!(
        "SWMTKN-1-2lefzq18zohy9yr1vskutf1sfb2a590xz9d0mjj2m15zu9eprw-{}",
        &rng.swarm_id()
    );
    let meta = Meta {
        format: FORMAT_VERSION,
        seed,
        now: start,
        rng,
        version_seq: 0,
        event_seq: 0,
        strategy: Strategy::Spread,
        swarm: Swarm {
            id: swarm_id,
            version: Version::default(),
            created_at: start,
            updated_at: start,
            task_history_retention_limit: 5,
            join_tokens: JoinTokens {
                worker: "SWMTKN-1-2lefzq18zohy9yr1vskutf1sfb2a590xz9d0mjj2m15zu9eprw-2938j5f50t35ycut0vbj2sx0s".into(),
                manager: manager_token,
            },
            default_addr_pool: vec!["10.0.0.0/8".into()],
            subnet_size: 24,
        },
        sched_at: None,
        next_ingress_port: 30000,
        next_vxlan: 0,
        pid_seq: 0,
    };
    let mut st = State::new(meta);
    st.begin();
    let cpus = (DEFAULT_NODE_CPUS * 1e9) as i64;
    // The IDs, addresses and engine versions seed 000's `docker node ls` shows.
    let seed_nodes = [
        (
            "3jcmnzjh0e99ipgshk1ykuovd",
            "manager43",
            "192.168.31.43",
            NodeRole::Manager,
            "18.06.0-ce",
        ),
        (
            "vww7ue2xprzg46bjx7afo4h04",
            "node139",
            "192.168.31.139",
            NodeRole::Worker,
            "18.06.1-ce",
        ),
        (
            "c5klw5ns4adcvumzgiv66xpyj",
            "node188",
            "192.168.31.188",
            NodeRole::Worker,
            "18.06.1-ce",
        ),
    ];
    for (id, host, ip, role, engine) in seed_nodes {
        let leader = role == NodeRole::Manager;
        st.insert(make_node(
            id,
            host,
            ip,
            role,
            leader,
            engine,
            cpus,
            DEFAULT_NODE_MEMORY,
            "x86_64",
            Labels::new(),
            start,
        ));
    }
    let ingress_id = st.meta.rng.swarm_id();
    st.insert(network::overlay(
        ingress_id,
        start,
        network::OverlaySpec {
            name: network::INGRESS.into(),
            subnet: "10.255.0.0/16".into(),
            gateway: "10.255.0.1".into(),
            vxlan: 4096,
            ingress: true,
            internal: false,
            attachable: false,
            options: Labels::new(),
            labels: Labels::new(),
        },
    ));
    st.commit();
    st.take_events();
    Cluster { st }
}

/// A service spec with the docker CLI's defaults filled in, for code that builds specs
/// without going through the command line (tests, demos).
pub fn basic_spec(name: &str, image: &str, replicas: u64) -> ServiceSpec {
    ServiceSpec {
        name: name.to_string(),
        labels: Labels::new(),
        task_template: TaskSpec {
            container_spec: ContainerSpec {
                image: images::pin(image).unwrap_or_else(|| image.to_string()),
                isolation: "default".into(),
                ..Default::default()
            },
            resources: Some(ResourceRequirements {
                limits: Some(Resources::default()),
                reservations: Some(Resources::default()),
            }),
            restart_policy: Some(RestartPolicy {
                condition: Some(RestartCondition::Any),
                delay: Some(SimDuration::from_secs(5)),
                max_attempts: Some(0),
                window: None,
            }),
            placement: Some(Placement::default()),
            networks: Vec::new(),
            force_update: 0,
            runtime: "container".into(),
        },
        mode: ServiceMode::Replicated { replicas },
        update_config: Some(UpdateConfig::default()),
        rollback_config: Some(UpdateConfig::default()),
        endpoint_spec: Some(EndpointSpec {
            mode: EndpointMode::Vip,
            ports: Vec::new(),
        }),
    }
}

#[cfg(test)]
mod tests;
