//! Playing key macros. A [`Player`] walks a macro's steps and says what to do next — send an
//! Action, pause, look at the screen — without knowing whose clock it runs on: the live
//! console sleeps in real time (at a human pace), a headless run advances the built-in
//! cluster's simulated time instead.

use super::{Macro, Step};
use crate::app::keys::Key;
use crate::app::{Action, MacroEvent};
use ratatui::buffer::Buffer;
use std::time::Duration;

/// Pause after each key, and after each typed character, at pace 1.
pub const KEY_GAP: Duration = Duration::from_millis(250);
pub const TYPE_GAP: Duration = Duration::from_millis(70);
/// How often `wait-for` looks at the screen again.
pub const POLL: Duration = Duration::from_millis(100);

/// What the player wants next.
#[derive(Debug, PartialEq)]
pub enum Out {
    /// Send the action, then pause this long (a human's pace; headless runs skip it).
    Act(Action, Duration),
    /// Let this much time pass (`wait`, or `wait-for` looking again).
    Sleep(Duration),
    /// Take a screenshot with this name (others carry on).
    Snap(String),
    Done,
    /// The macro failed here ("FILE:LINE: why").
    Fail(String),
}

pub struct Player {
    m: Macro,
    i: usize,
    sub: usize,
    /// How long the current `wait-for` has waited.
    waited: Duration,
    /// How often `wait-for` looks again.
    poll: Duration,
}

/// The text on a screen, one line per row (for `expect` and `wait-for`).
pub fn screen_text(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::with_capacity((area.width as usize + 1) * area.height as usize);
    for y in area.top()..area.bottom() {
        let mut line = String::new();
        for x in area.left()..area.right() {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

impl Player {
    pub fn new(m: Macro) -> Player {
        Player {
            m,
            i: 0,
            sub: 0,
            waited: Duration::ZERO,
            poll: POLL,
        }
    }

    /// Looks again this often in `wait-for` (headless runs take bigger steps of simulated
    /// time).
    pub fn with_poll(mut self, poll: Duration) -> Player {
        self.poll = poll;
        self
    }

    pub fn name(&self) -> &str {
        &self.m.file
    }

    fn fail(&self, line: usize, why: String) -> Out {
        Out::Fail(format!("{}:{line}: {why}", self.m.file))
    }

    fn next_step(&mut self) {
        self.i += 1;
        self.sub = 0;
        self.waited = Duration::ZERO;
    }

    /// The next thing to do; `screen` gives the current screen's text when a step needs it.
    pub fn step(&mut self, screen: &mut dyn FnMut() -> String) -> Out {
        loop {
            let Some((line, s)) = self.m.steps.get(self.i).cloned() else {
                return Out::Done;
            };
            match s {
                Step::Keys(keys) => {
                    let k = keys[self.sub];
                    self.sub += 1;
                    if self.sub >= keys.len() {
                        self.next_step();
                    }
                    return Out::Act(Action::Key(k), KEY_GAP);
                }
                Step::Type(text) => {
                    let Some(c) = text.chars().nth(self.sub) else {
                        self.next_step();
                        continue;
                    };
                    self.sub += 1;
                    if self.sub >= text.chars().count() {
                        self.next_step();
                    }
                    return Out::Act(Action::Key(Key::ch(c)), TYPE_GAP);
                }
                Step::Wait(d) => {
                    self.next_step();
                    return Out::Sleep(d);
                }
                Step::WaitFor(text, timeout) => {
                    if screen().contains(&text) {
                        self.next_step();
                        continue;
                    }
                    if self.waited >= timeout {
                        return self.fail(
                            line,
                            format!("wait-for {text:?}: not on screen after {timeout:?}"),
                        );
                    }
                    self.waited += self.poll;
                    return Out::Sleep(self.poll);
                }
                Step::Expect(text) => {
                    if !screen().contains(&text) {
                        return self.fail(line, format!("expect {text:?}: not on screen"));
                    }
                    self.next_step();
                }
                Step::ExpectNot(text) => {
                    if screen().contains(&text) {
                        return self.fail(line, format!("expect-not {text:?}: it is on screen"));
                    }
                    self.next_step();
                }
                Step::Say(text) => {
                    self.next_step();
                    return Out::Act(Action::Macro(MacroEvent::Caption(text)), Duration::ZERO);
                }
                Step::Snap(name) => {
                    self.next_step();
                    return Out::Snap(name);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::macros::parse;

    #[test]
    fn steps_in_order_and_failures_name_the_line() {
        let m = parse(
            "t.macro",
            "say \"hi\"\nkey j k\ntype \"ab\"\nwait 2s\nwait-for \"ready\" 250ms\nexpect \"ready\"\nexpect \"gone\"\n",
        )
        .unwrap();
        let mut p = Player::new(m);
        let mut screen = String::new();
        let mut outs = Vec::new();
        loop {
            let o = p.step(&mut || screen.clone());
            let stop = matches!(o, Out::Done | Out::Fail(_));
            if matches!(o, Out::Sleep(POLL)) {
                screen = "all ready".into();
            }
            outs.push(o);
            if stop {
                break;
            }
        }
        assert_eq!(
            outs,
            vec![
                Out::Act(
                    Action::Macro(MacroEvent::Caption("hi".into())),
                    Duration::ZERO
                ),
                Out::Act(Action::Key(Key::ch('j')), KEY_GAP),
                Out::Act(Action::Key(Key::ch('k')), KEY_GAP),
                Out::Act(Action::Key(Key::ch('a')), TYPE_GAP),
                Out::Act(Action::Key(Key::ch('b')), TYPE_GAP),
                Out::Sleep(Duration::from_secs(2)),
                Out::Sleep(POLL),
                Out::Fail("t.macro:7: expect \"gone\": not on screen".into()),
            ]
        );
        // A wait-for that never sees its text times out.
        let mut p = Player::new(parse("u", "wait-for \"x\" 300ms\n").unwrap());
        let mut n = 0;
        let o = loop {
            match p.step(&mut String::new) {
                Out::Sleep(_) => n += 1,
                o => break o,
            }
        };
        assert_eq!(n, 3);
        assert!(
            matches!(o, Out::Fail(ref f) if f.starts_with("u:1: wait-for \"x\"")),
            "{o:?}"
        );
    }
}
