//! kubectl's vocabulary, for completing a command line: its commands and subcommands, a
//! command's flags, the resource types the built-in cluster serves, and where an object's
//! name comes next.

use super::create::GENERATORS;
use super::pflag::GLOBAL_SPECS;
use super::verbs::VERBS;
use super::{COMMANDS, GROUPS};
use crate::kube::api::resources::RESOURCES;

/// kubectl's commands that docker has no command of the same name for: typed bare on the
/// console's `:` line, they are kubectl's (`:get pods`).
pub fn is_own_verb(word: &str) -> bool {
    // The docker CLI's own commands of the same names (whether opsconsole runs them yet
    // or not): typed bare, they stay docker's.
    const DOCKER_TOO: &[&str] = &[
        "create",
        "run",
        "exec",
        "logs",
        "cp",
        "version",
        "config",
        "attach",
        "events",
        "top",
        "wait",
        "diff",
        "plugin",
        "help",
        "options",
        "completion",
    ];
    COMMANDS.contains(&word) && !DOCKER_TOO.contains(&word)
}

/// Whether a word is one of kubectl's commands.
pub fn is_command(word: &str) -> bool {
    COMMANDS.contains(&word)
}

/// Every command, by its first word.
pub fn commands() -> Vec<String> {
    COMMANDS.iter().map(|c| c.to_string()).collect()
}

/// A group's subcommands (`rollout` → `status`, `history`, ...; `create` → its generators).
pub fn subcommands(group: &str) -> Vec<String> {
    if group == "create" {
        return GENERATORS
            .iter()
            .map(|(names, _)| names[0].split(' ').next().unwrap_or_default().to_string())
            .fold(Vec::new(), |mut v, n| {
                if !v.contains(&n) {
                    v.push(n);
                }
                v
            });
    }
    if group == "create secret" {
        return ["generic", "docker-registry", "tls"]
            .map(String::from)
            .to_vec();
    }
    let prefix = format!("{group} ");
    VERBS
        .iter()
        .filter_map(|(c, _, _)| c.strip_prefix(&prefix))
        .map(str::to_string)
        .collect()
}

/// Whether `first` names a group whose second word is the command.
pub fn is_group(first: &str) -> bool {
    GROUPS.contains(&first) || first == "create"
}

/// The long flags of a command (`get`, `rollout status`, `create deployment`) and the
/// global ones.
pub fn flags(command: &str) -> Vec<String> {
    let own: Vec<&super::pflag::Spec> = match command.strip_prefix("create ") {
        Some(g) => GENERATORS
            .iter()
            .find(|(n, _)| n[0] == g)
            .map(|(_, specs)| specs.iter().collect())
            .unwrap_or_default(),
        None => VERBS
            .iter()
            .find(|(c, _, _)| *c == command)
            .map(|(_, sets, _)| sets.iter().flat_map(|s| s.iter()).collect())
            .unwrap_or_default(),
    };
    let mut out: Vec<String> = own.iter().map(|s| format!("--{}", s.long)).collect();
    out.extend(GLOBAL_SPECS.iter().map(|s| format!("--{}", s.long)));
    out.dedup();
    out
}

/// Commands whose first argument is a resource type (`get pods`, `delete deploy web`).
pub fn takes_types(command: &str) -> bool {
    matches!(
        command,
        "get"
            | "describe"
            | "delete"
            | "edit"
            | "patch"
            | "label"
            | "annotate"
            | "scale"
            | "explain"
            | "wait"
            | "set image"
            | "autoscale"
            | "expose"
    ) || command.starts_with("rollout ")
}

/// The resource types the built-in cluster serves, by plural (each once).
pub fn resource_types() -> Vec<String> {
    let mut v: Vec<String> = RESOURCES.iter().map(|r| r.plural.to_string()).collect();
    v.sort();
    v.dedup();
    v
}

/// The plural a typed resource type names (`po`, `pod`, `pods`, `deploy`, `deployments.apps`).
pub fn plural_of(typed: &str) -> Option<&'static str> {
    let t = typed.to_lowercase();
    let name = t.split('.').next().unwrap_or_default();
    RESOURCES
        .iter()
        .find(|r| r.plural == name || r.singular == name || r.short_names.contains(&name))
        .map(|r| r.plural)
}

/// Whether some command's flag of this name (`--namespace`, `-n`) takes a value.
fn takes_value(flag: &str) -> bool {
    let specs = GLOBAL_SPECS
        .iter()
        .chain(
            VERBS
                .iter()
                .flat_map(|(_, sets, _)| sets.iter().flat_map(|s| s.iter())),
        )
        .chain(GENERATORS.iter().flat_map(|(_, specs)| specs.iter()));
    let mut specs = specs;
    match flag.strip_prefix("--") {
        Some(long) => specs.any(|s| s.long == long && s.value && s.bare.is_none()),
        None => {
            let short = flag.trim_start_matches('-').chars().last();
            specs.any(|s| s.short.is_some() && s.short == short && s.value)
        }
    }
}

/// The words that are not flags or their values.
fn words_not_flags<'a>(before: &[&'a str]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut skip = false;
    for w in before {
        if skip {
            skip = false;
        } else if w.starts_with('-') && w.len() > 1 {
            skip = !w.contains('=') && takes_value(w);
        } else {
            out.push(*w);
        }
    }
    out
}

/// What comes after the words typed so far (without `kubectl`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Next {
    Words(Vec<String>),
    /// The names of objects of this resource type.
    Names(&'static str),
    Nothing,
}

/// What may come next after `before`: a command, a subcommand, a resource type, or the
/// name of an object of the type given (`get pods <name>`, `logs <pod>`, `get deploy/<name>`).
pub fn next(before: &[&str]) -> Next {
    let args = words_not_flags(before);
    let Some(first) = args.first() else {
        return Next::Words(commands());
    };
    let (command, rest) = if is_group(first) && args.len() >= 2 {
        let sub = format!("{first} {}", args[1]);
        if sub == "create secret" {
            return match args.len() {
                2 => Next::Words(subcommands("create secret")),
                _ => Next::Nothing,
            };
        }
        (sub, &args[2..])
    } else if is_group(first) {
        return Next::Words(subcommands(first));
    } else {
        (first.to_string(), &args[1..])
    };
    match command.as_str() {
        "logs" | "exec" | "attach" | "port-forward" if rest.is_empty() => Next::Names("pods"),
        "cordon" | "uncordon" | "drain" | "taint" if rest.is_empty() => {
            if command == "taint" {
                Next::Words(vec!["nodes".into()])
            } else {
                Next::Names("nodes")
            }
        }
        "taint" if rest.len() == 1 => Next::Names("nodes"),
        c if takes_types(c) => match rest.first() {
            None => Next::Words(resource_types()),
            Some(t) => plural_of(t).map_or(Next::Nothing, Next::Names),
        },
        _ => Next::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_types_and_names_come_in_their_places() {
        assert!(is_own_verb("get"), "get");
        assert!(is_own_verb("rollout"), "rollout");
        assert!(!is_own_verb("exec"), "exec");
        assert!(matches!(next(&[]), Next::Words(w) if w.contains(&"apply".to_string())));
        assert!(matches!(next(&["rollout"]), Next::Words(w) if w.contains(&"undo".to_string())));
        assert!(
            matches!(next(&["create"]), Next::Words(w) if w.contains(&"deployment".to_string()) && w.contains(&"secret".to_string()))
        );
        assert!(
            matches!(next(&["get"]), Next::Words(w) if w.contains(&"deployments".to_string()) && w.contains(&"pods".to_string()))
        );
        assert_eq!(next(&["get", "po"]), Next::Names("pods"));
        assert_eq!(
            next(&["-n", "kube-system", "get", "deploy"]),
            Next::Names("deployments")
        );
        assert_eq!(
            next(&["rollout", "undo", "deployment"]),
            Next::Names("deployments")
        );
        assert_eq!(next(&["logs"]), Next::Names("pods"));
        assert_eq!(next(&["drain"]), Next::Names("nodes"));
        assert!(flags("get").contains(&"--show-labels".to_string()));
        assert!(flags("rollout undo").contains(&"--to-revision".to_string()));
        assert!(flags("create deployment").contains(&"--replicas".to_string()));
        assert!(flags("get").contains(&"--namespace".to_string()));
    }
}
