//! The service editor: a YAML spec edited in a text area, created with Ctrl-S. The spec
//! becomes a `docker service create` command line, so it is validated exactly as the command
//! would be; a mistake is shown with its line and the editor stays open.

use super::{Flow, Overlay, big, frame};
use crate::app::action::Reply;
use crate::app::keys::{Code, Key};
use crate::app::ops::Op;
use crate::app::{Cx, Intent, Level};
use crate::ui::RenderCx;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Paragraph, Wrap};
use serde::Deserialize;
use tui_textarea::TextArea;

pub const TEMPLATE: &str = "\
# A new service. Ctrl-S creates it, Esc cancels.
# Keys: name, image, replicas, mode (replicated|global|replicated-job|global-job),
# command, env, publish, mounts, networks, constraints, placement_prefs,
# max_replicas_per_node, reserve_cpu, reserve_memory, limit_cpu, limit_memory,
# restart_condition, restart_delay, restart_max_attempts, update_parallelism,
# update_delay, update_failure_action, update_order, update_monitor,
# rollback_parallelism, rollback_delay, rollback_failure_action, labels, endpoint_mode
name: web
image: nginx:latest
replicas: 3
publish:
  - \"8080:80\"
# constraints:
#   - node.role == worker
# env:
#   - KEY=value
";

/// A number or a string, as YAML gives them.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Scalar {
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(String),
}

impl Scalar {
    fn text(&self) -> String {
        match self {
            Scalar::Int(i) => i.to_string(),
            Scalar::Float(f) => f.to_string(),
            Scalar::Bool(b) => b.to_string(),
            Scalar::Str(s) => s.clone(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Spec {
    name: String,
    image: String,
    replicas: Option<Scalar>,
    mode: Option<String>,
    command: Option<Vec<Scalar>>,
    env: Option<Vec<Scalar>>,
    publish: Option<Vec<Scalar>>,
    mounts: Option<Vec<String>>,
    networks: Option<Vec<String>>,
    constraints: Option<Vec<String>>,
    placement_prefs: Option<Vec<String>>,
    max_replicas_per_node: Option<Scalar>,
    reserve_cpu: Option<Scalar>,
    reserve_memory: Option<Scalar>,
    limit_cpu: Option<Scalar>,
    limit_memory: Option<Scalar>,
    restart_condition: Option<String>,
    restart_delay: Option<Scalar>,
    restart_max_attempts: Option<Scalar>,
    update_parallelism: Option<Scalar>,
    update_delay: Option<Scalar>,
    update_failure_action: Option<String>,
    update_order: Option<String>,
    update_monitor: Option<Scalar>,
    rollback_parallelism: Option<Scalar>,
    rollback_delay: Option<Scalar>,
    rollback_failure_action: Option<String>,
    labels: Option<Vec<Scalar>>,
    endpoint_mode: Option<String>,
}

/// The `docker service create` words for a YAML spec.
pub fn spec_to_words(yaml: &str) -> Result<Vec<String>, String> {
    let s: Spec = serde_saphyr::from_str(yaml).map_err(|e| {
        let msg = e.to_string();
        msg.lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("invalid spec")
            .trim()
            .to_string()
    })?;
    let mut w: Vec<String> = vec!["service".into(), "create".into()];
    let mut flag = |name: &str, v: String| {
        w.push(format!("--{name}"));
        w.push(v);
    };
    flag("name", s.name.clone());
    let one = |v: &Option<Scalar>| v.as_ref().map(Scalar::text);
    let scalars: [(&str, Option<String>); 15] = [
        ("replicas", one(&s.replicas)),
        ("mode", s.mode.clone()),
        ("replicas-max-per-node", one(&s.max_replicas_per_node)),
        ("reserve-cpu", one(&s.reserve_cpu)),
        ("reserve-memory", one(&s.reserve_memory)),
        ("limit-cpu", one(&s.limit_cpu)),
        ("limit-memory", one(&s.limit_memory)),
        ("restart-condition", s.restart_condition.clone()),
        ("restart-delay", one(&s.restart_delay)),
        ("restart-max-attempts", one(&s.restart_max_attempts)),
        ("update-parallelism", one(&s.update_parallelism)),
        ("update-delay", one(&s.update_delay)),
        ("update-failure-action", s.update_failure_action.clone()),
        ("update-order", s.update_order.clone()),
        ("update-monitor", one(&s.update_monitor)),
    ];
    for (name, v) in scalars {
        if let Some(v) = v {
            flag(name, v);
        }
    }
    for (name, v) in [
        ("rollback-parallelism", one(&s.rollback_parallelism)),
        ("rollback-delay", one(&s.rollback_delay)),
        ("rollback-failure-action", s.rollback_failure_action.clone()),
        ("endpoint-mode", s.endpoint_mode.clone()),
    ] {
        if let Some(v) = v {
            flag(name, v);
        }
    }
    let texts =
        |v: &Option<Vec<Scalar>>| -> Vec<String> { v.iter().flatten().map(Scalar::text).collect() };
    for (name, vs) in [
        ("env", texts(&s.env)),
        ("publish", texts(&s.publish)),
        ("label", texts(&s.labels)),
        ("mount", s.mounts.clone().unwrap_or_default()),
        ("network", s.networks.clone().unwrap_or_default()),
        ("constraint", s.constraints.clone().unwrap_or_default()),
        (
            "placement-pref",
            s.placement_prefs.clone().unwrap_or_default(),
        ),
    ] {
        for v in vs {
            flag(name, v);
        }
    }
    w.push(s.image.clone());
    w.extend(texts(&s.command));
    Ok(w)
}

pub struct EditorView {
    area: TextArea<'static>,
    error: Option<String>,
    /// The create command running, awaiting its result.
    running: Option<u64>,
}

impl Default for EditorView {
    fn default() -> Self {
        EditorView::new()
    }
}

impl EditorView {
    pub fn new() -> EditorView {
        let lines = TEMPLATE.lines().map(str::to_string).collect();
        EditorView {
            area: TextArea::new(lines),
            error: None,
            running: None,
        }
    }

    fn submit(&mut self, cx: &mut Cx) -> Flow {
        let text = self.area.lines().join("\n");
        match spec_to_words(&text) {
            Ok(words) => {
                let id = cx.next_id();
                self.running = Some(id);
                self.error = None;
                cx.push(Intent::RunAs { id, words });
            }
            Err(e) => self.error = Some(e),
        }
        Flow::Stay
    }
}

impl Overlay for EditorView {
    fn takes_keys(&self) -> bool {
        true
    }

    fn key(&mut self, k: Key, cx: &mut Cx) -> Flow {
        match (k.code, k.ctrl) {
            (Code::Char('s'), true) => self.submit(cx),
            (Code::Esc, _) => Flow::Close,
            _ => {
                self.area.input(k.to_event());
                Flow::Stay
            }
        }
    }

    fn op(&mut self, op: Op, _cx: &mut Cx) -> Flow {
        match op {
            Op::Back => Flow::Close,
            _ => Flow::Stay,
        }
    }

    fn reply(&mut self, id: u64, r: &Reply, cx: &mut Cx) -> Flow {
        if self.running != Some(id) {
            return Flow::Stay;
        }
        self.running = None;
        match r {
            Reply::Ran(Ok(out)) if out.code == 0 => {
                cx.status(Level::Ok, format!("service created: {}", out.summary()));
                Flow::Close
            }
            Reply::Ran(Ok(out)) => {
                self.error = Some(out.summary());
                Flow::Stay
            }
            Reply::Ran(Err(e)) => {
                self.error = Some(e.message.clone());
                Flow::Stay
            }
            _ => Flow::Stay,
        }
    }

    fn paste(&mut self, s: &str) {
        self.area.insert_str(s);
    }

    fn render(&mut self, f: &mut Frame, area: Rect, rc: &RenderCx) {
        let t = rc.theme;
        let area = big(area);
        let inner = frame(f, area, rc, "New service · ctrl-s create · esc cancel");
        let [edit, msg] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(2)]).areas(inner);
        self.area.set_style(t.base());
        self.area
            .set_cursor_line_style(ratatui::style::Style::default());
        self.area.set_line_number_style(t.muted());
        f.render_widget(&self.area, edit);
        let text = match (&self.error, self.running) {
            (Some(e), _) => Span::styled(e.clone(), t.error()),
            (None, Some(_)) => Span::styled("creating…", t.warn()),
            (None, None) => Span::styled(
                "The spec becomes `docker service create` flags; docker's checks apply.",
                t.muted(),
            ),
        };
        f.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), msg);
    }

    fn hints(&self, _rc: &RenderCx) -> Vec<(String, String)> {
        vec![
            ("ctrl-s".into(), "create".into()),
            ("esc".into(), "cancel".into()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_is_a_valid_spec() {
        let w = spec_to_words(TEMPLATE).unwrap();
        assert_eq!(
            w,
            vec![
                "service",
                "create",
                "--name",
                "web",
                "--replicas",
                "3",
                "--publish",
                "8080:80",
                "nginx:latest"
            ]
        );
        assert!(opsconsole_sim::lang::parse(&w).is_ok());
    }

    #[test]
    fn mistakes_name_their_line() {
        let e = spec_to_words("name: web\nimage: nginx\nreplica: 3\n").unwrap_err();
        assert!(e.contains("replica"), "{e}");
        assert!(e.contains('3'), "names the line: {e}");
        let e = spec_to_words("name: web\n").unwrap_err();
        assert!(e.contains("image"), "{e}");
        let w = spec_to_words(
            "name: job\nimage: busybox\nmode: replicated-job\ncommand: [sh, -c, \"echo hi\"]\nenv: [A=1]\nconstraints: [\"node.role == worker\"]\n",
        )
        .unwrap();
        assert_eq!(&w[w.len() - 4..], ["busybox", "sh", "-c", "echo hi"]);
        assert!(opsconsole_sim::lang::parse(&w).is_ok());
    }
}
