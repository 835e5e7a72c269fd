//! The console's costs: drawing a frame of the tasks pane at 200x50 with 100k and 1M tasks,
//! taking one change into a table of 1M rows, and taking a full snapshot. (mimalloc, as in
//! the binary.)

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use opsconsole::app::Action;
use opsconsole::app::keys::Key;
use opsconsole::backend::WatchEvent;
use opsconsole::backend::view::{Change, Phase, ReplicaView, View, Word};
use opsconsole::fixtures;
use opsconsole_sim::base::time::SimDuration;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Draws frames of the table pane `pane` of `app` at 200x50, somewhere in its middle.
fn frames(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    n: usize,
    mut app: opsconsole::app::App,
    pane: char,
) {
    app.update(Action::Key(Key::ch(pane)));
    for _ in 0..5 {
        app.update(Action::Key(Key::ctrl('d')));
    }
    let mut term = Terminal::new(TestBackend::new(200, 50)).unwrap();
    g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
        b.iter(|| {
            term.draw(|f| {
                black_box(opsconsole::ui::draw(f, &mut app));
            })
            .unwrap();
        })
    });
}

fn render(c: &mut Criterion) {
    let mut g = c.benchmark_group("render_tasks_200x50");
    g.sample_size(50);
    for n in [100_000usize, 1_000_000] {
        let (view, now) = fixtures::big_view(100, n);
        frames(&mut g, n, fixtures::app_with(view, now), '3');
    }
    g.finish();
}

/// The pods pane of a Kubernetes cluster of 10,000 pods on 100 nodes (issue 12's size), and
/// of 100,000.
fn render_pods(c: &mut Criterion) {
    let mut g = c.benchmark_group("render_pods_200x50");
    g.sample_size(50);
    for n in [10_000usize, 100_000] {
        let (view, now) = fixtures::kube_view(100, n);
        frames(&mut g, n, fixtures::kube_app_with(view, now), '3');
    }
    g.finish();
}

fn changes(c: &mut Criterion) {
    let (view, now) = fixtures::big_view(100, 1_000_000);
    let mut app = fixtures::app_with(view, now);
    app.update(Action::Key(Key::ch('3')));
    let mut t: ReplicaView = app
        .data
        .store
        .replicas
        .values()
        .next()
        .map(|t| (**t).clone())
        .unwrap();
    let mut i = 0i64;
    c.bench_function("one_task_change_1M", |b| {
        b.iter(|| {
            i += 1;
            // A state change that moves the row (new creation time).
            (t.phase, t.status) = if i % 2 == 0 {
                (Phase::Running, Word::new("running"))
            } else {
                (Phase::Starting, Word::new("preparing"))
            };
            t.c.created = now + SimDuration(i);
            app.update(Action::Backend(WatchEvent::Changes(vec![Change::Upsert(
                View::Replica(Box::new(t.clone())),
            )])));
        })
    });
    let mut g = c.benchmark_group("snapshot");
    g.sample_size(10);
    let (view, now) = fixtures::big_view(100, 100_000);
    g.bench_function("apply_100k", |b| {
        b.iter(|| black_box(fixtures::app_with(view.clone(), now)))
    });
    g.finish();
}

criterion_group!(benches, render, render_pods, changes);
criterion_main!(benches);
