//! The built-in Kubernetes cluster's costs: the scheduler binding pending pods across 5,000
//! nodes (kube-scheduler's own throughput floor is about 810 pods/s; ours must be at least
//! 200,000/s on one core), a 10,000-replica Deployment converging from nothing, the Table
//! of `kubectl get pods -A` over 10,000 pods, and a write reaching a watcher. (mimalloc, as
//! in the binary.)

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use opsconsole_sim::base::time::{SimDuration, SimTime};
use opsconsole_sim::kube::api::ApiRequest;
use opsconsole_sim::kube::nodes::KubeCommand;
use opsconsole_sim::model::NodeRole;
use opsconsole_sim::model::kube::Pod;
use opsconsole_sim::{Cluster, NodeTemplate, seed_cluster};
use std::cell::{OnceCell, RefCell};
use std::hint::black_box;
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

const TABLE: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";

fn cluster_with_nodes(n: u32) -> Cluster {
    let mut c = seed_cluster(3, SimTime::parse_rfc3339("2026-11-22T10:00:00Z").unwrap());
    c.advance(SimDuration::from_secs(20));
    if n > 4 {
        c.apply_kube(KubeCommand::AddNodes(NodeTemplate {
            name: "w".into(),
            role: NodeRole::Worker,
            cpus: 16.0,
            memory: 64 << 30,
            labels: Default::default(),
            count: n - 4,
            arch: "x86_64".into(),
        }))
        .unwrap();
        c.advance(SimDuration::from_secs(20));
    }
    c
}

fn req(method: &str, path: &str, accept: &str, body: &str) -> ApiRequest {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    ApiRequest {
        method: method.into(),
        path: path.into(),
        query: query.into(),
        accept: accept.into(),
        content_type: "application/json".into(),
        body: body.as_bytes().to_vec(),
        server: "127.0.0.1:6443".into(),
    }
}

fn deployment(name: &str, replicas: u32) -> String {
    let pod = serde_json::json!({"containers": [{"name": "c", "image": "nginx:1.16-alpine",
        "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]});
    opsconsole_sim::kube::manifest::deployment(name, i64::from(replicas), pod).to_string()
}

/// A cluster of `nodes` nodes with `pods` pending pods, as a ReplicaSet would have made
/// them.
fn pending(nodes: u32, pods: u32) -> Cluster {
    let mut c = cluster_with_nodes(nodes);
    let template: Pod = serde_json::from_value(serde_json::json!({
        "metadata": {"namespace": "default", "labels": {"app": "big"},
            "creationTimestamp": "2026-11-22T10:01:00Z",
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                "name": "big-5d4f8b9c7", "uid": "rs-uid", "controller": true,
                "blockOwnerDeletion": true}]},
        "spec": {"containers": [{"name": "c", "image": "nginx:1.16-alpine",
            "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]},
        "status": {"phase": "Pending"}
    }))
    .unwrap();
    let st = c.state_mut();
    st.begin();
    for i in 0..pods {
        let mut p = template.clone();
        p.metadata.name = Some(format!("big-{i:05}"));
        p.metadata.uid = Some(format!("uid-{i}"));
        opsconsole_sim::kube::defaults::pod(&mut p);
        st.insert(p);
    }
    st.commit();
    c
}

fn scheduler(c: &mut Criterion) {
    let mut g = c.benchmark_group("kube_scheduler_5000_nodes");
    g.sample_size(10);
    let pods = 10_000u32;
    let base = OnceCell::new();
    g.throughput(Throughput::Elements(u64::from(pods)));
    g.bench_function("bind_10000_pods", |b| {
        let base = base.get_or_init(|| {
            let base = pending(5_000, pods);
            let unscheduled = base
                .state()
                .all::<Pod>()
                .filter(|p| p.spec.as_ref().is_some_and(|s| s.node_name.is_none()))
                .count();
            assert_eq!(unscheduled, pods as usize);
            base
        });
        // The clones are made before the clock starts and dropped after it stops (four at a
        // time): freeing a 5,000-node cluster just before a run would leave the allocator's
        // work in it.
        b.iter_custom(|iters| {
            let mut took = Duration::ZERO;
            let mut left = iters;
            while left > 0 {
                let n = left.min(4);
                left -= n;
                let clones: Vec<Cluster> = (0..n).map(|_| base.clone()).collect();
                let start = Instant::now();
                let done: Vec<Cluster> = clones
                    .into_iter()
                    .map(|mut c| {
                        // As the simulator runs a control loop: one final transaction.
                        let st = c.state_mut();
                        st.begin_final();
                        opsconsole_sim::kube::scheduler::run(st);
                        st.commit();
                        black_box(c)
                    })
                    .collect();
                took += start.elapsed();
                drop(done);
            }
            took
        })
    });
    g.finish();
}

fn converge(c: &mut Criterion) {
    let mut g = c.benchmark_group("kube_deployment");
    g.sample_size(10);
    let base = OnceCell::new();
    g.bench_function("10000_replicas_converge", |b| {
        let base = base.get_or_init(|| cluster_with_nodes(100));
        b.iter_batched(
            || base.clone(),
            |mut c| {
                let r = c.kube_api(&req(
                    "POST",
                    "/apis/apps/v1/namespaces/default/deployments",
                    "application/json",
                    &deployment("big", 10_000),
                ));
                assert_eq!(r.status, 201);
                c.advance(SimDuration::from_secs(30));
                black_box(c)
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

/// 100 nodes running a 10,000-replica Deployment.
fn big() -> Cluster {
    let mut base = cluster_with_nodes(100);
    base.kube_api(&req(
        "POST",
        "/apis/apps/v1/namespaces/default/deployments",
        "application/json",
        &deployment("big", 10_000),
    ));
    base.advance(SimDuration::from_secs(30));
    base
}

fn get_pods_all(c: &mut Criterion) {
    let mut g = c.benchmark_group("kube_api");
    g.sample_size(10);
    // Built when a benchmark of the group is selected.
    let base = RefCell::new(None::<Cluster>);
    let list = req("GET", "/api/v1/pods?limit=500", TABLE, "");
    let all = req("GET", "/api/v1/pods", TABLE, "");
    g.bench_function("get_pods_all_namespaces_10000_table", |b| {
        let mut base = base.borrow_mut();
        let base = base.get_or_insert_with(big);
        b.iter(|| black_box(base.kube_api(&all)))
    });
    g.bench_function("get_pods_first_page_of_500", |b| {
        let mut base = base.borrow_mut();
        let base = base.get_or_insert_with(big);
        b.iter(|| black_box(base.kube_api(&list)))
    });
    // A write, then what a watcher of pods is sent about it.
    let mut i = 0u64;
    g.bench_function("write_to_watcher", |b| {
        let mut base = base.borrow_mut();
        let base = base.get_or_insert_with(big);
        let rv = base.state().meta.kube.rv;
        let mut w = base
            .kube_api(&req(
                "GET",
                &format!("/api/v1/pods?watch=true&resourceVersion={rv}"),
                "application/json",
                "",
            ))
            .stream
            .expect("a watch");
        b.iter(|| {
            i += 1;
            let mut p = req(
                "PATCH",
                "/api/v1/namespaces/kube-system/pods/etcd-192.168.122.11",
                "application/json",
                &format!("{{\"metadata\":{{\"labels\":{{\"touched\":\"{i}\"}}}}}}"),
            );
            p.content_type = "application/merge-patch+json".into();
            let r = base.kube_api(&p);
            assert_eq!(r.status, 200);
            let sent = w.poll(base.state(), false);
            assert!(!sent.is_empty());
            black_box(sent)
        })
    });
    g.finish();
}

criterion_group!(benches, scheduler, converge, get_pods_all);
criterion_main!(benches);
