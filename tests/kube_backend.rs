//! The Kubernetes backend (kube-rs watchers, opsconsole's kubectl) end to end against the
//! built-in Kubernetes cluster hosted in this process: its client's requests go to the
//! cluster's API handler with no socket, the same handler `serve --kube-api` serves.

mod common;

use common::watch::{run, running, watch_until};
use futures::StreamExt;
use opsconsole::backend::builtin::{Builtin, Options};
use opsconsole::backend::view::{Phase, ResKind, Store};
use opsconsole::backend::*;
use opsconsole_sim::base::time::SimTime;
use std::time::Duration;

fn opts(dir: &std::path::Path, speed: f64) -> Options {
    common::watch::builtin_opts(dir, speed)
}

fn pods_of<'a>(view: &'a Store, prefix: &str) -> Vec<&'a view::ReplicaView> {
    view.replicas
        .values()
        .filter(|p| p.c.r.kind == ResKind::Pod && p.name().starts_with(prefix))
        .map(|p| &**p)
        .collect()
}

/// Every line a log stream sends until it ends.
async fn all_lines(logs: &mut futures::stream::BoxStream<'static, LogEvent>) -> Vec<LogLineView> {
    let mut lines = Vec::new();
    while let Some(ev) = tokio::time::timeout(Duration::from_secs(10), logs.next())
        .await
        .expect("logs answer")
    {
        match ev {
            LogEvent::Lines(ls) => lines.extend(ls),
            LogEvent::End => break,
            other => panic!("{other:?}"),
        }
    }
    lines
}

#[tokio::test(flavor = "current_thread")]
async fn the_built_in_cluster_through_the_kubernetes_backend() {
    let dir = tempfile::tempdir().unwrap();
    let b = Builtin::open(opts(dir.path(), 60.0), Duration::from_secs(5))
        .await
        .unwrap();
    let k = b.kube().await.unwrap();
    let info = k.info();
    assert_eq!(info.kind, BackendKind::Kubernetes);
    assert!(info.simulated);
    assert!(info.caps_of(ResKind::Deployment).has(view::Caps::SCALE));

    // The snapshot: seed 002's four nodes with kubectl's columns, kube-system's workloads
    // and pods, a simulated clock.
    let mut w = k.watch();
    let mut view = Store::default();
    watch_until(&mut w, &mut view, 10, |v| v.hosts.len() == 4).await;
    let mut names: Vec<&str> = view.hosts.values().map(|h| h.hostname()).collect();
    names.sort();
    // Registered by IP, as seed 002's nodes are.
    assert_eq!(
        names,
        [
            "192.168.122.11",
            "192.168.122.12",
            "192.168.122.13",
            "192.168.122.14"
        ]
    );
    let master = view
        .hosts
        .values()
        .find(|h| h.hostname() == "192.168.122.11")
        .unwrap();
    let kh = master.kube.as_deref().unwrap();
    assert_eq!(kh.status, "Ready");
    assert!(kh.roles.contains("control-plane"), "{kh:?}");
    assert!(kh.taints.iter().any(|t| t.contains("NoSchedule")), "{kh:?}");
    assert_eq!(master.ip, "192.168.122.11");
    assert!(
        master.tasks > 0,
        "static pods count on their node: {master:?}"
    );
    let coredns = view
        .workloads
        .values()
        .find(|w| w.name() == "coredns")
        .expect("coredns Deployment");
    assert_eq!(coredns.c.r.kind, ResKind::Deployment);
    assert_eq!(coredns.c.r.ns.as_deref(), Some("kube-system"));
    assert!(
        view.workloads
            .values()
            .any(|w| w.c.r.kind == ResKind::DaemonSet)
    );

    // A command through the same client: the Deployment, its ReplicaSet and pods arrive.
    let out = run(
        &k,
        "kubectl create deployment web --image=nginx:1.16 --replicas=3",
    )
    .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, "deployment.apps/web created\n");
    watch_until(&mut w, &mut view, 20, |v| {
        running(v, "web") == Some((3, 3))
            && pods_of(v, "web-")
                .iter()
                .filter(|p| p.phase == Phase::Running)
                .count()
                == 3
    })
    .await;
    let pods = pods_of(&view, "web-");
    for p in &pods {
        let kp = p.kube.as_deref().unwrap();
        assert_eq!(kp.ready, "1/1");
        assert_eq!(p.status.as_str(), "Running");
        assert!(kp.ip.starts_with("10.3."), "{kp:?}");
        assert!(
            ["192.168.122.13", "192.168.122.14"].contains(&p.node_name.as_str()),
            "{p:?}"
        );
        let rs = p.c.owner.as_ref().unwrap();
        assert_eq!(rs.kind, ResKind::ReplicaSet);
        let rs = view
            .workloads
            .get(&rs.uid)
            .expect("the ReplicaSet is a workload");
        assert_eq!(rs.c.owner.as_ref().map(|o| o.name.as_str()), Some("web"));
    }
    // The nodes count the pods and what they ask for.
    let on_workers: u32 = view
        .hosts
        .values()
        .filter(|h| !h.is_manager())
        .map(|h| h.tasks)
        .sum();
    assert!(on_workers >= 3, "{on_workers}");

    // A failing command prints kubectl's error and changes nothing.
    let out = run(&k, "kubectl scale deployment nosuch --replicas=2").await;
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("deployments.apps \"nosuch\" not found"),
        "{out:?}"
    );
    // Docker's words are refused by name.
    let e = k
        .run(
            Invocation::parse_line("service ls").unwrap(),
            RunOpts::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unsupported);

    // Inspect: the object as `kubectl get -o yaml` shows it.
    let pod = pods[0].c.r.clone();
    let v = k.inspect(pod.clone()).await.unwrap();
    assert_eq!(v["kind"], "Pod");
    assert_eq!(v["metadata"]["name"], pod.name.as_str());
    assert!(v["metadata"].get("managedFields").is_none());

    // Logs of a pod, with the server's timestamps.
    let out = run(
        &k,
        "kubectl run ticker --image=busybox:1.28 -- sh -c 'while true; do echo tick; sleep 1; done'",
    )
    .await;
    assert_eq!(out.code, 0, "{out:?}");
    watch_until(&mut w, &mut view, 20, |v| {
        pods_of(v, "ticker")
            .first()
            .is_some_and(|p| p.phase == Phase::Running)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let ticker = pods_of(&view, "ticker")[0].c.r.clone();
    let mut logs = k.logs(LogRequest {
        target: LogTarget::Pod {
            pod: ticker,
            container: None,
        },
        tail: None,
        follow: false,
        previous: false,
    });
    let lines = all_lines(&mut logs).await;
    assert!(!lines.is_empty(), "it ticks every simulated second");
    assert!(lines.iter().all(|l| l.text == "tick"), "{lines:?}");
    assert!(lines.iter().all(|l| l.at > SimTime(0)), "{lines:?}");

    // A workload's log: its pods' merged, each line labelled with its pod.
    let web = view
        .workloads
        .values()
        .find(|w| w.name() == "web" && w.c.r.kind == ResKind::Deployment)
        .expect("web")
        .c
        .r
        .clone();
    let mut logs = k.logs(LogRequest {
        target: LogTarget::Workload(web),
        tail: None,
        follow: false,
        previous: false,
    });
    let lines = all_lines(&mut logs).await;
    let mut labels: Vec<&str> = lines.iter().map(|l| l.label.as_str()).collect();
    labels.sort();
    labels.dedup();
    let mut names: Vec<&str> = pods_of(&view, "web-").iter().map(|p| p.name()).collect();
    names.sort();
    assert_eq!(
        labels, names,
        "every pod of web, labelled by name: {lines:?}"
    );

    // Scoped to a namespace: a new watch holds only that namespace's objects (nodes are
    // cluster-wide).
    let scoped = k.rescoped(Some("kube-system")).expect("namespaces");
    assert_eq!(scoped.info().scope.as_deref(), Some("kube-system"));
    let mut sw = scoped.watch();
    let mut sview = Store::default();
    watch_until(&mut sw, &mut sview, 10, |v| {
        v.hosts.len() == 4 && !v.replicas.is_empty()
    })
    .await;
    assert!(
        sview
            .replicas
            .values()
            .all(|p| p.c.r.ns.as_deref() == Some("kube-system")),
        "only kube-system's pods"
    );
    assert!(
        sview
            .workloads
            .values()
            .all(|w| w.c.r.ns.as_deref() == Some("kube-system")),
        "only kube-system's workloads"
    );
    drop(sw);

    // Scaled down and deleted: the watch removes what went.
    let out = run(&k, "kubectl delete deployment web").await;
    assert_eq!(out.code, 0, "{out:?}");
    watch_until(&mut w, &mut view, 30, |v| {
        pods_of(v, "web-").is_empty() && running(v, "web").is_none()
    })
    .await;
    watch_until(&mut w, &mut view, 30, |v| {
        v.workloads.values().all(|w| !w.name().starts_with("web"))
    })
    .await;
}

/// A backend connected on first use (`--kube`): the first frame need not wait for the
/// server. A connection that fails is reported as lost and tried again; then the backend's
/// own description and its snapshot follow.
#[tokio::test(flavor = "current_thread")]
async fn a_lazy_backend_reports_a_failed_connection_and_tries_again() {
    use opsconsole::backend::lazy::Lazy;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let dir = tempfile::tempdir().unwrap();
    let b = Builtin::open(opts(dir.path(), 60.0), Duration::from_secs(5))
        .await
        .unwrap();
    let tries = Arc::new(AtomicUsize::new(0));
    let info = BackendInfo {
        kind: BackendKind::Kubernetes,
        endpoint: "not yet".into(),
        read_only: false,
        simulated: true,
        flavor: Flavor::Kube,
        caps: Vec::new(),
        creates: Vec::new(),
        scope: None,
    };
    let t = tries.clone();
    let lazy = Lazy::new(info, move || {
        let (b, t) = (b.clone(), t.clone());
        Box::pin(async move {
            if t.fetch_add(1, Ordering::SeqCst) == 0 {
                return Err(BackendError::unavailable("the server is still starting"));
            }
            Ok(Arc::new(b.kube().await?) as Arc<dyn Backend>)
        })
    });
    assert_eq!(lazy.info().endpoint, "not yet");
    let mut w = lazy.watch();
    match next_event(&mut w).await {
        WatchEvent::Lost(why) => assert_eq!(why, "the server is still starting"),
        other => panic!("{other:?}"),
    }
    match next_event(&mut w).await {
        WatchEvent::Info(i) => assert!(i.endpoint.starts_with("built-in Kubernetes"), "{i:?}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(next_event(&mut w).await, WatchEvent::Snapshot(..)));
    assert_eq!(tries.load(Ordering::SeqCst), 2);
    // Connected: commands use the same backend (no third attempt).
    let out = run(&lazy, "kubectl get nodes").await;
    assert!(out.stdout.contains("192.168.122.11"), "{out:?}");
    assert_eq!(tries.load(Ordering::SeqCst), 2);
}

async fn next_event(w: &mut futures::stream::BoxStream<'static, WatchEvent>) -> WatchEvent {
    tokio::time::timeout(Duration::from_secs(10), w.next())
        .await
        .expect("an event")
        .expect("the watch goes on")
}
