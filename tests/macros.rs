//! Key macros as end-to-end tests: every shipped demo macro plays headless on a fresh
//! built-in cluster with its `expect` lines checked; the committed screenshots are exactly
//! what the code renders now; `--headless` reports failures with the failing line; and a
//! kiosk console survives a long random session without one mutating call reaching the
//! cluster.

mod common;

use common::bin;
use futures::StreamExt;
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use opsconsole::app::keys::{Code, Key};
use opsconsole::app::{Action, App, Kiosk};
use opsconsole::backend::*;
use opsconsole::console::Runner;
use opsconsole::console::headless::{self as play, Clock};
use opsconsole::shots;
use opsconsole_sim::base::rng::Rng;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

#[test]
fn committed_screenshots_are_what_the_code_renders() {
    // This plays every shipped macro (their expect lines included).
    let files = shots::render_all().unwrap_or_else(|e| panic!("a demo macro failed: {e}"));
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("screenshots");
    let mut names: Vec<String> = Vec::new();
    for (name, bytes) in &files {
        let committed = std::fs::read(dir.join(name)).unwrap_or_default();
        assert!(
            committed == *bytes,
            "screenshots/{name} is not what the code renders now: run `cargo run --release -- screenshots` and commit the result"
        );
        names.push(name.clone());
    }
    for pane in ["nodes", "services", "tasks", "logs", "volumes", "rollouts"] {
        assert!(
            names.contains(&format!("{pane}.svg")),
            "no picture of the {pane} pane"
        );
    }
    for theme in ["dark", "light", "high-contrast"] {
        assert!(names.contains(&format!("services-{theme}.png")));
    }
    // Nothing stale is left behind either.
    for e in std::fs::read_dir(&dir).unwrap() {
        let n = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            names.contains(&n),
            "screenshots/{n} is not made by any macro any more"
        );
    }
}

fn headless(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(bin())
        .args(["--headless", "--size", "100x30"])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

#[test]
fn headless_runs_pass_fail_and_write_the_screen() {
    let d = tempfile::tempdir().unwrap();
    let ok = d.path().join("ok.macro");
    std::fs::write(
        &ok,
        "type \":service create --name web --replicas 2 nginx\"\nkey enter\nkey 2\nwait-for \"2/2\" 2m\nexpect \"nginx:latest\"\nexpect-not \"Error\"\n",
    )
    .unwrap();
    let screen = d.path().join("screen.txt");
    let (code, _, err) = headless(&[
        "--play",
        ok.to_str().unwrap(),
        "--screen",
        screen.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&screen).unwrap();
    assert!(text.contains("web") && text.contains("2/2"), "{text}");
    assert_eq!(text.lines().count(), 30);

    // A failing expect: non-zero, and the line that failed.
    let bad = d.path().join("bad.macro");
    std::fs::write(
        &bad,
        "key 2\n# nothing runs yet\nexpect \"no-such-service\"\n",
    )
    .unwrap();
    let (code, _, err) = headless(&["--play", bad.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        err.contains("bad.macro:3: expect \"no-such-service\": not on screen"),
        "{err}"
    );

    // A malformed macro is refused before anything plays.
    let broken = d.path().join("broken.macro");
    std::fs::write(&broken, "key 2\nkey hyper-x\n").unwrap();
    let (code, _, err) = headless(&["--play", broken.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("broken.macro:2: unknown key \"hyper-x\""),
        "{err}"
    );
}

/// Counts what crosses the backend boundary below the read-only wrapper.
struct Counting {
    inner: Arc<dyn Backend>,
    mutating: Arc<AtomicUsize>,
    calls: Arc<AtomicUsize>,
}

impl Backend for Counting {
    fn info(&self) -> BackendInfo {
        self.inner.info()
    }
    fn watch(&self) -> BoxStream<'static, WatchEvent> {
        self.inner.watch()
    }
    fn logs(&self, req: LogRequest) -> BoxStream<'static, LogEvent> {
        self.inner.logs(req)
    }
    fn run(
        &self,
        inv: Invocation,
        opts: RunOpts,
    ) -> BoxFuture<'static, Result<CmdOutput, BackendError>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if inv.is_mutating() {
            self.mutating.fetch_add(1, Ordering::SeqCst);
        }
        self.inner.run(inv, opts)
    }
    fn inspect(&self, r: ObjRef) -> BoxFuture<'static, Result<serde_json::Value, BackendError>> {
        self.inner.inspect(r)
    }
    fn plan(&self, inv: Invocation) -> BoxFuture<'static, Result<Plan, BackendError>> {
        if inv.is_mutating() {
            self.mutating.fetch_add(1, Ordering::SeqCst);
        }
        self.inner.plan(inv)
    }
    fn rescoped(&self, namespace: Option<&str>) -> Option<Arc<dyn Backend>> {
        Some(Arc::new(Counting {
            inner: self.inner.rescoped(namespace)?,
            mutating: self.mutating.clone(),
            calls: self.calls.clone(),
        }))
    }
}

/// Everything the cluster shows, for comparing before and after.
async fn snapshot(b: &dyn Backend) -> String {
    let mut w = b.watch();
    match w.next().await {
        Some(WatchEvent::Snapshot(v, _)) => serde_json::to_string(&v).unwrap(),
        other => panic!("no snapshot: {other:?}"),
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_kiosk_never_changes_the_cluster() {
    let d = tempfile::tempdir().unwrap();
    let cluster: Arc<dyn Backend> = Arc::new(shots::fresh_cluster(d.path()));
    // Something to look at (and to try to change): services, tasks, logs, a volume.
    let setup = [
        "network create -d overlay demo_net",
        "service create --name web --replicas 3 --network demo_net -p 8080:80 nginx",
        "service create --name ticker centos sh -c \"while true;do echo tang;sleep 1;done\"",
        "volume create data",
        "sim advance 2m",
    ];
    kiosk_storm(cluster, &setup, 100_000, true).await;
}

/// The same on Kubernetes: the read-only wrapper is the boundary whatever the backend.
#[tokio::test(flavor = "current_thread")]
async fn a_kubernetes_kiosk_never_changes_the_cluster() {
    let d = tempfile::tempdir().unwrap();
    let b = shots::backend_for("macros/kube-seed002.macro", d.path())
        .await
        .unwrap();
    assert_eq!(b.info().kind, BackendKind::Kubernetes);
    // Workloads of every kind the panes act on, a node to cordon or drain, pods with logs.
    let setup = [
        "kubectl create deployment web --image=nginx --replicas=3",
        "kubectl apply -f macros/seed002-daemonset-nginx.yml",
        "kubectl create job once --image=busybox -- echo done",
        "kubectl run ticker --image=busybox -- sh -c \"while true; do echo tick; sleep 1; done\"",
        "sim advance 2m",
    ];
    // What a kiosk could change: which objects there are, what each workload asks for, which
    // nodes take pods. (Pod statuses and Job progress move with simulated time on their own.)
    kiosk_storm(b, &setup, 30_000, false).await;
}

/// Which objects a cluster has and what a kiosk could change of them.
async fn shape(b: &dyn Backend) -> String {
    let mut w = b.watch();
    let views = loop {
        match w.next().await {
            Some(WatchEvent::Snapshot(v, _)) => break v,
            Some(_) => continue,
            None => panic!("no snapshot"),
        }
    };
    let mut lines: Vec<String> = views
        .iter()
        .map(|v| match v {
            view::View::Host(h) => format!("host {} {:?}", h.hostname(), h.availability),
            view::View::Workload(w) => format!(
                "{:?} {:?}/{} desired {} image {}",
                w.c.r.kind,
                w.c.r.ns,
                w.name(),
                w.desired,
                w.image
            ),
            view::View::Replica(p) if p.c.r.kind == view::ResKind::Pod => {
                format!("pod {:?}/{} uid {}", p.c.r.ns, p.name(), p.c.r.uid)
            }
            _ => String::new(),
        })
        .collect();
    lines.sort();
    lines.join("\n")
}

/// Plays every shipped macro and `keys` random keys, clicks and resizes on a kiosk over
/// `cluster` (set up with `setup` first): no mutating call may cross the read-only wrapper,
/// and the cluster must be as it was (`whole`: every object exactly; else its [`shape`]).
async fn kiosk_storm(cluster: Arc<dyn Backend>, setup: &[&str], keys: u32, whole: bool) {
    let state = |b: Arc<dyn Backend>| async move {
        if whole {
            snapshot(&*b).await
        } else {
            shape(&*b).await
        }
    };
    for line in setup {
        let out = cluster
            .run(Invocation::parse_line(line).unwrap(), RunOpts::default())
            .await
            .unwrap();
        assert_eq!(out.code, 0, "{line}: {out:?}");
    }
    let before = state(cluster.clone()).await;

    let mutating = Arc::new(AtomicUsize::new(0));
    let calls = Arc::new(AtomicUsize::new(0));
    let counting = Counting {
        inner: cluster.clone(),
        mutating: mutating.clone(),
        calls: calls.clone(),
    };
    let backend: Arc<dyn Backend> = Arc::new(ReadOnly::new(Box::new(counting)));
    let mut config = shots::config("dark");
    config.set_kiosk(Kiosk {
        exit: Kiosk::default_exit(),
        rotate: None,
    });
    let term = Terminal::new(TestBackend::new(100, 30)).unwrap();
    let mut runner = Runner::new(App::new(config, backend.info()), backend, term);
    runner.sync().await.unwrap();

    // Every shipped macro, played on the kiosk: they try to scale, update, drain...
    for (file, text) in shots::MACROS {
        let m = opsconsole::macros::parse(file, text).unwrap();
        // Their expectations are about a console that may change things; here only playing
        // them to the end matters.
        let _ = play::headless(&mut runner, m, Clock::Simulated).await;
        assert!(!runner.app.quit, "{file} made the kiosk quit");
    }

    // A long random session: keys (the exit chord's first key never followed by its second),
    // mouse events and resizes.
    let mut rng = Rng::new(0x5eed);
    let named = [
        Code::Enter,
        Code::Esc,
        Code::Tab,
        Code::BackTab,
        Code::Backspace,
        Code::Delete,
        Code::Up,
        Code::Down,
        Code::Left,
        Code::Right,
        Code::Home,
        Code::End,
        Code::PageUp,
        Code::PageDown,
        Code::F(1),
        Code::F(5),
    ];
    let chars: Vec<char> =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:/?!@ +-=._\\"
            .chars()
            .collect();
    let exit = Kiosk::default_exit();
    let mut last: Option<Key> = None;
    let mut panes = std::collections::BTreeSet::new();
    for i in 0..keys {
        let r = rng.below(100);
        let a = if r < 80 {
            let mut k = if rng.below(4) == 0 {
                Key::plain(named[rng.below(named.len() as u64) as usize])
            } else {
                Key::ch(chars[rng.below(chars.len() as u64) as usize])
            };
            k.ctrl = rng.below(6) == 0;
            k.alt = rng.below(12) == 0;
            if let Code::Char(c) = k.code
                && k.ctrl
            {
                k.code = Code::Char(c.to_ascii_lowercase());
            }
            // Never the whole exit chord.
            if last == Some(exit[0]) && k == exit[1] {
                k = Key::ch('j');
            }
            last = Some(k);
            Action::Key(k)
        } else if r < 95 {
            let kind = match rng.below(5) {
                0 => crossterm::event::MouseEventKind::ScrollDown,
                1 => crossterm::event::MouseEventKind::ScrollUp,
                2 => crossterm::event::MouseEventKind::Down(crossterm::event::MouseButton::Left),
                3 => crossterm::event::MouseEventKind::Up(crossterm::event::MouseButton::Left),
                _ => crossterm::event::MouseEventKind::Moved,
            };
            Action::Mouse(crossterm::event::MouseEvent {
                kind,
                column: rng.below(110) as u16,
                row: rng.below(35) as u16,
                modifiers: crossterm::event::KeyModifiers::NONE,
            })
        } else {
            let (w, h) = (40 + rng.below(160) as u16, 10 + rng.below(50) as u16);
            runner.terminal.backend_mut().resize(w, h);
            Action::Resize(w, h)
        };
        runner.dispatch(a);
        if i % 500 == 0 {
            runner.sync().await.unwrap();
        }
        assert!(!runner.app.quit, "key {i} made the kiosk quit");
        panes.insert(format!("{:?}", runner.app.pane));
    }
    runner.sync().await.unwrap();

    assert_eq!(
        mutating.load(Ordering::SeqCst),
        0,
        "a mutating call reached the cluster"
    );
    assert_eq!(panes.len(), 6, "the session did not get around: {panes:?}");
    assert!(calls.load(Ordering::SeqCst) > 0);
    assert_eq!(state(cluster.clone()).await, before, "the cluster changed");

    // The exit chord leaves; Ctrl-C, Ctrl-Z and Ctrl-\ do not.
    for k in [
        Key::ctrl('c'),
        Key::ctrl('z'),
        Key::ctrl('\\'),
        Key::ch('q'),
    ] {
        runner.dispatch(Action::Key(Key::plain(Code::Esc)));
        runner.dispatch(Action::Key(k));
        assert!(!runner.app.quit, "{k} left the kiosk");
    }
    runner.dispatch(Action::Key(exit[0]));
    runner.dispatch(Action::Key(exit[1]));
    assert!(runner.app.quit);
}
