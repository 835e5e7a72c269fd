//! Help: the keys of the current view, generated from the active keymap (so it can never
//! disagree with the bindings), and the `:` commands.

use super::{Flow, Overlay, TextView, big, frame, scroll_hints};
use crate::app::ops::{Context, Op};
use crate::app::{App, Cx};
use crate::ui::RenderCx;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

pub struct Help {
    view: TextView,
    /// Raw lines (styled at render time with the theme).
    rows: Vec<(u8, String, String)>,
}

const NAV: [Context; 2] = [Context::Navigation, Context::Global];

/// The `:` line's commands, as help lists them.
const COMMANDS: [(&str, &str); 9] = [
    ("nodes · services · volumes", "switch pane"),
    ("tasks [SERVICE|NODE]", "tasks, of a service or on a node"),
    ("logs [SERVICE|TASK]", "follow logs"),
    ("rollouts [SERVICE]", "update status and spec diff"),
    (
        "service scale web=4",
        "any docker command, with or without `docker`",
    ),
    ("node update --availability drain node139", ""),
    ("@node188 ps -a", "a container command on a node"),
    (
        "sim node down node139",
        "the built-in cluster's own verbs (sim --help)",
    ),
    ("quit", "quit"),
];

impl Help {
    pub fn new(app: &App) -> Help {
        let ctx = app.contexts();
        let mut rows = Vec::new();
        for (c, entries) in app.config.keymap.help(&ctx, |op| app.allowed(op)) {
            rows.push((0, c.title().to_string(), String::new()));
            for (keys, op) in entries {
                rows.push((1, keys, op.describe().to_string()));
            }
            rows.push((2, String::new(), String::new()));
        }
        let macros = app.config.keymap.macros();
        if !macros.is_empty() {
            rows.push((0, "Macros (keymap [macros])".into(), String::new()));
            for (keys, file) in macros {
                rows.push((1, keys, format!("play {file}")));
            }
            rows.push((2, String::new(), String::new()));
        }
        // A kiosk has no `:` line (its exit chord is listed with Quit above).
        if app.allowed(Op::CommandLine) {
            rows.push((0, "Commands (type : first)".into(), String::new()));
            for (cmd, what) in COMMANDS {
                rows.push((1, cmd.to_string(), what.to_string()));
            }
        }
        rows.push((2, String::new(), String::new()));
        rows.push((
            3,
            format!(
                "keymap: {} · theme: {}",
                app.config.keymap.name, app.config.theme.name
            ),
            String::new(),
        ));
        Help {
            view: TextView::default(),
            rows,
        }
    }
}

impl Overlay for Help {
    fn op(&mut self, op: Op, _cx: &mut Cx) -> Flow {
        match op {
            Op::Back | Op::Help => Flow::Close,
            op if self.view.nav(op) => Flow::Stay,
            _ => Flow::Pass,
        }
    }

    fn render(&mut self, f: &mut Frame, area: Rect, rc: &RenderCx) {
        let t = rc.theme;
        let keyw = self
            .rows
            .iter()
            .filter(|r| r.0 == 1)
            .map(|r| r.1.chars().count())
            .max()
            .unwrap_or(10)
            .min(28);
        self.view.lines = self
            .rows
            .iter()
            .map(|(kind, a, b)| match kind {
                0 => Line::from(Span::styled(a.clone(), t.accent())),
                1 => Line::from(vec![
                    Span::styled(format!("  {a:<keyw$}  "), t.info()),
                    Span::styled(b.clone(), t.base()),
                ]),
                3 => Line::from(Span::styled(a.clone(), t.muted())),
                _ => Line::default(),
            })
            .collect();
        let area = big(area);
        self.view.height = area.height.saturating_sub(2) as usize;
        let title = format!("Help {}", self.view.position());
        let inner = frame(f, area, rc, title.trim());
        self.view.render(f, inner);
    }

    fn hints(&self, rc: &RenderCx) -> Vec<(String, String)> {
        scroll_hints(rc, &NAV)
    }
}
