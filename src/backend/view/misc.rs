//! Networks, the backend's clock, log lines and resource readings.

use super::Common;
use opsconsole_sim::base::time::SimTime;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetworkView {
    pub c: Common,
    pub driver: String,
    pub scope: String,
    pub subnet: String,
    pub gateway: String,
    pub ingress: bool,
    pub encrypted: bool,
    pub attachable: bool,
}

/// How to tell the backend's time: for the built-in cluster, simulated time running at
/// `speed` from `base` (at the wall-clock instant `base_wall_ms`); for real engines, wall time.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClockInfo {
    pub base: SimTime,
    pub base_wall_ms: i64,
    pub speed: f64,
}

impl ClockInfo {
    pub fn wall() -> ClockInfo {
        ClockInfo {
            base: SimTime(0),
            base_wall_ms: 0,
            speed: 1.0,
        }
    }

    /// The backend's "now" at a wall-clock instant (milliseconds since the Unix epoch).
    pub fn now_at(&self, wall_ms: i64) -> SimTime {
        let d = ((wall_ms - self.base_wall_ms) as f64 * 1e6 * self.speed) as i64;
        SimTime(self.base.0 + d)
    }

    /// The wall-clock instant at which the backend's time reaches `t`.
    pub fn wall_at(&self, t: SimTime) -> i64 {
        if self.speed <= 0.0 {
            return i64::MAX;
        }
        self.base_wall_ms + ((t.0 - self.base.0) as f64 / 1e6 / self.speed) as i64
    }
}

pub fn wall_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl NetworkView {
    pub fn id(&self) -> &str {
        &self.c.r.uid
    }
    pub fn name(&self) -> &str {
        &self.c.r.name
    }
}

/// One line of a log stream.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogLineView {
    pub at: SimTime,
    /// `svc.slot.id@node` for service logs, empty for a container's.
    pub label: String,
    pub text: String,
}

/// One reading of a container's resource use (`docker stats`, one shot).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StatsView {
    pub container: String,
    /// Nanoseconds of CPU the container has used, and the host has, so far.
    pub cpu_total: u64,
    pub system_total: u64,
    pub online_cpus: u32,
    pub mem_usage: u64,
    pub mem_limit: u64,
}

impl StatsView {
    /// CPU use between two readings, in percent of one core (docker's CPU %).
    pub fn cpu_percent(&self, before: &StatsView) -> Option<f64> {
        let dc = self.cpu_total.checked_sub(before.cpu_total)? as f64;
        let ds = self.system_total.checked_sub(before.system_total)? as f64;
        (ds > 0.0).then(|| dc / ds * self.online_cpus.max(1) as f64 * 100.0)
    }
}
