//! Nodes: `docker node ls` plus role, labels, reserved CPU and memory against capacity, and
//! the task count. Availability (drain shows its plan first), promote/demote, labels, and on
//! the built-in cluster taking a node down and up.

use super::{Pane, TaskScope};
use crate::app::data::{Data, Delta, Filter, Nat};
use crate::app::ops::Op;
use crate::app::{Cx, Intent, Level, Nav, Prompt, Then};
use crate::backend::view::{NodeView, ViewKind};
use crate::ui::RenderCx;
use crate::ui::table::{self, Cell, Col, TableView, cell, col, flex};
use crate::ui::text::bar;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;

type Key = (Nat, String);

#[derive(Default)]
pub struct NodesPane {
    t: TableView<Key>,
}

const COLS: [Col; 11] = [
    col("ID", 12, 25, 5),
    col("HOSTNAME", 10, 24, 0),
    col("STATUS", 6, 8, 0),
    col("AVAILABILITY", 6, 12, 0),
    col("MANAGER STATUS", 7, 14, 1),
    col("ENGINE VERSION", 8, 14, 6),
    col("ROLE", 7, 7, 2),
    col("CPU", 13, 15, 1),
    col("MEMORY", 13, 15, 1),
    col("TASKS", 5, 5, 1),
    flex("LABELS", 6, 60, 3),
];

fn key(n: &NodeView) -> Key {
    (Nat(n.hostname.clone()), n.id.clone())
}

fn haystack(n: &NodeView) -> String {
    let labels: Vec<String> = n.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!(
        "{} {} {} {} {} {} {} {}",
        n.id,
        n.hostname,
        n.status,
        n.availability,
        n.manager_status,
        n.engine,
        if n.manager { "manager" } else { "worker" },
        labels.join(" ")
    )
}

fn wanted(f: Option<&Filter>, n: &NodeView) -> Option<Key> {
    match f {
        Some(f) if !f.matches(&haystack(n)) => None,
        _ => Some(key(n)),
    }
}

impl NodesPane {
    fn rebuild(&mut self, data: &Data) {
        self.t.rebuild(&data.nodes, wanted);
    }

    fn current<'a>(&self, data: &'a Data) -> Option<&'a NodeView> {
        self.t.selected().and_then(|(_, id)| data.nodes.get(id))
    }

    fn row(n: &NodeView, rc: &RenderCx) -> Vec<Cell> {
        let t = rc.theme;
        let status_style = if n.status == "Ready" {
            t.ok()
        } else {
            t.error()
        };
        let avail_style = match n.availability.as_str() {
            "Active" => t.ok(),
            "Drain" => t.error(),
            _ => t.warn(),
        };
        let bar_cell = |used: i64, total: i64| -> Cell {
            let (a, b, p) = bar(used, total, 8);
            vec![
                Span::styled(a, t.fg(t.c.bar_fill)),
                Span::styled(b, t.fg(t.c.bar_empty)),
                Span::styled(format!(" {p}"), t.base()),
            ]
        };
        let labels: Vec<String> = n.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
        vec![
            cell(n.id.clone(), t.muted()),
            cell(n.hostname.clone(), t.base()),
            cell(n.status.clone(), status_style),
            cell(n.availability.clone(), avail_style),
            cell(n.manager_status.clone(), t.info()),
            cell(n.engine.clone(), t.base()),
            cell(if n.manager { "manager" } else { "worker" }, t.base()),
            bar_cell(n.reserved_cpus, n.nano_cpus),
            bar_cell(n.reserved_memory, n.memory),
            cell(n.tasks.to_string(), t.base()),
            cell(labels.join(","), t.info()),
        ]
    }
}

impl Pane for NodesPane {
    fn on_delta(&mut self, data: &Data, d: &Delta) {
        self.t.delta(d, ViewKind::Node, &data.nodes, wanted);
    }

    fn on_op(&mut self, op: Op, cx: &mut Cx) {
        if self.t.nav(op) {
            return;
        }
        let Some(n) = self.current(cx.data) else {
            return;
        };
        let host = n.hostname.clone();
        let id = n.id.clone();
        let avail = |cx: &mut Cx, a: &str| {
            cx.run(&["node", "update", "--availability", a, &host]);
        };
        match op {
            Op::NodeActivate => avail(cx, "active"),
            Op::NodePause => avail(cx, "pause"),
            Op::NodeDrain => {
                if n.availability == "Drain" {
                    cx.status(Level::Info, format!("{host} is already drained"));
                } else {
                    cx.push(Intent::Plan {
                        title: format!("Drain {host}"),
                        words: ["node", "update", "--availability", "drain", &host]
                            .iter()
                            .map(|s| s.to_string())
                            .collect(),
                    });
                }
            }
            Op::NodePromote => cx.run(&["node", "promote", &host]),
            Op::NodeDemote => cx.run(&["node", "demote", &host]),
            Op::NodeLabelAdd => cx.push(Intent::Prompt(Prompt {
                title: format!("Add a label to {host}"),
                label: "key=value".into(),
                initial: String::new(),
                then: Then::Run {
                    words: vec![
                        "node".into(),
                        "update".into(),
                        "--label-add".into(),
                        "{}".into(),
                        host.clone(),
                    ],
                    on: None,
                },
            })),
            Op::NodeLabelRm => {
                if n.labels.is_empty() {
                    cx.status(Level::Info, format!("{host} has no labels"));
                } else {
                    let first = n.labels.keys().next().cloned().unwrap_or_default();
                    cx.push(Intent::Prompt(Prompt {
                        title: format!("Remove a label from {host}"),
                        label: format!(
                            "key ({})",
                            n.labels.keys().cloned().collect::<Vec<_>>().join(", ")
                        ),
                        initial: first,
                        then: Then::Run {
                            words: vec![
                                "node".into(),
                                "update".into(),
                                "--label-rm".into(),
                                "{}".into(),
                                host.clone(),
                            ],
                            on: None,
                        },
                    }));
                }
            }
            Op::NodeDown => cx.run(&["sim", "node", "down", &host]),
            Op::NodeUp => cx.run(&["sim", "node", "up", &host]),
            Op::NodeTasks | Op::Select => cx.open(Nav::Tasks(TaskScope::Node(id))),
            _ => {}
        }
    }

    fn render(&mut self, f: &mut Frame, area: Rect, rc: &RenderCx) -> Rect {
        self.t.render(
            f,
            area,
            rc,
            "Nodes",
            rc.data.nodes.len(),
            &COLS,
            |(_, id)| rc.data.nodes.get(id),
            |n| NodesPane::row(n, rc),
            "no nodes",
        )
    }

    fn hints(&self) -> &'static [Op] {
        &[
            Op::NodeDrain,
            Op::NodeActivate,
            Op::NodePause,
            Op::NodePromote,
            Op::NodeDemote,
            Op::NodeLabelAdd,
            Op::NodeDown,
            Op::NodeUp,
            Op::NodeTasks,
        ]
    }

    fn selected(&self, data: &Data) -> Option<(ViewKind, String)> {
        self.current(data).map(|n| (ViewKind::Node, n.id.clone()))
    }

    table::table_pane_filter!();

    fn click(&mut self, _data: &Data, row: usize) {
        self.t.click(row);
    }
}
