//! The `:` line: the ctl command language (with or without `docker`), plus the console's own
//! navigation commands, with tab completion of verbs, flags and object names.

use super::data::Data;
use crate::backend::view::{Phase, ResKind};
use opsconsole_sim::lang::complete::{self, Names, Next};

/// A console command typed on the `:` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NavCmd {
    Nodes,
    Services,
    Tasks(Option<String>),
    Logs(Option<String>),
    Volumes,
    Rollouts(Option<String>),
    /// The workloads of one kind (k9s's `:deploy`, `:sts`, `:cj`), or of every kind.
    Workloads(Option<ResKind>),
    /// `:ns NAME|all` scopes the Kubernetes views; `:ns` lists the namespaces.
    Namespace(Option<String>),
    /// `:ev`: the events of the namespace in view.
    Events,
    Help,
    Quit,
}

pub const NAV_WORDS: &[&str] = &[
    "nodes", "services", "tasks", "logs", "volumes", "rollouts", "help", "quit",
];

/// k9s's resource jumps: what a Kubernetes operator types to see one kind of object.
pub const KUBE_JUMPS: &[&str] = &[
    "pods",
    "po",
    "deploy",
    "rs",
    "ds",
    "sts",
    "job",
    "cj",
    "workloads",
    "ns",
    "ev",
];

/// The workload kind a resource jump names (`deploy`, `deployments`, `sts`...).
fn workload_kind(word: &str) -> Option<Option<ResKind>> {
    Some(Some(match word {
        "deploy" | "deployment" | "deployments" => ResKind::Deployment,
        "rs" | "replicaset" | "replicasets" => ResKind::ReplicaSet,
        "ds" | "daemonset" | "daemonsets" => ResKind::DaemonSet,
        "sts" | "statefulset" | "statefulsets" => ResKind::StatefulSet,
        "job" | "jobs" => ResKind::Job,
        "cj" | "cronjob" | "cronjobs" => ResKind::CronJob,
        "workloads" | "wl" => return Some(None),
        _ => return None,
    }))
}

/// The console's own commands; anything else is for the backend. `logs` with more than one
/// argument, or with flags, is docker's.
pub fn nav(words: &[String]) -> Option<NavCmd> {
    let arg = words.get(1).cloned();
    if words.len() > 2 || arg.as_deref().is_some_and(|a| a.starts_with('-')) {
        return None;
    }
    let first = words.first()?.as_str();
    if let Some(kind) = workload_kind(first)
        && arg.is_none()
    {
        return Some(NavCmd::Workloads(kind));
    }
    Some(match first {
        "nodes" | "no" if arg.is_none() => NavCmd::Nodes,
        "pods" | "po" | "pod" => NavCmd::Tasks(arg),
        "ns" | "namespace" | "namespaces" => NavCmd::Namespace(arg),
        "ev" | "events" | "event" if arg.is_none() => NavCmd::Events,
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
    d.store
        .workloads
        .values()
        .map(|s| s.name().to_string())
        .collect()
}
fn nodes(d: &Data) -> Vec<String> {
    d.store
        .hosts
        .values()
        .map(|n| n.hostname().to_string())
        .collect()
}
fn tasks(d: &Data) -> Vec<String> {
    d.store
        .replicas
        .values()
        .filter(|t| t.desired <= Phase::Running)
        .map(|t| t.name().to_string())
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

        v.extend(complete::verbs());
        v
    };
    let Some(first) = before.first() else {
        return top();
    };
    // Flags of the command being typed.
    if word.starts_with('-') {
        return complete::flags(before);
    }
    match (*first, before.len()) {
        ("tasks" | "pods" | "po", 1) => return [services(d), nodes(d)].concat(),
        ("ns" | "namespace", 1) => {
            let mut v = vec!["all".to_string()];
            v.extend(d.kube_names.get("namespaces").cloned().unwrap_or_default());
            return v;
        }
        ("logs", 1) => return [services(d), tasks(d)].concat(),
        ("rollouts", 1) => return services(d),
        _ => {}
    }
    match complete::next(before) {
        Next::Words(w) => w,
        Next::Names(Names::Kube(_)) => kube_names_key(before)
            .and_then(|k| d.kube_names.get(&k).cloned())
            .unwrap_or_default(),
        Next::Names(n) => names(d, n),
        Next::Nothing => Vec::new(),
    }
}

/// When the word after `before` is a Kubernetes object's name: the words of the `kubectl
/// get` that lists them (the type, and the line's namespace flags), which also key
/// `Data::kube_names`.
pub fn kube_names_key(before: &[&str]) -> Option<String> {
    if matches!(before, ["ns" | "namespace"]) {
        return Some("namespaces".into());
    }
    let Next::Names(Names::Kube(plural)) = complete::next(before) else {
        return None;
    };
    let mut key = vec![plural.to_string()];
    let mut words = before.iter();
    while let Some(w) = words.next() {
        match *w {
            "-n" | "--namespace" => {
                if let Some(ns) = words.next() {
                    key.push(format!("--namespace={ns}"));
                }
            }
            "-A" | "--all-namespaces" => key.push("-A".into()),
            w if w.starts_with("--namespace=") => key.push(w.to_string()),
            w if w.starts_with("-n") && w.len() > 2 => {
                key.push(format!("--namespace={}", w[2..].trim_start_matches('=')))
            }
            _ => {}
        }
    }
    Some(key.join(" "))
}

/// Object names from `kubectl get ... -o name` output (`pod/web-0` → `web-0`).
pub fn names_from_output(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|l| l.rsplit_once('/').map(|(_, n)| n.to_string()))
        .collect()
}

/// The names of the objects of a kind the console knows.
fn names(d: &Data, n: Names) -> Vec<String> {
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v.dedup();
        v
    };
    match n {
        Names::Services => services(d),
        Names::ServiceScales => services(d).into_iter().map(|s| format!("{s}=")).collect(),
        Names::Nodes => nodes(d),
        Names::Tasks => tasks(d),
        Names::Volumes => sorted(
            d.store
                .storage
                .values()
                .map(|v| v.name().to_string())
                .collect(),
        ),
        Names::Networks => d
            .store
            .networks
            .values()
            .map(|n| n.name().to_string())
            .collect(),
        // Looked up by the line's namespace in `candidates`.
        Names::Kube(_) => Vec::new(),
        Names::Stacks => sorted(
            d.store
                .workloads
                .values()
                .filter_map(|s| s.stack.clone())
                .collect(),
        ),
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
        assert_eq!(
            nav(&w("deploy")),
            Some(NavCmd::Workloads(Some(ResKind::Deployment)))
        );
        assert_eq!(
            nav(&w("cj")),
            Some(NavCmd::Workloads(Some(ResKind::CronJob)))
        );
        assert_eq!(nav(&w("workloads")), Some(NavCmd::Workloads(None)));
        assert_eq!(nav(&w("po web")), Some(NavCmd::Tasks(Some("web".into()))));
        assert_eq!(
            nav(&w("ns kube-system")),
            Some(NavCmd::Namespace(Some("kube-system".into())))
        );
        assert_eq!(nav(&w("ns")), Some(NavCmd::Namespace(None)));
        assert_eq!(nav(&w("ev")), Some(NavCmd::Events));
        // kubectl's own words stay kubectl's.
        assert_eq!(nav(&w("deploy web")), None);
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
