//! The state directory: crash safety, reload fidelity, and refusing bad or newer state.

mod common;
use common::*;

fn snapshot_of(c: &Sim) -> String {
    snapshot(c, true)
}
use opsconsole_sim::base::time::{SimDuration, SimTime};
use opsconsole_sim::model::*;
use opsconsole_sim::store::{FILE_NAME, Store};
use opsconsole_sim::{self as orch, Cluster as Sim, Command};
use std::process::Stdio;
use std::time::{Duration, Instant};

fn start() -> SimTime {
    SimTime::parse_rfc3339(CLOCK_START).unwrap()
}

/// Saving after every step and reopening gives exactly the cluster in memory, and both
/// continue identically (timers are rebuilt from the objects).
#[test]
fn reopened_cluster_equals_the_one_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, mut c) = Store::open(dir.path(), Duration::from_secs(1), || {
        orch::seed_cluster(7, start())
    })
    .unwrap();
    type Step = Box<dyn Fn(&mut Sim)>;
    let steps: Vec<Step> = vec![
        Box::new(|c| {
            c.apply(Command::CreateService {
                spec: orch::basic_spec("web", "nginx", 4),
            })
            .unwrap();
        }),
        Box::new(|c| c.advance(SimDuration::from_secs(3))),
        Box::new(|c| {
            let n = c.find_node("node139").unwrap().id.clone();
            c.apply(Command::NodeDown { node: n }).unwrap();
        }),
        Box::new(|c| c.advance(SimDuration::from_secs(40))),
        Box::new(|c| {
            let id = c.find_service("web").unwrap().id.clone();
            let mut spec = c.state().get::<Service>(&id).unwrap().spec.clone();
            spec.task_template.container_spec.image =
                orch::infra::images::pin("opsconsole/crash").unwrap();
            c.apply(Command::UpdateService { service: id, spec })
                .unwrap();
        }),
        Box::new(|c| c.advance(SimDuration::from_millis(2_700))),
    ];
    for step in &steps {
        step(&mut c);
        store.save(&mut c).unwrap();
        drop(store);
        let (s2, reopened) =
            Store::open(dir.path(), Duration::from_secs(1), || panic!("exists")).unwrap();
        assert_eq!(snapshot_of(&c), snapshot_of(&reopened));
        store = s2;
        // Both go on the same way.
        let mut a = reopened;
        a.advance(SimDuration::from_secs(30));
        let mut b = Sim::from_state(orch::State::from_parts(
            c.state().meta.clone(),
            c.state().tables().clone(),
        ));
        b.advance(SimDuration::from_secs(30));
        assert_eq!(snapshot_of(&a), snapshot_of(&b));
    }
}

#[test]
fn kill_9_never_leaves_a_half_written_cluster() {
    let c = Cluster::new();
    c.ok("docker node ls");
    let before = c.ok("docker node ls -q").lines().count();
    for i in 0..12u64 {
        let mut child = std::process::Command::new(bin())
            .arg("--state")
            .arg(c.state())
            .args([
                "ctl",
                "sim",
                "node",
                "add",
                &format!("batch{i}x"),
                "--count",
                "400",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(5 + (i * 37) % 250));
        let _ = child.kill();
        let out = child.wait_with_output().unwrap();
        let printed = String::from_utf8_lossy(&out.stdout).lines().count();
        // The next process opens a consistent cluster.
        assert!(c.ok("docker node ls -q").lines().count() >= before);
        let batch_added = c
            .ok(&format!("docker node ls -q -f name=batch{i}x"))
            .lines()
            .count();
        assert!(
            batch_added == 0 || batch_added == 400,
            "half a batch: {batch_added}"
        );
        assert!(
            printed == 0 || batch_added == 400,
            "output was printed for a change that was lost"
        );
    }
    let status = c.ok("sim status");
    assert!(status.contains("objects:"));
}

#[test]
fn corrupt_state_is_reported_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(FILE_NAME);
    std::fs::write(
        &file,
        b"this is not a database, but somebody's notes\n".repeat(200),
    )
    .unwrap();
    let before = std::fs::read(&file).unwrap();
    let c = Cluster { dir };
    let r = c.run("docker node ls");
    assert_eq!(r.code, 1);
    assert!(
        r.err.contains("is corrupt") && r.err.contains("left as it is"),
        "{}",
        r.err
    );
    assert!(
        std::fs::read(c.state().join(FILE_NAME)).unwrap() == before,
        "the corrupt file was modified"
    );
}

#[test]
fn newer_format_is_refused() {
    let c = Cluster::new();
    c.ok("docker node ls");
    {
        let db = redb::Database::open(c.state().join(FILE_NAME)).unwrap();
        let tx = db.begin_write().unwrap();
        {
            let mut t = tx
                .open_table(redb::TableDefinition::<&str, &[u8]>::new("meta"))
                .unwrap();
            t.insert("format", b"99".as_slice()).unwrap();
        }
        tx.commit().unwrap();
    }
    let before = std::fs::read(c.state().join(FILE_NAME)).unwrap();
    let r = c.run("docker service ls");
    assert_eq!(r.code, 1);
    assert!(
        r.err.contains("written by a newer opsconsole (format 99"),
        "{}",
        r.err
    );
    assert!(
        std::fs::read(c.state().join(FILE_NAME)).unwrap() == before,
        "the newer state was modified"
    );
}

#[test]
fn a_busy_state_is_waited_for() {
    let c = Cluster::new();
    c.ok("docker node ls");
    let (store, _cl) = Store::open(c.state(), Duration::from_secs(1), || panic!("exists")).unwrap();
    let t0 = Instant::now();
    let dir = c.state().to_path_buf();
    let h = std::thread::spawn(move || {
        std::process::Command::new(bin())
            .arg("--state")
            .arg(&dir)
            .args(["ctl", "docker", "node", "ls"])
            .output()
            .unwrap()
    });
    std::thread::sleep(Duration::from_millis(600));
    drop(store);
    let out = h.join().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(t0.elapsed() >= Duration::from_millis(500));
}

#[test]
fn a_new_state_directory_holds_seed_000s_swarm() {
    let c = Cluster::new();
    let nodes = c.ok("docker node ls");
    assert_eq!(
        column(&nodes, "ID"),
        [
            "3jcmnzjh0e99ipgshk1ykuovd *",
            "vww7ue2xprzg46bjx7afo4h04",
            "c5klw5ns4adcvumzgiv66xpyj"
        ]
    );
    assert_eq!(
        c.ok("docker service ls"),
        "ID                  NAME                MODE                REPLICAS            IMAGE               PORTS\n"
    );
    let status = c.ok("sim status");
    assert!(
        status.contains("simulated time:   2026-11-22T10:00:00Z"),
        "{status}"
    );
    // Time moves only when something drives it.
    assert!(c.ok("sim status").contains("2026-11-22T10:00:00Z"));
    c.ok("sim advance 5m");
    assert!(c.ok("sim status").contains("2026-11-22T10:05:00Z"));
    let inspect = c.ok("docker node inspect --pretty node139");
    assert!(
        inspect.contains("Hostname:              \tnode139")
            && inspect.contains(" Address:\t\t192.168.31.139"),
        "{inspect}"
    );
}

/// Rows per table of a state file.
fn table_rows(path: &std::path::Path) -> std::collections::BTreeMap<String, u64> {
    use redb::{ReadableDatabase, ReadableTableMetadata, TableHandle};
    let db = redb::Database::open(path).unwrap();
    let rtx = db.begin_read().unwrap();
    rtx.list_tables()
        .unwrap()
        .map(|t| {
            let name = t.name().to_string();
            let def = redb::TableDefinition::<&str, &[u8]>::new(&name);
            let rows = rtx.open_table(def).unwrap().len().unwrap();
            (name, rows)
        })
        .collect()
}

/// A state written by the release before the kinds registry (store format 1) opens with
/// this build: it is migrated once, every object survives, and the cluster prints what that
/// release printed and carries on.
#[test]
fn a_format_1_state_is_migrated_and_nothing_is_lost() {
    let c = Cluster::new();
    let file = c.state().join(FILE_NAME);
    std::fs::copy("tests/data/format1/cluster.redb", &file).unwrap();
    let before = table_rows(&file);
    assert_eq!(before["containers"], 13, "{before:?}");
    assert_eq!(before["tasks"], 14, "{before:?}");

    // What that release printed, command by command.
    let expected = std::fs::read_to_string("tests/data/format1/expected.txt").unwrap();
    let mut cmds: Vec<(String, String)> = Vec::new();
    for line in expected.split_inclusive('\n') {
        match line.strip_prefix("$ ") {
            Some(cmd) => cmds.push((cmd.trim_end().to_string(), String::new())),
            None => cmds.last_mut().unwrap().1.push_str(line),
        }
    }
    assert_eq!(cmds.len(), 13);
    for (cmd, want) in &cmds {
        let (on, cmd) = match cmd.strip_prefix("--on ") {
            Some(rest) => {
                let (node, cmd) = rest.split_once(' ').unwrap();
                (Some(node), cmd)
            }
            None => (None, cmd.as_str()),
        };
        // Recorded with stderr after stdout (a node that is down has no daemon to ask).
        let got = c.run_on(on, cmd);
        assert_eq!(
            got.out + &got.err,
            *want,
            "`{cmd}` prints what it printed before"
        );
    }

    // Every row moved to its new table; the old tables are gone; the format is current.
    let after = table_rows(&file);
    for (old, new) in [
        ("nodes", "swarm.nodes"),
        ("services", "swarm.services"),
        ("tasks", "swarm.tasks"),
        ("containers", "infra.containers"),
        ("volumes", "infra.volumes"),
        ("networks", "swarm.networks"),
    ] {
        assert_eq!(after.get(new), before.get(old), "{old} -> {new}: {after:?}");
        assert!(!after.contains_key(old), "{old} is gone: {after:?}");
    }
    {
        use redb::ReadableDatabase;
        let db = redb::Database::open(&file).unwrap();
        let rtx = db.begin_read().unwrap();
        let meta = rtx
            .open_table(redb::TableDefinition::<&str, &[u8]>::new("meta"))
            .unwrap();
        let format = meta.get("format").unwrap().unwrap().value().to_vec();
        assert_eq!(
            String::from_utf8(format).unwrap(),
            opsconsole_sim::FORMAT_VERSION.to_string()
        );
    }

    // A migrated container still reports to its task: it crashes, the task fails, and its
    // replacement runs.
    c.ok("sim task crash web.3");
    c.ok("sim advance 30s");
    let ps = c.ok("docker service ps web");
    let web3: Vec<&str> = ps.lines().filter(|l| l.contains("web.3")).collect();
    assert!(
        web3[0].contains("Running") && web3[1].contains("Failed"),
        "{ps}"
    );
    assert!(
        c.ok("docker service ls").contains("3/3"),
        "web is whole again"
    );
}
