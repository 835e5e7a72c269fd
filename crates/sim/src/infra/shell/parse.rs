//! The shell's syntax: a line cut into its lists, and each list into words (quotes and
//! `$VAR` expanded) and operators.

/// Words and operators of a command line.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Tok {
    Word(String),
    Op(&'static str),
}

pub(super) fn tokenize(line: &str, vars: &dyn Fn(&str) -> String) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    let var = |i: &mut usize, cur: &mut String| {
        // `$NAME`, `${NAME}`, `$?`
        let start = *i + 1;
        if chars.get(start) == Some(&'{') {
            let end = chars[start..]
                .iter()
                .position(|c| *c == '}')
                .map(|p| p + start);
            if let Some(end) = end {
                let name: String = chars[start + 1..end].iter().collect();
                cur.push_str(&vars(&name));
                *i = end + 1;
                return;
            }
        }
        if chars.get(start) == Some(&'?') {
            cur.push_str(&vars("?"));
            *i = start + 1;
            return;
        }
        let mut end = start;
        while end < chars.len() && (chars[end].is_ascii_alphanumeric() || chars[end] == '_') {
            end += 1;
        }
        if end == start {
            cur.push('$');
        } else {
            let name: String = chars[start..end].iter().collect();
            cur.push_str(&vars(&name));
        }
        *i = end;
    };
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\n' => {
                if in_word {
                    out.push(Tok::Word(std::mem::take(&mut cur)));
                    in_word = false;
                }
                i += 1;
            }
            '#' if !in_word => break,
            '\'' => {
                in_word = true;
                let end = chars[i + 1..]
                    .iter()
                    .position(|c| *c == '\'')
                    .ok_or("unterminated quoted string")?;
                cur.extend(&chars[i + 1..i + 1 + end]);
                i += end + 2;
            }
            '"' => {
                in_word = true;
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err("unterminated quoted string".into()),
                        Some('"') => {
                            i += 1;
                            break;
                        }
                        Some('\\') if matches!(chars.get(i + 1), Some('"' | '\\' | '$')) => {
                            cur.push(chars[i + 1]);
                            i += 2;
                        }
                        Some('$') => var(&mut i, &mut cur),
                        Some(ch) => {
                            cur.push(*ch);
                            i += 1;
                        }
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(n) = chars.get(i + 1) {
                    cur.push(*n);
                }
                i += 2;
            }
            '$' => {
                in_word = true;
                var(&mut i, &mut cur);
            }
            ';' | '|' | '&' | '>' | '<' => {
                let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
                // `2>` and `2>&1` belong to the word before only when it is the digit.
                if in_word && cur == "2" && c == '>' {
                    cur.clear();
                    in_word = false;
                    if chars[i..].starts_with(&['>', '&', '1']) {
                        out.push(Tok::Op("2>&1"));
                        i += 3;
                    } else {
                        out.push(Tok::Op("2>"));
                        i += 1;
                    }
                    continue;
                }
                if in_word {
                    out.push(Tok::Word(std::mem::take(&mut cur)));
                    in_word = false;
                }
                let op: &'static str = match two.as_str() {
                    "&&" => "&&",
                    "||" => "||",
                    ">>" => ">>",
                    _ => match c {
                        ';' => ";",
                        '|' => "|",
                        '>' => ">",
                        '<' => "<",
                        _ => "&",
                    },
                };
                i += op.len();
                out.push(Tok::Op(op));
            }
            _ => {
                in_word = true;
                cur.push(c);
                i += 1;
            }
        }
    }
    if in_word {
        out.push(Tok::Word(cur));
    }
    Ok(out)
}

/// A line cut at its top-level `;`, `&&`, `||` and `&` (outside quotes), each piece with
/// the operator after it.
pub(super) fn split_lists(line: &str) -> Vec<(String, Option<&'static str>)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), _) if c == q => {
                quote = None;
                cur.push(c);
            }
            (Some(_), '\\') => {
                cur.push(c);
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            (Some(_), _) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                cur.push(c);
            }
            (None, '\\') => {
                cur.push(c);
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            (None, ';') => out.push((std::mem::take(&mut cur), Some(";"))),
            (None, '&') if chars.peek() == Some(&'&') => {
                chars.next();
                out.push((std::mem::take(&mut cur), Some("&&")));
            }
            (None, '|') if chars.peek() == Some(&'|') => {
                chars.next();
                out.push((std::mem::take(&mut cur), Some("||")));
            }
            (None, '&') if !cur.ends_with('>') => out.push((std::mem::take(&mut cur), Some("&"))),
            (None, _) => cur.push(c),
        }
    }
    out.push((cur, None));
    out
}
