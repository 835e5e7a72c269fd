//! The only way the console's state changes: every key, mouse event, resize, timer and
//! backend event becomes an [`Action`], and [`super::App::update`] applies it. What the App
//! wants done outside itself (run a command, stream logs) comes back as [`Effect`]s for the
//! event loop to carry out; their results return as Actions.

use super::keys::Key;
use super::ops::Op;
use crate::backend::view::{ObjRef, StatsView};
use crate::backend::{
    BackendError, CmdOutput, Invocation, LogEvent, LogRequest, Plan, RunOpts, WatchEvent,
};
use crossterm::event::MouseEvent;

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// A key, resolved through the keymap (or typed into whatever has the focus).
    Key(Key),
    /// Text pasted into the terminal.
    Paste(String),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// An operation, as a key bound to it would do.
    Do(Op),
    /// Something shown on screen may have changed with time (relative times).
    Tick,
    Backend(WatchEvent),
    Log(u64, LogEvent),
    Done(u64, Reply),
    /// A key macro's progress: captions, start, end, failure.
    Macro(MacroEvent),
    /// Kiosk rotation: show the next pane.
    Rotate,
    /// Time to read the selected container's resource use again (real engines).
    StatsTick,
    Quit,
}

#[derive(Clone, Debug, PartialEq)]
pub enum MacroEvent {
    Started(String),
    /// `say "..."` (an empty text clears the caption).
    Caption(String),
    Finished(String),
    /// Where and why it stopped ("FILE:LINE: ...").
    Failed(String),
    /// The user stopped it (Esc or Ctrl-C).
    Aborted,
}

/// Results of effects.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    Ran(Result<CmdOutput, BackendError>),
    Inspected(Result<serde_json::Value, BackendError>),
    Planned(Result<Plan, BackendError>),
    Stats(Result<StatsView, BackendError>),
}

/// Work for the event loop, identified so results can be matched to what asked for them.
#[derive(Clone, Debug)]
pub enum Effect {
    Run {
        id: u64,
        inv: Invocation,
        opts: RunOpts,
    },
    Inspect {
        id: u64,
        r: ObjRef,
    },
    Plan {
        id: u64,
        inv: Invocation,
    },
    /// Starts a log stream (replacing the previous one).
    Logs {
        id: u64,
        req: LogRequest,
    },
    StopLogs,
    /// Play a macro file (a key bound to it in `[macros]`).
    PlayMacro(String),
    /// Read a container's resource use.
    Stats {
        id: u64,
        container: String,
    },
    /// Scope the Kubernetes views to a namespace (none: all): the watch starts again.
    Rescope(Option<String>),
}
