//! The six panes, one component per file. Each keeps its own table (only the rows that pass
//! its scope and filter, in order), updates it from the changes the backend sends, handles
//! its operations, and draws itself.

pub mod logs;
pub mod nodes;
pub mod rollouts;
pub mod services;
pub mod tasks;
pub mod volumes;

pub use crate::app::{Pane, PaneId, TaskScope};

/// One pane of each kind, in [`PaneId::ALL`] order.
pub fn all() -> Vec<Box<dyn Pane>> {
    vec![
        Box::new(nodes::NodesPane::default()),
        Box::new(services::ServicesPane::default()),
        Box::new(tasks::TasksPane::default()),
        Box::new(logs::LogsPane::default()),
        Box::new(volumes::VolumesPane::default()),
        Box::new(rollouts::RolloutsPane::default()),
    ]
}
