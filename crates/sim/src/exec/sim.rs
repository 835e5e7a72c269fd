//! `sim ...`: the simulator's own verbs (time, nodes down and up, task crashes, demo).

use super::*;
use crate::kube::nodes::KubeCommand;
use crate::model::kube as k8s;

/// The demo workloads `sim demo` adds, as the command lines a trainer would type.
pub const DEMO_SCRIPT: &[&str] = &[
    "docker network create -d overlay demo_net",
    "docker service create --detach --name web --replicas 4 --network demo_net -p 8080:80 --update-delay 10s nginx:1.16-alpine",
    "docker service create --detach --name api --replicas 3 --network demo_net --reserve-memory 256M --update-parallelism 1 --update-failure-action rollback tomcat:9.0",
    "docker service create --detach --name db --network demo_net --constraint node.role==manager --mount type=volume,src=dbdata,dst=/var/lib/mysql -e MYSQL_ROOT_PASSWORD=secret mysql:5.7",
    "docker service create --detach --name cache --mode global redis:alpine",
    "docker service create --detach --name ticker --network demo_net centos sh -c \"while true;do echo tang;sleep 1;done\"",
    "docker service create --detach --name viz --constraint node.role==manager -p 9090:8080 dockersamples/visualizer",
];

pub(super) fn run(
    cl: &mut Cluster,
    s: SimCmd,
    env: &mut Env,
    io: &mut Io,
    pending: &mut Option<Pending>,
) -> i32 {
    let node_of = |cl: &Cluster, name: &str| {
        cl.find_node(name)
            .map(|n| (n.id.clone(), n.hostname().to_string()))
    };
    match s {
        SimCmd::Advance(d) => {
            cl.advance(d);
            io.outln(&format!(
                "simulated time is now {} (+{})",
                cl.now().rfc3339(),
                format_go_duration(d)
            ));
            0
        }
        SimCmd::NodeDown(name) => match node_of(cl, &name) {
            Some((id, host)) => match cl.apply(Command::NodeDown { node: id }) {
                Ok(_) => {
                    io.outln(&format!("{host}: engine stopped; the managers mark it Down after 15s without heartbeats"));
                    0
                }
                Err(e) => io.fail(&e.0),
            },
            None => kube_node(cl, io, &name, true),
        },
        SimCmd::NodeUp(name) => match node_of(cl, &name) {
            Some((id, host)) => match cl.apply(Command::NodeUp { node: id }) {
                Ok(_) => {
                    io.outln(&format!(
                        "{host}: engine started; the node is Ready (no tasks move back to it)"
                    ));
                    0
                }
                Err(e) => io.fail(&e.0),
            },
            None => kube_node(cl, io, &name, false),
        },
        SimCmd::NodeAdd {
            tpl,
            kubernetes: true,
        } => match cl.apply_kube(KubeCommand::AddNodes(tpl)) {
            Ok(names) => {
                for name in names {
                    if let Some(n) = cl.state().get::<k8s::KubeNode>(&name) {
                        let status = n.status.clone().unwrap_or_default();
                        let cap = status.capacity.unwrap_or_default();
                        let ip = status
                            .addresses
                            .iter()
                            .flatten()
                            .find(|a| a.type_ == "InternalIP")
                            .map(|a| a.address.clone())
                            .unwrap_or_default();
                        let get = |k: &str| cap.get(k).map(|q| q.0.clone()).unwrap_or_default();
                        let role = if n.metadata.labels.as_ref().is_some_and(|l| {
                            l.contains_key("node-role.kubernetes.io/control-plane")
                        }) {
                            "control-plane"
                        } else {
                            "worker"
                        };
                        io.outln(&format!(
                            "added Kubernetes node {name} ({ip}, {role}, cpu {}, memory {})",
                            get("cpu"),
                            get("memory")
                        ));
                    }
                }
                0
            }
            Err(e) => io.fail(&e.0),
        },
        SimCmd::NodeAdd { tpl, .. } => match cl.apply(Command::AddNodes(tpl)) {
            Ok(Outcome::Ids(ids)) => {
                for id in ids {
                    if let Some(n) = cl.state().get::<Node>(&id) {
                        io.outln(&format!(
                            "added {} ({}, {}, {} CPUs, {})",
                            n.hostname(),
                            n.ip(),
                            if n.is_manager() { "manager" } else { "worker" },
                            n.description.resources.nano_cpus as f64 / 1e9,
                            crate::base::time::bytes_size(n.description.resources.memory_bytes)
                        ));
                    }
                }
                0
            }
            Ok(_) => 0,
            Err(e) => io.fail(&e.0),
        },
        SimCmd::TaskStop(task) | SimCmd::TaskCrash { task, .. }
            if resolve_task(cl, &task).is_none() && resolve_pod(cl, &task).is_err() =>
        {
            let why = resolve_pod(cl, &task).err().unwrap_or_default();
            io.fail(&format!(
                "no such task: {task} (give a task ID, an ID prefix or a name like my_nginx.2), and no pod of that name (NAME or NAMESPACE/NAME){why}"
            ))
        }
        SimCmd::TaskStop(ref task) | SimCmd::TaskCrash { ref task, .. }
            if resolve_task(cl, task).is_none() =>
        {
            let pod = resolve_pod(cl, task).unwrap_or_default();
            let (code, container) = match s {
                SimCmd::TaskCrash {
                    code, container, ..
                } => (code, container),
                _ => (0, None),
            };
            match cl.apply_kube(KubeCommand::ContainerExit {
                pod: pod.clone(),
                container,
                code: code as i32,
            }) {
                Ok(c) => {
                    io.outln(&format!(
                        "pod {pod}: container {} exited ({code})",
                        c.join(",")
                    ));
                    0
                }
                Err(e) => io.fail(&e.0),
            }
        }
        SimCmd::TaskCrash {
            container: Some(_), ..
        } => io.fail("-c/--container names a container of a pod; a task has one"),
        SimCmd::TaskStop(task) => {
            let id = resolve_task(cl, &task).unwrap_or_default();
            match cl.apply(Command::TaskExit {
                task: id.clone(),
                code: 0,
            }) {
                Ok(_) => {
                    io.outln(&format!("{id}: container exited (0)"));
                    0
                }
                Err(e) => io.fail(&e.0),
            }
        }
        SimCmd::TaskCrash { task, code, .. } => {
            let id = resolve_task(cl, &task).unwrap_or_default();
            match cl.apply(Command::TaskExit {
                task: id.clone(),
                code,
            }) {
                Ok(_) => {
                    io.outln(&format!("{id}: container exited ({code})"));
                    0
                }
                Err(e) => io.fail(&e.0),
            }
        }
        SimCmd::UpdatePause(name) | SimCmd::UpdateResume(name)
            if cl.find_service(&name).is_none() =>
        {
            io.fail(&format!("Error: no such service: {name}"))
        }
        SimCmd::UpdatePause(name) => {
            let service = cl
                .find_service(&name)
                .map(|s| s.id.clone())
                .unwrap_or_default();
            match cl.apply(Command::PauseUpdate { service }) {
                Ok(_) => {
                    io.outln(&format!("{name}: update paused"));
                    0
                }
                Err(e) => io.daemon(&e),
            }
        }
        SimCmd::UpdateResume(name) => {
            let service = cl
                .find_service(&name)
                .map(|s| s.id.clone())
                .unwrap_or_default();
            match cl.apply(Command::ResumeUpdate { service }) {
                Ok(_) => {
                    io.outln(&format!("{name}: update resumed"));
                    0
                }
                Err(e) => io.daemon(&e),
            }
        }
        SimCmd::Strategy(s) => match cl.apply(Command::SetStrategy(s)) {
            Ok(_) => {
                io.outln(&format!("placement strategy: {}", s.as_str()));
                0
            }
            Err(e) => io.fail(&e.0),
        },
        SimCmd::Demo => {
            let mut code = 0;
            for line in DEMO_SCRIPT {
                let Ok(Cmd::Docker(d)) = crate::lang::parse_line(line) else {
                    continue;
                };
                let exists = match &d {
                    DockerCmd::ServiceCreate(c) => c
                        .flags
                        .name
                        .as_ref()
                        .is_some_and(|n| cl.find_service(n).is_some()),
                    DockerCmd::NetworkCreate(n) => cl.find_network(&n.name).is_some(),
                    _ => false,
                };
                if exists {
                    continue;
                }
                io.outln(&format!("$ {line}"));
                code |= super::docker::run(cl, d, env, io, &mut None);
            }
            // Let the demo come up, as a trainer would wait a minute and a half.
            let at = cl.now() + SimDuration::from_secs(90);
            *pending = Some(Pending::until(
                at,
                "demo workloads are up: see `docker service ls`".into(),
                code,
            ));
            code
        }
        SimCmd::Status => {
            let m = &cl.state().meta;
            io.outln(&format!("simulated time:   {}", m.now.rfc3339()));
            io.outln(&format!("seed:             {}", m.seed));
            io.outln(&format!("strategy:         {}", m.strategy.as_str()));
            io.outln(&format!(
                "leader:           {}",
                cl.leader()
                    .map(|n| n.hostname().to_string())
                    .unwrap_or_else(|| "none (no quorum)".into())
            ));
            io.outln(&format!(
                "objects:          {} nodes, {} services, {} tasks, {} containers, {} volumes, {} networks",
                cl.state().count::<Node>(),
                cl.state().count::<Service>(),
                cl.state().count::<Task>(),
                cl.state().count::<Container>(),
                cl.state().count::<Volume>(),
                cl.state().count::<Network>()
            ));
            0
        }
    }
}

/// `sim node down|up` on a node of the Kubernetes cluster (by name or host name).
fn kube_node(cl: &mut Cluster, io: &mut Io, name: &str, down: bool) -> i32 {
    let Some(node) =
        crate::kube::nodes::find(cl.state(), name).and_then(|n| n.metadata.name.clone())
    else {
        return io.fail(&format!("no such node: {name}"));
    };
    let cmd = if down {
        KubeCommand::NodeDown { node: node.clone() }
    } else {
        KubeCommand::NodeUp { node: node.clone() }
    };
    match cl.apply_kube(cmd) {
        Ok(_) if down => {
            io.outln(&format!(
                "{node}: kubelet stopped; the node goes NotReady after {}s without status, and its pods are evicted after their tolerationSeconds (300s by default)",
                crate::kube::nodes::GRACE.0 / 1_000_000_000
            ));
            0
        }
        Ok(_) => {
            io.outln(&format!(
                "{node}: kubelet started; the node is Ready and its containers restart"
            ));
            0
        }
        Err(e) => io.fail(&e.0),
    }
}

/// A pod of the Kubernetes cluster as `namespace/name`, or by name in whichever namespace
/// has it (an error if several do).
fn resolve_pod(cl: &Cluster, key: &str) -> Result<String, String> {
    let st = cl.state();
    if key.contains('/') {
        return st
            .get::<k8s::Pod>(key)
            .map(|_| key.to_string())
            .ok_or_else(String::new);
    }
    let found: Vec<String> = st
        .all::<k8s::Pod>()
        .filter(|p| p.metadata.name.as_deref() == Some(key))
        .map(|p| k8s::object_key(&p.metadata))
        .collect();
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(String::new()),
        many => Err(format!(
            "; pods named {key} are in several namespaces: {}",
            many.join(", ")
        )),
    }
}

/// A task by ID, ID prefix, or `svc.slot` (its current task).
fn resolve_task(cl: &Cluster, key: &str) -> Option<String> {
    if let Some(t) = cl.find_task(key) {
        return Some(t.id.clone());
    }
    let (svc, slot) = key.rsplit_once('.')?;
    let s = cl.find_service(svc)?;
    let slot_no: Option<u64> = slot.parse().ok();
    let mut tasks: Vec<&Task> = cl
        .tasks_of_service(&s.id)
        .into_iter()
        .filter(|t| match slot_no {
            Some(n) => t.slot == n,
            None => {
                t.node_id == slot
                    || cl
                        .state()
                        .get::<Node>(&t.node_id)
                        .is_some_and(|n| n.hostname() == slot)
            }
        })
        .collect();
    tasks.sort_by_key(|t| std::cmp::Reverse(t.created_at));
    tasks
        .iter()
        .find(|t| t.status.state == TaskState::Running)
        .or(tasks.first())
        .map(|t| t.id.clone())
}
