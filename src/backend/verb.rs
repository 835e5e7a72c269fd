//! What the console asks a backend to do, typed: panes emit [`Verb`]s, and [`render`] turns
//! one into the command line its backend takes (docker's words for a swarm or an engine;
//! the simulator's `sim` words for what only the built-in cluster can do). The line is what
//! the status line shows, what runs (through the one command-language parser) and what a
//! read-only backend checks.

use super::BackendInfo;
use super::view::{ObjRef, ResKind, Schedulable};

/// A change to one object, or a new object.
#[derive(Clone, Debug, PartialEq)]
pub enum Verb {
    /// Replicas as the user typed them (the language checks them).
    Scale {
        target: ObjRef,
        replicas: String,
    },
    SetImage {
        target: ObjRef,
        image: String,
    },
    Rollback {
        target: ObjRef,
    },
    /// Roll a Kubernetes workload back to one of its revisions.
    RollbackTo {
        target: ObjRef,
        revision: i64,
    },
    /// Pause or resume the workload's rollout in progress.
    Pause {
        target: ObjRef,
    },
    Resume {
        target: ObjRef,
    },
    Remove {
        target: ObjRef,
    },
    /// Delete a Kubernetes object, leaving what it owns (`--cascade=orphan`).
    Orphan {
        target: ObjRef,
    },
    /// Run a CronJob's Job now, under this name (`kubectl create job NAME --from=cronjob/X`).
    Trigger {
        target: ObjRef,
        job: String,
    },
    SetAvailability {
        target: ObjRef,
        to: Schedulable,
    },
    Promote {
        target: ObjRef,
    },
    Demote {
        target: ObjRef,
    },
    /// `key=value`.
    LabelAdd {
        target: ObjRef,
        label: String,
    },
    LabelRm {
        target: ObjRef,
        key: String,
    },
    /// The built-in cluster's node down and up.
    PowerDown {
        target: ObjRef,
    },
    PowerUp {
        target: ObjRef,
    },
    /// The built-in cluster's task stop (its container exits 0) and crash (exits 1).
    Exit {
        target: ObjRef,
        crash: bool,
    },
    Start {
        target: ObjRef,
    },
    Stop {
        target: ObjRef,
    },
    Restart {
        target: ObjRef,
    },
    CreateVolume {
        node: String,
        name: String,
    },
    RemoveVolume {
        node: String,
        name: String,
    },
    /// `docker stack deploy -c FILE NAME`, with the file and the name as the user typed
    /// them.
    DeployStack {
        args: Vec<String>,
    },
}

/// A command line for a backend, and the node it is sent to (container and volume
/// commands), if not the default.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub words: Vec<String>,
    pub on: Option<String>,
}

fn line(words: &[&str]) -> Result<Line, String> {
    Ok(Line {
        words: words.iter().map(|s| s.to_string()).collect(),
        on: None,
    })
}

/// The command line `v` is on the backend `info` describes.
pub fn render(v: &Verb, info: &BackendInfo) -> Result<Line, String> {
    use Verb::*;
    if let Some(target) = v.target().filter(|t| t.kind.kube_type().is_some()) {
        return kubectl(v, target);
    }
    match v {
        Scale { target, replicas } => {
            line(&["service", "scale", &format!("{}={replicas}", target.name)])
        }
        SetImage { target, image } => line(&["service", "update", "--image", image, &target.name]),
        Rollback { target } => line(&["service", "rollback", &target.name]),
        RollbackTo { target, .. } => Err(format!(
            "a {} keeps one previous spec: roll back to it",
            target.kind.noun()
        )),
        Pause { target } => line(&["sim", "update", "pause", &target.name]),
        // A real engine resumes a paused update on the next service update.
        Resume { target } if info.simulated => line(&["sim", "update", "resume", &target.name]),
        Resume { target } => line(&["service", "update", "--detach", &target.name]),
        Remove { target } => remove(target),
        Orphan { target } => Err(format!("a {} owns nothing to keep", target.kind.noun())),
        Trigger { target, .. } => Err(format!("a {} has no schedule to run", target.kind.noun())),
        SetAvailability { target, to } => {
            let a = to.title().to_ascii_lowercase();
            line(&["node", "update", "--availability", &a, &target.name])
        }
        Promote { target } => line(&["node", "promote", &target.name]),
        Demote { target } => line(&["node", "demote", &target.name]),
        LabelAdd { target, label } => line(&["node", "update", "--label-add", label, &target.name]),
        LabelRm { target, key } => line(&["node", "update", "--label-rm", key, &target.name]),
        PowerDown { target } => line(&["sim", "node", "down", &target.name]),
        PowerUp { target } => line(&["sim", "node", "up", &target.name]),
        Exit { target, crash } => {
            let how = if *crash { "crash" } else { "stop" };
            line(&["sim", "task", how, &target.uid])
        }
        Start { target } => line(&["start", &target.uid]),
        Stop { target } => line(&["stop", &target.uid]),
        Restart { target } => line(&["restart", &target.uid]),
        CreateVolume { node, name } => Ok(Line {
            words: vec!["volume".into(), "create".into(), name.clone()],
            on: Some(node.clone()),
        }),
        RemoveVolume { node, name } => Ok(Line {
            words: vec!["volume".into(), "rm".into(), name.clone()],
            on: Some(node.clone()),
        }),
        DeployStack { args } => {
            let mut words = vec!["stack".to_string(), "deploy".into(), "-c".into()];
            words.extend(args.iter().cloned());
            Ok(Line { words, on: None })
        }
    }
}

impl Verb {
    /// The object it changes, if one.
    pub fn target(&self) -> Option<&ObjRef> {
        use Verb::*;
        match self {
            Scale { target, .. }
            | SetImage { target, .. }
            | Rollback { target }
            | RollbackTo { target, .. }
            | Pause { target }
            | Resume { target }
            | Remove { target }
            | Orphan { target }
            | Trigger { target, .. }
            | SetAvailability { target, .. }
            | Promote { target }
            | Demote { target }
            | LabelAdd { target, .. }
            | LabelRm { target, .. }
            | PowerDown { target }
            | PowerUp { target }
            | Exit { target, .. }
            | Start { target }
            | Stop { target }
            | Restart { target } => Some(target),
            CreateVolume { .. } | RemoveVolume { .. } | DeployStack { .. } => None,
        }
    }
}

/// kubectl's words for a verb on a Kubernetes object.
fn kubectl(v: &Verb, target: &ObjRef) -> Result<Line, String> {
    use Verb::*;
    let ty = target.kind.kube_type().unwrap_or_default();
    let obj = format!("{ty}/{}", target.name);
    let mut words: Vec<String> = vec!["kubectl".into()];
    let mut add = |ws: &[&str]| words.extend(ws.iter().map(|w| w.to_string()));
    match v {
        Scale { replicas, .. } => add(&["scale", &obj, &format!("--replicas={replicas}")]),
        SetImage { image, .. } => add(&["set", "image", &obj, &format!("*={image}")]),
        Rollback { .. } => add(&["rollout", "undo", &obj]),
        RollbackTo { revision, .. } => add(&[
            "rollout",
            "undo",
            &obj,
            &format!("--to-revision={revision}"),
        ]),
        // A CronJob is paused by suspending it.
        Pause { .. } | Resume { .. } if target.kind == ResKind::CronJob => {
            let on = matches!(v, Pause { .. });
            add(&[
                "patch",
                &obj,
                "-p",
                &format!("{{\"spec\":{{\"suspend\":{on}}}}}"),
            ])
        }
        Pause { .. } => add(&["rollout", "pause", &obj]),
        Resume { .. } => add(&["rollout", "resume", &obj]),
        Trigger { job, .. } if target.kind == ResKind::CronJob => {
            add(&["create", "job", job, &format!("--from={obj}")])
        }
        Restart { .. } => add(&["rollout", "restart", &obj]),
        Remove { .. } => add(&["delete", ty, &target.name]),
        Orphan { .. } => add(&["delete", ty, &target.name, "--cascade=orphan"]),
        SetAvailability { to, .. } => match to {
            Schedulable::Active => add(&["uncordon", &target.name]),
            Schedulable::Pause => add(&["cordon", &target.name]),
            Schedulable::Drain => add(&[
                "drain",
                &target.name,
                "--ignore-daemonsets",
                "--delete-emptydir-data",
            ]),
        },
        LabelAdd { label, .. } => add(&["label", ty, &target.name, label]),
        LabelRm { key, .. } => add(&["label", ty, &target.name, &format!("{key}-")]),
        other => {
            return Err(format!(
                "a Kubernetes {} cannot be {}",
                target.kind.noun(),
                other.past_tense()
            ));
        }
    }
    if let Some(ns) = &target.ns {
        words.push("-n".into());
        words.push(ns.clone());
    }
    Ok(Line { words, on: None })
}

impl Verb {
    /// What the verb does, for messages ("a pod cannot be promoted").
    fn past_tense(&self) -> &'static str {
        use Verb::*;
        match self {
            Promote { .. } => "promoted",
            Demote { .. } => "demoted",
            PowerDown { .. } | PowerUp { .. } => "powered down or up",
            Exit { .. } => "stopped or crashed",
            Start { .. } => "started",
            Stop { .. } => "stopped",
            _ => "changed so",
        }
    }
}

fn remove(target: &ObjRef) -> Result<Line, String> {
    match target.kind {
        ResKind::SwarmService => line(&["service", "rm", &target.name]),
        ResKind::Container => line(&["rm", "--force", &target.uid]),
        other => Err(format!("a {} cannot be removed", other.noun())),
    }
}

/// The command that lists a workload's revisions, if it has any.
pub fn revisions_listing(r: &ObjRef, selector: &str) -> Option<Vec<String>> {
    let ty = match r.kind {
        ResKind::Deployment => "replicasets",
        ResKind::DaemonSet | ResKind::StatefulSet => "controllerrevisions",
        _ => return None,
    };
    let mut w: Vec<String> = ["kubectl", "get", ty, "-o", "json"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    if !selector.is_empty() {
        w.extend(["-l".to_string(), selector.to_string()]);
    }
    if let Some(ns) = &r.ns {
        w.extend(["-n".to_string(), ns.clone()]);
    }
    Some(w)
}

/// The command that lists what happened to a Kubernetes object (`kubectl get events` of
/// that object, oldest first), if it is one.
pub fn events_listing(r: &ObjRef) -> Option<Vec<String>> {
    r.kind.kube_type()?;
    let mut w: Vec<String> = [
        "kubectl",
        "get",
        "events",
        "--sort-by=.lastTimestamp",
        "--field-selector",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    w.push(format!("involvedObject.uid={}", r.uid));
    match &r.ns {
        Some(ns) => w.extend(["-n".to_string(), ns.clone()]),
        // A node's events are in the default namespace.
        None => w.extend(["-n".to_string(), "default".to_string()]),
    }
    Some(w)
}

/// A verb waiting for one thing the user types (a prompt's answer).
#[derive(Clone, Debug, PartialEq)]
pub enum Hole {
    Scale(ObjRef),
    Image(ObjRef),
    LabelAdd(ObjRef),
    LabelRm(ObjRef),
    /// A volume's name, on this node.
    Volume {
        node: String,
    },
    /// A compose file and a stack name.
    Stack,
}

impl Hole {
    /// The verb with the answer in it.
    pub fn fill(&self, text: &str) -> Result<Verb, String> {
        let t = text.trim();
        if t.is_empty() {
            return Err("nothing entered".into());
        }
        let t = t.to_string();
        Ok(match self {
            Hole::Scale(r) => Verb::Scale {
                target: r.clone(),
                replicas: t,
            },
            Hole::Image(r) => Verb::SetImage {
                target: r.clone(),
                image: t,
            },
            Hole::LabelAdd(r) => Verb::LabelAdd {
                target: r.clone(),
                label: t,
            },
            Hole::LabelRm(r) => Verb::LabelRm {
                target: r.clone(),
                key: t,
            },
            Hole::Volume { node } => Verb::CreateVolume {
                node: node.clone(),
                name: t,
            },
            // The text as several words (shell quoting rules).
            Hole::Stack => Verb::DeployStack {
                args: opsconsole_sim::lang::flags::split_line(text)
                    .map_err(|e| format!("cannot read that: {e}"))?,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::view::ResKind;

    fn info() -> BackendInfo {
        BackendInfo {
            kind: crate::backend::BackendKind::Kubernetes,
            endpoint: String::new(),
            read_only: false,
            simulated: true,
            flavor: crate::backend::Flavor::Kube,
            caps: Vec::new(),
            creates: Vec::new(),
            scope: None,
        }
    }

    fn words(v: Verb) -> String {
        render(&v, &info())
            .map(|l| l.words.join(" "))
            .unwrap_or_else(|e| e)
    }

    #[test]
    fn kubernetes_objects_get_kubectl_words_in_their_namespace() {
        let d = ObjRef {
            kind: ResKind::Deployment,
            ns: Some("shop".into()),
            name: "web".into(),
            uid: "u".into(),
        };
        let scale = Verb::Scale {
            target: d.clone(),
            replicas: "5".into(),
        };
        assert_eq!(
            words(scale),
            "kubectl scale deployment/web --replicas=5 -n shop"
        );
        let image = Verb::SetImage {
            target: d.clone(),
            image: "nginx:1.17".into(),
        };
        assert_eq!(
            words(image),
            "kubectl set image deployment/web *=nginx:1.17 -n shop"
        );
        assert_eq!(
            words(Verb::Rollback { target: d.clone() }),
            "kubectl rollout undo deployment/web -n shop"
        );
        assert_eq!(
            words(Verb::Remove { target: d.clone() }),
            "kubectl delete deployment web -n shop"
        );
        let node = ObjRef::new(ResKind::KubeNode, "192.168.122.13", "n");
        let drain = Verb::SetAvailability {
            target: node.clone(),
            to: Schedulable::Drain,
        };
        assert_eq!(
            words(drain),
            "kubectl drain 192.168.122.13 --ignore-daemonsets --delete-emptydir-data"
        );
        let cordon = Verb::SetAvailability {
            target: node.clone(),
            to: Schedulable::Pause,
        };
        assert_eq!(words(cordon), "kubectl cordon 192.168.122.13");
        assert_eq!(
            words(Verb::Promote { target: node }),
            "a Kubernetes node cannot be promoted"
        );
        // Each line parses as the kubectl command it is.
        let l = render(&Verb::Restart { target: d }, &info()).unwrap();
        let inv = crate::backend::Invocation::new(&l.words).unwrap();
        assert!(inv.is_mutating());
    }
}
