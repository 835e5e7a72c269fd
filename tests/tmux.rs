//! The real binary in a real terminal (tmux): start, switch through the panes, scale from the
//! `:` line, scale from `opsconsole ctl` in another process while the console serves the
//! cluster, a second console taking over when the first is killed, and the terminal left in
//! a sane state after quitting, SIGHUP and SIGTERM.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_opsconsole");

/// A private tmux server, killed when dropped.
struct Tmux {
    socket: String,
    started: std::cell::Cell<bool>,
}

impl Tmux {
    fn new(name: &str) -> Tmux {
        let t = Tmux {
            socket: format!("oc-{name}-{}", std::process::id()),
            started: std::cell::Cell::new(false),
        };
        let v = Command::new("tmux").arg("-V").output();
        assert!(
            v.is_ok_and(|o| o.status.success()),
            "tmux is needed for this test (scripts/test.sh installs it)"
        );
        t
    }

    fn cmd(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Starts `cmd` in a new 120x30 window named `name`; its shell records the terminal
    /// settings and an exit marker when the console ends.
    fn start(&self, name: &str, cmd: &str, dir: &Path) {
        let marker = dir.join(format!("{name}.exited"));
        let stty = dir.join(format!("{name}.stty"));
        let script = format!(
            "{cmd}; echo $? > {}; stty -a > {}; sleep 600",
            marker.display(),
            stty.display()
        );
        let new_session = !self.started.replace(true);
        let mut args = if new_session {
            vec![
                "new-session",
                "-d",
                "-x",
                "120",
                "-y",
                "30",
                "-s",
                "t",
                "-n",
                name,
            ]
        } else {
            vec!["new-window", "-d", "-t", "t", "-n", name]
        };
        args.push(&script);
        self.cmd(&args);
        if new_session {
            // Windows opened later get the same size.
            self.cmd(&["set-option", "-g", "default-size", "120x30"]);
        }
    }

    fn screen(&self, name: &str) -> String {
        self.cmd(&["capture-pane", "-p", "-t", &format!("t:{name}")])
    }

    fn keys(&self, name: &str, keys: &[&str]) {
        for k in keys {
            self.cmd(&["send-keys", "-t", &format!("t:{name}"), k]);
            // Let an Esc arrive on its own (not as an Alt prefix).
            std::thread::sleep(Duration::from_millis(80));
        }
    }

    fn type_line(&self, name: &str, text: &str) {
        self.cmd(&["send-keys", "-t", &format!("t:{name}"), "-l", text]);
        std::thread::sleep(Duration::from_millis(80));
        self.cmd(&["send-keys", "-t", &format!("t:{name}"), "Enter"]);
    }

    fn wait_for(&self, name: &str, secs: u64, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let s = self.screen(name);
            if pred(&s) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what} in window {name}; the screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn alternate_on(&self, name: &str) -> bool {
        self.cmd(&[
            "display",
            "-p",
            "-t",
            &format!("t:{name}"),
            "#{alternate_on}",
        ])
        .trim()
            == "1"
    }

    /// The console's process (the child of the window's shell).
    fn console_pid(&self, name: &str) -> u32 {
        let shell = self.cmd(&["display", "-p", "-t", &format!("t:{name}"), "#{pane_pid}"]);
        let out = Command::new("pgrep")
            .args(["-P", shell.trim()])
            .output()
            .expect("pgrep runs");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .and_then(|l| l.trim().parse().ok())
            .unwrap_or_else(|| panic!("no console process under shell {shell}"))
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

fn wait_file(p: &Path, secs: u64) -> String {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if let Ok(s) = std::fs::read_to_string(p)
            && !s.is_empty()
        {
            // The shell writes the stty file right after the marker.
            std::thread::sleep(Duration::from_millis(300));
            return s;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{} did not appear", p.display());
}

fn alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .unwrap_or_default()
            .contains(") Z ")
}

/// The terminal is back to normal: cooked mode with echo.
fn assert_sane(stty: &str) {
    let words: Vec<&str> = stty.split_whitespace().collect();
    assert!(words.contains(&"icanon"), "canonical mode restored: {stty}");
    assert!(words.contains(&"echo"), "echo restored: {stty}");
}

fn ctl(dir: &Path, args: &str) -> std::process::Output {
    Command::new(BIN)
        .arg("ctl")
        .arg("--state")
        .arg(dir)
        .args(args.split_whitespace())
        .output()
        .expect("ctl runs")
}

fn console_cmd(dir: &Path) -> String {
    format!("{BIN} --state {} --speed 5", dir.display())
}

#[test]
fn the_real_console_in_a_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let dir: PathBuf = tmp.path().join("state");
    // A cluster with a service, made the way a script would.
    let out = ctl(&dir, "docker service create --name web --replicas 2 nginx");
    assert!(out.status.success(), "{out:?}");

    let t = Tmux::new("console");
    t.start("a", &console_cmd(&dir), tmp.path());
    t.wait_for("a", 10, "the services pane", |s| {
        s.contains("Services [1]") && s.contains("2/2")
    });
    assert!(t.alternate_on("a"));
    for (k, what) in [
        ("1", "Nodes [3]"),
        ("3", "Tasks [2]"),
        ("4", "Logs"),
        ("5", "Volumes [0]"),
        ("6", "Rollouts [1]"),
        ("Tab", "Nodes [3]"),
        ("2", "Services [1]"),
    ] {
        t.keys("a", &[k]);
        t.wait_for("a", 5, what, |s| s.contains(what));
    }
    // Scale from the command line; the replicas change on screen.
    t.type_line("a", ":service scale web=4");
    let s = t.wait_for("a", 15, "4/4", |s| s.contains("4/4"));
    assert!(s.contains("web scaled to 4"), "{s}");
    // Another terminal scales it through the console that serves the cluster.
    let out = ctl(&dir, "docker service scale web=3");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert!(stdout.contains("web scaled to 3"), "{stdout}");
    assert!(stdout.contains("verify: Service converged"), "{stdout}");
    t.wait_for("a", 10, "3/3", |s| s.contains("3/3"));

    // A second console on the same cluster sees the same thing.
    t.start("b", &console_cmd(&dir), tmp.path());
    t.wait_for("b", 10, "the second console", |s| s.contains("3/3"));
    // The server process is killed outright: the consoles start another, which carries on
    // with everything acknowledged.
    let server = server_pid(&dir).expect("a server process for the state");
    unsafe_kill(server, 9);
    t.type_line("b", ":service scale web=2");
    let s = t.wait_for("b", 20, "2/2 after the takeover", |s| s.contains("2/2"));
    assert!(s.contains("web scaled to 2"), "{s}");
    t.wait_for("a", 10, "the first console following", |s| {
        s.contains("2/2")
    });
    let again = server_pid(&dir).expect("a new server");
    assert_ne!(again, server);
    let out = ctl(&dir, "docker service ls");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("2/2"),
        "{out:?}"
    );

    // Quitting leaves the terminal as it was; when the last console is gone, so is the
    // server.
    for w in ["a", "b"] {
        t.keys(w, &["q"]);
        let code = wait_file(&tmp.path().join(format!("{w}.exited")), 10);
        assert_eq!(code.trim(), "0");
        assert_sane(&wait_file(&tmp.path().join(format!("{w}.stty")), 5));
        assert!(!t.alternate_on(w));
    }
    wait_gone(&dir);

    // SIGHUP (the SSH session is gone) and SIGTERM end it and restore the terminal.
    for (name, sig) in [("hup", 1), ("term", 15)] {
        t.start(name, &console_cmd(&dir), tmp.path());
        t.wait_for(name, 10, "the console", |s| s.contains("Services [1]"));
        let pid = t.console_pid(name);
        unsafe_kill(pid, sig);
        wait_file(&tmp.path().join(format!("{name}.exited")), 10);
        assert!(!alive(pid), "no console left after signal {sig}");
        wait_gone(&dir);
        assert_sane(&wait_file(&tmp.path().join(format!("{name}.stty")), 5));
        assert!(!t.alternate_on(name), "main screen back after signal {sig}");
    }
    // Nothing acknowledged was lost.
    let out = ctl(&dir, "docker service ls");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("2/2"),
        "{out:?}"
    );
}

/// The background server of a state directory, if one runs.
fn server_pid(dir: &Path) -> Option<u32> {
    let out = Command::new("pgrep")
        .arg("-f")
        .arg(format!("opsconsole serve --state {} ", dir.display()))
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .and_then(|l| l.trim().parse().ok())
}

/// No process is left serving the state, and its socket is gone.
fn wait_gone(dir: &Path) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if server_pid(dir).is_none() && !dir.join("opsconsole.sock").exists() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let ps = Command::new("ps")
        .args(["-eo", "pid,ppid,stat,args"])
        .output()
        .unwrap();
    let ps: String = String::from_utf8_lossy(&ps.stdout)
        .lines()
        .filter(|l| l.contains("opsconsole"))
        .collect::<Vec<_>>()
        .join("\n");
    let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
    panic!(
        "a server for {} is still running (socket: {}):\n{ps}\nserver.log:\n{log}",
        dir.display(),
        dir.join("opsconsole.sock").exists()
    );
}

fn unsafe_kill(pid: u32, sig: i32) {
    let ok = Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(pid.to_string())
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "kill -{sig} {pid}");
}

#[test]
fn first_start_shows_the_demo_and_bad_config_files_only_warn() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let config = tmp.path().join("config");
    std::fs::create_dir_all(config.join("opsconsole/themes")).unwrap();
    std::fs::write(
        config.join("opsconsole/keymap.toml"),
        "[services]\nservice_scale = [\"x\"]\nfrobnicate = [\"z\"]\n",
    )
    .unwrap();
    std::fs::write(config.join("opsconsole/config.toml"), "theme = \"mine\"\n").unwrap();
    std::fs::write(
        config.join("opsconsole/themes/mine.toml"),
        "[colors]\nfg = \"not-a-colour\"\n",
    )
    .unwrap();
    let t = Tmux::new("demo");
    // No --state: the user's data directory, created with the demo workloads.
    let cmd = format!(
        "XDG_DATA_HOME={} XDG_CONFIG_HOME={} {BIN}",
        data.display(),
        config.display()
    );
    t.start("d", &cmd, tmp.path());
    // The broken entries are listed with file and line; the console runs anyway.
    let s = t.wait_for("d", 20, "the problems", |s| {
        s.contains("Configuration problems")
    });
    assert!(
        s.contains("keymap.toml:3: unknown action \"frobnicate\""),
        "{s}"
    );
    assert!(s.contains("mine.toml:2: fg: invalid colour"), "{s}");
    t.keys("d", &["Escape"]);
    t.wait_for("d", 20, "the demo workloads", |s| {
        ["web", "api", "db", "cache", "ticker", "viz"]
            .iter()
            .all(|n| s.contains(&format!(" {n} ")))
    });
    // The rest of the keymap works.
    t.keys("d", &["x"]);
    t.wait_for("d", 5, "the remapped scale key", |s| s.contains("Scale"));
    t.keys("d", &["Escape"]);
    t.keys("d", &["q"]);
    assert_eq!(wait_file(&tmp.path().join("d.exited"), 10).trim(), "0");
    wait_gone(&data.join("opsconsole/cluster"));
}

#[test]
fn macros_play_live_abort_and_record() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("state");
    let out = ctl(&dir, "docker service create --name web --replicas 2 nginx");
    assert!(out.status.success(), "{out:?}");
    // A macro that takes its time: it is stopped half way.
    let slow = tmp.path().join("slow.macro");
    std::fs::write(
        &slow,
        "say \"Scaling web to 3\"\ntype \":service scale web=3\"\nkey enter\nwait 1m\ntype \":service scale web=9\"\nkey enter\n",
    )
    .unwrap();
    // A keymap that binds F5 to a macro file (relative to the keymap).
    let conf = tmp.path().join("config/opsconsole");
    std::fs::create_dir_all(&conf).unwrap();
    std::fs::write(
        conf.join("keymap.toml"),
        "[macros]\n\"f5.macro\" = [\"f5\"]\n",
    )
    .unwrap();
    std::fs::write(conf.join("f5.macro"), "key 1\nsay \"pressed F5\"\n").unwrap();
    let rec = tmp.path().join("rec.macro");
    let t = Tmux::new("play");
    let cmd = format!(
        "XDG_CONFIG_HOME={} {} --play {} --pace 4 --record {}",
        tmp.path().join("config").display(),
        console_cmd(&dir),
        slow.display(),
        rec.display()
    );
    t.start("p", &cmd, tmp.path());
    let s = t.wait_for("p", 20, "the caption and the first step", |s| {
        s.contains("Scaling web to 3") && s.contains("3/3")
    });
    assert!(s.contains("▶ slow.macro"), "{s}");
    // Esc stops playback; the console stays usable and the second scale never happens.
    t.keys("p", &["Escape"]);
    t.wait_for("p", 5, "playback stopped", |s| {
        s.contains("playback stopped")
    });
    t.keys("p", &["F5"]);
    t.wait_for("p", 5, "the F5 macro", |s| {
        s.contains("pressed F5") && s.contains("Nodes [3]")
    });
    t.keys("p", &["2"]);
    t.type_line("p", ":service scale web=4");
    t.wait_for("p", 20, "the user's own scale", |s| s.contains("4/4"));
    t.keys("p", &["q"]);
    assert_eq!(wait_file(&tmp.path().join("p.exited"), 10).trim(), "0");
    // The session's keys, as a macro that reads back.
    let text = std::fs::read_to_string(&rec).unwrap();
    let m = opsconsole::macros::parse("rec", &text).unwrap();
    assert!(text.contains(":service scale web=4\"\nkey enter"), "{text}");
    assert!(text.contains("key f5"), "{text}");
    assert!(!m.steps.is_empty());
    let out = ctl(&dir, "docker service ls");
    let ls = String::from_utf8_lossy(&out.stdout);
    assert!(ls.contains("4/4") && !ls.contains("/9"), "{ls}");
}

#[test]
fn a_kiosk_only_looks_and_leaves_with_its_chord() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("state");
    let out = ctl(&dir, "docker service create --name web --replicas 2 nginx");
    assert!(out.status.success(), "{out:?}");
    let t = Tmux::new("kiosk");
    let cmd = format!("{} --kiosk --rotate 2s", console_cmd(&dir));
    t.start("k", &cmd, tmp.path());
    let s = t.wait_for("k", 20, "the kiosk", |s| s.contains("KIOSK · read-only"));
    // No hints for changes in the footer.
    assert!(!s.contains("scale"), "{s}");
    // The panes rotate by themselves.
    t.wait_for("k", 10, "rotation", |s| s.contains("Tasks ["));
    // Keys that would change something, quit, or reach a shell do nothing.
    t.keys("k", &["2", "s", "D", "C-c", "C-z", "C-\\", "q", ":"]);
    std::thread::sleep(Duration::from_millis(500));
    let pid = t.console_pid("k");
    assert!(alive(pid), "the kiosk process went away");
    assert!(
        !tmp.path().join("k.exited").exists(),
        "the kiosk ended on a key"
    );
    let out = ctl(&dir, "docker service ls");
    assert!(String::from_utf8_lossy(&out.stdout).contains("2/2"));
    // The exit chord leaves, and the terminal is restored.
    t.keys("k", &["C-x", "C-c"]);
    assert_eq!(wait_file(&tmp.path().join("k.exited"), 10).trim(), "0");
    assert_sane(&wait_file(&tmp.path().join("k.stty"), 5));
}

/// `opsconsole serve --kube-api ADDR` in the background: its URL and kubeconfig once ready.
/// A child process killed when dropped (a failed test leaves no server behind).
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve_kube(dir: &Path, addr: &str) -> (Killed, String, PathBuf) {
    use std::io::BufRead;
    let mut child = Command::new(BIN)
        .arg("--state")
        .arg(dir)
        .args(["serve", "--kube-api", addr, "--speed", "10"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("serve starts");
    let out = child.stdout.take().expect("its output");
    let mut api = None;
    for line in std::io::BufReader::new(out).lines() {
        let line = line.expect("a line");
        if let Some(rest) = line.strip_prefix("kube-api ") {
            let (url, kc) = rest.split_once(' ').expect("URL and kubeconfig");
            api = Some((url.to_string(), PathBuf::from(kc)));
        } else if line == "ready" {
            break;
        } else {
            panic!("serve said {line:?}");
        }
    }
    let (url, kc) = api.expect("it says where it serves");
    (Killed(child), url, kc)
}

/// Real kubectl against a kubeconfig, with a HOME of its own (no cached discovery).
fn kubectl(home: &Path, kubeconfig: &Path, args: &[&str]) -> String {
    let out = Command::new("kubectl")
        .env("HOME", home)
        .env("KUBECONFIG", kubeconfig)
        .args(args)
        .output()
        .expect("kubectl runs (CI installs it; this kind of machine has it)");
    assert!(out.status.success(), "kubectl {args:?}: {out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_kubernetes_console_follows_kubectl_acts_for_it_and_outlives_its_server() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("state");
    let home = tmp.path().join("home");
    let (server, url, kc) = serve_kube(&dir, "127.0.0.1:0");
    let t = Tmux::new("kube");
    let cmd = format!("{BIN} --kubeconfig {}", kc.display());
    t.start("k", &cmd, tmp.path());
    t.wait_for("k", 10, "the cluster's nodes", |s| {
        s.contains("4/4 nodes ready") && s.contains(&url["https://".len()..])
    });

    // What kubectl does shows in the console.
    kubectl(
        &home,
        &kc,
        &[
            "create",
            "deployment",
            "web",
            "--image=nginx:1.16",
            "--replicas=2",
        ],
    );
    t.keys("k", &["2"]);
    t.wait_for("k", 10, "web in the Workloads pane", |s| {
        s.contains("Workloads [")
            && s.lines()
                .any(|l| l.contains("Deployment") && l.contains("web") && l.contains("2/2"))
    });
    t.keys("k", &["3"]);
    t.wait_for("k", 10, "web's pods", |s| {
        s.lines()
            .filter(|l| l.contains("web-") && l.contains("Running"))
            .count()
            == 2
    });

    // What the console does, kubectl sees: scale from the Workloads pane.
    // The filter leaves web's Deployment first (kubectl's order: namespace, name).
    t.keys("k", &["2", "/"]);
    t.type_line("k", "web");
    t.keys("k", &["Home", "s", "C-u"]);
    t.type_line("k", "4");
    t.wait_for("k", 10, "the scale command's answer", |s| {
        s.contains("deployment.apps/web scaled")
    });
    let replicas = kubectl(
        &home,
        &kc,
        &["get", "deploy", "web", "-o", "jsonpath={.spec.replicas}"],
    );
    assert_eq!(replicas, "4");

    // The server is killed and started again at the same address: the console follows it
    // (what changed meanwhile included) within 5 s.
    drop(server);
    let lost = format!("✖ Kubernetes API at {url}");
    t.wait_for("k", 10, "the lost connection named with its address", |s| {
        s.contains(&lost)
    });
    let addr = &url["https://".len()..];
    let (_server, _, _) = serve_kube(&dir, addr);
    let restarted = Instant::now();
    kubectl(
        &home,
        &kc,
        &[
            "create",
            "deployment",
            "api",
            "--image=nginx:1.16",
            "--replicas=1",
        ],
    );
    t.keys("k", &["Escape"]);
    t.wait_for("k", 5, "the new server's changes", |s| {
        !s.contains("retrying")
            && s.lines()
                .any(|l| l.contains("Deployment") && l.contains(" api "))
    });
    eprintln!("followed the restarted server in {:?}", restarted.elapsed());
    t.keys("k", &["q"]);
    wait_file(&tmp.path().join("k.exited"), 10);
}
