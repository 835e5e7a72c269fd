//! A one-line question (replicas, an image, a label, a search).

use super::{Flow, Overlay, answer, frame};
use crate::app::keys::Key;
use crate::app::lineedit::{Edit, LineEdit};
use crate::app::ops::Op;
use crate::app::{Cx, Prompt};
use crate::ui::{RenderCx, centered};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub struct PromptView {
    prompt: Prompt,
    edit: LineEdit,
    error: Option<String>,
}

impl PromptView {
    pub fn new(prompt: Prompt) -> PromptView {
        let edit = LineEdit::new(&prompt.initial);
        PromptView {
            prompt,
            edit,
            error: None,
        }
    }
}

impl Overlay for PromptView {
    fn takes_keys(&self) -> bool {
        true
    }

    fn key(&mut self, k: Key, cx: &mut Cx) -> Flow {
        match self.edit.key(k) {
            Edit::Submit => match answer(&self.prompt.then, &self.edit.text) {
                Ok(intents) => {
                    cx.out.extend(intents);
                    Flow::Close
                }
                Err(e) => {
                    self.error = Some(e);
                    Flow::Stay
                }
            },
            Edit::Cancel => Flow::Close,
            _ => {
                self.error = None;
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

    fn paste(&mut self, s: &str) {
        self.edit.insert(s);
    }

    fn render(&mut self, f: &mut Frame, area: Rect, rc: &RenderCx) {
        let t = rc.theme;
        let w = (self.prompt.title.chars().count() as u16 + 6).max(56);
        let area = centered(area, w, 5);
        let inner = frame(f, area, rc, &self.prompt.title);
        if inner.height == 0 {
            return;
        }
        let label = format!("{}: ", self.prompt.label);
        let line = Line::from(vec![
            Span::styled(label.clone(), t.muted()),
            Span::styled(self.edit.text.clone(), t.base()),
        ]);
        f.render_widget(Paragraph::new(line), Rect { height: 1, ..inner });
        let x = inner.x + (label.chars().count() + self.edit.head().chars().count()) as u16;
        if x < inner.x + inner.width {
            f.set_cursor_position((x, inner.y));
        }
        if inner.height > 1 {
            let msg = match &self.error {
                Some(e) => Span::styled(e.clone(), t.error()),
                None => Span::styled("enter OK · esc cancel", t.muted()),
            };
            f.render_widget(
                Paragraph::new(msg),
                Rect {
                    y: inner.y + inner.height - 1,
                    height: 1,
                    ..inner
                },
            );
        }
    }

    fn hints(&self, _rc: &RenderCx) -> Vec<(String, String)> {
        vec![
            ("enter".into(), "OK".into()),
            ("esc".into(), "cancel".into()),
        ]
    }
}
