//! kubectl's flags as pflag parses them: `--flag=v`, `--flag v`, `-fv`, `-f v`, `-abc`, `--`
//! ending them; integer flags checked as pflag checks them; the global flags.

use super::super::flags::ParseError;
use super::Globals;

/// One flag: its long name, its shorthand, whether it takes a value, and whether pflag
/// reads that value as an integer.
pub(super) struct Spec {
    pub(super) long: &'static str,
    pub(super) short: Option<char>,
    pub(super) value: bool,
    pub(super) int: bool,
    /// The value a bare `--flag` has (pflag's `NoOptDefVal`), for a flag with a value.
    pub(super) bare: Option<&'static str>,
}

pub(super) const fn flag(long: &'static str, short: Option<char>, value: bool) -> Spec {
    Spec {
        long,
        short,
        value,
        int: false,
        bare: None,
    }
}

/// A flag with a value that may be given bare (`--dry-run` is `--dry-run=unchanged`).
pub(super) const fn optional(long: &'static str, bare: &'static str) -> Spec {
    Spec {
        long,
        short: None,
        value: true,
        int: false,
        bare: Some(bare),
    }
}

/// A flag whose value pflag parses as an integer (a value that is not one fails the parse).
pub(super) const fn int(long: &'static str, short: Option<char>) -> Spec {
    Spec {
        long,
        short,
        value: true,
        int: true,
        bare: None,
    }
}

/// The global flags, as pflag knows them.
pub(super) const GLOBAL_SPECS: &[Spec] = &[
    flag("namespace", Some('n'), true),
    flag("context", None, true),
    flag("kubeconfig", None, true),
    flag("cluster", None, true),
    flag("user", None, true),
    flag("server", Some('s'), true),
    flag("token", None, true),
    flag("as", None, true),
    flag("as-group", None, true),
    flag("as-uid", None, true),
    flag("request-timeout", None, true),
    flag("certificate-authority", None, true),
    flag("client-certificate", None, true),
    flag("client-key", None, true),
    flag("tls-server-name", None, true),
    flag("insecure-skip-tls-verify", None, false),
    flag("v", Some('v'), true),
    flag("cache-dir", None, true),
    flag("profile", None, true),
    flag("profile-output", None, true),
    flag("match-server-version", None, false),
    flag("warnings-as-errors", None, false),
    flag("disable-compression", None, false),
];

/// What pflag made of a command line: each flag's values by long name, and the other words.
#[derive(Default)]
pub(super) struct Parsed {
    pub(super) values: Vec<(&'static str, String)>,
    pub(super) words: Vec<String>,
    /// How many words came before `--`, if it was given.
    pub(super) dash_at: Option<usize>,
    /// The flags given whose values are integers, with their shorthands.
    pub(super) ints: Vec<(&'static str, Option<char>)>,
    /// The command (`create deployment`) and how many words name it.
    pub(super) command: String,
    pub(super) depth: usize,
}

impl Parsed {
    pub(super) fn push(&mut self, spec: &Spec, v: String) {
        if spec.int && !self.ints.iter().any(|(l, _)| *l == spec.long) {
            self.ints.push((spec.long, spec.short));
        }
        self.values.push((spec.long, v));
    }
    pub(super) fn last(&self, long: &str) -> Option<String> {
        self.values
            .iter()
            .rev()
            .find(|(l, _)| *l == long)
            .map(|(_, v)| v.clone())
    }
    pub(super) fn all(&self, long: &str) -> Vec<String> {
        self.values
            .iter()
            .filter(|(l, _)| *l == long)
            .map(|(_, v)| v.clone())
            .collect()
    }
    pub(super) fn on(&self, long: &str) -> bool {
        self.last(long).is_some_and(|v| v != "false")
    }
}

/// kubectl's usage hint after a flag error.
pub(super) fn usage_error(message: String, command: &str) -> ParseError {
    let see = if command.is_empty() {
        "See 'kubectl --help' for usage.".to_string()
    } else {
        format!("See 'kubectl {command} --help' for usage.")
    };
    ParseError::new(format!("error: {message}\n{see}"), 1)
}

/// Parses flags as pflag does (`--flag=v`, `--flag v`, `-fv`, `-f v`, `-abc` for booleans,
/// `--` ending them), against the global flags and the command's own sets.
pub(super) fn pflags(
    args: &[String],
    own: &[&[Spec]],
    command: &str,
) -> Result<Parsed, ParseError> {
    let all = || GLOBAL_SPECS.iter().chain(own.iter().flat_map(|s| s.iter()));
    let find_long = |n: &str| all().find(|s| s.long == n);
    let find_short = |c: char| all().find(|s| s.short == Some(c));
    let mut p = Parsed::default();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if a == "--" {
            p.dash_at = Some(p.words.len());
            p.words.extend(args[i..].iter().cloned());
            break;
        }
        if let Some(long) = a.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let Some(spec) = find_long(name) else {
                return Err(usage_error(format!("unknown flag: --{name}"), command));
            };
            let v = match (spec.value, inline) {
                (_, Some(v)) => v,
                (true, None) if spec.bare.is_some() => spec.bare.unwrap_or_default().into(),
                (true, None) if i < args.len() => {
                    i += 1;
                    args[i - 1].clone()
                }
                (true, None) => {
                    return Err(usage_error(
                        format!("flag needs an argument: --{name}"),
                        command,
                    ));
                }
                (false, None) => "true".into(),
            };
            p.push(spec, v);
        } else if a.len() > 1 && a.starts_with('-') {
            let chars: Vec<char> = a[1..].chars().collect();
            let mut j = 0;
            while j < chars.len() {
                let c = chars[j];
                let Some(spec) = find_short(c) else {
                    return Err(usage_error(
                        format!("unknown shorthand flag: '{c}' in {a}"),
                        command,
                    ));
                };
                if !spec.value {
                    p.values.push((spec.long, "true".into()));
                    j += 1;
                    continue;
                }
                let rest: String = chars[j + 1..].iter().collect();
                let v = if !rest.is_empty() {
                    rest.strip_prefix('=').unwrap_or(&rest).to_string()
                } else if i < args.len() {
                    i += 1;
                    args[i - 1].clone()
                } else {
                    return Err(usage_error(
                        format!("flag needs an argument: '{c}' in {a}"),
                        command,
                    ));
                };
                p.push(spec, v);
                break;
            }
        } else {
            p.words.push(a.clone());
        }
    }
    Ok(p)
}

/// pflag's error for the first integer flag whose value is not an integer.
pub(super) fn check_ints(p: &Parsed, command: &str) -> Result<(), ParseError> {
    for (long, v) in &p.values {
        let Some((_, short)) = p.ints.iter().find(|(l, _)| l == long) else {
            continue;
        };
        if v.parse::<i64>().is_err() {
            let name = match short {
                Some(c) => format!("-{c}, --{long}"),
                None => format!("--{long}"),
            };
            return Err(usage_error(
                format!(
                    "invalid argument \"{v}\" for \"{name}\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax"
                ),
                command,
            ));
        }
    }
    Ok(())
}

/// The global flags given, except those the command defines for itself (`create
/// rolebinding --user` names a subject, not the kubeconfig's user: pflag's local flag
/// shadows the global one).
pub(super) fn globals(p: &Parsed, own: &[&[Spec]]) -> Globals {
    let shadowed = |long: &str| own.iter().flat_map(|s| s.iter()).any(|s| s.long == long);
    let last = |long: &str| p.last(long).filter(|_| !shadowed(long));
    Globals {
        namespace: p.last("namespace"),
        context: p.last("context"),
        kubeconfig: p.last("kubeconfig"),
        as_user: p.last("as"),
        as_groups: p.all("as-group"),
        verbosity: p.last("v"),
        cluster: last("cluster"),
        user: last("user"),
        server: last("server"),
        token: last("token"),
        certificate_authority: last("certificate-authority"),
        insecure_skip_tls_verify: !shadowed("insecure-skip-tls-verify")
            && p.on("insecure-skip-tls-verify"),
        change_cause: String::new(),
    }
}
