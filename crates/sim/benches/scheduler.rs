//! Scheduling throughput of the built-in orchestrator: one scheduling pass placing a batch of
//! pending tasks, at 1k, 5k and 10k nodes, and 150k tasks on 5k nodes.
//!
//! Run: `cargo bench --bench scheduler`

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use opsconsole_sim::base::time::{SimDuration, SimTime};
use opsconsole_sim::model::*;
use opsconsole_sim::{self as orch, Cluster, Command, NodeTemplate, SCHED_DEBOUNCE};

/// A cluster of `nodes` workers (plus the seed's three) with one service of `tasks` pending
/// replicas: everything is ready for the scheduler's next pass.
fn setup(nodes: u32, tasks: u64, strategy: Strategy) -> Cluster {
    let mut c = orch::seed_cluster(1, SimTime::parse_rfc3339("2026-11-22T10:00:00Z").unwrap());
    c.apply(Command::AddNodes(NodeTemplate {
        name: "w".into(),
        role: NodeRole::Worker,
        cpus: 64.0,
        memory: 256 << 30,
        labels: Labels::new(),
        count: nodes,
        arch: "x86_64".into(),
    }))
    .unwrap();
    c.apply(Command::SetStrategy(strategy)).unwrap();
    let mut spec = orch::basic_spec("load", "nginx", tasks);
    // Reservations make the resource filter do real work.
    spec.task_template.resources = Some(ResourceRequirements {
        limits: None,
        reservations: Some(Resources {
            nano_cpus: 10_000_000,
            memory_bytes: 16 << 20,
        }),
    });
    c.apply(Command::CreateService { spec }).unwrap();
    c.take_events();
    c
}

/// The scheduler runs once, at the end of its debounce window. (The benches return the
/// cluster so criterion drops it outside the measured time: tearing down 150k tasks is not
/// part of a scheduling pass.)
fn schedule(c: &mut Cluster) {
    c.advance(SCHED_DEBOUNCE + SimDuration(1));
}

fn placements(crit: &mut Criterion) {
    let mut g = crit.benchmark_group("placements");
    g.sample_size(10);
    for nodes in [1_000u32, 5_000, 10_000] {
        let tasks = 20_000u64;
        g.throughput(Throughput::Elements(tasks));
        for strategy in [Strategy::Spread, Strategy::Binpack] {
            g.bench_with_input(
                BenchmarkId::new(format!("{}/20k-tasks", strategy.as_str()), nodes),
                &nodes,
                |b, &n| {
                    b.iter_batched(
                        || setup(n, tasks, strategy),
                        |mut c| {
                            schedule(&mut c);
                            c
                        },
                        BatchSize::PerIteration,
                    )
                },
            );
        }
    }
    g.finish();
}

fn big_batch(crit: &mut Criterion) {
    let mut g = crit.benchmark_group("place-150k");
    g.sample_size(10);
    g.throughput(Throughput::Elements(150_000));
    g.bench_function("150k-tasks/5k-nodes", |b| {
        b.iter_batched(
            || setup(5_000, 150_000, Strategy::Spread),
            |mut c| {
                schedule(&mut c);
                c
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, placements, big_batch);
criterion_main!(benches);
