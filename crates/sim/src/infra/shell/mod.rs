//! What runs when someone execs into a container (`kubectl exec`, later `docker exec`): the
//! commands of the image's userland over a small in-memory filesystem, and its shell
//! (busybox `sh` on Alpine and busybox images, `bash` on Debian and CentOS ones) with the
//! syntax tutorials type: words and quotes, `$VAR`, `;`, `&&`, `||`, pipes and `>`/`>>`
//! redirects. Pure: no clock, no randomness; the caller gives it the container's view.

use parse::{Tok, split_lists, tokenize};
use std::collections::{BTreeMap, BTreeSet};

mod builtins;
mod files;
mod parse;
mod system;
#[cfg(test)]
mod tests;
mod text;

/// One run of a command: the name it was called by, its arguments and its standard input.
struct Call<'a> {
    base: &'a str,
    args: &'a [String],
    input: &'a [u8],
}

/// What a command does.
type Run = fn(&mut Shell, &Call) -> Output;

/// The command called `name` in every image's userland (the shell's builtins and the
/// coreutils), by family.
fn command(name: &str) -> Option<Run> {
    [
        builtins::COMMANDS,
        files::COMMANDS,
        text::COMMANDS,
        system::COMMANDS,
    ]
    .into_iter()
    .flatten()
    .find(|(n, _)| *n == name)
    .map(|(_, run)| *run)
}

/// Which userland an image has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Userland {
    /// Alpine and busybox: `sh` (ash), no bash.
    Busybox,
    /// Debian, CentOS, Ubuntu: `bash` and `sh`.
    Gnu,
}

/// What the container looks like from inside.
#[derive(Clone, Debug)]
pub struct Container {
    pub hostname: String,
    pub userland: Userland,
    /// Environment, in order.
    pub env: Vec<(String, String)>,
    /// Files by absolute path; their parent directories exist.
    pub files: BTreeMap<String, Vec<u8>>,
    /// The main process's command line (`ps`).
    pub main: Vec<String>,
    /// `nginx -v`'s version, for an nginx image.
    pub nginx: Option<String>,
    /// `uname -r`.
    pub kernel: String,
    /// `date`'s text for now.
    pub date: String,
}

/// What a command printed, and its exit status.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Output {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub code: i32,
}

impl Output {
    fn ok(stdout: impl Into<Vec<u8>>) -> Output {
        Output {
            stdout: stdout.into(),
            ..Default::default()
        }
    }
    fn err(code: i32, stderr: impl Into<Vec<u8>>) -> Output {
        Output {
            stderr: stderr.into(),
            code,
            ..Default::default()
        }
    }
}

/// How an exec starts.
#[derive(Debug, PartialEq, Eq)]
pub enum Start {
    /// It ran and ended.
    Done(Output),
    /// An interactive shell: it reads command lines from stdin.
    Shell,
    /// A program that reads all of stdin and then runs (`cat`, `wc` with no file).
    ReadsStdin,
    /// The runtime could not start it: the message.
    NotFound(String),
}

/// A container's userland for one exec session.
#[derive(Clone, Debug)]
pub struct Shell {
    c: Container,
    dirs: BTreeSet<String>,
    cwd: String,
    vars: BTreeMap<String, String>,
    last: i32,
    /// The interactive shell's name (`sh` or `bash`) once one runs.
    pub name: String,
    /// Set by `exit`: the session ends with this status.
    pub exited: Option<i32>,
}

const SHELLS: &[&str] = &["sh", "ash", "bash", "/bin/sh", "/bin/ash", "/bin/bash"];

/// One simple command of a pipeline, with its redirects.
#[derive(Debug, Default)]
struct Simple {
    argv: Vec<String>,
    out: Option<(String, bool)>,
    input: Option<String>,
    err_to_out: bool,
    err_null: bool,
}

fn parent(path: &str) -> String {
    match path.rsplit_once('/') {
        Some(("", _)) | None => "/".into(),
        Some((p, _)) => p.into(),
    }
}

impl Shell {
    pub fn new(c: Container) -> Shell {
        let mut dirs: BTreeSet<String> = [
            "/",
            "/bin",
            "/dev",
            "/etc",
            "/home",
            "/lib",
            "/media",
            "/mnt",
            "/opt",
            "/proc",
            "/root",
            "/run",
            "/sbin",
            "/srv",
            "/sys",
            "/tmp",
            "/usr",
            "/usr/bin",
            "/usr/lib",
            "/usr/local",
            "/usr/sbin",
            "/usr/share",
            "/var",
            "/var/log",
            "/var/run",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for f in c.files.keys() {
            let mut p = parent(f);
            while dirs.insert(p.clone()) {
                p = parent(&p);
            }
        }
        let vars = c.env.iter().cloned().collect();
        Shell {
            c,
            dirs,
            cwd: "/".into(),
            vars,
            last: 0,
            name: String::new(),
            exited: None,
        }
    }

    fn has_bash(&self) -> bool {
        self.c.userland == Userland::Gnu
    }

    /// Whether `name` is a program of this image (for the runtime's exec and `which`).
    fn exists(&self, name: &str) -> bool {
        let base = name.rsplit('/').next().unwrap_or(name);
        match base {
            "bash" => self.has_bash(),
            "nginx" => self.c.nginx.is_some(),
            _ => command(base).is_some(),
        }
    }

    /// The runtime starts `argv` in the container (no shell in between).
    pub fn start(&mut self, argv: &[String], stdin: bool) -> Start {
        let Some(prog) = argv.first() else {
            return Start::NotFound("exec: \"\": executable file not found in $PATH".into());
        };
        if !self.exists(prog) {
            let what = if prog.contains('/') {
                format!("exec: \"{prog}\": stat {prog}: no such file or directory")
            } else {
                format!("exec: \"{prog}\": executable file not found in $PATH")
            };
            return Start::NotFound(what);
        }
        let base = prog.rsplit('/').next().unwrap_or(prog);
        if SHELLS.contains(&base) && argv.len() == 1 {
            self.name = base.into();
            return if stdin {
                Start::Shell
            } else {
                Start::Done(Output::default())
            };
        }
        if stdin && argv.len() == 1 && matches!(base, "cat" | "wc" | "grep" | "head" | "tail") {
            return Start::ReadsStdin;
        }
        self.name = if self.has_bash() { "bash" } else { "sh" }.into();
        Start::Done(self.simple(argv, &[]))
    }

    /// Runs a program that read all of `input` (see [`Start::ReadsStdin`]).
    pub fn finish(&mut self, argv: &[String], input: &[u8]) -> Output {
        self.simple(argv, input)
    }

    /// The interactive prompt.
    pub fn prompt(&self) -> String {
        if self.name == "bash" {
            let dir = if self.cwd == "/root" { "~" } else { &self.cwd };
            format!("root@{}:{dir}# ", self.c.hostname)
        } else {
            format!("{} # ", if self.cwd == "/root" { "~" } else { &self.cwd })
        }
    }

    /// Runs one command line in the shell: its `;`, `&&` and `||` lists in turn, each
    /// expanded (`$?` included) just before it runs.
    pub fn line(&mut self, line: &str) -> Output {
        let mut all = Output::default();
        let mut skip = false;
        for (segment, op) in split_lists(line) {
            if self.exited.is_some() {
                break;
            }
            if !skip && !segment.trim().is_empty() {
                let vars = self.vars.clone();
                let last = self.last;
                let lookup = |n: &str| -> String {
                    if n == "?" {
                        return last.to_string();
                    }
                    vars.get(n).cloned().unwrap_or_default()
                };
                let o = match tokenize(&segment, &lookup) {
                    Ok(toks) => self.pipeline(&toks),
                    Err(e) => Output::err(2, format!("{}: syntax error: {e}\n", self.name)),
                };
                all.stdout.extend(o.stdout);
                all.stderr.extend(o.stderr);
                self.last = o.code;
            }
            skip = match op {
                Some("&&") => self.last != 0,
                Some("||") => self.last == 0,
                _ => false,
            };
        }
        all.code = self.last;
        all
    }

    fn pipeline(&mut self, toks: &[Tok]) -> Output {
        let mut cmds: Vec<Simple> = vec![Simple::default()];
        let mut it = toks.iter();
        while let Some(t) = it.next() {
            let cur = cmds.last_mut().expect("one command at least");
            match t {
                Tok::Word(w) => cur.argv.push(w.clone()),
                Tok::Op("|") => cmds.push(Simple::default()),
                Tok::Op(op @ (">" | ">>" | "<" | "2>")) => {
                    let Some(Tok::Word(target)) = it.next() else {
                        return Output::err(
                            2,
                            format!("{}: syntax error: unexpected newline\n", self.name),
                        );
                    };
                    match *op {
                        ">" => cur.out = Some((target.clone(), false)),
                        ">>" => cur.out = Some((target.clone(), true)),
                        "<" => cur.input = Some(target.clone()),
                        _ => cur.err_null = target == "/dev/null",
                    }
                }
                Tok::Op("2>&1") => cur.err_to_out = true,
                Tok::Op(_) => {}
            }
        }
        let mut input: Vec<u8> = Vec::new();
        let mut last = Output::default();
        let mut stderr = Vec::new();
        for c in cmds {
            if let Some(f) = &c.input {
                match self.read(f) {
                    Ok(b) => input = b,
                    Err(e) => {
                        return Output::err(1, format!("{}: can't open '{f}': {e}\n", self.name));
                    }
                }
            }
            let mut o = if c.argv.is_empty() {
                Output::default()
            } else {
                self.simple(&c.argv, &input)
            };
            if c.err_to_out {
                o.stdout.extend(std::mem::take(&mut o.stderr));
            }
            if c.err_null {
                o.stderr.clear();
            }
            if let Some((f, append)) = &c.out {
                let data = std::mem::take(&mut o.stdout);
                if let Err(e) = self.write(f, data, *append) {
                    o.stderr
                        .extend(format!("{}: can't create {f}: {e}\n", self.name).into_bytes());
                    o.code = 1;
                }
            }
            stderr.extend(std::mem::take(&mut o.stderr));
            input = std::mem::take(&mut o.stdout);
            last = o;
        }
        Output {
            stdout: input,
            stderr,
            code: last.code,
        }
    }

    fn abs(&self, p: &str) -> String {
        let joined = if p.starts_with('/') {
            p.to_string()
        } else {
            format!("{}/{p}", self.cwd.trim_end_matches('/'))
        };
        let mut parts: Vec<&str> = Vec::new();
        for seg in joined.split('/') {
            match seg {
                "" | "." => {}
                ".." => {
                    parts.pop();
                }
                s => parts.push(s),
            }
        }
        format!("/{}", parts.join("/"))
    }

    fn read(&self, p: &str) -> Result<Vec<u8>, &'static str> {
        let a = self.abs(p);
        if let Some(b) = self.c.files.get(&a) {
            return Ok(b.clone());
        }
        if self.dirs.contains(&a) {
            return Err("Is a directory");
        }
        Err("No such file or directory")
    }

    fn write(&mut self, p: &str, data: Vec<u8>, append: bool) -> Result<(), &'static str> {
        let a = self.abs(p);
        if a == "/dev/null" {
            return Ok(());
        }
        if self.dirs.contains(&a) {
            return Err("Is a directory");
        }
        if !self.dirs.contains(&parent(&a)) {
            return Err("nonexistent directory");
        }
        let f = self.c.files.entry(a).or_default();
        if !append {
            f.clear();
        }
        f.extend(data);
        Ok(())
    }

    fn missing(&self, cmd: &str) -> Output {
        if self.name == "bash" {
            Output::err(127, format!("bash: {cmd}: command not found\n"))
        } else {
            Output::err(127, format!("sh: {cmd}: not found\n"))
        }
    }

    /// One program with its arguments.
    fn simple(&mut self, argv: &[String], input: &[u8]) -> Output {
        let prog = argv[0].as_str();
        let base = prog.rsplit('/').next().unwrap_or(prog);
        let args = &argv[1..];
        if !self.exists(prog) {
            return self.missing(prog);
        }
        let call = Call { base, args, input };
        match command(base) {
            Some(run) => run(self, &call),
            None => self.missing(prog),
        }
    }

    /// The files as they are now (writes included).
    pub fn files(&self) -> &BTreeMap<String, Vec<u8>> {
        &self.c.files
    }
}
