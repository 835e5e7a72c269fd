//! The language's vocabulary, for completing a command line: the verbs, a group's
//! subcommands, a command's flags, and which kind of object's name comes next.

use super::docker::{GROUPS, commands};

/// The kind of object whose name a command takes next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Names {
    Services,
    /// Services, as `NAME=` (`service scale`).
    ServiceScales,
    Nodes,
    Tasks,
    Volumes,
    Networks,
    Stacks,
    /// Objects of the Kubernetes cluster, of this resource type (a plural).
    Kube(&'static str),
}

/// What may come after `before` (the words typed so far, without `docker`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Next {
    Words(Vec<String>),
    Names(Names),
    Nothing,
}

const SIM_VERBS: &[&str] = &[
    "advance", "node", "task", "update", "strategy", "demo", "status",
];

/// The first words: command groups, one-word commands, `sim`.
pub fn verbs() -> Vec<String> {
    let mut v: Vec<String> = GROUPS.iter().map(|(g, _)| g.to_string()).collect();
    v.extend(
        commands()
            .filter(|c| !c.path.contains(' '))
            .map(|c| c.path.to_string()),
    );
    v.push("sim".into());
    v.push("kubectl".into());
    v.extend(
        super::kubectl::vocab::commands()
            .into_iter()
            .filter(|c| super::kubectl::vocab::is_own_verb(c)),
    );
    v
}

/// The words of a kubectl command line (without `kubectl`), if `before` is one: it starts
/// with `kubectl`, or with a verb only kubectl has (`get`).
fn kubectl_words<'a, 'b>(before: &'a [&'b str]) -> Option<&'a [&'b str]> {
    match before.first() {
        Some(&"kubectl") => Some(&before[1..]),
        Some(w) if super::kubectl::vocab::is_own_verb(w) => Some(before),
        _ => None,
    }
}

/// The long flags of the command `before` names.
pub fn flags(before: &[&str]) -> Vec<String> {
    if let Some(k) = kubectl_words(before) {
        let words: Vec<&str> = k.iter().copied().filter(|w| !w.starts_with('-')).collect();
        let command = match words.as_slice() {
            [g, sub, ..] if super::kubectl::vocab::is_group(g) => format!("{g} {sub}"),
            [c, ..] => c.to_string(),
            [] => String::new(),
        };
        return super::kubectl::vocab::flags(&command);
    }
    let Some(first) = before.first() else {
        return Vec::new();
    };
    let path = match before.get(1) {
        Some(second) => format!("{first} {second}"),
        None => first.to_string(),
    };
    commands()
        .find(|c| c.path == path || c.path == *first)
        .map(|c| c.flags.iter().map(|f| format!("--{}", f.long)).collect())
        .unwrap_or_default()
}

/// What comes after `before` (the first words when it is empty).
pub fn next(before: &[&str]) -> Next {
    let Some(first) = before.first() else {
        return Next::Words(verbs());
    };
    if let Some(k) = kubectl_words(before) {
        return match super::kubectl::vocab::next(k) {
            super::kubectl::vocab::Next::Words(w) => Next::Words(w),
            super::kubectl::vocab::Next::Names(plural) => Next::Names(Names::Kube(plural)),
            super::kubectl::vocab::Next::Nothing => Next::Nothing,
        };
    }
    let words = |w: &[&str]| Next::Words(w.iter().map(|s| s.to_string()).collect());
    match (*first, before.len()) {
        ("sim", 1) => words(SIM_VERBS),
        ("sim", 2) => match before[1] {
            "node" => words(&["down", "up", "add"]),
            "task" => words(&["stop", "crash"]),
            "update" => words(&["pause", "resume"]),
            "strategy" => words(&["spread", "binpack", "random"]),
            _ => Next::Nothing,
        },
        ("sim", _) => match before[1] {
            "node" => Next::Names(Names::Nodes),
            "task" => Next::Names(Names::Tasks),
            "update" => Next::Names(Names::Services),
            _ => Next::Nothing,
        },
        (group, 1) if GROUPS.iter().any(|(g, _)| *g == group) => Next::Words(
            commands()
                .filter_map(|c| c.path.strip_prefix(&format!("{group} ")))
                .map(str::to_string)
                .collect(),
        ),
        ("service", _) if before.get(1) == Some(&"scale") => Next::Names(Names::ServiceScales),
        ("service", _) => Next::Names(Names::Services),
        ("node", _) => Next::Names(Names::Nodes),
        ("volume", _) => Next::Names(Names::Volumes),
        ("network", _) => Next::Names(Names::Networks),
        ("stack", _) => Next::Names(Names::Stacks),
        _ => Next::Nothing,
    }
}
