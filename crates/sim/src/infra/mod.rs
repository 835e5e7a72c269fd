//! What every simulated machine has, whichever control plane uses it: a container runtime,
//! the image catalog and what each image's programs do, container logs, and address
//! management.

pub mod images;
pub mod ipam;
pub mod logs;
pub mod runtime;
pub mod shell;
