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
    /// The focused button: 0 Cancel, 1 the action, 2 the other way of doing it.
    focus: usize,
}

impl ConfirmView {
    pub fn new(c: Confirm) -> ConfirmView {
        ConfirmView { c, focus: 0 }
    }

    fn buttons(&self) -> usize {
        if self.c.alt.is_some() { 3 } else { 2 }
    }

    fn accept(&self, cx: &mut Cx, which: usize) -> Flow {
        let then = match (which, &self.c.alt) {
            (2, Some((_, then))) => then,
            _ => &self.c.then,
        };
        if let Ok(intents) = answer(then, "") {
            cx.out.extend(intents);
        }
        Flow::Close
    }

    fn step(&mut self, by: usize) -> Flow {
        self.focus = (self.focus + by) % self.buttons();
        Flow::Stay
    }
}

impl Overlay for ConfirmView {
    fn takes_keys(&self) -> bool {
        true
    }

    fn key(&mut self, k: Key, cx: &mut Cx) -> Flow {
        let back = self.buttons() - 1;
        match k.code {
            Code::Right | Code::Tab => self.step(1),
            Code::Left | Code::BackTab => self.step(back),
            Code::Char('l') if !k.ctrl => self.step(1),
            Code::Char('h') if !k.ctrl => self.step(back),
            Code::Char('y') | Code::Char('Y') if !k.ctrl => self.accept(cx, 1),
            Code::Char('o') | Code::Char('O') if !k.ctrl && self.c.alt.is_some() => {
                self.accept(cx, 2)
            }
            Code::Enter if self.focus > 0 => self.accept(cx, self.focus),
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
        let mut buttons = vec![
            button("Cancel", self.focus == 0),
            Span::raw("  "),
            button(&self.c.ok, self.focus == 1),
        ];
        if let Some((label, _)) = &self.c.alt {
            buttons.extend([Span::raw("  "), button(label, self.focus == 2)]);
        }
        let lines = vec![
            Line::from(Span::styled(self.c.message.clone(), t.base())),
            Line::default(),
            Line::from(buttons),
        ];
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    }

    fn hints(&self, _rc: &RenderCx) -> Vec<(String, String)> {
        let mut h = vec![("y".into(), self.c.ok.to_lowercase())];
        if let Some((label, _)) = &self.c.alt {
            h.push(("o".into(), label.to_lowercase()));
        }
        h.extend([
            ("n/esc".into(), "cancel".into()),
            ("tab".into(), "switch".into()),
            ("enter".into(), "choose".into()),
        ]);
        h
    }
}
