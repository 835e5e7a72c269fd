//! A backend connected on first use: the console draws its first frame at once and says
//! "connecting…" while the backend is being reached (the built-in cluster's Kubernetes side
//! may have to start its server first). A connection that fails is reported like a lost
//! one and tried again by the next call; one that succeeds is kept.

use super::*;
use futures::StreamExt;
use std::sync::Arc;

/// How long a failed connection waits before the next attempt.
const RETRY: std::time::Duration = std::time::Duration::from_secs(2);

type Connect = dyn Fn() -> BoxFuture<'static, Result<Arc<dyn Backend>, BackendError>> + Send + Sync;

pub struct Lazy {
    /// What the header shows until the backend answers.
    info: BackendInfo,
    cell: Arc<tokio::sync::OnceCell<Arc<dyn Backend>>>,
    connect: Arc<Connect>,
}

impl Lazy {
    pub fn new(
        info: BackendInfo,
        connect: impl Fn() -> BoxFuture<'static, Result<Arc<dyn Backend>, BackendError>>
        + Send
        + Sync
        + 'static,
    ) -> Lazy {
        Lazy {
            info,
            cell: Arc::new(tokio::sync::OnceCell::new()),
            connect: Arc::new(connect),
        }
    }

    /// The backend, connected now if it is not yet.
    fn get(&self) -> impl Future<Output = Result<Arc<dyn Backend>, BackendError>> + 'static {
        let (cell, connect) = (self.cell.clone(), self.connect.clone());
        async move { cell.get_or_try_init(|| connect()).await.cloned() }
    }
}

impl Backend for Lazy {
    fn info(&self) -> BackendInfo {
        match self.cell.get() {
            Some(b) => b.info(),
            None => self.info.clone(),
        }
    }

    /// The backend's own description first, then its watch; a failed connection is a lost
    /// one, tried again after a while.
    fn watch(&self) -> BoxStream<'static, WatchEvent> {
        let (cell, connect) = (self.cell.clone(), self.connect.clone());
        crate::backend::task::spawn_stream(16, move |tx| async move {
            let b = loop {
                match cell.get_or_try_init(|| connect()).await {
                    Ok(b) => break b.clone(),
                    Err(e) => {
                        if tx.send(WatchEvent::Lost(e.message)).await.is_err() {
                            return;
                        }
                        tokio::time::sleep(RETRY).await;
                    }
                }
            };
            if tx.send(WatchEvent::Info(b.info())).await.is_err() {
                return;
            }
            let mut w = b.watch();
            while let Some(ev) = w.next().await {
                if tx.send(ev).await.is_err() {
                    return;
                }
            }
        })
    }

    fn logs(&self, req: LogRequest) -> BoxStream<'static, LogEvent> {
        futures::stream::once(self.get())
            .flat_map(move |b| match b {
                Ok(b) => b.logs(req.clone()),
                Err(e) => {
                    futures::stream::iter([LogEvent::Error(e.message), LogEvent::End]).boxed()
                }
            })
            .boxed()
    }

    fn run(
        &self,
        inv: Invocation,
        opts: RunOpts,
    ) -> BoxFuture<'static, Result<CmdOutput, BackendError>> {
        let get = self.get();
        Box::pin(async move { get.await?.run(inv, opts).await })
    }

    fn inspect(&self, r: ObjRef) -> BoxFuture<'static, Result<serde_json::Value, BackendError>> {
        let get = self.get();
        Box::pin(async move { get.await?.inspect(r).await })
    }

    fn plan(&self, inv: Invocation) -> BoxFuture<'static, Result<Plan, BackendError>> {
        let get = self.get();
        Box::pin(async move { get.await?.plan(inv).await })
    }

    fn stats(&self, container: String) -> BoxFuture<'static, Result<StatsView, BackendError>> {
        let get = self.get();
        Box::pin(async move { get.await?.stats(container).await })
    }

    fn rescoped(&self, namespace: Option<&str>) -> Option<Arc<dyn Backend>> {
        self.cell.get()?.rescoped(namespace)
    }
}
