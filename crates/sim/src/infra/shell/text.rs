//! Text filters: `grep`, `head`/`tail`, `wc`.

use super::{Call, Output, Shell};

fn grep(sh: &mut Shell, call: &Call) -> Output {
    let invert = call.args.iter().any(|a| a == "-v");
    let nocase = call.args.iter().any(|a| a == "-i");
    let count = call.args.iter().any(|a| a == "-c");
    let words: Vec<&String> = call.args.iter().filter(|a| !a.starts_with('-')).collect();
    let Some(pat) = words.first() else {
        return Output::err(2, "Usage: grep [-ivc] PATTERN [FILE]...\n");
    };
    let text = match words.get(1) {
        Some(f) => match sh.read(f) {
            Ok(b) => b,
            Err(e) => return Output::err(2, format!("grep: {f}: {e}\n")),
        },
        None => call.input.to_vec(),
    };
    let text = String::from_utf8_lossy(&text).to_string();
    let hit = |l: &str| {
        let m = if nocase {
            l.to_lowercase().contains(&pat.to_lowercase())
        } else {
            l.contains(pat.as_str())
        };
        m != invert
    };
    let lines: Vec<&str> = text.lines().filter(|l| hit(l)).collect();
    let code = if lines.is_empty() { 1 } else { 0 };
    let out = if count {
        format!("{}\n", lines.len())
    } else {
        lines.iter().map(|l| format!("{l}\n")).collect()
    };
    Output {
        stdout: out.into_bytes(),
        code,
        ..Default::default()
    }
}

fn head_tail(sh: &mut Shell, call: &Call) -> Output {
    let mut n = 10usize;
    let mut files = Vec::new();
    let mut i = 0;
    while i < call.args.len() {
        match call.args[i].as_str() {
            "-n" => {
                n = call
                    .args
                    .get(i + 1)
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(10);
                i += 1;
            }
            a if a.starts_with('-') => n = a[1..].parse().unwrap_or(10),
            f => files.push(f.to_string()),
        }
        i += 1;
    }
    let text = match files.first() {
        Some(f) => match sh.read(f) {
            Ok(b) => b,
            Err(e) => return Output::err(1, format!("{}: {f}: {e}\n", call.base)),
        },
        None => call.input.to_vec(),
    };
    let text = String::from_utf8_lossy(&text).to_string();
    let lines: Vec<&str> = text.lines().collect();
    let pick = if call.base == "head" {
        &lines[..n.min(lines.len())]
    } else {
        &lines[lines.len().saturating_sub(n)..]
    };
    Output::ok(pick.iter().map(|l| format!("{l}\n")).collect::<String>())
}

fn wc(sh: &mut Shell, call: &Call) -> Output {
    let text = match call.args.iter().find(|a| !a.starts_with('-')) {
        Some(f) => match sh.read(f) {
            Ok(b) => b,
            Err(e) => return Output::err(1, format!("wc: {f}: {e}\n")),
        },
        None => call.input.to_vec(),
    };
    let s = String::from_utf8_lossy(&text).to_string();
    let (l, w, c) = (
        s.matches('\n').count(),
        s.split_whitespace().count(),
        text.len(),
    );
    let out = match call.args.first().map(String::as_str) {
        Some("-l") => format!("{l}\n"),
        Some("-w") => format!("{w}\n"),
        Some("-c") => format!("{c}\n"),
        _ => format!("{l:>7} {w:>7} {c:>7}\n"),
    };
    Output::ok(out)
}

/// The commands of this family, by name.
pub(super) const COMMANDS: &[(&str, super::Run)] = &[
    ("grep", grep),
    ("head", head_tail),
    ("tail", head_tail),
    ("wc", wc),
];
