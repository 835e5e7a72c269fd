//! The vocabulary every layer shares: simulated time (instants, durations, Go's formats and
//! docker's human units), deterministic randomness and hashing, and docker's ways with text.

pub mod quantity;
pub mod rng;
pub mod text;
pub mod time;
