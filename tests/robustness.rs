//! Bad input never panics, gets a clear error, and changes nothing.

mod common;
use common::*;

fn snapshot_of(c: &Sim) -> String {
    snapshot(c, false)
}
use opsconsole_sim::base::time::{SimDuration, SimTime};
use opsconsole_sim::exec::{self, Env, FastForward, Io};
use opsconsole_sim::lang;
use opsconsole_sim::model::*;
use opsconsole_sim::{self as orch, Cluster as Sim, Command};
use proptest::prelude::{ProptestConfig, any, prop_assert, prop_assert_eq, prop_oneof, proptest};
use proptest::strategy::Strategy as _;

fn fresh() -> Sim {
    let mut c = orch::seed_cluster(3, SimTime::parse_rfc3339(CLOCK_START).unwrap());
    c.apply(Command::CreateService {
        spec: orch::basic_spec("web", "nginx", 3),
    })
    .unwrap();
    c.advance(SimDuration::from_secs(30));
    c
}

/// Runs a command line in memory; returns (exit, stdout, stderr).
fn run_line(c: &mut Sim, words: &[String]) -> (i32, String, String) {
    let cmd = match lang::parse(words) {
        Ok(c) => c,
        Err(e) => return (e.exit, String::new(), e.message),
    };
    let mut out = Vec::new();
    let mut err = Vec::new();
    let getenv = |_: &str| None;
    let mut w = FastForward;
    let mut env = Env {
        on: None,
        cwd: std::env::temp_dir(),
        getenv: &getenv,
        confirm: None,
        wait_limit: SimDuration::from_secs(30),
        stdin: None,
    };
    let code = exec::run(
        c,
        cmd,
        &mut env,
        &mut Io {
            out: &mut out,
            err: &mut err,
        },
        &mut w,
    );
    (
        code,
        String::from_utf8_lossy(&out).into(),
        String::from_utf8_lossy(&err).into(),
    )
}

const WORDS: &[&str] = &[
    "docker",
    "service",
    "node",
    "volume",
    "network",
    "stack",
    "swarm",
    "sim",
    "create",
    "update",
    "ls",
    "ps",
    "inspect",
    "rm",
    "scale",
    "rollback",
    "logs",
    "deploy",
    "advance",
    "down",
    "up",
    "add",
    "stop",
    "kill",
    "demote",
    "promote",
    "join-token",
    "worker",
    "manager",
    "--replicas",
    "--name",
    "-p",
    "--mount",
    "--constraint",
    "--mode",
    "global",
    "replicated",
    "--image",
    "--force",
    "--detach",
    "-d",
    "-q",
    "--pretty",
    "--format",
    "{{.ID}}",
    "{{json .Spec}}",
    "-f",
    "--filter",
    "name=web",
    "desired-state=running",
    "--availability",
    "drain",
    "active",
    "pause",
    "--label-add",
    "a=b",
    "--label-rm",
    "a",
    "--reserve-cpu",
    "--reserve-memory",
    "--limit-memory",
    "512m",
    "0.5",
    "abc",
    "-1",
    "0",
    "3",
    "99999999999999999999",
    "web",
    "web=2",
    "web=x",
    "=",
    "node139",
    "node188",
    "manager43",
    "self",
    "nginx",
    "nginx:1.16-alpine",
    "busybox",
    "nosuch",
    "Bad Image",
    "type=volume,src=v,dst=/data",
    "type=bind,src=rel,dst=/x",
    "dst=/x",
    "80:80",
    "8080",
    "abc:def",
    "published=1,target=2,mode=host",
    "node.role==manager",
    "node.role=manager",
    "node.labels.x!=y",
    "--update-delay",
    "5x",
    "10s",
    "--update-failure-action",
    "rollback",
    "explode",
    "--restart-condition",
    "none",
    "--placement-pref",
    "spread=node.labels.zone",
    "bogus",
    "--",
    "-",
    "--tail",
    "5",
    "--since",
    "1m",
    "-t",
    "--no-trunc",
    "--help",
    "-h",
    "overlay",
    "--subnet",
    "10.9.0.0/24",
    "999.1.1.1/99",
    "--opt",
    "encrypted",
    "--count",
    "3",
    "--memory",
    "1g",
    "--cpus",
    "2",
    "strategy",
    "binpack",
    "random",
    "task",
    "crash",
    "web.1",
    "\u{1F600}",
    "",
    "--rollback",
    "--args",
    "sleep 10",
    "--entrypoint",
    "'unterminated",
    "--endpoint-mode",
    "dnsrr",
    "-e",
    "A=1",
    "--env-rm",
    "A",
    "--publish-rm",
    "80",
    "--network",
    "ingress",
    "--replicas-max-per-node",
    "2",
    "--max-concurrent",
    "replicated-job",
    "global-job",
    "status",
    "demo",
];

fn word() -> impl proptest::strategy::Strategy<Value = String> {
    prop_oneof![
        8 => proptest::sample::select(WORDS).prop_map(|s| s.to_string()),
        1 => "[ -~]{0,12}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// Random command lines never panic the parser or the executor; whatever they do, the
    /// cluster stays loadable and consistent.
    #[test]
    fn random_command_lines_never_panic(lines in proptest::collection::vec(proptest::collection::vec(word(), 0..9), 1..6)) {
        let mut c = fresh();
        for words in &lines {
            let before = snapshot_of(&c);
            let (code, _out, err) = run_line(&mut c, words);
            if code != 0 {
                prop_assert!(!err.trim().is_empty(), "failure without a message for {words:?}");
            }
            // Parse errors and refused commands change nothing.
            if lang::parse(words).is_err() {
                prop_assert_eq!(before, snapshot_of(&c));
            }
        }
        // The state survives a save/load round trip.
        let st = orch::State::from_parts(c.state().meta.clone(), c.state().tables().clone());
        prop_assert_eq!(snapshot_of(&c), snapshot_of(&Sim::from_state(st)));
    }

    /// The API is transactional: a refused command leaves no trace.
    #[test]
    fn refused_commands_change_nothing(ops in proptest::collection::vec((0u8..10, 0u8..8, any::<bool>()), 1..30)) {
        let mut c = fresh();
        for (op, arg, flag) in ops {
            let svc = c.find_service("web").map(|s| s.id.clone()).unwrap_or_else(|| "nosuch".into());
            let node = ["nosuch", "manager43", "node139", "node188"][(arg % 4) as usize];
            let node_id = c.find_node(node).map(|n| n.id.clone()).unwrap_or_else(|| node.into());
            let cmd = match op {
                0 => Command::CreateService { spec: orch::basic_spec(if flag { "web" } else { "bad.name" }, "nginx", arg as u64) },
                1 => {
                    let mut spec = c.state().get::<Service>(&svc).map(|s| s.spec.clone()).unwrap_or_else(|| orch::basic_spec("web", "nginx", 1));
                    if flag { spec.mode = ServiceMode::Global {}; } else { spec.task_template.placement = Some(Placement { constraints: vec!["node.x=y".into()], ..Default::default() }); }
                    Command::UpdateService { service: svc.clone(), spec }
                }
                2 => Command::RollbackService { service: svc.clone() },
                3 => Command::RemoveNode { node: node_id, force: flag },
                4 => Command::RemoveVolume { node: node_id, name: "nope".into(), force: false },
                5 => Command::RemoveNetwork { network: if flag { "ingress".into() } else { "bridge".into() } },
                6 => Command::NodeUp { node: node_id },
                7 => Command::TaskExit { task: "nosuch".into(), code: 1 },
                8 => Command::KillContainer { container: "nosuch".into(), signal: "KILL".into() },
                _ => Command::UpdateNode { node: node_id.clone(), spec: NodeSpec { name: String::new(), labels: Labels::new(), role: NodeRole::Worker, availability: Availability::Active } },
            };
            let before = snapshot_of(&c);
            c.take_events();
            if c.apply(cmd).is_err() {
                prop_assert_eq!(&before, &snapshot_of(&c));
                prop_assert!(c.take_events().is_empty());
            }
            c.advance(SimDuration::from_secs(2));
        }
    }
}

/// Each bad value gets docker's message (or a clear one) and the cluster is untouched.
#[test]
fn bad_values_are_refused_with_clear_errors() {
    let c = Cluster::new();
    c.ok("docker service create --name web -p 8000:80 nginx");
    let state = || {
        (
            c.ok("docker service ls"),
            c.ok("docker network ls"),
            c.ok("docker volume ls"),
            c.ok("sim status"),
        )
    };
    let before = state();
    let cases: &[(&str, i32, &str)] = &[
        (
            "docker service create --replicas abc nginx",
            125,
            "invalid argument \"abc\" for \"--replicas\" flag: strconv.ParseUint: parsing \"abc\": invalid syntax",
        ),
        (
            "docker service create --bogus nginx",
            125,
            "unknown flag: --bogus",
        ),
        (
            "docker service create --constraint node.role=manager nginx",
            1,
            "Error response from daemon: rpc error: code = InvalidArgument desc = constraint expected one operator from ==, !=",
        ),
        (
            "docker service create --mount type=volume,src=x nginx",
            125,
            "invalid argument \"type=volume,src=x\" for \"--mount\" flag: target is required",
        ),
        (
            "docker service create --mount type=bind,src=rel,dst=/x nginx",
            1,
            "invalid bind mount source, must be an absolute path: rel",
        ),
        (
            "docker service create -p 80:abc nginx",
            125,
            "invalid argument \"80:abc\" for \"-p, --publish\" flag: invalid containerPort: abc",
        ),
        (
            "docker service create --update-delay 5x nginx",
            125,
            "time: unknown unit \"x\" in duration \"5x\"",
        ),
        (
            "docker service create --reserve-memory lots nginx",
            125,
            "invalid size: 'lots'",
        ),
        (
            "docker service create --reserve-cpu two nginx",
            125,
            "failed to parse two as a rational number",
        ),
        (
            "docker service create --name web nginx",
            1,
            "name conflicts with an existing object: service web already exists",
        ),
        (
            "docker service create --name bad.name nginx",
            1,
            "name must be valid as a DNS name component",
        ),
        (
            "docker service create -p 80:80 --endpoint-mode dnsrr nginx",
            1,
            "port published with ingress mode can't be used with dnsrr mode",
        ),
        (
            "docker service create --mode weird nginx",
            1,
            "Unknown mode: weird",
        ),
        (
            "docker service create --network nosuchnet nginx",
            1,
            "network nosuchnet not found",
        ),
        (
            "docker service scale web=many",
            1,
            "invalid replicas value many",
        ),
        (
            "docker service scale nosuch=2",
            1,
            "nosuch: Error: No such service: nosuch",
        ),
        (
            "docker service update --image nginx --mode global web",
            125,
            "unknown flag: --mode",
        ),
        (
            "docker service rollback web",
            1,
            "does not have a previous spec",
        ),
        (
            "docker node update --availability sometimes node139",
            125,
            "invalid availability \"sometimes\"",
        ),
        (
            "docker node update --label-rm nolabel node139",
            1,
            "key nolabel doesn't exist in node's labels",
        ),
        (
            "docker node demote manager43",
            1,
            "attempting to demote the last manager of the swarm",
        ),
        (
            "docker node rm node139",
            1,
            "is not down and can't be removed",
        ),
        (
            "docker network create -d overlay --subnet 10.0.0.0/99 n1",
            1,
            "invalid CIDR address: 10.0.0.0/99",
        ),
        (
            "docker network rm ingress",
            1,
            "ingress network cannot be removed because service",
        ),
        (
            "docker volume rm nothere",
            1,
            "Error response from daemon: get nothere: no such volume",
        ),
        (
            "docker stack deploy -c /nonexistent/compose.yml s",
            1,
            "open /nonexistent/compose.yml: no such file or directory",
        ),
        (
            "docker stop nosuch",
            1,
            "Error response from daemon: No such container: nosuch",
        ),
        (
            "docker service ls --filter bogus=1",
            1,
            "Invalid filter 'bogus'",
        ),
        (
            "docker frobnicate",
            1,
            "docker: 'frobnicate' is not a docker command.",
        ),
        ("sim advance -5m", 1, "simulated time only moves forward"),
        ("sim advance soon", 1, "time: invalid duration \"soon\""),
        ("sim node add w --count 0", 1, "invalid --count \"0\""),
        (
            "sim node add w --memory huge",
            1,
            "invalid --memory \"huge\"",
        ),
        ("sim strategy worst", 1, "unknown strategy \"worst\""),
        ("sim node down nosuch", 1, "no such node: nosuch"),
        ("sim task crash nosuch", 1, "no such task: nosuch"),
        ("sim pod crash nosuch -c x", 1, "and no pod of that name"),
        (
            "sim node add k --cluster mesos",
            1,
            "invalid --cluster \"mesos\"",
        ),
        ("sim node up node139", 1, "node node139 is already up"),
    ];
    for (line, code, msg) in cases {
        let r = c.run(line);
        assert_eq!(r.code, *code, "{line}: {}", r.err);
        assert!(
            r.err.contains(msg),
            "{line}:\nexpected {msg:?}\ngot {:?}",
            r.err
        );
        assert_eq!(state(), before, "{line} changed the cluster");
    }
}

#[test]
fn bad_compose_files_name_file_and_line() {
    let c = Cluster::new();
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("stack.yml");
    std::fs::write(
        &f,
        "version: \"3\"\nservices:\n  web:\n    image: nginx\n    deploy:\n      replicas: lots\n",
    )
    .unwrap();
    let r = c.run(&format!("docker stack deploy -c {} s", f.display()));
    assert_eq!(r.code, 1);
    assert!(
        r.err.contains("stack.yml") && r.err.contains("line 6"),
        "{}",
        r.err
    );
    std::fs::write(&f, "version: \"3\"\nservices:\n  web:\n    image: nginx\n  api:\n    image: nginx\n    networks: [nothere]\n").unwrap();
    let r = c.run(&format!("docker stack deploy -c {} s", f.display()));
    assert!(r.err.contains("undefined network nothere"), "{}", r.err);
    assert_eq!(
        column(&c.ok("docker service ls"), "NAME"),
        Vec::<String>::new(),
        "nothing deployed"
    );
    // A stack whose second service is refused deploys nothing.
    std::fs::write(&f, "version: \"3\"\nservices:\n  a:\n    image: nginx\n    ports: [\"80:80\"]\n  b:\n    image: nginx\n    ports: [\"80:80\"]\n").unwrap();
    let r = c.run(&format!("docker stack deploy -c {} s", f.display()));
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(r.err.contains("port '80' is already in use"), "{}", r.err);
    assert_eq!(
        column(&c.ok("docker service ls"), "NAME"),
        Vec::<String>::new()
    );
    assert!(!c.ok("docker network ls").contains("s_default"));
}

#[test]
fn workers_and_dead_daemons() {
    let c = Cluster::new();
    let r = c.run_on(Some("node188"), "docker service ls");
    assert!(
        r.err
            .starts_with("Error response from daemon: This node is not a swarm manager."),
        "{}",
        r.err
    );
    c.ok("sim node down node188");
    let r = c.run_on(Some("node188"), "docker ps");
    assert_eq!(
        r.err.trim(),
        "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"
    );
    // Losing the only manager loses the leader: swarm commands fail until it returns.
    c.ok("sim node down manager43");
    c.ok("sim advance 30s");
    let r = c.run_on(Some("node139"), "docker node ls");
    assert!(r.err.contains("not a swarm manager"));
    c.ok("sim node up manager43");
    assert!(c.ok("docker node ls").contains("Leader"));
}
