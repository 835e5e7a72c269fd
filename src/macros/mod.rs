//! Key macros: a plain-text format, one step per line.
//!
//! ```text
//! # a comment (blank lines are ignored too)
//! say "Node139 goes down..."        a caption, shown until the next one (say "" clears it)
//! key j                             one key, named as keymaps name them (ctrl-d, enter, f5)
//! key g g                           several keys in a row
//! type ":service scale web=4"       text, typed a character at a time
//! wait 500ms                        a pause (ms, s, m; Go durations such as 1m30s)
//! wait-for "4/4" 30s                until the text is on screen (fails after the timeout)
//! expect "Running"                  the text is on screen now (else the macro fails)
//! expect-not "Error"                the text is not on screen now
//! snap services                     `opsconsole screenshots` saves the screen as services.svg/.png
//! ```
//!
//! Strings are in double quotes, with `\"` and `\\` inside. A malformed macro is reported with
//! its file, line and reason before anything is played.

pub mod player;

use crate::app::config::duration;
use crate::app::keys::Key;
use std::time::Duration;

#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    Keys(Vec<Key>),
    Type(String),
    Wait(Duration),
    WaitFor(String, Duration),
    Expect(String),
    ExpectNot(String),
    Say(String),
    /// A screenshot's name (only `opsconsole screenshots` takes them).
    Snap(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Macro {
    /// Where it came from, for messages.
    pub file: String,
    /// Each step with its line number (1-based).
    pub steps: Vec<(usize, Step)>,
}

/// Splits a line into words; a double-quoted string is one word.
fn words(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        if c == '"' {
            chars.next();
            let mut s = String::new();
            loop {
                match chars.next() {
                    None => return Err("unterminated string (a closing \" is missing)".into()),
                    Some('"') => break,
                    Some('\\') => match chars.next() {
                        Some('n') => s.push('\n'),
                        Some('t') => s.push('\t'),
                        Some(e @ ('"' | '\\')) => s.push(e),
                        Some(e) => return Err(format!("unknown escape \\{e} in a string")),
                        None => return Err("unterminated string".into()),
                    },
                    Some(ch) => s.push(ch),
                }
            }
            if chars.peek().is_some_and(|c| !c.is_whitespace()) {
                return Err("a string must be followed by a space or the end of the line".into());
            }
            out.push(s);
        } else {
            let mut s = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                s.push(c);
                chars.next();
            }
            out.push(s);
        }
    }
    Ok(out)
}

fn one_string(verb: &str, args: &[String]) -> Result<String, String> {
    match args {
        [s] => Ok(s.clone()),
        [] => Err(format!(
            "{verb} needs a quoted text, e.g. {verb} \"Running\""
        )),
        _ => Err(format!(
            "{verb} takes one quoted text (put the whole text in double quotes)"
        )),
    }
}

fn step(line: &str) -> Result<Option<Step>, String> {
    let trimmed = line.trim();
    if trimmed.is_empty() || trimmed.starts_with('#') {
        return Ok(None);
    }
    let w = words(trimmed)?;
    let (verb, args) = w.split_first().ok_or("empty step")?;
    let s = match verb.as_str() {
        "key" | "keys" => {
            if args.is_empty() {
                return Err("key needs a key name, e.g. key j, key ctrl-d, key enter".into());
            }
            Step::Keys(
                args.iter()
                    .map(|k| Key::parse(k))
                    .collect::<Result<_, _>>()?,
            )
        }
        "type" => Step::Type(one_string("type", args)?),
        "wait" => match args {
            [d] => Step::Wait(duration(d)?),
            _ => return Err("wait takes one duration, e.g. wait 500ms".into()),
        },
        "wait-for" => match args {
            [t, d] => Step::WaitFor(t.clone(), duration(d)?),
            [t] => Step::WaitFor(t.clone(), Duration::from_secs(10)),
            _ => {
                return Err(
                    "wait-for takes a quoted text and a timeout, e.g. wait-for \"4/4\" 30s".into(),
                );
            }
        },
        "expect" => Step::Expect(one_string("expect", args)?),
        "expect-not" => Step::ExpectNot(one_string("expect-not", args)?),
        "say" => Step::Say(one_string("say", args)?),
        "snap" => match args {
            [n] if !n.is_empty()
                && n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') =>
            {
                Step::Snap(n.clone())
            }
            _ => return Err("snap takes one name of letters, digits, - and _".into()),
        },
        other => {
            return Err(format!(
                "unknown step {other:?} (steps: key, type, wait, wait-for, expect, expect-not, say, snap, # comment)"
            ));
        }
    };
    Ok(Some(s))
}

/// Parses a macro; the error names the file, the line and the reason.
pub fn parse(file: &str, text: &str) -> Result<Macro, String> {
    let mut steps = Vec::new();
    for (i, line) in text.lines().enumerate() {
        match step(line) {
            Ok(Some(s)) => steps.push((i + 1, s)),
            Ok(None) => {}
            Err(e) => return Err(format!("{file}:{}: {e}", i + 1)),
        }
    }
    Ok(Macro {
        file: file.to_string(),
        steps,
    })
}

/// Reads and parses a macro file.
pub fn load(path: &std::path::Path) -> Result<Macro, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse(&path.display().to_string(), &text)
}

fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Turns recorded keys (with the time since the previous key) into macro text: pauses become
/// `wait`, runs of plain characters typed without a pause become `type`.
pub fn record(keys: &[(Duration, Key)]) -> String {
    let mut out = String::from("# recorded by opsconsole --record\n");
    let mut text = String::new();
    let flush = |text: &mut String, out: &mut String| {
        if text.is_empty() {
            return;
        }
        if text.chars().count() == 1 {
            out.push_str(&format!(
                "key {}\n",
                Key::ch(text.chars().next().unwrap_or(' '))
            ));
        } else {
            out.push_str(&format!("type {}\n", quote(text)));
        }
        text.clear();
    };
    for (gap, k) in keys {
        let pause = gap.as_millis() >= 300;
        if pause {
            flush(&mut text, &mut out);
            let ms = (gap.as_millis() / 100 * 100).min(3_600_000);
            out.push_str(&format!("wait {ms}ms\n"));
        }
        match k.code {
            crate::app::keys::Code::Char(c) if !k.ctrl && !k.alt => text.push(c),
            _ => {
                flush(&mut text, &mut out);
                out.push_str(&format!("key {k}\n"));
            }
        }
    }
    flush(&mut text, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step() {
        let m = parse(
            "demo.macro",
            "# comment\n\nsay \"Node139 goes down...\"\nkey j\nkey g g\nkey ctrl-d\ntype \":service scale web=4\"\nwait 500ms\nwait-for \"4/4\" 30s\nexpect \"Running\"\nexpect-not \"Error\"\n",
        )
        .unwrap();
        let steps: Vec<&Step> = m.steps.iter().map(|(_, s)| s).collect();
        assert_eq!(m.steps[0].0, 3);
        assert_eq!(steps[0], &Step::Say("Node139 goes down...".into()));
        assert_eq!(steps[1], &Step::Keys(vec![Key::ch('j')]));
        assert_eq!(steps[2], &Step::Keys(vec![Key::ch('g'), Key::ch('g')]));
        assert_eq!(steps[3], &Step::Keys(vec![Key::ctrl('d')]));
        assert_eq!(steps[4], &Step::Type(":service scale web=4".into()));
        assert_eq!(steps[5], &Step::Wait(Duration::from_millis(500)));
        assert_eq!(
            steps[6],
            &Step::WaitFor("4/4".into(), Duration::from_secs(30))
        );
        assert_eq!(steps[7], &Step::Expect("Running".into()));
        assert_eq!(steps[8], &Step::ExpectNot("Error".into()));
    }

    #[test]
    fn errors_name_file_line_and_reason() {
        for (text, want) in [
            ("key\n", "m:1: key needs a key name"),
            ("\n\nkey hyper-x\n", "m:3: unknown key"),
            ("type unquoted words\n", "m:1: type takes one quoted text"),
            ("say \"open\n", "m:1: unterminated string"),
            ("wait 5 parsecs\n", "m:1: wait takes one duration"),
            ("wait soon\n", "m:1: invalid duration \"soon\""),
            ("wait 2h\n", "m:1: duration \"2h\" is out of range"),
            ("jump 3\n", "m:1: unknown step \"jump\""),
            ("expect\n", "m:1: expect needs a quoted text"),
        ] {
            let e = parse("m", text).unwrap_err();
            assert!(e.starts_with(want), "{text:?}: {e}");
        }
    }

    #[test]
    fn recordings_read_back() {
        let keys = vec![
            (Duration::ZERO, Key::ch(':')),
            (Duration::from_millis(40), Key::ch('n')),
            (Duration::from_millis(40), Key::ch('o')),
            (
                Duration::from_millis(1200),
                Key::plain(crate::app::keys::Code::Enter),
            ),
            (Duration::from_millis(10), Key::ctrl('d')),
            (Duration::from_millis(500), Key::ch('q')),
        ];
        let text = record(&keys);
        let m = parse("rec", &text).unwrap();
        let steps: Vec<Step> = m.steps.into_iter().map(|(_, s)| s).collect();
        assert_eq!(
            steps,
            vec![
                Step::Type(":no".into()),
                Step::Wait(Duration::from_millis(1200)),
                Step::Keys(vec![Key::plain(crate::app::keys::Code::Enter)]),
                Step::Keys(vec![Key::ctrl('d')]),
                Step::Wait(Duration::from_millis(500)),
                Step::Keys(vec![Key::ch('q')]),
            ]
        );
    }
}
