//! Log lines: what each kind of program writes, rendered on demand.

use super::*;
use crate::base::rng::mix64;
use crate::base::time::{SimDuration, SimTime};

/// Most lines kept per container (older ones are dropped, like a rotated json-file log).
pub const LOG_LIMIT: u64 = 10_000;

fn month_abbr(m: i64) -> &'static str {
    [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][((m - 1).clamp(0, 11)) as usize]
}

fn render(line: &Line, k: u64, at: SimTime, seed: u64) -> String {
    match line {
        Line::Text(s) => s.clone(),
        Line::Date => {
            let c = at.civil();
            let wd = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
                [(at.0.div_euclid(86_400 * 1_000_000_000)).rem_euclid(7) as usize];
            format!(
                "{wd} {} {:2} {:02}:{:02}:{:02} UTC {}",
                month_abbr(c.month),
                c.day,
                c.hour,
                c.min,
                c.sec,
                c.year
            )
        }
        Line::Ping(host) => {
            let r = mix64(seed ^ k);
            format!(
                "64 bytes from {}: seq={k} ttl=118 time={}.{:03} ms",
                fake_ip(host),
                10 + r % 30,
                (r >> 8) % 1000
            )
        }
        Line::Access => {
            let r = mix64(seed.wrapping_add(k));
            let c = at.civil();
            let paths = [
                "/",
                "/",
                "/",
                "/index.html",
                "/favicon.ico",
                "/api/health",
                "/static/app.js",
            ];
            let agents = [
                "curl/7.29.0",
                "Mozilla/5.0 (X11; Linux x86_64)",
                "Wget/1.14 (linux-gnu)",
                "kube-probe/1.18",
            ];
            let path = paths[(r % paths.len() as u64) as usize];
            let (status, size) = if path == "/favicon.ico" {
                (404, 153)
            } else {
                (200, 612)
            };
            format!(
                "10.255.0.{} - - [{:02}/{}/{}:{:02}:{:02}:{:02} +0000] \"GET {path} HTTP/1.1\" {status} {size} \"-\" \"{}\" \"-\"",
                2 + (r >> 8) % 8,
                c.day,
                month_abbr(c.month),
                c.year,
                c.hour,
                c.min,
                c.sec,
                agents[((r >> 16) % agents.len() as u64) as usize]
            )
        }
    }
}

impl Program {
    /// Number of loop iterations that have started by `elapsed` after the container started.
    fn iterations_by(&self, elapsed: SimDuration, seed: u64) -> u64 {
        let Some(l) = &self.repeat else { return 0 };
        if elapsed < l.start || l.period.0 <= 0 {
            return 0;
        }
        let n = ((elapsed.0 - l.start.0) / l.period.0) as u64 + 1;
        // The last iteration may not have begun yet because of its jitter.
        if l.jitter {
            let last = n - 1;
            if self.iter_start(l, last, seed) > elapsed {
                return n - 1;
            }
        }
        n
    }

    fn iter_start(&self, l: &Loop, i: u64, seed: u64) -> SimDuration {
        let base = l.start.0 + l.period.0 * i as i64;
        let jitter = if l.jitter {
            (mix64(seed ^ i.wrapping_mul(0x9E37)) % (l.period.0 as u64 / 2).max(1)) as i64
        } else {
            0
        };
        SimDuration(base + jitter)
    }

    /// Total lines written by `elapsed` after start.
    pub fn line_count(&self, elapsed: SimDuration, seed: u64) -> u64 {
        let pre = self.prelude.iter().filter(|(o, _)| *o <= elapsed).count() as u64;
        let Some(l) = &self.repeat else { return pre };
        let n = self.iterations_by(elapsed, seed);
        if n == 0 {
            return pre;
        }
        let per = l.lines.len() as u64;
        let last_start = self.iter_start(l, n - 1, seed);
        let in_last = l
            .lines
            .iter()
            .filter(|(o, _)| last_start + *o <= elapsed)
            .count() as u64;
        pre + (n - 1) * per + in_last
    }

    /// The `k`-th line (0-based): its offset from the start and its text.
    pub fn line_at(&self, k: u64, start: SimTime, seed: u64) -> Option<(SimDuration, String)> {
        let pre = self.prelude.len() as u64;
        if k < pre {
            let (o, l) = &self.prelude[k as usize];
            return Some((*o, render(l, k, start + *o, seed)));
        }
        let l = self.repeat.as_ref()?;
        let per = l.lines.len() as u64;
        if per == 0 {
            return None;
        }
        let i = (k - pre) / per;
        let j = ((k - pre) % per) as usize;
        let off = self.iter_start(l, i, seed) + l.lines[j].0;
        Some((off, render(&l.lines[j].1, i, start + off, seed)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sv(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn references() {
        let r = ImageRef::parse("nginx").unwrap();
        assert_eq!(r.familiar(), "nginx:latest");
        let r = ImageRef::parse("docker.io/library/nginx:1.16-alpine").unwrap();
        assert_eq!(r.familiar(), "nginx:1.16-alpine");
        assert!(lookup("nginx:1.17-alpine").is_some());
        assert!(lookup("nginx:9.9").is_none());
        assert!(lookup("nosuchimage").is_none());
        assert_eq!(
            pin("nginx").unwrap(),
            "nginx:latest@sha256:b73f527d86e3461fd652f62cf47e7b375196063bbbd503e853af5be16597cb2e"
        );
        assert!(lookup(&pin("nginx:1.16-alpine").unwrap()).is_some());
        assert_eq!(display("nginx:latest@sha256:abc"), "nginx:latest");
        assert_eq!(display("portainer/portainer"), "portainer/portainer:latest");
        assert!(ImageRef::parse("Bad Image").is_none());
    }

    #[test]
    fn tang_loop_writes_every_second() {
        let (info, _) = lookup("centos").unwrap();
        let argv = effective_argv(
            info,
            &[],
            &sv(&["sh", "-c", "while true;do echo tang;sleep 1;done"]),
        );
        let p = program_for(info, &argv, &[]);
        assert!(p.exit.is_none());
        assert!(!p.handles_sigterm, "a shell loop as PID 1 ignores SIGTERM");
        assert_eq!(p.line_count(SimDuration::from_millis(9_500), 1), 10);
        let start = SimTime::from_secs(1000);
        let (off, text) = p.line_at(3, start, 1).unwrap();
        assert_eq!(text, "tang");
        assert_eq!(off, SimDuration::from_secs(3));
    }

    #[test]
    fn shells_without_a_terminal_exit() {
        let (info, _) = lookup("busybox").unwrap();
        let p = program_for(info, &effective_argv(info, &[], &[]), &[]);
        assert_eq!(p.exit.map(|e| e.1), Some(0));
        let p = program_for(info, &effective_argv(info, &[], &sv(&["sleep", "30"])), &[]);
        assert_eq!(p.exit, Some((SimDuration::from_secs(30), 0)));
        let p = program_for(
            info,
            &effective_argv(info, &[], &sv(&["sh", "-c", "echo hi; exit 3"])),
            &[],
        );
        assert_eq!(p.exit.map(|e| e.1), Some(3));
        assert_eq!(p.line_at(0, SimTime(0), 0).unwrap().1, "hi");
    }

    #[test]
    fn mysql_needs_a_password() {
        let (info, _) = lookup("mysql:5.7").unwrap();
        let argv = effective_argv(info, &[], &[]);
        assert_eq!(program_for(info, &argv, &[]).exit.map(|e| e.1), Some(1));
        assert!(
            program_for(info, &argv, &sv(&["MYSQL_ROOT_PASSWORD=x"]))
                .exit
                .is_none()
        );
    }

    #[test]
    fn nginx_access_lines_are_monotonic() {
        let (info, _) = lookup("nginx").unwrap();
        let p = program_for(info, &effective_argv(info, &[], &[]), &[]);
        let n = p.line_count(SimDuration::from_mins(10), 42);
        assert!(n > 40 && n < 200, "{n}");
        let mut last = SimDuration::ZERO;
        for k in 0..n {
            let (o, text) = p.line_at(k, SimTime(0), 42).unwrap();
            assert!(o >= last);
            assert!(o <= SimDuration::from_mins(10));
            assert!(text.contains("GET "));
            last = o;
        }
    }
}
