//! A kubectl command that fails changes nothing: random command lines (mostly wrong in
//! some way: bad names, flags, values, missing objects, conflicts) run in process against
//! the built-in cluster, and every one that exits non-zero must not have had a single
//! change accepted by the API server. Each command acts on one object, so kubectl itself
//! is all-or-nothing for it (unlike `apply -f` of many documents or `drain`, which real
//! kubectl also leaves half done).

use opsconsole_kubectl::{Out, inprocess, run_in_process};
use opsconsole_sim::Cluster;
use opsconsole_sim::base::time::SimTime;
use opsconsole_sim::lang::kubectl::parse;
use proptest::prelude::*;

/// Runs one command line in process; its exit status and how many changes the server
/// accepted while it ran.
fn run(cl: &mut Cluster, line: &[String], stdin: Option<String>) -> (i32, usize, String) {
    let cmd = match parse(line) {
        Ok(c) => c,
        Err(e) => return (e.exit, 0, e.message),
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut out = Out::default();
    out.stdin = stdin;
    let mut writes = 0;
    let code = rt.block_on(async {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<inprocess::Call>(16);
        let client = inprocess::client(tx, "default", 0);
        let run = run_in_process(&client, &cmd, &mut out);
        tokio::pin!(run);
        let mut streams = inprocess::Streams::default();
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            tokio::select! {
                biased;
                code = &mut run => break code,
                Some((req, answer)) = rx.recv() => {
                    let resp = match inprocess::pause_of(&req) {
                        Some(ms) => {
                            cl.advance(opsconsole_sim::base::time::SimDuration::from_millis(ms as i64));
                            inprocess::paused()
                        }
                        None => cl.kube_api(&req),
                    };
                    let changes = !matches!(req.method.as_str(), "GET" | "HEAD")
                        && !req.query.contains("dryRun")
                        && !req.path.ends_with("/exec")
                        && resp.status < 400;
                    if changes {
                        writes += 1;
                    }
                    let _ = answer.send(streams.answer(resp));
                    streams.pump(cl.state());
                }
                () = inprocess::idle(), if !streams.is_empty() => {
                    match cl.next_event_time() {
                        Some(t) => cl.advance_to(t),
                        None => tokio::time::sleep(std::time::Duration::from_millis(5)).await,
                    }
                    streams.pump(cl.state());
                }
                () = tokio::time::sleep_until(deadline) => panic!("`kubectl {}` never ended", line.join(" ")),
            }
        }
    });
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.out),
        String::from_utf8_lossy(&out.err)
    );
    (code, writes, text)
}

fn pick(options: &'static [&'static str]) -> impl Strategy<Value = String> {
    proptest::sample::select(options).prop_map(str::to_string)
}

const NAMES: &[&str] = &[
    "web", "db", "Bad_Name", "x", "nope", "coredns", "-dash", "a.b",
];
const NUMBERS: &[&str] = &["2", "0", "-1", "x", "3", "99999999999"];
const IMAGES: &[&str] = &[
    "nginx",
    "nginx:1.16",
    "busybox",
    "",
    "UPPER:case",
    "nginx@bad",
];
const TYPES: &[&str] = &[
    "deploy", "pods", "svc", "cm", "ns", "frobs", "rs", "nodes", "ds",
];
const NODES: &[&str] = &["192.168.122.13", "192.168.122.14", "node9"];
const LABELS: &[&str] = &["app=web", "app-", "a=b=c", "tier=", "Bad Key=v", "app=x"];
const EXTRA: &[&str] = &[
    "",
    "--frob",
    "-n",
    "--namespace=nope",
    "--overwrite",
    "-o",
    "--dry-run=maybe",
    "--replicas=2",
];

/// One command line (words), and what it reads on stdin.
fn command() -> impl Strategy<Value = (Vec<String>, Option<String>)> {
    let name = || pick(NAMES);
    let line = prop_oneof![
        (name(), pick(IMAGES), pick(NUMBERS))
            .prop_map(|(n, i, r)| format!("create deployment {n} --image={i} --replicas={r}")),
        (name(), pick(NUMBERS)).prop_map(|(n, r)| format!("scale deploy/{n} --replicas={r}")),
        (name(), pick(NUMBERS), pick(NUMBERS)).prop_map(|(n, r, c)| format!(
            "scale deployment {n} --replicas={r} --current-replicas={c}"
        )),
        (pick(TYPES), name(), pick(LABELS)).prop_map(|(t, n, l)| format!("label {t} {n} {l}")),
        (pick(TYPES), name(), pick(LABELS)).prop_map(|(t, n, l)| format!("annotate {t} {n} {l}")),
        (name(), pick(IMAGES)).prop_map(|(n, i)| format!("set image deploy/{n} nginx={i}")),
        (name(), pick(IMAGES)).prop_map(|(n, i)| format!("set image deploy/{n} nosuch={i}")),
        (name(), pick(NUMBERS))
            .prop_map(|(n, r)| format!("rollout undo deploy/{n} --to-revision={r}")),
        (pick(TYPES), name()).prop_map(|(t, n)| format!("delete {t} {n}")),
        name().prop_map(|n| format!("create namespace {n}")),
        (name(), pick(LABELS))
            .prop_map(|(n, l)| format!("create configmap {n} --from-literal={l}")),
        pick(NODES).prop_map(|n| format!("cordon {n}")),
        (
            pick(NODES),
            pick(&[
                "k=v:NoSchedule",
                "k=v",
                "k:Sometimes",
                "k-",
                "gpu=yes:NoExecute"
            ])
        )
            .prop_map(|(n, t)| format!("taint nodes {n} {t}")),
        (
            name(),
            pick(&["Deployment", "ConfigMap", "Frob", "Pod"]),
            pick(IMAGES)
        )
            .prop_map(|(n, k, i)| { format!("apply -f - <<{k}|{n}|{i}") }),
    ];
    (line, pick(EXTRA)).prop_map(|(line, extra)| {
        let (line, doc) = match line.split_once(" <<") {
            Some((l, spec)) => {
                let parts: Vec<&str> = spec.split('|').collect();
                let doc = manifest(parts[0], parts[1], parts[2]);
                (l.to_string(), Some(doc))
            }
            None => (line, None),
        };
        let mut words: Vec<String> = line.split(' ').map(str::to_string).collect();
        if !extra.is_empty() {
            words.push(extra);
        }
        (words, doc)
    })
}

/// A one-object manifest, right or wrong.
fn manifest(kind: &str, name: &str, image: &str) -> String {
    match kind {
        "Deployment" => format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}}}\nspec:\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec:\n      containers: [{{name: nginx, image: \"{image}\"}}]\n"
        ),
        "ConfigMap" => format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}}}\ndata: {{k: \"{image}\"}}\n"
        ),
        "Pod" => format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec: {{containers: [{{name: c, image: \"{image}\"}}]}}\n"
        ),
        other => format!("apiVersion: v1\nkind: {other}\nmetadata: {{name: {name}}}\n"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn a_failed_command_changes_nothing(commands in proptest::collection::vec(command(), 1..12)) {
        let mut cl = opsconsole_sim::seed_cluster(
            7,
            SimTime::parse_rfc3339("2026-11-22T10:00:00Z").unwrap(),
        );
        // Something to act on: a Deployment `web` (one that works).
        let (code, _, text) = run(
            &mut cl,
            &["create", "deployment", "web", "--image=nginx"].map(String::from),
            None,
        );
        prop_assert_eq!(code, 0, "{}", text);
        for (line, stdin) in commands {
            let (code, writes, text) = run(&mut cl, &line, stdin);
            if code != 0 {
                prop_assert_eq!(
                    writes, 0,
                    "`kubectl {}` failed ({}) but the server took {} change(s):\n{}",
                    line.join(" "), code, writes, text
                );
            }
        }
    }
}

/// The count the property relies on sees changes, and a refused one is not one.
#[test]
fn changes_are_counted() {
    let mut cl =
        opsconsole_sim::seed_cluster(7, SimTime::parse_rfc3339("2026-11-22T10:00:00Z").unwrap());
    let w = |s: &str| s.split(' ').map(str::to_string).collect::<Vec<_>>();
    let (code, writes, _) = run(&mut cl, &w("create deployment web --image=nginx"), None);
    assert_eq!((code, writes), (0, 1));
    let (code, writes, _) = run(&mut cl, &w("label deploy web app=x"), None);
    assert_eq!(code, 1, "the label is there already");
    assert_eq!(writes, 0);
    let (code, writes, _) = run(&mut cl, &w("label deploy web app=x --overwrite"), None);
    assert_eq!((code, writes), (0, 1));
    let (code, writes, text) = run(
        &mut cl,
        &w("scale deploy/web --replicas=3 --current-replicas=2"),
        None,
    );
    assert_eq!((code, writes), (1, 0), "{text}");
}
