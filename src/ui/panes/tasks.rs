//! Tasks: `docker service ps` — history rows under `\_`, desired and current state with
//! docker's relative times, and the error (a pending task says why: `no suitable node (...)`).
//! All tasks, or those of one service or one node.

use super::Pane;
use crate::app::data::{Data, Delta, Filter, Nat};
use crate::app::ops::Op;
use crate::app::{Confirm, Cx, Intent, Level, Nav, Then};
use crate::app::{Effect, TaskScope};
use crate::backend::LogTarget;
use crate::backend::verb::Verb;
use crate::backend::view::Store;
use crate::backend::view::{Family, ObjRef, Phase, ReplicaView};
use crate::ui::RenderCx;
use crate::ui::table::{self, Cell, Col, TableView, cell, col, flex};
use opsconsole_sim::base::text::trunc_id;
use opsconsole_sim::base::time::SimTime;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use std::cmp::Reverse;

/// docker's order: by service, slot (global tasks: node), newest first.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Key {
    svc: Nat,
    slot: u64,
    node: String,
    created: Reverse<SimTime>,
    id: Reverse<String>,
}

impl Key {
    fn same_slot(&self, o: &Key) -> bool {
        self.svc == o.svc && self.slot == o.slot && self.node == o.node
    }
}

pub struct TasksPane {
    t: TableView<Key>,
    scope: TaskScope,
    /// Show finished tasks (the `\_` history rows).
    history: bool,
}

impl Default for TasksPane {
    fn default() -> Self {
        TasksPane {
            t: TableView::default(),
            scope: TaskScope::All,
            history: true,
        }
    }
}

const COLS: [Col; 8] = [
    col("ID", 12, 12, 4),
    col("NAME", 10, 40, 0),
    col("IMAGE", 10, 30, 1),
    col("NODE", 8, 20, 0),
    col("DESIRED STATE", 7, 13, 3),
    col("CURRENT STATE", 20, 34, 0),
    flex("ERROR", 12, 120, 2),
    col("PORTS", 6, 24, 5),
];

fn key(t: &ReplicaView) -> Key {
    if let Some(ns) = t.c.r.ns.as_deref() {
        // kubectl's order: namespace, then name.
        return Key {
            svc: Nat(format!("{ns}/{}", t.name())),
            slot: 0,
            node: String::new(),
            created: Reverse(SimTime(0)),
            id: Reverse(t.id().to_string()),
        };
    }
    Key {
        svc: Nat(t.service_name().to_string()),
        slot: t.slot,
        node: if t.slot == 0 {
            t.node_id.clone()
        } else {
            String::new()
        },
        created: Reverse(t.created_at()),
        id: Reverse(t.id().to_string()),
    }
}

/// `kubectl get pods -o wide`'s columns (NAMESPACE first).
const KUBE_COLS: [Col; 8] = [
    col("NAMESPACE", 9, 20, 3),
    col("NAME", 10, 50, 0),
    col("READY", 5, 5, 0),
    col("STATUS", 8, 26, 0),
    col("RESTARTS", 8, 14, 1),
    col("AGE", 3, 6, 1),
    col("IP", 8, 15, 2),
    flex("NODE", 6, 30, 2),
];

/// Whether a task is a row of this table: in scope, not hidden history, passing the filter.
fn wanted(
    store: &Store,
    scope: &TaskScope,
    history: bool,
    f: Option<&Filter>,
    t: &ReplicaView,
) -> Option<Key> {
    let in_scope = match scope {
        TaskScope::All => true,
        TaskScope::Service(s) => t.service_id() == s || store.belongs_to(t, s),
        TaskScope::Node(n) => t.node_id == *n,
    };
    if !in_scope || (!history && t.desired > Phase::Running) {
        return None;
    }
    if let Some(f) = f {
        let hay = format!(
            "{} {} {} {} {} {} {} {}",
            t.c.r.ns.as_deref().unwrap_or_default(),
            t.id(),
            t.name(),
            t.image,
            t.node_name,
            t.desired_status.title(),
            t.status.title(),
            t.err
        );
        if !f.matches(&hay) {
            return None;
        }
    }
    Some(key(t))
}

impl TasksPane {
    pub fn scope(&self) -> &TaskScope {
        &self.scope
    }

    pub fn set_scope(&mut self, data: &Data, scope: TaskScope) {
        if self.scope != scope {
            self.scope = scope;
            self.t.cursor = Default::default();
            self.rebuild(data);
        }
    }

    fn rebuild(&mut self, data: &Data) {
        let (scope, history) = (&self.scope, self.history);
        self.t.rebuild(&data.store.replicas, |f, t| {
            wanted(&data.store, scope, history, f, t)
        });
    }

    fn current<'a>(&self, data: &'a Data) -> Option<&'a ReplicaView> {
        self.t
            .selected()
            .and_then(|k| data.store.replicas.get(&k.id.0))
            .map(|t| &**t)
    }

    /// A pod as `kubectl get pods -o wide` shows it.
    fn pod_row(t: &ReplicaView, rc: &RenderCx) -> Vec<Cell> {
        let th = rc.theme;
        let k = t.kube.as_deref().cloned().unwrap_or_default();
        let restarts = match k.last_restart {
            Some(at) if k.restarts > 0 => format!("{} ({} ago)", k.restarts, rc.age(at)),
            _ => k.restarts.to_string(),
        };
        let restart_style = if k.restarts > 0 { th.warn() } else { th.base() };
        let (ready, total) = k.ready.split_once('/').unwrap_or(("0", "0"));
        let ready_style = if ready == total { th.ok() } else { th.warn() };
        vec![
            cell(t.c.r.ns.clone().unwrap_or_default(), th.muted()),
            cell(t.name().to_string(), th.base()),
            cell(k.ready.clone(), ready_style),
            cell(t.status.to_string(), rc.state_style(t.phase)),
            cell(restarts, restart_style),
            cell(rc.age(t.created_at()), th.muted()),
            cell(k.ip, th.base()),
            cell(t.node_name.clone(), th.base()),
        ]
    }

    fn row(t: &ReplicaView, history_row: bool, rc: &RenderCx) -> Vec<Cell> {
        let th = rc.theme;
        let old = t.desired > Phase::Running;
        let base = if old { th.muted() } else { th.base() };
        let name = if history_row {
            format!(" \\_ {}", t.name())
        } else {
            t.name().to_string()
        };
        let err = if t.err.is_empty() {
            String::new()
        } else {
            format!("\"{}\"", t.err)
        };
        vec![
            cell(trunc_id(t.id()).to_string(), th.muted()),
            cell(name, base),
            cell(t.image.clone(), base),
            cell(t.node_name.clone(), base),
            cell(t.desired_status.title(), base),
            cell(rc.state_ago(&t.status, t.since), rc.state_style(t.phase)),
            cell(err, th.error()),
            cell(t.ports.clone(), th.info()),
        ]
    }
}

impl Pane for TasksPane {
    fn go(&mut self, data: &Data, nav: Nav, _id: u64) -> Option<Effect> {
        if let Nav::Tasks(scope) = nav {
            self.set_scope(data, scope);
        }
        None
    }

    fn place(&self) -> Option<Nav> {
        Some(Nav::Tasks(self.scope.clone()))
    }

    fn on_delta(&mut self, data: &Data, d: &Delta) {
        let (scope, history) = (&self.scope, self.history);
        self.t
            .delta(d, Family::Replica, &data.store.replicas, |f, t| {
                wanted(&data.store, scope, history, f, t)
            });
    }

    fn on_op(&mut self, op: Op, cx: &mut Cx) {
        if self.t.nav(op) {
            return;
        }
        if op == Op::TaskHistory {
            self.history = !self.history;
            self.rebuild(cx.data);
            cx.status(
                Level::Info,
                if self.history {
                    "showing finished tasks (history rows)"
                } else {
                    "showing only tasks that should run"
                },
            );
            return;
        }
        let Some(t) = self.current(cx.data) else {
            return;
        };
        let id = t.id().to_string();
        let target = || t.c.r.clone();
        match op {
            Op::TaskLogs | Op::Select if t.kube.is_some() => cx.open(Nav::Logs(LogTarget::Pod {
                pod: target(),
                container: None,
            })),
            Op::TaskLogs | Op::Select => cx.open(Nav::Logs(LogTarget::Task(id))),
            Op::ContainerRemove if t.kube.is_some() => cx.push(Intent::Confirm(Confirm {
                title: "Delete pod".into(),
                message: format!(
                    "Delete pod {} in {}? Its controller, if it has one, makes another.",
                    t.name(),
                    t.c.r.ns.as_deref().unwrap_or("default")
                ),
                ok: "Delete".into(),
                then: Then::Verb(Verb::Remove { target: target() }),
                alt: None,
            })),
            Op::TaskStop => cx.verb(Verb::Exit {
                target: target(),
                crash: false,
            }),
            Op::TaskCrash => cx.verb(Verb::Exit {
                target: target(),
                crash: true,
            }),
            Op::ContainerStart => cx.verb(Verb::Start { target: target() }),
            Op::ContainerStop => cx.verb(Verb::Stop { target: target() }),
            Op::ContainerRestart => cx.verb(Verb::Restart { target: target() }),
            Op::ContainerRemove => {
                let name = t.name();
                cx.push(Intent::Confirm(Confirm {
                    title: "Remove container".into(),
                    message: format!("Remove container {name}? A running one is killed first."),
                    ok: "Remove".into(),
                    then: Then::Verb(Verb::Remove { target: target() }),
                    alt: None,
                }))
            }
            _ => {}
        }
    }

    fn render(&mut self, f: &mut Frame, area: Rect, rc: &RenderCx) -> Rect {
        let h = table::body_height(area);
        let (off, sel) = self.t.window(h);
        let mut prev: Option<Key> = off
            .checked_sub(1)
            .and_then(|i| self.t.table.get(i).cloned());
        let mut rows: Vec<Vec<Cell>> = Vec::with_capacity(h);
        for k in self.t.table.iter_from(off).take(h) {
            let history_row = prev.as_ref().is_some_and(|p| p.same_slot(k));
            if let Some(t) = rc.data.store.replicas.get(&k.id.0) {
                rows.push(match t.kube {
                    Some(_) => TasksPane::pod_row(t, rc),
                    None => TasksPane::row(t, history_row, rc),
                });
            }
            prev = Some(k.clone());
        }
        let noun = if rc.kube() { "Pods" } else { "Tasks" };
        let name = match &self.scope {
            TaskScope::All => noun.to_string(),
            TaskScope::Service(s) => format!(
                "{noun} of {}",
                rc.data
                    .store
                    .workloads
                    .get(s)
                    .map_or(s.as_str(), |s| s.name())
            ),
            TaskScope::Node(n) => format!(
                "{noun} on {}",
                rc.data
                    .store
                    .hosts
                    .get(n)
                    .map_or(n.as_str(), |n| n.hostname())
            ),
        };
        let title = table::title(rc, &name, self.t.table.len(), rc.data.store.replicas.len());
        // The selected task's error in full (the column may be cut), else its container's
        // resource use (real engines read it for the selected container only). A pod that
        // does not run says why (the scheduler's message).
        let current = self.current(rc.data);
        let why = |t: &&ReplicaView| {
            let k = t.kube.as_deref()?;
            Some(if k.why.is_empty() {
                t.err.clone()
            } else {
                k.why.clone()
            })
            .filter(|w| !w.is_empty() && t.phase != Phase::Running)
        };
        let bottom = current
            .and_then(|t| {
                let w = why(&t)?;
                Some(Line::from(vec![
                    Span::styled(format!(" {}: ", t.name()), rc.theme.muted()),
                    Span::styled(format!("{w} "), rc.theme.error()),
                ]))
            })
            .or_else(|| {
                current.filter(|t| !t.err.is_empty()).map(|t| {
                    Line::from(vec![
                        Span::styled(format!(" {}: ", t.name()), rc.theme.muted()),
                        Span::styled(format!("{} ", t.err), rc.theme.error()),
                    ])
                })
            })
            .or_else(|| {
                let t = current?;
                let (prev, cur) = rc.data.stats.as_ref()?;
                if t.container_id.as_deref() != Some(cur.container.as_str()) {
                    return None;
                }
                let cpu = prev
                    .as_ref()
                    .and_then(|p| cur.cpu_percent(p))
                    .map_or("CPU …".to_string(), |c| format!("CPU {c:.2}%"));
                let mem = format!(
                    "MEM {} / {}",
                    opsconsole_sim::base::time::bytes_size(cur.mem_usage as i64),
                    opsconsole_sim::base::time::bytes_size(cur.mem_limit as i64)
                );
                Some(Line::from(vec![
                    Span::styled(format!(" {}: ", t.name()), rc.theme.muted()),
                    Span::styled(format!("{cpu} · {mem} "), rc.theme.base()),
                ]))
            });
        table::draw(
            f,
            area,
            rc,
            title,
            if rc.kube() { &KUBE_COLS } else { &COLS },
            rows,
            Some(sel.saturating_sub(off)),
            if rc.kube() { "no pods" } else { "no tasks" },
            bottom,
        )
    }

    fn hints(&self) -> &'static [Op] {
        &[
            Op::Select,
            Op::TaskHistory,
            Op::TaskStop,
            Op::TaskCrash,
            Op::ContainerStart,
            Op::ContainerStop,
            Op::ContainerRestart,
            Op::ContainerRemove,
        ]
    }

    fn selected(&self, data: &Data) -> Option<ObjRef> {
        self.current(data).map(|t| t.c.r.clone())
    }

    table::table_pane_filter!();

    fn crumb(&self, data: &Data) -> Option<String> {
        match &self.scope {
            TaskScope::All => None,
            TaskScope::Service(s) => data.store.workloads.get(s).map(|s| s.name().to_string()),
            TaskScope::Node(n) => data.store.hosts.get(n).map(|n| n.hostname().to_string()),
        }
    }

    fn click(&mut self, _data: &Data, row: usize) {
        self.t.click(row);
    }
}
