//! The Docker backend against a real dockerd: every action goes through the `Backend` trait and
//! is checked with the engine's own API. `scripts/test.sh` starts two private daemons (one in a
//! single-node swarm, one plain engine) and passes their sockets in OPSCONSOLE_TEST_DOCKER and
//! OPSCONSOLE_TEST_DOCKER_PLAIN. Under CI=true a missing daemon fails these tests; elsewhere
//! they say loudly that they did not run.
//!
//! Tests that change the swarm as a whole (drain) or compare it with the built-in cluster hold
//! a lock on the swarm, so they never run at the same time as each other.

mod common;

use bollard::query_parameters::*;
use common::watch::{run, running, watch_until};
use futures::StreamExt;
use opsconsole::backend::builtin::{Builtin, Hosting, Options};
use opsconsole::backend::docker::Docker;
use opsconsole::backend::docker::endpoint::Endpoint;
use opsconsole::backend::view::{ReplicaView, ResKind, Store};
use opsconsole::backend::*;
use opsconsole_sim::base::time::SimTime;
use opsconsole_sim::model::{TaskState, UpdateState};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

fn engine(var: &str) -> Option<Docker> {
    match std::env::var(var) {
        Ok(host) if !host.is_empty() => Some(Docker::new(Endpoint {
            host,
            context: "test".into(),
            tls: None,
        })),
        _ => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!(
                    "{var} is not set: scripts/test.sh starts a private dockerd for the Docker \
                     tests, and in CI they must run"
                );
            }
            eprintln!("NOT RUN: {var} is not set (run scripts/test.sh, which starts dockerd)");
            None
        }
    }
}

/// Holds the swarm for one test (a file lock, so it works across test processes).
fn lock_swarm() -> std::fs::File {
    let path = std::env::temp_dir().join("opsconsole-test-swarm.lock");
    let f = std::fs::File::create(path).unwrap();
    f.lock().unwrap();
    f
}

const LOOP: &str = "sh -c \"while true; do echo hello from $HOSTNAME; sleep 1; done\"";

async fn service_spec(c: &bollard::Docker, name: &str) -> serde_json::Value {
    serde_json::to_value(c.inspect_service(name, None).await.unwrap()).unwrap()
}

fn update_state(v: &Store, svc: &str) -> Option<UpdateState> {
    let u = v
        .workloads
        .values()
        .find(|s| s.name() == svc)?
        .rollout
        .as_ref()?;
    serde_json::from_value(serde_json::json!(u.status.as_str())).ok()
}

/// A replica's state and desired state, in docker's task states.
fn task_state(t: &ReplicaView) -> TaskState {
    TaskState::parse(t.status.as_str()).unwrap()
}
fn task_desired(t: &ReplicaView) -> TaskState {
    TaskState::parse(t.desired_status.as_str()).unwrap()
}

/// The one node of a single-node swarm (or the one engine).
fn node0(v: &Store) -> &opsconsole::backend::view::HostView {
    v.hosts.values().next().unwrap()
}

#[tokio::test(flavor = "current_thread")]
async fn swarm_service_lifecycle() {
    let Some(d) = engine("OPSCONSOLE_TEST_DOCKER") else {
        return;
    };
    let _swarm = lock_swarm();
    let c = d.client().await.unwrap();
    let info = d.info();
    assert_eq!(info.kind, BackendKind::Docker);
    assert!(info.endpoint.contains("docker.sock"), "{}", info.endpoint);
    let mut w = d.watch();
    let mut view = Store::default();
    watch_until(&mut w, &mut view, 10, |v| !v.hosts.is_empty()).await;
    assert_eq!(node0(&view).manager_status.title(), "Leader");

    // Create.
    let out = run(
        &d,
        &format!(
            "service create --name life --replicas 2 --stop-grace-period 1s \
             --update-monitor 1s --rollback-monitor 1s busybox {LOOP}"
        ),
    )
    .await;
    assert_eq!(out.code, 0, "{out:?}");
    let id = out.stdout.trim().to_string();
    let spec = service_spec(&c, "life").await;
    assert_eq!(spec["ID"], serde_json::json!(id));
    assert_eq!(spec["Spec"]["Mode"]["Replicated"]["Replicas"], 2);
    watch_until(&mut w, &mut view, 60, |v| {
        running(v, "life") == Some((2, 2))
    })
    .await;

    // Scale.
    let out = run(&d, "service scale life=3").await;
    assert_eq!(out.stdout.trim(), "life scaled to 3");
    assert_eq!(
        service_spec(&c, "life").await["Spec"]["Mode"]["Replicated"]["Replicas"],
        3
    );
    watch_until(&mut w, &mut view, 60, |v| {
        running(v, "life") == Some((3, 3))
    })
    .await;

    // Update the image: a rolling update, whose status the view follows.
    let out = run(
        &d,
        "service update --image busybox:1.31 --env-add COLOR=blue life",
    )
    .await;
    assert_eq!((out.code, out.stdout.trim()), (0, "life"), "{out:?}");
    let spec = service_spec(&c, "life").await;
    assert_eq!(
        spec["Spec"]["TaskTemplate"]["ContainerSpec"]["Image"],
        "busybox:1.31"
    );
    assert_eq!(
        spec["Spec"]["TaskTemplate"]["ContainerSpec"]["Env"],
        serde_json::json!(["COLOR=blue"])
    );
    // What the flags did not touch survives (the engine's own defaults included).
    assert_eq!(
        spec["Spec"]["TaskTemplate"]["ContainerSpec"]["StopGracePeriod"],
        1_000_000_000i64
    );
    // While it rolls, the view counts the tasks already on the new spec.
    let most = std::cell::Cell::new(0);
    watch_until(&mut w, &mut view, 90, |v| {
        if let Some((done, 3)) = v
            .workloads
            .values()
            .find(|s| s.name() == "life")
            .and_then(|s| s.rollout.as_ref()?.progress)
        {
            most.set(most.get().max(done));
        }
        update_state(v, "life") == Some(UpdateState::Completed)
            && running(v, "life") == Some((3, 3))
    })
    .await;
    assert!(most.get() >= 1, "the update's progress never moved");
    let sv = view
        .workloads
        .values()
        .find(|s| s.name() == "life")
        .unwrap();
    assert_eq!(sv.image, "busybox:1.31");
    assert!(view.current_and_previous(sv.id()).1.is_some());
    // Each slot: the new task running, the old one shut down (a history row).
    for slot in 1..=3 {
        let mut states: Vec<TaskState> = view
            .replicas
            .values()
            .filter(|t| t.service_name() == "life" && t.slot == slot)
            .map(|t| task_desired(t))
            .collect();
        states.sort();
        assert_eq!(
            states,
            vec![TaskState::Running, TaskState::Shutdown],
            "slot {slot}"
        );
    }

    // Roll back: the engine's own rollback to the previous spec.
    let out = run(&d, "service rollback life").await;
    assert_eq!(out.code, 0, "{out:?}");
    watch_until(&mut w, &mut view, 90, |v| {
        update_state(v, "life") == Some(UpdateState::RollbackCompleted)
            && running(v, "life") == Some((3, 3))
    })
    .await;
    let spec = service_spec(&c, "life").await;
    assert_eq!(
        spec["Spec"]["TaskTemplate"]["ContainerSpec"]["Image"],
        "busybox:latest"
    );
    assert_eq!(spec["UpdateStatus"]["State"], "rollback_completed");

    // Logs: merged, labelled as docker labels them.
    let mut logs = d.logs(LogRequest {
        target: LogTarget::Service("life".into()),
        tail: Some(5),
        follow: true,
        previous: false,
    });
    let mut lines = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while lines.len() < 12 && Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_secs(5), logs.next()).await {
            Ok(Some(LogEvent::Lines(l))) => lines.extend(l),
            Ok(Some(LogEvent::Error(e))) => panic!("log stream failed: {e}"),
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => break,
        }
    }
    assert!(lines.len() >= 12, "only {} lines followed", lines.len());
    let host = node0(&view).hostname();
    for l in &lines {
        assert!(l.text.starts_with("hello from "), "{l:?}");
        let (name, at) = l.label.split_once('@').expect("label has @node");
        assert_eq!(at, host);
        let parts: Vec<&str> = name.split('.').collect();
        assert_eq!(parts.len(), 3, "{name}");
        assert_eq!(parts[0], "life");
        assert!(l.at.0 > 0, "lines carry their timestamps");
    }
    drop(logs);

    // Inspect through the backend is the engine's JSON.
    let v = d
        .inspect(ObjRef::new(ResKind::SwarmService, "life", id.clone()))
        .await
        .unwrap();
    assert_eq!(v["Spec"]["Name"], "life");

    // Errors are the engine's, in the output.
    let out = run(&d, "service scale nosuch=2").await;
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("No such service: nosuch"), "{out:?}");

    // Remove.
    let out = run(&d, "service rm life").await;
    assert_eq!(out.stdout.trim(), "life");
    assert!(c.inspect_service("life", None).await.is_err());
    watch_until(&mut w, &mut view, 30, |v| running(v, "life").is_none()).await;
}

#[tokio::test(flavor = "current_thread")]
async fn swarm_drain_and_activate_the_node() {
    let Some(d) = engine("OPSCONSOLE_TEST_DOCKER") else {
        return;
    };
    let _swarm = lock_swarm();
    let c = d.client().await.unwrap();
    let mut w = d.watch();
    let mut view = Store::default();
    watch_until(&mut w, &mut view, 10, |v| !v.hosts.is_empty()).await;
    let node = node0(&view).hostname().to_string();
    let node_id = node0(&view).id().to_string();
    run(
        &d,
        &format!(
            "service create --name drainme --replicas 2 --stop-grace-period 1s busybox {LOOP}"
        ),
    )
    .await;
    watch_until(&mut w, &mut view, 60, |v| {
        running(v, "drainme") == Some((2, 2))
    })
    .await;

    // The plan names the tasks that will move.
    let inv = Invocation::parse_line(&format!("node update --availability drain {node}")).unwrap();
    let plan = d.plan(inv).await.unwrap();
    let moving: Vec<&str> = plan.moves.iter().map(|m| m.task.as_str()).collect();
    assert!(
        moving.contains(&"drainme.1") && moving.contains(&"drainme.2"),
        "{plan:?}"
    );

    let out = run(&d, &format!("node update --availability drain {node}")).await;
    assert_eq!((out.code, out.stdout.trim()), (0, node.as_str()), "{out:?}");
    let n = serde_json::to_value(c.inspect_node(&node_id).await.unwrap()).unwrap();
    assert_eq!(n["Spec"]["Availability"], "drain");
    // One node, drained: nothing can run, and the tasks say why.
    watch_until(&mut w, &mut view, 60, |v| {
        node0(v).availability.title() == "Drain" && running(v, "drainme") == Some((0, 2))
    })
    .await;

    let out = run(&d, &format!("node update --availability active {node}")).await;
    assert_eq!(out.code, 0, "{out:?}");
    let n = serde_json::to_value(c.inspect_node(&node_id).await.unwrap()).unwrap();
    assert_eq!(n["Spec"]["Availability"], "active");
    watch_until(&mut w, &mut view, 60, |v| {
        running(v, "drainme") == Some((2, 2))
    })
    .await;

    // Labels.
    run(&d, &format!("node update --label-add zone=east {node}")).await;
    let n = serde_json::to_value(c.inspect_node(&node_id).await.unwrap()).unwrap();
    assert_eq!(n["Spec"]["Labels"]["zone"], "east");
    run(&d, &format!("node update --label-rm zone {node}")).await;
    watch_until(&mut w, &mut view, 30, |v| node0(v).labels().is_empty()).await;
    run(&d, "service rm drainme").await;
}

#[tokio::test(flavor = "current_thread")]
async fn swarm_stack_deploy_and_rm() {
    let Some(d) = engine("OPSCONSOLE_TEST_DOCKER") else {
        return;
    };
    let c = d.client().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("stack.yml");
    std::fs::write(
        &file,
        "version: \"3\"\nservices:\n  web:\n    image: busybox\n    command: [\"sleep\", \"3600\"]\n    deploy:\n      replicas: 2\n  worker:\n    image: busybox:1.31\n    command: [\"sleep\", \"3600\"]\n",
    )
    .unwrap();
    let out = run(&d, &format!("stack deploy -c {} teststack", file.display())).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains("Creating network teststack_default"),
        "{out:?}"
    );
    assert!(
        out.stdout.contains("Creating service teststack_web"),
        "{out:?}"
    );
    let mut f = std::collections::HashMap::new();
    f.insert(
        "label".to_string(),
        vec!["com.docker.stack.namespace=teststack".to_string()],
    );
    let services = c
        .list_services(Some(ListServicesOptions {
            filters: Some(f.clone()),
            status: None,
        }))
        .await
        .unwrap();
    let mut names: Vec<String> = services
        .iter()
        .filter_map(|s| s.spec.as_ref()?.name.clone())
        .collect();
    names.sort();
    assert_eq!(names, ["teststack_web", "teststack_worker"]);
    let net = c.inspect_network("teststack_default", None).await.unwrap();
    assert_eq!(net.driver.as_deref(), Some("overlay"));
    // Deploying again updates in place.
    let out = run(&d, &format!("stack deploy -c {} teststack", file.display())).await;
    assert!(
        out.stdout.contains("Updating service teststack_web"),
        "{out:?}"
    );

    let out = run(&d, "stack rm teststack").await;
    assert_eq!(out.code, 0, "{out:?}");
    let left = c
        .list_services(Some(ListServicesOptions {
            filters: Some(f),
            status: None,
        }))
        .await
        .unwrap();
    assert!(left.is_empty());
}

#[tokio::test(flavor = "current_thread")]
async fn plain_engine_containers_and_volumes() {
    let Some(d) = engine("OPSCONSOLE_TEST_DOCKER_PLAIN") else {
        return;
    };
    let c = d.client().await.unwrap();
    // What an interrupted earlier run may have left.
    let rm = RemoveContainerOptions {
        force: true,
        ..Default::default()
    };
    let _ = c.remove_container("plain1", Some(rm)).await;
    let _ = c
        .remove_volume("plaindata", None::<RemoveVolumeOptions>)
        .await;
    // A container made outside opsconsole, with a volume.
    let out = run(&d, "volume create plaindata").await;
    assert_eq!(out.stdout.trim(), "plaindata");
    assert!(c.inspect_volume("plaindata").await.is_ok());
    let body: bollard::models::ContainerCreateBody = serde_json::from_value(serde_json::json!({
        "Image": "busybox",
        "Cmd": ["sh", "-c", "trap 'exit 0' TERM; while true; do echo tick; sleep 1; done"],
        "HostConfig": {"NetworkMode": "none", "Mounts": [
            {"Type": "volume", "Source": "plaindata", "Target": "/data"}]}
    }))
    .unwrap();
    c.create_container(
        Some(CreateContainerOptions {
            name: Some("plain1".into()),
            ..Default::default()
        }),
        body,
    )
    .await
    .unwrap();
    c.start_container("plain1", None::<StartContainerOptions>)
        .await
        .unwrap();

    let mut w = d.watch();
    let mut view = Store::default();
    watch_until(&mut w, &mut view, 10, |v| {
        v.replicas
            .values()
            .any(|t| t.name() == "plain1" && task_state(t) == TaskState::Running)
    })
    .await;
    assert_eq!(view.hosts.len(), 1, "the one engine is the one node");
    assert!(view.workloads.is_empty());
    let vol = view
        .storage
        .values()
        .find(|v| v.name() == "plaindata")
        .unwrap();
    assert_eq!(vol.used_by, ["plain1"]);

    // Swarm commands get docker's own answer.
    let out = run(&d, "service ls").await;
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("This node is not a swarm manager"),
        "{out:?}"
    );
    // Removing a volume in use fails with the engine's message, and changes nothing.
    let out = run(&d, "volume rm plaindata").await;
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("volume is in use"), "{out:?}");

    // Container logs.
    let mut logs = d.logs(LogRequest {
        target: LogTarget::Task("plain1".into()),
        tail: None,
        follow: false,
        previous: false,
    });
    let mut got = Vec::new();
    while let Some(ev) = tokio::time::timeout(Duration::from_secs(10), logs.next())
        .await
        .unwrap()
    {
        match ev {
            LogEvent::Lines(l) => got.extend(l),
            LogEvent::End => break,
            _ => {}
        }
    }
    assert!(got.iter().any(|l| l.text == "tick"), "{got:?}");

    // Resource use, as `docker stats` reads it (two readings give the CPU share).
    let a = d.stats("plain1".into()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let b = d.stats("plain1".into()).await.unwrap();
    assert!(b.mem_limit > 0 && b.mem_usage > 0, "{b:?}");
    assert!(
        b.cpu_total >= a.cpu_total && b.system_total > a.system_total,
        "{a:?} {b:?}"
    );
    assert!(
        b.cpu_percent(&a)
            .is_some_and(|p| (0.0..=100.0 * b.online_cpus as f64).contains(&p))
    );

    let state = async |name: &str| {
        let i = c.inspect_container(name, None).await.unwrap();
        i.state.unwrap().status.unwrap().to_string()
    };
    let out = run(&d, "stop plain1").await;
    assert_eq!((out.code, out.stdout.trim()), (0, "plain1"), "{out:?}");
    assert_eq!(state("plain1").await, "exited");
    watch_until(&mut w, &mut view, 10, |v| {
        v.replicas
            .values()
            .any(|t| t.name() == "plain1" && task_state(t) == TaskState::Complete)
    })
    .await;
    run(&d, "start plain1").await;
    assert_eq!(state("plain1").await, "running");
    run(&d, "restart -t 1 plain1").await;
    assert_eq!(state("plain1").await, "running");
    let out = run(&d, "rm --force plain1").await;
    assert_eq!(out.stdout.trim(), "plain1");
    assert!(c.inspect_container("plain1", None).await.is_err());
    watch_until(&mut w, &mut view, 10, |v| {
        v.replicas.values().all(|t| t.name() != "plain1")
    })
    .await;
    let out = run(&d, "volume rm plaindata").await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(c.inspect_volume("plaindata").await.is_err());
}

#[tokio::test(flavor = "current_thread")]
async fn dead_endpoints_are_named_within_two_seconds() {
    for host in ["unix:///nonexistent/docker.sock", "tcp://127.0.0.1:1"] {
        let d = Docker::new(Endpoint {
            host: host.into(),
            context: "default".into(),
            tls: None,
        });
        let t = Instant::now();
        let mut w = d.watch();
        match tokio::time::timeout(Duration::from_secs(2), w.next()).await {
            Ok(Some(WatchEvent::Lost(why))) => {
                assert!(why.contains(host), "{why}");
                assert!(why.contains("daemon running"), "{why}");
            }
            other => panic!("{host}: expected the connection to be reported lost, got {other:?}"),
        }
        let inv = Invocation::parse_line("service ls").unwrap();
        let e = d.run(inv, RunOpts::default()).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::Unavailable);
        assert!(e.message.contains(host), "{e}");
        assert!(t.elapsed() < Duration::from_secs(2));
        // It keeps retrying, with backoff.
        match tokio::time::timeout(Duration::from_secs(3), w.next()).await {
            Ok(Some(WatchEvent::Lost(_))) => {}
            other => panic!("expected a retry, got {other:?}"),
        }
    }
}

/// A socket that forwards to the engine, and can be taken away and brought back: the
/// engine going away and coming back, as the console sees it.
struct Proxy {
    path: std::path::PathBuf,
    target: String,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Proxy {
    fn start(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        let listener = tokio::net::UnixListener::bind(&self.path).unwrap();
        let target = self.target.clone();
        self.task = Some(tokio::spawn(async move {
            let mut conns = tokio::task::JoinSet::new();
            loop {
                let Ok((mut a, _)) = listener.accept().await else {
                    return;
                };
                let target = target.clone();
                conns.spawn(async move {
                    if let Ok(mut b) = tokio::net::UnixStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut a, &mut b).await;
                    }
                });
            }
        }));
    }

    fn stop(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
        }
        let _ = std::fs::remove_file(&self.path);
    }
}

#[tokio::test(flavor = "current_thread")]
async fn reconnects_and_resyncs_when_the_engine_comes_back() {
    let Some(real) = engine("OPSCONSOLE_TEST_DOCKER_PLAIN") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut proxy = Proxy {
        path: dir.path().join("p.sock"),
        target: real
            .endpoint()
            .host
            .trim_start_matches("unix://")
            .to_string(),
        task: None,
    };
    proxy.start();
    let d = Docker::new(Endpoint {
        host: format!("unix://{}", proxy.path.display()),
        context: "test".into(),
        tls: None,
    });
    let mut w = d.watch();
    let mut view = Store::default();
    watch_until(&mut w, &mut view, 10, |v| !v.hosts.is_empty()).await;

    proxy.stop();
    let gone = Instant::now();
    loop {
        match tokio::time::timeout(Duration::from_secs(5), w.next()).await {
            Ok(Some(WatchEvent::Lost(_))) => break,
            Ok(Some(_)) => {}
            other => panic!("the engine going away was not noticed: {other:?}"),
        }
    }
    assert!(gone.elapsed() < Duration::from_secs(2));
    // Something changes while it is away; the resync must show it.
    real.run(
        Invocation::parse_line("volume create while_away").unwrap(),
        RunOpts::default(),
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    proxy.start();
    let back = Instant::now();
    loop {
        match tokio::time::timeout(Duration::from_secs(6), w.next()).await {
            Ok(Some(WatchEvent::Snapshot(v, _))) => {
                let v = Store::from_snapshot(*v);
                assert!(v.storage.values().any(|x| x.name() == "while_away"));
                break;
            }
            Ok(Some(_)) => {}
            other => panic!("no resync after the engine came back: {other:?}"),
        }
    }
    let took = back.elapsed();
    assert!(took < Duration::from_secs(5), "resync took {took:?}");
    run(&real, "volume rm while_away").await;
}

/// What both backends show of a service, in docker's terms.
#[derive(Debug, PartialEq)]
struct Observed {
    replicas: (u64, u64),
    update: Option<(UpdateState, String)>,
    /// Per slot: the desired states of its tasks, newest first, and the image of each.
    slots: BTreeMap<u64, Vec<(TaskState, TaskState, String)>>,
    /// A task that cannot be placed: its state and why.
    pending: String,
}

fn observe(v: &Store, svc: &str) -> Observed {
    let s = v.workloads.values().find(|s| s.name() == svc).unwrap();
    let mut slots: BTreeMap<u64, Vec<&ReplicaView>> = BTreeMap::new();
    for t in v.replicas.values().filter(|t| t.service_name() == svc) {
        slots.entry(t.slot).or_default().push(t);
    }
    Observed {
        replicas: (s.running, s.desired),
        update: s.rollout.as_ref().map(|u| {
            (
                serde_json::from_value(serde_json::json!(u.status.as_str())).unwrap(),
                u.message.clone(),
            )
        }),
        slots: slots
            .into_iter()
            .map(|(k, mut ts)| {
                ts.sort_by_key(|t| std::cmp::Reverse(t.created_at()));
                let v = ts
                    .iter()
                    .map(|t| (task_desired(t), task_state(t), t.image.clone()))
                    .collect();
                (k, v)
            })
            .collect(),
        pending: String::new(),
    }
}

/// Runs the scenario on a backend, recording what is observable after each step.
async fn scenario(b: &dyn Backend, wait_secs: u64) -> Vec<Observed> {
    let mut w = b.watch();
    let mut view = Store::default();
    watch_until(&mut w, &mut view, 10, |v| !v.hosts.is_empty()).await;
    let svc = "diff";
    let settled = |v: &Store, n: u64| {
        running(v, svc) == Some((n, n))
            && v.replicas
                .values()
                .filter(|t| t.service_name() == svc)
                .all(|t| {
                    task_state(t) == task_desired(t)
                        || task_desired(t) > TaskState::Running
                            && task_state(t) > TaskState::Running
                })
    };
    let mut seen = Vec::new();
    let out = run(
        b,
        &format!(
            "service create --detach --name {svc} --replicas 2 --stop-grace-period 1s \
             --update-monitor 1s --rollback-monitor 1s busybox {LOOP}"
        ),
    )
    .await;
    assert_eq!(out.code, 0, "{out:?}");
    watch_until(&mut w, &mut view, wait_secs, |v| settled(v, 2)).await;
    seen.push(observe(&view, svc));
    run(b, &format!("service scale --detach {svc}=3")).await;
    watch_until(&mut w, &mut view, wait_secs, |v| settled(v, 3)).await;
    seen.push(observe(&view, svc));
    run(
        b,
        &format!("service update --detach --image busybox:1.31 {svc}"),
    )
    .await;
    watch_until(&mut w, &mut view, wait_secs, |v| {
        update_state(v, svc) == Some(UpdateState::Completed) && settled(v, 3)
    })
    .await;
    seen.push(observe(&view, svc));
    run(b, &format!("service rollback --detach {svc}")).await;
    watch_until(&mut w, &mut view, wait_secs, |v| {
        update_state(v, svc) == Some(UpdateState::RollbackCompleted) && settled(v, 3)
    })
    .await;
    seen.push(observe(&view, svc));
    // Scaling down keeps the lowest slots.
    run(b, &format!("service scale --detach {svc}=1")).await;
    watch_until(&mut w, &mut view, wait_secs, |v| {
        settled(v, 1)
            && v.replicas
                .values()
                .filter(|t| t.service_name() == svc && t.slot > 1)
                .all(|t| task_state(t) > TaskState::Running)
    })
    .await;
    let mut o = observe(&view, svc);
    // Slots scaled away: their tasks are gone or going (docker removes them shortly).
    o.slots.retain(|k, _| *k == 1);
    seen.push(o);
    run(b, &format!("service rm {svc}")).await;

    // A constraint no node meets: the task waits, and says why.
    let out = run(
        b,
        "service create --detach --name nowhere --constraint node.labels.zone==nowhere busybox",
    )
    .await;
    assert_eq!(out.code, 0, "{out:?}");
    let pending = |v: &Store| {
        v.replicas
            .values()
            .find(|t| t.service_name() == "nowhere" && !t.err.is_empty())
            .map(|t| (task_state(t), t.err.clone()))
    };
    watch_until(&mut w, &mut view, wait_secs, |v| pending(v).is_some()).await;
    let (state, err) = pending(&view).unwrap();
    run(b, "service rm nowhere").await;
    // The node count differs between the two clusters; the reason does not.
    let why = err.split(" on ").next().unwrap_or("").to_string();
    seen.push(Observed {
        replicas: (0, 1),
        update: None,
        slots: BTreeMap::new(),
        pending: format!("{state:?}: {why}"),
    });
    seen
}

#[tokio::test(flavor = "current_thread")]
async fn the_builtin_cluster_behaves_like_the_real_swarm() {
    let Some(d) = engine("OPSCONSOLE_TEST_DOCKER") else {
        return;
    };
    let _swarm = lock_swarm();
    let real = scenario(&d, 120).await;

    let dir = tempfile::tempdir().unwrap();
    let sim = Builtin::new(Options {
        hosting: Hosting::InProcess,
        dir: dir.path().to_path_buf(),
        speed: 20.0,
        demo_if_new: false,
        seed: 3,
        start: SimTime::parse_rfc3339("2026-11-22T10:00:00Z").unwrap(),
    });
    let simulated = scenario(&sim, 60).await;
    let steps = [
        "create 2",
        "scale to 3",
        "update image",
        "rollback",
        "scale to 1",
        "unsatisfiable constraint",
    ];
    assert_eq!(real.len(), steps.len());
    for ((step, r), s) in steps.iter().zip(&real).zip(&simulated) {
        assert_eq!(
            r, s,
            "after `{step}` the built-in cluster differs from the real swarm"
        );
    }
}
