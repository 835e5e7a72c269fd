//! The real kubectl (the dispatcher on this kind of machine, which runs kubectl 1.32 for a
//! server that reports minor 32) against `opsconsole serve --kube-api`: discovery, Tables,
//! OpenAPI, create/apply/patch/delete and kubectl's own error texts, over HTTPS with the
//! state's certificates. CI must have kubectl; elsewhere the test says it did not run.

#[path = "../common/mod.rs"]
mod common;
mod differential;
mod exec;
mod seed002;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const KUBECTL: &str = "kubectl";

struct Server {
    child: Child,
    kubeconfig: PathBuf,
    url: String,
    state: tempfile::TempDir,
    home: tempfile::TempDir,
    /// `kubectl` here means `opsconsole ctl kubectl`, with no kubectl on the PATH.
    ours: bool,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn kubectl_present() -> bool {
    let found = Command::new(KUBECTL)
        .arg("version")
        .arg("--client")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !found {
        assert!(
            std::env::var("CI").is_err(),
            "kubectl is not installed: CI must run the kubectl tests"
        );
        eprintln!("SKIPPED: kubectl is not installed here");
    }
    found
}

fn serve(state: &Path, speed: &str) -> (Child, String, PathBuf) {
    let mut child = Command::new(common::bin())
        .arg("--state")
        .arg(state)
        .args([
            "serve",
            "--kube-api",
            "127.0.0.1:0",
            "--seed",
            "1",
            "--speed",
            speed,
            "--clock-start",
            common::CLOCK_START,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start opsconsole serve");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut api = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("kube-api ") {
            let (url, kc) = rest.split_once(' ').unwrap();
            api = Some((url.to_string(), PathBuf::from(kc)));
        } else if line == "ready" {
            break;
        } else {
            panic!("serve said {line:?}");
        }
    }
    let (url, kc) = api.expect("serve printed where the API is");
    (child, url, kc)
}

impl Server {
    fn start() -> Server {
        Server::start_at("1")
    }

    /// A server whose simulated time runs `speed` times as fast as the clock.
    fn start_at(speed: &str) -> Server {
        let state = tempfile::tempdir().unwrap();
        let (child, url, kubeconfig) = serve(state.path(), speed);
        Server {
            child,
            kubeconfig,
            url,
            state,
            home: tempfile::tempdir().unwrap(),
            ours: false,
        }
    }

    /// The same, with every `kubectl` the test runs being `opsconsole ctl kubectl` (and no
    /// kubectl to be found on the PATH).
    fn start_ours(speed: &str) -> Server {
        let mut s = Server::start_at(speed);
        s.ours = true;
        s
    }

    /// Runs kubectl with a fresh HOME (no cached discovery or dispatcher answer).
    fn kubectl(&self, args: &[&str]) -> common::Run {
        self.kubectl_with(&self.kubeconfig, args)
    }

    fn kubectl_with(&self, kubeconfig: &Path, args: &[&str]) -> common::Run {
        self.run_kubectl(Path::new(KUBECTL), kubeconfig, args)
    }

    fn run_kubectl(&self, bin: &Path, kubeconfig: &Path, args: &[&str]) -> common::Run {
        let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/seed002");
        self.run_kubectl_in(bin, kubeconfig, args, &seed)
    }

    fn run_kubectl_in(
        &self,
        bin: &Path,
        kubeconfig: &Path,
        args: &[&str],
        cwd: &Path,
    ) -> common::Run {
        self.run_kubectl_with_stdin(bin, kubeconfig, args, cwd, None)
    }

    /// Runs kubectl with `stdin` as its input (none: no input at all).
    fn run_kubectl_with_stdin(
        &self,
        bin: &Path,
        kubeconfig: &Path,
        args: &[&str],
        cwd: &Path,
        stdin: Option<&[u8]>,
    ) -> common::Run {
        let mut cmd = if self.ours && bin == Path::new(KUBECTL) {
            let mut c = Command::new(common::bin());
            c.arg("--state")
                .arg(self.state.path())
                .args(["ctl", "kubectl"]);
            if kubeconfig != self.kubeconfig {
                c.arg(format!("--kubeconfig={}", kubeconfig.display()));
            }
            c.env("PATH", self.home.path()).env_remove("KUBECONFIG");
            c
        } else {
            let mut c = Command::new(bin);
            c.env("KUBECONFIG", kubeconfig);
            c
        };
        cmd.args(args)
            .env("HOME", self.home.path())
            .current_dir(cwd);
        let out = differential::output(cmd, stdin);
        common::Run {
            out: String::from_utf8_lossy(&out.stdout).into_owned(),
            err: String::from_utf8_lossy(&out.stderr).into_owned(),
            code: out.status.code().unwrap_or(-1),
        }
    }
}

impl Server {
    /// Runs kubectl until its output satisfies `done` (up to 40 s), and returns it.
    fn until(&self, args: &[&str], done: impl Fn(&str) -> bool) -> String {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(40);
        loop {
            let r = self.kubectl(args);
            if r.code == 0 && done(&r.out) {
                return r.out;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "kubectl {args:?} never got there:\n{}\n{}",
                r.out,
                r.err
            );
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
    }
}

fn words(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

#[test]
fn real_kubectl_reads_and_writes_the_built_in_cluster() {
    if !kubectl_present() {
        return;
    }
    let s = Server::start();
    let meta = std::fs::metadata(&s.kubeconfig).unwrap();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o777,
        0o600
    );
    assert!(s.url.starts_with("https://127.0.0.1:"), "{}", s.url);

    // The dispatcher picks kubectl 1.32 from the server's minor version.
    let v = s.kubectl(&["version"]).ok();
    assert!(v.contains("Server Version: v1.32.4"), "{v}");
    assert!(v.contains("Client Version: v1.32."), "{v}");

    // Seed 002's nodes, as kubectl prints them.
    let nodes = s.kubectl(&["get", "nodes"]).ok();
    let lines: Vec<&str> = nodes.lines().collect();
    assert_eq!(
        words(lines[0]),
        ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    );
    assert_eq!(lines.len(), 5, "{nodes}");
    assert_eq!(
        words(lines[1])[..3],
        ["192.168.122.11", "Ready", "control-plane,master"]
    );
    assert_eq!(words(lines[3])[..3], ["192.168.122.13", "Ready", "<none>"]);
    assert_eq!(words(lines[4])[4], "v1.32.4");
    let wide = s.kubectl(&["get", "no", "-o", "wide"]).ok();
    assert!(
        wide.lines().next().unwrap().contains("INTERNAL-IP"),
        "{wide}"
    );
    assert!(wide.contains("CentOS Linux 7 (Core)"), "{wide}");

    // kubectl pages lists (`--chunk-size`, 500 by default) and follows the continue tokens.
    let whole = s
        .kubectl(&["get", "pods", "-A", "-o", "name", "--chunk-size=0"])
        .ok();
    let paged = s
        .kubectl(&["get", "pods", "-A", "-o", "name", "--chunk-size=2"])
        .ok();
    assert!(whole.lines().count() > 4, "{whole}");
    assert_eq!(paged, whole);
    let table = s.kubectl(&["get", "pods", "-A", "--chunk-size=3"]).ok();
    assert_eq!(table.lines().count(), whole.lines().count() + 1, "{table}");

    let ns = s.kubectl(&["get", "ns"]).ok();
    for n in ["default", "kube-node-lease", "kube-public", "kube-system"] {
        assert!(ns.lines().any(|l| words(l)[..2] == [n, "Active"]), "{ns}");
    }
    let labels = s.kubectl(&["get", "ns", "default", "--show-labels"]).ok();
    assert!(
        labels.contains("kubernetes.io/metadata.name=default"),
        "{labels}"
    );
    let svc = s.kubectl(&["get", "svc", "-A"]).ok();
    assert!(
        svc.lines().any(|l| words(l)[..6]
            == [
                "default",
                "kubernetes",
                "ClusterIP",
                "10.96.0.1",
                "<none>",
                "443/TCP"
            ]),
        "{svc}"
    );
    let none = s.kubectl(&["get", "deploy"]);
    assert_eq!(none.code, 0);
    assert_eq!(none.err.trim(), "No resources found in default namespace.");

    let r = s.kubectl(&["get", "deploy", "-l", "app=nope"]);
    assert_eq!(r.err.trim(), "No resources found in default namespace.");
    let r = s.kubectl(&["get", "frobnicators"]);
    assert_eq!(r.code, 1);
    assert!(
        r.err
            .contains("the server doesn't have a resource type \"frobnicators\""),
        "{}",
        r.err
    );

    // Without a client certificate the server answers 401.
    let anon = s.home.path().join("anon.kubeconfig");
    let text = std::fs::read_to_string(&s.kubeconfig).unwrap();
    let cut = text.find("    client-certificate-data").unwrap();
    std::fs::write(&anon, format!("{}    token: not-a-token\n", &text[..cut])).unwrap();
    let r = s.kubectl_with(&anon, &["get", "nodes"]);
    assert_eq!(r.code, 1);
    assert!(
        r.err
            .contains("You must be logged in to the server (Unauthorized)"),
        "{}",
        r.err
    );
}

#[test]
fn acknowledged_writes_survive_kill_9() {
    if !kubectl_present() {
        return;
    }
    let mut s = Server::start();
    let ns = s.home.path().join("ns.json");
    std::fs::write(
        &ns,
        r#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"web"}}"#,
    )
    .unwrap();
    let r = s.kubectl(&["apply", "-f", ns.to_str().unwrap()]).ok();
    assert_eq!(r.trim(), "namespace/web created");
    // kill -9: no chance to save on the way out.
    let _ = Command::new("kill")
        .args(["-9", &s.child.id().to_string()])
        .status();
    let _ = s.child.wait();
    let (child, url, kubeconfig) = serve(s.state.path(), "1");
    s.child = child;
    s.url = url;
    s.kubeconfig = kubeconfig;
    // A new port: a new kubeconfig, and discovery cached for the old one does not apply.
    let ns = s.kubectl(&["get", "ns", "web"]).ok();
    assert!(
        ns.lines()
            .nth(1)
            .is_some_and(|l| words(l)[..2] == ["web", "Active"]),
        "{ns}"
    );
}

#[test]
fn bad_manifests_get_the_api_servers_errors_and_change_nothing() {
    if !kubectl_present() {
        return;
    }
    let s = Server::start();
    let dir = s.home.path();
    let unknown = dir.join("unknown.yml");
    std::fs::write(
        &unknown,
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  replicas: 1\n  frobs: 2\n  selector: {matchLabels: {a: b}}\n  template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: nginx, colour: red}]}}\n",
    )
    .unwrap();
    let r = s.kubectl(&["apply", "-f", unknown.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    assert!(
        r.err.contains("Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field \"spec.frobs\", unknown field \"spec.template.spec.containers[0].colour\""),
        "{}",
        r.err
    );
    let mismatch = dir.join("mismatch.yml");
    std::fs::write(
        &mismatch,
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: z\nspec:\n  selector: {matchLabels: {app: nginx}}\n  template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: nginx}]}}\n",
    )
    .unwrap();
    let r = s.kubectl(&["apply", "-f", mismatch.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.err.trim(),
        "The Deployment \"z\" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template `labels`"
    );
    let broken = dir.join("broken.yml");
    std::fs::write(
        &broken,
        "apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: [1\n",
    )
    .unwrap();
    let r = s.kubectl(&["apply", "-f", broken.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    assert!(r.err.contains("error converting YAML to JSON"), "{}", r.err);
    // Kinds and versions the server does not serve: kubectl's REST-mapping error (it finds
    // no schema in the OpenAPI documents, so it does not validate them itself).
    for (file, api, kind) in [
        ("kind.yml", "apps/v1", "Deploymnet"),
        ("version.yml", "apps/v2", "Deployment"),
        ("old.yml", "extensions/v1beta1", "Deployment"),
    ] {
        let path = dir.join(file);
        std::fs::write(
            &path,
            format!("apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: a\n"),
        )
        .unwrap();
        let r = s.kubectl(&["apply", "-f", path.to_str().unwrap()]);
        assert_eq!(r.code, 1, "{file}");
        assert_eq!(
            r.err.trim(),
            format!(
                "error: resource mapping not found for name: \"a\" namespace: \"\" from \"{}\": no matches for kind \"{kind}\" in version \"{api}\"\nensure CRDs are installed first",
                path.display()
            )
        );
    }
    let path = dir.join("noversion.yml");
    std::fs::write(&path, "kind: Deployment\nmetadata:\n  name: a\n").unwrap();
    let r = s.kubectl(&["apply", "-f", path.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    assert!(
        r.err.contains("error validating data: apiVersion not set"),
        "{}",
        r.err
    );
    // Names and pod specs as the API server validates them.
    let path = dir.join("pod.yml");
    std::fs::write(
        &path,
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: Bad_Name\nspec:\n  containers: []\n",
    )
    .unwrap();
    let r = s.kubectl(&["apply", "-f", path.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.err.trim(),
        "The Pod \"Bad_Name\" is invalid: \n* metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')\n* spec.containers: Required value"
    );
    let r = s.kubectl(&["create", "namespace", "Web"]);
    assert_eq!(r.code, 1);
    assert!(
        r.err.contains("The Namespace \"Web\" is invalid: metadata.name: Invalid value: \"Web\": a lowercase RFC 1123 label must consist of"),
        "{}",
        r.err
    );
    // A manifest over the API server's 3 MiB request limit.
    let path = dir.join("huge.yml");
    let mut huge = String::from(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: huge\n  annotations:\n    a: \"",
    );
    huge.push_str(&"x".repeat(3 << 20));
    huge.push_str("\"\n");
    std::fs::write(&path, huge).unwrap();
    let r = s.kubectl(&["create", "-f", path.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.err.trim(),
        format!(
            "Error from server (RequestEntityTooLarge): error when creating \"{}\": the request is too large: limit is 3145728",
            path.display()
        )
    );
    // A replace from a stale copy: 409, and the newer change stays.
    s.kubectl(&["create", "namespace", "stale"]).ok();
    let copy = s.kubectl(&["get", "namespace", "stale", "-o", "yaml"]).ok();
    let path = dir.join("stale.yml");
    std::fs::write(
        &path,
        copy.replace(
            "  name: stale\n",
            "  name: stale\n  annotations: {note: old}\n",
        ),
    )
    .unwrap();
    s.kubectl(&["label", "namespace", "stale", "fresh=yes"])
        .ok();
    let r = s.kubectl(&["replace", "-f", path.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.err.trim(),
        format!(
            "Error from server (Conflict): error when replacing \"{}\": Operation cannot be fulfilled on namespaces \"stale\": the object has been modified; please apply your changes to the latest version and try again",
            path.display()
        )
    );
    let now = s.kubectl(&["get", "namespace", "stale", "-o", "yaml"]).ok();
    assert!(
        now.contains("fresh: \"yes\"") && !now.contains("note: old"),
        "{now}"
    );
    // Nothing was created.
    let r = s.kubectl(&["get", "deploy,pods"]);
    assert_eq!(r.err.trim(), "No resources found in default namespace.");
    let r = s.kubectl(&["get", "ns", "huge"]);
    assert_eq!(r.code, 1);
    // Without validation the unknown fields are dropped, as the real server does.
    let r = s
        .kubectl(&["apply", "-f", unknown.to_str().unwrap(), "--validate=false"])
        .ok();
    assert_eq!(r.trim(), "deployment.apps/x created");
}

#[test]
fn watches_follow_the_cluster_for_get_w_and_rollout_status() {
    if !kubectl_present() {
        return;
    }
    let s = Server::start();
    s.kubectl(&["apply", "-f", "deployment-nginx.yml"]).ok();
    // An informer-style watch (list, then watch from its resourceVersion) until rolled out.
    let r = s.kubectl(&[
        "rollout",
        "status",
        "deployment/deploy-nginx",
        "--timeout=60s",
    ]);
    let out = r.ok();
    assert!(
        out.trim_end()
            .ends_with("deployment \"deploy-nginx\" successfully rolled out"),
        "{out}"
    );
    // `get -w`: the Table, then one row per change, as they happen.
    let child = Command::new(KUBECTL)
        .args(["get", "pods", "-w", "--request-timeout=8s"])
        .env("HOME", s.home.path())
        .env("KUBECONFIG", &s.kubeconfig)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    s.kubectl(&["scale", "deploy", "deploy-nginx", "--replicas=2"])
        .ok();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<Vec<&str>> = text.lines().map(words).collect();
    assert_eq!(
        lines[0],
        ["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
        "{text}"
    );
    let first = lines[1][0];
    assert_eq!(lines[1][1..3], ["1/1", "Running"], "{text}");
    let new: Vec<&Vec<&str>> = lines[2..].iter().filter(|l| l[0] != first).collect();
    assert!(
        new.first()
            .is_some_and(|l| l[2] == "Pending" || l[2] == "ContainerCreating"),
        "the new pod's first row: {text}"
    );
    assert!(
        new.last().is_some_and(|l| l[1..3] == ["1/1", "Running"]),
        "the new pod's last row: {text}"
    );
}

/// Rows of a `kubectl get` whose first column starts with `prefix`.
fn rows<'a>(out: &'a str, prefix: &str) -> Vec<Vec<&'a str>> {
    out.lines()
        .skip(1)
        .map(words)
        .filter(|w| w.first().is_some_and(|n| n.starts_with(prefix)))
        .collect()
}

#[test]
fn seed_002_replicaset_daemonset_jobs_and_cronjob_replay_with_real_kubectl() {
    if !kubectl_present() {
        return;
    }
    // Simulated time at ten times the clock: the CronJob's minutes pass in seconds.
    seed_002_replicaset_daemonset_jobs_and_cronjob(&Server::start_at("10"));
}

#[test]
fn seed_002_replicaset_daemonset_jobs_and_cronjob_replay_with_ctl_kubectl_alone() {
    seed_002_replicaset_daemonset_jobs_and_cronjob(&Server::start_ours("10"));
}

fn seed_002_replicaset_daemonset_jobs_and_cronjob(s: &Server) {
    // 002-10: a standalone ReplicaSet names its pods without a hash.
    let out = s.kubectl(&["apply", "-f", "rs-nginx.yml"]).ok();
    assert_eq!(out.trim(), "replicaset.apps/rs-nginx created");
    let rs = s.until(&["get", "rs"], |o| {
        rows(o, "rs-nginx")
            .first()
            .is_some_and(|r| r[1..4] == ["2", "2", "2"])
    });
    assert_eq!(
        words(rs.lines().next().unwrap()),
        ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]
    );
    let pods = s.kubectl(&["get", "pods"]).ok();
    let rs_pods = rows(&pods, "rs-nginx-");
    assert_eq!(rs_pods.len(), 2, "{pods}");
    for p in &rs_pods {
        assert_eq!(p[0].len(), "rs-nginx-".len() + 5, "{pods}");
    }
    let none = s.kubectl(&["get", "deployment"]);
    assert_eq!(none.err.trim(), "No resources found in default namespace.");
    s.kubectl(&["delete", "rs", "rs-nginx"]).ok();

    // 002-11: the DaemonSet tolerates the master taint and runs on all four nodes.
    let out = s.kubectl(&["apply", "-f", "daemonset-nginx.yml"]).ok();
    assert_eq!(out.trim(), "daemonset.apps/daemonset-nginx created");
    let ds = s.until(&["get", "ds"], |o| {
        rows(o, "daemonset-nginx")
            .first()
            .is_some_and(|r| r[1..6] == ["4", "4", "4", "4", "4"])
    });
    assert_eq!(
        words(ds.lines().next().unwrap()),
        [
            "NAME",
            "DESIRED",
            "CURRENT",
            "READY",
            "UP-TO-DATE",
            "AVAILABLE",
            "NODE",
            "SELECTOR",
            "AGE"
        ]
    );
    assert_eq!(rows(&ds, "daemonset-nginx")[0][6], "<none>");
    let wide = s.kubectl(&["get", "pods", "-o", "wide"]).ok();
    let mut nodes: Vec<&str> = rows(&wide, "daemonset-nginx-")
        .iter()
        .map(|r| r[6])
        .collect();
    nodes.sort();
    assert_eq!(
        nodes,
        [
            "192.168.122.11",
            "192.168.122.12",
            "192.168.122.13",
            "192.168.122.14"
        ],
        "{wide}"
    );
    for r in rows(&wide, "daemonset-nginx-") {
        let block = match r[6] {
            "192.168.122.11" => "10.3.137.",
            "192.168.122.12" => "10.3.180.",
            "192.168.122.13" => "10.3.166.",
            _ => "10.3.104.",
        };
        assert!(r[5].starts_with(block), "{wide}");
    }
    let r = s.kubectl(&[
        "set",
        "image",
        "daemonset",
        "daemonset-nginx",
        "c1=nginx:1.17-alpine",
        "--record",
    ]);
    assert_eq!(
        r.ok().trim(),
        "daemonset.apps/daemonset-nginx image updated"
    );
    // Replaced node by node, then every daemon pod runs the new image.
    s.until(
        &["rollout", "status", "ds/daemonset-nginx", "--timeout=30s"],
        |o| o.contains("daemon set \"daemonset-nginx\" successfully rolled out"),
    );
    let wide = s.kubectl(&["get", "pods", "-o", "wide"]).ok();
    let on13 = rows(&wide, "daemonset-nginx-")
        .into_iter()
        .find(|r| r[6] == "192.168.122.13")
        .unwrap()[0]
        .to_string();
    let d = s
        .kubectl(&[
            "get",
            "pod",
            &on13,
            "-o",
            "jsonpath={.spec.containers[0].image}",
        ])
        .ok();
    assert_eq!(d, "nginx:1.17-alpine");
    let history = s
        .kubectl(&["rollout", "history", "ds/daemonset-nginx"])
        .ok();
    assert!(
        history.contains(
            "kubectl set image daemonset daemonset-nginx c1=nginx:1.17-alpine --record=true"
        ),
        "{history}"
    );
    s.kubectl(&["delete", "ds", "daemonset-nginx"]).ok();

    // 002-12: the pi Job completes and its log is perl's bpi(2000), exactly.
    let out = s.kubectl(&["apply", "-f", "job.yml"]).ok();
    assert_eq!(out.trim(), "job.batch/pi created");
    let jobs = s.until(&["get", "jobs"], |o| {
        rows(o, "pi").first().is_some_and(|r| r[1] == "Complete")
    });
    assert_eq!(rows(&jobs, "pi")[0][2], "1/1", "{jobs}");
    let pods = s.kubectl(&["get", "pods"]).ok();
    let pi = &rows(&pods, "pi-")[0];
    assert_eq!(pi[1..4], ["0/1", "Completed", "0"], "{pods}");
    let log = s.kubectl(&["logs", pi[0]]).ok();
    let perl = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/seed002/pi-2000.txt"),
    )
    .unwrap();
    assert_eq!(log, perl);

    // 002-13: ten completions, one pod at a time, each saying hello.
    let out = s.kubectl(&["apply", "-f", "job2.yml"]).ok();
    assert_eq!(out.trim(), "job.batch/busybox-job created");
    let mut seen = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let pods = s.kubectl(&["get", "pods"]).ok();
        let running = rows(&pods, "busybox-job-")
            .iter()
            .filter(|r| r[2] != "Completed")
            .count();
        assert!(running <= 1, "parallelism 1: {pods}");
        let jobs = s.kubectl(&["get", "job", "busybox-job"]).ok();
        let done = rows(&jobs, "busybox-job")[0][2].to_string();
        if !seen.contains(&done) {
            seen.push(done.clone());
        }
        if done == "10/10" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{jobs}");
    }
    let counts: Vec<u32> = seen
        .iter()
        .map(|c| c.split('/').next().unwrap().parse().unwrap())
        .collect();
    assert!(counts.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
    let pods = s.kubectl(&["get", "pods"]).ok();
    let done = rows(&pods, "busybox-job-");
    assert_eq!(done.len(), 10, "{pods}");
    assert!(
        done.iter().all(|r| r[1..4] == ["0/1", "Completed", "0"]),
        "{pods}"
    );
    assert_eq!(s.kubectl(&["logs", done[0][0]]).ok(), "hello\n");

    // 002-14: the batch/v1beta1 CronJob is taken with the 1.24 warning, runs a Job each
    // minute and keeps the three newest.
    let r = s.kubectl(&["apply", "-f", "cronjob.yml"]);
    assert_eq!(r.out.trim(), "cronjob.batch/cronjob1 created");
    assert_eq!(r.code, 0);
    assert!(
        r.err.contains("Warning: batch/v1beta1 CronJob is deprecated in v1.21+, unavailable in v1.25+; use batch/v1 CronJob"),
        "{}",
        r.err
    );
    let cj = s.kubectl(&["get", "cronjob"]).ok();
    assert_eq!(
        rows(&cj, "cronjob1")[0][1..8],
        ["*", "*", "*", "*", "*", "<none>", "False"],
        "{cj}"
    );
    let first = s.until(&["get", "jobs"], |o| !rows(o, "cronjob1-").is_empty());
    let first = rows(&first, "cronjob1-")[0][0].to_string();
    // History: once a fourth run has completed, the first is gone and three Jobs are kept,
    // a minute apart.
    let jobs = s.until(&["get", "jobs"], |o| {
        let r = rows(o, "cronjob1-");
        r.len() == 3 && r.iter().all(|r| r[1] == "Complete") && r.iter().all(|r| r[0] != first)
    });
    let mut minutes: Vec<u64> = rows(&jobs, "cronjob1-")
        .iter()
        .map(|r| r[0].strip_prefix("cronjob1-").unwrap().parse().unwrap())
        .collect();
    minutes.sort();
    assert!(minutes.windows(2).all(|w| w[1] == w[0] + 1), "{jobs}");
    for r in rows(&jobs, "cronjob1-") {
        let minutes = r[0].strip_prefix("cronjob1-").unwrap();
        assert!(minutes.parse::<u64>().is_ok(), "{jobs}");
    }
    let pods = s.kubectl(&["get", "pods"]).ok();
    for r in rows(&pods, "cronjob1-") {
        let parts: Vec<&str> = r[0].split('-').collect();
        assert_eq!(parts.len(), 3, "{pods}");
        assert_eq!(parts[2].len(), 5, "{pods}");
    }
    let one = &rows(&pods, "cronjob1-")[0][0];
    let log = s.kubectl(&["logs", one]).ok();
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 2, "{log}");
    assert_eq!(lines[1], "hello kubernetes");
}
