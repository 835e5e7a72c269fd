//! Helpers for tests that drive a backend through the `Backend` trait.

use futures::StreamExt;
use opsconsole::backend::view::Store;
use opsconsole::backend::*;
use std::time::Duration;

/// A built-in cluster hosted in the test's process, seed 7, its clock at `speed`.
pub fn builtin_opts(dir: &std::path::Path, speed: f64) -> opsconsole::backend::builtin::Options {
    opsconsole::backend::builtin::Options {
        hosting: opsconsole::backend::builtin::Hosting::InProcess,
        dir: dir.to_path_buf(),
        speed,
        demo_if_new: false,
        seed: 7,
        start: opsconsole_sim::base::time::SimTime::parse_rfc3339("2026-11-22T10:00:00Z")
            .unwrap_or_default(),
    }
}

pub async fn run(b: &dyn Backend, line: &str) -> CmdOutput {
    b.run(Invocation::parse_line(line).unwrap(), RunOpts::default())
        .await
        .unwrap_or_else(|e| panic!("`{line}`: {e}"))
}

/// Applies watch events to a view until `pred` holds (or fails after `secs` seconds).
pub async fn watch_until(
    s: &mut futures::stream::BoxStream<'static, WatchEvent>,
    view: &mut Store,
    secs: u64,
    pred: impl Fn(&Store) -> bool,
) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !pred(view) {
        let ev = tokio::time::timeout_at(deadline, s.next())
            .await
            .unwrap_or_else(|_| panic!("timed out waiting for the cluster; it shows {view:#?}"))
            .expect("watch ended");
        view.apply_event(ev);
    }
}

/// A service's running and desired replicas, as the view shows them.
pub fn running(view: &Store, svc: &str) -> Option<(u64, u64)> {
    view.workloads
        .values()
        .find(|s| s.name() == svc)
        .map(|s| (s.running, s.desired))
}
