//! CronJob schedules: the five-field cron format and the `@hourly`-style macros, as the
//! CronJob controller parses them (robfig/cron's standard parser), evaluated in UTC.

use crate::base::time::{NANOS_PER_SEC, SimTime};

/// A parsed schedule: the allowed values of each field as bit sets.
#[derive(Clone, Debug, PartialEq)]
pub struct Schedule {
    minute: u64,
    hour: u64,
    dom: u64,
    month: u64,
    dow: u64,
    /// Day-of-month or day-of-week was `*` (then both must match; else either).
    star_day: bool,
}

fn field(s: &str, lo: u32, hi: u32, names: &[&str]) -> Result<u64, String> {
    let mut bits = 0u64;
    for part in s.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, st)) => (
                r,
                st.parse::<u32>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| format!("failed to parse int from {st}: strconv.Atoi: parsing {st:?}: invalid syntax"))?,
            ),
            None => (part, 1),
        };
        let value = |v: &str| -> Result<u32, String> {
            if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(v)) {
                return Ok(i as u32 + lo);
            }
            v.parse::<u32>().map_err(|_| {
                format!("failed to parse int from {v}: strconv.Atoi: parsing {v:?}: invalid syntax")
            })
        };
        let (a, b) = if range == "*" || range == "?" {
            (lo, hi)
        } else if let Some((a, b)) = range.split_once('-') {
            (value(a)?, value(b)?)
        } else {
            let a = value(range)?;
            (a, if part.contains('/') { hi } else { a })
        };
        if a < lo {
            return Err(format!(
                "beginning of range ({a}) below minimum ({lo}): {part}"
            ));
        }
        if b > hi {
            return Err(format!("end of range ({b}) above maximum ({hi}): {part}"));
        }
        if a > b {
            return Err(format!(
                "beginning of range ({a}) beyond end of range ({b}): {part}"
            ));
        }
        let mut v = a;
        while v <= b {
            bits |= 1 << v;
            v += step;
        }
    }
    Ok(bits)
}

const MONTHS: &[&str] = &[
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const DAYS: &[&str] = &["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

impl Schedule {
    pub fn parse(spec: &str) -> Result<Schedule, String> {
        let spec = spec.trim();
        let expanded = match spec {
            "@yearly" | "@annually" => "0 0 1 1 *",
            "@monthly" => "0 0 1 * *",
            "@weekly" => "0 0 * * 0",
            "@daily" | "@midnight" => "0 0 * * *",
            "@hourly" => "0 * * * *",
            s if s.starts_with('@') => return Err(format!("unrecognized descriptor: {s}")),
            s => s,
        };
        let f: Vec<&str> = expanded.split_whitespace().collect();
        if f.len() != 5 {
            return Err(format!(
                "expected exactly 5 fields, found {}: [{}]",
                f.len(),
                f.join(" ")
            ));
        }
        let mut dow = field(f[4], 0, 7, DAYS)?;
        if dow & (1 << 7) != 0 {
            dow |= 1;
        }
        Ok(Schedule {
            minute: field(f[0], 0, 59, &[])?,
            hour: field(f[1], 0, 23, &[])?,
            dom: field(f[2], 1, 31, &[])?,
            month: field(f[3], 1, 12, MONTHS)?,
            dow,
            star_day: f[2].starts_with('*') || f[4].starts_with('*'),
        })
    }

    fn day_matches(&self, d: jiff::civil::Date) -> bool {
        let dom = self.dom & (1 << d.day()) != 0;
        let dow = self.dow & (1 << d.weekday().to_sunday_zero_offset()) != 0;
        if self.star_day {
            dom && dow
        } else {
            dom || dow
        }
    }

    /// The first scheduled minute strictly after `t` (within eight years).
    pub fn next_after(&self, t: SimTime) -> Option<SimTime> {
        let secs = t.0.div_euclid(NANOS_PER_SEC);
        let start = jiff::Timestamp::from_second(secs - secs.rem_euclid(60) + 60).ok()?;
        let mut dt = start.to_zoned(jiff::tz::TimeZone::UTC).datetime();
        let end = dt.year() + 8;
        while dt.year() <= end {
            if self.month & (1 << dt.month()) == 0 {
                let first = dt.date().first_of_month();
                dt = first
                    .checked_add(jiff::Span::new().months(1))
                    .ok()?
                    .to_datetime(jiff::civil::Time::midnight());
                continue;
            }
            if !self.day_matches(dt.date()) {
                dt = dt
                    .date()
                    .tomorrow()
                    .ok()?
                    .to_datetime(jiff::civil::Time::midnight());
                continue;
            }
            if self.hour & (1 << dt.hour()) == 0 {
                dt = dt
                    .with()
                    .minute(0)
                    .build()
                    .ok()?
                    .checked_add(jiff::Span::new().hours(1))
                    .ok()?;
                continue;
            }
            if self.minute & (1 << dt.minute()) == 0 {
                dt = dt.checked_add(jiff::Span::new().minutes(1)).ok()?;
                continue;
            }
            let ts = dt.to_zoned(jiff::tz::TimeZone::UTC).ok()?.timestamp();
            return Some(SimTime(ts.as_second() * NANOS_PER_SEC));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> SimTime {
        SimTime::parse_rfc3339(s).unwrap()
    }

    #[test]
    fn schedules_fire_when_cron_would() {
        let every = Schedule::parse("*/1 * * * *").unwrap();
        assert_eq!(
            every.next_after(at("2026-11-22T10:00:30Z")),
            Some(at("2026-11-22T10:01:00Z"))
        );
        assert_eq!(
            every.next_after(at("2026-11-22T10:01:00Z")),
            Some(at("2026-11-22T10:02:00Z"))
        );
        let daily = Schedule::parse("@daily").unwrap();
        assert_eq!(
            daily.next_after(at("2026-11-22T10:00:00Z")),
            Some(at("2026-11-23T00:00:00Z"))
        );
        // Either day field matches when both are given.
        let s = Schedule::parse("30 6 1 * mon").unwrap();
        assert_eq!(
            s.next_after(at("2026-11-22T10:00:00Z")),
            Some(at("2026-11-23T06:30:00Z"))
        );
        let feb = Schedule::parse("0 0 29 2 *").unwrap();
        assert_eq!(
            feb.next_after(at("2026-11-22T10:00:00Z")),
            Some(at("2028-02-29T00:00:00Z"))
        );
        assert!(Schedule::parse("hello").is_err());
        assert!(Schedule::parse("61 * * * *").is_err());
        assert!(Schedule::parse("@often").is_err());
    }
}
