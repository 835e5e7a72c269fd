//! The terminal: a backend that writes nothing for a frame that changes nothing, entering
//! and leaving full-screen mode (restored however the console ends), and terminal events
//! and signals as Actions.

use crate::app::Action;
use crate::app::keys::Key;
use crossterm::event::{Event, EventStream};
use futures::StreamExt;
use futures::stream::BoxStream;
use ratatui::backend::{Backend as TermBackend, ClearType, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use std::io::Write;

/// A terminal backend that writes nothing when a frame changes nothing: no cell updates, no
/// repeated cursor hiding. An idle console is silent.
pub struct Quiet<B> {
    inner: B,
    cursor_visible: Option<bool>,
    cursor_at: Option<Position>,
    wrote: bool,
}

impl<B> Quiet<B> {
    pub fn new(inner: B) -> Quiet<B> {
        Quiet {
            inner,
            cursor_visible: None,
            cursor_at: None,
            wrote: false,
        }
    }
}

impl<B: TermBackend> TermBackend for Quiet<B> {
    type Error = B::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let mut it = content.peekable();
        if it.peek().is_none() {
            return Ok(());
        }
        self.wrote = true;
        // Drawing moves the terminal's cursor.
        self.cursor_at = None;
        self.inner.draw(it)
    }

    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        if self.cursor_visible == Some(false) {
            return Ok(());
        }
        self.cursor_visible = Some(false);
        self.wrote = true;
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        if self.cursor_visible == Some(true) && !self.wrote {
            return Ok(());
        }
        self.cursor_visible = Some(true);
        self.wrote = true;
        self.inner.show_cursor()
    }

    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        let p = position.into();
        if self.cursor_at == Some(p) {
            return Ok(());
        }
        self.cursor_at = Some(p);
        self.wrote = true;
        self.inner.set_cursor_position(p)
    }

    fn clear(&mut self) -> Result<(), Self::Error> {
        self.wrote = true;
        self.cursor_at = None;
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        self.wrote = true;
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> Result<Size, Self::Error> {
        self.inner.size()
    }

    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        if !std::mem::take(&mut self.wrote) {
            return Ok(());
        }
        self.inner.flush()
    }
}

/// Puts the terminal back as it was: cooked mode, main screen, cursor, no mouse reporting.
/// Safe to call any number of times, from anywhere (panic hook, signal path).
pub fn restore_terminal() {
    let _ = crossterm::terminal::disable_raw_mode();
    let mut out = std::io::stdout();
    let _ = crossterm::execute!(
        out,
        crossterm::event::DisableMouseCapture,
        crossterm::event::DisableBracketedPaste,
        crossterm::terminal::LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = out.flush();
}

/// Restores the terminal when dropped (on every way out of the console, panics included).
pub struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// Enters the full-screen mode; the guard leaves it.
pub fn enter_terminal(mouse: bool) -> std::io::Result<TerminalGuard> {
    // A panic restores the terminal before its message is printed.
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        prev(info);
    }));
    crossterm::terminal::enable_raw_mode()?;
    let guard = TerminalGuard;
    let mut out = std::io::stdout();
    crossterm::execute!(
        out,
        crossterm::terminal::EnterAlternateScreen,
        crossterm::event::EnableBracketedPaste,
        crossterm::cursor::Hide
    )?;
    if mouse {
        crossterm::execute!(out, crossterm::event::EnableMouseCapture)?;
    }
    Ok(guard)
}

/// Terminal events as Actions.
pub fn terminal_actions() -> BoxStream<'static, Action> {
    EventStream::new()
        .filter_map(|ev| async move {
            match ev {
                Ok(Event::Key(k)) => Key::from_event(&k).map(Action::Key),
                Ok(Event::Mouse(m)) => Some(Action::Mouse(m)),
                Ok(Event::Resize(w, h)) => Some(Action::Resize(w, h)),
                Ok(Event::Paste(s)) => Some(Action::Paste(s)),
                Ok(_) => None,
                // The terminal is gone (SSH dropped): quit.
                Err(_) => Some(Action::Quit),
            }
        })
        // End of input means the terminal is gone.
        .chain(futures::stream::once(async { Action::Quit }))
        .boxed()
}

/// SIGHUP, SIGTERM, SIGINT and SIGQUIT as a Quit action.
pub fn signal_actions() -> BoxStream<'static, Action> {
    use tokio::signal::unix::{SignalKind, signal};
    let kinds = [
        SignalKind::hangup(),
        SignalKind::terminate(),
        SignalKind::interrupt(),
        SignalKind::quit(),
    ];
    let streams: Vec<BoxStream<'static, Action>> = kinds
        .into_iter()
        .filter_map(|k| signal(k).ok())
        .map(|mut s| {
            futures::stream::poll_fn(move |cx| s.poll_recv(cx).map(|o| o.map(|_| Action::Quit)))
                .boxed()
        })
        .collect();
    futures::stream::select_all(streams).boxed()
}
