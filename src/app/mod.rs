//! The console's state and the one function that changes it: [`App::update`] takes an
//! [`Action`] and returns the [`Effect`]s it wants carried out. Panes and overlays are
//! components behind the traits of [`component`] (the UI layer supplies them); they ask for
//! things through a [`Cx`], and the App turns those
//! requests into overlays, navigation and effects.

pub mod action;
pub mod cmdline;
pub mod component;
pub mod config;
pub mod data;
mod input;
pub mod intents;
pub mod keymap;
pub mod keys;
pub mod lineedit;
pub mod nav;
pub mod ops;
pub mod rows;
pub mod theme;
pub mod tomlfile;

use crate::backend::verb::{Hole, Verb};
use crate::backend::view::{Caps, Family, ObjRef, Phase};
use crate::backend::{BackendInfo, WatchEvent};
pub use action::{Action, Effect, MacroEvent, Reply};
use cmdline::NavCmd;
pub use component::{Components, Flow, Overlay, OverlaySpec, Pane, PaneQuestion, Panes, RenderCx};
use data::{Data, Delta, Filter};
use keymap::{Keymap, Lookup};
use keys::{Code, Key};
use lineedit::{Completion, Edit, LineEdit};
pub use nav::{Nav, PaneId, TaskScope};
use ops::{Context, Need, Op};
use ratatui::layout::Rect;
use std::collections::HashMap;
use theme::Theme;

/// Settings the console starts with.
#[derive(Clone, Debug)]
pub struct Config {
    pub keymap: Keymap,
    pub theme: Theme,
    pub mouse: bool,
    /// Kiosk mode: read-only, keys only navigate; `None` for a normal console.
    pub kiosk: Option<Kiosk>,
    /// Problems found in keymap, theme and config files, shown at start.
    pub warnings: Vec<String>,
}

/// Kiosk settings.
#[derive(Clone, Debug, PartialEq)]
pub struct Kiosk {
    /// The chord that leaves (Ctrl-C, Ctrl-Z and Ctrl-\\ do not).
    pub exit: Vec<Key>,
    /// Show the next pane this often.
    pub rotate: Option<std::time::Duration>,
}

impl Kiosk {
    /// `ctrl-x ctrl-c`, as in emacs.
    pub fn default_exit() -> Vec<Key> {
        vec![Key::ctrl('x'), Key::ctrl('c')]
    }
}

impl Config {
    /// Turns kiosk mode on: quitting is bound to the exit chord alone (in every context, so
    /// nothing shadows it), and every other way to quit goes.
    pub fn set_kiosk(&mut self, k: Kiosk) {
        self.keymap.bind_only(ops::Op::Quit, k.exit.clone());
        self.kiosk = Some(k);
    }
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

/// What a prompt's answer (or a confirmation) does.
#[derive(Clone, Debug, PartialEq)]
pub enum Then {
    /// Do this (a confirmation's yes).
    Verb(Verb),
    /// Do this with the answer in it.
    Fill(Hole),
    /// An answer for the logs pane.
    Pane(PaneQuestion),
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
    /// A third button: another way to do it (delete but keep what it owns).
    pub alt: Option<(String, Then)>,
}

/// What a component asks the App for.
#[derive(Clone, Debug)]
pub enum Intent {
    Run {
        words: Vec<String>,
        on: Option<String>,
    },
    /// Do something to the cluster.
    Verb(Verb),
    Prompt(Prompt),
    Confirm(Confirm),
    Open(Nav),
    Status(Level, String),
    Inspect(ObjRef),
    /// Show what the verb will move, and do it when the user agrees.
    Plan {
        title: String,
        verb: Verb,
    },
    Editor,
    /// Show a Kubernetes workload's revisions.
    History(ObjRef),
    CommandLine(String),
    Effect(Effect),
    /// Run a command whose result goes to the overlay that asked (under this request ID).
    RunAs {
        id: u64,
        words: Vec<String>,
    },
    /// A pane's question answered (the logs pane's search text and tail length).
    Answer(PaneQuestion, String),
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
    /// Does something to the cluster.
    pub fn verb(&mut self, v: Verb) {
        self.out.push(Intent::Verb(v));
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
    /// The selected container's resource use.
    Stats,
    /// A request an overlay is waiting for.
    Overlay,
    /// Names of Kubernetes objects for completion, under this key of `Data::kube_names`.
    KubeNames(String),
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
    pub hit: Hit,
    /// The caption a playing macro shows (`say`).
    pub caption: Option<String>,
    /// The macro being played, if any.
    pub playing: Option<String>,
    /// Makes the panes and overlays.
    components: Box<dyn Components>,
}

impl App {
    /// An App whose panes and overlays come from `components` (the UI layer's
    /// `App::new` passes its own).
    pub fn with_components(
        config: Config,
        info: BackendInfo,
        components: Box<dyn Components>,
    ) -> App {
        // Problems in the user's files are shown, not hidden in a truncated line.
        let (status, overlay): (Option<Status>, Option<OverlaySpec>) = if config.warnings.is_empty()
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
                Some(OverlaySpec::Output {
                    title: "Configuration problems".into(),
                    text: config.warnings.join("\n"),
                }),
            )
        };
        let panes = Panes::new(components.panes());
        let mut app = App {
            config,
            info,
            data: Data::default(),
            pane: PaneId::Services,
            panes,
            overlay: None,
            input: None,
            status,
            pending: Vec::new(),
            history: Vec::new(),
            next_id: 0,
            requests: HashMap::new(),
            back: Vec::new(),
            dirty: true,
            quit: false,
            hit: Hit::default(),
            caption: None,
            playing: None,
            components,
        };
        if let Some(spec) = overlay {
            app.show(spec);
        }
        app
    }

    /// Opens a window over the panes.
    pub fn show(&mut self, spec: OverlaySpec) {
        let o = self.components.overlay(spec, self);
        self.overlay = Some(o);
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
            Action::Backend(WatchEvent::Info(info)) => {
                // The wrapper's read-only flag is never lifted by what the backend says.
                let read_only = self.info.read_only || info.read_only;
                self.info = BackendInfo { read_only, ..info };
            }
            Action::Backend(ev) => {
                let deltas = self.data.apply(ev);
                self.panes.on_deltas(&self.data, &deltas);
                self.overlay_deltas(&deltas, &mut fx);
            }
            Action::Log(id, ev) => {
                let shown = self.panes.get_mut(PaneId::Logs).on_log(id, ev);
                dirty = shown && self.pane == PaneId::Logs;
            }
            Action::Done(id, r) => self.on_done(id, r, &mut fx),
            Action::Macro(ev) => self.on_macro(ev),
            Action::StatsTick => {
                dirty = false;
                self.stats_tick(&mut fx);
            }
            Action::Rotate => {
                // Only when nobody is reading something on top.
                if self.overlay.is_none() && self.input.is_none() {
                    self.on_op(Op::NextPane, &mut fx);
                }
            }
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

    /// Whether an operation is offered: it is not refused by read-only or kiosk mode, and
    /// what it acts on can have it done (the selected object's capabilities; with nothing
    /// selected, what the backend can do to the pane's kinds of object).
    pub fn allowed(&self, op: Op) -> bool {
        if op.mutating() && self.info.read_only {
            return false;
        }
        // A kiosk only navigates, filters and scrolls (Quit is bound to its exit chord only).
        if self.config.kiosk.is_some() && (op.mutating() || op == Op::CommandLine) {
            return false;
        }
        match op.need() {
            Need::Nothing => true,
            Need::Create(kind) => self.info.can_create(kind),
            Need::Cap(c) => self.caps_for(op).has(c),
        }
    }

    /// What can be done to what `op` would act on.
    fn caps_for(&self, op: Op) -> Caps {
        let selected = self
            .panes
            .get(self.pane)
            .selected(&self.data)
            .and_then(|r| self.data.store.get(&r));
        match (selected, family_of(op.context())) {
            (Some(c), _) => c.caps,
            (None, Some(f)) => self.info.caps_in(f),
            (None, None) => Caps::NONE,
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

    /// Asks for the selected container's resource use (only that one: each reading costs
    /// the engine about 17 ms of CPU).
    fn stats_tick(&mut self, fx: &mut Vec<Effect>) {
        if self.pane != PaneId::Tasks || self.overlay.is_some() {
            return;
        }
        let Some(r) = self.panes.get(self.pane).selected(&self.data) else {
            return;
        };
        let Some(t) = self.data.store.replicas.get(&r.uid) else {
            return;
        };
        let Some(container) = t
            .container_id
            .clone()
            .filter(|_| t.phase == Phase::Running && t.c.caps.has(Caps::STATS))
        else {
            return;
        };
        self.next_id += 1;
        let id = self.next_id;
        self.requests.insert(id, Req::Stats);
        fx.push(Effect::Stats { id, container });
    }

    fn on_macro(&mut self, ev: MacroEvent) {
        match ev {
            MacroEvent::Started(name) => {
                self.set_status(Level::Info, format!("playing {name} (esc stops it)"));
                self.playing = Some(name);
            }
            MacroEvent::Caption(text) => {
                self.caption = (!text.is_empty()).then_some(text);
            }
            MacroEvent::Finished(name) => {
                self.set_status(Level::Ok, format!("{name}: done"));
                self.playing = None;
            }
            MacroEvent::Failed(why) => {
                self.set_status(Level::Error, why);
                self.playing = None;
            }
            MacroEvent::Aborted => {
                self.set_status(Level::Info, "playback stopped");
                self.playing = None;
                self.caption = None;
            }
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
            Lookup::Macro(path) => {
                self.pending.clear();
                fx.push(Effect::PlayMacro(path));
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
                self.show(OverlaySpec::Help);
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
            // A finished demo's last caption stays until Esc.
            Op::Back if self.caption.is_some() && self.playing.is_none() => self.caption = None,
            Op::Back => self.go_back(fx),
            Op::Inspect => match self.panes.get(self.pane).selected(&self.data) {
                Some(r) => self.apply(vec![Intent::Inspect(r)], fx),
                None => self.set_status(Level::Info, "nothing selected to inspect"),
            },
            Op::Events => match self.panes.get(self.pane).selected(&self.data) {
                Some(r) => match crate::backend::verb::events_listing(&r) {
                    Some(words) => {
                        self.run_words(words, None, true, fx);
                    }
                    None => self.set_status(
                        Level::Info,
                        format!("a {} has no Kubernetes events", r.kind.noun()),
                    ),
                },
                None => self.set_status(Level::Info, "nothing selected"),
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
                self.panes.get_mut(PaneId::Logs).leave();
                fx.push(Effect::StopLogs);
            } else {
                self.navigate(b.restore, fx);
            }
            self.pane = b.from;
        }
    }

    /// Goes somewhere, remembering how to come back.
    fn open(&mut self, nav: Nav, fx: &mut Vec<Effect>) {
        let restore = self.panes.place_of(nav.pane());
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
        let pane = nav.pane();
        if !matches!(nav, Nav::Pane(_)) {
            // Only a log stream needs a request ID.
            if matches!(nav, Nav::Logs(_)) {
                self.next_id += 1;
            }
            if let Some(e) = self.panes.get_mut(pane).go(&self.data, nav, self.next_id) {
                fx.push(e);
            }
        }
        self.pane = pane;
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

/// The family of object a pane's operations act on.
fn family_of(c: Context) -> Option<Family> {
    match c {
        Context::Nodes => Some(Family::Host),
        Context::Services | Context::Rollouts => Some(Family::Workload),
        Context::Tasks => Some(Family::Replica),
        Context::Volumes => Some(Family::Storage),
        _ => None,
    }
}
