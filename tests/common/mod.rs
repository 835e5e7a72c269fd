//! Helpers for tests that run the real `opsconsole` binary.
#![allow(dead_code)]

pub mod watch;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const CLOCK_START: &str = "2026-11-22T10:00:00Z";

/// A fresh state directory for one test.
pub struct Cluster {
    pub dir: tempfile::TempDir,
}

#[derive(Debug)]
pub struct Run {
    pub out: String,
    pub err: String,
    pub code: i32,
}

impl Run {
    pub fn ok(self) -> String {
        assert_eq!(
            self.code, 0,
            "command failed: stdout:\n{}\nstderr:\n{}",
            self.out, self.err
        );
        self.out
    }
    /// Asserts the command failed with `needle` in its stderr; returns the stderr.
    pub fn fails_with(self, needle: &str) -> String {
        assert_ne!(self.code, 0, "command succeeded: stdout:\n{}", self.out);
        assert!(
            self.err.contains(needle),
            "{needle:?} not in:\n{}",
            self.err
        );
        self.err
    }
}

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_opsconsole"))
}

impl Cluster {
    pub fn new() -> Cluster {
        Cluster {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn state(&self) -> &Path {
        self.dir.path()
    }

    fn command(&self, on: Option<&str>, args: &str) -> Command {
        let words = opsconsole_sim::lang::flags::split_line(args).expect("test command line");
        let mut c = Command::new(bin());
        c.arg("--state")
            .arg(self.state())
            .arg("ctl")
            .arg("--clock-start")
            .arg(CLOCK_START);
        if let Some(n) = on {
            c.arg("--on").arg(n);
        }
        c.args(words);
        c
    }

    /// `opsconsole ctl ARGS` (on the leader).
    pub fn run(&self, args: &str) -> Run {
        self.run_on(None, args)
    }

    pub fn run_on(&self, on: Option<&str>, args: &str) -> Run {
        let o: Output = self.command(on, args).output().expect("run opsconsole");
        Run {
            out: String::from_utf8_lossy(&o.stdout).into(),
            err: String::from_utf8_lossy(&o.stderr).into(),
            code: o.status.code().unwrap_or(-1),
        }
    }

    /// `opsconsole ctl ARGS` with `input` on its standard input.
    pub fn run_with_stdin(&self, args: &str, input: &str) -> Run {
        use std::io::Write;
        let mut child = self
            .command(None, args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run opsconsole");
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(input.as_bytes()).expect("write stdin");
        drop(stdin);
        let o = child.wait_with_output().expect("wait for opsconsole");
        Run {
            out: String::from_utf8_lossy(&o.stdout).into(),
            err: String::from_utf8_lossy(&o.stderr).into(),
            code: o.status.code().unwrap_or(-1),
        }
    }

    /// Runs and requires success; returns stdout.
    pub fn ok(&self, args: &str) -> String {
        self.run(args).ok()
    }

    pub fn ok_on(&self, on: &str, args: &str) -> String {
        self.run_on(Some(on), args).ok()
    }
}

/// Rows of a docker table, split on runs of 2+ spaces (cells never contain those).
pub fn rows(table: &str) -> Vec<Vec<String>> {
    table
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            l.split("  ")
                .map(|c| c.trim())
                .filter(|c| !c.is_empty())
                .map(|c| c.to_string())
                .collect()
        })
        .collect()
}

/// The column of a table by header name.
pub fn column(table: &str, header: &str) -> Vec<String> {
    let head = table.lines().next().unwrap_or("");
    let start = head
        .find(header)
        .unwrap_or_else(|| panic!("no column {header} in {head:?}"));
    let end = head[start + header.len()..]
        .find(|c: char| c != ' ')
        .map(|i| start + header.len() + i);
    table
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let chars: Vec<char> = l.chars().collect();
            let s = start.min(chars.len());
            let e = end.unwrap_or(chars.len()).min(chars.len());
            chars[s..e].iter().collect::<String>().trim().to_string()
        })
        .collect()
}

/// Every object of an in-memory cluster (and its meta record if asked), for equality checks.
pub fn snapshot(c: &opsconsole_sim::Cluster, with_meta: bool) -> String {
    let t = c.state().tables();
    let objects = serde_json::to_string(&(
        &t.nodes,
        &t.services,
        &t.tasks,
        &t.containers,
        &t.volumes,
        &t.networks,
    ))
    .unwrap();
    if with_meta {
        objects + &serde_json::to_string(&c.state().meta).unwrap()
    } else {
        objects
    }
}
