//! Playing key macros. A [`Player`] walks a macro's steps and says what to do next — send an
//! Action, pause, look at the screen — without knowing whose clock it runs on: the live
//! console sleeps in real time (at a human pace), a headless run advances the built-in
//! cluster's simulated time instead.

use crate::app::keys::Key;
use crate::app::{Action, MacroEvent};
use crate::macros::{Macro, Step};
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

/// How a headless run lets time pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    /// The built-in cluster: `wait` advances its simulated time at once.
    Simulated,
    /// A real engine: waiting takes real time.
    Real,
}

/// How long a headless run waits for the backend to go quiet after a pause, and after a key
/// (typing goes on while a command runs, as it would for a person; screen checks come after
/// pauses).
const SETTLE: Duration = Duration::from_millis(25);
const SETTLE_KEY: Duration = Duration::from_millis(2);

/// Plays a macro with no terminal; the error is the failing line.
pub async fn headless<B: ratatui::backend::Backend>(
    runner: &mut crate::console::Runner<B>,
    m: Macro,
    clock: Clock,
) -> Result<(), String> {
    headless_with(runner, m, clock, &mut |_, _| {}).await
}

/// [`headless`], calling `snap` at each `snap NAME` step.
pub async fn headless_with<B: ratatui::backend::Backend>(
    runner: &mut crate::console::Runner<B>,
    m: Macro,
    clock: Clock,
    snap: &mut dyn FnMut(&mut crate::console::Runner<B>, &str),
) -> Result<(), String> {
    let io = |e: std::io::Error| format!("drawing failed: {e}");
    runner.keep_screen = true;
    // The cluster first.
    let start = std::time::Instant::now();
    while !runner.app.data.loaded {
        if start.elapsed() > Duration::from_secs(20) {
            return Err("the backend sent no cluster within 20 s".into());
        }
        runner.settle(SETTLE).await.map_err(io)?;
    }
    // On simulated time the screen is brought up to date exactly (so runs repeat); a real
    // engine is given a moment to go quiet.
    let settle = async |runner: &mut crate::console::Runner<B>, quiet: Duration| match clock {
        Clock::Simulated => runner.sync().await,
        Clock::Real => runner.settle(quiet).await,
    };
    let poll = match clock {
        Clock::Simulated => Duration::from_secs(1),
        Clock::Real => POLL,
    };
    let mut p = Player::new(m).with_poll(poll);
    loop {
        let mut failed = None;
        let out = p.step(&mut || match runner.screen_now() {
            Ok(s) => s.to_string(),
            Err(e) => {
                failed = Some(io(e));
                String::new()
            }
        });
        if let Some(e) = failed {
            return Err(e);
        }
        let mut quiet = SETTLE;
        match out {
            Out::Act(a, _) => {
                runner.dispatch(a);
                quiet = SETTLE_KEY;
            }
            Out::Sleep(d) => match clock {
                Clock::Simulated => runner.advance(d).await?,
                Clock::Real => tokio::time::sleep(d).await,
            },
            Out::Snap(name) => {
                runner.screen_now().map_err(io)?;
                snap(runner, &name);
            }
            Out::Done => break,
            Out::Fail(why) => {
                settle(runner, SETTLE).await.map_err(io)?;
                return Err(why);
            }
        }
        settle(runner, quiet).await.map_err(io)?;
        if runner.app.quit {
            break;
        }
    }
    runner.screen_now().map_err(io)?;
    Ok(())
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
