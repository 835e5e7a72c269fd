//! Helpers for tests that drive a backend through the `Backend` trait.

use futures::StreamExt;
use opsconsole::backend::view::Store;
use opsconsole::backend::*;
use std::time::Duration;

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
