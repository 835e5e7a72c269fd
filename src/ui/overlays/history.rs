//! A Kubernetes workload's revision history: a Deployment's ReplicaSets, a DaemonSet's or
//! StatefulSet's ControllerRevisions, each with its number, change-cause, images and age;
//! the diff of the pod template between any two (the current one and the selected, or a
//! base marked with Enter), and undo to the selected revision (`kubectl rollout undo
//! --to-revision=N`, after a confirmation).
//!
//! The revisions are read with `kubectl get replicasets|controllerrevisions -l SELECTOR -o
//! json` ([`crate::backend::verb::revisions_listing`]) through the backend, like any command,
//! and kept to those the workload controls.

use super::{Flow, Overlay, TextView, big, frame, hint};
use crate::app::action::Reply;
use crate::app::ops::{Context, Op};
use crate::app::{Confirm, Cx, Intent, Then};
use crate::backend::verb::Verb;
use crate::backend::view::ObjRef;
use crate::ui::RenderCx;
use crate::ui::panes::rollouts::{Tag, diff_lines};
use opsconsole_sim::base::time::SimTime;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use serde_json::Value;

/// One revision of a workload.
#[derive(Clone, Debug, PartialEq)]
pub struct Revision {
    pub number: i64,
    pub cause: String,
    pub images: String,
    pub created: SimTime,
    /// The pod template it ran (without the controller's own hash label).
    pub template: Value,
}

/// The revisions of the workload with `uid` in a `kubectl get ... -o json` list, oldest
/// first.
pub fn revisions(list: &Value, uid: &str) -> Vec<Revision> {
    let mut out: Vec<Revision> = list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|o| {
            o["metadata"]["ownerReferences"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|r| r["uid"] == uid && r["controller"] == true)
        })
        .filter_map(revision)
        .collect();
    out.sort_by_key(|r| r.number);
    out
}

fn revision(o: &Value) -> Option<Revision> {
    let m = &o["metadata"];
    let ann = |k: &str| m["annotations"][k].as_str().map(str::to_string);
    let (number, mut template) = if o["kind"] == "ControllerRevision" {
        (
            o["revision"].as_i64()?,
            o["data"]["spec"]["template"].clone(),
        )
    } else {
        let n = ann("deployment.kubernetes.io/revision")?.parse().ok()?;
        (n, o["spec"]["template"].clone())
    };
    // The controllers' own label differs between any two: it says nothing.
    if let Some(l) = template["metadata"]["labels"].as_object_mut() {
        l.remove("pod-template-hash");
        l.remove("controller-revision-hash");
    }
    let images = template["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["image"].as_str())
        .collect::<Vec<_>>()
        .join(",");
    Some(Revision {
        number,
        cause: ann("kubernetes.io/change-cause").unwrap_or_default(),
        images,
        created: m["creationTimestamp"]
            .as_str()
            .and_then(|t| SimTime::parse_rfc3339(t).ok())
            .unwrap_or_default(),
        template,
    })
}

pub struct HistoryView {
    id: u64,
    r: ObjRef,
    revs: Result<Vec<Revision>, String>,
    loaded: bool,
    /// The selected revision and the one marked to compare it with (none: see `base_index`).
    sel: usize,
    base: Option<usize>,
    /// The template diff shown: (base, selected) revision numbers, and its lines.
    compared: (i64, i64),
    changes: Vec<(Tag, String)>,
    diff: TextView,
}

impl HistoryView {
    pub fn new(id: u64, r: ObjRef) -> HistoryView {
        HistoryView {
            id,
            r,
            revs: Ok(Vec::new()),
            loaded: false,
            sel: 0,
            base: None,
            compared: (0, 0),
            changes: Vec::new(),
            diff: TextView::default(),
        }
    }

    /// The revision compared with the selected one: the marked one, else the current one
    /// (the previous one while the current one is selected: what the last rollout changed).
    fn base_index(&self, n: usize) -> usize {
        let current = n.saturating_sub(1);
        match self.base {
            Some(b) => b,
            None if self.sel == current => current.saturating_sub(1),
            None => current,
        }
    }

    /// The diff of the base against the selected revision, worked out again.
    fn refresh(&mut self) {
        self.changes.clear();
        self.diff.top = 0;
        let Ok(revs) = &self.revs else {
            return;
        };
        if let (Some(sel), Some(base)) = (revs.get(self.sel), revs.get(self.base_index(revs.len())))
        {
            self.changes = diff_lines(&base.template, &sel.template);
            self.compared = (base.number, sel.number);
        }
    }

    fn diff_lines(&self, rc: &RenderCx) -> Vec<Line<'static>> {
        let t = rc.theme;
        let (a, b) = self.compared;
        let mut lines = vec![Line::styled(
            format!("revision {a} → revision {b}"),
            t.accent(),
        )];
        if self.changes.is_empty() {
            lines.push(Line::styled("the same pod template", t.muted()));
        }
        lines.extend(self.changes.iter().map(|(tag, text)| {
            let (sign, style): (&str, Style) = match tag {
                Tag::Add => ("+", t.fg(t.c.diff_add)),
                Tag::Del => ("-", t.fg(t.c.diff_del)),
                _ => (" ", t.muted()),
            };
            Line::styled(format!("{sign} {text}"), style)
        }));
        lines
    }

    fn undo(&self, cx: &mut Cx) -> Flow {
        let Ok(revs) = &self.revs else {
            return Flow::Stay;
        };
        let Some(rev) = revs.get(self.sel) else {
            return Flow::Stay;
        };
        if self.sel + 1 == revs.len() {
            cx.status(
                crate::app::Level::Info,
                format!("revision {} is the current one", rev.number),
            );
            return Flow::Stay;
        }
        cx.push(Intent::Confirm(Confirm {
            title: "Undo".into(),
            message: format!(
                "Roll {} {} back to revision {} (kubectl rollout undo --to-revision={})?",
                self.r.kind.noun(),
                self.r.name,
                rev.number,
                rev.number
            ),
            ok: "Undo".into(),
            then: Then::Verb(Verb::RollbackTo {
                target: self.r.clone(),
                revision: rev.number,
            }),
            alt: None,
        }));
        Flow::Close
    }
}

impl Overlay for HistoryView {
    fn context(&self) -> Option<Context> {
        Some(Context::Rollouts)
    }

    fn op(&mut self, op: Op, cx: &mut Cx) -> Flow {
        let n = self.revs.as_ref().map_or(0, Vec::len);
        match op {
            Op::Back | Op::RolloutHistory => return Flow::Close,
            Op::Up => self.sel = self.sel.saturating_sub(1),
            Op::Down => self.sel = (self.sel + 1).min(n.saturating_sub(1)),
            Op::Top => self.sel = 0,
            Op::Bottom => self.sel = n.saturating_sub(1),
            // Enter marks the selected revision as the one to compare with (again: the
            // current one).
            Op::Select => {
                self.base = match self.base {
                    Some(b) if b == self.sel => None,
                    _ => Some(self.sel),
                }
            }
            Op::PageDown | Op::PageUp | Op::Left | Op::Right => {
                self.diff.nav(op);
                return Flow::Stay;
            }
            Op::RolloutRollback => return self.undo(cx),
            _ => return Flow::Pass,
        }
        self.refresh();
        Flow::Stay
    }

    fn reply(&mut self, id: u64, r: &Reply, _cx: &mut Cx) -> Flow {
        if id != self.id {
            return Flow::Stay;
        }
        if let Reply::Ran(out) = r {
            self.loaded = true;
            self.revs = match out {
                Ok(o) if o.code == 0 => serde_json::from_str::<Value>(&o.stdout)
                    .map(|v| revisions(&v, &self.r.uid))
                    .map_err(|e| format!("cannot read the revisions: {e}")),
                Ok(o) => Err(o.summary()),
                Err(e) => Err(e.message.clone()),
            };
            let n = self.revs.as_ref().map_or(0, Vec::len);
            self.sel = n.saturating_sub(1);
            self.refresh();
        }
        Flow::Stay
    }

    fn render(&mut self, f: &mut Frame, area: Rect, rc: &RenderCx) {
        let t = rc.theme;
        let area = big(area);
        let title = format!("Revisions of {} {}", self.r.kind.noun(), self.r.name);
        let inner = frame(f, area, rc, &title);
        let revs = match &self.revs {
            _ if !self.loaded => {
                f.render_widget(Line::styled("loading…", t.muted()), inner);
                return;
            }
            Err(e) => {
                f.render_widget(Line::styled(e.clone(), t.error()), inner);
                return;
            }
            Ok(r) if r.is_empty() => {
                f.render_widget(Line::styled("no revisions yet", t.muted()), inner);
                return;
            }
            Ok(r) => r,
        };
        let rows = (revs.len() as u16 + 1).min(inner.height / 2).max(2);
        let [top, bottom] =
            Layout::vertical([Constraint::Length(rows + 1), Constraint::Min(1)]).areas(inner);
        let base = self.base_index(revs.len());
        let shown = rows.saturating_sub(1) as usize;
        let first = (self.sel + 1).saturating_sub(shown);
        let mut lines = vec![Line::styled(
            format!(
                "  {:<9} {:<8} {:<32} {:<6} CHANGE-CAUSE",
                "REVISION", "", "IMAGES", "AGE"
            ),
            t.accent(),
        )];
        for (i, r) in revs.iter().enumerate().skip(first).take(shown) {
            let mark = match (i + 1 == revs.len(), i == base) {
                (true, _) => "current",
                (false, true) => "base",
                _ => "",
            };
            let text = format!(
                "{} {:<9} {:<8} {:<32} {:<6} {}",
                if i == base { "◆" } else { " " },
                r.number,
                mark,
                r.images,
                rc.age(r.created),
                if r.cause.is_empty() {
                    "<none>"
                } else {
                    &r.cause
                }
            );
            let style = if i == self.sel {
                t.selection()
            } else {
                t.base()
            };
            lines.push(Line::styled(text, style));
        }
        f.render_widget(ratatui::widgets::Paragraph::new(lines), top);
        let diff = self.diff_lines(rc);
        self.diff.lines = diff;
        self.diff.render(f, bottom);
    }

    fn hints(&self, rc: &RenderCx) -> Vec<(String, String)> {
        let ctx = [Context::Rollouts, Context::Navigation, Context::Global];
        [
            hint(rc.keymap.hint(&ctx, Op::Down), "select"),
            hint(rc.keymap.hint(&ctx, Op::Select), "compare with"),
            hint(rc.keymap.hint(&ctx, Op::RolloutRollback), "undo to it"),
            hint(rc.keymap.hint(&ctx, Op::PageDown), "scroll diff"),
            hint(rc.keymap.hint(&ctx, Op::Back), "close"),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn revisions_are_the_workloads_own_in_order_with_their_causes() {
        let rs = |name: &str, rev: &str, image: &str, owner: &str| {
            json!({"kind": "ReplicaSet", "metadata": {"name": name,
                "creationTimestamp": "2026-11-22T09:00:00Z",
                "annotations": {"deployment.kubernetes.io/revision": rev,
                    "kubernetes.io/change-cause": format!("set image {image}")},
                "ownerReferences": [{"uid": owner, "controller": true}]},
                "spec": {"template": {"metadata": {"labels": {"app": "web", "pod-template-hash": name}},
                    "spec": {"containers": [{"name": "web", "image": image}]}}}})
        };
        let list = json!({"items": [rs("b", "2", "nginx:1.16", "d1"), rs("a", "1", "nginx:1.15", "d1"),
            rs("x", "1", "redis", "other")]});
        let revs = revisions(&list, "d1");
        assert_eq!(revs.iter().map(|r| r.number).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(revs[1].images, "nginx:1.16");
        assert_eq!(revs[1].cause, "set image nginx:1.16");
        assert!(
            revs[0].template["metadata"]["labels"]
                .get("pod-template-hash")
                .is_none()
        );
        let cr = json!({"kind": "ControllerRevision", "revision": 3,
            "metadata": {"name": "ds-1", "ownerReferences": [{"uid": "ds", "controller": true}]},
            "data": {"spec": {"template": {"spec": {"containers": [{"image": "nginx"}]}}}}});
        let revs = revisions(&json!({"items": [cr]}), "ds");
        assert_eq!((revs[0].number, revs[0].images.as_str()), (3, "nginx"));
    }
}
