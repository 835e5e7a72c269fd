//! The simulated image catalog (there is no registry) and what containers of each image do:
//! how long a pull and a start take, how much memory they use, what they write to their log,
//! when they exit, and how they react to `docker stop`.
//!
//! Shell images (busybox, alpine, centos, ubuntu, perl) run their command through a small
//! interpreter of the commands tutorials use: `sh -c "while true;do echo tang;sleep 1;done"`,
//! `sleep N`, `echo`, `ping`, `yes`, `tail -f /dev/null`, `exit N`.

use crate::base::rng::{mix64, stable_hex64};
use crate::base::time::{SimDuration, SimTime};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum App {
    Nginx,
    Httpd,
    Redis,
    Mysql,
    Tomcat,
    Portainer,
    Visualizer,
    Elasticsearch,
    Shell,
    Crash,
    BadStart,
    Chatty,
    Job,
    Flaky,
}

pub struct ImageInfo {
    pub repo: &'static str,
    pub tags: &'static [&'static str],
    pub entrypoint: &'static [&'static str],
    pub cmd: &'static [&'static str],
    pub exposed: &'static [&'static str],
    pub pull_ms: i64,
    pub start_ms: i64,
    pub memory_mb: i64,
    pub arm64: bool,
    pub app: App,
}

macro_rules! img {
    ($repo:expr, [$($tag:expr),*], entry=[$($e:expr),*], cmd=[$($c:expr),*], ports=[$($p:expr),*], pull=$pull:expr, start=$start:expr, mem=$mem:expr, arm=$arm:expr, $app:ident) => {
        ImageInfo { repo: $repo, tags: &[$($tag),*], entrypoint: &[$($e),*], cmd: &[$($c),*], exposed: &[$($p),*],
            pull_ms: $pull, start_ms: $start, memory_mb: $mem, arm64: $arm, app: App::$app }
    };
}

pub static CATALOG: &[ImageInfo] = &[
    img!(
        "nginx",
        [
            "latest",
            "new",
            "alpine",
            "1.15-alpine",
            "1.16-alpine",
            "1.17-alpine",
            "1.15",
            "1.16",
            "1.17",
            "1.21.4"
        ],
        entry = [],
        cmd = ["nginx", "-g", "daemon off;"],
        ports = ["80/tcp"],
        pull = 6500,
        start = 400,
        mem = 12,
        arm = true,
        Nginx
    ),
    img!(
        "httpd",
        ["latest", "2.4", "alpine"],
        entry = [],
        cmd = ["httpd-foreground"],
        ports = ["80/tcp"],
        pull = 5200,
        start = 500,
        mem = 20,
        arm = true,
        Httpd
    ),
    img!(
        "redis",
        ["latest", "5", "6", "alpine"],
        entry = ["docker-entrypoint.sh"],
        cmd = ["redis-server"],
        ports = ["6379/tcp"],
        pull = 4800,
        start = 300,
        mem = 8,
        arm = true,
        Redis
    ),
    img!(
        "mysql",
        ["5.7", "8.0", "latest"],
        entry = ["docker-entrypoint.sh"],
        cmd = ["mysqld"],
        ports = ["3306/tcp", "33060/tcp"],
        pull = 24000,
        start = 900,
        mem = 360,
        arm = false,
        Mysql
    ),
    img!(
        "tomcat",
        ["latest", "9.0", "8.5"],
        entry = [],
        cmd = ["catalina.sh", "run"],
        ports = ["8080/tcp"],
        pull = 18000,
        start = 1200,
        mem = 180,
        arm = true,
        Tomcat
    ),
    img!(
        "portainer/portainer",
        ["latest"],
        entry = ["/portainer"],
        cmd = [],
        ports = ["9000/tcp"],
        pull = 7000,
        start = 300,
        mem = 14,
        arm = true,
        Portainer
    ),
    img!(
        "dockersamples/visualizer",
        ["latest", "stable"],
        entry = [],
        cmd = ["npm", "start"],
        ports = ["8080/tcp"],
        pull = 15000,
        start = 2500,
        mem = 60,
        arm = false,
        Visualizer
    ),
    img!(
        "elasticsearch",
        ["7.6.2"],
        entry = ["/usr/local/bin/docker-entrypoint.sh"],
        cmd = ["eswrapper"],
        ports = ["9200/tcp", "9300/tcp"],
        pull = 45000,
        start = 1500,
        mem = 1300,
        arm = false,
        Elasticsearch
    ),
    img!(
        "busybox",
        ["latest", "1.31", "musl"],
        entry = [],
        cmd = ["sh"],
        ports = [],
        pull = 1200,
        start = 200,
        mem = 1,
        arm = true,
        Shell
    ),
    img!(
        "alpine",
        ["latest", "3.10", "3.12"],
        entry = [],
        cmd = ["/bin/sh"],
        ports = [],
        pull = 1500,
        start = 200,
        mem = 1,
        arm = true,
        Shell
    ),
    img!(
        "centos",
        ["latest", "7", "8"],
        entry = [],
        cmd = ["/bin/bash"],
        ports = [],
        pull = 9000,
        start = 300,
        mem = 3,
        arm = true,
        Shell
    ),
    img!(
        "ubuntu",
        ["latest", "18.04", "20.04"],
        entry = [],
        cmd = ["bash"],
        ports = [],
        pull = 8000,
        start = 300,
        mem = 3,
        arm = true,
        Shell
    ),
    img!(
        "perl",
        ["latest", "5"],
        entry = [],
        cmd = ["perl5.30.0", "-de0"],
        ports = [],
        pull = 20000,
        start = 300,
        mem = 6,
        arm = true,
        Shell
    ),
    img!(
        "opsconsole/crash",
        ["latest"],
        entry = ["/app/server"],
        cmd = [],
        ports = ["8080/tcp"],
        pull = 2000,
        start = 300,
        mem = 10,
        arm = true,
        Crash
    ),
    img!(
        "opsconsole/badstart",
        ["latest"],
        entry = ["/app/start"],
        cmd = [],
        ports = [],
        pull = 2000,
        start = 300,
        mem = 0,
        arm = true,
        BadStart
    ),
    img!(
        "opsconsole/flaky",
        ["latest"],
        entry = ["/app/server"],
        cmd = [],
        ports = ["8080/tcp"],
        pull = 2000,
        start = 300,
        mem = 20,
        arm = true,
        Flaky
    ),
    img!(
        "opsconsole/chatty",
        ["latest"],
        entry = ["/app/chatty"],
        cmd = [],
        ports = [],
        pull = 2000,
        start = 200,
        mem = 15,
        arm = true,
        Chatty
    ),
    img!(
        "opsconsole/job",
        ["latest"],
        entry = ["/app/job"],
        cmd = [],
        ports = [],
        pull = 2000,
        start = 200,
        mem = 10,
        arm = true,
        Job
    ),
];

/// A parsed image reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    pub repo: String,
    pub tag: String,
    pub digest: Option<String>,
}

impl ImageRef {
    /// Parses "nginx", "nginx:1.16-alpine", "docker.io/library/nginx:latest@sha256:...".
    pub fn parse(s: &str) -> Option<ImageRef> {
        if s.is_empty()
            || s.chars()
                .any(|c| c.is_whitespace() || c.is_ascii_uppercase())
        {
            return None;
        }
        let (name, digest) = match s.split_once('@') {
            Some((n, d)) => (n, Some(d.to_string())),
            None => (s, None),
        };
        let (repo, tag) = match name.rsplit_once(':') {
            Some((r, t)) if !t.contains('/') => (r, t.to_string()),
            _ => (name, "latest".to_string()),
        };
        if repo.is_empty() || tag.is_empty() {
            return None;
        }
        let repo = repo
            .strip_prefix("docker.io/")
            .or_else(|| repo.strip_prefix("index.docker.io/"))
            .unwrap_or(repo);
        let repo = repo.strip_prefix("library/").unwrap_or(repo);
        Some(ImageRef {
            repo: repo.to_string(),
            tag,
            digest,
        })
    }

    /// "nginx:latest" (docker's familiar form, no digest).
    pub fn familiar(&self) -> String {
        format!("{}:{}", self.repo, self.tag)
    }
}

pub fn lookup(image: &str) -> Option<(&'static ImageInfo, ImageRef)> {
    let r = ImageRef::parse(image)?;
    let info = CATALOG
        .iter()
        .find(|i| i.repo == r.repo && i.tags.contains(&r.tag.as_str()))?;
    if let Some(d) = &r.digest
        && *d != digest_of(&r.familiar())
    {
        return None;
    }
    Some((info, r))
}

/// The registry digest of a known image ("sha256:..."); stable across runs.
pub fn digest_of(familiar: &str) -> String {
    if familiar == "nginx:latest" {
        // The digest seed 000's `service inspect --pretty` shows.
        return "sha256:b73f527d86e3461fd652f62cf47e7b375196063bbbd503e853af5be16597cb2e".into();
    }
    format!("sha256:{}", stable_hex64(&format!("digest:{familiar}")))
}

/// The local image ID ("sha256:...") of a known image.
pub fn image_id_of(familiar: &str) -> String {
    format!("sha256:{}", stable_hex64(&format!("image:{familiar}")))
}

/// What the docker CLI records in a service spec: the image pinned to its digest, as
/// `service create` does when the registry answers. `None` if no registry knows it.
pub fn pin(image: &str) -> Option<String> {
    let (_, r) = lookup(image)?;
    Some(format!("{}@{}", r.familiar(), digest_of(&r.familiar())))
}

/// The image as `service ls` and `service ps` show it: familiar name, no digest.
pub fn display(image: &str) -> String {
    match ImageRef::parse(image) {
        Some(r) if image.contains(':') || image.contains('@') => r.familiar(),
        Some(r) => r.familiar(),
        None => image.to_string(),
    }
}

// ---------------------------------------------------------------------------
// Programs: what a running container does

#[derive(Clone, Debug, PartialEq)]
pub enum Line {
    Text(String),
    /// An nginx/httpd combined-log access line.
    Access,
    /// A ping reply (sequence number is the loop index).
    Ping(String),
    /// `date` output.
    Date,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Loop {
    /// When the first iteration starts, after the container starts.
    pub start: SimDuration,
    pub period: SimDuration,
    /// Lines of one iteration, with their offset inside the iteration.
    pub lines: Vec<(SimDuration, Line)>,
    /// Each iteration is shifted by a pseudo-random amount below half the period.
    pub jitter: bool,
}

/// The behaviour of one container run.
#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    /// Lines written once, at an offset from the start.
    pub prelude: Vec<(SimDuration, Line)>,
    pub repeat: Option<Loop>,
    /// The process exits by itself after this long, with this code.
    pub exit: Option<(SimDuration, i64)>,
    /// Fails to start at all (OCI error text).
    pub start_error: Option<String>,
    /// Exits promptly on SIGTERM (else `docker stop` waits for the grace period and kills).
    pub handles_sigterm: bool,
    /// Time to exit after SIGTERM when it handles it.
    pub stop_time: SimDuration,
    pub memory_mb: i64,
}

impl Program {
    fn idle() -> Program {
        Program {
            prelude: vec![],
            repeat: None,
            exit: None,
            start_error: None,
            handles_sigterm: true,
            stop_time: SimDuration::ZERO,
            memory_mb: 1,
        }
    }
    fn text(at_ms: i64, s: &str) -> (SimDuration, Line) {
        (SimDuration::from_millis(at_ms), Line::Text(s.to_string()))
    }
}

fn env_has(env: &[String], key: &str) -> bool {
    env.iter().any(|e| {
        e.split_once('=')
            .map(|(k, v)| k == key && !v.is_empty())
            .unwrap_or(e == key)
    })
}

/// The process a container runs: entrypoint + cmd, after service overrides.
pub fn effective_argv(info: &ImageInfo, command: &[String], args: &[String]) -> Vec<String> {
    let mut argv: Vec<String> = if command.is_empty() {
        info.entrypoint.iter().map(|s| s.to_string()).collect()
    } else {
        command.to_vec()
    };
    if args.is_empty() && command.is_empty() {
        argv.extend(info.cmd.iter().map(|s| s.to_string()));
    } else {
        argv.extend(args.iter().cloned());
    }
    argv
}

pub fn program_for(info: &ImageInfo, argv: &[String], env: &[String]) -> Program {
    let mut p = Program::idle();
    p.memory_mb = info.memory_mb.max(1);
    let own_cmd = argv.first().map(|a| {
        let base = a.rsplit('/').next().unwrap_or(a);
        let same = |c: Option<&&str>| c.is_some_and(|c| c.rsplit('/').next() == Some(base));
        !(same(info.cmd.first()) || same(info.entrypoint.first()))
    });
    // Any image given a shell command runs that command.
    if own_cmd == Some(true) || info.app == App::Shell {
        let mut prog = shell_program(argv);
        prog.memory_mb = prog.memory_mb.max(1);
        return prog;
    }
    match info.app {
        App::Nginx | App::Httpd => {
            if info.app == App::Httpd {
                p.prelude = vec![
                    Program::text(
                        50,
                        "AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using 10.0.0.3. Set the 'ServerName' directive globally to suppress this message",
                    ),
                    Program::text(
                        60,
                        "[mpm_event:notice] [pid 1:tid 140] AH00489: Apache/2.4.41 (Unix) configured -- resuming normal operations",
                    ),
                ];
            }
            p.repeat = Some(Loop {
                start: SimDuration::from_secs(3),
                period: SimDuration::from_secs(8),
                lines: vec![(SimDuration::ZERO, Line::Access)],
                jitter: true,
            });
        }
        App::Redis => {
            p.prelude = vec![
                Program::text(
                    10,
                    "1:C 22 Nov 2026 10:00:00.000 # oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo",
                ),
                Program::text(
                    12,
                    "1:M 22 Nov 2026 10:00:00.002 * Running mode=standalone, port=6379.",
                ),
                Program::text(
                    20,
                    "1:M 22 Nov 2026 10:00:00.010 * Ready to accept connections",
                ),
            ];
            p.repeat = Some(Loop {
                start: SimDuration::from_mins(5),
                period: SimDuration::from_mins(5),
                lines: vec![
                    (
                        SimDuration::ZERO,
                        Line::Text("1:M * 100 changes in 300 seconds. Saving...".into()),
                    ),
                    (
                        SimDuration::from_millis(5),
                        Line::Text("1:M * Background saving terminated with success".into()),
                    ),
                ],
                jitter: false,
            });
        }
        App::Mysql => {
            if !(env_has(env, "MYSQL_ROOT_PASSWORD")
                || env_has(env, "MYSQL_ALLOW_EMPTY_PASSWORD")
                || env_has(env, "MYSQL_RANDOM_ROOT_PASSWORD"))
            {
                p.prelude = vec![
                    Program::text(
                        200,
                        "error: database is uninitialized and password option is not specified ",
                    ),
                    Program::text(
                        201,
                        "  You need to specify one of MYSQL_ROOT_PASSWORD, MYSQL_ALLOW_EMPTY_PASSWORD and MYSQL_RANDOM_ROOT_PASSWORD",
                    ),
                ];
                p.exit = Some((SimDuration::from_millis(250), 1));
            } else {
                p.prelude = vec![
                    Program::text(
                        100,
                        "[Note] [Entrypoint]: Entrypoint script for MySQL Server 5.7.28-1debian9 started.",
                    ),
                    Program::text(
                        2_000,
                        "[Note] mysqld (mysqld 5.7.28) starting as process 1 ...",
                    ),
                    Program::text(6_500, "[Note] InnoDB: Buffer pool(s) load completed"),
                    Program::text(8_000, "[Note] mysqld: ready for connections."),
                    Program::text(
                        8_001,
                        "Version: '5.7.28'  socket: '/var/run/mysqld/mysqld.sock'  port: 3306  MySQL Community Server (GPL)",
                    ),
                ];
            }
            p.stop_time = SimDuration::from_secs(2);
        }
        App::Tomcat => {
            p.prelude = vec![
                Program::text(
                    300,
                    "org.apache.catalina.startup.VersionLoggerListener.log Server version name:   Apache Tomcat/9.0.31",
                ),
                Program::text(
                    900,
                    "org.apache.coyote.AbstractProtocol.init Initializing ProtocolHandler [\"http-nio-8080\"]",
                ),
                Program::text(
                    2_400,
                    "org.apache.catalina.startup.Catalina.start Server startup in [2,087] milliseconds",
                ),
            ];
            p.stop_time = SimDuration::from_millis(800);
        }
        App::Portainer => {
            p.prelude = vec![Program::text(100, "Starting Portainer 1.19.2 on :9000")];
        }
        App::Visualizer => {
            p.prelude = vec![
                Program::text(200, "npm info it worked if it ends with ok"),
                Program::text(400, "> visualizer@ start /app"),
                Program::text(2_500, "Listening on port 8080"),
            ];
            p.handles_sigterm = false;
        }
        App::Elasticsearch => {
            p.prelude = vec![
                Program::text(
                    4_000,
                    "{\"type\": \"server\", \"level\": \"INFO\", \"message\": \"version[7.6.2], pid[1]\"}",
                ),
                Program::text(
                    19_000,
                    "{\"type\": \"server\", \"level\": \"INFO\", \"message\": \"started\"}",
                ),
            ];
            p.stop_time = SimDuration::from_secs(3);
        }
        App::Crash => {
            p.prelude = vec![
                Program::text(100, "server: starting on :8080"),
                Program::text(
                    2_900,
                    "server: fatal: cannot connect to database at db:5432: connection refused",
                ),
            ];
            p.exit = Some((SimDuration::from_secs(3), 1));
        }
        App::BadStart => {
            p.start_error = Some(
                "starting container failed: OCI runtime create failed: container_linux.go:348: starting container process caused \"exec: \\\"/app/start\\\": stat /app/start: no such file or directory\": unknown".into(),
            );
        }
        App::Flaky => {
            p.prelude = vec![Program::text(100, "server: starting on :8080")];
            p.repeat = Some(Loop {
                start: SimDuration::from_secs(5),
                period: SimDuration::from_secs(5),
                lines: vec![(
                    SimDuration::ZERO,
                    Line::Text("server: handled request".into()),
                )],
                jitter: true,
            });
            p.exit = Some((SimDuration::from_secs(45), 2));
        }
        App::Chatty => {
            p.repeat = Some(Loop {
                start: SimDuration::ZERO,
                period: SimDuration(500_000),
                lines: vec![(SimDuration::ZERO, Line::Text("chatty: tick".into()))],
                jitter: false,
            });
        }
        App::Job => {
            p.prelude = vec![
                Program::text(100, "job: processing batch"),
                Program::text(4_900, "job: done"),
            ];
            p.exit = Some((SimDuration::from_secs(5), 0));
        }
        App::Shell => {}
    }
    p
}

/// Interprets the small shell subset tutorials use.
pub fn shell_program(argv: &[String]) -> Program {
    let mut p = Program::idle();
    // sh -c "script" / bash -c "script"
    let script = match argv {
        [sh, flag, script, ..] if is_shell(sh) && flag == "-c" => script.clone(),
        [sh] if is_shell(sh) => {
            // An interactive shell with no terminal reads EOF and exits at once.
            p.exit = Some((SimDuration::from_millis(20), 0));
            return p;
        }
        _ => argv
            .iter()
            .map(|a| {
                if a.contains(' ') {
                    format!("'{a}'")
                } else {
                    a.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(" "),
    };
    // Signals reach PID 1 only if the program installs handlers: a shell loop ignores SIGTERM.
    p.handles_sigterm = !is_shell(&argv[0]);
    run_script(&script, &mut p);
    p
}

fn is_shell(a: &str) -> bool {
    matches!(
        a.rsplit('/').next().unwrap_or(a),
        "sh" | "bash" | "ash" | "dash" | "zsh"
    )
}

/// Splits a script on `;`, `&&` and newlines (ignoring quotes for simplicity of the subset).
fn statements(script: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let chars: Vec<char> = script.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match quote {
            Some(q) if c == q => {
                quote = None;
                cur.push(c);
            }
            Some(_) => cur.push(c),
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                cur.push(c);
            }
            None if c == ';' || c == '\n' => {
                out.push(std::mem::take(&mut cur));
            }
            None if c == '&' && chars.get(i + 1) == Some(&'&') => {
                out.push(std::mem::take(&mut cur));
                i += 1;
            }
            None => cur.push(c),
        }
        i += 1;
    }
    out.push(cur);
    out.into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn unquote(s: &str) -> String {
    let s = s.trim();
    if s.len() >= 2
        && ((s.starts_with('"') && s.ends_with('"')) || (s.starts_with('\'') && s.ends_with('\'')))
    {
        s[1..s.len() - 1].to_string()
    } else {
        s.to_string()
    }
}

fn words(stmt: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    for c in stmt.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => cur.push(c),
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c.is_whitespace() => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            None => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Effect of one simple command: lines it writes and how long it takes.
enum Effect {
    Lines(Vec<Line>),
    Sleep(SimDuration),
    Forever,
    Exit(i64),
    Loop(Vec<Line>, SimDuration),
    Nothing,
}

fn simple(stmt: &str) -> Effect {
    let w = words(stmt);
    let Some(cmd) = w.first() else {
        return Effect::Nothing;
    };
    let rest = &w[1..];
    match cmd.rsplit('/').next().unwrap_or(cmd) {
        "echo" => Effect::Lines(vec![Line::Text(
            rest.iter()
                .filter(|a| *a != "-n" && *a != "-e")
                .cloned()
                .collect::<Vec<_>>()
                .join(" "),
        )]),
        "printf" => Effect::Lines(vec![Line::Text(
            rest.first()
                .map(|s| s.replace("\\n", ""))
                .unwrap_or_default(),
        )]),
        "sleep" => match rest.first().map(|s| s.as_str()) {
            Some("infinity") => Effect::Forever,
            Some(n) => {
                let (num, unit) = n.split_at(
                    n.find(|c: char| !(c.is_ascii_digit() || c == '.'))
                        .unwrap_or(n.len()),
                );
                let v: f64 = num.parse().unwrap_or(1.0);
                let secs = match unit {
                    "m" => v * 60.0,
                    "h" => v * 3600.0,
                    "d" => v * 86400.0,
                    _ => v,
                };
                Effect::Sleep(SimDuration((secs * 1e9) as i64))
            }
            None => Effect::Exit(1),
        },
        "exit" => Effect::Exit(rest.first().and_then(|s| s.parse().ok()).unwrap_or(0)),
        "true" | ":" => Effect::Nothing,
        "false" => Effect::Exit(1),
        "date" => Effect::Lines(vec![Line::Date]),
        "hostname" => Effect::Lines(vec![Line::Text("container".into())]),
        "tail" if rest.iter().any(|a| a == "-f") => Effect::Forever,
        "top" | "nginx" | "httpd" | "cat" if cmd == "top" || rest.is_empty() => Effect::Forever,
        "ping" => {
            let host = rest
                .iter()
                .rfind(|a| !a.starts_with('-'))
                .cloned()
                .unwrap_or_else(|| "localhost".into());
            Effect::Loop(vec![Line::Ping(host)], SimDuration::from_secs(1))
        }
        "yes" => Effect::Loop(
            vec![Line::Text(
                rest.first().cloned().unwrap_or_else(|| "y".into()),
            )],
            SimDuration(100_000),
        ),
        _ => Effect::Lines(vec![Line::Text(format!("/bin/sh: {cmd}: not found"))]),
    }
}

fn run_script(script: &str, p: &mut Program) {
    let stmts = statements(script);
    let mut t = SimDuration::ZERO;
    let mut i = 0;
    while i < stmts.len() {
        let s = &stmts[i];
        let first = words(s).first().cloned().unwrap_or_default();
        if first == "while" || first == "until" {
            // while COND; do BODY; done
            let cond = s.trim_start_matches(first.as_str()).trim().to_string();
            let mut body = Vec::new();
            i += 1;
            while i < stmts.len() && stmts[i] != "done" {
                let st = &stmts[i];
                if let Some(rest) = st.strip_prefix("do ") {
                    body.push(rest.trim().to_string());
                } else if st != "do" {
                    body.push(st.clone());
                }
                i += 1;
            }
            let infinite =
                matches!(unquote(&cond).as_str(), "true" | ":" | "[ 1 ]") && first == "while";
            let mut lines = Vec::new();
            let mut off = SimDuration::ZERO;
            for b in &body {
                match simple(b) {
                    Effect::Lines(ls) => lines.extend(ls.into_iter().map(|l| (off, l))),
                    Effect::Sleep(d) => off = off + d,
                    Effect::Exit(c) => {
                        p.prelude.extend(lines.drain(..).map(|(o, l)| (t + o, l)));
                        p.exit = Some((t + off, c));
                        return;
                    }
                    _ => {}
                }
            }
            if !infinite {
                // A loop whose condition we cannot evaluate runs once.
                p.prelude.extend(lines.into_iter().map(|(o, l)| (t + o, l)));
                t = t + off;
                i += 1;
                continue;
            }
            // A loop with no sleep spins as fast as it can: 10,000 iterations a second here.
            let period = if off.is_zero() {
                SimDuration(100_000)
            } else {
                off
            };
            p.repeat = Some(Loop {
                start: t,
                period,
                lines,
                jitter: false,
            });
            return;
        }
        match simple(s) {
            Effect::Lines(ls) => {
                for l in ls {
                    p.prelude.push((t, l));
                    t = t + SimDuration(1_000);
                }
            }
            Effect::Sleep(d) => t = t + d,
            Effect::Forever => return,
            Effect::Exit(c) => {
                p.exit = Some((t, c));
                return;
            }
            Effect::Loop(lines, period) => {
                if let Some(Line::Ping(host)) = lines.first() {
                    p.prelude.push((
                        t,
                        Line::Text(format!("PING {host} ({}): 56 data bytes", fake_ip(host))),
                    ));
                }
                p.repeat = Some(Loop {
                    start: t,
                    period,
                    lines: lines.into_iter().map(|l| (SimDuration::ZERO, l)).collect(),
                    jitter: false,
                });
                p.handles_sigterm = true;
                return;
            }
            Effect::Nothing => {}
        }
        i += 1;
    }
    p.exit = Some((t, 0));
}

fn fake_ip(host: &str) -> String {
    if host.split('.').count() == 4 && host.split('.').all(|p| p.parse::<u8>().is_ok()) {
        return host.to_string();
    }
    let h = crate::base::rng::stable_hash(host);
    format!(
        "{}.{}.{}.{}",
        93 + (h % 100),
        (h >> 8) % 256,
        (h >> 16) % 256,
        1 + (h >> 24) % 250
    )
}

// ---------------------------------------------------------------------------
// Log lines

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
