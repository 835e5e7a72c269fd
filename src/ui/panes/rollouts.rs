//! Rollouts: per service, the update and rollback config, the update status with a progress
//! bar (N of M tasks updated, like docker's `overall progress`), and the diff of the previous
//! spec against the current one. Pause, resume, roll back.

use super::{Pane, TaskScope};
use crate::app::Effect;
use crate::app::data::{Data, Delta, Filter, Nat};
use crate::app::ops::Context;
use crate::app::ops::Op;
use crate::app::{Confirm, Cx, Intent, Level, Nav, Then};
use crate::backend::verb::Verb;
use crate::backend::view::{Family, ObjRef, ResKind, StrategyView, WorkloadView};
use crate::ui::RenderCx;
use crate::ui::panes::services::{update_style, update_text};
use crate::ui::table::{self, Col, TableView, cell, col};
use crate::ui::text::{bar, to_yaml};
use opsconsole_sim::base::time::format_go_duration;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

type Key = (Nat, String);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tag {
    Same,
    Add,
    Del,
    Gap,
}

/// A service's spec diff: (service, when it was updated, lines).
type Diff = (
    String,
    opsconsole_sim::base::time::SimTime,
    Vec<(Tag, String)>,
);

#[derive(Default)]
pub struct RolloutsPane {
    t: TableView<Key>,
    scroll: usize,
    /// The diff of the service last shown: (service, when it was updated, lines).
    diff: Option<Diff>,
}

const COLS: [Col; 3] = [
    col("SERVICE", 8, 30, 0),
    col("UPDATE", 8, 30, 0),
    col("IMAGE", 8, 30, 1),
];

const KUBE_COLS: [Col; 3] = [
    col("WORKLOAD", 8, 40, 0),
    col("ROLLOUT", 8, 30, 0),
    col("IMAGES", 8, 30, 1),
];

fn cfg_text(c: &StrategyView) -> String {
    format!(
        "parallelism {} · delay {} · on failure {} · monitor {} · max failure ratio {} · order {}",
        c.parallelism,
        format_go_duration(c.delay),
        c.failure_action,
        format_go_duration(c.monitor),
        c.max_failure_ratio,
        c.order
    )
}

/// The previous spec against the current one, changed lines with two lines of context.
pub fn diff_lines(prev: &serde_json::Value, cur: &serde_json::Value) -> Vec<(Tag, String)> {
    let (a, b) = (to_yaml(prev), to_yaml(cur));
    let d = similar::TextDiff::from_lines(&a, &b);
    let mut out = Vec::new();
    for (gi, group) in d.grouped_ops(2).iter().enumerate() {
        if gi > 0 {
            out.push((Tag::Gap, "…".to_string()));
        }
        for op in group {
            for c in d.iter_changes(op) {
                let tag = match c.tag() {
                    similar::ChangeTag::Equal => Tag::Same,
                    similar::ChangeTag::Insert => Tag::Add,
                    similar::ChangeTag::Delete => Tag::Del,
                };
                out.push((tag, c.value().trim_end_matches('\n').to_string()));
            }
        }
    }
    out
}

fn wanted(f: Option<&Filter>, s: &WorkloadView) -> Option<Key> {
    // On Kubernetes, the kinds that roll out (with a revision history).
    if s.kube.is_some()
        && !matches!(
            s.c.r.kind,
            ResKind::Deployment | ResKind::DaemonSet | ResKind::StatefulSet
        )
    {
        return None;
    }
    if let Some(f) = f
        && !f.matches(&format!("{} {} {}", s.name(), s.image, update_text(s)))
    {
        return None;
    }
    let name = match &s.c.r.ns {
        Some(ns) => format!("{ns}/{}", s.name()),
        None => s.name().to_string(),
    };
    Some((Nat(name), s.id().to_string()))
}

impl RolloutsPane {
    fn rebuild(&mut self, data: &Data) {
        self.t.rebuild(&data.store.workloads, wanted);
    }

    fn current<'a>(&self, data: &'a Data) -> Option<&'a WorkloadView> {
        self.t
            .selected()
            .and_then(|(_, id)| data.store.workloads.get(id))
    }

    pub fn selected_id(&self) -> Option<String> {
        self.t.selected().map(|(_, id)| id.clone())
    }

    pub fn select(&mut self, data: &Data, id: &str) {
        if let Some(s) = data.store.workloads.get(id)
            && let Some(k) = wanted(self.t.filter.as_ref(), s)
            && let Ok(i) = self.t.table.position(&k)
        {
            self.t.cursor.to(&self.t.table, i);
            self.scroll = 0;
        }
    }

    fn detail(&mut self, s: &WorkloadView, rc: &RenderCx) -> Vec<Line<'static>> {
        let (cur, prev) = rc.data.store.current_and_previous(s.id());
        let t = rc.theme;
        let label = |l: &str| Span::styled(format!("{l:<10}"), t.accent());
        let mut lines = vec![Line::from(vec![
            Span::styled(
                s.name().to_string(),
                t.base().add_modifier(ratatui::style::Modifier::BOLD),
            ),
            Span::styled(
                format!(" · {} · {} · {}", s.mode.name(), s.image, s.replicas),
                t.muted(),
            ),
        ])];
        match &s.rollout {
            None => lines.push(Line::from(vec![
                label("Status"),
                Span::styled("no update yet", t.muted()),
            ])),
            Some(u) => {
                let mut v = vec![
                    label("Status"),
                    Span::styled(u.status.to_string(), update_style(rc, s)),
                    Span::styled(format!(" — {}", u.message), t.base()),
                ];
                if let Some(at) = u.started_at {
                    v.push(Span::styled(
                        format!(" · started {}", rc.ago(at)),
                        t.muted(),
                    ));
                }
                if let Some(at) = u.completed_at {
                    v.push(Span::styled(
                        format!(" · completed {}", rc.ago(at)),
                        t.muted(),
                    ));
                }
                lines.push(Line::from(v));
                let (done, total) = u.progress.unwrap_or((0, 0));
                let (a, b, p) = bar(done as i64, total as i64, 24);
                let what = if u.state.rollback() {
                    "rolled back"
                } else {
                    "updated"
                };
                lines.push(Line::from(vec![
                    label("Progress"),
                    Span::styled(a, t.fg(t.c.bar_fill)),
                    Span::styled(b, t.fg(t.c.bar_empty)),
                    Span::styled(
                        format!(
                            " {p}  {done} of {total} {} {what}",
                            if rc.kube() { "pods" } else { "tasks" }
                        ),
                        t.base(),
                    ),
                ]));
            }
        }
        if let Some(c) = &s.update_config {
            lines.push(Line::from(vec![
                label("Update"),
                Span::styled(cfg_text(c), t.base()),
            ]));
        }
        if let Some(c) = &s.rollback_config {
            lines.push(Line::from(vec![
                label("Rollback"),
                Span::styled(cfg_text(c), t.base()),
            ]));
        }
        lines.push(Line::default());
        if s.kube.is_some() {
            let key = rc
                .keymap
                .hint(&[Context::Rollouts, Context::Global], Op::RolloutHistory)
                .unwrap_or_else(|| ":rollout history".into());
            lines.push(Line::from(vec![
                label("History"),
                Span::styled(
                    format!(
                        "{key}: every revision with its change-cause, the diff between any two, undo to one"
                    ),
                    t.base(),
                ),
            ]));
            return lines;
        }
        let stale = self
            .diff
            .as_ref()
            .is_none_or(|(id, at, _)| id != s.id() || *at != s.updated_at);
        if stale {
            let lines = match (prev, cur) {
                (Some(p), Some(c)) => diff_lines(&p.template, &c.template),
                _ => Vec::new(),
            };
            self.diff = Some((s.id().to_string(), s.updated_at, lines));
        }
        let diff = self.diff.as_ref().map(|d| &d.2);
        match (prev, diff) {
            (None, _) => lines.push(Line::from(Span::styled(
                "No previous spec: nothing to compare or roll back to.",
                t.muted(),
            ))),
            (Some(_), Some(d)) if d.is_empty() => lines.push(Line::from(Span::styled(
                "The previous spec is the same as the current one.",
                t.muted(),
            ))),
            (Some(_), Some(d)) => {
                lines.push(Line::from(Span::styled(
                    "Previous spec → current spec",
                    t.accent(),
                )));
                for (tag, text) in d {
                    let (sign, style): (&str, Style) = match tag {
                        Tag::Same => (" ", t.muted()),
                        Tag::Add => ("+", t.fg(t.c.diff_add)),
                        Tag::Del => ("-", t.fg(t.c.diff_del)),
                        Tag::Gap => (" ", t.muted()),
                    };
                    lines.push(Line::from(Span::styled(format!("{sign} {text}"), style)));
                }
            }
            _ => {}
        }
        lines
    }
}

impl Pane for RolloutsPane {
    fn go(&mut self, data: &Data, nav: Nav, _id: u64) -> Option<Effect> {
        if let Nav::Rollouts(Some(s)) = nav {
            self.select(data, &s);
        }
        None
    }

    fn place(&self) -> Option<Nav> {
        Some(Nav::Rollouts(self.selected_id()))
    }

    fn on_delta(&mut self, data: &Data, d: &Delta) {
        self.t
            .delta(d, Family::Workload, &data.store.workloads, wanted);
    }

    fn on_op(&mut self, op: Op, cx: &mut Cx) {
        match op {
            Op::PageDown => return self.scroll += 5,
            Op::PageUp => return self.scroll = self.scroll.saturating_sub(5),
            _ => {}
        }
        if self.t.nav(op) {
            self.scroll = 0;
            return;
        }
        let Some(s) = self.current(cx.data) else {
            return;
        };
        let name = s.name().to_string();
        let target = || s.c.r.clone();
        let state = s.rollout.as_ref().map(|u| u.state);
        match op {
            Op::RolloutPause => match state {
                Some(st) if st.in_progress() => cx.verb(Verb::Pause { target: target() }),
                _ => cx.status(Level::Info, format!("{name} has no update in progress")),
            },
            Op::RolloutResume => match state {
                Some(st) if st.paused() => cx.verb(Verb::Resume { target: target() }),
                _ => cx.status(Level::Info, format!("{name} has no paused update")),
            },
            Op::RolloutHistory => cx.push(Intent::History(target())),
            Op::RolloutRollback if s.kube.is_some() => {
                cx.push(crate::ui::panes::services::undo_last(&name, target()))
            }
            Op::RolloutRollback => {
                if cx.data.store.current_and_previous(s.id()).1.is_none() {
                    cx.status(
                        Level::Info,
                        format!("{name} has no previous spec to roll back to"),
                    );
                } else {
                    cx.push(Intent::Confirm(Confirm {
                        title: "Roll back".into(),
                        message: format!("Roll {name} back to its previous spec?"),
                        ok: "Roll back".into(),
                        then: Then::Verb(Verb::Rollback { target: target() }),
                        alt: None,
                    }));
                }
            }
            Op::Select => cx.open(Nav::Tasks(TaskScope::Service(s.id().to_string()))),
            _ => {}
        }
    }

    fn render(&mut self, f: &mut Frame, area: Rect, rc: &RenderCx) -> Rect {
        let t = rc.theme;
        let list_w = (area.width / 3).clamp(24.min(area.width), 60);
        let [left, right] =
            Layout::horizontal([Constraint::Length(list_w), Constraint::Min(1)]).areas(area);
        let hit = self.t.render(
            f,
            left,
            rc,
            "Rollouts",
            rc.data.store.workloads.len(),
            if rc.kube() { &KUBE_COLS } else { &COLS },
            |(_, id)| rc.data.store.workloads.get(id),
            |s| {
                vec![
                    cell(s.name().to_string(), t.base()),
                    cell(update_text(s), update_style(rc, s)),
                    cell(s.image.clone(), t.muted()),
                ]
            },
            if rc.kube() {
                "no Deployments, DaemonSets or StatefulSets"
            } else if rc.info.swarm() {
                "no services"
            } else {
                super::services::NOT_A_MANAGER
            },
        );
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(t.border())
            .title(Span::styled(" Update · rollback · spec diff ", t.accent()));
        let inner = block.inner(right);
        f.render_widget(block, right);
        if let Some(s) = self.current(rc.data).cloned() {
            let lines = self.detail(&s, rc);
            let max = lines.len().saturating_sub(inner.height as usize);
            self.scroll = self.scroll.min(max);
            f.render_widget(
                Paragraph::new(lines)
                    .wrap(Wrap { trim: false })
                    .scroll((self.scroll as u16, 0)),
                inner,
            );
        }
        hit
    }

    fn hints(&self) -> &'static [Op] {
        &[
            Op::RolloutPause,
            Op::RolloutResume,
            Op::RolloutRollback,
            Op::RolloutHistory,
            Op::Select,
        ]
    }

    fn selected(&self, data: &Data) -> Option<ObjRef> {
        self.current(data).map(|s| s.c.r.clone())
    }

    table::table_pane_filter!();

    fn click(&mut self, _data: &Data, row: usize) {
        self.t.click(row);
        self.scroll = 0;
    }
}
