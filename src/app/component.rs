//! What the App is made of, as the App sees it: panes and overlays are components behind
//! these traits, and the UI layer supplies them ([`Components`]) — the App never names a
//! concrete pane or window, so it depends on no drawing code.

use super::action::{Effect, Reply};
use super::data::{Data, Delta, Filter};
use super::keymap::Keymap;
use super::keys::Key;
use super::nav::{Nav, PaneId};
use super::ops::{Context, Op};
use super::theme::Theme;
use super::{App, Confirm, Cx, Prompt};
use crate::backend::view::ObjRef;
use crate::backend::{BackendInfo, LogEvent};
use opsconsole_sim::base::time::SimTime;
use ratatui::Frame;
use ratatui::layout::Rect;
use std::cell::Cell;

/// What components see while drawing.
pub struct RenderCx<'a> {
    pub theme: &'a Theme,
    pub data: &'a Data,
    pub keymap: &'a Keymap,
    pub info: &'a BackendInfo,
    /// The backend's time for this frame.
    pub now: SimTime,
    /// The earliest backend time at which something drawn reads differently.
    pub redraw_at: Cell<Option<SimTime>>,
}

/// A pane: its own table (or text), its operations, and how it draws itself.
pub trait Pane {
    /// Keeps the pane's rows current.
    fn on_delta(&mut self, data: &Data, d: &Delta);
    fn on_op(&mut self, op: Op, cx: &mut Cx);
    /// Draws the pane; returns the area of its rows (for mouse clicks).
    fn render(&mut self, f: &mut Frame, area: Rect, rc: &RenderCx) -> Rect;
    /// Operations the footer offers first.
    fn hints(&self) -> &'static [Op];
    /// The object `inspect` shows (and whose capabilities decide what is offered).
    fn selected(&self, data: &Data) -> Option<ObjRef>;
    fn filterable(&self) -> bool {
        true
    }
    fn filter(&self) -> Option<&Filter>;
    fn set_filter(&mut self, data: &Data, f: Option<Filter>);
    /// What the pane is narrowed to ("my_nginx", "node139").
    fn crumb(&self, _data: &Data) -> Option<String> {
        None
    }
    fn click(&mut self, data: &Data, row: usize);
    /// Goes where `nav` points (a scope, a log target, a selection); may start a stream
    /// under request `id`.
    fn go(&mut self, _data: &Data, _nav: Nav, _id: u64) -> Option<Effect> {
        None
    }
    /// Where it is now, to come back to after a drill-down.
    fn place(&self) -> Option<Nav> {
        None
    }
    /// Stops showing what a drill-down opened.
    fn leave(&mut self) {}
    /// A log stream's event; returns whether what is shown changed.
    fn on_log(&mut self, _id: u64, _ev: LogEvent) -> bool {
        false
    }
    /// An answer to a question the pane asked (`Then::Pane`), with a request ID for a
    /// stream it may start.
    fn answer(&mut self, _what: PaneQuestion, _text: &str, _id: u64) -> Option<Effect> {
        None
    }
}

/// A question a pane asks through a prompt, answered back to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaneQuestion {
    LogsSearch,
    LogsTail,
    /// Show the previous instance's log, or the current one's again (no text).
    LogsPrevious,
}

/// What happens to an overlay after it handled something.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Stay,
    Close,
    /// Not handled: the App may handle it (global operations).
    Pass,
}

/// A window over the panes.
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

/// The windows the App opens.
pub enum OverlaySpec {
    Help,
    Prompt(Prompt),
    Confirm(Confirm),
    /// Text to read (command output, configuration problems).
    Output {
        title: String,
        text: String,
    },
    /// An object as the backend inspects it, arriving under request `id`.
    Inspect {
        id: u64,
        r: ObjRef,
        label: String,
    },
    /// What a command would move, arriving under request `id`, then run if agreed to.
    Plan {
        id: u64,
        title: String,
        words: Vec<String>,
    },
    /// A new service's spec.
    Editor,
    /// A Kubernetes workload's revisions, listed under request `id`.
    History {
        id: u64,
        r: ObjRef,
    },
}

/// Makes the App's components: the UI layer implements this.
pub trait Components {
    /// One pane per [`PaneId`], in [`PaneId::ALL`] order.
    fn panes(&self) -> Vec<Box<dyn Pane>>;
    fn overlay(&self, spec: OverlaySpec, app: &App) -> Box<dyn Overlay>;
}

/// The panes, by ID.
pub struct Panes(Vec<Box<dyn Pane>>);

impl Panes {
    pub fn new(panes: Vec<Box<dyn Pane>>) -> Panes {
        debug_assert_eq!(panes.len(), PaneId::ALL.len());
        Panes(panes)
    }
    pub fn get(&self, p: PaneId) -> &dyn Pane {
        self.0[p.index()].as_ref()
    }
    pub fn get_mut(&mut self, p: PaneId) -> &mut dyn Pane {
        self.0[p.index()].as_mut()
    }
    pub fn on_deltas(&mut self, data: &Data, deltas: &[Delta]) {
        for pane in &mut self.0 {
            for d in deltas {
                pane.on_delta(data, d);
            }
        }
    }
    /// Where a pane is now, to come back to after a drill-down.
    pub fn place_of(&self, p: PaneId) -> Nav {
        self.get(p).place().unwrap_or(Nav::Pane(p))
    }
}
