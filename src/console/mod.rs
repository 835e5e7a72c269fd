//! The console's event loop: terminal input, backend events, command results and timers all
//! become [`Action`]s for the one [`App`]; the App's [`Effect`]s are carried out here. A
//! frame is drawn only when something changed (at most ~30 a second), and frames that would
//! change nothing on screen write nothing to the terminal.
//!
//! The terminal is restored however the console ends: normally, on a panic, or on SIGHUP,
//! SIGTERM, SIGINT or SIGQUIT.

use crate::app::keys::Key;
use crate::app::{Action, App, Effect, MacroEvent, Reply};
use crate::backend::{Backend, LogEvent, WatchEvent};
use crate::macros::Macro;
use crate::macros::player::{self, Out, Player};
use futures::stream::BoxStream;
use futures::{FutureExt, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend as TermBackend;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::time::Instant;

pub mod headless;
mod terminal;

pub use terminal::{
    Quiet, TerminalGuard, enter_terminal, restore_terminal, signal_actions, terminal_actions,
};

/// Minimum time between frames.
pub const FRAME: Duration = Duration::from_millis(33);

/// Drives an App against a backend and a terminal.
pub struct Runner<B: TermBackend> {
    pub app: App,
    pub backend: Arc<dyn Backend>,
    pub terminal: Terminal<B>,
    tx: UnboundedSender<Action>,
    rx: UnboundedReceiver<Action>,
    watch: BoxStream<'static, WatchEvent>,
    logs: Option<(u64, BoxStream<'static, LogEvent>)>,
    last_frame: Instant,
    /// When the screen's relative times change next (wall clock).
    timer: Option<Instant>,
    pub frames: u64,
    /// When the first frame showing the cluster was drawn.
    pub loaded_frame: Option<std::time::Instant>,
    /// A macro being played at a human pace, and when its next step is due.
    playback: Option<(Player, Instant)>,
    /// Delays are divided by this (2: twice as fast).
    pub pace: f64,
    /// The text of the last frame drawn (kept while a macro plays).
    pub screen: String,
    /// Keys typed, with the time since the previous one (`--record`).
    pub recording: Option<(Vec<(Duration, Key)>, Instant)>,
    /// Kiosk rotation: how often, and when next.
    rotate: Option<(Duration, Instant)>,
    /// Reading the selected container's stats: how often, and when next.
    stats: Option<(Duration, Instant)>,
    /// Keep the text of every frame in `screen` (headless runs).
    pub keep_screen: bool,
    /// A macro step is looking at the screen.
    stepping: bool,
    /// Commands, inspections and plans sent to the backend and not answered yet.
    inflight: usize,
}

/// How long [`Runner::sync`] gives a command to answer before it counts as waiting for
/// simulated time (wall time; commands that do not wait answer within milliseconds).
const WAITING_COMMAND: Duration = Duration::from_millis(300);

impl<B: TermBackend> Runner<B> {
    pub fn new(app: App, backend: Arc<dyn Backend>, terminal: Terminal<B>) -> Runner<B> {
        let (tx, rx) = unbounded_channel();
        let watch = backend.watch();
        Runner {
            app,
            backend,
            terminal,
            tx,
            rx,
            watch,
            logs: None,
            last_frame: Instant::now() - FRAME,
            timer: None,
            frames: 0,
            loaded_frame: None,
            playback: None,
            pace: 1.0,
            screen: String::new(),
            recording: None,
            rotate: None,
            stats: None,
            keep_screen: false,
            stepping: false,
            inflight: 0,
        }
    }

    /// Takes what the backend and running commands send until they are quiet for `quiet`,
    /// then draws (headless runs).
    pub async fn settle(&mut self, quiet: Duration) -> std::io::Result<()> {
        let mut none: BoxStream<'static, Action> = futures::stream::pending().boxed();
        loop {
            match tokio::time::timeout(quiet, self.next(&mut none)).await {
                Ok(Some(Some(a))) => self.dispatch(a),
                Ok(Some(None)) => {
                    self.draw()?;
                }
                Ok(None) | Err(_) => break,
            }
        }
        self.draw()?;
        Ok(())
    }

    /// Takes every action that is ready now, without waiting.
    fn take_ready(&mut self) -> bool {
        let mut took = false;
        loop {
            if let Some(Some(a)) = self.rx.recv().now_or_never() {
                self.dispatch(a);
            } else if let Some(Some(w)) = self.watch.next().now_or_never() {
                self.dispatch(Action::Backend(w));
            } else if let Some((id, ev)) = self
                .logs
                .as_mut()
                .and_then(|(id, s)| s.next().now_or_never().flatten().map(|ev| (*id, ev)))
            {
                self.dispatch(Action::Log(id, ev));
            } else {
                return took;
            }
            took = true;
        }
    }

    /// Brings the screen exactly up to date with the built-in cluster (headless runs on
    /// simulated time): waits for every command sent to be answered, then sends one more
    /// (`version`) as a barrier: the cluster answers in order and sends what changed before
    /// each answer, so once it is back everything before it has arrived. A command that
    /// waits for the cluster to change (`kubectl rollout status`) waits for simulated time,
    /// which only the macro lets pass: one still unanswered after a moment is left to it.
    pub async fn sync(&mut self) -> std::io::Result<()> {
        loop {
            for _ in 0..4 {
                tokio::task::yield_now().await;
            }
            self.take_ready();
            if self.inflight > 0 {
                match tokio::time::timeout(WAITING_COMMAND, self.rx.recv()).await {
                    Ok(Some(a)) => self.dispatch(a),
                    Ok(None) => {}
                    Err(_) => break,
                }
                continue;
            }
            let Ok(inv) = crate::backend::Invocation::new(&["version"]) else {
                break;
            };
            let _ = self
                .backend
                .run(inv, crate::backend::RunOpts::default())
                .await;
            for _ in 0..4 {
                tokio::task::yield_now().await;
            }
            if !self.take_ready() && self.inflight == 0 {
                break;
            }
        }
        self.draw()?;
        Ok(())
    }

    /// Advances the built-in cluster's simulated time (headless runs).
    pub async fn advance(&mut self, d: Duration) -> Result<(), String> {
        let words = ["sim", "advance", &format!("{}ms", d.as_millis().max(1))];
        let inv = crate::backend::Invocation::new(&words).map_err(|e| e.message)?;
        let out = self
            .backend
            .run(inv, crate::backend::RunOpts::default())
            .await
            .map_err(|e| e.message)?;
        if out.code != 0 {
            return Err(out.summary());
        }
        Ok(())
    }

    /// Starts playing a macro in the live console.
    pub fn play(&mut self, m: Macro) {
        let name = m.file.clone();
        self.playback = Some((Player::new(m), Instant::now()));
        self.dispatch(Action::Macro(MacroEvent::Started(name)));
    }

    pub fn playing(&self) -> bool {
        self.playback.is_some()
    }

    /// Reads the selected container's resource use every `every` (real engines).
    pub fn stats_every(&mut self, every: Duration) {
        self.stats = Some((every, Instant::now() + Duration::from_secs(1)));
    }

    /// Shows the next pane every `every` (kiosk rotation).
    pub fn rotate_every(&mut self, every: Duration) {
        self.rotate = Some((every, Instant::now() + every));
    }

    /// Starts recording the keys typed.
    pub fn record(&mut self) {
        self.recording = Some((Vec::new(), Instant::now()));
    }

    /// The screen as it is now (drawing first if something changed).
    pub fn screen_now(&mut self) -> std::io::Result<&str> {
        self.draw()?;
        Ok(&self.screen)
    }

    /// Runs the macro's steps that are due.
    fn play_due(&mut self) -> std::io::Result<()> {
        while let Some((_, due)) = &self.playback {
            if *due > Instant::now() {
                break;
            }
            let Some((mut p, _)) = self.playback.take() else {
                break;
            };
            // Steps that look at the screen see the latest state.
            let mut err = None;
            let out = {
                let this = &mut *self;
                this.stepping = true;
                let mut screen = || {
                    // Draw (even an unchanged frame) so its text is kept.
                    this.app.dirty = true;
                    match this.screen_now() {
                        Ok(s) => s.to_string(),
                        Err(e) => {
                            err = Some(e);
                            String::new()
                        }
                    }
                };
                let out = p.step(&mut screen);
                this.stepping = false;
                out
            };
            if let Some(e) = err {
                return Err(e);
            }
            let pace = self.pace.max(0.01);
            let scale = |d: Duration| d.div_f64(pace);
            match out {
                Out::Act(a, gap) => {
                    self.dispatch(a);
                    self.playback = Some((p, Instant::now() + scale(gap)));
                }
                Out::Sleep(d) => {
                    // `wait-for` polls at its own rate; pauses follow the pace.
                    let d = if d == player::POLL { d } else { scale(d) };
                    self.playback = Some((p, Instant::now() + d));
                }
                Out::Snap(_) => self.playback = Some((p, Instant::now())),
                Out::Done => {
                    let name = p.name().to_string();
                    self.dispatch(Action::Macro(MacroEvent::Finished(name)));
                }
                Out::Fail(why) => self.dispatch(Action::Macro(MacroEvent::Failed(why))),
            }
        }
        Ok(())
    }

    /// Input while a macro plays: Esc or Ctrl-C stops it (and is not passed on); other keys
    /// wait. True if the action was taken here.
    fn intercept(&mut self, a: &Action) -> bool {
        if self.playback.is_none() {
            return false;
        }
        match a {
            Action::Key(k)
                if *k == Key::plain(crate::app::keys::Code::Esc) || *k == Key::ctrl('c') =>
            {
                self.playback = None;
                self.dispatch(Action::Macro(MacroEvent::Aborted));
                true
            }
            Action::Key(_) | Action::Paste(_) | Action::Mouse(_) => true,
            _ => false,
        }
    }

    /// Applies an action and carries out what it asks for.
    pub fn dispatch(&mut self, a: Action) {
        if matches!(a, Action::Done(..)) {
            self.inflight = self.inflight.saturating_sub(1);
        }
        let effects = self.app.update(a);
        for e in effects {
            self.effect(e);
        }
    }

    fn effect(&mut self, e: Effect) {
        let tx = self.tx.clone();
        if matches!(
            e,
            Effect::Run { .. } | Effect::Inspect { .. } | Effect::Plan { .. }
        ) {
            self.inflight += 1;
        }
        match e {
            Effect::Run { id, inv, opts } => {
                let f = self.backend.run(inv, opts);
                tokio::spawn(async move {
                    let r = f.await;
                    let _ = tx.send(Action::Done(id, Reply::Ran(r)));
                });
            }
            Effect::Inspect { id, r } => {
                let f = self.backend.inspect(r);
                tokio::spawn(async move {
                    let r = f.await;
                    let _ = tx.send(Action::Done(id, Reply::Inspected(r)));
                });
            }
            Effect::Plan { id, inv } => {
                let f = self.backend.plan(inv);
                tokio::spawn(async move {
                    let r = f.await;
                    let _ = tx.send(Action::Done(id, Reply::Planned(r)));
                });
            }
            Effect::Logs { id, req } => self.logs = Some((id, self.backend.logs(req))),
            Effect::StopLogs => self.logs = None,
            Effect::Stats { id, container } => {
                let f = self.backend.stats(container);
                tokio::spawn(async move {
                    let r = f.await;
                    let _ = tx.send(Action::Done(id, Reply::Stats(r)));
                });
            }
            Effect::Rescope(ns) => match self.backend.rescoped(ns.as_deref()) {
                Some(b) => {
                    self.watch = b.watch();
                    self.logs = None;
                    self.backend = b;
                }
                None => {
                    let why = format!("{} has no namespaces", self.app.info.endpoint);
                    self.dispatch(Action::Backend(WatchEvent::Lost(why)));
                }
            },
            Effect::PlayMacro(path) => {
                if self.playback.is_some() {
                    return;
                }
                match crate::macros::load(std::path::Path::new(&path)) {
                    Ok(m) => self.play(m),
                    Err(e) => self.dispatch(Action::Macro(MacroEvent::Failed(e))),
                }
            }
        }
    }

    /// Draws a frame if one is due; returns whether it drew.
    pub fn draw(&mut self) -> std::io::Result<bool> {
        if !self.app.dirty {
            return Ok(false);
        }
        let app = &mut self.app;
        let mut next = None;
        let capture = self.playback.is_some() || self.keep_screen || self.stepping;
        let frame = self
            .terminal
            .draw(|f| next = crate::ui::draw(f, app))
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        if capture {
            self.screen = player::screen_text(frame.buffer);
        }
        self.app.dirty = false;
        self.last_frame = Instant::now();
        self.frames += 1;
        if self.loaded_frame.is_none() && self.app.data.loaded {
            self.loaded_frame = Some(std::time::Instant::now());
        }
        self.timer = next
            .and_then(|t| crate::ui::wall_delay(&self.app, t))
            .map(|ms| {
                // A millisecond late, so the text has surely changed.
                Instant::now() + Duration::from_millis(ms as u64 + 1)
            });
        Ok(true)
    }

    /// Waits for the next action from any source (`Some(None)`: a frame is due).
    pub async fn next(&mut self, input: &mut BoxStream<'static, Action>) -> Option<Option<Action>> {
        let frame_due = self.app.dirty.then_some(self.last_frame + FRAME);
        let wake = [
            frame_due,
            self.timer,
            self.playback.as_ref().map(|(_, due)| *due),
            self.rotate.map(|(_, at)| at),
            self.stats.map(|(_, at)| at),
        ]
        .into_iter()
        .flatten()
        .min();
        let sleep = async move {
            match wake {
                Some(w) => tokio::time::sleep_until(w).await,
                None => futures::future::pending::<()>().await,
            }
        };
        let logs = async {
            match self.logs.as_mut() {
                Some((id, s)) => s.next().await.map(|ev| (*id, ev)),
                None => futures::future::pending().await,
            }
        };
        let a = tokio::select! {
            a = input.next() => a?,
            a = self.rx.recv() => a?,
            w = self.watch.next() => match w {
                Some(w) => Action::Backend(w),
                None => {
                    // The backend gave up (it said why); keep showing what is known.
                    self.watch = futures::stream::pending().boxed();
                    Action::Tick
                }
            },
            l = logs => match l {
                Some((id, ev)) => Action::Log(id, ev),
                None => {
                    self.logs = None;
                    Action::Tick
                }
            },
            _ = sleep => {
                let now = Instant::now();
                if let Some((every, at)) = self.rotate
                    && at <= now
                {
                    self.rotate = Some((every, now + every));
                    Action::Rotate
                } else if let Some((every, at)) = self.stats
                    && at <= now
                {
                    self.stats = Some((every, now + every));
                    Action::StatsTick
                } else if self.timer.is_some_and(|t| t <= now) {
                    self.timer = None;
                    Action::Tick
                } else {
                    return Some(None);
                }
            }
        };
        Some(Some(a))
    }

    /// Runs until the App quits or the input ends.
    pub async fn run(&mut self, mut input: BoxStream<'static, Action>) -> std::io::Result<()> {
        self.draw()?;
        loop {
            let Some(a) = self.next(&mut input).await else {
                break;
            };
            if let Some(a) = a
                && !self.intercept(&a)
            {
                if let (Action::Key(k), Some((keys, last))) = (&a, self.recording.as_mut()) {
                    let now = Instant::now();
                    keys.push((now - *last, *k));
                    *last = now;
                }
                self.dispatch(a);
            }
            // Take everything else that is ready before drawing.
            while let Some(a) = self.rx.recv().now_or_never().flatten() {
                self.dispatch(a);
            }
            self.play_due()?;
            if self.app.quit {
                break;
            }
            if self.last_frame.elapsed() >= FRAME {
                // An error means the terminal is gone.
                self.draw()?;
            }
        }
        Ok(())
    }
}
