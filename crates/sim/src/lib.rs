//! The built-in simulator of opsconsole and everything that runs commands against it: the
//! simulated cluster (pure and deterministic), its store, the command language and the
//! command executors. No terminal, UI, async-runtime or HTTP-client crate is a dependency:
//! the console, the backends and the servers are built on top, in the `opsconsole` crate.

pub mod compose;
pub mod exec;
pub mod lang;
pub mod orch;
pub mod store;
