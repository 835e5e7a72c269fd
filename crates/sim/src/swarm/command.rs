//! Every change to the swarm is a [`Command`]; [`handle`] applies one inside a transaction.

use crate::ApiError;
use crate::base::time::SimDuration;
use crate::model::*;
use crate::state::State;
use crate::swarm::*;

pub use crate::model::NodeTemplate;

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
    pub fn needs_leader(&self) -> bool {
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

pub fn handle(st: &mut State, cmd: Command) -> Result<Outcome, ApiError> {
    match cmd {
        Command::CreateService { spec } => services::create_service(st, spec),
        Command::UpdateService { service, spec } => services::update_service(st, &service, spec),
        Command::RollbackService { service } => services::rollback_service(st, &service),
        Command::PauseUpdate { service } => services::pause_update(st, &service),
        Command::ResumeUpdate { service } => services::resume_update(st, &service),
        Command::RemoveService { service } => services::remove_service(st, &service),
        Command::UpdateNode { node, spec } => nodes::update_node(st, &node, spec),
        Command::RemoveNode { node, force } => nodes::remove_node(st, &node, force),
        Command::UpdateSwarm { task_history_limit } => {
            settings::update_swarm(st, task_history_limit)
        }
        Command::RotateJoinToken { manager } => settings::rotate_join_token(st, manager),
        Command::CreateVolume {
            node,
            name,
            driver,
            labels,
            options,
        } => resources::create_volume(st, &node, name, &driver, labels, options),
        Command::RemoveVolume { node, name, force } => {
            resources::remove_volume(st, &node, &name, force)
        }
        Command::PruneVolumes { node, all } => resources::prune_volumes(st, &node, all),
        Command::CreateNetwork(req) => resources::create_network(st, req),
        Command::RemoveNetwork { network } => resources::remove_network(st, &network),
        Command::StopContainer { container, timeout } => {
            resources::stop_container(st, &container, timeout)
        }
        Command::KillContainer { container, signal } => {
            resources::kill_container(st, &container, &signal)
        }
        Command::RemoveContainer {
            container,
            force,
            volumes,
        } => resources::remove_container(st, &container, force, volumes),
        Command::PruneContainers { node } => resources::prune_containers(st, &node),
        Command::NodeDown { node } => nodes::node_down(st, &node),
        Command::NodeUp { node } => nodes::node_up(st, &node),
        Command::AddNodes(tpl) => nodes::add_nodes(st, tpl),
        Command::TaskExit { task, code } => resources::task_exit(st, &task, code),
        Command::SetStrategy(s) => settings::set_strategy(st, s),
    }
}
