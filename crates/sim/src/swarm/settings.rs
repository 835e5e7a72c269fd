//! Swarm-wide settings: the task history limit, join tokens, and the simulator's scheduling
//! strategy.

use crate::model::*;
use crate::state::State;
use crate::{ApiError, Outcome};

pub fn update_swarm(st: &mut State, task_history_limit: i64) -> Result<Outcome, ApiError> {
    let now = st.now();
    st.meta.version_seq += 1;
    st.meta.swarm.version.index = st.meta.version_seq;
    st.meta.swarm.updated_at = now;
    st.meta.swarm.task_history_retention_limit = task_history_limit;
    Ok(Outcome::Done)
}

pub fn rotate_join_token(st: &mut State, manager: bool) -> Result<Outcome, ApiError> {
    let fresh = st.meta.rng.swarm_id();
    let tokens = &mut st.meta.swarm.join_tokens;
    let t = if manager {
        &mut tokens.manager
    } else {
        &mut tokens.worker
    };
    if let Some((prefix, _)) = t.rsplit_once('-') {
        *t = format!("{prefix}-{fresh}");
    }
    Ok(Outcome::Done)
}

pub fn set_strategy(st: &mut State, s: Strategy) -> Result<Outcome, ApiError> {
    st.meta.strategy = s;
    Ok(Outcome::Done)
}
