//! Keys as keymaps name them ("j", "G", "ctrl-d", "enter", "f5") and as the terminal sends
//! them, normalised so the two compare equal.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Code {
    Char(char),
    F(u8),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Insert,
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Key {
    pub code: Code,
    pub ctrl: bool,
    pub alt: bool,
    /// Only for keys that are not characters (a character carries its own case).
    pub shift: bool,
}

impl Key {
    pub const fn plain(code: Code) -> Key {
        Key {
            code,
            ctrl: false,
            alt: false,
            shift: false,
        }
    }

    pub const fn ch(c: char) -> Key {
        Key::plain(Code::Char(c))
    }

    pub const fn ctrl(c: char) -> Key {
        Key {
            code: Code::Char(c),
            ctrl: true,
            alt: false,
            shift: false,
        }
    }

    /// From a terminal event; `None` for key releases and keys keymaps cannot name.
    pub fn from_event(e: &KeyEvent) -> Option<Key> {
        if e.kind == KeyEventKind::Release {
            return None;
        }
        let ctrl = e.modifiers.contains(KeyModifiers::CONTROL);
        let alt = e.modifiers.contains(KeyModifiers::ALT);
        let mut shift = e.modifiers.contains(KeyModifiers::SHIFT);
        let code = match e.code {
            KeyCode::Char(c) => {
                shift = false;
                // ctrl-D arrives as 'D' with ctrl (and shift): keep the case it was typed in.
                Code::Char(if ctrl { c.to_ascii_lowercase() } else { c })
            }
            KeyCode::F(n) => Code::F(n),
            KeyCode::Enter => Code::Enter,
            KeyCode::Esc => Code::Esc,
            KeyCode::Tab if shift => {
                shift = false;
                Code::BackTab
            }
            KeyCode::Tab => Code::Tab,
            KeyCode::BackTab => {
                shift = false;
                Code::BackTab
            }
            KeyCode::Backspace => Code::Backspace,
            KeyCode::Delete => Code::Delete,
            KeyCode::Insert => Code::Insert,
            KeyCode::Up => Code::Up,
            KeyCode::Down => Code::Down,
            KeyCode::Left => Code::Left,
            KeyCode::Right => Code::Right,
            KeyCode::Home => Code::Home,
            KeyCode::End => Code::End,
            KeyCode::PageUp => Code::PageUp,
            KeyCode::PageDown => Code::PageDown,
            _ => return None,
        };
        Some(Key {
            code,
            ctrl,
            alt,
            shift,
        })
    }

    /// The terminal event for this key (for replaying keys).
    pub fn to_event(self) -> KeyEvent {
        let mut m = KeyModifiers::empty();
        if self.ctrl {
            m |= KeyModifiers::CONTROL;
        }
        if self.alt {
            m |= KeyModifiers::ALT;
        }
        if self.shift {
            m |= KeyModifiers::SHIFT;
        }
        let code = match self.code {
            Code::Char(c) => {
                if c.is_ascii_uppercase() {
                    m |= KeyModifiers::SHIFT;
                }
                KeyCode::Char(c)
            }
            Code::F(n) => KeyCode::F(n),
            Code::Enter => KeyCode::Enter,
            Code::Esc => KeyCode::Esc,
            Code::Tab => KeyCode::Tab,
            Code::BackTab => {
                m |= KeyModifiers::SHIFT;
                KeyCode::BackTab
            }
            Code::Backspace => KeyCode::Backspace,
            Code::Delete => KeyCode::Delete,
            Code::Insert => KeyCode::Insert,
            Code::Up => KeyCode::Up,
            Code::Down => KeyCode::Down,
            Code::Left => KeyCode::Left,
            Code::Right => KeyCode::Right,
            Code::Home => KeyCode::Home,
            Code::End => KeyCode::End,
            Code::PageUp => KeyCode::PageUp,
            Code::PageDown => KeyCode::PageDown,
        };
        KeyEvent::new(code, m)
    }

    /// Parses one key name: "j", "G", "?", "ctrl-d", "alt-x", "shift-up", "enter", "f5".
    pub fn parse(s: &str) -> Result<Key, String> {
        let mut ctrl = false;
        let mut alt = false;
        let mut shift = false;
        let mut rest = s;
        loop {
            let lower = rest.to_ascii_lowercase();
            if rest.len() > 1 && (lower.starts_with("ctrl-") || lower.starts_with("ctrl+")) {
                ctrl = true;
                rest = &rest[5..];
            } else if rest.len() > 1 && (lower.starts_with("alt-") || lower.starts_with("alt+")) {
                alt = true;
                rest = &rest[4..];
            } else if rest.len() > 1 && (lower.starts_with("shift-") || lower.starts_with("shift+"))
            {
                shift = true;
                rest = &rest[6..];
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (None, _) => return Err(format!("empty key name in {s:?}")),
            (Some(c), None) => {
                if shift && c.is_ascii_alphabetic() {
                    shift = false;
                    Code::Char(c.to_ascii_uppercase())
                } else if ctrl {
                    Code::Char(c.to_ascii_lowercase())
                } else {
                    Code::Char(c)
                }
            }
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" | "cr" => Code::Enter,
                "esc" | "escape" => Code::Esc,
                "tab" if shift => {
                    shift = false;
                    Code::BackTab
                }
                "tab" => Code::Tab,
                "backtab" => Code::BackTab,
                "backspace" | "bs" => Code::Backspace,
                "delete" | "del" => Code::Delete,
                "insert" | "ins" => Code::Insert,
                "up" => Code::Up,
                "down" => Code::Down,
                "left" => Code::Left,
                "right" => Code::Right,
                "home" => Code::Home,
                "end" => Code::End,
                "pageup" | "pgup" => Code::PageUp,
                "pagedown" | "pgdn" => Code::PageDown,
                "space" => Code::Char(' '),
                "minus" => Code::Char('-'),
                "plus" => Code::Char('+'),
                f if f.starts_with('f')
                    && f[1..].parse::<u8>().is_ok_and(|n| (1..=24).contains(&n)) =>
                {
                    Code::F(f[1..].parse().unwrap_or(1))
                }
                _ => {
                    return Err(format!(
                        "unknown key {s:?} (use a character, or a name such as enter, esc, tab, up, pagedown, f5, space, with ctrl-, alt- or shift- in front)"
                    ));
                }
            },
        };
        Ok(Key {
            code,
            ctrl,
            alt,
            shift,
        })
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.ctrl {
            f.write_str("ctrl-")?;
        }
        if self.alt {
            f.write_str("alt-")?;
        }
        if self.shift {
            f.write_str("shift-")?;
        }
        match self.code {
            Code::Char(' ') => f.write_str("space"),
            Code::Char(c) => write!(f, "{c}"),
            Code::F(n) => write!(f, "f{n}"),
            Code::Enter => f.write_str("enter"),
            Code::Esc => f.write_str("esc"),
            Code::Tab => f.write_str("tab"),
            Code::BackTab => f.write_str("shift-tab"),
            Code::Backspace => f.write_str("backspace"),
            Code::Delete => f.write_str("delete"),
            Code::Insert => f.write_str("insert"),
            Code::Up => f.write_str("up"),
            Code::Down => f.write_str("down"),
            Code::Left => f.write_str("left"),
            Code::Right => f.write_str("right"),
            Code::Home => f.write_str("home"),
            Code::End => f.write_str("end"),
            Code::PageUp => f.write_str("pageup"),
            Code::PageDown => f.write_str("pagedown"),
        }
    }
}

/// A key or a chord of keys ("g g").
pub type Seq = Vec<Key>;

pub fn parse_seq(s: &str) -> Result<Seq, String> {
    let parts: Vec<&str> = s.split_whitespace().collect();
    if parts.is_empty() {
        // " " alone is the space key.
        if s == " " {
            return Ok(vec![Key::ch(' ')]);
        }
        return Err("empty key".into());
    }
    parts.into_iter().map(Key::parse).collect()
}

pub fn seq_to_string(seq: &[Key]) -> String {
    seq.iter()
        .map(|k| k.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_terminal_events() {
        for name in [
            "j",
            "G",
            "?",
            ":",
            "ctrl-d",
            "alt-x",
            "enter",
            "esc",
            "shift-tab",
            "f5",
            "space",
            "pagedown",
            "ctrl-alt-k",
            "shift-up",
        ] {
            let k = Key::parse(name).unwrap();
            assert_eq!(Key::from_event(&k.to_event()), Some(k), "{name}");
            assert_eq!(Key::parse(&k.to_string()).unwrap(), k, "{name}");
        }
        assert_eq!(Key::parse("shift-g").unwrap(), Key::ch('G'));
        assert_eq!(Key::parse("backtab").unwrap(), Key::plain(Code::BackTab));
        assert_eq!(Key::parse("Ctrl-D").unwrap(), Key::ctrl('d'));
        // What terminals send for shifted characters and ctrl with shift.
        let ev = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(&ev), Some(Key::ch('G')));
        let ev = KeyEvent::new(KeyCode::Char('?'), KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(&ev), Some(Key::ch('?')));
        let ev = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(&ev), Some(Key::plain(Code::BackTab)));
        assert!(Key::parse("hyper-x").is_err());
        assert!(Key::parse("f99").is_err());
        assert_eq!(parse_seq("g g").unwrap(), vec![Key::ch('g'), Key::ch('g')]);
    }
}
