//! Container logs. Lines are not stored: each container's program says what it writes and
//! when, so any window of its log is computed on demand. A container keeps at most
//! [`LOG_LIMIT`] lines (older ones are dropped, as a rotated json-file log would), so even a
//! container writing thousands of lines a second costs no memory.

use crate::base::time::SimTime;
use crate::model::*;

pub use super::images::LOG_LIMIT;
use crate::infra::runtime::program_of;

/// One log line of one container.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    pub at: SimTime,
    pub text: String,
}

/// Which part of a log to read.
#[derive(Clone, Copy, Debug, Default)]
pub struct Window {
    /// Only lines strictly after this instant.
    pub after: Option<SimTime>,
    /// Only lines at or before this instant (defaults to now).
    pub until: Option<SimTime>,
    /// At most this many lines, the newest ones.
    pub tail: Option<u64>,
}

/// One run of a program: what a container (or a pod's container) wrote from `start` until
/// `end` (now, or when it exited).
pub struct Run {
    pub prog: super::images::Program,
    pub start: SimTime,
    pub end: SimTime,
    pub seed: u64,
}

fn run_of(c: &Container, now: SimTime) -> Option<Run> {
    let start = c.state.started_at?;
    let end = match c.state.finished_at {
        Some(f) if f < now => f,
        _ => now,
    };
    Some(Run {
        prog: program_of(c),
        start,
        end,
        seed: c.sim.log_seed,
    })
}

impl Run {
    fn total_by(&self, t: SimTime) -> u64 {
        if t < self.start {
            return 0;
        }
        self.prog
            .line_count(t.min(self.end) - self.start, self.seed)
    }
    fn line(&self, k: u64) -> Option<LogLine> {
        self.prog
            .line_at(k, self.start, self.seed)
            .map(|(off, text)| LogLine {
                at: self.start + off,
                text,
            })
    }
}

/// Lines written in total so far, and how many of those were dropped by the size limit.
pub fn counts(c: &Container, now: SimTime) -> (u64, u64) {
    match run_of(c, now) {
        Some(r) => {
            let total = r.total_by(r.end);
            (total, total.saturating_sub(LOG_LIMIT))
        }
        None => (0, 0),
    }
}

/// How many lines a container wrote after `after` and up to `until` (capped at now).
pub fn count_between(c: &Container, now: SimTime, after: Option<SimTime>, until: SimTime) -> u64 {
    let Some(r) = run_of(c, now) else {
        return 0;
    };
    let until = until.min(r.end);
    let from = after.map_or(0, |a| r.total_by(a));
    r.total_by(until).saturating_sub(from)
}

/// Reads a window of a container's log.
pub fn read(c: &Container, now: SimTime, w: Window) -> Vec<LogLine> {
    match run_of(c, now) {
        Some(r) => r.read(now, w),
        None => Vec::new(),
    }
}

impl Run {
    /// Reads a window of the run's log.
    pub fn read(&self, now: SimTime, w: Window) -> Vec<LogLine> {
        let r = self;
        let until = w.until.unwrap_or(now).min(r.end);
        let total = r.total_by(until);
        let first_kept = r.total_by(r.end).saturating_sub(LOG_LIMIT);
        let mut from = first_kept;
        if let Some(after) = w.after {
            // Lines are in time order: count those at or before `after`.
            from = from.max(r.total_by(after));
        }
        if let Some(tail) = w.tail {
            from = from.max(total.saturating_sub(tail));
        }
        (from..total).filter_map(|k| r.line(k)).collect()
    }
}

/// Merges several labelled logs by time (stable for equal times, in input order).
pub fn merge(mut parts: Vec<(String, Vec<LogLine>)>) -> Vec<(String, LogLine)> {
    let mut out: Vec<(String, LogLine)> = Vec::with_capacity(parts.iter().map(|p| p.1.len()).sum());
    let mut idx = vec![0usize; parts.len()];
    loop {
        let mut best: Option<usize> = None;
        for (i, (_, lines)) in parts.iter().enumerate() {
            if let Some(l) = lines.get(idx[i])
                && best.is_none_or(|b| l.at < parts[b].1[idx[b]].at)
            {
                best = Some(i);
            }
        }
        let Some(b) = best else { break };
        let line = std::mem::replace(
            &mut parts[b].1[idx[b]],
            LogLine {
                at: SimTime(0),
                text: String::new(),
            },
        );
        out.push((parts[b].0.clone(), line));
        idx[b] += 1;
    }
    out
}
