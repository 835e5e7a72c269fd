//! A one-line text input (the `:` line, the `/` filter, prompts): editing keys, history and
//! tab completion.

use super::keys::{Code, Key};

#[derive(Clone, Debug, Default)]
pub struct LineEdit {
    pub text: String,
    /// Cursor position in characters.
    pub cursor: usize,
}

/// What a key did to the line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edit {
    Changed,
    Moved,
    Submit,
    Cancel,
    Complete,
    HistoryPrev,
    HistoryNext,
    /// Not an editing key.
    Ignored,
}

impl LineEdit {
    pub fn new(text: &str) -> LineEdit {
        LineEdit {
            text: text.to_string(),
            cursor: text.chars().count(),
        }
    }

    fn byte(&self, ch: usize) -> usize {
        self.text
            .char_indices()
            .nth(ch)
            .map(|(b, _)| b)
            .unwrap_or(self.text.len())
    }

    pub fn insert(&mut self, s: &str) {
        let b = self.byte(self.cursor);
        // Pasted newlines and tabs become spaces: this is one line.
        let clean: String = s
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        self.text.insert_str(b, &clean);
        self.cursor += clean.chars().count();
    }

    pub fn set(&mut self, s: &str) {
        self.text = s.to_string();
        self.cursor = s.chars().count();
    }

    pub fn key(&mut self, k: Key) -> Edit {
        let len = self.text.chars().count();
        match (k.code, k.ctrl, k.alt) {
            (Code::Enter, _, _) => Edit::Submit,
            (Code::Esc, _, _) | (Code::Char('c'), true, _) | (Code::Char('g'), true, _) => {
                Edit::Cancel
            }
            (Code::Tab, false, false) => Edit::Complete,
            (Code::Up, _, _) | (Code::Char('p'), true, _) => Edit::HistoryPrev,
            (Code::Down, _, _) | (Code::Char('n'), true, _) => Edit::HistoryNext,
            (Code::Left, _, _) | (Code::Char('b'), true, _) => {
                self.cursor = self.cursor.saturating_sub(1);
                Edit::Moved
            }
            (Code::Right, _, _) | (Code::Char('f'), true, _) => {
                self.cursor = (self.cursor + 1).min(len);
                Edit::Moved
            }
            (Code::Home, _, _) | (Code::Char('a'), true, _) => {
                self.cursor = 0;
                Edit::Moved
            }
            (Code::End, _, _) | (Code::Char('e'), true, _) => {
                self.cursor = len;
                Edit::Moved
            }
            (Code::Backspace, _, false) | (Code::Char('h'), true, _) => {
                if self.cursor > 0 {
                    let b = self.byte(self.cursor - 1);
                    self.text.remove(b);
                    self.cursor -= 1;
                    Edit::Changed
                } else {
                    Edit::Moved
                }
            }
            (Code::Delete, _, _) | (Code::Char('d'), true, _) => {
                if self.cursor < len {
                    let b = self.byte(self.cursor);
                    self.text.remove(b);
                    Edit::Changed
                } else {
                    Edit::Moved
                }
            }
            (Code::Char('u'), true, _) => {
                let b = self.byte(self.cursor);
                self.text.replace_range(..b, "");
                self.cursor = 0;
                Edit::Changed
            }
            (Code::Char('k'), true, _) => {
                let b = self.byte(self.cursor);
                self.text.truncate(b);
                Edit::Changed
            }
            (Code::Char('w'), true, _) | (Code::Backspace, _, true) => {
                let chars: Vec<char> = self.text.chars().collect();
                let mut i = self.cursor;
                while i > 0 && chars[i - 1] == ' ' {
                    i -= 1;
                }
                while i > 0 && chars[i - 1] != ' ' {
                    i -= 1;
                }
                let (a, b) = (self.byte(i), self.byte(self.cursor));
                self.text.replace_range(a..b, "");
                self.cursor = i;
                Edit::Changed
            }
            (Code::Char(c), false, false) => {
                self.insert(&c.to_string());
                Edit::Changed
            }
            _ => Edit::Ignored,
        }
    }

    /// The text before the cursor.
    pub fn head(&self) -> &str {
        &self.text[..self.byte(self.cursor)]
    }
}

/// Tab completion: the word under the cursor is replaced by each candidate in turn.
#[derive(Clone, Debug, Default)]
pub struct Completion {
    pub candidates: Vec<String>,
    pub next: usize,
    /// The line before completion started, and where the completed word starts (chars).
    base: String,
    word_start: usize,
    tail: String,
}

impl Completion {
    /// Starts completing the word before the cursor with `candidates` (those starting with
    /// the word).
    pub fn start(line: &LineEdit, all: Vec<String>) -> Option<Completion> {
        let head = line.head();
        let word_start_b = head.rfind(' ').map(|i| i + 1).unwrap_or(0);
        let word = &head[word_start_b..];
        let mut candidates: Vec<String> = all.into_iter().filter(|c| c.starts_with(word)).collect();
        candidates.sort();
        candidates.dedup();
        if candidates.is_empty() {
            return None;
        }
        Some(Completion {
            candidates,
            next: 0,
            base: head[..word_start_b].to_string(),
            word_start: head[..word_start_b].chars().count(),
            tail: line.text[head.len()..].to_string(),
        })
    }

    /// Puts the next candidate in the line.
    pub fn apply(&mut self, line: &mut LineEdit) {
        let c = &self.candidates[self.next % self.candidates.len()];
        self.next += 1;
        // A single candidate is final: add the space that lets the next word start.
        let sep = if self.candidates.len() == 1 && !c.ends_with('=') && self.tail.is_empty() {
            " "
        } else {
            ""
        };
        line.text = format!("{}{c}{sep}{}", self.base, self.tail);
        line.cursor = self.word_start + c.chars().count() + sep.len();
    }

    /// The longest common prefix of the candidates.
    pub fn common(&self) -> String {
        let mut p = self.candidates[0].clone();
        for c in &self.candidates[1..] {
            while !c.starts_with(&p) {
                p.pop();
            }
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editing_keys() {
        let mut l = LineEdit::new("service scale");
        l.key(Key::ctrl('w'));
        assert_eq!(l.text, "service ");
        l.insert("ls");
        assert_eq!(l.text, "service ls");
        l.key(Key::plain(Code::Home));
        l.key(Key::plain(Code::Delete));
        assert_eq!(l.text, "ervice ls");
        l.key(Key::ctrl('e'));
        l.key(Key::plain(Code::Backspace));
        assert_eq!(l.text, "ervice l");
        l.key(Key::ctrl('u'));
        assert_eq!(l.text, "");
        l.insert("a\nb");
        assert_eq!(l.text, "a b");
    }

    #[test]
    fn completion_cycles_and_finishes_words() {
        let mut l = LineEdit::new("service sc");
        let mut c = Completion::start(&l, vec!["scale".into(), "ls".into()]).unwrap();
        c.apply(&mut l);
        assert_eq!(l.text, "service scale ");
        let mut l = LineEdit::new("node update no");
        let mut c =
            Completion::start(&l, vec!["node139".into(), "node188".into(), "x".into()]).unwrap();
        assert_eq!(c.common(), "node1");
        c.apply(&mut l);
        assert_eq!(l.text, "node update node139");
        c.apply(&mut l);
        assert_eq!(l.text, "node update node188");
    }
}
