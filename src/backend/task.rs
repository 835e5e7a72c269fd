//! Background tasks behind streams: a stream that owns the task feeding it.

use futures::StreamExt;
use futures::stream::BoxStream;
use tokio::sync::mpsc;

/// Aborts a task when dropped.
pub struct AbortOnDrop(pub tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Runs `f` on a task of its own and streams what it sends; the task ends when the stream is
/// dropped.
pub fn spawn_stream<T, F, Fut>(capacity: usize, f: F) -> BoxStream<'static, T>
where
    T: Send + 'static,
    F: FnOnce(mpsc::Sender<T>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    futures::stream::once(async move {
        let (tx, rx) = mpsc::channel(capacity);
        let task = tokio::spawn(f(tx));
        let guard = AbortOnDrop(task.abort_handle());
        futures::stream::unfold((rx, guard), |(mut rx, guard)| async move {
            rx.recv().await.map(|v| (v, (rx, guard)))
        })
    })
    .flatten()
    .boxed()
}

/// A watch that reconnects: runs `session` until it ends well (its receiver went away); each
/// failure is reported as lost, in the words `lost` gives it, and another session starts
/// after a pause that doubles up to `max` (and starts small again after a session that got
/// connected: its error says whether it did).
pub async fn reconnecting<S, Fut>(
    tx: mpsc::Sender<crate::backend::WatchEvent>,
    max: std::time::Duration,
    mut session: S,
    lost: impl Fn(String) -> String,
) where
    S: FnMut(mpsc::Sender<crate::backend::WatchEvent>) -> Fut,
    Fut: std::future::Future<Output = Result<(), (String, bool)>>,
{
    let first = std::time::Duration::from_millis(250);
    let mut backoff = first;
    loop {
        match session(tx.clone()).await {
            Ok(()) => return,
            Err((e, connected)) => {
                if connected {
                    backoff = first;
                }
                let ev = crate::backend::WatchEvent::Lost(lost(e));
                if tx.send(ev).await.is_err() {
                    return;
                }
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            _ = tx.closed() => return,
        }
        backoff = (backoff * 2).min(max);
    }
}
