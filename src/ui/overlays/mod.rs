//! Windows over the panes: help, inspect, command output, prompts, confirmations, the drain
//! plan, and the service editor. One component each.

pub mod confirm;
pub mod editor;
pub mod help;
pub mod inspect;
pub mod output;
pub mod plan;
pub mod prompt;

use super::RenderCx;
use crate::app::action::Reply;
use crate::app::data::Delta;
use crate::app::keys::Key;
use crate::app::ops::{Context, Op};
use crate::app::{Cx, Intent, Then};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

/// What happens to an overlay after it handled something.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Stay,
    Close,
    /// Not handled: the App may handle it (global operations).
    Pass,
}

pub trait Overlay {
    /// The keymap context for its operations (none: navigation and global only).
    fn context(&self) -> Option<Context> {
        None
    }
    /// It reads keys itself (text input, buttons) before the keymap sees them.
    fn takes_keys(&self) -> bool {
        false
    }
    fn key(&mut self, _k: Key, _cx: &mut Cx) -> Flow {
        Flow::Pass
    }
    fn op(&mut self, op: Op, cx: &mut Cx) -> Flow;
    /// The result of a request it made.
    fn reply(&mut self, _id: u64, _r: &Reply, _cx: &mut Cx) -> Flow {
        Flow::Stay
    }
    /// The cluster changed.
    fn deltas(&mut self, _d: &[Delta], _cx: &mut Cx) -> Flow {
        Flow::Stay
    }
    fn paste(&mut self, _s: &str) {}
    fn render(&mut self, f: &mut Frame, area: Rect, rc: &RenderCx);
    /// Key hints for the footer.
    fn hints(&self, rc: &RenderCx) -> Vec<(String, String)>;
}

/// What a prompt's answer (or a confirmation, with an empty answer) does.
pub fn answer(then: &Then, text: &str) -> Result<Vec<Intent>, String> {
    match then {
        Then::Run { words, on } => {
            let needs_text = words.iter().any(|w| w.contains("{}") || w == "{words}");
            if needs_text && text.trim().is_empty() {
                return Err("nothing entered".into());
            }
            let mut out = Vec::new();
            for w in words {
                if w == "{words}" {
                    // The text as several words (shell quoting rules).
                    out.extend(
                        opsconsole_sim::lang::flags::split_line(text)
                            .map_err(|e| format!("cannot read that: {e}"))?,
                    );
                } else {
                    out.push(w.replace("{}", text.trim()));
                }
            }
            Ok(vec![
                Intent::Run {
                    words: out,
                    on: on.clone(),
                },
                Intent::Close,
            ])
        }
        Then::LogsSearch => Ok(vec![Intent::LogsSearch(text.to_string()), Intent::Close]),
        Then::LogsTail => match text.trim().parse::<u64>() {
            Ok(n) if n > 0 => Ok(vec![Intent::LogsTail(n), Intent::Close]),
            _ => Err(format!("{text:?} is not a number of lines")),
        },
    }
}

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
