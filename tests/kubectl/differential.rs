//! The same kubectl command lines through real kubectl and through `opsconsole ctl kubectl`,
//! on one served cluster: stdout, stderr and exit codes must agree (ages aside). Each file in
//! `tests/kubectl/cases/` is a case; adding one is adding a file.
//!
//! A case's `> ` lines set up through real kubectl only, its `$ ` lines run through both.
//! Commands that change things act on twin objects: `@` in a line is `kubectl` where real
//! kubectl runs it and `ourside` (as long, so columns line up alike) where `ctl kubectl`
//! does (a `> ` line with `@` runs once for each), and `ourside` in opsconsole's output
//! reads as `kubectl`.
//!
//! Commands run in a directory holding `tests/data/seed002`'s files and the case's own:
//! a `= NAME` line starts a file, and the `| ` lines after it are its text. A file whose
//! name has `@` is written twice, once for each side, with `@` in its text replaced too
//! (so `apply -f web-@.yml` applies twin objects).
//!
//! Twins that cannot be named by `@` are written `@{A|B}`: A where kubectl runs, B where
//! opsconsole does (two nodes to cordon, say), and B in opsconsole's output reads as A.

use super::{Server, common, kubectl_present};
use std::path::{Path, PathBuf};
use std::process::Command;

/// An age as the AGE column prints it (`5s`, `3m2s`, `10d`).
fn is_age(w: &str) -> bool {
    let mut digits = false;
    let mut units = 0;
    for c in w.chars() {
        if c.is_ascii_digit() {
            digits = true;
        } else if "smhdy".contains(c) && digits {
            units += 1;
            digits = false;
        } else {
            return false;
        }
    }
    units > 0 && !digits && units <= 2
}

/// Ages replaced; in a line that had one, runs of spaces collapsed (an age one character
/// wider widens its column).
fn normalise(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let words: Vec<&str> = line.split(' ').filter(|w| !w.is_empty()).collect();
        if words.iter().any(|w| is_age(w)) {
            let words: Vec<&str> = words
                .iter()
                .map(|w| if is_age(w) { "<age>" } else { w })
                .collect();
            out.push_str(&words.join(" "));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// kubectl 1.32 itself: the dispatcher on this kind of machine answers flag errors and
/// `version` on its own (`Error: unknown flag`, `v1.32.4-dispatcher`) before it runs the
/// release the server's version picks, which lies beside it. It is run through a link
/// named `kubectl`, as the dispatcher runs it, so that what it records of its own command
/// line (`--record`) starts with `kubectl`.
fn kubectl_132() -> PathBuf {
    static LINK: std::sync::OnceLock<(tempfile::TempDir, PathBuf)> = std::sync::OnceLock::new();
    LINK.get_or_init(|| {
        let which = Command::new("sh")
            .args(["-c", "readlink -f \"$(command -v kubectl)\""])
            .output()
            .expect("find kubectl");
        let real = PathBuf::from(String::from_utf8_lossy(&which.stdout).trim());
        let beside = real.with_file_name("kubectl.1.32");
        let bin = if beside.exists() { beside } else { real };
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("kubectl");
        std::os::unix::fs::symlink(&bin, &link).unwrap();
        (dir, link)
    })
    .1
    .clone()
}

/// Runs `cmd` with `stdin` (none: no input at all) and collects what it prints.
pub(crate) fn output(mut cmd: Command, stdin: Option<&[u8]>) -> std::process::Output {
    use std::io::Write;
    cmd.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .stdin(if stdin.is_some() {
            std::process::Stdio::piped()
        } else {
            std::process::Stdio::null()
        });
    let mut child = cmd.spawn().expect("start a client");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn ours(s: &Server, args: &[String], cwd: &Path, stdin: Option<&[u8]>) -> common::Run {
    let mut cmd = Command::new(common::bin());
    cmd.arg("--state")
        .arg(s.state.path())
        .arg("ctl")
        .arg("kubectl")
        .args(args)
        .env("HOME", s.home.path())
        .env_remove("KUBECONFIG")
        .current_dir(cwd);
    let out = output(cmd, stdin);
    common::Run {
        out: String::from_utf8_lossy(&out.stdout).into_owned(),
        err: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

/// `@{A|B}` pairs written out for one side (`kubectl` takes A, `ourside` B), then `@` as
/// the side's name.
fn side(text: &str, side: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("@{") {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 2..];
        let Some(end) = tail.find('}') else {
            out.push_str(&rest[i..]);
            rest = "";
            break;
        };
        let (a, b) = tail[..end]
            .split_once('|')
            .unwrap_or((&tail[..end], &tail[..end]));
        out.push_str(if side == "kubectl" { a } else { b });
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
    out.replace('@', side)
}

/// The `@{A|B}` pairs of a case: in opsconsole's output, B reads as A.
fn pairs(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("@{") {
        let tail = &rest[i + 2..];
        let Some(end) = tail.find('}') else { break };
        if let Some((a, b)) = tail[..end].split_once('|') {
            out.push((a.to_string(), b.to_string()));
        }
        rest = &tail[end + 1..];
    }
    out
}

/// A working directory with the seed's files and the case's `= NAME` files.
fn workdir(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/seed002");
    for e in std::fs::read_dir(seed).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
    }
    let mut files: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("= ") {
            files.push((name.trim().to_string(), String::new()));
        } else if let (Some(body), Some((_, t))) = (
            line.strip_prefix("| ")
                .or(line.strip_prefix("|").filter(|r| r.is_empty())),
            files.last_mut(),
        ) {
            t.push_str(body);
            t.push('\n');
        }
    }
    for (name, body) in files {
        let sides: &[&str] = if name.contains('@') {
            &["kubectl", "ourside"]
        } else {
            &["@"]
        };
        for who in sides {
            let path = dir.path().join(name.replace('@', who));
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).unwrap();
            }
            let text = if *who == "@" {
                body.clone()
            } else {
                side(&body, who)
            };
            std::fs::write(path, text).unwrap();
        }
    }
    dir
}

/// The lines that differ (`-` kubectl's, `+` opsconsole's), with a little context.
fn unified(what: &str, theirs: &str, ours: &str) -> String {
    if theirs == ours {
        return String::new();
    }
    let diff = similar::TextDiff::from_lines(theirs, ours);
    format!(
        "  {what}:\n{}",
        diff.unified_diff()
            .context_radius(2)
            .header("kubectl", "opsconsole")
    )
}

fn run_case(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let s = Server::start_at("10");
    let kubectl = kubectl_132();
    let work = workdir(&text);
    let cwd = work.path();
    let twins = pairs(&text);
    let mut failures = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let at = format!("{}:{}", path.display(), n + 1);
        let (theirs_only, rest) = match line.split_at_checked(2) {
            Some(("> ", rest)) => (true, rest),
            Some(("$ ", rest)) => (false, rest),
            _ => continue,
        };
        // `$ CMD < FILE`: FILE (from the working directory) is the command's stdin.
        let (rest, input) = match rest.rsplit_once(" < ") {
            Some((c, f)) => (c, Some(f.trim())),
            None => (rest, None),
        };
        let stdin = |who: &str| {
            input.map(|f| std::fs::read(cwd.join(side(f, who))).expect("a case's stdin file"))
        };
        let words = |who: &str| {
            opsconsole_sim::lang::flags::split_line(&side(rest, who))
                .expect("a case's command line")
        };
        let theirs = words("kubectl");
        let refs: Vec<&str> = theirs.iter().map(String::as_str).collect();
        let real = s.run_kubectl_with_stdin(
            &kubectl,
            &s.kubeconfig,
            &refs,
            cwd,
            stdin("kubectl").as_deref(),
        );
        if theirs_only {
            assert_eq!(real.code, 0, "{at}: setup failed: {}", real.err);
            if rest.contains('@') {
                let twin = words("ourside");
                let refs: Vec<&str> = twin.iter().map(String::as_str).collect();
                let r = s.run_kubectl_in(&kubectl, &s.kubeconfig, &refs, cwd);
                assert_eq!(r.code, 0, "{at}: setup failed: {}", r.err);
            }
            continue;
        }
        let mine = ours(&s, &words("ourside"), cwd, stdin("ourside").as_deref());
        let back = |t: &str| {
            let mut t = t.replace("ourside", "kubectl");
            for (a, b) in &twins {
                t = t.replace(b.as_str(), a);
            }
            normalise(&t)
        };
        let (a, b) = (
            (real.code, normalise(&real.out), normalise(&real.err)),
            (mine.code, back(&mine.out), back(&mine.err)),
        );
        if a != b {
            failures.push(format!(
                "{at}: kubectl {rest}\n  exit: kubectl {}, opsconsole {}\n{}{}",
                a.0,
                b.0,
                unified("stdout", &a.1, &b.1),
                unified("stderr", &a.2, &b.2)
            ));
        }
    }
    failures
}

#[test]
fn opsconsole_kubectl_prints_what_kubectl_prints() {
    if !kubectl_present() {
        return;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kubectl/cases");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        // OPSCONSOLE_CASE=apply runs only the cases whose file names contain `apply`.
        .filter(|p| {
            std::env::var("OPSCONSOLE_CASE")
                .map_or(true, |only| p.to_string_lossy().contains(&only))
        })
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no cases in {}", dir.display());
    let failures: Vec<String> = cases.iter().flat_map(|c| run_case(c)).collect();
    assert!(
        failures.is_empty(),
        "{} of the commands differ:\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn ages_are_recognised() {
    for a in ["5s", "3m2s", "10d", "2y30d", "45m"] {
        assert!(is_age(a), "{a}");
    }
    for w in ["nginx", "1/1", "80/TCP", "s", "0", "v1.32.4", "5s5"] {
        assert!(!is_age(w), "{w}");
    }
}

/// `ctl kubectl` on a state no server serves: in process, over the API's own handler.
#[test]
fn ctl_kubectl_runs_in_process_when_nothing_serves_the_state() {
    let state = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(common::bin())
            .arg("--state")
            .arg(state.path())
            .args(["ctl", "--clock-start", common::CLOCK_START, "kubectl"])
            .args(args)
            .env_remove("KUBECONFIG")
            .output()
            .unwrap();
        common::Run {
            out: String::from_utf8_lossy(&out.stdout).into_owned(),
            err: String::from_utf8_lossy(&out.stderr).into_owned(),
            code: out.status.code().unwrap_or(-1),
        }
    };
    let nodes = run(&["get", "nodes"]).ok();
    let rows: Vec<Vec<&str>> = nodes
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(rows[0], ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]);
    assert_eq!(rows.len(), 5, "{nodes}");
    assert_eq!(
        rows[1][..3],
        ["192.168.122.11", "Ready", "control-plane,master"]
    );
    assert_eq!(rows[3][..3], ["192.168.122.13", "Ready", "<none>"]);
    let ns = run(&["get", "ns", "kube-system", "-o", "json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&ns).unwrap();
    assert_eq!(v["metadata"]["name"], "kube-system");
    assert!(ns.starts_with("{\n    \"apiVersion\": \"v1\",\n"), "{ns}");
    let r = run(&["get", "pdos"]);
    assert_eq!(
        (r.code, r.err.as_str()),
        (
            1,
            "error: the server doesn't have a resource type \"pdos\"\n"
        )
    );
    let r = run(&["get", "pods"]);
    assert_eq!(
        (r.code, r.out.as_str(), r.err.as_str()),
        (0, "", "No resources found in default namespace.\n")
    );
    assert!(
        run(&["version"])
            .ok()
            .ends_with("Server Version: v1.32.4\n")
    );
    // A command that waits fast-forwards simulated time: the pod deleted is gone (its
    // graceful termination ran) when `delete` returns, and its ReplicaSet has replaced it.
    let sim = |args: &[&str]| {
        let out = Command::new(common::bin())
            .arg("--state")
            .arg(state.path())
            .args(["ctl", "sim"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
    };
    sim(&["advance", "2m"]);
    let dns = [
        "-n",
        "kube-system",
        "get",
        "pods",
        "-l",
        "k8s-app=kube-dns",
        "-o",
        "name",
    ];
    let before = run(&dns).ok();
    let victim = before.lines().next().unwrap().to_string();
    let r = run(&["-n", "kube-system", "delete", &victim]);
    assert_eq!(
        (r.code, r.out.clone()),
        (0, format!("pod \"{}\" deleted\n", &victim["pod/".len()..]))
    );
    let r = run(&["-n", "kube-system", "get", &victim]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.err.contains("NotFound"), "{r:?}");
    let after = run(&dns).ok();
    assert_eq!(after.lines().count(), 2, "{after}");
    assert!(!after.contains(&victim), "{after}");
    assert_eq!(
        run(&[
            "-n",
            "kube-system",
            "scale",
            "deploy/coredns",
            "--replicas=3"
        ])
        .ok(),
        "deployment.apps/coredns scaled\n"
    );
    sim(&["advance", "1m"]);
    assert_eq!(run(&dns).ok().lines().count(), 3);
    // Commands that poll (run -i, drain) see the cluster's time pass while they wait.
    let r = run(&[
        "run",
        "once",
        "-i",
        "--rm",
        "--image=busybox",
        "--restart=Never",
        "--",
        "echo",
        "from",
        "once",
    ]);
    assert_eq!(
        (r.code, r.out.as_str()),
        (0, "from once\npod \"once\" deleted\n"),
        "{r:?}"
    );
    assert_eq!(run(&["get", "pod", "once"]).code, 1);
    let r = run(&[
        "drain",
        "192.168.122.13",
        "--ignore-daemonsets",
        "--delete-emptydir-data",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.out.ends_with("node/192.168.122.13 drained\n"), "{r:?}");
    // `config` edits the state's kubeconfig, with no cluster asked; the namespace its
    // current context names is where commands run in process start.
    assert_eq!(
        run(&["config", "set-context", "sim", "--namespace=kube-system"]).ok(),
        "Context \"sim\" created.\n"
    );
    assert_eq!(
        run(&["config", "use-context", "sim"]).ok(),
        "Switched to context \"sim\".\n"
    );
    assert_eq!(run(&["config", "current-context"]).ok(), "sim\n");
    assert!(state.path().join("kubeconfig").exists());
    let pods = run(&["get", "deploy", "-o", "name"]).ok();
    assert!(pods.contains("deployment.apps/coredns"), "{pods}");
    let r = run(&["config", "use-context", "nosuch"]);
    assert_eq!(
        (r.code, r.err.as_str()),
        (1, "error: no context exists with the name: \"nosuch\"\n")
    );
}

/// The global flags that are not about objects: `-v` logs each request as kubectl's klog
/// does, `--server` names a server (one that is not there gets kubectl's words, and
/// nothing falls back to the state in process), `--insecure-skip-tls-verify` and
/// `--token` go over the kubeconfig, and a local flag shadows a global of its name.
#[test]
fn global_flags_reach_the_client_as_kubectl_reads_them() {
    let s = Server::start_at("10");
    let cwd = s.home.path();
    let args = |a: &[&str]| a.iter().map(|w| w.to_string()).collect::<Vec<_>>();
    let r = ours(&s, &args(&["get", "ns", "default", "-v=6"]), cwd, None);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.out.starts_with("NAME"), "{r:?}");
    let log: Vec<&str> = r.err.lines().collect();
    assert!(
        log[0].contains("loader.go:402] Config loaded from file:"),
        "{log:?}"
    );
    assert!(
        log.iter().any(|l| l.starts_with('I')
            && l.contains("round_trippers.go:560] GET https://127.0.0.1:")
            && l.contains("/api/v1/namespaces/default 200 OK in ")),
        "{log:?}"
    );
    let r = ours(&s, &args(&["get", "ns", "-v=7"]), cwd, None);
    assert!(
        r.err.contains("round_trippers.go:480]     Accept: "),
        "{r:?}"
    );
    let r = ours(
        &s,
        &args(&["get", "ns", "--server=https://127.0.0.1:1"]),
        cwd,
        None,
    );
    assert_eq!(
        (r.code, r.err.as_str()),
        (
            1,
            "The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?\n"
        )
    );
    let r = ours(
        &s,
        &args(&[
            "get",
            "ns",
            "default",
            "-o",
            "name",
            "--insecure-skip-tls-verify",
            "--as=aliang",
            "--as-group=k8s",
        ]),
        cwd,
        None,
    );
    assert_eq!(
        (r.code, r.out.as_str()),
        (0, "namespace/default\n"),
        "{r:?}"
    );
    // `--user` here names the binding's subject, not a kubeconfig user.
    let r = ours(
        &s,
        &args(&[
            "create",
            "rolebinding",
            "rb",
            "--clusterrole=view",
            "--user=aliang",
        ]),
        cwd,
        None,
    );
    assert_eq!(
        (r.code, r.out.as_str()),
        (0, "rolebinding.rbac.authorization.k8s.io/rb created\n"),
        "{r:?}"
    );
    let r = ours(&s, &args(&["get", "ns", "--user=nobody"]), cwd, None);
    assert_eq!(r.code, 1, "{r:?}");
}

/// `ctl kubectl` on a state a console (or `serve` without `--kube-api`) holds: the command
/// goes to it over the state's socket and runs there, against its Kubernetes API, with
/// the cluster's clock running with the wall's.
#[test]
fn ctl_kubectl_runs_in_the_console_that_holds_the_state() {
    use std::io::BufRead;
    let state = tempfile::tempdir().unwrap();
    let mut child = Command::new(common::bin())
        .arg("--state")
        .arg(state.path())
        .args([
            "serve",
            "--seed",
            "1",
            "--speed",
            "20",
            "--clock-start",
            common::CLOCK_START,
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    assert_eq!(lines.next().unwrap().unwrap(), "ready");
    let run = |args: &[&str], stdin: Option<&[u8]>| {
        let mut cmd = Command::new(common::bin());
        cmd.arg("--state")
            .arg(state.path())
            .args(["ctl", "kubectl"])
            .args(args)
            .env_remove("KUBECONFIG");
        let out = output(cmd, stdin);
        common::Run {
            out: String::from_utf8_lossy(&out.stdout).into_owned(),
            err: String::from_utf8_lossy(&out.stderr).into_owned(),
            code: out.status.code().unwrap_or(-1),
        }
    };
    let r = run(
        &[
            "create",
            "deployment",
            "web",
            "--image=nginx",
            "--replicas=2",
        ],
        None,
    );
    assert_eq!(
        (r.code, r.out.as_str()),
        (0, "deployment.apps/web created\n"),
        "{r:?}"
    );
    let r = run(&["rollout", "status", "deploy/web", "--timeout=60s"], None);
    assert!(
        r.out
            .ends_with("deployment \"web\" successfully rolled out\n"),
        "{r:?}"
    );
    let r = run(
        &["exec", "-i", "deploy/web", "--", "sh"],
        Some(b"echo piped\n"),
    );
    assert_eq!((r.code, r.out.as_str()), (0, "piped\n"), "{r:?}");
    let manifest = b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: notes}\ndata: {a: b}\n";
    let r = run(&["apply", "-f", "-"], Some(manifest));
    assert_eq!(r.out, "configmap/notes created\n", "{r:?}");
    let r = run(
        &[
            "get",
            "deploy",
            "web",
            "-o",
            "jsonpath={.status.readyReplicas}",
        ],
        None,
    );
    assert_eq!(r.out, "2", "{r:?}");
    let _ = child.kill();
    let _ = child.wait();
    // The same state opened in process afterwards has all of it.
    let r = run(&["get", "cm", "notes", "-o", "jsonpath={.data.a}"], None);
    assert_eq!(r.out, "b", "{r:?}");
}
