//! Programs: what a running container does, from its image and command line, including
//! the small shell interpreter tutorials' commands need.

use super::*;
use crate::base::time::SimDuration;

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
        App::Component => {
            let lines: &[&str] = match info.repo.rsplit('/').next().unwrap_or_default() {
                "coredns" => &[
                    ".:53",
                    "[INFO] plugin/reload: Running configuration SHA512 = 591cf328cccc12bc490481273e738df59329c62c0b729d94e8b61db9961c2fa5f046dd37f1cf888b953814040d180f52594972691cd6ff41be96639138a43908",
                    "CoreDNS-1.11.3",
                    "linux/amd64, go1.21.11, a6338e9",
                ],
                "kube-proxy" => &[
                    "I1122 10:00:01.000000       1 server_linux.go:66] \"Using iptables proxy\"",
                    "I1122 10:00:01.100000       1 server.go:483] \"Version info\" version=\"v1.32.4\"",
                    "I1122 10:00:01.200000       1 config.go:199] \"Starting service config controller\"",
                    "I1122 10:00:01.300000       1 shared_informer.go:320] Caches are synced for service config",
                ],
                "node" => &[
                    "2026-11-22 10:00:01.000 [INFO][9] startup/startup.go 427: Early log level set to info",
                    "2026-11-22 10:00:01.100 [INFO][9] startup/startup.go 475: Using NODENAME environment for node name",
                    "2026-11-22 10:00:02.000 [INFO][9] startup/startup.go 750: CALICO_IPV4POOL_CIDR is 10.3.0.0/16",
                    "bird: BGP: Established",
                ],
                "etcd" => &[
                    "{\"level\":\"info\",\"msg\":\"serving client traffic securely\",\"address\":\"127.0.0.1:2379\"}",
                ],
                _ => &[
                    "I1122 10:00:01.000000       1 flags.go:64] FLAG: --v=\"2\"",
                    "I1122 10:00:02.000000       1 secure_serving.go:213] Serving securely",
                ],
            };
            p.prelude = lines
                .iter()
                .enumerate()
                .map(|(i, l)| Program::text(100 + 50 * i as i64, l))
                .collect();
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
    /// Works for a while, then writes its lines.
    Compute(SimDuration, Vec<Line>),
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
        "perl" => perl(rest),
        _ => Effect::Lines(vec![Line::Text(format!("/bin/sh: {cmd}: not found"))]),
    }
}

/// `perl -Mbignum=bpi -wle 'print bpi(N)'` (seed 002's Job) prints pi to N digits, after
/// computing for a while; other perl one-liners print what they `print` of a literal.
fn perl(args: &[String]) -> Effect {
    let script = args.last().map(String::as_str).unwrap_or("");
    if let Some(n) = script
        .split_once("bpi(")
        .and_then(|(_, r)| r.split_once(')'))
        .and_then(|(n, _)| n.trim().parse::<usize>().ok())
        .filter(|n| (1..=20_000).contains(n))
    {
        // Perl's bignum takes a few seconds for 2,000 digits.
        let work = SimDuration::from_millis(500 + (n as i64 * n as i64) / 1_000);
        return Effect::Compute(work, vec![Line::Text(super::pi::digits(n))]);
    }
    match script.trim().strip_prefix("print ") {
        Some(lit) => Effect::Lines(vec![Line::Text(unquote(lit.trim_end_matches(';')))]),
        None => Effect::Nothing,
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
            Effect::Compute(d, ls) => {
                t = t + d;
                for l in ls {
                    p.prelude.push((t, l));
                    t = t + SimDuration(1_000);
                }
            }
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

pub(super) fn fake_ip(host: &str) -> String {
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
