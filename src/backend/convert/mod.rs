//! Backend objects as the console's views. Each backend reads its objects its own way (the
//! built-in cluster's typed model, a real engine's JSON) into the facts of [`swarm`], and
//! one set of functions makes the views from them, so both show the same columns the same
//! way.

pub mod kube;
pub mod swarm;
