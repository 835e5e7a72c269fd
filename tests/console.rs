//! The console without a terminal: snapshots of every pane (ratatui's TestBackend + insta)
//! from a deterministic cluster, the App driven by Actions against the real built-in
//! backend, and a storm of random input that must never panic.

use futures::StreamExt;
use opsconsole::app::keys::{Code, Key};
use opsconsole::app::{Action, App, Effect};
use opsconsole::backend::builtin::{Builtin, Hosting, Options};
use opsconsole::backend::{Backend, Invocation, RunOpts};
use opsconsole::console::Runner;
use opsconsole::fixtures;
use opsconsole::ui;
use opsconsole_sim::base::time::SimTime;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::sync::Arc;
use std::time::Duration;

/// The Kubernetes panes: snapshots, actions, jumps and namespaces.
#[path = "console/kube.rs"]
mod kube;

fn text(buf: &ratatui::buffer::Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        for x in 0..buf.area.width {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn screen(app: &mut App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| {
        ui::draw(f, app);
    })
    .unwrap();
    text(t.backend().buffer())
}

fn key(app: &mut App, k: Key) -> Vec<Effect> {
    app.update(Action::Key(k))
}

fn typed(app: &mut App, s: &str) -> Vec<Effect> {
    let mut fx = Vec::new();
    for c in s.chars() {
        fx.extend(key(app, Key::ch(c)));
    }
    fx
}

fn enter() -> Key {
    Key::plain(Code::Enter)
}

fn esc() -> Key {
    Key::plain(Code::Esc)
}

// ---------------------------------------------------------------------------
// Snapshots

#[test]
fn every_pane_at_120x30() {
    let cl = fixtures::demo_cluster();
    let mut app = fixtures::app_for(&cl);
    for (k, name) in [
        ('1', "nodes"),
        ('2', "services"),
        ('3', "tasks"),
        ('4', "logs_empty"),
        ('5', "volumes"),
        ('6', "rollouts"),
    ] {
        typed(&mut app, &k.to_string());
        insta::assert_snapshot!(name, screen(&mut app, 120, 30));
    }
    // The rollouts pane on the paused update: status, progress and the spec diff.
    typed(&mut app, "G");
    insta::assert_snapshot!("rollouts_paused_update", screen(&mut app, 120, 30));
}

#[test]
fn panes_at_80x24_and_overlays() {
    let cl = fixtures::demo_cluster();
    let mut app = fixtures::app_for(&cl);
    typed(&mut app, "3");
    insta::assert_snapshot!("tasks_80x24", screen(&mut app, 80, 24));
    // The pending task's reason, in full at the bottom of the table.
    insta::assert_snapshot!("tasks_80x24_pending_reason", screen(&mut app, 80, 24));
    typed(&mut app, "2");
    insta::assert_snapshot!("services_80x24", screen(&mut app, 80, 24));
    typed(&mut app, "1");
    insta::assert_snapshot!("nodes_80x24", screen(&mut app, 80, 24));
    typed(&mut app, "?");
    insta::assert_snapshot!("help_on_nodes", screen(&mut app, 100, 40));
    key(&mut app, esc());
    // Scale prompt, filled with the current replicas.
    typed(&mut app, "2j");
    typed(&mut app, "s");
    insta::assert_snapshot!("scale_prompt", screen(&mut app, 80, 24));
    key(&mut app, esc());
    // Remove: a confirmation whose default is Cancel.
    typed(&mut app, "D");
    insta::assert_snapshot!("remove_confirm", screen(&mut app, 80, 24));
    key(&mut app, esc());
    // A small terminal gets a message, not a panic.
    insta::assert_snapshot!("too_small", screen(&mut app, 30, 8));
}

// ---------------------------------------------------------------------------
// Actions without a backend: what the App asks for

fn run_words(fx: &[Effect]) -> Vec<Vec<String>> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Run { inv, .. } => Some(inv.words.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn the_command_line_runs_the_ctl_language_and_navigates() {
    let cl = fixtures::demo_cluster();
    let mut app = fixtures::app_for(&cl);
    let mut fx = typed(&mut app, ":service scale my_nginx=5");
    fx.extend(key(&mut app, enter()));
    assert_eq!(
        run_words(&fx),
        vec![vec!["service", "scale", "my_nginx=5"]],
        "with or without docker"
    );
    let mut fx = typed(&mut app, ":docker node update --availability drain node139");
    fx.extend(key(&mut app, enter()));
    assert_eq!(
        run_words(&fx)[0],
        vec![
            "docker",
            "node",
            "update",
            "--availability",
            "drain",
            "node139"
        ]
    );
    // Navigation commands.
    typed(&mut app, ":tasks my_nginx");
    key(&mut app, enter());
    assert!(screen(&mut app, 120, 30).contains("Tasks of my_nginx [5/18]"));
    typed(&mut app, ":rollouts web");
    key(&mut app, enter());
    assert!(screen(&mut app, 120, 30).contains("web · replicated"));
    // A bad command line changes nothing and says why, as docker would.
    let fx = {
        let mut fx = typed(&mut app, ":service scale");
        fx.extend(key(&mut app, enter()));
        fx
    };
    assert!(run_words(&fx).is_empty());
    let status = app.status.clone().unwrap();
    assert!(
        status
            .text
            .contains("\"docker service scale\" requires at least 1 argument"),
        "{status:?}"
    );
    // History: up recalls the last line.
    typed(&mut app, ":");
    key(&mut app, Key::plain(Code::Up));
    assert_eq!(app.input.as_ref().unwrap().edit.text, "service scale");
    key(&mut app, Key::plain(Code::Up));
    assert_eq!(app.input.as_ref().unwrap().edit.text, "rollouts web");
    key(&mut app, esc());
    // Tab completes verbs and object names.
    typed(&mut app, ":serv");
    key(&mut app, Key::plain(Code::Tab));
    assert_eq!(
        app.input.as_ref().unwrap().edit.text,
        "service",
        "the common part first"
    );
    key(&mut app, Key::plain(Code::Tab));
    key(&mut app, Key::plain(Code::Tab));
    assert_eq!(
        app.input.as_ref().unwrap().edit.text,
        "services",
        "then each in turn"
    );
    key(&mut app, Key::plain(Code::Backspace));
    typed(&mut app, " scale my_n");
    key(&mut app, Key::plain(Code::Tab));
    assert_eq!(
        app.input.as_ref().unwrap().edit.text,
        "service scale my_nginx="
    );
    key(&mut app, esc());
    assert!(app.input.is_none());
}

#[test]
fn drill_down_filter_and_back() {
    let cl = fixtures::demo_cluster();
    let mut app = fixtures::app_for(&cl);
    // Services → my_nginx's tasks → a task's logs, and back.
    typed(&mut app, "2");
    typed(&mut app, "/my_ng");
    key(&mut app, enter());
    let s = screen(&mut app, 120, 30);
    assert!(s.contains("Services [1/6]"), "{s}");
    let fx = key(&mut app, enter());
    assert!(fx.is_empty());
    let s = screen(&mut app, 120, 30);
    assert!(s.contains("Tasks of my_nginx [5/18]"), "{s}");
    assert!(s.contains(" \\_ my_nginx.3"), "history rows: {s}");
    let fx = key(&mut app, enter());
    assert!(
        matches!(&fx[..], [Effect::Logs { .. }]),
        "opening logs starts a stream: {fx:?}"
    );
    assert!(screen(&mut app, 120, 30).contains("Logs my_nginx.1"));
    let fx = key(&mut app, esc());
    assert!(
        matches!(&fx[..], [Effect::StopLogs]),
        "leaving the drill-down stops the stream: {fx:?}"
    );
    assert!(screen(&mut app, 120, 30).contains("Tasks of my_nginx"));
    key(&mut app, esc());
    let s = screen(&mut app, 120, 30);
    assert!(s.contains("Services [1/6]"), "{s}");
    // Esc clears the filter.
    key(&mut app, esc());
    assert!(screen(&mut app, 120, 30).contains("Services [6]"));
    // Inverted regex filter.
    typed(&mut app, "/!nginx|mysql");
    key(&mut app, enter());
    let s = screen(&mut app, 120, 30);
    assert!(s.contains("Services [2/6]"), "{s}");
    assert!(
        s.contains("cache") && s.contains("web") && !s.contains("my_nginx"),
        "{s}"
    );
    // Nodes → tasks on a node.
    key(&mut app, esc());
    typed(&mut app, "1");
    typed(&mut app, "jt");
    assert!(screen(&mut app, 120, 30).contains("Tasks on node139"));
}

#[test]
fn destructive_actions_default_to_cancel() {
    let cl = fixtures::demo_cluster();
    let mut app = fixtures::app_for(&cl);
    typed(&mut app, "2");
    typed(&mut app, "D");
    let fx = key(&mut app, enter());
    assert!(
        run_words(&fx).is_empty(),
        "Enter on the default button cancels"
    );
    assert!(app.overlay.is_none());
    typed(&mut app, "D");
    let fx = typed(&mut app, "y");
    assert_eq!(run_words(&fx), vec![vec!["service", "rm", "big"]]);
    // Tab to the OK button, then Enter.
    typed(&mut app, "D");
    key(&mut app, Key::plain(Code::Tab));
    let fx = key(&mut app, enter());
    assert_eq!(run_words(&fx), vec![vec!["service", "rm", "big"]]);
}

#[test]
fn a_stack_is_deployed_from_a_file_and_a_name() {
    let cl = fixtures::demo_cluster();
    let mut app = fixtures::app_for(&cl);
    typed(&mut app, "2S");
    key(&mut app, Key::ctrl('u'));
    typed(&mut app, "'my stack.yml' demo");
    let fx = key(&mut app, enter());
    assert_eq!(
        run_words(&fx),
        vec![vec!["stack", "deploy", "-c", "my stack.yml", "demo"]]
    );
}

#[test]
fn read_only_drops_mutating_operations() {
    let cl = fixtures::demo_cluster();
    let mut info = fixtures::info();
    info.read_only = true;
    let mut app = App::new(fixtures::config(), info);
    app.update(Action::Backend(opsconsole::backend::WatchEvent::Snapshot(
        Box::new(opsconsole::backend::builtin::convert::Tracker::default().snapshot(&cl)),
        fixtures::frozen(cl.now()),
    )));
    typed(&mut app, "2");
    for k in "sirDnS".chars() {
        let fx = typed(&mut app, &k.to_string());
        assert!(fx.is_empty(), "{k}: {fx:?}");
        assert!(app.overlay.is_none(), "{k}");
    }
    let mut fx = typed(&mut app, ":service scale web=1");
    fx.extend(key(&mut app, enter()));
    assert!(run_words(&fx).is_empty());
    // Reading still works.
    let mut fx = typed(&mut app, ":service ls");
    fx.extend(key(&mut app, enter()));
    assert_eq!(run_words(&fx), vec![vec!["service", "ls"]]);
    // The hints do not offer what cannot be done.
    let s = screen(&mut app, 120, 30);
    assert!(!s.contains("s scale"), "{s}");
    assert!(s.contains("read-only"));
}

#[test]
fn the_help_follows_the_keymap() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("keymap.toml"),
        "[services]\nservice_scale = [\"ctrl-x\", \"x\"]\n",
    )
    .unwrap();
    let config = opsconsole::app::config::build(
        &opsconsole::app::config::Overrides {
            config_dir: Some(dir.path().to_path_buf()),
            ..Default::default()
        },
        |_| None,
    );
    assert!(config.warnings.is_empty(), "{:?}", config.warnings);
    let cl = fixtures::demo_cluster();
    let mut app = App::new(config, fixtures::info());
    app.update(Action::Backend(opsconsole::backend::WatchEvent::Snapshot(
        Box::new(opsconsole::backend::builtin::convert::Tracker::default().snapshot(&cl)),
        fixtures::frozen(cl.now()),
    )));
    typed(&mut app, "2");
    let s = screen(&mut app, 140, 30);
    assert!(s.contains("ctrl-x scale"), "the footer: {s}");
    typed(&mut app, "?");
    let s = screen(&mut app, 140, 50);
    assert!(s.contains("ctrl-x, x") && s.contains("Scale"), "{s}");
    assert!(
        !s.lines().any(|l| l.contains(" s ") && l.contains("Scale")),
        "{s}"
    );
    key(&mut app, esc());
    // The new key works.
    typed(&mut app, "x");
    assert!(screen(&mut app, 80, 24).contains("Scale"));
}

#[test]
fn random_input_never_panics() {
    use opsconsole_sim::base::rng::Rng as SplitMix64;
    let cl = fixtures::demo_cluster();
    let mut app = fixtures::app_for(&cl);
    let km = opsconsole::app::keymap::Keymap::builtin_default();
    let _ = km;
    let pool: Vec<Key> = "jkhlgGq?:/ynsirDSaxXptfwcNTLUo+-123456 abc=!@.\\^$*"
        .chars()
        .map(Key::ch)
        .chain(
            [
                Code::Enter,
                Code::Esc,
                Code::Tab,
                Code::BackTab,
                Code::Up,
                Code::Down,
                Code::Left,
                Code::Right,
                Code::PageUp,
                Code::PageDown,
                Code::Home,
                Code::End,
                Code::Backspace,
                Code::Delete,
            ]
            .map(Key::plain),
        )
        .chain([
            Key::ctrl('d'),
            Key::ctrl('u'),
            Key::ctrl('s'),
            Key::ctrl('w'),
        ])
        .collect();
    let mut rng = SplitMix64::new(42);
    let mut term = Terminal::new(TestBackend::new(120, 30)).unwrap();
    for i in 0..20_000u32 {
        let r = rng.next_u64();
        let a = match r % 100 {
            0 => {
                let w = (rng.next_u64() % 220) as u16 + 1;
                let h = (rng.next_u64() % 70) as u16 + 1;
                term.backend_mut().resize(w, h);
                Action::Resize(w, h)
            }
            1 => Action::Mouse(crossterm::event::MouseEvent {
                kind: match rng.next_u64() % 3 {
                    0 => crossterm::event::MouseEventKind::ScrollDown,
                    1 => crossterm::event::MouseEventKind::ScrollUp,
                    _ => {
                        crossterm::event::MouseEventKind::Down(crossterm::event::MouseButton::Left)
                    }
                },
                column: (rng.next_u64() % 230) as u16,
                row: (rng.next_u64() % 80) as u16,
                modifiers: crossterm::event::KeyModifiers::empty(),
            }),
            2 => Action::Paste("pasted\ttext\nwith lines".into()),
            3 => Action::Tick,
            _ => Action::Key(pool[(rng.next_u64() % pool.len() as u64) as usize]),
        };
        app.update(a);
        // Quitting is an input like any other here: carry on.
        app.quit = false;
        if i % 7 == 0 {
            term.draw(|f| {
                ui::draw(f, &mut app);
            })
            .unwrap();
        }
    }
}

// ---------------------------------------------------------------------------
// The App against the real built-in backend

fn options(dir: &std::path::Path, speed: f64) -> Options {
    Options {
        hosting: Hosting::InProcess,
        dir: dir.to_path_buf(),
        speed,
        demo_if_new: false,
        seed: 3,
        start: SimTime::parse_rfc3339("2026-11-22T10:00:00Z").unwrap(),
    }
}

async fn runner(dir: &std::path::Path, speed: f64) -> Runner<TestBackend> {
    let b = Builtin::open(options(dir, speed), Duration::from_secs(5))
        .await
        .unwrap();
    let info = b.info();
    let backend: Arc<dyn Backend> = Arc::new(b);
    let app = App::new(fixtures::config(), info);
    Runner::new(
        app,
        backend,
        Terminal::new(TestBackend::new(120, 30)).unwrap(),
    )
}

/// Processes events until the screen satisfies `pred`.
async fn until(
    r: &mut Runner<TestBackend>,
    secs: u64,
    what: &str,
    pred: impl Fn(&str) -> bool,
) -> String {
    let mut none = futures::stream::pending().boxed();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        r.app.dirty = true;
        r.draw().unwrap();
        let s = text(r.terminal.backend().buffer());
        if pred(&s) {
            return s;
        }
        match tokio::time::timeout_at(deadline, r.next(&mut none)).await {
            Ok(Some(Some(a))) => r.dispatch(a),
            Ok(_) => {}
            Err(_) => panic!("timed out waiting for {what}; the screen:\n{s}"),
        }
    }
}

fn press(r: &mut Runner<TestBackend>, s: &str) {
    for c in s.chars() {
        r.dispatch(Action::Key(Key::ch(c)));
    }
}

#[tokio::test(flavor = "current_thread")]
async fn scale_drain_and_logs_against_the_built_in_cluster() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = runner(dir.path(), 30.0).await;
    r.backend
        .run(
            Invocation::parse_line("service create --name web --replicas 2 nginx").unwrap(),
            RunOpts::default(),
        )
        .await
        .unwrap();
    press(&mut r, "2");
    until(&mut r, 10, "web 2/2", |s| {
        s.contains("web   replicated  2/2")
    })
    .await;
    // Scale from the command line.
    press(&mut r, ":service scale web=4");
    r.dispatch(Action::Key(enter()));
    let s = until(&mut r, 10, "web 4/4", |s| s.contains("replicated  4/4")).await;
    assert!(
        s.contains("web scaled to 4"),
        "the status line says so: {s}"
    );
    // Scale from a prompt.
    press(&mut r, "s");
    r.dispatch(Action::Key(Key::ctrl('u')));
    press(&mut r, "3");
    r.dispatch(Action::Key(enter()));
    until(&mut r, 10, "web 3/3", |s| s.contains("replicated  3/3")).await;
    // Drain: the plan first, then the tasks converge.
    press(&mut r, "1");
    until(&mut r, 5, "nodes", |s| s.contains("node139")).await;
    press(&mut r, "j");
    press(&mut r, "d");
    let plan = until(&mut r, 5, "the plan", |s| s.contains("will move")).await;
    assert!(plan.contains("node139 → "), "{plan}");
    r.dispatch(Action::Key(enter()));
    until(&mut r, 15, "convergence", |s| s.contains("converged:")).await;
    r.dispatch(Action::Key(esc()));
    let s = until(&mut r, 5, "drained", |s| s.contains("Drain")).await;
    assert!(s.contains("node139    Ready   Drain"), "{s}");
    // Logs: follow a service; lines arrive labelled as docker labels them.
    press(&mut r, ":logs web");
    r.dispatch(Action::Key(enter()));
    let s = until(&mut r, 10, "log lines", |s| s.contains("@node")).await;
    assert!(s.contains("web.1."), "{s}");
    press(&mut r, "t");
    until(&mut r, 5, "timestamps", |s| s.contains("Z 10.")).await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_chatty_task_does_not_grow_the_buffer() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = runner(dir.path(), 20.0).await;
    r.backend
        .run(
            Invocation::parse_line("service create --name chatty opsconsole/chatty").unwrap(),
            RunOpts::default(),
        )
        .await
        .unwrap();
    until(&mut r, 10, "the service", |s| s.contains("chatty")).await;
    press(&mut r, ":logs chatty");
    r.dispatch(Action::Key(enter()));
    // 2,000 lines a second at 20x: the 10,000-line buffer overflows within a second.
    let s = until(&mut r, 30, "a full buffer", |s| {
        s.contains("[10000 lines") && s.contains("dropped")
    })
    .await;
    assert!(s.contains("chatty: tick"), "{s}");
    // The console still answers at once.
    press(&mut r, "2");
    let s = until(&mut r, 5, "services", |s| s.contains("Services [1]")).await;
    assert!(s.contains("chatty"));
}

/// kubectl on the `:` line (bare verbs too), run by the console's cluster through its
/// Kubernetes API, with completion of commands, resource types and object names.
#[tokio::test(flavor = "current_thread")]
async fn kubectl_on_the_command_line_against_the_built_in_cluster() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = runner(dir.path(), 30.0).await;
    press(
        &mut r,
        ":kubectl create deployment web --image=nginx --replicas=2",
    );
    r.dispatch(Action::Key(enter()));
    until(&mut r, 10, "created", |s| {
        s.contains("deployment.apps/web created")
    })
    .await;
    press(&mut r, ":rollout status deploy/web");
    r.dispatch(Action::Key(enter()));
    let s = until(&mut r, 20, "rolled out", |s| {
        s.contains("deployment \"web\" successfully rolled out")
    })
    .await;
    assert!(!s.contains("opsconsole does not run"), "{s}");
    // A bare verb only kubectl has is kubectl's; its table opens in a viewer.
    press(&mut r, ":get deploy -o wide");
    r.dispatch(Action::Key(enter()));
    let s = until(&mut r, 10, "the table", |s| s.contains("UP-TO-DATE")).await;
    assert!(s.contains("web    2/2"), "{s}");
    r.dispatch(Action::Key(esc()));
    // Completion: the command, the type, then (once fetched) the object's name.
    press(&mut r, ":rollo");
    r.dispatch(Action::Key(Key::plain(Code::Tab)));
    assert_eq!(
        r.app.input.as_ref().unwrap().edit.text,
        "rollout",
        "and `rollouts`"
    );
    press(&mut r, " und");
    r.dispatch(Action::Key(Key::plain(Code::Tab)));
    assert_eq!(r.app.input.as_ref().unwrap().edit.text, "rollout undo ");
    press(&mut r, "deploym");
    r.dispatch(Action::Key(Key::plain(Code::Tab)));
    assert_eq!(
        r.app.input.as_ref().unwrap().edit.text,
        "rollout undo deployments "
    );
    press(&mut r, "w");
    r.dispatch(Action::Key(Key::plain(Code::Tab)));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let mut none = futures::stream::pending().boxed();
    while r
        .app
        .data
        .kube_names
        .get("deployments")
        .is_none_or(|n| n.is_empty())
    {
        match tokio::time::timeout_at(deadline, r.next(&mut none)).await {
            Ok(Some(Some(a))) => r.dispatch(a),
            Ok(_) => {}
            Err(_) => panic!("no names came: {:?}", r.app.data.kube_names),
        }
    }
    r.dispatch(Action::Key(Key::plain(Code::Tab)));
    assert_eq!(
        r.app.input.as_ref().unwrap().edit.text,
        "rollout undo deployments web "
    );
    r.dispatch(Action::Key(esc()));
    // A command that would follow the cluster forever is for `ctl`.
    press(&mut r, ":get pods -w");
    r.dispatch(Action::Key(enter()));
    until(&mut r, 10, "refused", |s| {
        s.contains("follows the cluster until interrupted")
    })
    .await;
    // kubectl's own errors come back as kubectl prints them.
    press(&mut r, ":get pdos");
    r.dispatch(Action::Key(enter()));
    until(&mut r, 10, "the error", |s| {
        s.contains("the server doesn't have a resource type \"pdos\"")
    })
    .await;
}
