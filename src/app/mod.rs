//! The console's state and the one function that changes it: [`App::update`] takes an
//! [`Action`] and returns the [`Effect`]s it wants carried out. Panes and overlays are
//! components in [`crate::ui`]; they ask for things through a [`Cx`], and the App turns those
//! requests into overlays, navigation and effects.

pub mod action;
pub mod cmdline;
pub mod config;
pub mod data;
pub mod keymap;
pub mod keys;
pub mod lineedit;
pub mod ops;
pub mod rows;
pub mod theme;
pub mod tomlfile;

use crate::backend::view::ViewKind;
use crate::backend::{BackendInfo, CmdOutput, Invocation, LogTarget, RunOpts};
use crate::orch::time::SimTime;
use crate::ui::overlays::{self, Flow, Overlay};
use crate::ui::panes::{PaneId, Panes, TaskScope};
pub use action::{Action, Effect, Reply};
use cmdline::NavCmd;
use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use data::{Data, Delta, Filter};
use keymap::{Keymap, Lookup};
use keys::{Code, Key};
use lineedit::{Completion, Edit, LineEdit};
use ops::{Context, Op};
use ratatui::layout::Rect;
use std::collections::HashMap;
use theme::Theme;

/// Settings the console starts with.
#[derive(Clone, Debug)]
pub struct Config {
    pub keymap: Keymap,
    pub theme: Theme,
    pub mouse: bool,
    /// Problems found in keymap, theme and config files, shown at start.
    pub warnings: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Info,
    Ok,
    Error,
}

#[derive(Clone, Debug)]
pub struct Status {
    pub level: Level,
    pub text: String,
}

/// Where a navigation goes.
#[derive(Clone, Debug, PartialEq)]
pub enum Nav {
    Pane(PaneId),
    Tasks(TaskScope),
    Logs(LogTarget),
    Rollouts(Option<String>),
}

/// What to do with the text of a prompt.
#[derive(Clone, Debug, PartialEq)]
pub enum Then {
    /// Run these words with `{}` replaced by the text, on a node (container and volume
    /// commands).
    Run {
        words: Vec<String>,
        on: Option<String>,
    },
    LogsSearch,
    LogsTail,
}

/// A one-line question.
#[derive(Clone, Debug)]
pub struct Prompt {
    pub title: String,
    pub label: String,
    pub initial: String,
    pub then: Then,
}

/// A yes/no question whose default answer is Cancel.
#[derive(Clone, Debug)]
pub struct Confirm {
    pub title: String,
    pub message: String,
    pub ok: String,
    pub then: Then,
}

/// What a component asks the App for.
#[derive(Clone, Debug)]
pub enum Intent {
    Run {
        words: Vec<String>,
        on: Option<String>,
    },
    Prompt(Prompt),
    Confirm(Confirm),
    Open(Nav),
    Status(Level, String),
    Inspect(ViewKind, String),
    /// Show what the command will move, and run it when the user agrees.
    Plan {
        title: String,
        words: Vec<String>,
    },
    Editor,
    CommandLine(String),
    Effect(Effect),
    /// Run a command whose result goes to the overlay that asked (under this request ID).
    RunAs {
        id: u64,
        words: Vec<String>,
    },
    LogsSearch(String),
    LogsTail(u64),
    Close,
}

/// What components see when they handle input.
pub struct Cx<'a> {
    pub data: &'a Data,
    pub info: &'a BackendInfo,
    next_id: &'a mut u64,
    pub out: Vec<Intent>,
}

impl Cx<'_> {
    pub fn next_id(&mut self) -> u64 {
        *self.next_id += 1;
        *self.next_id
    }
    pub fn run(&mut self, words: &[&str]) {
        self.out.push(Intent::Run {
            words: words.iter().map(|s| s.to_string()).collect(),
            on: None,
        });
    }
    pub fn status(&mut self, level: Level, text: impl Into<String>) {
        self.out.push(Intent::Status(level, text.into()));
    }
    pub fn open(&mut self, nav: Nav) {
        self.out.push(Intent::Open(nav));
    }
    pub fn push(&mut self, i: Intent) {
        self.out.push(i);
    }
}

/// What an outstanding request was for.
#[derive(Clone, Debug)]
enum Req {
    /// A command; `show` puts multi-line output in a viewer.
    Cmd { line: String, show: bool },
    /// A request an overlay is waiting for.
    Overlay,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    Command,
    Filter,
}

/// The bottom line while typing a command or a filter.
#[derive(Clone, Debug)]
pub struct Input {
    pub kind: InputKind,
    pub edit: LineEdit,
    completion: Option<Completion>,
    history_pos: Option<usize>,
    /// The filter before typing started (restored on Esc).
    saved_filter: Option<Filter>,
}

impl Input {
    pub fn candidates(&self) -> Option<&[String]> {
        self.completion
            .as_ref()
            .filter(|c| c.candidates.len() > 1)
            .map(|c| c.candidates.as_slice())
    }
}

/// A step back: the pane to return to, and the target pane's scope before the drill-down.
#[derive(Clone, Debug)]
struct Back {
    from: PaneId,
    restore: Nav,
}

/// Screen areas of the last frame, for mouse clicks.
#[derive(Clone, Debug, Default)]
pub struct Hit {
    pub tabs: Vec<(Rect, PaneId)>,
    /// Rows of the current table: the area of its first data row onwards.
    pub rows: Rect,
}

pub struct App {
    pub config: Config,
    pub info: BackendInfo,
    pub data: Data,
    pub pane: PaneId,
    pub panes: Panes,
    pub overlay: Option<Box<dyn Overlay>>,
    pub input: Option<Input>,
    pub status: Option<Status>,
    /// Keys typed so far of a chord.
    pub pending: Vec<Key>,
    history: Vec<String>,
    next_id: u64,
    requests: HashMap<u64, Req>,
    back: Vec<Back>,
    /// Something on screen may have changed since the last frame.
    pub dirty: bool,
    pub quit: bool,
    /// When the screen's relative times next change (backend time).
    pub redraw_at: Option<SimTime>,
    pub hit: Hit,
}

impl App {
    pub fn new(config: Config, info: BackendInfo) -> App {
        // Problems in the user's files are shown, not hidden in a truncated line.
        let (status, overlay): (Option<Status>, Option<Box<dyn Overlay>>) = if config
            .warnings
            .is_empty()
        {
            (None, None)
        } else {
            let n = config.warnings.len();
            (
                Some(Status {
                    level: Level::Error,
                    text: format!(
                        "{n} problem(s) in configuration files: those entries were skipped (esc closes the list)"
                    ),
                }),
                Some(Box::new(overlays::output::OutputView::new(
                    "Configuration problems".into(),
                    config.warnings.join("\n"),
                ))),
            )
        };
        App {
            config,
            info,
            data: Data::default(),
            pane: PaneId::Services,
            panes: Panes::default(),
            overlay,
            input: None,
            status,
            pending: Vec::new(),
            history: Vec::new(),
            next_id: 0,
            requests: HashMap::new(),
            back: Vec::new(),
            dirty: true,
            quit: false,
            redraw_at: None,
            hit: Hit::default(),
        }
    }

    /// The one way state changes.
    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        let mut fx = Vec::new();
        let mut dirty = true;
        match action {
            Action::Key(k) => self.on_key(k, &mut fx),
            Action::Paste(s) => self.on_paste(&s),
            Action::Mouse(m) => self.on_mouse(m, &mut fx),
            Action::Resize(_, _) | Action::Tick => {}
            Action::Do(op) => self.on_op(op, &mut fx),
            Action::Backend(ev) => {
                let deltas = self.data.apply(ev);
                self.panes.on_deltas(&self.data, &deltas);
                self.overlay_deltas(&deltas, &mut fx);
            }
            Action::Log(id, ev) => {
                let shown = self.panes.logs.on_log(id, ev);
                dirty = shown && self.pane == PaneId::Logs;
            }
            Action::Done(id, r) => self.on_done(id, r, &mut fx),
            Action::Quit => self.quit = true,
        }
        self.dirty |= dirty;
        fx
    }

    /// The contexts keys are looked up in, most specific first.
    pub fn contexts(&self) -> Vec<Context> {
        let mut v = Vec::new();
        if let Some(o) = &self.overlay {
            if let Some(c) = o.context() {
                v.push(c);
            }
        } else {
            v.push(self.pane.context());
        }
        v.push(Context::Navigation);
        v.push(Context::Global);
        v
    }

    /// Whether an operation is offered (the backend can do it, and it is not read-only).
    pub fn allowed(&self, op: Op) -> bool {
        if op.mutating() && self.info.read_only {
            return false;
        }
        match op {
            Op::NodeDown | Op::NodeUp | Op::TaskStop | Op::TaskCrash | Op::RolloutPause => {
                self.info.simulated
            }
            _ => true,
        }
    }

    fn cx<'a>(data: &'a Data, info: &'a BackendInfo, next_id: &'a mut u64) -> Cx<'a> {
        Cx {
            data,
            info,
            next_id,
            out: Vec::new(),
        }
    }

    fn on_key(&mut self, k: Key, fx: &mut Vec<Effect>) {
        if self.input.is_some() {
            self.input_key(k, fx);
            return;
        }
        if let Some(mut o) = self.overlay.take() {
            if o.takes_keys() {
                let mut cx = App::cx(&self.data, &self.info, &mut self.next_id);
                let flow = o.key(k, &mut cx);
                let intents = cx.out;
                self.finish_overlay(o, flow, intents, fx);
                if flow != Flow::Pass {
                    return;
                }
            } else {
                self.overlay = Some(o);
            }
        }
        self.pending.push(k);
        let seq = self.pending.clone();
        match self.config.keymap.lookup(&self.contexts(), &seq) {
            Lookup::Op(op) => {
                self.pending.clear();
                self.on_op(op, fx);
            }
            Lookup::Prefix => {}
            Lookup::None => {
                self.pending.clear();
                // A chord that went nowhere: try the last key on its own.
                if seq.len() > 1 {
                    self.on_key(k, fx);
                } else if k.code == Code::Esc {
                    self.on_op(Op::Back, fx);
                }
            }
        }
    }

    fn finish_overlay(
        &mut self,
        o: Box<dyn Overlay>,
        flow: Flow,
        intents: Vec<Intent>,
        fx: &mut Vec<Effect>,
    ) {
        match flow {
            Flow::Close => {}
            Flow::Stay | Flow::Pass => {
                if self.overlay.is_none() {
                    self.overlay = Some(o);
                }
            }
        }
        self.apply(intents, fx);
    }

    fn on_op(&mut self, op: Op, fx: &mut Vec<Effect>) {
        if !self.allowed(op) {
            if op.mutating() && self.info.read_only {
                self.set_status(
                    Level::Error,
                    format!("read-only: {} is not available", op.name()),
                );
            }
            return;
        }
        if let Some(mut o) = self.overlay.take() {
            let mut cx = App::cx(&self.data, &self.info, &mut self.next_id);
            let flow = o.op(op, &mut cx);
            let intents = cx.out;
            self.finish_overlay(o, flow, intents, fx);
            if flow != Flow::Pass {
                return;
            }
            // Not for the overlay: global operations still work (closing it, unless they
            // are about it); pane ones wait.
            if op.context() != Context::Global || op == Op::Back {
                return;
            }
            if op != Op::Quit {
                self.overlay = None;
            }
        }
        match op {
            Op::Quit => self.quit = true,
            Op::Help => {
                self.overlay = Some(Box::new(overlays::help::Help::new(self)));
            }
            Op::CommandLine => self.open_input(InputKind::Command, ""),
            Op::Filter => {
                if self.panes.get(self.pane).filterable() {
                    let text = self
                        .panes
                        .get(self.pane)
                        .filter()
                        .map(|f| f.text.clone())
                        .unwrap_or_default();
                    self.open_input(InputKind::Filter, &text);
                }
            }
            Op::NextPane | Op::PrevPane => {
                let all = PaneId::ALL;
                let i = all.iter().position(|p| *p == self.pane).unwrap_or(0);
                let n = all.len();
                let j = if op == Op::NextPane {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                };
                self.switch(all[j]);
            }
            Op::PaneNodes => self.switch(PaneId::Nodes),
            Op::PaneServices => self.switch(PaneId::Services),
            Op::PaneTasks => self.switch(PaneId::Tasks),
            Op::PaneLogs => self.switch(PaneId::Logs),
            Op::PaneVolumes => self.switch(PaneId::Volumes),
            Op::PaneRollouts => self.switch(PaneId::Rollouts),
            Op::Back => self.go_back(fx),
            Op::Inspect => match self.panes.get(self.pane).selected(&self.data) {
                Some((kind, key)) => self.apply(vec![Intent::Inspect(kind, key)], fx),
                None => self.set_status(Level::Info, "nothing selected to inspect"),
            },
            _ => {
                let mut cx = App::cx(&self.data, &self.info, &mut self.next_id);
                self.panes.get_mut(self.pane).on_op(op, &mut cx);
                let intents = cx.out;
                self.apply(intents, fx);
            }
        }
    }

    pub fn set_status(&mut self, level: Level, text: impl Into<String>) {
        self.status = Some(Status {
            level,
            text: text.into(),
        });
    }

    fn switch(&mut self, p: PaneId) {
        self.pane = p;
        self.pending.clear();
    }

    /// Esc: clear the filter, then leave a drill-down.
    fn go_back(&mut self, fx: &mut Vec<Effect>) {
        if self.panes.get(self.pane).filter().is_some() {
            self.panes.get_mut(self.pane).set_filter(&self.data, None);
            return;
        }
        if let Some(b) = self.back.pop() {
            if b.restore == Nav::Pane(PaneId::Logs) {
                // No logs were open before this drill-down: leaving it closes them.
                self.panes.logs.close();
                fx.push(Effect::StopLogs);
            } else {
                self.navigate(b.restore, fx);
            }
            self.pane = b.from;
        }
    }

    /// Goes somewhere, remembering how to come back.
    fn open(&mut self, nav: Nav, fx: &mut Vec<Effect>) {
        let target = match &nav {
            Nav::Pane(p) => *p,
            Nav::Tasks(_) => PaneId::Tasks,
            Nav::Logs(_) => PaneId::Logs,
            Nav::Rollouts(_) => PaneId::Rollouts,
        };
        let restore = self.panes.scope_of(target);
        self.back.push(Back {
            from: self.pane,
            restore,
        });
        if self.back.len() > 32 {
            self.back.remove(0);
        }
        self.navigate(nav, fx);
    }

    fn navigate(&mut self, nav: Nav, fx: &mut Vec<Effect>) {
        match nav {
            Nav::Pane(p) => self.pane = p,
            Nav::Tasks(scope) => {
                self.panes.tasks.set_scope(&self.data, scope);
                self.pane = PaneId::Tasks;
            }
            Nav::Logs(target) => {
                self.next_id += 1;
                if let Some(e) = self.panes.logs.open(&self.data, target, self.next_id) {
                    fx.push(e);
                }
                self.pane = PaneId::Logs;
            }
            Nav::Rollouts(svc) => {
                if let Some(s) = svc {
                    self.panes.rollouts.select(&self.data, &s);
                }
                self.pane = PaneId::Rollouts;
            }
        }
    }

    /// Carries out what components asked for.
    pub fn apply(&mut self, intents: Vec<Intent>, fx: &mut Vec<Effect>) {
        for i in intents {
            match i {
                Intent::Run { words, on } => {
                    self.run_words(words, on, false, fx);
                }
                Intent::Prompt(p) => {
                    self.overlay = Some(Box::new(overlays::prompt::PromptView::new(p)));
                }
                Intent::Confirm(c) => {
                    self.overlay = Some(Box::new(overlays::confirm::ConfirmView::new(c)));
                }
                Intent::Open(nav) => self.open(nav, fx),
                Intent::Status(l, s) => self.set_status(l, s),
                Intent::Inspect(kind, key) => {
                    let id = self.request(Req::Overlay);
                    self.overlay = Some(Box::new(overlays::inspect::InspectView::new(
                        id,
                        kind,
                        key.clone(),
                    )));
                    fx.push(Effect::Inspect { id, kind, key });
                }
                Intent::Plan { title, words } => match Invocation::new(&words) {
                    Ok(inv) => {
                        let id = self.request(Req::Overlay);
                        self.overlay =
                            Some(Box::new(overlays::plan::PlanView::new(id, title, words)));
                        fx.push(Effect::Plan { id, inv });
                    }
                    Err(e) => self.set_status(Level::Error, first_line(&e.message)),
                },
                Intent::Editor => {
                    self.overlay = Some(Box::new(overlays::editor::EditorView::new()));
                }
                Intent::CommandLine(text) => self.open_input(InputKind::Command, &text),
                Intent::Effect(e) => fx.push(e),
                Intent::RunAs { id, words } => match Invocation::new(&words) {
                    Ok(inv) if inv.is_mutating() && self.info.read_only => {
                        self.set_status(Level::Error, "read-only: refused");
                    }
                    Ok(inv) => {
                        self.requests.insert(id, Req::Overlay);
                        fx.push(Effect::Run {
                            id,
                            inv,
                            opts: RunOpts {
                                on: None,
                                confirmed: true,
                            },
                        });
                    }
                    Err(e) => {
                        let r = Reply::Ran(Ok(CmdOutput {
                            code: e.exit.max(1),
                            stdout: String::new(),
                            stderr: e.message,
                        }));
                        self.requests.insert(id, Req::Overlay);
                        self.on_done(id, r, fx);
                    }
                },
                Intent::LogsSearch(text) => self.panes.logs.search(&text),
                Intent::LogsTail(n) => {
                    self.next_id += 1;
                    if let Some(e) = self.panes.logs.set_tail(n, self.next_id) {
                        fx.push(e);
                    }
                }
                Intent::Close => self.overlay = None,
            }
        }
    }

    fn request(&mut self, r: Req) -> u64 {
        self.next_id += 1;
        self.requests.insert(self.next_id, r);
        self.next_id
    }

    /// Runs a command line; returns the request ID (for an overlay awaiting the result).
    pub fn run_words(
        &mut self,
        words: Vec<String>,
        on: Option<String>,
        show: bool,
        fx: &mut Vec<Effect>,
    ) -> Option<u64> {
        let inv = match Invocation::new(&words) {
            Ok(inv) => inv,
            Err(e) => {
                let level = if e.exit == 0 {
                    Level::Info
                } else {
                    Level::Error
                };
                if e.exit == 0 && e.message.lines().count() > 1 {
                    self.overlay = Some(Box::new(overlays::output::OutputView::new(
                        words.join(" "),
                        e.message.clone(),
                    )));
                }
                self.set_status(level, first_line(&e.message));
                return None;
            }
        };
        if let crate::lang::Cmd::Help(text) = &inv.cmd {
            self.overlay = Some(Box::new(overlays::output::OutputView::new(
                inv.display(),
                text.clone(),
            )));
            return None;
        }
        if inv.is_mutating() && self.info.read_only {
            self.set_status(
                Level::Error,
                format!("read-only: `{}` would change the cluster", inv.display()),
            );
            return None;
        }
        let line = inv.display();
        self.set_status(Level::Info, format!("{line} …"));
        let id = self.request(Req::Cmd {
            line,
            show: show || !inv.is_mutating(),
        });
        fx.push(Effect::Run {
            id,
            inv,
            opts: RunOpts {
                on,
                confirmed: true,
            },
        });
        Some(id)
    }

    fn on_done(&mut self, id: u64, r: Reply, fx: &mut Vec<Effect>) {
        let Some(req) = self.requests.remove(&id) else {
            return;
        };
        match req {
            Req::Overlay => {
                if let Some(mut o) = self.overlay.take() {
                    let mut cx = App::cx(&self.data, &self.info, &mut self.next_id);
                    let flow = o.reply(id, &r, &mut cx);
                    let intents = cx.out;
                    self.finish_overlay(o, flow, intents, fx);
                }
            }
            Req::Cmd { line, show } => match r {
                Reply::Ran(Ok(out)) => self.command_done(&line, show, out),
                Reply::Ran(Err(e)) => self.set_status(Level::Error, e.message),
                _ => {}
            },
        }
    }

    fn command_done(&mut self, line: &str, show: bool, out: CmdOutput) {
        let summary = out.summary();
        if out.code == 0 {
            let text = if summary.is_empty() {
                format!("{line}: done")
            } else {
                format!("{line}: {summary}")
            };
            self.set_status(Level::Ok, text);
        } else {
            self.set_status(Level::Error, summary);
        }
        let text = if out.code == 0 {
            out.stdout
        } else {
            format!("{}{}", out.stdout, out.stderr)
        };
        if show && text.trim_end().lines().count() > 1 && self.overlay.is_none() {
            self.overlay = Some(Box::new(overlays::output::OutputView::new(
                line.to_string(),
                text,
            )));
        }
    }

    fn overlay_deltas(&mut self, deltas: &[Delta], fx: &mut Vec<Effect>) {
        if let Some(mut o) = self.overlay.take() {
            let mut cx = App::cx(&self.data, &self.info, &mut self.next_id);
            let flow = o.deltas(deltas, &mut cx);
            let intents = cx.out;
            self.finish_overlay(o, flow, intents, fx);
        }
    }

    // -----------------------------------------------------------------------
    // The bottom line

    fn open_input(&mut self, kind: InputKind, text: &str) {
        let saved_filter = self.panes.get(self.pane).filter().cloned();
        self.input = Some(Input {
            kind,
            edit: LineEdit::new(text),
            completion: None,
            history_pos: None,
            saved_filter,
        });
        self.pending.clear();
    }

    fn input_key(&mut self, k: Key, fx: &mut Vec<Effect>) {
        let Some(mut input) = self.input.take() else {
            return;
        };
        let edit = input.edit.key(k);
        if edit != Edit::Complete {
            input.completion = None;
        }
        match edit {
            Edit::Submit => {
                self.submit_input(input, fx);
                return;
            }
            Edit::Cancel => {
                if input.kind == InputKind::Filter {
                    self.panes
                        .get_mut(self.pane)
                        .set_filter(&self.data, input.saved_filter.clone());
                }
                return;
            }
            Edit::Complete if input.kind == InputKind::Command => {
                if input.completion.is_none() {
                    let head = input.edit.head().to_string();
                    let parts: Vec<&str> = head.split(' ').collect();
                    let (before, word) = parts.split_at(parts.len() - 1);
                    let before: Vec<&str> =
                        before.iter().copied().filter(|w| !w.is_empty()).collect();
                    let cands = cmdline::candidates(&before, word[0], &self.data);
                    input.completion = Completion::start(&input.edit, cands);
                    if let Some(c) = &input.completion
                        && c.candidates.len() > 1
                    {
                        // First Tab: the common part; further Tabs cycle.
                        let common = c.common();
                        let head_word = word[0];
                        if common.len() > head_word.len() {
                            let start = input.edit.cursor - head_word.chars().count();
                            let mut chars: Vec<char> = input.edit.text.chars().collect();
                            chars.splice(start..input.edit.cursor, common.chars());
                            input.edit.text = chars.into_iter().collect();
                            input.edit.cursor = start + common.chars().count();
                            self.input = Some(input);
                            return;
                        }
                    }
                }
                if let Some(c) = input.completion.as_mut() {
                    c.apply(&mut input.edit);
                }
            }
            Edit::HistoryPrev | Edit::HistoryNext
                if input.kind == InputKind::Command && !self.history.is_empty() =>
            {
                let n = self.history.len();
                let pos = match (input.history_pos, edit) {
                    (None, Edit::HistoryPrev) => Some(n - 1),
                    (Some(p), Edit::HistoryPrev) => Some(p.saturating_sub(1)),
                    (Some(p), Edit::HistoryNext) if p + 1 < n => Some(p + 1),
                    _ => None,
                };
                input.history_pos = pos;
                match pos {
                    Some(p) => input.edit.set(&self.history[p]),
                    None => input.edit.set(""),
                }
            }
            Edit::Changed if input.kind == InputKind::Filter => {
                // The table filters as you type.
                let f = Filter::new(&input.edit.text);
                self.panes.get_mut(self.pane).set_filter(&self.data, f);
            }
            _ => {}
        }
        self.input = Some(input);
    }

    fn on_paste(&mut self, s: &str) {
        if let Some(input) = self.input.as_mut() {
            input.edit.insert(s);
            if input.kind == InputKind::Filter {
                let f = Filter::new(&input.edit.text);
                self.panes.get_mut(self.pane).set_filter(&self.data, f);
            }
        } else if let Some(o) = self.overlay.as_mut() {
            o.paste(s);
        }
    }

    fn submit_input(&mut self, input: Input, fx: &mut Vec<Effect>) {
        let text = input.edit.text.trim().to_string();
        match input.kind {
            InputKind::Filter => {
                let f = Filter::new(&text);
                self.panes.get_mut(self.pane).set_filter(&self.data, f);
            }
            InputKind::Command => {
                if text.is_empty() {
                    return;
                }
                if self.history.last() != Some(&text) {
                    self.history.push(text.clone());
                    if self.history.len() > 500 {
                        self.history.remove(0);
                    }
                }
                self.command_line(&text, fx);
            }
        }
    }

    /// Runs a `:` line: a navigation command, or a command for the backend (`@NODE` in front
    /// sends container and volume commands to that node).
    pub fn command_line(&mut self, text: &str, fx: &mut Vec<Effect>) {
        let words = match crate::lang::flags::split_line(text) {
            Ok(w) => w,
            Err(e) => {
                self.set_status(Level::Error, format!("cannot parse command line: {e}"));
                return;
            }
        };
        let (on, words) = match words.first() {
            Some(w) if w.starts_with('@') && w.len() > 1 => {
                (Some(w[1..].to_string()), words[1..].to_vec())
            }
            _ => (None, words),
        };
        if words.is_empty() {
            return;
        }
        if let Some(nav) = cmdline::nav(&words) {
            self.nav_command(nav, fx);
            return;
        }
        // Following logs is what the logs pane is for.
        if let Ok(inv) = Invocation::new(&words)
            && let crate::lang::Cmd::Docker(crate::lang::DockerCmd::ServiceLogs(o)) = &inv.cmd
            && o.follow
        {
            let target = match self.data.find_service(&o.target) {
                Some(_) => LogTarget::Service(o.target.clone()),
                None => LogTarget::Task(o.target.clone()),
            };
            self.open(Nav::Logs(target), fx);
            return;
        }
        self.run_words(words, on, true, fx);
    }

    fn nav_command(&mut self, nav: NavCmd, fx: &mut Vec<Effect>) {
        match nav {
            NavCmd::Nodes => self.switch(PaneId::Nodes),
            NavCmd::Services => self.switch(PaneId::Services),
            NavCmd::Volumes => self.switch(PaneId::Volumes),
            NavCmd::Help => self.on_op(Op::Help, fx),
            NavCmd::Quit => self.quit = true,
            NavCmd::Tasks(None) => self.open(Nav::Tasks(TaskScope::All), fx),
            NavCmd::Tasks(Some(x)) => {
                if let Some(s) = self.data.find_service(&x) {
                    let id = s.id.clone();
                    self.open(Nav::Tasks(TaskScope::Service(id)), fx);
                } else if let Some(n) = self.data.find_node(&x) {
                    let id = n.id.clone();
                    self.open(Nav::Tasks(TaskScope::Node(id)), fx);
                } else {
                    self.set_status(Level::Error, format!("no service or node named {x}"));
                }
            }
            NavCmd::Logs(None) => self.switch(PaneId::Logs),
            NavCmd::Logs(Some(x)) => {
                if self.data.find_service(&x).is_some() {
                    self.open(Nav::Logs(LogTarget::Service(x)), fx);
                } else if let Some(t) = self.data.find_task(&x) {
                    let id = t.id.clone();
                    self.open(Nav::Logs(LogTarget::Task(id)), fx);
                } else {
                    self.set_status(Level::Error, format!("no service or task named {x}"));
                }
            }
            NavCmd::Rollouts(x) => {
                if let Some(x) = &x
                    && self.data.find_service(x).is_none()
                {
                    self.set_status(Level::Error, format!("no service named {x}"));
                    return;
                }
                let id = x.and_then(|x| self.data.find_service(&x).map(|s| s.id.clone()));
                self.open(Nav::Rollouts(id), fx);
            }
        }
    }

    // -----------------------------------------------------------------------
    // Mouse

    fn on_mouse(&mut self, m: MouseEvent, fx: &mut Vec<Effect>) {
        if !self.config.mouse {
            return;
        }
        match m.kind {
            MouseEventKind::ScrollUp => {
                for _ in 0..3 {
                    self.on_op(Op::Up, fx);
                }
            }
            MouseEventKind::ScrollDown => {
                for _ in 0..3 {
                    self.on_op(Op::Down, fx);
                }
            }
            MouseEventKind::Down(MouseButton::Left) if self.overlay.is_none() => {
                let hit = self
                    .hit
                    .tabs
                    .iter()
                    .find(|(r, _)| contains(*r, m.column, m.row))
                    .map(|(_, p)| *p);
                if let Some(p) = hit {
                    self.switch(p);
                    return;
                }
                let r = self.hit.rows;
                if contains(r, m.column, m.row) {
                    let row = (m.row - r.y) as usize;
                    self.panes.get_mut(self.pane).click(&self.data, row);
                }
            }
            _ => {}
        }
    }
}

fn contains(r: Rect, x: u16, y: u16) -> bool {
    x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height
}

pub fn first_line(s: &str) -> String {
    s.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .to_string()
}
