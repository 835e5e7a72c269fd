//! A command-line flag parser with pflag's (cobra's) behaviour and error texts, so docker
//! command lines parse exactly as the docker CLI parses them.

use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arity {
    /// A boolean switch (`--detach`, `--detach=false`).
    Bool,
    /// Takes one value; the last occurrence wins.
    Value,
    /// Takes one value per occurrence; all are kept.
    Multi,
}

#[derive(Clone, Copy, Debug)]
pub struct FlagSpec {
    pub long: &'static str,
    pub short: Option<char>,
    pub arity: Arity,
    pub help: &'static str,
}

pub const fn flag(
    long: &'static str,
    short: Option<char>,
    arity: Arity,
    help: &'static str,
) -> FlagSpec {
    FlagSpec {
        long,
        short,
        arity,
        help,
    }
}

/// A parse failure: the text docker prints and its exit status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub exit: i32,
}

impl ParseError {
    pub fn new(message: impl Into<String>, exit: i32) -> ParseError {
        ParseError {
            message: message.into(),
            exit,
        }
    }
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Flags and positional arguments of one command line.
#[derive(Clone, Debug, Default)]
pub struct Parsed {
    pub flags: BTreeMap<&'static str, Vec<String>>,
    pub args: Vec<String>,
    pub help: bool,
}

impl Parsed {
    pub fn has(&self, long: &str) -> bool {
        self.flags.contains_key(long)
    }
    pub fn bool(&self, long: &str) -> bool {
        self.flags
            .get(long)
            .and_then(|v| v.last())
            .is_some_and(|v| v == "true")
    }
    /// A boolean flag that was given explicitly, with its value.
    pub fn bool_opt(&self, long: &str) -> Option<bool> {
        self.flags
            .get(long)
            .and_then(|v| v.last())
            .map(|v| v == "true")
    }
    pub fn value(&self, long: &str) -> Option<&str> {
        self.flags
            .get(long)
            .and_then(|v| v.last())
            .map(|s| s.as_str())
    }
    pub fn values(&self, long: &str) -> Vec<String> {
        self.flags.get(long).cloned().unwrap_or_default()
    }
}

fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

/// A boolean flag's explicit value (`--detach=false`), with pflag's error.
fn bool_value(cmd_path: &str, spec: &FlagSpec, v: &str) -> Result<bool, ParseError> {
    parse_bool(v).ok_or_else(|| {
        flag_error(
            cmd_path,
            format!("invalid argument {v:?} for {:?} flag: strconv.ParseBool: parsing {v:?}: invalid syntax", flag_display(spec)),
        )
    })
}

/// The `See 'docker X --help'.` suffix and exit status 125 of a flag error.
pub fn flag_error(cmd_path: &str, msg: impl std::fmt::Display) -> ParseError {
    ParseError::new(format!("{msg}\nSee 'docker {cmd_path} --help'."), 125)
}

/// How a flag is named in pflag's messages: `--name` or `-p, --publish`.
pub fn flag_display(spec: &FlagSpec) -> String {
    match spec.short {
        Some(c) => format!("-{c}, --{}", spec.long),
        None => format!("--{}", spec.long),
    }
}

/// Parses `args` against `specs`. With `interspersed` false, everything after the first
/// positional argument is positional (docker uses this for `service create IMAGE CMD...`).
pub fn parse(
    cmd_path: &str,
    specs: &[FlagSpec],
    args: &[String],
    interspersed: bool,
) -> Result<Parsed, ParseError> {
    let mut out = Parsed::default();
    let mut i = 0;
    let put = |out: &mut Parsed, spec: &FlagSpec, v: String| {
        let e = out.flags.entry(spec.long).or_default();
        if spec.arity == Arity::Multi {
            e.push(v);
        } else {
            *e = vec![v];
        }
    };
    while i < args.len() {
        let a = &args[i];
        if a == "--" {
            out.args.extend(args[i + 1..].iter().cloned());
            break;
        }
        if let Some(body) = a.strip_prefix("--").filter(|b| !b.is_empty()) {
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (body, None),
            };
            if name == "help" {
                out.help = true;
                i += 1;
                continue;
            }
            let Some(spec) = specs.iter().find(|s| s.long == name) else {
                return Err(flag_error(cmd_path, format!("unknown flag: --{name}")));
            };
            match spec.arity {
                Arity::Bool => {
                    let v = match inline {
                        Some(v) => bool_value(cmd_path, spec, &v)?,
                        None => true,
                    };
                    put(&mut out, spec, v.to_string());
                }
                _ => {
                    let v = match inline {
                        Some(v) => v,
                        None => {
                            i += 1;
                            match args.get(i) {
                                Some(v) => v.clone(),
                                None => {
                                    return Err(flag_error(
                                        cmd_path,
                                        format!("flag needs an argument: --{name}"),
                                    ));
                                }
                            }
                        }
                    };
                    put(&mut out, spec, v);
                }
            }
            i += 1;
            continue;
        }
        if a.len() > 1 && a.starts_with('-') && !a.starts_with("--") {
            let chars: Vec<char> = a[1..].chars().collect();
            let mut j = 0;
            while j < chars.len() {
                let c = chars[j];
                if c == 'h' && !specs.iter().any(|s| s.short == Some('h')) {
                    out.help = true;
                    j += 1;
                    continue;
                }
                let Some(spec) = specs.iter().find(|s| s.short == Some(c)) else {
                    return Err(flag_error(
                        cmd_path,
                        format!("unknown shorthand flag: '{c}' in {a}"),
                    ));
                };
                match spec.arity {
                    Arity::Bool => {
                        if chars.get(j + 1) == Some(&'=') {
                            let v: String = chars[j + 2..].iter().collect();
                            let b = bool_value(cmd_path, spec, &v)?;
                            put(&mut out, spec, b.to_string());
                            j = chars.len();
                            continue;
                        }
                        put(&mut out, spec, "true".into());
                        j += 1;
                    }
                    _ => {
                        let rest: String = chars[j + 1..].iter().collect();
                        let v = if !rest.is_empty() {
                            rest.strip_prefix('=')
                                .map(|s| s.to_string())
                                .unwrap_or(rest)
                        } else {
                            i += 1;
                            match args.get(i) {
                                Some(v) => v.clone(),
                                None => {
                                    return Err(flag_error(
                                        cmd_path,
                                        format!("flag needs an argument: '{c}' in -{c}"),
                                    ));
                                }
                            }
                        };
                        put(&mut out, spec, v);
                        j = chars.len();
                    }
                }
            }
            i += 1;
            continue;
        }
        out.args.push(a.clone());
        if !interspersed {
            out.args.extend(args[i + 1..].iter().cloned());
            break;
        }
        i += 1;
    }
    Ok(out)
}

/// Splits a command line into words like a POSIX shell: quotes, backslashes, no expansion.
pub fn split_line(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(x) => cur.push(x),
                        None => return Err("unterminated single quote".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(x @ ('"' | '\\' | '$' | '`')) => cur.push(x),
                            Some(x) => {
                                cur.push('\\');
                                cur.push(x);
                            }
                            None => return Err("unterminated double quote".into()),
                        },
                        Some(x) => cur.push(x),
                        None => return Err("unterminated double quote".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(x) => cur.push(x),
                    None => return Err("trailing backslash".into()),
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: &[FlagSpec] = &[
        flag("detach", Some('d'), Arity::Bool, ""),
        flag("quiet", Some('q'), Arity::Bool, ""),
        flag("publish", Some('p'), Arity::Multi, ""),
        flag("name", None, Arity::Value, ""),
    ];

    fn sv(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn pflag_forms() {
        let p = parse(
            "service create",
            SPECS,
            &sv(&[
                "--name=web",
                "-dq",
                "-p80:80",
                "-p",
                "443:443",
                "nginx",
                "--name",
                "x",
            ]),
            false,
        )
        .unwrap();
        assert_eq!(p.value("name"), Some("web"));
        assert!(p.bool("detach") && p.bool("quiet"));
        assert_eq!(p.values("publish"), sv(&["80:80", "443:443"]));
        assert_eq!(p.args, sv(&["nginx", "--name", "x"]));
        let p = parse(
            "service ls",
            SPECS,
            &sv(&["a", "--detach=false", "b"]),
            true,
        )
        .unwrap();
        assert_eq!(p.bool_opt("detach"), Some(false));
        assert_eq!(p.args, sv(&["a", "b"]));
    }

    #[test]
    fn pflag_errors() {
        let e = parse("service create", SPECS, &sv(&["--bogus"]), true).unwrap_err();
        assert_eq!(
            e.message,
            "unknown flag: --bogus\nSee 'docker service create --help'."
        );
        assert_eq!(e.exit, 125);
        let e = parse("service create", SPECS, &sv(&["-x"]), true).unwrap_err();
        assert_eq!(
            e.message,
            "unknown shorthand flag: 'x' in -x\nSee 'docker service create --help'."
        );
        let e = parse("service create", SPECS, &sv(&["--name"]), true).unwrap_err();
        assert!(e.message.starts_with("flag needs an argument: --name"));
        let e = parse("service create", SPECS, &sv(&["--detach=maybe"]), true).unwrap_err();
        assert!(
            e.message
                .starts_with("invalid argument \"maybe\" for \"-d, --detach\" flag")
        );
    }

    #[test]
    fn shell_words() {
        assert_eq!(
            split_line(r#"service create centos sh -c "while true;do echo tang;sleep 1;done""#)
                .unwrap(),
            sv(&[
                "service",
                "create",
                "centos",
                "sh",
                "-c",
                "while true;do echo tang;sleep 1;done"
            ])
        );
        assert_eq!(
            split_line("a 'b c' d\\ e \"\"").unwrap(),
            sv(&["a", "b c", "d e", ""])
        );
        assert!(split_line("echo 'oops").is_err());
    }
}
