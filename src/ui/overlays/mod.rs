//! Windows over the panes: help, inspect, command output, prompts, confirmations, the drain
//! plan, and the service editor. One component each.

pub mod confirm;
pub mod editor;
pub mod help;
pub mod history;
pub mod inspect;
pub mod output;
pub mod plan;
pub mod prompt;

pub use crate::app::intents::answer;
use crate::app::ops::{Context, Op};
pub use crate::app::{Flow, Overlay, RenderCx};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

/// Draws a popup's frame (clearing what is under it); returns its inside.
pub fn frame(f: &mut Frame, area: Rect, rc: &RenderCx, title: &str) -> Rect {
    f.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(rc.theme.accent())
        .style(rc.theme.base())
        .title(Span::styled(format!(" {title} "), rc.theme.accent()));
    let inner = block.inner(area);
    f.render_widget(block, area);
    inner
}

/// Scrollable lines of text.
#[derive(Default)]
pub struct TextView {
    pub lines: Vec<Line<'static>>,
    pub top: usize,
    pub left: usize,
    pub height: usize,
}

impl TextView {
    pub fn new(lines: Vec<Line<'static>>) -> TextView {
        TextView {
            lines,
            ..TextView::default()
        }
    }

    /// Scrolls for a navigation operation; false if `op` is not one.
    pub fn nav(&mut self, op: Op) -> bool {
        let page = self.height.max(1);
        let max = self.lines.len().saturating_sub(page);
        match op {
            Op::Up => self.top = self.top.saturating_sub(1),
            Op::Down => self.top = (self.top + 1).min(max),
            Op::PageUp => self.top = self.top.saturating_sub(page),
            Op::PageDown => self.top = (self.top + page).min(max),
            Op::Top => self.top = 0,
            Op::Bottom => self.top = max,
            Op::Left => self.left = self.left.saturating_sub(8),
            Op::Right => self.left += 8,
            _ => return false,
        }
        true
    }

    pub fn render(&mut self, f: &mut Frame, area: Rect) {
        self.height = area.height as usize;
        let max = self.lines.len().saturating_sub(self.height);
        self.top = self.top.min(max);
        let shown: Vec<Line> = self
            .lines
            .iter()
            .skip(self.top)
            .take(self.height)
            .cloned()
            .collect();
        f.render_widget(Paragraph::new(shown).scroll((0, self.left as u16)), area);
    }

    /// "12-40 of 300" for a title.
    pub fn position(&self) -> String {
        if self.lines.len() <= self.height {
            return String::new();
        }
        format!(
            "{}-{} of {}",
            self.top + 1,
            (self.top + self.height).min(self.lines.len()),
            self.lines.len()
        )
    }
}

/// The popup area for a window of mostly text: most of the body.
pub fn big(area: Rect) -> Rect {
    let w = area.width.saturating_sub(4).max(area.width.min(20));
    let h = area.height.saturating_sub(2).max(area.height.min(6));
    super::centered(area, w, h)
}

pub fn hint(k: Option<String>, what: &str) -> Option<(String, String)> {
    k.map(|k| (k, what.to_string()))
}

/// Hints for the scrolling keys of a text window, from the keymap.
pub fn scroll_hints(rc: &RenderCx, ctx: &[Context]) -> Vec<(String, String)> {
    [
        hint(rc.keymap.hint(ctx, Op::Down), "down"),
        hint(rc.keymap.hint(ctx, Op::Up), "up"),
        hint(rc.keymap.hint(ctx, Op::PageDown), "page"),
        hint(rc.keymap.hint(ctx, Op::Back), "close"),
    ]
    .into_iter()
    .flatten()
    .collect()
}
