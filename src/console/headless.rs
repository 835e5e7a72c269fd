//! Playing a macro with no terminal: the console's [`Runner`] on a test backend, waiting in
//! simulated time on the built-in cluster (so runs repeat) or real time on a real engine.

use super::Runner;
use crate::macros::Macro;
use crate::macros::player::{Out, POLL, Player};
use std::time::Duration;

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
    runner: &mut Runner<B>,
    m: Macro,
    clock: Clock,
) -> Result<(), String> {
    headless_with(runner, m, clock, &mut |_, _| {}).await
}

/// [`headless`], calling `snap` at each `snap NAME` step.
pub async fn headless_with<B: ratatui::backend::Backend>(
    runner: &mut Runner<B>,
    m: Macro,
    clock: Clock,
    snap: &mut dyn FnMut(&mut Runner<B>, &str),
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
    let settle = async |runner: &mut Runner<B>, quiet: Duration| match clock {
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
