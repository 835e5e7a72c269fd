//! A confirmation. The default button is Cancel: Enter on its own never destroys anything.

use super::{Flow, Overlay, answer, frame};
use crate::app::keys::{Code, Key};
use crate::app::ops::Op;
use crate::app::{Confirm, Cx};
use crate::ui::{RenderCx, centered};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

pub struct ConfirmView {
    c: Confirm,
    ok_focused: bool,
}

impl ConfirmView {
    pub fn new(c: Confirm) -> ConfirmView {
        ConfirmView {
            c,
            ok_focused: false,
        }
    }

    fn accept(&self, cx: &mut Cx) -> Flow {
        if let Ok(intents) = answer(&self.c.then, "") {
            cx.out.extend(intents);
        }
        Flow::Close
    }
}

impl Overlay for ConfirmView {
    fn takes_keys(&self) -> bool {
        true
    }

    fn key(&mut self, k: Key, cx: &mut Cx) -> Flow {
        match k.code {
            Code::Left | Code::Right | Code::Tab | Code::BackTab => {
                self.ok_focused = !self.ok_focused;
                Flow::Stay
            }
            Code::Char('h') | Code::Char('l') if !k.ctrl => {
                self.ok_focused = !self.ok_focused;
                Flow::Stay
            }
            Code::Char('y') | Code::Char('Y') if !k.ctrl => self.accept(cx),
            Code::Enter if self.ok_focused => self.accept(cx),
            Code::Enter | Code::Esc => Flow::Close,
            Code::Char('n') | Code::Char('N') | Code::Char('q') if !k.ctrl => Flow::Close,
            Code::Char('c') if k.ctrl => Flow::Close,
            _ => Flow::Stay,
        }
    }

    fn op(&mut self, op: Op, _cx: &mut Cx) -> Flow {
        match op {
            Op::Back => Flow::Close,
            _ => Flow::Stay,
        }
    }

    fn render(&mut self, f: &mut Frame, area: Rect, rc: &RenderCx) {
        let t = rc.theme;
        let w = (self.c.message.chars().count() as u16 + 6).clamp(40, 70);
        let area = centered(area, w, 7);
        let inner = frame(f, area, rc, &self.c.title);
        let button = |label: &str, focused: bool| {
            let text = format!("[ {label} ]");
            if focused {
                Span::styled(text, t.selection())
            } else {
                Span::styled(text, t.muted())
            }
        };
        let lines = vec![
            Line::from(Span::styled(self.c.message.clone(), t.base())),
            Line::default(),
            Line::from(vec![
                button("Cancel", !self.ok_focused),
                Span::raw("  "),
                button(&self.c.ok, self.ok_focused),
            ]),
        ];
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    }

    fn hints(&self, _rc: &RenderCx) -> Vec<(String, String)> {
        vec![
            ("y".into(), self.c.ok.to_lowercase()),
            ("n/esc".into(), "cancel".into()),
            ("tab".into(), "switch".into()),
            ("enter".into(), "choose".into()),
        ]
    }
}
