//! Simulated time: instants, durations, and the text forms docker uses for them
//! (Go's `time.Duration` syntax, RFC 3339 timestamps, go-units' human durations and sizes).
//!
//! The orchestrator never reads a wall clock: every instant comes from the cluster state,
//! which only moves forward when a driver advances it.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::ops::{Add, AddAssign, Sub};

pub const NANOS_PER_SEC: i64 = 1_000_000_000;

/// An instant, in nanoseconds since the Unix epoch (UTC).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub i64);

/// A span of simulated time, in nanoseconds (Go's `time.Duration`).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct SimDuration(pub i64);

impl SimDuration {
    pub const ZERO: SimDuration = SimDuration(0);
    pub const fn from_millis(ms: i64) -> Self {
        SimDuration(ms * 1_000_000)
    }
    pub const fn from_secs(s: i64) -> Self {
        SimDuration(s * NANOS_PER_SEC)
    }
    pub const fn from_mins(m: i64) -> Self {
        SimDuration(m * 60 * NANOS_PER_SEC)
    }
    pub const fn from_hours(h: i64) -> Self {
        SimDuration(h * 3600 * NANOS_PER_SEC)
    }
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / NANOS_PER_SEC as f64
    }
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    fn add(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }
}
impl AddAssign<SimDuration> for SimTime {
    fn add_assign(&mut self, d: SimDuration) {
        self.0 = self.0.saturating_add(d.0);
    }
}
impl Sub<SimTime> for SimTime {
    type Output = SimDuration;
    fn sub(self, o: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(o.0))
    }
}
impl Sub<SimDuration> for SimTime {
    type Output = SimTime;
    fn sub(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_sub(d.0))
    }
}
impl Add for SimDuration {
    type Output = SimDuration;
    fn add(self, o: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(o.0))
    }
}

// ---------------------------------------------------------------------------
// Calendar conversion (proleptic Gregorian, UTC), after H. Hinnant's algorithms.

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Broken-down UTC time.
pub struct Civil {
    pub year: i64,
    pub month: i64,
    pub day: i64,
    pub hour: i64,
    pub min: i64,
    pub sec: i64,
    pub nanos: i64,
}

impl SimTime {
    pub fn from_secs(s: i64) -> Self {
        SimTime(s * NANOS_PER_SEC)
    }

    pub fn civil(self) -> Civil {
        let secs = self.0.div_euclid(NANOS_PER_SEC);
        let nanos = self.0.rem_euclid(NANOS_PER_SEC);
        let days = secs.div_euclid(86400);
        let sod = secs.rem_euclid(86400);
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: sod / 3600,
            min: sod / 60 % 60,
            sec: sod % 60,
            nanos,
        }
    }

    /// The instant of a civil date and time (saturating outside ±292 years of 1970).
    pub fn from_civil(c: &Civil) -> Self {
        Self::checked_from_civil(c).unwrap_or(if c.year < 1970 {
            SimTime(i64::MIN)
        } else {
            SimTime(i64::MAX)
        })
    }

    /// The instant of a civil date and time, if nanoseconds since 1970 can hold it.
    pub fn checked_from_civil(c: &Civil) -> Option<Self> {
        let days = days_from_civil(c.year, c.month, c.day);
        let secs = days
            .checked_mul(86400)?
            .checked_add(c.hour * 3600 + c.min * 60 + c.sec)?;
        Some(SimTime(
            secs.checked_mul(NANOS_PER_SEC)?.checked_add(c.nanos)?,
        ))
    }

    fn date_time(self) -> String {
        let c = self.civil();
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            c.year, c.month, c.day, c.hour, c.min, c.sec
        )
    }

    /// Go's `time.RFC3339Nano`: fractional seconds with trailing zeros removed.
    pub fn rfc3339_nano(self) -> String {
        let nanos = self.0.rem_euclid(NANOS_PER_SEC);
        if nanos == 0 {
            format!("{}Z", self.date_time())
        } else {
            let frac = format!("{nanos:09}");
            format!("{}.{}Z", self.date_time(), frac.trim_end_matches('0'))
        }
    }

    /// Docker's `RFC3339NanoFixed`, used by `logs -t`: always nine fractional digits.
    pub fn rfc3339_nano_fixed(self) -> String {
        format!(
            "{}.{:09}Z",
            self.date_time(),
            self.0.rem_euclid(NANOS_PER_SEC)
        )
    }

    /// `time.RFC3339`: whole seconds.
    /// `date`'s format: `Sun Nov 22 10:00:00 UTC 2026`.
    pub fn ctime_utc(self) -> String {
        const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let c = self.civil();
        let day = self
            .0
            .div_euclid(NANOS_PER_SEC)
            .div_euclid(86400)
            .rem_euclid(7) as usize;
        format!(
            "{} {} {:2} {:02}:{:02}:{:02} UTC {}",
            DAYS[day],
            MONTHS[(c.month - 1).clamp(0, 11) as usize],
            c.day,
            c.hour,
            c.min,
            c.sec,
            c.year
        )
    }

    pub fn rfc3339(self) -> String {
        format!("{}Z", self.date_time())
    }

    /// Parses RFC 3339 (`2026-11-22T10:00:00Z`, with optional fraction and offset).
    pub fn parse_rfc3339(s: &str) -> Result<SimTime, String> {
        let err =
            || format!("invalid timestamp {s:?}: expected RFC 3339, e.g. 2026-11-22T10:00:00Z");
        let b = s.as_bytes();
        if b.len() < 20
            || b[4] != b'-'
            || b[7] != b'-'
            || !(b[10] == b'T' || b[10] == b't' || b[10] == b' ')
        {
            return Err(err());
        }
        let num = |r: std::ops::Range<usize>| -> Result<i64, String> {
            s.get(r)
                .filter(|t| t.bytes().all(|c| c.is_ascii_digit()))
                .and_then(|t| t.parse().ok())
                .ok_or_else(err)
        };
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        if b[13] != b':' || b[16] != b':' {
            return Err(err());
        }
        let (hour, min, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if !(1..=12).contains(&month)
            || !(1..=31).contains(&day)
            || hour > 23
            || min > 59
            || sec > 60
        {
            return Err(err());
        }
        let mut i = 19;
        let mut nanos = 0i64;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let digits = &s[start..i];
            if digits.is_empty() || digits.len() > 9 {
                return Err(err());
            }
            nanos = digits.parse::<i64>().map_err(|_| err())? * 10i64.pow(9 - digits.len() as u32);
        }
        let offset = match &s[i..] {
            "Z" | "z" => 0,
            rest if rest.len() == 6
                && (rest.starts_with('+') || rest.starts_with('-'))
                && &rest[3..4] == ":" =>
            {
                let h: i64 = num(i + 1..i + 3)?;
                let m: i64 = num(i + 4..i + 6)?;
                let sign = if rest.starts_with('-') { -1 } else { 1 };
                sign * (h * 3600 + m * 60)
            }
            _ => return Err(err()),
        };
        // Out of range (Go's zero time, year 1) is an error, not an overflow.
        let t = SimTime::checked_from_civil(&Civil {
            year,
            month,
            day,
            hour,
            min,
            sec,
            nanos,
        })
        .ok_or_else(err)?;
        t.0.checked_sub(offset * NANOS_PER_SEC)
            .map(SimTime)
            .ok_or_else(err)
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rfc3339_nano())
    }
}

impl Serialize for SimTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.rfc3339_nano())
    }
}

impl<'de> Deserialize<'de> for SimTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        SimTime::parse_rfc3339(&s).map_err(serde::de::Error::custom)
    }
}

// ---------------------------------------------------------------------------
// Go durations

/// Parses Go's `time.ParseDuration` syntax ("300ms", "1.5h", "2h45m"), with Go's error texts.
pub fn parse_go_duration(s: &str) -> Result<SimDuration, String> {
    let orig = s;
    let quoted = || format!("{orig:?}");
    let mut s = s;
    let mut neg = false;
    if let Some(rest) = s.strip_prefix('-') {
        neg = true;
        s = rest;
    } else if let Some(rest) = s.strip_prefix('+') {
        s = rest;
    }
    if s == "0" {
        return Ok(SimDuration(0));
    }
    if s.is_empty() {
        return Err(format!("time: invalid duration {}", quoted()));
    }
    let mut total: f64 = 0.0;
    while !s.is_empty() {
        let bytes = s.as_bytes();
        if !(bytes[0] == b'.' || bytes[0].is_ascii_digit()) {
            return Err(format!("time: invalid duration {}", quoted()));
        }
        let mut i = 0;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let int_part = &s[..i];
        let mut frac_part = "";
        if i < bytes.len() && bytes[i] == b'.' {
            let start = i + 1;
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            frac_part = &s[start..i];
        }
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(format!("time: invalid duration {}", quoted()));
        }
        let value: f64 = format!(
            "{}.{}",
            if int_part.is_empty() { "0" } else { int_part },
            if frac_part.is_empty() { "0" } else { frac_part }
        )
        .parse()
        .map_err(|_| format!("time: invalid duration {}", quoted()))?;
        let unit_start = i;
        while i < bytes.len() && !(bytes[i] == b'.' || bytes[i].is_ascii_digit()) {
            i += 1;
        }
        let unit = &s[unit_start..i];
        if unit.is_empty() {
            return Err(format!("time: missing unit in duration {}", quoted()));
        }
        let mult: f64 = match unit {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => {
                return Err(format!(
                    "time: unknown unit {unit:?} in duration {}",
                    quoted()
                ));
            }
        };
        total += value * mult;
        if total > i64::MAX as f64 {
            return Err(format!("time: invalid duration {}", quoted()));
        }
        s = &s[i..];
    }
    let n = total.round() as i64;
    Ok(SimDuration(if neg { -n } else { n }))
}

/// Formats like Go's `time.Duration.String()` ("5s", "1m30s", "1h0m0s", "300ms").
pub fn format_go_duration(d: SimDuration) -> String {
    let mut n = d.0;
    if n == 0 {
        return "0s".into();
    }
    let neg = n < 0;
    if neg {
        n = -n;
    }
    let mut out = String::new();
    if n < NANOS_PER_SEC {
        let (unit, div) = if n < 1_000 {
            ("ns", 1)
        } else if n < 1_000_000 {
            ("µs", 1_000)
        } else {
            ("ms", 1_000_000)
        };
        out.push_str(&frac_string(n, div));
        out.push_str(unit);
    } else {
        let h = n / (3600 * NANOS_PER_SEC);
        let rem = n % (3600 * NANOS_PER_SEC);
        let m = rem / (60 * NANOS_PER_SEC);
        let s = rem % (60 * NANOS_PER_SEC);
        if h > 0 {
            out.push_str(&format!("{h}h{m}m"));
        } else if m > 0 {
            out.push_str(&format!("{m}m"));
        }
        out.push_str(&frac_string(s, NANOS_PER_SEC));
        out.push('s');
    }
    if neg { format!("-{out}") } else { out }
}

fn frac_string(n: i64, div: i64) -> String {
    let whole = n / div;
    let frac = n % div;
    if frac == 0 {
        return whole.to_string();
    }
    let width = (div as f64).log10().round() as usize;
    let f = format!("{frac:0width$}");
    format!("{whole}.{}", f.trim_end_matches('0'))
}

/// go-units `HumanDuration`: "Less than a second", "About a minute", "3 hours", ...
pub fn human_duration(d: SimDuration) -> String {
    let secs = d.0 / NANOS_PER_SEC;
    if secs < 1 {
        return "Less than a second".into();
    }
    if secs == 1 {
        return "1 second".into();
    }
    if secs < 60 {
        return format!("{secs} seconds");
    }
    let minutes = secs / 60;
    if minutes == 1 {
        return "About a minute".into();
    }
    if minutes < 60 {
        return format!("{minutes} minutes");
    }
    // Go: int(d.Round(time.Hour).Hours())
    let hour = 3600 * NANOS_PER_SEC;
    let hours = (d.0 + hour / 2) / hour;
    if hours == 1 {
        return "About an hour".into();
    }
    if hours < 48 {
        return format!("{hours} hours");
    }
    if hours < 24 * 7 * 2 {
        return format!("{} days", hours / 24);
    }
    if hours < 24 * 30 * 2 {
        return format!("{} weeks", hours / 24 / 7);
    }
    if hours < 24 * 365 * 2 {
        return format!("{} months", hours / 24 / 30);
    }
    format!("{} years", d.0 / hour / 24 / 365)
}

/// How long until [`human_duration`] of a duration growing from `d` reads differently.
pub fn human_duration_next_change(d: SimDuration) -> SimDuration {
    let sec = NANOS_PER_SEC;
    let d = d.0.max(0);
    let step = if d < 60 * sec {
        sec
    } else if d < 3600 * sec {
        60 * sec
    } else {
        // Hours are rounded (the count changes at each half hour past the hour), then
        // grouped into days, weeks, months; years are whole.
        let hour = 3600 * sec;
        let hours = (d + hour / 2) / hour;
        let (unit, region_end) = match hours {
            h if h < 48 => (1, 48),
            h if h < 24 * 7 * 2 => (24, 24 * 7 * 2),
            h if h < 24 * 30 * 2 => (24 * 7, 24 * 30 * 2),
            h if h < 24 * 365 * 2 => (24 * 30, 24 * 365 * 2),
            _ => {
                let year = 24 * 365 * hour;
                return SimDuration((d / year + 1) * year - d);
            }
        };
        let next_hours = ((hours / unit + 1) * unit).min(region_end);
        return SimDuration((next_hours * hour - hour / 2) - d);
    };
    SimDuration(step - d % step)
}

/// Go's `duration.HumanDuration`, which every AGE column uses.
pub fn kube_age(nanos: i64) -> String {
    let seconds = nanos.div_euclid(NANOS_PER_SEC);
    if seconds < -1 {
        return "<invalid>".into();
    } else if seconds < 0 {
        return "0s".into();
    } else if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        let s = seconds % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    } else if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = minutes / 60;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    } else if hours < 48 {
        return format!("{hours}h");
    } else if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{h}h", hours / 24)
        };
    } else if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    } else if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        return if dy == 0 {
            format!("{}y", hours / 24 / 365)
        } else {
            format!("{}y{dy}d", hours / 24 / 365)
        };
    }
    format!("{}y", hours / 24 / 365)
}

/// How long until [`kube_age`] of a span of `nanos` reads differently (at most).
pub fn kube_age_next_change(nanos: i64) -> SimDuration {
    let minutes = nanos.div_euclid(NANOS_PER_SEC) / 60;
    if minutes < 10 {
        SimDuration::from_secs(1)
    } else if minutes < 60 * 8 {
        SimDuration::from_secs(60)
    } else {
        SimDuration::from_secs(3600)
    }
}

// ---------------------------------------------------------------------------
// Sizes (go-units)

/// Formats a float like C's `%.4g`.
fn fmt_g4(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let exp = v.abs().log10().floor() as i32;
    if !(-4..4).contains(&exp) {
        let s = format!("{:.3e}", v);
        // Rust gives "1.235e5"; C gives "1.235e+05". Trim zeros in the mantissa.
        let (mant, e) = s.split_once('e').unwrap_or((&s, "0"));
        let mant = if mant.contains('.') {
            mant.trim_end_matches('0').trim_end_matches('.')
        } else {
            mant
        };
        let e: i32 = e.parse().unwrap_or(0);
        return format!("{mant}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs());
    }
    let decimals = (3 - exp).max(0) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

fn custom_size(size: f64, base: f64, units: &[&str]) -> String {
    let mut size = size;
    let mut i = 0;
    while size >= base && i < units.len() - 1 {
        size /= base;
        i += 1;
    }
    format!("{}{}", fmt_g4(size), units[i])
}

/// go-units `BytesSize`: binary units ("512MiB", "7.637GiB").
pub fn bytes_size(n: i64) -> String {
    custom_size(
        n as f64,
        1024.0,
        &["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"],
    )
}

/// go-units `HumanSize`: decimal units ("1.5GB", "612B").
pub fn human_size(n: i64) -> String {
    custom_size(
        n as f64,
        1000.0,
        &["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"],
    )
}

/// go-units `RAMInBytes`: "512m", "1g", "1.5GB", "2048" (bytes). Error text as docker's.
pub fn ram_in_bytes(s: &str) -> Result<i64, String> {
    let err = || format!("invalid size: '{s}'");
    let t = s.trim();
    let num_end = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, rest) = t.split_at(num_end);
    if num.is_empty() || num.starts_with('.') || num.ends_with('.') || num.matches('.').count() > 1
    {
        return Err(err());
    }
    let value: f64 = num.parse().map_err(|_| err())?;
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    let lower = rest.to_ascii_lowercase();
    let mut chars = lower.chars();
    let mult: f64 = match chars.next() {
        None => 1.0,
        Some(c) => {
            let m = match c {
                'k' => 1024f64,
                'm' => 1024f64.powi(2),
                'g' => 1024f64.powi(3),
                't' => 1024f64.powi(4),
                'p' => 1024f64.powi(5),
                'b' => {
                    if chars.next().is_some() {
                        return Err(err());
                    }
                    return Ok(value as i64);
                }
                _ => return Err(err()),
            };
            let tail: String = chars.collect();
            if !matches!(tail.as_str(), "" | "b" | "i" | "ib") {
                return Err(err());
            }
            m
        }
    };
    let v = value * mult;
    if v > i64::MAX as f64 {
        return Err(err());
    }
    Ok(v as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_out_of_range_are_errors() {
        // Go's zero time, which engines report for "never".
        assert!(SimTime::parse_rfc3339("0001-01-01T00:00:00Z").is_err());
        assert!(SimTime::parse_rfc3339("9999-12-31T23:59:59Z").is_err());
        assert_eq!(
            SimTime::parse_rfc3339("1970-01-01T00:00:01Z").unwrap(),
            SimTime::from_secs(1)
        );
    }

    #[test]
    fn go_durations_round_trip() {
        for (s, ns) in [
            ("5s", 5 * NANOS_PER_SEC),
            ("1m30s", 90 * NANOS_PER_SEC),
            ("300ms", 300_000_000),
            ("1h0m0s", 3600 * NANOS_PER_SEC),
            ("1.5s", 1_500_000_000),
        ] {
            assert_eq!(parse_go_duration(s).unwrap().0, ns, "{s}");
            assert_eq!(format_go_duration(SimDuration(ns)), s);
        }
        assert_eq!(
            parse_go_duration("1.5h").unwrap(),
            SimDuration::from_mins(90)
        );
        assert_eq!(
            parse_go_duration("2h45m").unwrap(),
            SimDuration::from_mins(165)
        );
        assert_eq!(
            parse_go_duration("5").unwrap_err(),
            "time: missing unit in duration \"5\""
        );
        assert_eq!(
            parse_go_duration("5x").unwrap_err(),
            "time: unknown unit \"x\" in duration \"5x\""
        );
        assert_eq!(
            parse_go_duration("abc").unwrap_err(),
            "time: invalid duration \"abc\""
        );
        assert_eq!(
            parse_go_duration("").unwrap_err(),
            "time: invalid duration \"\""
        );
        assert_eq!(format_go_duration(SimDuration(0)), "0s");
        assert_eq!(format_go_duration(SimDuration::from_mins(5)), "5m0s");
    }

    #[test]
    fn human_durations_match_go_units() {
        let s = SimDuration::from_secs;
        assert_eq!(human_duration(SimDuration(10)), "Less than a second");
        assert_eq!(human_duration(s(1)), "1 second");
        assert_eq!(human_duration(s(52)), "52 seconds");
        assert_eq!(human_duration(s(90)), "About a minute");
        assert_eq!(human_duration(s(240)), "4 minutes");
        assert_eq!(human_duration(s(3600)), "About an hour");
        assert_eq!(human_duration(s(5399)), "About an hour");
        assert_eq!(human_duration(s(5400)), "2 hours");
        assert_eq!(human_duration(s(11 * 3600)), "11 hours");
        assert_eq!(human_duration(s(3 * 86400)), "3 days");
    }

    #[test]
    fn the_next_change_of_a_human_duration_is_exact() {
        // Walking forward by the predicted step always changes the text, and no earlier
        // instant does.
        let mut d = SimDuration(123_456_789);
        for _ in 0..400 {
            let step = human_duration_next_change(d);
            assert!(step.0 > 0);
            let now = human_duration(d);
            assert_ne!(human_duration(SimDuration(d.0 + step.0)), now, "{d:?}");
            assert_eq!(human_duration(SimDuration(d.0 + step.0 - 1)), now, "{d:?}");
            d = SimDuration(d.0 + step.0 + step.0 / 3);
        }
    }

    #[test]
    fn timestamps() {
        let t = SimTime::parse_rfc3339("2018-10-21T10:50:02+08:00").unwrap();
        assert_eq!(t.rfc3339(), "2018-10-21T02:50:02Z");
        let t = SimTime::parse_rfc3339("2026-11-22T05:20:00.5Z").unwrap();
        assert_eq!(t.rfc3339_nano(), "2026-11-22T05:20:00.5Z");
        assert_eq!(t.rfc3339_nano_fixed(), "2026-11-22T05:20:00.500000000Z");
        assert!(SimTime::parse_rfc3339("yesterday").is_err());
        assert!(SimTime::parse_rfc3339("2026-13-01T00:00:00Z").is_err());
        for days in [-800_000i64, -1, 0, 1, 19_000, 2_000_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(ram_in_bytes("512m").unwrap(), 512 << 20);
        assert_eq!(ram_in_bytes("1g").unwrap(), 1 << 30);
        assert_eq!(ram_in_bytes("1.5GB").unwrap(), 3 << 29);
        assert_eq!(ram_in_bytes("2048").unwrap(), 2048);
        assert_eq!(ram_in_bytes("10MiB").unwrap(), 10 << 20);
        assert_eq!(ram_in_bytes("abc").unwrap_err(), "invalid size: 'abc'");
        assert!(ram_in_bytes("12q").is_err());
        assert_eq!(bytes_size(512 << 20), "512MiB");
        assert_eq!(bytes_size(8_200_000_000), "7.637GiB");
        assert_eq!(human_size(612), "612B");
        assert_eq!(human_size(1_500_000_000), "1.5GB");
    }
}
