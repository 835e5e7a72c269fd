//! Deterministic clusters and consoles for tests, benchmarks and screenshots: the same seed
//! and commands always give the same cluster, and the console's clock is frozen so relative
//! times never change under a snapshot.

use crate::app::keymap::Keymap;
use crate::app::theme::{Depth, Theme};
use crate::app::{Action, App, Config};
use crate::backend::builtin::convert::Tracker;
use crate::backend::convert::swarm::{self as conv, Counts, NodeFacts, ServiceFacts, TaskFacts};
use crate::backend::view::*;
use crate::backend::{BackendInfo, BackendKind, WatchEvent};
use opsconsole_sim::base::time::{SimDuration, SimTime};
use opsconsole_sim::exec::{self, Env, FastForward, Io};
use opsconsole_sim::{self as orch, Cluster};

/// Runs one command line on a cluster (fast-forwarding waits); panics on failure, as a
/// fixture that does not build is a bug.
pub fn sh(cl: &mut Cluster, line: &str) -> String {
    let cmd =
        opsconsole_sim::lang::parse_line(line).unwrap_or_else(|e| panic!("{line}: {}", e.message));
    let mut out = Vec::new();
    let mut err = Vec::new();
    let getenv = |_: &str| None;
    let mut env = Env {
        on: None,
        cwd: std::env::temp_dir(),
        getenv: &getenv,
        confirm: None,
        wait_limit: SimDuration::from_secs(120),
        stdin: None,
    };
    let code = exec::run(
        cl,
        cmd,
        &mut env,
        &mut Io {
            out: &mut out,
            err: &mut err,
        },
        &mut FastForward,
    );
    let out = String::from_utf8_lossy(&out).into_owned();
    assert!(
        code == 0 || line.contains("badstart"),
        "{line}: exit {code}: {}",
        String::from_utf8_lossy(&err)
    );
    out
}

/// Seed 000's swarm after a session: my_nginx scaled to 4, node139 down and back (history
/// rows), a database with a named volume, a config bind mount, a global service, a service
/// that cannot be placed, and an update of `web` paused on a failing image.
pub fn demo_cluster() -> Cluster {
    let start = SimTime::parse_rfc3339("2026-11-22T10:00:00Z").expect("valid time");
    let mut cl = orch::seed_cluster(7, start);
    let lines = [
        "network create -d overlay my-network",
        "service create --name my_nginx --replicas 3 --network my-network -p 8080:80 nginx",
        "service scale my_nginx=4",
        "sim node down node139",
        "sim advance 60s",
        "sim node up node139",
        "sim advance 10s",
        "node update --label-add zone=a manager43",
        "service create --name db --env MYSQL_ROOT_PASSWORD=secret --constraint node.role==manager --mount type=volume,src=dbdata,dst=/var/lib/mysql mysql:5.7",
        "service create --name conf --mount type=bind,src=/etc/app,dst=/etc/app,readonly nginx:1.16-alpine",
        "service create --name cache --mode global redis:alpine",
        "service create --detach --name big --reserve-memory 100G nginx",
        "service create --name web --replicas 3 --update-delay 5s --update-failure-action pause nginx:1.16-alpine",
        "service update --detach --image opsconsole/badstart web",
        "sim advance 45s",
    ];
    for l in lines {
        sh(&mut cl, l);
    }
    cl
}

/// The console's settings for tests: the default keymap and the dark theme in truecolor.
pub fn config() -> Config {
    Config {
        keymap: Keymap::builtin_default(),
        theme: Theme::builtin("dark", Depth::TrueColor)
            .unwrap_or_else(|| Theme::default_for(Depth::TrueColor)),
        mouse: true,
        kiosk: None,
        warnings: Vec::new(),
    }
}

pub fn info() -> BackendInfo {
    BackendInfo {
        kind: BackendKind::Builtin,
        endpoint: "built-in · fixture".into(),
        read_only: false,
        simulated: true,
        flavor: Flavor::Swarm,
        caps: conv::builtin_caps(),
        creates: conv::SWARM_CREATES.to_vec(),
        scope: None,
    }
}

/// A clock that stands still at `t`.
pub fn frozen(t: SimTime) -> ClockInfo {
    ClockInfo {
        base: t,
        base_wall_ms: 0,
        speed: 0.0,
    }
}

/// A console showing `view`, its clock frozen at `now`.
pub fn app_with(view: Snapshot, now: SimTime) -> App {
    app_showing(info(), view, now)
}

/// A console on a backend described by `info`, showing `view` at `now`.
fn app_showing(info: BackendInfo, view: Snapshot, now: SimTime) -> App {
    let mut app = App::new(config(), info);
    app.update(Action::Backend(WatchEvent::Snapshot(
        Box::new(view),
        frozen(now),
    )));
    app
}

/// A console showing a cluster as it is.
pub fn app_for(cl: &Cluster) -> App {
    app_with(Tracker::default().snapshot(cl), cl.now())
}

/// A synthetic cluster of `nodes` nodes and `tasks` tasks (in services of 1,000, a third of
/// them history rows), for measuring the console at sizes no simulation needs to reach.
pub fn big_view(nodes: usize, tasks: usize) -> (Snapshot, SimTime) {
    let now = SimTime::parse_rfc3339("2026-11-22T10:00:00Z").expect("valid time");
    let caps = |k| conv::caps_of(&conv::builtin_caps(), k);
    let mut out: Snapshot = (0..nodes)
        .map(|i| {
            let facts = NodeFacts {
                id: format!("{:025}", i),
                hostname: format!("node{i}"),
                ip: format!("10.0.{}.{}", i / 250, i % 250 + 1),
                manager: i < 3,
                status: HostStatus::Ready,
                availability: Schedulable::Active,
                manager_status: if i == 0 {
                    ManagerStatus::Leader
                } else {
                    ManagerStatus::None
                },
                engine: "18.06.1-ce".into(),
                platform: "linux/x86_64".into(),
                labels: Labels::new(),
                created: now,
                nano_cpus: 4_000_000_000,
                memory: 8 << 30,
                engine_up: true,
            };
            let usage = conv::Usage {
                tasks: (tasks / nodes.max(1)) as u32,
                ..conv::Usage::default()
            };
            View::Host(conv::host(
                ResKind::SwarmNode,
                facts,
                usage,
                caps(ResKind::SwarmNode),
            ))
        })
        .collect();
    let per_service = 1000;
    let services = tasks.div_ceil(per_service);
    for s in 0..services {
        let facts = ServiceFacts {
            id: format!("svc{:022}", s),
            name: format!("service{s}"),
            mode: WorkloadMode::Replicated,
            labels: Labels::new(),
            created: now,
            updated: now,
            image: "nginx:latest".into(),
            ports: Vec::new(),
            max_per_node: 0,
            update: None,
            update_config: None,
            rollback_config: None,
            spec: serde_json::Value::Null,
            previous_spec: None,
        };
        let counts = Counts {
            running: 667,
            desired: 667,
            completed: None,
        };
        let (w, revs) = conv::workload(facts, counts, None, caps(ResKind::SwarmService));
        out.push(View::Workload(Box::new(w)));
        out.extend(revs.into_iter().map(|r| View::Revision(Box::new(r))));
    }
    out.extend((0..tasks).map(|i| {
        let s = i / per_service;
        let k = i % per_service;
        // Two tasks per slot: the current one and a history row.
        let slot = (k / 3 * 2 + k % 3).max(1) as u64 / 2 + 1;
        let old = k % 3 == 2;
        let state = if old { "shutdown" } else { "running" };
        let facts = TaskFacts {
            id: format!("t{:024}", i),
            service_id: format!("svc{:022}", s),
            service_name: format!("service{s}"),
            slot,
            node_id: format!("{:025}", i % nodes.max(1)),
            node_name: format!("node{}", i % nodes.max(1)),
            image: "nginx:latest".into(),
            state: Word::new(state),
            desired: Word::new(state),
            since: now - SimDuration::from_secs((i % 7200) as i64),
            err: String::new(),
            message: "started".into(),
            exit_code: None,
            created: now - SimDuration::from_secs((i % 7200 + if old { 7200 } else { 0 }) as i64),
            container_id: None,
            ports: String::new(),
        };
        View::Replica(Box::new(conv::replica(facts, caps(ResKind::SwarmTask))))
    }));
    (out, now)
}

/// The console's view of a Kubernetes cluster.
pub fn kube_info() -> BackendInfo {
    BackendInfo {
        kind: BackendKind::Kubernetes,
        endpoint: "kubernetes-admin@kubernetes · https://192.168.122.11:6443".into(),
        read_only: false,
        simulated: false,
        flavor: Flavor::Kube,
        caps: crate::backend::convert::kube::all_caps(),
        creates: Vec::new(),
        scope: None,
    }
}

/// A synthetic Kubernetes cluster: `nodes` nodes and `pods` pods of Deployments of 1,000,
/// built as an API server sends them and converted as the Kubernetes backend converts them
/// (the watch's own work is not in it).
pub fn kube_view(nodes: usize, pods: usize) -> (Snapshot, SimTime) {
    use crate::backend::convert::kube as k;
    use serde_json::json;
    let now = SimTime::parse_rfc3339("2026-11-22T10:00:00Z").expect("valid time");
    let at = "2026-11-22T09:00:00Z";
    let obj = |v: serde_json::Value| v;
    let mut out: Snapshot = Vec::new();
    for i in 0..nodes {
        let n: k8s_openapi::api::core::v1::Node = serde_json::from_value(obj(json!({
            "metadata": {"name": format!("node{i}"), "uid": format!("n-{i}"), "creationTimestamp": at,
                "labels": {"kubernetes.io/hostname": format!("node{i}")}},
            "spec": {},
            "status": {"conditions": [{"type": "Ready", "status": "True"}],
                "addresses": [{"type": "InternalIP", "address": format!("10.0.{}.{}", i / 250, i % 250 + 1)}],
                "allocatable": {"cpu": "16", "memory": "64Gi", "pods": "110"},
                "nodeInfo": {"kubeletVersion": "v1.32.4", "containerRuntimeVersion": "containerd://1.7.24",
                    "architecture": "amd64", "operatingSystem": "linux", "osImage": "", "kernelVersion": "",
                    "bootID": "", "machineID": "", "systemUUID": "", "kubeProxyVersion": ""}}
        })))
        .expect("a node");
        let load = k::Load {
            pods: (pods / nodes.max(1)) as u32,
            cpu: 1_000_000_000,
            memory: 1 << 30,
            ..k::Load::default()
        };
        out.push(View::Host(k::node(&n, &load)));
    }
    let per = 1000;
    for d in 0..pods.div_ceil(per) {
        let dep: k8s_openapi::api::apps::v1::Deployment = serde_json::from_value(json!({
            "metadata": {"name": format!("app{d}"), "namespace": "default", "uid": format!("d-{d}"),
                "creationTimestamp": at, "generation": 1},
            "spec": {"replicas": per, "selector": {"matchLabels": {"app": format!("app{d}")}},
                "template": {"metadata": {"labels": {"app": format!("app{d}")}},
                    "spec": {"containers": [{"name": "web", "image": "nginx:1.16"}]}}},
            "status": {"observedGeneration": 1, "replicas": per, "updatedReplicas": per,
                "readyReplicas": per, "availableReplicas": per}
        }))
        .expect("a deployment");
        out.push(View::Workload(Box::new(k::deployment(&dep))));
    }
    out.extend((0..pods).map(|i| {
        let d = i / per;
        // Some pods crash and restart; some cannot be placed.
        let (node, status) = match i % 11 {
            5 => (
                serde_json::Value::Null,
                json!({"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False",
                    "reason": "Unschedulable",
                    "message": "0/4 nodes are available: 2 Insufficient cpu, 2 node(s) had untolerated taint {node-role.kubernetes.io/master: }."}]}),
            ),
            3 => (
                json!(format!("node{}", i % nodes.max(1))),
                json!({"phase": "Running", "podIP": format!("10.3.{}.{}", i / 250 % 250, i % 250 + 1),
                    "startTime": at,
                    "containerStatuses": [{"name": "web", "image": "nginx:1.16", "imageID": "",
                        "ready": false, "restartCount": 4,
                        "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2026-11-22T09:58:00Z"}},
                        "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}),
            ),
            _ => (
                json!(format!("node{}", i % nodes.max(1))),
                json!({"phase": "Running", "podIP": format!("10.3.{}.{}", i / 250 % 250, i % 250 + 1),
                    "startTime": at,
                    "containerStatuses": [{"name": "web", "image": "nginx:1.16", "imageID": "",
                        "ready": true, "restartCount": 0, "state": {"running": {"startedAt": at}}}]}),
            ),
        };
        let p: k8s_openapi::api::core::v1::Pod = serde_json::from_value(json!({
            "metadata": {"name": format!("app{d}-7d9c5b8f6-{i:05}"), "namespace": "default",
                "uid": format!("p-{i}"), "creationTimestamp": at,
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                    "name": format!("app{d}-7d9c5b8f6"), "uid": format!("rs-{d}"), "controller": true}]},
            "spec": {"nodeName": node, "containers": [{"name": "web", "image": "nginx:1.16"}]},
            "status": status
        }))
        .expect("a pod");
        View::Replica(Box::new(k::pod(&p)))
    }));
    (out, now)
}

/// A console showing a Kubernetes cluster, its clock frozen at `now`.
pub fn kube_app_with(view: Snapshot, now: SimTime) -> App {
    app_showing(kube_info(), view, now)
}
