//! The built-in backend through the `Backend` trait: watching, running, logs, inspect, plans,
//! sharing one cluster between processes over the socket, and taking over when the serving
//! process goes away.

mod common;

use common::watch::{run, running, watch_until};
use futures::StreamExt;
use opsconsole::backend::builtin::{Builtin, Options};
use opsconsole::backend::view::{ObjRef, Phase, ResKind, Store};
use opsconsole::backend::*;
use std::time::Duration;

fn opts(dir: &std::path::Path, speed: f64) -> Options {
    common::watch::builtin_opts(dir, speed)
}

#[tokio::test(flavor = "current_thread")]
async fn watch_run_logs_inspect_and_plan() {
    let dir = tempfile::tempdir().unwrap();
    let b = Builtin::open(opts(dir.path(), 60.0), Duration::from_secs(5))
        .await
        .unwrap();
    assert!(b.is_host());
    let mut w = b.watch();
    let mut view = Store::default();
    watch_until(&mut w, &mut view, 5, |v| v.hosts.len() == 3).await;

    let out = run(&b, "service create --name web --replicas 3 nginx").await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        out.stdout.trim().len(),
        25,
        "prints the service ID: {out:?}"
    );
    // At 60x, the service converges within a couple of seconds of wall time.
    watch_until(&mut w, &mut view, 10, |v| running(v, "web") == Some((3, 3))).await;
    let tasks = view
        .replicas
        .values()
        .filter(|t| t.service_name() == "web")
        .count();
    assert_eq!(tasks, 3);

    // Errors come back as docker prints them, and change nothing.
    let out = run(&b, "service scale nosuch=2").await;
    assert_eq!(out.code, 1);
    assert!(out.summary().contains("nosuch"), "{out:?}");

    // Inspect returns the engine's JSON without the simulator's fields.
    let v = b
        .inspect(ObjRef::new(ResKind::SwarmService, "web", "web"))
        .await
        .unwrap();
    assert_eq!(v["Spec"]["Name"], "web");
    assert!(v.get("x-sim").is_none());

    // Logs: the last lines, labelled as docker labels them; following brings more.
    let mut logs = b.logs(LogRequest {
        target: LogTarget::Service("web".into()),
        tail: Some(5),
        follow: true,
        previous: false,
    });
    let _ = run(&b, "service update --image nginx:1.16-alpine --detach web").await;
    let mut seen = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while seen < 3 {
        match tokio::time::timeout_at(deadline, logs.next()).await {
            Ok(Some(LogEvent::Lines(ls))) => {
                for l in &ls {
                    assert!(l.label.starts_with("web."), "{l:?}");
                    assert!(l.label.contains('@'), "{l:?}");
                }
                seen += ls.len();
            }
            Ok(Some(LogEvent::Dropped(_))) => {}
            other => panic!("unexpected {other:?}"),
        }
    }

    // The plan of a drain names the tasks that move and where to.
    let plan = b
        .plan(Invocation::parse_line("node update --availability drain node139").unwrap())
        .await
        .unwrap();
    let on139 = view
        .replicas
        .values()
        .filter(|t| t.node_name == "node139" && t.desired <= Phase::Running)
        .count();
    assert_eq!(plan.moves.len(), on139, "{plan:?}");
    for m in &plan.moves {
        assert_eq!(m.from.as_deref(), Some("node139"));
        assert!(
            matches!(m.to.as_deref(), Some("manager43") | Some("node188")),
            "{m:?}"
        );
    }
    // Planning changed nothing.
    let v = b
        .inspect(ObjRef::new(ResKind::SwarmNode, "node139", "node139"))
        .await
        .unwrap();
    assert_eq!(v["Spec"]["Availability"], "active");
}

#[tokio::test(flavor = "current_thread")]
async fn a_second_process_shares_the_cluster_and_takes_over() {
    let dir = tempfile::tempdir().unwrap();
    let first = Builtin::open(opts(dir.path(), 60.0), Duration::from_secs(5))
        .await
        .unwrap();
    assert!(first.is_host());
    // A second backend on the same state is a client of the first, over the socket.
    let second = Builtin::open(opts(dir.path(), 60.0), Duration::from_secs(5))
        .await
        .unwrap();
    assert!(!second.is_host());
    let mut w = second.watch();
    let mut view = Store::default();
    watch_until(&mut w, &mut view, 5, |v| v.hosts.len() == 3).await;
    let out = run(&second, "service create --name api --replicas 2 nginx").await;
    assert_eq!(out.code, 0, "{out:?}");
    watch_until(&mut w, &mut view, 10, |v| running(v, "api") == Some((2, 2))).await;
    // What the client did is visible to the host.
    let v = first
        .inspect(ObjRef::new(ResKind::SwarmService, "api", "api"))
        .await
        .unwrap();
    assert_eq!(v["Spec"]["Mode"]["Replicated"]["Replicas"], 2);

    // The host goes away: the client's watch reports it, takes over, and carries on.
    drop(first);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let mut lost = false;
    loop {
        let ev = tokio::time::timeout_at(deadline, w.next())
            .await
            .unwrap()
            .unwrap();
        match ev {
            WatchEvent::Lost(_) => lost = true,
            WatchEvent::Snapshot(v, _) if lost => {
                view = Store::from_snapshot(*v);
                break;
            }
            other => view.apply_event(other),
        }
    }
    assert!(second.is_host());
    assert_eq!(
        running(&view, "api"),
        Some((2, 2)),
        "nothing acknowledged was lost"
    );
    let out = run(&second, "service scale api=3").await;
    assert_eq!(out.code, 0, "{out:?}");
    watch_until(&mut w, &mut view, 10, |v| running(v, "api") == Some((3, 3))).await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_client_gets_a_large_cluster_whole() {
    // A snapshot crosses the socket in parts; the client sees one snapshot, every object in
    // it, the same as the serving process.
    let dir = tempfile::tempdir().unwrap();
    let host = Builtin::open(opts(dir.path(), 1.0), Duration::from_secs(5))
        .await
        .unwrap();
    let out = run(&host, "service create --name big --replicas 1700 nginx").await;
    assert_eq!(out.code, 0, "{out:?}");
    let mut hw = host.watch();
    let mut here = Store::default();
    watch_until(&mut hw, &mut here, 5, |v| v.replicas.len() == 1700).await;

    let client = Builtin::open(opts(dir.path(), 1.0), Duration::from_secs(5))
        .await
        .unwrap();
    assert!(!client.is_host());
    let mut w = client.watch();
    let first = tokio::time::timeout(Duration::from_secs(10), w.next())
        .await
        .unwrap()
        .unwrap();
    let WatchEvent::Snapshot(views, _) = first else {
        panic!("a watch starts with a snapshot, not {first:?}");
    };
    let there = Store::from_snapshot(*views);
    assert_eq!(there.replicas.len(), 1700);
    assert_eq!(there.hosts.len(), here.hosts.len());
    assert_eq!(there.workloads.len(), here.workloads.len());
    let mut a: Vec<&str> = here.replicas.keys().map(String::as_str).collect();
    let mut b: Vec<&str> = there.replicas.keys().map(String::as_str).collect();
    a.sort();
    b.sort();
    assert_eq!(a, b);
}

#[tokio::test(flavor = "current_thread")]
async fn read_only_refuses_every_mutating_command() {
    let dir = tempfile::tempdir().unwrap();
    let b = Builtin::open(opts(dir.path(), 1.0), Duration::from_secs(5))
        .await
        .unwrap();
    let ro = ReadOnly::new(Box::new(b.clone()) as Box<dyn Backend>);
    assert!(ro.info().read_only);
    for line in [
        "service create --name x nginx",
        "node update --availability drain node139",
        "sim node down node139",
        "volume create v",
        "service scale web=3",
    ] {
        let e = ro
            .run(Invocation::parse_line(line).unwrap(), RunOpts::default())
            .await
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::ReadOnly, "{line}");
    }
    let out = ro
        .run(
            Invocation::parse_line("node ls").unwrap(),
            RunOpts::default(),
        )
        .await
        .unwrap();
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("manager43"));
    // Nothing was created behind the wrapper.
    let out = run(&b, "service ls -q").await;
    assert_eq!(out.stdout, "");
    let out = run(&b, "volume ls -q").await;
    assert_eq!(out.stdout, "");
}

#[tokio::test(flavor = "current_thread")]
async fn read_only_refuses_kubectl_changes_too() {
    let dir = tempfile::tempdir().unwrap();
    let b = Builtin::open(opts(dir.path(), 1.0), Duration::from_secs(5))
        .await
        .unwrap();
    let ro = ReadOnly::new(Box::new(b.clone()) as Box<dyn Backend>);
    for line in [
        "kubectl apply -f -",
        "kubectl -n default scale deploy/web --replicas=3",
        "kubectl rollout undo deploy/web",
        "kubectl exec web-0 -- ls",
    ] {
        let inv = Invocation::parse_line(line).unwrap();
        let e = ro.run(inv, RunOpts::default()).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::ReadOnly, "{line}");
    }
    // A read goes through the wrapper, and the built-in cluster runs it.
    let out = ro
        .run(
            Invocation::parse_line("kubectl get pods").unwrap(),
            RunOpts::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (0, "No resources found in default namespace.\n"),
        "{out:?}"
    );
}
