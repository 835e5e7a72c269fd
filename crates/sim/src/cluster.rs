//! The simulated cluster: its state, and the one way to change it. Commands go through
//! [`Cluster::apply`], time through [`Cluster::advance_to`]; each runs as one transaction
//! whose changes are published as [`Event`]s. The Swarm control plane ([`crate::swarm`])
//! handles commands and its objects' timers; the shared infrastructure ([`crate::infra`])
//! runs containers on the nodes, reporting what they do to the plane that owns them.

use crate::base::time::{SimDuration, SimTime};
use crate::infra::runtime;
use crate::model::Container;
use crate::model::*;
use crate::state::{Event, Kind, State};
use crate::swarm::command::{self, Command, Outcome};
use crate::swarm::{self, executor, lookup, raft};

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

/// A new cluster: seed 000's swarm and seed 002's Kubernetes cluster, side by side.
pub fn seed_cluster(seed: u64, start: SimTime) -> Cluster {
    let mut c = swarm::seed::seed_cluster(seed, start);
    c.ensure_kube();
    c.take_events();
    c
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
        if cmd.needs_leader() && !raft::has_leader(&self.st) {
            return Err(ApiError(NO_LEADER.into()));
        }
        self.st.begin();
        match command::handle(&mut self.st, cmd) {
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

    /// Applies one of the simulator's changes to the Kubernetes cluster's machines
    /// atomically; returns the names it touched.
    pub fn apply_kube(
        &mut self,
        cmd: crate::kube::nodes::KubeCommand,
    ) -> Result<Vec<String>, ApiError> {
        self.st.begin();
        match crate::kube::nodes::handle(&mut self.st, cmd) {
            Ok(names) => {
                let at = self.st.now() + crate::kube::controllers::DEBOUNCE;
                self.st.request_kube_sync(at);
                self.after_step();
                self.st.commit();
                Ok(names)
            }
            Err(e) => {
                self.st.rollback();
                Err(ApiError(e))
            }
        }
    }

    /// Serves one Kubernetes API request, as one transaction: an error answer changes
    /// nothing.
    pub fn kube_api(
        &mut self,
        req: &crate::kube::api::ApiRequest,
    ) -> crate::kube::api::ApiResponse {
        self.st.begin();
        let resp = crate::kube::api::handle(&mut self.st, req);
        if resp.status >= 400 {
            self.st.rollback();
        } else {
            if req.method != "GET" {
                let at = self.st.now() + crate::kube::controllers::DEBOUNCE;
                self.st.request_kube_sync(at);
            }
            self.after_step();
            self.st.commit();
        }
        resp
    }

    /// Adds the Kubernetes cluster to a state that has none yet (a new state, or one written
    /// before there was one).
    pub fn ensure_kube(&mut self) {
        if self.st.meta.kube.seeded {
            return;
        }
        self.st.begin();
        crate::kube::seed::add(&mut self.st);
        let at = self.st.now() + crate::kube::controllers::DEBOUNCE;
        self.st.request_kube_sync(at);
        self.st.commit();
    }

    /// Applies several commands as one transaction: all of them, or (on the first error,
    /// whose index is returned) none.
    pub fn apply_all(&mut self, cmds: Vec<Command>) -> Result<Vec<Outcome>, (usize, ApiError)> {
        if cmds.iter().any(|c| c.needs_leader()) && !raft::has_leader(&self.st) {
            return Err((0, ApiError(NO_LEADER.into())));
        }
        self.st.begin();
        let mut out = Vec::with_capacity(cmds.len());
        for (i, c) in cmds.into_iter().enumerate() {
            match command::handle(&mut self.st, c) {
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
            && self.st.index().has_unscheduled()
            && raft::has_leader(&self.st)
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
            self.st.begin_final();
            self.st.set_now(t);
            for (kind, key) in self.st.pop_due(t) {
                self.dispatch(kind, key.as_str());
            }
            self.after_step();
            self.st.commit();
        }
        self.st.set_now(target);
    }

    /// A timer is due: containers are the runtime's (what they report goes to the plane
    /// that owns them), everything else belongs to a control plane.
    fn dispatch(&mut self, kind: Kind, key: &str) {
        match kind {
            Kind::Cluster if key == crate::state::KUBE_TIMER => {
                crate::kube::controllers::sync(&mut self.st)
            }
            Kind::Container => {
                let exited = runtime::container_wake(&mut self.st, key);
                executor::report(&mut self.st, exited);
            }
            _ => swarm::wake(&mut self.st, kind, key),
        }
    }

    pub fn advance(&mut self, d: SimDuration) {
        let t = self.st.now() + d;
        self.advance_to(t);
    }

    pub fn take_events(&mut self) -> Vec<Event> {
        self.st.take_events()
    }

    // -----------------------------------------------------------------------
    // Lookups (docker resolves an ID, then a name, then a unique ID prefix)

    pub fn find_service(&self, key: &str) -> Option<&Service> {
        lookup::find_service(&self.st, key)
    }
    pub fn find_node(&self, key: &str) -> Option<&Node> {
        lookup::find_node(&self.st, key)
    }
    pub fn find_task(&self, key: &str) -> Option<&Task> {
        lookup::find_task(&self.st, key)
    }
    /// A container on a node, by ID, ID prefix or name.
    pub fn find_container(&self, node: &str, key: &str) -> Option<&Container> {
        lookup::find_container(&self.st, node, key)
    }
    pub fn find_network(&self, key: &str) -> Option<&Network> {
        lookup::find_network(&self.st, key)
    }
    pub fn tasks_of_service(&self, svc_id: &str) -> Vec<&Task> {
        lookup::tasks_of_service(&self.st, svc_id)
    }
    pub fn tasks_on_node(&self, node_id: &str) -> Vec<&Task> {
        lookup::tasks_on_node(&self.st, node_id)
    }
    pub fn containers_on_node(&self, node_id: &str) -> Vec<&Container> {
        lookup::containers_on_node(&self.st, node_id)
    }
    pub fn leader(&self) -> Option<&Node> {
        lookup::leader(&self.st)
    }
    /// Running/desired counts as `docker service ls` shows them.
    pub fn replica_counts(&self, svc: &Service) -> (u64, u64) {
        lookup::replica_counts(&self.st, svc)
    }
    /// Volumes in use on a node: name -> containers using it.
    pub fn volumes_in_use(&self, node: &str) -> std::collections::BTreeMap<String, Vec<String>> {
        lookup::volumes_in_use(&self.st, node)
    }
}
