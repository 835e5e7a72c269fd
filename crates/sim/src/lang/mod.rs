//! The command language: docker-style command lines (and the simulator's `sim` verbs) parsed
//! into typed commands. `opsconsole ctl`, the console's `:` line, key macros and the tests all
//! use this one parser.

pub mod complete;
pub mod compose;
pub mod docker;
pub mod flags;
pub mod kubectl;
pub mod service;
pub mod values;

use crate::base::time::SimDuration;
use crate::model::{Labels, NodeRole, Strategy};
use crate::{DEFAULT_NODE_CPUS, DEFAULT_NODE_MEMORY, NodeTemplate};
pub use docker::DockerCmd;
use docker::{Args, CmdDef, Ctx, commands};
pub use flags::ParseError;
use flags::{Arity, FlagSpec, flag, split_line};

/// The simulator's own verbs.
#[derive(Clone, Debug, PartialEq)]
pub enum SimCmd {
    Advance(SimDuration),
    NodeDown(String),
    NodeUp(String),
    /// `sim node add`: to the swarm, or with `--cluster kubernetes` to the Kubernetes cluster.
    NodeAdd {
        tpl: NodeTemplate,
        kubernetes: bool,
    },
    TaskStop(String),
    /// `sim task crash TASK` or `sim pod crash POD [-c CONTAINER]` (a task or a pod by name).
    TaskCrash {
        task: String,
        code: i64,
        container: Option<String>,
    },
    UpdatePause(String),
    UpdateResume(String),
    Strategy(Strategy),
    Demo,
    Status,
}

/// A parsed command line.
#[derive(Clone, Debug, PartialEq)]
pub enum Cmd {
    Docker(DockerCmd),
    Kubectl(Box<kubectl::KubectlCmd>),
    Sim(SimCmd),
    /// `--help` (or a bare group): the text to print.
    Help(String),
}

impl Cmd {
    /// The service or task whose logs it follows (`service logs -f X`), if it does.
    pub fn follows_logs(&self) -> Option<&str> {
        match self {
            Cmd::Docker(DockerCmd::ServiceLogs(o)) if o.follow => Some(&o.target),
            _ => None,
        }
    }

    /// It reads its standard input (`stack deploy -c -`).
    pub fn reads_stdin(&self) -> bool {
        match self {
            Cmd::Docker(docker::DockerCmd::StackDeploy { files, .. }) => {
                files.iter().any(|f| f == "-")
            }
            Cmd::Kubectl(k) => k.reads_stdin(),
            _ => false,
        }
    }

    pub fn is_mutating(&self) -> bool {
        match self {
            Cmd::Docker(d) => d.is_mutating(),
            Cmd::Kubectl(k) => k.is_mutating(),
            Cmd::Sim(SimCmd::Status) => false,
            Cmd::Sim(_) => true,
            Cmd::Help(_) => false,
        }
    }
}

/// Parses one command line as typed text (shell quoting rules).
pub fn parse_line(line: &str) -> Result<Cmd, ParseError> {
    let words = split_line(line)
        .map_err(|e| ParseError::new(format!("cannot parse command line: {e}"), 1))?;
    parse(&words)
}

/// Parses a command line already split into words: `kubectl ...`, `sim ...`, or docker's
/// (with or without the leading `docker`).
pub fn parse(words: &[String]) -> Result<Cmd, ParseError> {
    if words.first().is_some_and(|w| w == "kubectl") {
        return match kubectl::parse(&words[1..]) {
            Ok(k) => Ok(Cmd::Kubectl(Box::new(k))),
            Err(e) if e.exit == 0 => Ok(Cmd::Help(format!("{}\n", e.message))),
            Err(e) => Err(e),
        };
    }
    let words: &[String] = match words.first().map(|s| s.as_str()) {
        Some("docker") => &words[1..],
        _ => words,
    };
    match words.first().map(|s| s.as_str()) {
        None => Ok(Cmd::Help(top_help())),
        Some("sim") => parse_sim(&words[1..]).map(Cmd::Sim),
        Some("--help") | Some("-h") | Some("help") => Ok(Cmd::Help(top_help())),
        Some(_) => parse_docker(words),
    }
}

fn find(words: &[String]) -> Option<(&'static CmdDef, usize)> {
    let two = words.get(1).map(|w| format!("{} {w}", words[0]));
    for def in commands() {
        if let Some(two) = &two
            && (def.path == two || def.aliases.contains(&two.as_str()))
        {
            return Some((def, 2));
        }
    }
    commands()
        .find(|d| d.path == words[0] || d.aliases.contains(&words[0].as_str()))
        .map(|d| (d, 1))
}

fn parse_docker(words: &[String]) -> Result<Cmd, ParseError> {
    let Some((def, used)) = find(words) else {
        if docker::GROUPS.iter().any(|(g, _)| *g == words[0]) {
            return match words.get(1) {
                None => Ok(Cmd::Help(docker::group_help(&words[0]).unwrap_or_default())),
                Some(h) if h == "--help" || h == "-h" => {
                    Ok(Cmd::Help(docker::group_help(&words[0]).unwrap_or_default()))
                }
                Some(v) => Err(ParseError::new(
                    format!(
                        "docker: '{} {v}' is not a docker command.\nSee 'docker --help'",
                        words[0]
                    ),
                    1,
                )),
            };
        }
        return Err(ParseError::new(
            format!(
                "docker: '{}' is not a docker command.\nSee 'docker --help'",
                words[0]
            ),
            1,
        ));
    };
    let parsed = flags::parse(def.path, def.flags, &words[used..], def.interspersed)?;
    if parsed.help {
        return Ok(Cmd::Help(docker::help_for(def)));
    }
    let n = parsed.args.len();
    let arg_err = |what: String| {
        ParseError::new(
            format!(
                "\"docker {}\" {what}.\nSee 'docker {} --help'.\n\nUsage:  {}\n\n{}",
                def.path, def.path, def.usage, def.short
            ),
            1,
        )
    };
    let plural = |k: usize| if k == 1 { "argument" } else { "arguments" };
    match def.args {
        Args::None if n > 0 => return Err(arg_err("accepts no arguments".into())),
        Args::Exact(k) if n != k => {
            return Err(arg_err(format!("requires exactly {k} {}", plural(k))));
        }
        Args::Min(k) if n < k => {
            return Err(arg_err(format!("requires at least {k} {}", plural(k))));
        }
        Args::Range(a, b) if n < a || n > b => {
            return Err(arg_err(format!("requires at most {b} {}", plural(b))));
        }
        _ => {}
    }
    (def.build)(&Ctx { p: &parsed, def }).map(Cmd::Docker)
}

fn top_help() -> String {
    let mut out = String::from(
        "\nUsage:  docker [OPTIONS] COMMAND\n\nA self-sufficient runtime for containers (simulated by opsconsole)\n\nManagement Commands:\n",
    );
    for (g, d) in docker::GROUPS {
        out.push_str(&format!("  {g:10} {d}\n"));
    }
    out.push_str("\nCommands:\n");
    for def in commands().filter(|d| !d.path.contains(' ')) {
        out.push_str(&format!("  {:10} {}\n", def.path, def.short));
    }
    for (name, short) in [
        ("kill", "Kill one or more running containers"),
        ("logs", "Fetch the logs of a container"),
        ("ps", "List containers"),
        ("restart", "Restart one or more containers"),
        ("rm", "Remove one or more containers"),
        ("start", "Start one or more stopped containers"),
        ("stop", "Stop one or more running containers"),
    ] {
        out.push_str(&format!("  {name:10} {short}\n"));
    }
    out.push_str("\nSimulation (opsconsole):\n  sim        Drive the built-in cluster: advance, node down/up/add, task stop/crash, strategy, demo, status\n");
    out
}

pub const SIM_USAGE: &str = "Usage:
  sim advance DURATION          advance simulated time (e.g. 90s, 5m, 1h30m)
  sim node down NAME            stop a node: a swarm node's engine (Down within 15s), or a
                                Kubernetes node's kubelet (NotReady after 40s, pods evicted
                                after their tolerationSeconds)
  sim node up NAME              start it again (nothing moves back)
  sim node add NAME [--cluster swarm|kubernetes] [--role worker|manager] [--cpus N] [--memory SIZE]
                [--label k=v]... [--count N] [--arch ARCH]
                                add nodes to the swarm (the default) or the Kubernetes cluster
  sim task stop TASK            the task's container exits with code 0
  sim task crash TASK [--exit-code N]   the task's container exits non-zero (default 1)
  sim pod crash POD [-c CONTAINER] [--exit-code N]
                                a pod's container exits non-zero; the kubelet restarts it
                                as its restartPolicy says (POD is NAME or NAMESPACE/NAME)
  sim update pause SERVICE      pause the service's update or rollback in progress
  sim update resume SERVICE     resume it where it stopped
  sim strategy spread|binpack|random    placement strategy for new tasks
  sim demo                      add the demo workloads
  sim status                    simulated clock, seed and settings";

fn sim_err(msg: impl std::fmt::Display) -> ParseError {
    ParseError::new(format!("{msg}\n\n{SIM_USAGE}"), 1)
}

const NODE_ADD_FLAGS: &[FlagSpec] = &[
    flag("role", None, Arity::Value, ""),
    flag("cpus", None, Arity::Value, ""),
    flag("memory", None, Arity::Value, ""),
    flag("label", None, Arity::Multi, ""),
    flag("count", None, Arity::Value, ""),
    flag("arch", None, Arity::Value, ""),
    flag("cluster", None, Arity::Value, ""),
];

fn sim_duration(s: &str) -> Result<SimDuration, String> {
    let d = if let Some(days) = s
        .strip_suffix('d')
        .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
    {
        SimDuration::from_hours(days.parse::<i64>().map_err(|e| e.to_string())? * 24)
    } else {
        values::parse_duration(s)?
    };
    if d.0 < 0 {
        return Err(format!(
            "invalid duration {s:?}: simulated time only moves forward"
        ));
    }
    Ok(d)
}

fn parse_sim(w: &[String]) -> Result<SimCmd, ParseError> {
    let s: Vec<&str> = w.iter().map(|x| x.as_str()).collect();
    let exact = |n: usize, what: &str| -> Result<(), ParseError> {
        if s.len() != n {
            Err(sim_err(format!(
                "\"sim {what}\" takes exactly {} argument(s)",
                n - what.split(' ').count()
            )))
        } else {
            Ok(())
        }
    };
    match s.as_slice() {
        [] | ["--help"] | ["-h"] | ["help"] => Err(ParseError::new(SIM_USAGE, 0)),
        ["advance", rest @ ..] => {
            let [d] = rest else {
                return Err(sim_err(
                    "\"sim advance\" takes one DURATION, e.g. 90s or 5m",
                ));
            };
            sim_duration(d).map(SimCmd::Advance).map_err(sim_err)
        }
        ["node", "down", ..] => {
            exact(3, "node down")?;
            Ok(SimCmd::NodeDown(s[2].to_string()))
        }
        ["update", "pause", ..] => {
            exact(3, "update pause")?;
            Ok(SimCmd::UpdatePause(s[2].to_string()))
        }
        ["update", "resume", ..] => {
            exact(3, "update resume")?;
            Ok(SimCmd::UpdateResume(s[2].to_string()))
        }
        ["node", "up", ..] => {
            exact(3, "node up")?;
            Ok(SimCmd::NodeUp(s[2].to_string()))
        }
        ["node", "add", ..] => {
            let p = flags::parse("sim node add", NODE_ADD_FLAGS, &w[2..], true).map_err(|e| {
                sim_err(
                    e.message
                        .replace("See 'docker sim node add --help'.", "")
                        .trim(),
                )
            })?;
            let [name] = p.args.as_slice() else {
                return Err(sim_err("\"sim node add\" takes one NAME"));
            };
            let role = match p.value("role") {
                Some(r) => values::parse_role(r).map_err(sim_err)?,
                None => NodeRole::Worker,
            };
            let cpus = match p.value("cpus") {
                Some(c) => {
                    values::parse_cpus(c)
                        .map_err(|e| sim_err(format!("invalid --cpus {c:?}: {e}")))?
                        as f64
                        / 1e9
                }
                None => DEFAULT_NODE_CPUS,
            };
            let memory = match p.value("memory") {
                Some(m) => values::parse_memory(m)
                    .map_err(|e| sim_err(format!("invalid --memory {m:?}: {e}")))?,
                None => DEFAULT_NODE_MEMORY,
            };
            let count = match p.value("count") {
                Some(c) => values::parse_uint(c)
                    .ok()
                    .filter(|n| *n >= 1 && *n <= 100_000)
                    .ok_or_else(|| {
                        sim_err(format!("invalid --count {c:?}: a number from 1 to 100000"))
                    })? as u32,
                None => 1,
            };
            let mut labels = Labels::new();
            for l in p.values("label") {
                let (k, v) = values::parse_kv(&l);
                if k.is_empty() {
                    return Err(sim_err(format!(
                        "invalid --label {l:?}: expected key=value"
                    )));
                }
                labels.insert(k, v);
            }
            let arch = p.value("arch").unwrap_or("x86_64").to_string();
            let kubernetes = match p.value("cluster") {
                None | Some("swarm") => false,
                Some("kubernetes" | "k8s") => true,
                Some(other) => {
                    return Err(sim_err(format!(
                        "invalid --cluster {other:?}: swarm or kubernetes"
                    )));
                }
            };
            Ok(SimCmd::NodeAdd {
                tpl: NodeTemplate {
                    name: name.clone(),
                    role,
                    cpus,
                    memory,
                    labels,
                    count,
                    arch,
                },
                kubernetes,
            })
        }
        ["task", "stop", ..] => {
            exact(3, "task stop")?;
            Ok(SimCmd::TaskStop(s[2].to_string()))
        }
        [what @ ("task" | "pod"), "crash", ..] => {
            let verb = format!("sim {what} crash");
            let mut specs = vec![flag("exit-code", None, Arity::Value, "")];
            if *what == "pod" {
                specs.push(flag("container", Some('c'), Arity::Value, ""));
            }
            let p = flags::parse(&verb, &specs, &w[2..], true).map_err(|e| {
                sim_err(
                    e.message
                        .replace(&format!("See 'docker {verb} --help'."), "")
                        .trim(),
                )
            })?;
            let [task] = p.args.as_slice() else {
                return Err(sim_err(format!(
                    "\"{verb}\" takes one {}",
                    what.to_uppercase()
                )));
            };
            let code = match p.value("exit-code") {
                Some(c) => values::parse_int(c)
                    .ok()
                    .filter(|c| *c != 0 && (1..=255).contains(c))
                    .ok_or_else(|| {
                        sim_err(format!("invalid --exit-code {c:?}: a number from 1 to 255"))
                    })?,
                None => 1,
            };
            Ok(SimCmd::TaskCrash {
                task: task.clone(),
                code,
                container: p.value("container").map(str::to_string),
            })
        }
        ["strategy", rest @ ..] => match rest {
            ["spread"] => Ok(SimCmd::Strategy(Strategy::Spread)),
            ["binpack"] => Ok(SimCmd::Strategy(Strategy::Binpack)),
            ["random"] => Ok(SimCmd::Strategy(Strategy::Random)),
            _ => Err(sim_err(format!(
                "unknown strategy {:?}: use spread, binpack or random",
                rest.join(" ")
            ))),
        },
        ["demo"] => Ok(SimCmd::Demo),
        ["status"] => Ok(SimCmd::Status),
        _ => Err(sim_err(format!("unknown sim command {:?}", s.join(" ")))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(line: &str) -> Result<Cmd, ParseError> {
        parse_line(line)
    }

    #[test]
    fn seed_commands_parse() {
        for line in [
            "docker swarm init --advertise-addr 192.168.31.43",
            "docker node ls",
            "docker node update --availability drain node139",
            "docker network create -d overlay nginx_net",
            "docker service create --replicas 1 --network nginx_net --name my_nginx -p 80:80 nginx",
            "docker service ls",
            "docker service inspect --pretty my_nginx",
            "docker service ps my_nginx",
            "docker ps",
            "docker service scale my_nginx=4",
            "docker stop my_nginx.3.rhbj4bcr4t2c3y2f8vyfmbi21",
            "docker ps -a",
            "docker service update --replicas 3 my_nginx",
            "docker service update --image nginx:new my_nginx",
            "docker service rm my_nginx",
            "docker volume create --name testvolume",
            "docker volume ls",
            "docker volume inspect testvolume",
            "docker service create --replicas 3 --mount type=volume,src=testvolume,dst=/zjz --name test_nginx nginx",
            "docker service create --replicas 1 --mount type=bind,target=/usr/share/nginx/html/,source=/opt/web/ --network nginx_net --name zjz_nginx -p 8880:80 nginx",
            "docker stack deploy -c docker-compose.yml deploy_deamon",
            "docker network create --driver overlay --opt encrypted --subnet 10.10.19.0/24 ngx_net",
            "docker network ls",
            "docker service create --replicas 5 --network ngx_net --name my-test -p 80:80 nginx",
            "docker network inspect ngx_net",
            "docker service inspect --format='{{json .Endpoint.VirtualIPs}}' my-test",
            "docker service create --name my-centos --network ngx_net centos",
            "docker service create --replicas 3 --name my-dnsrr-nginx --network ngx_net --endpoint-mode dnsrr nginx",
            "docker logs -f -t --tail 10 my_nginx.1.abc",
        ] {
            assert!(
                matches!(p(line), Ok(Cmd::Docker(_))),
                "{line}: {:?}",
                p(line)
            );
        }
    }

    #[test]
    fn typed_results() {
        let Cmd::Docker(DockerCmd::ServiceScale { pairs, .. }) =
            p("service scale my_nginx=4 web=2").unwrap()
        else {
            panic!()
        };
        assert_eq!(pairs, vec![("my_nginx".into(), 4), ("web".into(), 2)]);
        let Cmd::Docker(DockerCmd::ServiceCreate(c)) =
            p("service create --name t centos sh -c \"while true;do echo tang;sleep 1;done\"")
                .unwrap()
        else {
            panic!()
        };
        assert_eq!(c.flags.image.as_deref(), Some("centos"));
        assert_eq!(
            c.flags.args.as_ref().unwrap()[2],
            "while true;do echo tang;sleep 1;done"
        );
        assert_eq!(
            p("sim advance 90s").unwrap(),
            Cmd::Sim(SimCmd::Advance(SimDuration::from_secs(90)))
        );
        assert_eq!(
            p("sim advance 2d").unwrap(),
            Cmd::Sim(SimCmd::Advance(SimDuration::from_hours(48)))
        );
        let Cmd::Sim(SimCmd::NodeAdd { tpl: t, kubernetes }) =
            p("sim node add w --count 3 --cpus 2 --memory 4g --label zone=east").unwrap()
        else {
            panic!()
        };
        assert_eq!(
            (
                t.count,
                t.cpus,
                t.memory,
                t.labels["zone"].as_str(),
                kubernetes
            ),
            (3, 2.0, 4 << 30, "east", false)
        );
        assert!(matches!(
            p("sim node add k --cluster kubernetes").unwrap(),
            Cmd::Sim(SimCmd::NodeAdd {
                kubernetes: true,
                ..
            })
        ));
        let e = p("sim node add k --cluster mesos").unwrap_err();
        assert!(
            e.message.contains("invalid --cluster \"mesos\""),
            "{}",
            e.message
        );
        assert_eq!(
            p("sim pod crash default/web-1 -c nginx --exit-code 3").unwrap(),
            Cmd::Sim(SimCmd::TaskCrash {
                task: "default/web-1".into(),
                code: 3,
                container: Some("nginx".into())
            })
        );
        assert!(p("sim task crash x -c y").is_err());
    }

    #[test]
    fn docker_errors() {
        let e = p("service scale").unwrap_err();
        assert!(
            e.message
                .starts_with("\"docker service scale\" requires at least 1 argument."),
            "{}",
            e.message
        );
        assert_eq!(e.exit, 1);
        let e = p("service ls extra").unwrap_err();
        assert!(
            e.message
                .starts_with("\"docker service ls\" accepts no arguments.")
        );
        let e = p("service create --replicas abc nginx").unwrap_err();
        assert_eq!(
            e.message,
            "invalid argument \"abc\" for \"--replicas\" flag: strconv.ParseUint: parsing \"abc\": invalid syntax\nSee 'docker service create --help'."
        );
        assert_eq!(e.exit, 125);
        let e = p("service create -p abc nginx").unwrap_err();
        assert!(e.message.starts_with(
            "invalid argument \"abc\" for \"-p, --publish\" flag: invalid containerPort: abc"
        ));
        let e = p("frobnicate").unwrap_err();
        assert_eq!(
            e.message,
            "docker: 'frobnicate' is not a docker command.\nSee 'docker --help'"
        );
        let e = p("service scale my_nginx").unwrap_err();
        assert!(e.message.starts_with("invalid scale specifier 'my_nginx'."));
        assert!(p("sim advance -5s").is_err());
        assert!(p("sim strategy worst").is_err());
        assert!(matches!(p("service --help").unwrap(), Cmd::Help(_)));
        assert!(
            matches!(p("service create --help").unwrap(), Cmd::Help(h) if h.contains("--replicas"))
        );
    }
}
