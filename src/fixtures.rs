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
    let mut app = App::new(config(), info());
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
