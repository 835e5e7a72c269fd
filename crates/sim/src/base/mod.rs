//! The vocabulary every layer shares: simulated time (instants, durations, Go's formats and
//! docker's human units) and deterministic randomness and hashing.

pub mod rng;
pub mod time;
