//! A change shown before it is made (a drain): which tasks move from where to where. Enter
//! makes it; then the same window follows the tasks until they run on their new nodes.

use super::{Flow, Overlay, big, frame};
use crate::app::action::Reply;
use crate::app::data::{Data, Delta};
use crate::app::keys::{Code, Key};
use crate::app::ops::Op;
use crate::app::{Cx, Intent};
use crate::backend::view::Phase as ReplicaPhase;
use crate::backend::{Plan, PlannedMove};
use crate::ui::RenderCx;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

enum Phase {
    Loading,
    Failed(String),
    Review(Plan),
    Applying(Plan, u64),
    Applied(Plan),
}

pub struct PlanView {
    id: u64,
    title: String,
    words: Vec<String>,
    phase: Phase,
    top: usize,
}

/// Where a planned move is now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Progress {
    Done(String),
    Moving(String),
}

/// How far one move got, from the live tasks.
pub fn progress(data: &Data, m: &PlannedMove) -> Progress {
    let current = data
        .store
        .replicas
        .values()
        .filter(|t| t.name() == m.task && t.desired <= ReplicaPhase::Running)
        .max_by_key(|t| t.created_at());
    match (&m.to, current) {
        (Some(to), Some(t)) if t.node_name == *to && t.phase == ReplicaPhase::Running => {
            Progress::Done(format!("running on {to}"))
        }
        (Some(_), Some(t)) => Progress::Moving(format!(
            "{} on {}",
            t.status,
            if t.node_name.is_empty() {
                "no node yet"
            } else {
                &t.node_name
            }
        )),
        (Some(_), None) => Progress::Moving("waiting for the replacement".into()),
        (None, _) => {
            let old_running = data.store.replicas.values().any(|t| {
                t.name() == m.task
                    && t.phase == ReplicaPhase::Running
                    && Some(t.node_name.as_str()) == m.from.as_deref()
            });
            if old_running {
                Progress::Moving("stopping".into())
            } else {
                Progress::Done("stopped".into())
            }
        }
    }
}

impl PlanView {
    pub fn new(id: u64, title: String, words: Vec<String>) -> PlanView {
        PlanView {
            id,
            title,
            words,
            phase: Phase::Loading,
            top: 0,
        }
    }

    fn plan(&self) -> Option<&Plan> {
        match &self.phase {
            Phase::Review(p) | Phase::Applying(p, _) | Phase::Applied(p) => Some(p),
            _ => None,
        }
    }
}

impl Overlay for PlanView {
    fn takes_keys(&self) -> bool {
        true
    }

    fn key(&mut self, k: Key, cx: &mut Cx) -> Flow {
        match k.code {
            Code::Enter => {
                if let Phase::Review(p) = &self.phase {
                    let id = cx.next_id();
                    cx.push(Intent::RunAs {
                        id,
                        words: self.words.clone(),
                    });
                    self.phase = Phase::Applying(p.clone(), id);
                    Flow::Stay
                } else if matches!(self.phase, Phase::Applied(_) | Phase::Failed(_)) {
                    Flow::Close
                } else {
                    Flow::Stay
                }
            }
            Code::Esc | Code::Char('q') => Flow::Close,
            Code::Char('c') if k.ctrl => Flow::Close,
            Code::Up | Code::Char('k') => {
                self.top = self.top.saturating_sub(1);
                Flow::Stay
            }
            Code::Down | Code::Char('j') => {
                self.top += 1;
                Flow::Stay
            }
            _ => Flow::Stay,
        }
    }

    fn op(&mut self, op: Op, _cx: &mut Cx) -> Flow {
        match op {
            Op::Back => Flow::Close,
            _ => Flow::Stay,
        }
    }

    fn reply(&mut self, id: u64, r: &Reply, cx: &mut Cx) -> Flow {
        match (r, &self.phase) {
            (Reply::Planned(res), Phase::Loading) if id == self.id => {
                self.phase = match res {
                    Ok(p) => Phase::Review(p.clone()),
                    Err(e) => Phase::Failed(e.message.clone()),
                };
            }
            (Reply::Ran(res), Phase::Applying(p, rid)) if id == *rid => {
                let p = p.clone();
                match res {
                    Ok(out) if out.code == 0 => {
                        cx.status(crate::app::Level::Ok, format!("{}: done", self.title));
                        self.phase = Phase::Applied(p);
                    }
                    Ok(out) => self.phase = Phase::Failed(out.summary()),
                    Err(e) => self.phase = Phase::Failed(e.message.clone()),
                }
            }
            _ => {}
        }
        Flow::Stay
    }

    fn deltas(&mut self, _d: &[Delta], _cx: &mut Cx) -> Flow {
        Flow::Stay
    }

    fn render(&mut self, f: &mut Frame, area: Rect, rc: &RenderCx) {
        let t = rc.theme;
        let area = big(area);
        let inner = frame(f, area, rc, &self.title);
        let mut lines: Vec<Line> = Vec::new();
        match &self.phase {
            Phase::Loading => {
                lines.push(Line::from(Span::styled("working out the plan…", t.muted())))
            }
            Phase::Failed(e) => {
                lines.push(Line::from(Span::styled(e.clone(), t.error())));
                lines.push(Line::default());
                lines.push(Line::from(Span::styled(
                    "nothing was changed · enter/esc close",
                    t.muted(),
                )));
            }
            _ => {}
        }
        if let Some(p) = self.plan() {
            let applied = !matches!(self.phase, Phase::Review(_));
            let mut done = 0;
            if p.moves.is_empty() {
                let none = if rc.kube() {
                    "No pods are evicted."
                } else {
                    "No tasks move."
                };
                lines.push(Line::from(Span::styled(none, t.base())));
            }
            let w = p
                .moves
                .iter()
                .map(|m| m.task.chars().count())
                .max()
                .unwrap_or(4);
            for m in &p.moves {
                let from = m.from.clone().unwrap_or_else(|| "(new)".into());
                let gone = if rc.kube() {
                    "(evicted)"
                } else {
                    "(nowhere: stops)"
                };
                let to = m.to.clone().unwrap_or_else(|| gone.into());
                let mut spans = vec![
                    Span::styled(format!("  {:<w$}  ", m.task), t.base()),
                    Span::styled(format!("{from} → {to}"), t.info()),
                ];
                if applied {
                    match progress(rc.data, m) {
                        Progress::Done(s) => {
                            done += 1;
                            spans.push(Span::styled(format!("   ✓ {s}"), t.ok()));
                        }
                        Progress::Moving(s) => {
                            spans.push(Span::styled(format!("   … {s}"), t.warn()))
                        }
                    }
                }
                lines.push(Line::from(spans));
            }
            for n in &p.notes {
                lines.push(Line::from(Span::styled(format!("  {n}"), t.muted())));
            }
            lines.push(Line::default());
            let footer = match &self.phase {
                Phase::Review(_) => Span::styled(
                    format!(
                        "{} {} · enter: do it · esc: cancel",
                        p.moves.len(),
                        if rc.kube() {
                            "pod(s) will be evicted"
                        } else {
                            "task(s) will move"
                        }
                    ),
                    t.accent(),
                ),
                Phase::Applying(..) => Span::styled("applying…", t.warn()),
                _ if done == p.moves.len() => Span::styled(
                    format!("converged: {done} of {} · enter/esc close", p.moves.len()),
                    t.ok(),
                ),
                _ => Span::styled(
                    format!(
                        "converging: {done} of {} · esc closes (it carries on)",
                        p.moves.len()
                    ),
                    t.warn(),
                ),
            };
            lines.push(Line::from(footer));
        }
        let max = lines.len().saturating_sub(inner.height as usize);
        self.top = self.top.min(max);
        f.render_widget(Paragraph::new(lines).scroll((self.top as u16, 0)), inner);
    }

    fn hints(&self, _rc: &RenderCx) -> Vec<(String, String)> {
        match self.phase {
            Phase::Review(_) => vec![
                ("enter".into(), "do it".into()),
                ("esc".into(), "cancel".into()),
            ],
            _ => vec![("esc".into(), "close".into())],
        }
    }
}
