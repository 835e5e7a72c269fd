//! Property test: random sequences of API writes and machine changes never break the
//! cluster's invariants. While it runs, no running pod stays on a node whose NoSchedule or
//! NoExecute taint it does not tolerate; once every node is back and the controllers have
//! settled, every ownerReference names a live owner, nothing is left half-deleted, and each
//! Deployment and DaemonSet has exactly the pods it asks for.

use super::nodes::KubeCommand;
use crate::base::time::{SimDuration, SimTime};
use crate::kube::api::ApiRequest;
use crate::model::kube::*;
use crate::state::{Object, State};
use crate::{Cluster, seed_cluster};
use k8s_openapi::api::core::v1::{Taint, Toleration};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::collections::BTreeSet;

const WORKERS: [&str; 2] = ["192.168.122.13", "192.168.122.14"];
const IMAGES: [&str; 4] = [
    "nginx:1.14.2",
    "nginx:1.16-alpine",
    "nginx:1.17-alpine",
    "nginx:no-such-tag",
];
const DEPLOYS: [&str; 3] = ["a", "b", "c"];
const TAINT: &str = "dedicated";

#[derive(Clone, Debug)]
enum Op {
    Create {
        d: usize,
        replicas: i32,
        image: usize,
        tolerate: bool,
    },
    Scale {
        d: usize,
        replicas: i32,
    },
    Image {
        d: usize,
        image: usize,
    },
    Delete {
        d: usize,
        policy: usize,
    },
    DeletePod {
        nth: usize,
    },
    DaemonSet {
        on: bool,
    },
    Taint {
        worker: usize,
        on: bool,
    },
    Down {
        worker: usize,
    },
    Up {
        worker: usize,
    },
    Advance {
        secs: i64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let d = 0..DEPLOYS.len();
    let image = 0..IMAGES.len();
    prop_oneof![
        3 => (d.clone(), 0..7i32, image.clone(), any::<bool>()).prop_map(|(d, replicas, image, tolerate)| Op::Create { d, replicas, image, tolerate }),
        3 => (d.clone(), 0..9i32).prop_map(|(d, replicas)| Op::Scale { d, replicas }),
        2 => (d.clone(), image).prop_map(|(d, image)| Op::Image { d, image }),
        1 => (d, 0..3usize).prop_map(|(d, policy)| Op::Delete { d, policy }),
        2 => (0..20usize).prop_map(|nth| Op::DeletePod { nth }),
        1 => any::<bool>().prop_map(|on| Op::DaemonSet { on }),
        2 => (0..2usize, any::<bool>()).prop_map(|(worker, on)| Op::Taint { worker, on }),
        1 => (0..2usize).prop_map(|worker| Op::Down { worker }),
        1 => (0..2usize).prop_map(|worker| Op::Up { worker }),
        3 => (1..400i64).prop_map(|secs| Op::Advance { secs }),
    ]
}

/// One API request; refusals (a name taken, an object gone) are part of the game.
fn call(c: &mut Cluster, method: &str, path: &str, ct: &str, body: Value) {
    c.kube_api(&ApiRequest {
        method: method.into(),
        path: path.into(),
        query: String::new(),
        accept: "application/json".into(),
        content_type: ct.into(),
        body: if body.is_null() {
            Vec::new()
        } else {
            body.to_string().into_bytes()
        },
        server: "127.0.0.1:6443".into(),
    });
}

const DEPLOYMENTS: &str = "/apis/apps/v1/namespaces/default/deployments";
const MERGE: &str = "application/merge-patch+json";

fn apply(c: &mut Cluster, op: &Op) {
    match *op {
        Op::Create {
            d,
            replicas,
            image,
            tolerate,
        } => {
            let tolerations = if tolerate {
                json!([{"key": TAINT, "operator": "Exists", "effect": "NoExecute"}])
            } else {
                json!([])
            };
            let name = DEPLOYS[d];
            call(
                c,
                "POST",
                DEPLOYMENTS,
                "application/json",
                crate::kube::manifest::deployment(
                    name,
                    replicas.into(),
                    json!({
                        "containers": [{"name": "c", "image": IMAGES[image]}],
                        "tolerations": tolerations,
                    }),
                ),
            );
        }
        Op::Scale { d, replicas } => call(
            c,
            "PATCH",
            &format!("{DEPLOYMENTS}/{}/scale", DEPLOYS[d]),
            MERGE,
            json!({"spec": {"replicas": replicas}}),
        ),
        Op::Image { d, image } => call(
            c,
            "PATCH",
            &format!("{DEPLOYMENTS}/{}", DEPLOYS[d]),
            "application/strategic-merge-patch+json",
            json!({"spec": {"template": {"spec": {"containers": [{"name": "c", "image": IMAGES[image]}]}}}}),
        ),
        Op::Delete { d, policy } => call(
            c,
            "DELETE",
            &format!("{DEPLOYMENTS}/{}", DEPLOYS[d]),
            "application/json",
            json!({"propagationPolicy": (["Background", "Foreground", "Orphan"][policy])}),
        ),
        Op::DeletePod { nth } => {
            let live: Vec<String> = c
                .state()
                .with_prefix::<Pod>("default/")
                .map(|p| p.metadata.name.clone().unwrap_or_default())
                .collect();
            if !live.is_empty() {
                let name = &live[nth % live.len()];
                call(
                    c,
                    "DELETE",
                    &format!("/api/v1/namespaces/default/pods/{name}"),
                    "application/json",
                    Value::Null,
                );
            }
        }
        Op::DaemonSet { on: true } => call(
            c,
            "POST",
            "/apis/apps/v1/namespaces/default/daemonsets",
            "application/json",
            json!({
                "apiVersion": "apps/v1", "kind": "DaemonSet",
                "metadata": {"name": "ds"},
                "spec": {
                    "selector": {"matchLabels": {"app": "ds"}},
                    "template": {
                        "metadata": {"labels": {"app": "ds"}},
                        "spec": {
                            "containers": [{"name": "c", "image": "nginx:1.15-alpine"}],
                            "tolerations": [{"key": "node-role.kubernetes.io/master", "effect": "NoSchedule"}],
                        }
                    }
                }
            }),
        ),
        Op::DaemonSet { on: false } => call(
            c,
            "DELETE",
            "/apis/apps/v1/namespaces/default/daemonsets/ds",
            "application/json",
            Value::Null,
        ),
        Op::Taint { worker, on } => taint(c, WORKERS[worker], on),
        Op::Down { worker } => {
            let _ = c.apply_kube(KubeCommand::NodeDown {
                node: WORKERS[worker].into(),
            });
        }
        Op::Up { worker } => {
            let _ = c.apply_kube(KubeCommand::NodeUp {
                node: WORKERS[worker].into(),
            });
        }
        Op::Advance { secs } => c.advance(SimDuration::from_secs(secs)),
    }
}

/// Adds or removes the `dedicated=x:NoExecute` taint, keeping the node's other taints.
fn taint(c: &mut Cluster, node: &str, on: bool) {
    let Some(n) = c.state().get::<KubeNode>(node) else {
        return;
    };
    let mut taints: Vec<Value> = n
        .spec
        .as_ref()
        .and_then(|s| s.taints.clone())
        .unwrap_or_default()
        .into_iter()
        .filter(|t| t.key != TAINT)
        .map(|t| serde_json::to_value(t).unwrap())
        .collect();
    if on {
        taints.push(json!({"key": TAINT, "value": "x", "effect": "NoExecute"}));
    }
    call(
        c,
        "PATCH",
        &format!("/api/v1/nodes/{node}"),
        MERGE,
        json!({"spec": {"taints": taints}}),
    );
}

/// Whether `tol` matches `taint` (the upstream rules, written out again here).
fn matches(tol: &Toleration, taint: &Taint) -> bool {
    let key = match tol.key.as_deref().unwrap_or("") {
        "" => tol.operator.as_deref() == Some("Exists"),
        k => k == taint.key,
    };
    let effect = matches!(tol.effect.as_deref(), None | Some(""))
        || tol.effect.as_deref() == Some(taint.effect.as_str());
    let value = tol.operator.as_deref() == Some("Exists")
        || tol.value.as_deref().unwrap_or("") == taint.value.as_deref().unwrap_or("");
    key && effect && value
}

/// No live, bound pod sits on a node with a hard taint it does not tolerate (a toleration
/// with `tolerationSeconds` holds until those seconds, and a sync, have passed).
fn no_pod_on_an_untolerated_taint(st: &State) -> Result<(), TestCaseError> {
    let now = st.now();
    for p in st.all::<Pod>() {
        if p.metadata.deletion_timestamp.is_some() {
            continue;
        }
        let Some(spec) = p.spec.as_ref() else {
            continue;
        };
        let Some(node) = spec.node_name.as_deref() else {
            continue;
        };
        let Some(n) = st.get::<KubeNode>(node) else {
            return Err(TestCaseError::fail(format!(
                "{:?} on a node that is not there",
                p.metadata.name
            )));
        };
        let tols = spec.tolerations.clone().unwrap_or_default();
        let scheduled = p
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .and_then(|cs| cs.iter().find(|c| c.type_ == "PodScheduled"))
            .and_then(|c| c.last_transition_time.as_ref())
            .map(sim_time);
        for t in n
            .spec
            .as_ref()
            .and_then(|s| s.taints.as_ref())
            .into_iter()
            .flatten()
        {
            // Static pods are placed by their node's kubelet, not scheduled.
            let mirror = p
                .metadata
                .annotations
                .as_ref()
                .is_some_and(|a| a.contains_key("kubernetes.io/config.mirror"));
            // A NoSchedule taint only binds pods scheduled after it.
            let later = t.time_added.as_ref().map(sim_time) >= scheduled;
            if t.effect == "PreferNoSchedule" || (t.effect == "NoSchedule" && (mirror || later)) {
                continue;
            }
            let held = tols.iter().filter(|tol| matches(tol, t)).any(|tol| {
                match (tol.toleration_seconds, t.time_added.as_ref()) {
                    (Some(s), Some(added)) if t.effect == "NoExecute" => {
                        sim_time(added) + SimDuration::from_secs(s + 2) > now
                    }
                    _ => true,
                }
            });
            prop_assert!(
                held,
                "{} on {node} does not tolerate {}:{} at {now:?}",
                p.metadata.name.as_deref().unwrap_or_default(),
                t.key,
                t.effect
            );
        }
    }
    Ok(())
}

/// The uids of every live object that can own another.
fn owners(st: &State) -> BTreeSet<String> {
    fn uids<'a, T: Object + k8s_openapi::Metadata<Ty = ObjectMeta> + 'a>(
        it: impl Iterator<Item = &'a T>,
    ) -> impl Iterator<Item = String> {
        it.filter_map(|o| o.metadata().uid.clone())
    }
    uids(st.all::<Deployment>())
        .chain(uids(st.all::<ReplicaSet>()))
        .chain(uids(st.all::<DaemonSet>()))
        .chain(uids(st.all::<Job>()))
        .chain(uids(st.all::<CronJob>()))
        .chain(uids(st.all::<KubeNode>()))
        .collect()
}

/// Whether one of the object's owners is one that `f` picks (by uid).
fn owned(m: &ObjectMeta, f: impl Fn(&String) -> bool) -> bool {
    m.owner_references.iter().flatten().any(|o| f(&o.uid))
}

fn settled(st: &State) -> Result<(), TestCaseError> {
    let live = owners(st);
    let check = |what: &str, m: &ObjectMeta| -> Result<(), TestCaseError> {
        for r in m.owner_references.iter().flatten() {
            prop_assert!(
                live.contains(&r.uid),
                "{what} {:?} names a gone owner {}/{}",
                m.name,
                r.kind,
                r.name
            );
        }
        prop_assert!(
            m.deletion_timestamp.is_none(),
            "{what} {:?} still being deleted",
            m.name
        );
        Ok(())
    };
    for p in st.all::<Pod>() {
        check("pod", &p.metadata)?;
    }
    for r in st.all::<ReplicaSet>() {
        check("replicaset", &r.metadata)?;
    }
    for r in st.all::<ControllerRevision>() {
        check("controllerrevision", &r.metadata)?;
    }
    for d in st.all::<Deployment>() {
        check("deployment", &d.metadata)?;
        let uid = d.metadata.uid.clone().unwrap_or_default();
        let want = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
        let sets: BTreeSet<String> = st
            .all::<ReplicaSet>()
            .filter(|r| owned(&r.metadata, |o| *o == uid))
            .filter_map(|r| r.metadata.uid.clone())
            .collect();
        let pods: Vec<&Pod> = st
            .all::<Pod>()
            .filter(|p| owned(&p.metadata, |o| sets.contains(o)))
            .collect();
        let image = d
            .spec
            .as_ref()
            .and_then(|s| s.template.spec.as_ref())
            .and_then(|s| s.containers[0].image.clone())
            .unwrap_or_default();
        let n = pods.len() as i32;
        if image == IMAGES[3] {
            // A rollout stuck on an image that cannot be pulled holds within its bounds
            // (maxSurge 25% rounded up, maxUnavailable 25% rounded down).
            let (surge, unavailable) = ((want + 3) / 4, want / 4);
            prop_assert!(
                want - unavailable <= n && n <= want + surge,
                "deployment {:?}: {n} pods for {want}",
                d.metadata.name
            );
            continue;
        }
        prop_assert_eq!(n, want, "deployment {:?}'s pods", d.metadata.name);
        let ready = pods.iter().filter(|p| super::kubelet::ready(p)).count() as i32;
        prop_assert_eq!(ready, want, "deployment {:?} ready", d.metadata.name);
        let current = pods.iter().all(|p| {
            p.spec
                .as_ref()
                .and_then(|s| s.containers[0].image.as_deref())
                == Some(image.as_str())
        });
        prop_assert!(current, "deployment {:?} rolled out", d.metadata.name);
    }
    if let Some(ds) = st.get::<DaemonSet>("default/ds") {
        check("daemonset", &ds.metadata)?;
        let uid = ds.metadata.uid.clone().unwrap_or_default();
        let mut nodes: Vec<String> = st
            .all::<Pod>()
            .filter(|p| owned(&p.metadata, |o| *o == uid))
            .filter_map(|p| p.spec.as_ref().and_then(|s| s.node_name.clone()))
            .collect();
        nodes.sort();
        let all: Vec<String> = st
            .all::<KubeNode>()
            .map(|n| n.metadata.name.clone().unwrap_or_default())
            .collect();
        prop_assert_eq!(nodes, all, "one daemon pod per node");
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn api_writes_and_machine_changes_keep_the_clusters_invariants(ops in proptest::collection::vec(op(), 1..30)) {
        let mut c = seed_cluster(3, SimTime::parse_rfc3339("2026-11-22T10:00:00Z").unwrap());
        for op in &ops {
            apply(&mut c, op);
            c.advance(SimDuration::from_secs(3));
            no_pod_on_an_untolerated_taint(c.state())?;
        }
        // Every machine back, the test's taint gone: then the controllers settle.
        for (i, w) in WORKERS.iter().enumerate() {
            apply(&mut c, &Op::Up { worker: i });
            taint(&mut c, w, false);
        }
        c.advance(SimDuration::from_secs(600));
        no_pod_on_an_untolerated_taint(c.state())?;
        settled(c.state())?;
    }
}
