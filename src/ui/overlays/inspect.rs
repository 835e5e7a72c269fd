//! Inspect: the selected object as the engine's inspect API returns it, as YAML or JSON,
//! scrollable.

use super::{Flow, Overlay, TextView, big, frame, hint, scroll_hints};
use crate::app::Cx;
use crate::app::action::Reply;
use crate::app::ops::{Context, Op};
use crate::backend::view::ObjRef;
use crate::ui::RenderCx;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

pub struct InspectView {
    id: u64,
    r: ObjRef,
    /// How the title names the object.
    label: String,
    value: Option<Result<serde_json::Value, String>>,
    yaml: bool,
    view: TextView,
}

impl InspectView {
    pub fn new(id: u64, r: ObjRef, label: String) -> InspectView {
        InspectView {
            id,
            r,
            label,
            value: None,
            yaml: true,
            view: TextView::default(),
        }
    }

    fn text(&self) -> Vec<String> {
        match &self.value {
            None => vec!["loading…".into()],
            Some(Err(e)) => vec![e.clone()],
            Some(Ok(v)) if self.yaml => crate::ui::text::to_yaml(v)
                .lines()
                .map(str::to_string)
                .collect(),
            Some(Ok(v)) => serde_json::to_string_pretty(v)
                .unwrap_or_default()
                .lines()
                .map(str::to_string)
                .collect(),
        }
    }

    fn refresh(&mut self) {
        self.view.lines = self.text().into_iter().map(Line::raw).collect();
    }
}

impl Overlay for InspectView {
    fn context(&self) -> Option<Context> {
        Some(Context::Inspect)
    }

    fn op(&mut self, op: Op, _cx: &mut Cx) -> Flow {
        match op {
            Op::Back | Op::Inspect => Flow::Close,
            Op::InspectFormat => {
                self.yaml = !self.yaml;
                self.refresh();
                Flow::Stay
            }
            op if self.view.nav(op) => Flow::Stay,
            _ => Flow::Pass,
        }
    }

    fn reply(&mut self, id: u64, r: &Reply, _cx: &mut Cx) -> Flow {
        if id == self.id
            && let Reply::Inspected(v) = r
        {
            self.value = Some(v.clone().map_err(|e| e.message));
            self.refresh();
        }
        Flow::Stay
    }

    fn render(&mut self, f: &mut Frame, area: Rect, rc: &RenderCx) {
        if self.view.lines.is_empty() {
            self.refresh();
        }
        let kind = self.r.kind.noun();
        let fmt = if self.yaml { "YAML" } else { "JSON" };
        self.view.height = big(area).height.saturating_sub(2) as usize;
        let title = format!("{kind} {} · {fmt} {}", self.label, self.view.position());
        let area = big(area);
        let inner = frame(f, area, rc, title.trim());
        if matches!(self.value, Some(Err(_))) {
            self.view.lines = self
                .text()
                .into_iter()
                .map(|l| Line::from(Span::styled(l, rc.theme.error())))
                .collect();
        }
        self.view.render(f, inner);
    }

    fn hints(&self, rc: &RenderCx) -> Vec<(String, String)> {
        let ctx = [Context::Inspect, Context::Navigation, Context::Global];
        let mut v = scroll_hints(rc, &ctx);
        v.extend(hint(rc.keymap.hint(&ctx, Op::InspectFormat), "yaml/json"));
        v
    }
}
