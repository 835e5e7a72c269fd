//! The console on Kubernetes, without a backend: the panes at two sizes, and what the
//! Workloads and Pods panes and the `:` line ask the backend for.

use super::{enter, esc, key, run_words, screen, typed};
use opsconsole::app::Effect;
use opsconsole::fixtures;

#[test]
fn kubernetes_panes_at_80x24_and_200x50() {
    let (view, now) = fixtures::kube_view(4, 14);
    let mut app = fixtures::kube_app_with(view, now);
    for (w, h) in [(80, 24), (200, 50)] {
        typed(&mut app, "1");
        insta::assert_snapshot!(format!("kube_nodes_{w}x{h}"), screen(&mut app, w, h));
        typed(&mut app, "2");
        insta::assert_snapshot!(format!("kube_workloads_{w}x{h}"), screen(&mut app, w, h));
        typed(&mut app, "3");
        insta::assert_snapshot!(format!("kube_pods_{w}x{h}"), screen(&mut app, w, h));
    }
    // The Pending pod says why, at the bottom of the table.
    typed(&mut app, "gg");
    typed(&mut app, "jjjjj");
    let s = screen(&mut app, 120, 30);
    assert!(s.contains("0/4 nodes are available"), "{s}");
    // Its actions are kubectl's: delete asks first, in the pod's namespace.
    typed(&mut app, "D");
    let s = screen(&mut app, 120, 30);
    assert!(
        s.contains("Delete pod app0-7d9c5b8f6-00005 in default?"),
        "{s}"
    );
}

#[test]
fn kubernetes_workload_actions_jumps_and_namespaces() {
    use opsconsole::backend::convert::kube as k;
    use opsconsole::backend::view::View;
    let (mut view, now) = fixtures::kube_view(4, 14);
    let cj: k8s_openapi::api::batch::v1::CronJob = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "hello", "namespace": "jobs", "uid": "cj-1",
            "creationTimestamp": "2026-11-22T09:00:00Z"},
        "spec": {"schedule": "*/1 * * * *", "suspend": false,
            "jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "OnFailure",
                "containers": [{"name": "hello", "image": "busybox"}]}}}}}
    }))
    .unwrap();
    view.push(View::Workload(Box::new(k::cron_job(&cj))));
    let mut app = fixtures::kube_app_with(view, now);

    // k9s's jumps: one kind of workload, then every kind again.
    let mut fx = typed(&mut app, ":cj");
    fx.extend(key(&mut app, enter()));
    assert!(fx.is_empty(), "a jump asks nothing of the backend: {fx:?}");
    let s = screen(&mut app, 120, 30);
    assert!(s.contains("CronJobs") && s.contains("hello"), "{s}");
    assert!(!s.contains("app0"), "only CronJobs: {s}");

    // p suspends it, T runs its Job now: kubectl's words, in its namespace.
    let fx = typed(&mut app, "p");
    assert_eq!(
        run_words(&fx),
        [[
            "kubectl",
            "patch",
            "cronjob/hello",
            "-p",
            r#"{"spec":{"suspend":true}}"#,
            "-n",
            "jobs"
        ]]
    );
    let fx = typed(&mut app, "T");
    let w = run_words(&fx);
    assert_eq!(w.len(), 1, "{fx:?}");
    assert_eq!(w[0][..3], ["kubectl", "create", "job"]);
    assert!(w[0][3].starts_with("hello-manual-"), "{w:?}");
    assert_eq!(w[0][4..], ["--from=cronjob/hello", "-n", "jobs"]);

    // Delete offers Cancel (the default), Delete and Orphan.
    typed(&mut app, "D");
    let s = screen(&mut app, 120, 30);
    assert!(s.contains("[ Orphan ]"), "{s}");
    assert!(
        run_words(&key(&mut app, enter())).is_empty(),
        "Enter is Cancel"
    );
    typed(&mut app, "D");
    let fx = typed(&mut app, "o");
    assert_eq!(
        run_words(&fx),
        [[
            "kubectl",
            "delete",
            "cronjob",
            "hello",
            "--cascade=orphan",
            "-n",
            "jobs"
        ]]
    );

    // :deploy shows the Deployments; l opens every pod's log of the selected one.
    typed(&mut app, ":deploy");
    key(&mut app, enter());
    let s = screen(&mut app, 120, 30);
    assert!(
        s.contains("Deployments") && s.contains("app0") && !s.contains("│CronJob"),
        "{s}"
    );
    let fx = typed(&mut app, "l");
    assert!(
        fx.iter().any(|e| matches!(e, Effect::Logs { req, .. }
            if matches!(&req.target, opsconsole::backend::LogTarget::Workload(w) if w.name == "app0"))),
        "{fx:?}"
    );
    key(&mut app, esc());

    // e: the selected object's events, oldest first.
    typed(&mut app, "3");
    let fx = typed(&mut app, "e");
    let w = run_words(&fx);
    assert_eq!(w.len(), 1, "{fx:?}");
    assert_eq!(
        w[0][..5],
        [
            "kubectl",
            "get",
            "events",
            "--sort-by=.lastTimestamp",
            "--field-selector"
        ]
    );
    assert!(w[0][5].starts_with("involvedObject.uid=p-"), "{w:?}");
    key(&mut app, esc());

    // On a Kubernetes cluster, kubectl's verbs are kubectl's even where docker has one of
    // the same name; `:logs NAME` opens a workload's (or a pod's) log.
    let mut fx = typed(&mut app, ":create deployment web --image=nginx");
    fx.extend(key(&mut app, enter()));
    assert_eq!(
        run_words(&fx),
        [["kubectl", "create", "deployment", "web", "--image=nginx"]]
    );
    let mut fx = typed(&mut app, ":logs app0");
    fx.extend(key(&mut app, enter()));
    assert!(
        fx.iter().any(|e| matches!(e, Effect::Logs { req, .. }
            if matches!(&req.target, opsconsole::backend::LogTarget::Workload(w) if w.name == "app0"))),
        "{fx:?}"
    );
    key(&mut app, esc());

    // :ns scopes the views: the backend is asked to watch that namespace, the header says so
    // and the NAMESPACE column goes.
    let mut fx = typed(&mut app, ":ns default");
    fx.extend(key(&mut app, enter()));
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Rescope(Some(ns)) if ns == "default")),
        "{fx:?}"
    );
    let s = screen(&mut app, 120, 30);
    assert!(s.contains("ns: default"), "{s}");
    // A jump that is not a Kubernetes one on a swarm says so.
    let cl = fixtures::demo_cluster();
    let mut swarm = fixtures::app_for(&cl);
    typed(&mut swarm, ":deploy");
    key(&mut swarm, enter());
    let s = screen(&mut swarm, 120, 30);
    assert!(s.contains("is not a Kubernetes cluster"), "{s}");
}
