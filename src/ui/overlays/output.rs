//! What a command printed, when it is more than a status line can hold (`:service ls`,
//! `:node inspect --pretty ...`).

use super::{Flow, Overlay, TextView, big, frame, scroll_hints};
use crate::app::Cx;
use crate::app::ops::{Context, Op};
use crate::ui::RenderCx;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

pub struct OutputView {
    title: String,
    view: TextView,
}

impl OutputView {
    pub fn new(title: String, text: String) -> OutputView {
        let lines = text
            .trim_end()
            .lines()
            .map(|l| Line::raw(l.replace('\t', "    ")))
            .collect();
        OutputView {
            title,
            view: TextView::new(lines),
        }
    }
}

impl Overlay for OutputView {
    fn context(&self) -> Option<Context> {
        Some(Context::Inspect)
    }

    fn op(&mut self, op: Op, _cx: &mut Cx) -> Flow {
        match op {
            Op::Back => Flow::Close,
            op if self.view.nav(op) => Flow::Stay,
            Op::InspectFormat => Flow::Stay,
            _ => Flow::Pass,
        }
    }

    fn render(&mut self, f: &mut Frame, area: Rect, rc: &RenderCx) {
        let area = big(area);
        self.view.height = area.height.saturating_sub(2) as usize;
        let title = format!("{} {}", self.title, self.view.position());
        let inner = frame(f, area, rc, title.trim());
        self.view.render(f, inner);
    }

    fn hints(&self, rc: &RenderCx) -> Vec<(String, String)> {
        scroll_hints(
            rc,
            &[Context::Inspect, Context::Navigation, Context::Global],
        )
    }
}
