//! The read-only wrapper: kiosk mode's guarantee. Every mutating call is refused here, at the
//! backend boundary, whatever the UI asks for.

use super::*;
use futures::FutureExt;

pub struct ReadOnly<B: ?Sized> {
    inner: Box<B>,
}

impl<B: Backend + ?Sized> ReadOnly<B> {
    pub fn new(inner: Box<B>) -> ReadOnly<B> {
        ReadOnly { inner }
    }
}

fn refused(inv: &Invocation) -> BackendError {
    BackendError::new(
        ErrorKind::ReadOnly,
        format!(
            "read-only: `{}` would change the cluster and was refused",
            inv.display()
        ),
    )
}

impl<B: Backend + ?Sized> Backend for ReadOnly<B> {
    fn info(&self) -> BackendInfo {
        BackendInfo {
            read_only: true,
            ..self.inner.info()
        }
    }

    fn watch(&self) -> BoxStream<'static, WatchEvent> {
        use futures::StreamExt;
        // The backend's own idea of itself never lifts the read-only flag.
        self.inner
            .watch()
            .map(|e| match e {
                WatchEvent::Info(info) => WatchEvent::Info(BackendInfo {
                    read_only: true,
                    ..info
                }),
                e => e,
            })
            .boxed()
    }

    fn logs(&self, req: LogRequest) -> BoxStream<'static, LogEvent> {
        self.inner.logs(req)
    }

    fn run(
        &self,
        inv: Invocation,
        opts: RunOpts,
    ) -> BoxFuture<'static, Result<CmdOutput, BackendError>> {
        if inv.is_mutating() {
            let e = refused(&inv);
            return async move { Err(e) }.boxed();
        }
        self.inner.run(inv, opts)
    }

    fn inspect(&self, r: ObjRef) -> BoxFuture<'static, Result<serde_json::Value, BackendError>> {
        self.inner.inspect(r)
    }

    fn plan(&self, inv: Invocation) -> BoxFuture<'static, Result<Plan, BackendError>> {
        // A plan changes nothing, but it is only ever asked for a change this wrapper would
        // refuse: refuse it too, so no mutating command line crosses the boundary.
        if inv.is_mutating() {
            let e = refused(&inv);
            return async move { Err(e) }.boxed();
        }
        self.inner.plan(inv)
    }

    fn stats(&self, container: String) -> BoxFuture<'static, Result<StatsView, BackendError>> {
        self.inner.stats(container)
    }

    /// Rescoped, it is still read-only.
    fn rescoped(&self, namespace: Option<&str>) -> Option<std::sync::Arc<dyn Backend>> {
        let inner = self.inner.rescoped(namespace)?;
        Some(std::sync::Arc::new(ReadOnly::new(Box::new(inner))))
    }
}
