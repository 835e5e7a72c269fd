//! The six panes, one component per file. Each keeps its own table (only the rows that pass
//! its scope and filter, in order), updates it from the changes the backend sends, handles
//! its operations, and draws itself.

pub mod logs;
pub mod nodes;
pub mod rollouts;
pub mod services;
pub mod tasks;
pub mod volumes;

use super::RenderCx;
use crate::app::data::{Data, Delta, Filter};
use crate::app::ops::{Context, Op};
use crate::app::{Cx, Nav};
use crate::backend::view::ViewKind;
use ratatui::Frame;
use ratatui::layout::Rect;
use serde::{Deserialize, Serialize};
pub use tasks::TaskScope;

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

pub trait Pane {
    /// Keeps the pane's rows current.
    fn on_delta(&mut self, data: &Data, d: &Delta);
    fn on_op(&mut self, op: Op, cx: &mut Cx);
    /// Draws the pane; returns the area of its rows (for mouse clicks).
    fn render(&mut self, f: &mut Frame, area: Rect, rc: &RenderCx) -> Rect;
    /// Operations the footer offers first.
    fn hints(&self) -> &'static [Op];
    /// The object `inspect` shows.
    fn selected(&self, data: &Data) -> Option<(ViewKind, String)>;
    fn filterable(&self) -> bool {
        true
    }
    fn filter(&self) -> Option<&Filter>;
    fn set_filter(&mut self, data: &Data, f: Option<Filter>);
    /// What the pane is narrowed to ("my_nginx", "node139").
    fn crumb(&self, _data: &Data) -> Option<String> {
        None
    }
    fn click(&mut self, data: &Data, row: usize);
}

#[derive(Default)]
pub struct Panes {
    pub nodes: nodes::NodesPane,
    pub services: services::ServicesPane,
    pub tasks: tasks::TasksPane,
    pub logs: logs::LogsPane,
    pub volumes: volumes::VolumesPane,
    pub rollouts: rollouts::RolloutsPane,
}

impl Panes {
    pub fn get(&self, p: PaneId) -> &dyn Pane {
        match p {
            PaneId::Nodes => &self.nodes,
            PaneId::Services => &self.services,
            PaneId::Tasks => &self.tasks,
            PaneId::Logs => &self.logs,
            PaneId::Volumes => &self.volumes,
            PaneId::Rollouts => &self.rollouts,
        }
    }

    pub fn get_mut(&mut self, p: PaneId) -> &mut dyn Pane {
        match p {
            PaneId::Nodes => &mut self.nodes,
            PaneId::Services => &mut self.services,
            PaneId::Tasks => &mut self.tasks,
            PaneId::Logs => &mut self.logs,
            PaneId::Volumes => &mut self.volumes,
            PaneId::Rollouts => &mut self.rollouts,
        }
    }

    pub fn on_deltas(&mut self, data: &Data, deltas: &[Delta]) {
        for p in PaneId::ALL {
            let pane = self.get_mut(p);
            for d in deltas {
                pane.on_delta(data, d);
            }
        }
    }

    /// Where a pane is now, to come back to after a drill-down.
    pub fn scope_of(&self, p: PaneId) -> Nav {
        match p {
            PaneId::Tasks => Nav::Tasks(self.tasks.scope().clone()),
            PaneId::Logs => match self.logs.target() {
                Some(t) => Nav::Logs(t.clone()),
                None => Nav::Pane(PaneId::Logs),
            },
            PaneId::Rollouts => Nav::Rollouts(self.rollouts.selected_id()),
            other => Nav::Pane(other),
        }
    }
}

/// A command line as words.
fn words(w: &[&str]) -> Vec<String> {
    w.iter().map(|s| s.to_string()).collect()
}
