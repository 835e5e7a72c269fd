//! What runs when someone execs into a container (`kubectl exec`, later `docker exec`): the
//! commands of the image's userland over a small in-memory filesystem, and its shell
//! (busybox `sh` on Alpine and busybox images, `bash` on Debian and CentOS ones) with the
//! syntax tutorials type: words and quotes, `$VAR`, `;`, `&&`, `||`, pipes and `>`/`>>`
//! redirects. Pure: no clock, no randomness; the caller gives it the container's view.

use parse::{Tok, split_lists, tokenize};
use std::collections::{BTreeMap, BTreeSet};

mod parse;
#[cfg(test)]
mod tests;

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
            _ => BUILTINS.contains(&base),
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
        match base {
            "echo" => {
                let (newline, words) = match args.first().map(String::as_str) {
                    Some("-n") => (false, &args[1..]),
                    _ => (true, args),
                };
                let mut s = words.join(" ");
                if newline {
                    s.push('\n');
                }
                Output::ok(s)
            }
            "true" => Output::default(),
            "false" => Output::err(1, ""),
            "exit" => {
                let code = args
                    .first()
                    .and_then(|a| a.parse().ok())
                    .unwrap_or(self.last);
                self.exited = Some(code);
                Output {
                    code,
                    ..Default::default()
                }
            }
            "sh" | "ash" | "bash" => match args {
                [c, script, ..] if c == "-c" => {
                    let saved = std::mem::replace(&mut self.name, base.into());
                    let o = self.line(script);
                    self.name = saved;
                    self.exited = None;
                    o
                }
                [] => {
                    let text = String::from_utf8_lossy(input).to_string();
                    let mut all = Output::default();
                    for l in text.lines() {
                        let o = self.line(l);
                        all.stdout.extend(o.stdout);
                        all.stderr.extend(o.stderr);
                        all.code = o.code;
                    }
                    self.exited = None;
                    all
                }
                [f, ..] => match self.read(f) {
                    Ok(b) => {
                        let script = String::from_utf8_lossy(&b).to_string();
                        self.line(&script.replace('\n', ";"))
                    }
                    Err(e) => Output::err(2, format!("{base}: {f}: {e}\n")),
                },
            },
            "cat" => {
                if args.is_empty() {
                    return Output::ok(input.to_vec());
                }
                let mut o = Output::default();
                for f in args {
                    match self.read(f) {
                        Ok(b) => o.stdout.extend(b),
                        Err(e) => {
                            o.stderr.extend(format!("cat: {f}: {e}\n").into_bytes());
                            o.code = 1;
                        }
                    }
                }
                o
            }
            "ls" => self.ls(args),
            "hostname" => Output::ok(format!("{}\n", self.c.hostname)),
            "env" | "printenv" => {
                if let Some(name) = args.first() {
                    return match self.vars.get(name) {
                        Some(v) => Output::ok(format!("{v}\n")),
                        None => Output::err(1, ""),
                    };
                }
                let mut s = String::new();
                for (k, _) in &self.c.env {
                    if let Some(v) = self.vars.get(k) {
                        s.push_str(&format!("{k}={v}\n"));
                    }
                }
                Output::ok(s)
            }
            "export" => {
                for a in args {
                    if let Some((k, v)) = a.split_once('=') {
                        if !self.c.env.iter().any(|(n, _)| n == k) {
                            self.c.env.push((k.into(), v.into()));
                        }
                        self.vars.insert(k.into(), v.into());
                    }
                }
                Output::default()
            }
            "pwd" => Output::ok(format!("{}\n", self.cwd)),
            "cd" => {
                let to = self.abs(args.first().map_or("/root", String::as_str));
                if self.dirs.contains(&to) {
                    self.cwd = to;
                    Output::default()
                } else {
                    let what = args.first().cloned().unwrap_or_default();
                    if self.name == "bash" {
                        Output::err(1, format!("bash: cd: {what}: No such file or directory\n"))
                    } else {
                        Output::err(
                            2,
                            format!("sh: cd: can't cd to {what}: No such file or directory\n"),
                        )
                    }
                }
            }
            "nginx" => {
                let v = self.c.nginx.clone().unwrap_or_default();
                match args.first().map(String::as_str) {
                    Some("-v") => Output::err(0, format!("nginx version: nginx/{v}\n")),
                    Some("-V") => Output::err(
                        0,
                        format!(
                            "nginx version: nginx/{v}\nbuilt by gcc\nconfigure arguments: --prefix=/etc/nginx --sbin-path=/usr/sbin/nginx\n"
                        ),
                    ),
                    Some("-t") => Output::err(
                        0,
                        "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\nnginx: configuration file /etc/nginx/nginx.conf test is successful\n",
                    ),
                    _ => Output::err(
                        1,
                        "nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address in use)\n",
                    ),
                }
            }
            "uname" => {
                let k = &self.c.kernel;
                let h = &self.c.hostname;
                let s = match args.first().map(String::as_str) {
                    Some("-a") => format!("Linux {h} {k} #1 SMP x86_64 GNU/Linux"),
                    Some("-r") => k.clone(),
                    Some("-n") => h.clone(),
                    Some("-m") => "x86_64".into(),
                    _ => "Linux".into(),
                };
                Output::ok(format!("{s}\n"))
            }
            "whoami" => Output::ok("root\n"),
            "id" => Output::ok("uid=0(root) gid=0(root) groups=0(root)\n"),
            "date" => Output::ok(format!("{}\n", self.c.date)),
            "sleep" => Output::default(),
            "mkdir" => {
                let parents = args.iter().any(|a| a == "-p");
                let mut o = Output::default();
                for d in args.iter().filter(|a| !a.starts_with('-')) {
                    let a = self.abs(d);
                    if self.dirs.contains(&a) && !parents {
                        o.stderr.extend(
                            format!("mkdir: can't create directory '{d}': File exists\n")
                                .into_bytes(),
                        );
                        o.code = 1;
                    } else if !parents && !self.dirs.contains(&parent(&a)) {
                        o.stderr.extend(
                            format!(
                                "mkdir: can't create directory '{d}': No such file or directory\n"
                            )
                            .into_bytes(),
                        );
                        o.code = 1;
                    } else {
                        let mut p = a;
                        while self.dirs.insert(p.clone()) {
                            p = parent(&p);
                        }
                    }
                }
                o
            }
            "touch" => {
                let mut o = Output::default();
                for f in args {
                    let a = self.abs(f);
                    if !self.c.files.contains_key(&a)
                        && let Err(e) = self.write(f, Vec::new(), true)
                    {
                        o.stderr.extend(format!("touch: {f}: {e}\n").into_bytes());
                        o.code = 1;
                    }
                }
                o
            }
            "rm" => {
                let force = args.iter().any(|a| a.starts_with('-') && a.contains('f'));
                let rec = args.iter().any(|a| a.starts_with('-') && a.contains('r'));
                let mut o = Output::default();
                for f in args.iter().filter(|a| !a.starts_with('-')) {
                    let a = self.abs(f);
                    if self.c.files.remove(&a).is_some() {
                        continue;
                    }
                    if self.dirs.contains(&a) && rec {
                        let prefix = format!("{a}/");
                        self.c.files.retain(|k, _| !k.starts_with(&prefix));
                        self.dirs.retain(|k| *k != a && !k.starts_with(&prefix));
                    } else if self.dirs.contains(&a) {
                        o.stderr
                            .extend(format!("rm: '{f}' is a directory\n").into_bytes());
                        o.code = 1;
                    } else if !force {
                        o.stderr.extend(
                            format!("rm: can't remove '{f}': No such file or directory\n")
                                .into_bytes(),
                        );
                        o.code = 1;
                    }
                }
                o
            }
            "grep" => {
                let invert = args.iter().any(|a| a == "-v");
                let nocase = args.iter().any(|a| a == "-i");
                let count = args.iter().any(|a| a == "-c");
                let words: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
                let Some(pat) = words.first() else {
                    return Output::err(2, "Usage: grep [-ivc] PATTERN [FILE]...\n");
                };
                let text = match words.get(1) {
                    Some(f) => match self.read(f) {
                        Ok(b) => b,
                        Err(e) => return Output::err(2, format!("grep: {f}: {e}\n")),
                    },
                    None => input.to_vec(),
                };
                let text = String::from_utf8_lossy(&text).to_string();
                let hit = |l: &str| {
                    let m = if nocase {
                        l.to_lowercase().contains(&pat.to_lowercase())
                    } else {
                        l.contains(pat.as_str())
                    };
                    m != invert
                };
                let lines: Vec<&str> = text.lines().filter(|l| hit(l)).collect();
                let code = if lines.is_empty() { 1 } else { 0 };
                let out = if count {
                    format!("{}\n", lines.len())
                } else {
                    lines.iter().map(|l| format!("{l}\n")).collect()
                };
                Output {
                    stdout: out.into_bytes(),
                    code,
                    ..Default::default()
                }
            }
            "head" | "tail" => {
                let mut n = 10usize;
                let mut files = Vec::new();
                let mut i = 0;
                while i < args.len() {
                    match args[i].as_str() {
                        "-n" => {
                            n = args.get(i + 1).and_then(|v| v.parse().ok()).unwrap_or(10);
                            i += 1;
                        }
                        a if a.starts_with('-') => n = a[1..].parse().unwrap_or(10),
                        f => files.push(f.to_string()),
                    }
                    i += 1;
                }
                let text = match files.first() {
                    Some(f) => match self.read(f) {
                        Ok(b) => b,
                        Err(e) => return Output::err(1, format!("{base}: {f}: {e}\n")),
                    },
                    None => input.to_vec(),
                };
                let text = String::from_utf8_lossy(&text).to_string();
                let lines: Vec<&str> = text.lines().collect();
                let pick = if base == "head" {
                    &lines[..n.min(lines.len())]
                } else {
                    &lines[lines.len().saturating_sub(n)..]
                };
                Output::ok(pick.iter().map(|l| format!("{l}\n")).collect::<String>())
            }
            "wc" => {
                let text = match args.iter().find(|a| !a.starts_with('-')) {
                    Some(f) => match self.read(f) {
                        Ok(b) => b,
                        Err(e) => return Output::err(1, format!("wc: {f}: {e}\n")),
                    },
                    None => input.to_vec(),
                };
                let s = String::from_utf8_lossy(&text).to_string();
                let (l, w, c) = (
                    s.matches('\n').count(),
                    s.split_whitespace().count(),
                    text.len(),
                );
                let out = match args.first().map(String::as_str) {
                    Some("-l") => format!("{l}\n"),
                    Some("-w") => format!("{w}\n"),
                    Some("-c") => format!("{c}\n"),
                    _ => format!("{l:>7} {w:>7} {c:>7}\n"),
                };
                Output::ok(out)
            }
            "which" => {
                let mut o = Output::default();
                for a in args {
                    if self.exists(a) {
                        let dir = if a == "nginx" { "/usr/sbin" } else { "/bin" };
                        o.stdout.extend(format!("{dir}/{a}\n").into_bytes());
                    } else {
                        o.code = 1;
                    }
                }
                o
            }
            "ps" => {
                let main = self.c.main.join(" ");
                Output::ok(format!(
                    "PID   USER     TIME  COMMAND\n    1 root      0:00 {main}\n"
                ))
            }
            _ => self.missing(prog),
        }
    }

    fn ls(&self, args: &[String]) -> Output {
        let long = args.iter().any(|a| a.starts_with('-') && a.contains('l'));
        let all = args.iter().any(|a| a.starts_with('-') && a.contains('a'));
        let paths: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
        let targets: Vec<String> = if paths.is_empty() {
            vec![".".into()]
        } else {
            paths.iter().map(|p| p.to_string()).collect()
        };
        let mut o = Output::default();
        let many = targets.len() > 1;
        for (i, t) in targets.iter().enumerate() {
            let a = self.abs(t);
            if let Some(b) = self.c.files.get(&a) {
                let line = if long {
                    format!("-rw-r--r--    1 root     root     {:>8} {t}\n", b.len())
                } else {
                    format!("{t}\n")
                };
                o.stdout.extend(line.into_bytes());
                continue;
            }
            if !self.dirs.contains(&a) {
                o.stderr
                    .extend(format!("ls: {t}: No such file or directory\n").into_bytes());
                o.code = 1;
                continue;
            }
            if many {
                if i > 0 {
                    o.stdout.push(b'\n');
                }
                o.stdout.extend(format!("{t}:\n").into_bytes());
            }
            let prefix = if a == "/" {
                "/".to_string()
            } else {
                format!("{a}/")
            };
            let child = |p: &String| -> Option<String> {
                let rest = p.strip_prefix(&prefix)?;
                (!rest.is_empty() && !rest.contains('/')).then(|| rest.to_string())
            };
            let mut entries: Vec<(String, bool, usize)> = self
                .dirs
                .iter()
                .filter_map(|d| child(d).map(|n| (n, true, 4096)))
                .chain(
                    self.c
                        .files
                        .iter()
                        .filter_map(|(f, b)| child(f).map(|n| (n, false, b.len()))),
                )
                .filter(|(n, _, _)| all || !n.starts_with('.'))
                .collect();
            entries.sort();
            for (n, dir, size) in entries {
                let line = if long {
                    let mode = if dir { "drwxr-xr-x" } else { "-rw-r--r--" };
                    format!(
                        "{mode}    {} root     root     {size:>8} {n}\n",
                        if dir { 2 } else { 1 }
                    )
                } else {
                    format!("{n}\n")
                };
                o.stdout.extend(line.into_bytes());
            }
        }
        o
    }

    /// The files as they are now (writes included).
    pub fn files(&self) -> &BTreeMap<String, Vec<u8>> {
        &self.c.files
    }
}

/// The programs every image's userland has (the shell's builtins and coreutils).
const BUILTINS: &[&str] = &[
    "sh", "ash", "echo", "true", "false", "exit", "cat", "ls", "hostname", "env", "printenv",
    "export", "pwd", "cd", "uname", "whoami", "id", "date", "sleep", "mkdir", "touch", "rm",
    "grep", "head", "tail", "wc", "which", "ps",
];
