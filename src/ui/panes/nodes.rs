//! Nodes: `docker node ls` plus role, labels, reserved CPU and memory against capacity, and
//! the task count. Availability (drain shows its plan first), promote/demote, labels, and on
//! the built-in cluster taking a node down and up.

use super::{Pane, TaskScope};
use crate::app::data::{Data, Delta, Filter, Nat};
use crate::app::ops::Op;
use crate::app::{Cx, Intent, Level, Nav, Prompt, Then};
use crate::backend::verb::{Hole, Verb};
use crate::backend::view::{Family, HostStatus, HostView, ObjRef, Schedulable};
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

/// `kubectl get nodes -o wide`'s columns, with what the pods ask of each node.
const KUBE_COLS: [Col; 10] = [
    col("NAME", 10, 30, 0),
    col("STATUS", 6, 26, 0),
    col("ROLES", 6, 22, 1),
    col("AGE", 3, 6, 2),
    col("VERSION", 7, 10, 4),
    col("INTERNAL-IP", 10, 16, 3),
    col("PODS", 4, 4, 1),
    col("CPU REQ", 13, 15, 1),
    col("MEM REQ", 13, 15, 1),
    flex("TAINTS", 6, 80, 3),
];

fn key(n: &HostView) -> Key {
    (Nat(n.hostname().to_string()), n.id().to_string())
}

fn role(n: &HostView) -> &'static str {
    if n.is_manager() { "manager" } else { "worker" }
}

fn haystack(n: &HostView) -> String {
    let labels: Vec<String> = n.labels().iter().map(|(k, v)| format!("{k}={v}")).collect();
    if let Some(k) = n.kube.as_deref() {
        return format!(
            "{} {} {} {} {} {} {}",
            n.hostname(),
            k.status,
            k.roles,
            k.version,
            n.ip,
            k.taints.join(" "),
            labels.join(" ")
        );
    }
    format!(
        "{} {} {} {} {} {} {} {}",
        n.id(),
        n.hostname(),
        n.status.title(),
        n.availability.title(),
        n.manager_status.title(),
        n.engine,
        role(n),
        labels.join(" ")
    )
}

fn wanted(f: Option<&Filter>, n: &HostView) -> Option<Key> {
    match f {
        Some(f) if !f.matches(&haystack(n)) => None,
        _ => Some(key(n)),
    }
}

/// A bar of how much of `total` is used, and the percentage.
fn bar_cell(rc: &RenderCx, used: i64, total: i64) -> Cell {
    let t = rc.theme;
    let (a, b, p) = bar(used, total, 8);
    vec![
        Span::styled(a, t.fg(t.c.bar_fill)),
        Span::styled(b, t.fg(t.c.bar_empty)),
        Span::styled(format!(" {p}"), t.base()),
    ]
}

impl NodesPane {
    fn rebuild(&mut self, data: &Data) {
        self.t.rebuild(&data.store.hosts, wanted);
    }

    fn current<'a>(&self, data: &'a Data) -> Option<&'a HostView> {
        self.t
            .selected()
            .and_then(|(_, id)| data.store.hosts.get(id))
    }

    fn kube_row(n: &HostView, rc: &RenderCx) -> Vec<Cell> {
        let t = rc.theme;
        let k = n.kube.as_deref().cloned().unwrap_or_default();
        let status_style = match (n.status, n.availability) {
            (HostStatus::Ready, Schedulable::Active) => t.ok(),
            (HostStatus::Ready, _) => t.warn(),
            _ => t.error(),
        };
        vec![
            cell(n.hostname().to_string(), t.base()),
            cell(k.status, status_style),
            cell(k.roles, t.info()),
            cell(rc.age(n.c.created), t.muted()),
            cell(k.version, t.base()),
            cell(n.ip.clone(), t.base()),
            cell(n.tasks.to_string(), t.base()),
            bar_cell(rc, n.reserved_cpus, n.nano_cpus),
            bar_cell(rc, n.reserved_memory, n.memory),
            cell(k.taints.join(","), t.warn()),
        ]
    }

    fn row(n: &HostView, rc: &RenderCx) -> Vec<Cell> {
        let t = rc.theme;
        let status_style = if n.status == HostStatus::Ready {
            t.ok()
        } else {
            t.error()
        };
        let avail_style = match n.availability {
            Schedulable::Active => t.ok(),
            Schedulable::Drain => t.error(),
            Schedulable::Pause => t.warn(),
        };
        let labels: Vec<String> = n.labels().iter().map(|(k, v)| format!("{k}={v}")).collect();
        vec![
            cell(n.id().to_string(), t.muted()),
            cell(n.hostname().to_string(), t.base()),
            cell(n.status.title(), status_style),
            cell(n.availability.title(), avail_style),
            cell(n.manager_status.title(), t.info()),
            cell(n.engine.clone(), t.base()),
            cell(role(n), t.base()),
            bar_cell(rc, n.reserved_cpus, n.nano_cpus),
            bar_cell(rc, n.reserved_memory, n.memory),
            cell(n.tasks.to_string(), t.base()),
            cell(labels.join(","), t.info()),
        ]
    }
}

impl Pane for NodesPane {
    fn on_delta(&mut self, data: &Data, d: &Delta) {
        self.t.delta(d, Family::Host, &data.store.hosts, wanted);
    }

    fn on_op(&mut self, op: Op, cx: &mut Cx) {
        if self.t.nav(op) {
            return;
        }
        let Some(n) = self.current(cx.data) else {
            return;
        };
        let host = n.hostname().to_string();
        let id = n.id().to_string();
        let target = || n.c.r.clone();
        let avail = |cx: &mut Cx, to: Schedulable| {
            cx.verb(Verb::SetAvailability {
                target: target(),
                to,
            })
        };
        match op {
            Op::NodeActivate => avail(cx, Schedulable::Active),
            Op::NodePause => avail(cx, Schedulable::Pause),
            Op::NodeDrain => {
                if n.availability == Schedulable::Drain {
                    cx.status(Level::Info, format!("{host} is already drained"));
                } else {
                    cx.push(Intent::Plan {
                        title: format!("Drain {host}"),
                        verb: Verb::SetAvailability {
                            target: target(),
                            to: Schedulable::Drain,
                        },
                    });
                }
            }
            Op::NodePromote => cx.verb(Verb::Promote { target: target() }),
            Op::NodeDemote => cx.verb(Verb::Demote { target: target() }),
            Op::NodeLabelAdd => cx.push(Intent::Prompt(Prompt {
                title: format!("Add a label to {host}"),
                label: "key=value".into(),
                initial: String::new(),
                then: Then::Fill(Hole::LabelAdd(target())),
            })),
            Op::NodeLabelRm => {
                let labels = n.labels();
                if labels.is_empty() {
                    cx.status(Level::Info, format!("{host} has no labels"));
                } else {
                    let first = labels.keys().next().cloned().unwrap_or_default();
                    cx.push(Intent::Prompt(Prompt {
                        title: format!("Remove a label from {host}"),
                        label: format!(
                            "key ({})",
                            labels.keys().cloned().collect::<Vec<_>>().join(", ")
                        ),
                        initial: first,
                        then: Then::Fill(Hole::LabelRm(target())),
                    }));
                }
            }
            Op::NodeDown => cx.verb(Verb::PowerDown { target: target() }),
            Op::NodeUp => cx.verb(Verb::PowerUp { target: target() }),
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
            rc.data.store.hosts.len(),
            if rc.kube() { &KUBE_COLS } else { &COLS },
            |(_, id)| rc.data.store.hosts.get(id),
            |n| {
                if n.kube.is_some() {
                    NodesPane::kube_row(n, rc)
                } else {
                    NodesPane::row(n, rc)
                }
            },
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

    fn selected(&self, data: &Data) -> Option<ObjRef> {
        self.current(data).map(|n| n.c.r.clone())
    }

    table::table_pane_filter!();

    fn click(&mut self, _data: &Data, row: usize) {
        self.t.click(row);
    }
}
