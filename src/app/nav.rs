//! Where the console can be: the panes, and the places a drill-down leads to.

use super::ops::{Context, Op};
use crate::backend::LogTarget;
use crate::backend::view::ResKind;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PaneId {
    Nodes,
    Services,
    Tasks,
    Logs,
    Volumes,
    Rollouts,
}

impl PaneId {
    pub const ALL: [PaneId; 6] = [
        PaneId::Nodes,
        PaneId::Services,
        PaneId::Tasks,
        PaneId::Logs,
        PaneId::Volumes,
        PaneId::Rollouts,
    ];

    /// Its position in [`PaneId::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn title(self) -> &'static str {
        match self {
            PaneId::Nodes => "Nodes",
            PaneId::Services => "Services",
            PaneId::Tasks => "Tasks",
            PaneId::Logs => "Logs",
            PaneId::Volumes => "Volumes",
            PaneId::Rollouts => "Rollouts",
        }
    }

    /// Its title on a backend of this flavor (a Kubernetes cluster has workloads and pods).
    pub fn title_on(self, flavor: crate::backend::Flavor) -> &'static str {
        match (self, flavor) {
            (PaneId::Services, crate::backend::Flavor::Kube) => "Workloads",
            (PaneId::Tasks, crate::backend::Flavor::Kube) => "Pods",
            _ => self.title(),
        }
    }

    pub fn context(self) -> Context {
        match self {
            PaneId::Nodes => Context::Nodes,
            PaneId::Services => Context::Services,
            PaneId::Tasks => Context::Tasks,
            PaneId::Logs => Context::Logs,
            PaneId::Volumes => Context::Volumes,
            PaneId::Rollouts => Context::Rollouts,
        }
    }

    /// The operation that switches to it.
    pub fn op(self) -> Op {
        match self {
            PaneId::Nodes => Op::PaneNodes,
            PaneId::Services => Op::PaneServices,
            PaneId::Tasks => Op::PaneTasks,
            PaneId::Logs => Op::PaneLogs,
            PaneId::Volumes => Op::PaneVolumes,
            PaneId::Rollouts => Op::PaneRollouts,
        }
    }
}

/// Which tasks the tasks pane shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum TaskScope {
    #[default]
    All,
    Service(String),
    Node(String),
}

/// Where a navigation goes.
#[derive(Clone, Debug, PartialEq)]
pub enum Nav {
    Pane(PaneId),
    Tasks(TaskScope),
    Logs(LogTarget),
    Rollouts(Option<String>),
    /// The workloads pane, showing one kind of workload (k9s's `:deploy`) or every kind.
    Workloads(Option<ResKind>),
}

impl Nav {
    /// The pane it shows.
    pub fn pane(&self) -> PaneId {
        match self {
            Nav::Pane(p) => *p,
            Nav::Tasks(_) => PaneId::Tasks,
            Nav::Logs(_) => PaneId::Logs,
            Nav::Rollouts(_) => PaneId::Rollouts,
            Nav::Workloads(_) => PaneId::Services,
        }
    }
}
