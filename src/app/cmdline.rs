//! The `:` line: the ctl command language (with or without `docker`), plus the console's own
//! navigation commands, with tab completion of verbs, flags and object names.

use super::data::Data;
use opsconsole_sim::lang::docker::{COMMANDS, GROUPS};

/// A console command typed on the `:` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NavCmd {
    Nodes,
    Services,
    Tasks(Option<String>),
    Logs(Option<String>),
    Volumes,
    Rollouts(Option<String>),
    Help,
    Quit,
}

pub const NAV_WORDS: &[&str] = &[
    "nodes", "services", "tasks", "logs", "volumes", "rollouts", "help", "quit",
];

/// The console's own commands; anything else is for the backend. `logs` with more than one
/// argument, or with flags, is docker's.
pub fn nav(words: &[String]) -> Option<NavCmd> {
    let arg = words.get(1).cloned();
    if words.len() > 2 || arg.as_deref().is_some_and(|a| a.starts_with('-')) {
        return None;
    }
    Some(match words.first()?.as_str() {
        "nodes" | "no" if arg.is_none() => NavCmd::Nodes,
        "services" | "svc" if arg.is_none() => NavCmd::Services,
        "tasks" => NavCmd::Tasks(arg),
        "logs" => NavCmd::Logs(arg),
        "volumes" | "vol" if arg.is_none() => NavCmd::Volumes,
        "rollouts" => NavCmd::Rollouts(arg),
        "help" if arg.is_none() => NavCmd::Help,
        "quit" | "q" | "q!" | "exit" if arg.is_none() => NavCmd::Quit,
        _ => return None,
    })
}

fn services(d: &Data) -> Vec<String> {
    d.services.values().map(|s| s.name.clone()).collect()
}
fn nodes(d: &Data) -> Vec<String> {
    d.nodes.values().map(|n| n.hostname.clone()).collect()
}
fn tasks(d: &Data) -> Vec<String> {
    d.tasks
        .values()
        .filter(|t| t.desired <= opsconsole_sim::model::TaskState::Running)
        .map(|t| t.name())
        .collect()
}

/// Candidates for the word being typed after `before` (the complete words before it).
pub fn candidates(before: &[&str], word: &str, d: &Data) -> Vec<String> {
    let before: &[&str] = match before.first() {
        Some(&"docker") => &before[1..],
        _ => before,
    };
    let top = || {
        let mut v: Vec<String> = NAV_WORDS.iter().map(|s| s.to_string()).collect();
        v.extend(GROUPS.iter().map(|(g, _)| g.to_string()));
        v.extend(
            COMMANDS
                .iter()
                .filter(|c| !c.path.contains(' '))
                .map(|c| c.path.to_string()),
        );
        v.push("sim".into());
        v
    };
    let Some(first) = before.first() else {
        return top();
    };
    // Flags of the command being typed.
    if word.starts_with('-') {
        let path = if before.len() >= 2 {
            format!("{} {}", before[0], before[1])
        } else {
            before[0].to_string()
        };
        return COMMANDS
            .iter()
            .find(|c| c.path == path || c.path == before[0])
            .map(|c| c.flags.iter().map(|f| format!("--{}", f.long)).collect())
            .unwrap_or_default();
    }
    match (*first, before.len()) {
        ("tasks", 1) => [services(d), nodes(d)].concat(),
        ("logs", 1) => [services(d), tasks(d)].concat(),
        ("rollouts", 1) => services(d),
        ("sim", 1) => [
            "advance", "node", "task", "update", "strategy", "demo", "status",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        ("sim", 2) => match before[1] {
            "node" => vec!["down".into(), "up".into(), "add".into()],
            "task" => vec!["stop".into(), "crash".into()],
            "update" => vec!["pause".into(), "resume".into()],
            "strategy" => vec!["spread".into(), "binpack".into(), "random".into()],
            _ => Vec::new(),
        },
        ("sim", _) => match before[1] {
            "node" => nodes(d),
            "task" => tasks(d),
            "update" => services(d),
            _ => Vec::new(),
        },
        (group, 1) if GROUPS.iter().any(|(g, _)| *g == group) => COMMANDS
            .iter()
            .filter_map(|c| c.path.strip_prefix(&format!("{group} ")))
            .map(str::to_string)
            .collect(),
        ("service", _) if before.get(1) == Some(&"scale") => {
            services(d).into_iter().map(|s| format!("{s}=")).collect()
        }
        ("service", _) => services(d),
        ("node", _) => nodes(d),
        ("volume", _) => {
            let mut v: Vec<String> = d.volumes.values().map(|v| v.name.clone()).collect();
            v.sort();
            v.dedup();
            v
        }
        ("network", _) => d.networks.values().map(|n| n.name.clone()).collect(),
        ("stack", _) => {
            let mut v: Vec<String> = d
                .services
                .values()
                .filter_map(|s| s.stack.clone())
                .collect();
            v.sort();
            v.dedup();
            v
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn navigation_commands_and_docker_commands_are_told_apart() {
        assert_eq!(
            nav(&w("tasks web")),
            Some(NavCmd::Tasks(Some("web".into())))
        );
        assert_eq!(nav(&w("logs")), Some(NavCmd::Logs(None)));
        assert_eq!(nav(&w("q")), Some(NavCmd::Quit));
        assert_eq!(nav(&w("logs -f abc")), None);
        assert_eq!(nav(&w("service ls")), None);
        assert_eq!(nav(&w("nodes x")), None);
    }

    #[test]
    fn completes_verbs_subcommands_and_flags() {
        let d = Data::default();
        assert!(candidates(&[], "", &d).contains(&"service".to_string()));
        assert!(candidates(&[], "", &d).contains(&"rollouts".to_string()));
        let sub = candidates(&["service"], "", &d);
        assert!(sub.contains(&"scale".to_string()) && sub.contains(&"rollback".to_string()));
        let sub = candidates(&["docker", "node"], "", &d);
        assert!(sub.contains(&"update".to_string()));
        let flags = candidates(&["service", "update"], "--im", &d);
        assert!(flags.contains(&"--image".to_string()));
        assert!(candidates(&["sim", "node"], "", &d).contains(&"down".to_string()));
    }
}
