//! The Kubernetes cluster's machines under the simulator's verbs: nodes that go down and
//! come back, pods evicted from them, crashing containers, nodes added.

use super::nodes::KubeCommand;
use crate::base::time::{SimDuration, SimTime};
use crate::kube::api::ApiRequest;
use crate::model::kube::*;
use crate::{Cluster, NodeTemplate, seed_cluster};
use serde_json::{Value, json};

const NODE1: &str = "192.168.122.13";
const NODE2: &str = "192.168.122.14";

fn cluster() -> Cluster {
    seed_cluster(7, SimTime::parse_rfc3339("2026-11-22T10:00:00Z").unwrap())
}

fn api(c: &mut Cluster, method: &str, path: &str, body: Value) -> Value {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let r = c.kube_api(&ApiRequest {
        method: method.into(),
        path: path.into(),
        query: query.into(),
        accept: "application/json".into(),
        content_type: if method == "PATCH" {
            "application/merge-patch+json".into()
        } else {
            "application/json".into()
        },
        body: if body.is_null() {
            Vec::new()
        } else {
            body.to_string().into_bytes()
        },
        server: "127.0.0.1:6443".into(),
    });
    assert!(
        r.status < 300,
        "{method} {path}: {} {:?}",
        r.status,
        r.value()
    );
    r.value()
}

fn secs(n: i64) -> SimDuration {
    SimDuration::from_secs(n)
}

fn web(c: &mut Cluster, replicas: i32) {
    api(
        c,
        "POST",
        "/apis/apps/v1/namespaces/default/deployments",
        crate::kube::manifest::deployment(
            "web",
            replicas.into(),
            json!({"containers": [{"name": "nginx", "image": "nginx:1.14.2"}]}),
        ),
    );
}

/// (name, node, ready, terminating, restarts of the first container) of every pod.
fn pods(c: &Cluster) -> Vec<(String, String, bool, bool, i32)> {
    c.state()
        .with_prefix::<Pod>("default/")
        .map(|p| {
            (
                p.metadata.name.clone().unwrap_or_default(),
                p.spec
                    .as_ref()
                    .and_then(|s| s.node_name.clone())
                    .unwrap_or_default(),
                super::kubelet::ready(p),
                p.metadata.deletion_timestamp.is_some(),
                p.status
                    .as_ref()
                    .and_then(|s| s.container_statuses.as_ref())
                    .and_then(|cs| cs.first())
                    .map_or(0, |s| s.restart_count),
            )
        })
        .collect()
}

fn node(c: &Cluster, name: &str) -> KubeNode {
    c.state().get::<KubeNode>(name).cloned().unwrap()
}

fn ready_status(n: &KubeNode) -> String {
    n.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|cs| cs.iter().find(|c| c.type_ == "Ready"))
        .map(|c| c.status.clone())
        .unwrap_or_default()
}

fn taints(n: &KubeNode) -> Vec<(String, String, bool)> {
    n.spec
        .as_ref()
        .and_then(|s| s.taints.clone())
        .unwrap_or_default()
        .into_iter()
        .map(|t| (t.key, t.effect, t.time_added.is_some()))
        .collect()
}

fn event_reasons(c: &Cluster) -> Vec<(String, String, String)> {
    c.state()
        .all::<KubeEvent>()
        .map(|e| {
            (
                e.reason.clone().unwrap_or_default(),
                e.involved_object.name.clone().unwrap_or_default(),
                e.message.clone().unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn a_down_node_goes_not_ready_is_tainted_and_its_pods_are_evicted_after_five_minutes() {
    let mut c = cluster();
    web(&mut c, 4);
    c.advance(secs(10));
    let before = pods(&c);
    assert_eq!(before.len(), 4);
    assert!(before.iter().all(|p| p.2), "{before:?}");
    let on_node2: Vec<String> = before
        .iter()
        .filter(|p| p.1 == NODE2)
        .map(|p| p.0.clone())
        .collect();
    assert!(!on_node2.is_empty(), "spread over both workers: {before:?}");
    // Admission gave every pod five minutes' grace on a failing node.
    let p = c
        .state()
        .with_prefix::<Pod>("default/")
        .next()
        .unwrap()
        .clone();
    let tols = p.spec.unwrap().tolerations.unwrap();
    assert!(tols.iter().any(
        |t| t.key.as_deref() == Some("node.kubernetes.io/unreachable")
            && t.effect.as_deref() == Some("NoExecute")
            && t.toleration_seconds == Some(300)
    ));

    c.apply_kube(KubeCommand::NodeDown { node: NODE2.into() })
        .unwrap();
    c.advance(secs(39));
    assert_eq!(
        ready_status(&node(&c, NODE2)),
        "True",
        "within the grace period"
    );
    c.advance(secs(2));
    let n = node(&c, NODE2);
    assert_eq!(ready_status(&n), "Unknown");
    assert_eq!(
        taints(&n),
        [
            (
                "node.kubernetes.io/unreachable".into(),
                "NoSchedule".into(),
                true
            ),
            (
                "node.kubernetes.io/unreachable".into(),
                "NoExecute".into(),
                true
            )
        ]
    );
    let now = pods(&c);
    for name in &on_node2 {
        let p = now.iter().find(|p| &p.0 == name).unwrap();
        assert!(!p.2 && !p.3, "not ready, not yet evicted: {p:?}");
    }
    let ev = event_reasons(&c);
    assert!(ev.iter().any(|e| e.0 == "NodeNotReady"
        && e.1 == NODE2
        && e.2 == format!("Node {NODE2} status is now: NodeNotReady")));
    // New pods go to the other worker only.
    api(
        &mut c,
        "PATCH",
        "/apis/apps/v1/namespaces/default/deployments/web",
        json!({"spec": {"replicas": 6}}),
    );
    c.advance(secs(5));
    let fresh: Vec<_> = pods(&c)
        .into_iter()
        .filter(|p| !before.iter().any(|b| b.0 == p.0))
        .collect();
    assert_eq!(fresh.len(), 2);
    assert!(fresh.iter().all(|p| p.1 == NODE1 && p.2), "{fresh:?}");

    // Five minutes after the taint: evicted, Terminating (the kubelet is not there to
    // confirm), and replaced on the live worker.
    c.advance(secs(300));
    let now = pods(&c);
    for name in &on_node2 {
        let p = now.iter().find(|p| &p.0 == name).unwrap();
        assert!(p.3, "evicted: {p:?}");
    }
    let live: Vec<_> = now.iter().filter(|p| !p.3).collect();
    assert_eq!(live.len(), 6, "{now:?}");
    assert!(live.iter().all(|p| p.1 == NODE1 && p.2), "{live:?}");
    assert!(
        event_reasons(&c)
            .iter()
            .any(|e| e.0 == "TaintManagerEviction"
                && e.2 == format!("Marking for deletion Pod default/{}", on_node2[0]))
    );

    // Back up: Ready, untainted, and the evicted pods are gone at last.
    c.apply_kube(KubeCommand::NodeUp { node: NODE2.into() })
        .unwrap();
    c.advance(secs(5));
    let n = node(&c, NODE2);
    assert_eq!(ready_status(&n), "True");
    assert_eq!(taints(&n), []);
    let now = pods(&c);
    assert_eq!(now.len(), 6, "{now:?}");
    assert!(now.iter().all(|p| p.1 == NODE1 && p.2 && !p.3));
    // Nothing left to do: the controllers are quiet.
    c.advance(secs(60));
    assert_eq!(c.state().meta.kube.sync_at, None);
    // Twice down is refused, as is up for a node that is up.
    assert!(
        c.apply_kube(KubeCommand::NodeUp { node: NODE2.into() })
            .is_err()
    );
    assert!(
        c.apply_kube(KubeCommand::NodeDown {
            node: "nope".into()
        })
        .is_err()
    );
}

#[test]
fn a_node_that_comes_back_restarts_its_containers() {
    let mut c = cluster();
    web(&mut c, 2);
    c.advance(secs(10));
    let node = pods(&c)[0].1.clone();
    c.apply_kube(KubeCommand::NodeDown { node: node.clone() })
        .unwrap();
    c.advance(secs(60));
    c.apply_kube(KubeCommand::NodeUp { node: node.clone() })
        .unwrap();
    c.advance(secs(2));
    for p in c.state().with_prefix::<Pod>("default/") {
        if p.spec.as_ref().and_then(|s| s.node_name.as_deref()) != Some(node.as_str()) {
            continue;
        }
        let s = &p
            .status
            .as_ref()
            .unwrap()
            .container_statuses
            .as_ref()
            .unwrap()[0];
        assert_eq!(s.restart_count, 1);
        let last = s.last_state.as_ref().unwrap().terminated.as_ref().unwrap();
        assert_eq!(
            (last.exit_code, last.reason.as_deref()),
            (255, Some("Unknown"))
        );
        assert!(s.state.as_ref().unwrap().running.is_some());
    }
}

#[test]
fn a_crashed_container_restarts_then_backs_off() {
    let mut c = cluster();
    web(&mut c, 1);
    c.advance(secs(10));
    let name = pods(&c)[0].0.clone();
    let key = format!("default/{name}");
    let crash = |c: &mut Cluster| {
        c.apply_kube(KubeCommand::ContainerExit {
            pod: key.clone(),
            container: None,
            code: 3,
        })
    };
    crash(&mut c).unwrap();
    c.advance(secs(1));
    assert_eq!(pods(&c)[0].4, 1, "restarted at once the first time");
    assert!(pods(&c)[0].2);
    crash(&mut c).unwrap();
    c.advance(secs(1));
    let p = c.state().get::<Pod>(&key).unwrap().clone();
    let s = &p.status.unwrap().container_statuses.unwrap()[0];
    let waiting = s.state.as_ref().unwrap().waiting.as_ref().unwrap();
    assert_eq!(waiting.reason.as_deref(), Some("CrashLoopBackOff"));
    assert_eq!(
        s.last_state
            .as_ref()
            .unwrap()
            .terminated
            .as_ref()
            .unwrap()
            .exit_code,
        3
    );
    // A waiting container cannot crash; after the 10s back-off it runs again.
    assert!(crash(&mut c).is_err());
    c.advance(secs(10));
    assert_eq!(pods(&c)[0].4, 2);
    assert!(pods(&c)[0].2);
    assert!(event_reasons(&c).iter().any(|e| e.0 == "BackOff"));
    let e = c
        .apply_kube(KubeCommand::ContainerExit {
            pod: key.clone(),
            container: Some("sidecar".into()),
            code: 1,
        })
        .unwrap_err();
    assert!(e.0.contains("has no container \"sidecar\""), "{}", e.0);
}

#[test]
fn nodes_added_to_the_kubernetes_cluster_register_ready_and_take_pods() {
    let mut c = cluster();
    let tpl = NodeTemplate {
        name: "worker".into(),
        role: crate::model::NodeRole::Worker,
        cpus: 2.5,
        memory: 4 << 30,
        labels: [("zone".to_string(), "east".to_string())]
            .into_iter()
            .collect(),
        count: 2,
        arch: "x86_64".into(),
    };
    let names = c.apply_kube(KubeCommand::AddNodes(tpl.clone())).unwrap();
    assert_eq!(names, vec!["worker1".to_string(), "worker2".to_string()]);
    let n = node(&c, "worker1");
    assert_eq!(ready_status(&n), "True");
    let cap = n.status.as_ref().unwrap().capacity.clone().unwrap();
    assert_eq!(cap["cpu"].0, "2500m");
    assert_eq!(cap["memory"].0, "4194304Ki");
    assert_eq!(n.metadata.labels.as_ref().unwrap()["zone"], "east");
    let ips: Vec<String> = ["worker1", "worker2"]
        .iter()
        .map(|m| {
            node(&c, m).status.unwrap().addresses.unwrap()[0]
                .address
                .clone()
        })
        .collect();
    assert_eq!(ips, ["192.168.122.15", "192.168.122.16"]);
    let cidr = node(&c, "worker2").spec.unwrap().pod_cidr.unwrap();
    assert!(cidr.starts_with("10.3.") && cidr.ends_with("/26"), "{cidr}");
    let again = c.apply_kube(KubeCommand::AddNodes(NodeTemplate {
        count: 1,
        name: "node1".into(),
        ..tpl
    }));
    // The seed's nodes are named by IP; their host names are taken too.
    assert!(
        again
            .unwrap_err()
            .0
            .contains("a node named node1 already exists")
    );
    web(&mut c, 12);
    c.advance(secs(10));
    let placed = pods(&c);
    assert!(
        placed.iter().any(|p| p.1.starts_with("worker")),
        "{placed:?}"
    );
    assert!(placed.iter().all(|p| p.2));
}

#[test]
fn an_exec_session_with_a_terminal_echoes_prompts_and_ends_with_the_exit_status() {
    use crate::kube::api::exec::{ExecOut, exit_status};
    use crate::kube::api::{Query, Stream};
    let mut c = cluster();
    web(&mut c, 1);
    c.advance(secs(10));
    let name = pods(&c)[0].0.clone();
    let key = format!("default/{name}");
    let q = Query::parse("command=sh&stdin=true&tty=true&stdout=true");
    let r = crate::kube::api::exec::start(c.state(), &key, &q).unwrap();
    assert_eq!(r.status, 101);
    let Some(Stream::Exec(mut s)) = r.stream else {
        panic!("no session")
    };
    let text = |outs: Vec<ExecOut>| -> String {
        outs.into_iter()
            .map(|o| match o {
                ExecOut::Stdout(b) => String::from_utf8_lossy(&b).to_string(),
                ExecOut::Stderr(_) => panic!("a terminal has one stream"),
                ExecOut::Exit(b) => format!("<{}>", String::from_utf8_lossy(&b)),
            })
            .collect()
    };
    // nginx:1.14.2 is Debian: bash is there, but `sh` was asked for.
    assert_eq!(text(s.begin()), "/ # ");
    assert_eq!(
        text(s.input(b"hostnamx\x7fe\r")),
        format!("hostnamx\x08 \x08e\r\n{name}\r\n/ # ")
    );
    assert_eq!(
        text(s.input(b"nope\r")),
        "nope\r\nsh: nope: not found\r\n/ # "
    );
    let end = text(s.input(b"exit 4\r"));
    assert_eq!(
        end,
        format!("exit 4\r\n<{}>", String::from_utf8_lossy(&exit_status(4)))
    );
    assert!(s.ended());
    // A finished or missing container cannot be exec'd into.
    let bad =
        crate::kube::api::exec::start(c.state(), &key, &Query::parse("command=ls&container=x"));
    assert_eq!(
        bad.unwrap_err().message,
        format!("container x is not valid for pod {name}")
    );
}

#[test]
fn kube_system_runs_coredns_kube_proxy_calico_and_the_static_control_plane() {
    let mut c = cluster();
    c.advance(secs(15));
    let sys: Vec<Pod> = c
        .state()
        .with_prefix::<Pod>("kube-system/")
        .cloned()
        .collect();
    let count = |prefix: &str| {
        sys.iter()
            .filter(|p| {
                p.metadata
                    .name
                    .as_deref()
                    .unwrap_or_default()
                    .starts_with(prefix)
            })
            .count()
    };
    assert_eq!(
        (
            count("coredns-"),
            count("kube-proxy-"),
            count("calico-node-"),
            count("etcd-"),
            count("kube-apiserver-")
        ),
        (2, 4, 4, 2, 2)
    );
    assert_eq!(sys.len(), 2 + 4 + 4 + 8);
    for p in &sys {
        assert!(
            super::kubelet::ready(p),
            "{:?} is not ready",
            p.metadata.name
        );
        let s = p.status.as_ref().unwrap();
        let node = p.spec.as_ref().unwrap().node_name.clone().unwrap();
        if p.spec.as_ref().unwrap().host_network == Some(true) {
            assert_eq!(
                s.pod_ip.as_deref(),
                Some(node.as_str()),
                "host network: the node's address"
            );
        } else {
            assert!(s.pod_ip.as_deref().unwrap().starts_with("10.3."));
        }
    }
    let api = sys
        .iter()
        .find(|p| p.metadata.name.as_deref() == Some("kube-apiserver-192.168.122.11"))
        .unwrap();
    let owner = &api.metadata.owner_references.as_ref().unwrap()[0];
    assert_eq!(
        (owner.kind.as_str(), owner.name.as_str()),
        ("Node", "192.168.122.11")
    );
    let image = &api
        .status
        .as_ref()
        .unwrap()
        .container_statuses
        .as_ref()
        .unwrap()[0]
        .image;
    assert_eq!(image, "registry.k8s.io/kube-apiserver:v1.32.4");
    // Nothing more to do once it is up.
    c.advance(secs(60));
    assert_eq!(c.state().meta.kube.sync_at, None);
}

#[test]
fn the_deployment_controller_records_its_scaling() {
    let mut c = cluster();
    web(&mut c, 2);
    c.advance(secs(5));
    api(
        &mut c,
        "PATCH",
        "/apis/apps/v1/namespaces/default/deployments/web",
        json!({"spec": {"replicas": 5}}),
    );
    c.advance(secs(5));
    api(
        &mut c,
        "PATCH",
        "/apis/apps/v1/namespaces/default/deployments/web",
        json!({"spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.16-alpine"}]}}}}),
    );
    c.advance(secs(30));
    let mut scaling: Vec<String> = c
        .state()
        .all::<KubeEvent>()
        .filter(|e| e.reason.as_deref() == Some("ScalingReplicaSet"))
        .filter(|e| e.involved_object.name.as_deref() == Some("web"))
        .map(|e| e.message.clone().unwrap_or_default())
        .collect();
    scaling.sort();
    let first = scaling.iter().find(|m| m.ends_with("from 0 to 2")).cloned();
    assert!(
        first
            .as_ref()
            .is_some_and(|m| m.starts_with("Scaled up replica set web-")),
        "{scaling:?}"
    );
    let rs = first.unwrap().split(' ').nth(4).unwrap().to_string();
    assert!(
        scaling.contains(&format!("Scaled up replica set {rs} from 2 to 5")),
        "{scaling:?}"
    );
    assert!(
        // The old one shrinks in steps as the new one's pods become available, down to 0.
        scaling.iter().any(
            |m| m.starts_with(&format!("Scaled down replica set {rs} from "))
                && m.ends_with(" to 0")
        ),
        "{scaling:?}"
    );
    assert!(
        scaling
            .iter()
            .any(|m| m.starts_with("Scaled up replica set ")
                && !m.contains(&rs)
                && m.ends_with(" to 5")),
        "{scaling:?}"
    );
}

#[test]
fn a_replicaset_scales_down_the_pods_doubled_up_on_a_node_first() {
    // Spec C18 (seed 002-07): victims are ranked by how many of the family share their
    // node before age, so a lone pod survives even when it is the newest.
    let mut c = cluster();
    let cordon = |c: &mut Cluster, on: bool| {
        api(
            c,
            "PATCH",
            &format!("/api/v1/nodes/{NODE1}"),
            json!({"spec": {"unschedulable": on}}),
        );
    };
    cordon(&mut c, true);
    web(&mut c, 3);
    c.advance(secs(20));
    assert!(
        pods(&c).iter().all(|p| p.1 == NODE2 && p.2),
        "{:?}",
        pods(&c)
    );
    cordon(&mut c, false);
    let scale = |c: &mut Cluster, n: i32| {
        api(
            c,
            "PATCH",
            "/apis/apps/v1/namespaces/default/deployments/web",
            json!({"spec": {"replicas": n}}),
        );
    };
    scale(&mut c, 4);
    c.advance(secs(20));
    let lone: Vec<String> = pods(&c)
        .into_iter()
        .filter(|p| p.1 == NODE1)
        .map(|p| p.0)
        .collect();
    assert_eq!(lone.len(), 1, "{:?}", pods(&c));
    scale(&mut c, 1);
    c.advance(secs(60));
    let left: Vec<String> = pods(&c).into_iter().map(|p| p.0).collect();
    assert_eq!(left, lone);
}

/// (name, spec.replicas) of the ReplicaSets of a Deployment, largest first.
fn replicasets(c: &Cluster) -> Vec<(String, i32)> {
    let mut v: Vec<(String, i32)> = c
        .state()
        .with_prefix::<ReplicaSet>("default/")
        .map(|r| {
            (
                r.metadata.name.clone().unwrap_or_default(),
                r.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0),
            )
        })
        .collect();
    v.sort_by_key(|r| std::cmp::Reverse(r.1));
    v
}

#[test]
fn scaling_during_a_stuck_rollout_is_shared_out_in_proportion() {
    // The Kubernetes documentation's example: 10 replicas, maxSurge 3, maxUnavailable 2,
    // a rollout to an image that cannot be pulled stops at 8 old and 5 new; scaled to 15,
    // 3 of the 5 more go to the old ReplicaSet and 2 to the new one.
    let mut c = cluster();
    web(&mut c, 10);
    api(
        &mut c,
        "PATCH",
        "/apis/apps/v1/namespaces/default/deployments/web",
        json!({"spec": {"strategy": {"rollingUpdate": {"maxSurge": 3, "maxUnavailable": 2}}}}),
    );
    c.advance(secs(30));
    api(
        &mut c,
        "PATCH",
        "/apis/apps/v1/namespaces/default/deployments/web",
        json!({"spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:no-such-tag"}]}}}}),
    );
    c.advance(secs(60));
    let sizes: Vec<i32> = replicasets(&c).iter().map(|r| r.1).collect();
    assert_eq!(sizes, [8, 5], "{:?}", replicasets(&c));
    api(
        &mut c,
        "PATCH",
        "/apis/apps/v1/namespaces/default/deployments/web/scale",
        json!({"spec": {"replicas": 15}}),
    );
    c.advance(secs(5));
    let sizes: Vec<i32> = replicasets(&c).iter().map(|r| r.1).collect();
    assert_eq!(sizes, [11, 7], "{:?}", replicasets(&c));
    // And back down: 18 - (10 + 3) = 5 fewer, shared the same way.
    api(
        &mut c,
        "PATCH",
        "/apis/apps/v1/namespaces/default/deployments/web/scale",
        json!({"spec": {"replicas": 10}}),
    );
    c.advance(secs(5));
    let sizes: Vec<i32> = replicasets(&c).iter().map(|r| r.1).collect();
    assert_eq!(sizes.iter().sum::<i32>(), 13, "{:?}", replicasets(&c));
}

#[test]
fn a_repeated_event_is_counted_on_the_one_it_repeats_also_after_a_reload() {
    use crate::kube::events;
    let mut c = cluster();
    let pod = c
        .state()
        .all::<Pod>()
        .next()
        .expect("a kube-system pod")
        .clone();
    let key = object_key(&pod.metadata);
    let of_pod = |c: &Cluster| -> Vec<(String, i32)> {
        c.state()
            .all::<KubeEvent>()
            .filter(|e| e.involved_object.uid == pod.metadata.uid)
            .filter(|e| e.reason.as_deref() == Some("Tested"))
            .map(|e| (e.message.clone().unwrap(), e.count.unwrap()))
            .collect()
    };
    let say = |c: &mut Cluster, msg: &str| {
        let st = c.state_mut();
        st.begin_final();
        let about = events::about(st.get::<Pod>(&key).unwrap());
        events::record(st, about, true, "Tested", msg, &events::SCHEDULER);
        st.commit();
    };
    say(&mut c, "one");
    say(&mut c, "one");
    say(&mut c, "two");
    let mut seen = of_pod(&c);
    seen.sort();
    assert_eq!(seen, vec![("one".into(), 2), ("two".into(), 1)]);
    // The index is derived again from the stored events.
    let st = crate::state::State::from_parts(c.state().meta.clone(), c.state().tables().clone());
    let mut c = Cluster::from_state(st);
    say(&mut c, "two");
    let mut seen = of_pod(&c);
    seen.sort();
    assert_eq!(seen, vec![("one".into(), 2), ("two".into(), 2)]);
    // A removed event is not counted again: its repeat starts a new one.
    let st = c.state_mut();
    st.begin_final();
    let one: Vec<String> = st
        .all::<KubeEvent>()
        .filter(|e| e.message.as_deref() == Some("one") && e.reason.as_deref() == Some("Tested"))
        .map(|e| object_key(&e.metadata))
        .collect();
    for k in one {
        st.remove::<KubeEvent>(&k);
    }
    st.commit();
    say(&mut c, "one");
    let mut seen = of_pod(&c);
    seen.sort();
    assert_eq!(seen, vec![("one".into(), 1), ("two".into(), 2)]);
}

#[test]
fn a_pod_created_bound_to_a_node_is_admitted_by_its_kubelet() {
    let mut c = cluster();
    api(
        &mut c,
        "POST",
        "/api/v1/namespaces/default/pods",
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "bound"},
            "spec": {"nodeName": NODE2, "containers": [{"name": "c", "image": "nginx"}]}}),
    );
    c.advance(secs(10));
    let p = api(
        &mut c,
        "GET",
        "/api/v1/namespaces/default/pods/bound",
        Value::Null,
    );
    assert_eq!(p["status"]["phase"], "Running", "{p}");
    assert_eq!(p["status"]["hostIP"], NODE2);
    let scheduled = p["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "PodScheduled")
        .unwrap();
    assert_eq!(scheduled["status"], "True");
    assert_eq!(
        scheduled["lastTransitionTime"],
        p["metadata"]["creationTimestamp"]
    );
}
