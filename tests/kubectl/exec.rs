//! Processes in pods (`kubectl exec` over WebSocket) and the protobuf bodies of `kubectl
//! create`, with the real kubectl.

use super::{KUBECTL, Server, kubectl_present};
use std::process::{Command, Stdio};

#[test]
fn exec_runs_the_containers_programs_over_websocket() {
    if !kubectl_present() {
        return;
    }
    let s = Server::start_at("10");
    s.kubectl(&["apply", "-f", "deployment-nginx.yml"]).ok();
    let pods = s.until(&["get", "pods", "-o", "name"], |o| o.starts_with("pod/"));
    let pod = pods.lines().next().unwrap().trim();
    s.until(&["get", pod], |o| o.contains("Running"));
    let name = pod.trim_start_matches("pod/");
    // nginx prints its version on stderr; 1.15-alpine is 1.15.12.
    let r = s.kubectl(&["exec", pod, "--", "nginx", "-v"]);
    assert_eq!(
        (r.code, r.err.as_str()),
        (0, "nginx version: nginx/1.15.12\n")
    );
    assert_eq!(
        s.kubectl(&["exec", pod, "--", "hostname"]).ok(),
        format!("{name}\n")
    );
    let html = s
        .kubectl(&["exec", pod, "--", "cat", "/usr/share/nginx/html/index.html"])
        .ok();
    assert!(html.contains("<h1>Welcome to nginx!</h1>"), "{html}");
    // A shell with a redirect and an exit status kubectl passes on.
    let r = s.kubectl(&[
        "exec",
        pod,
        "--",
        "sh",
        "-c",
        "echo hi > /tmp/x; cat /tmp/x; exit 3",
    ]);
    assert_eq!((r.code, r.out.as_str()), (3, "hi\n"));
    assert!(
        r.err.contains("command terminated with exit code 3"),
        "{}",
        r.err
    );
    let r = s.kubectl(&["exec", pod, "--", "sh", "-c", "nosuch"]);
    assert_eq!(r.code, 127);
    assert!(r.err.starts_with("sh: nosuch: not found\n"), "{}", r.err);
    // No shell in between: the runtime cannot find it.
    let r = s.kubectl(&["exec", pod, "--", "nosuch"]);
    assert_eq!(r.code, 1);
    assert!(
        r.err
            .contains("exec: \"nosuch\": executable file not found in $PATH"),
        "{}",
        r.err
    );
    let env = s.kubectl(&["exec", pod, "--", "env"]).ok();
    assert!(env.contains(&format!("HOSTNAME={name}\n")), "{env}");
    assert!(env.contains("KUBERNETES_SERVICE_HOST=10.96.0.1\n"), "{env}");
    // Stdin: a shell reading its commands, and cat copying what it is given.
    let mut child = Command::new(KUBECTL)
        .args(["exec", "-i", pod, "--", "sh"])
        .env("HOME", s.home.path())
        .env("KUBECONFIG", &s.kubeconfig)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"echo one\nls /usr/share/nginx/html\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).as_ref()
        ),
        (Some(0), "one\n50x.html\nindex.html\n")
    );
    s.kubectl(&["exec", pod, "-c", "nope", "--", "ls"])
        .fails_with("container nope is not valid for pod");
}

#[test]
fn kubectl_create_generators_send_protobuf_bodies_that_work() {
    if !kubectl_present() {
        return;
    }
    let s = Server::start_at("10");
    assert_eq!(
        s.kubectl(&["create", "namespace", "dev"]).ok(),
        "namespace/dev created\n"
    );
    let r = s.kubectl(&[
        "create",
        "deployment",
        "web",
        "--image=nginx:1.16-alpine",
        "--replicas=3",
        "--port=80",
        "-n",
        "dev",
    ]);
    assert_eq!(r.ok(), "deployment.apps/web created\n");
    let out = s.kubectl(&[
        "rollout",
        "status",
        "deploy/web",
        "-n",
        "dev",
        "--timeout=60s",
    ]);
    assert!(out.ok().contains("successfully rolled out"));
    let spec = s
        .kubectl(&["get", "deploy", "web", "-n", "dev", "-o", "jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].ports[0].containerPort} {.metadata.labels.app}"])
        .ok();
    assert_eq!(spec, "3 nginx:1.16-alpine 80 web");
    // Zero-valued fields Go leaves out of JSON stay out.
    let yaml = s
        .kubectl(&["get", "deploy", "web", "-n", "dev", "-o", "yaml"])
        .ok();
    assert!(
        !yaml.contains("hostPort") && !yaml.contains("generation: 0"),
        "{yaml}"
    );
    assert_eq!(
        s.kubectl(&[
            "create",
            "cronjob",
            "hello",
            "--image=busybox:1.28",
            "--schedule=*/1 * * * *",
            "--",
            "echo",
            "hi"
        ])
        .ok(),
        "cronjob.batch/hello created\n"
    );
    assert_eq!(
        s.kubectl(&["create", "job", "once", "--from=cronjob/hello"])
            .ok(),
        "job.batch/once created\n"
    );
    let owner = s
        .kubectl(&["get", "job", "once", "-o", "jsonpath={.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name} {.spec.template.spec.containers[0].command}"])
        .ok();
    assert_eq!(owner, "CronJob/hello [\"echo\",\"hi\"]");
    s.until(&["get", "job", "once"], |o| o.contains("Complete"));
    let logs = s.kubectl(&["logs", "job/once"]).ok();
    assert_eq!(logs, "hi\n");
    // Twice is refused as the real server refuses it.
    let r = s.kubectl(&["create", "namespace", "dev"]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.err,
        "Error from server (AlreadyExists): namespaces \"dev\" already exists\n"
    );
}

#[test]
fn service_accounts_secrets_and_config_maps_are_created_as_seed_003_creates_them() {
    if !kubectl_present() {
        return;
    }
    let s = Server::start_at("10");
    // Seed 003's service account and registry secret (protobuf bodies from typed clients).
    assert_eq!(
        s.kubectl(&[
            "create",
            "serviceaccount",
            "houbinglei",
            "-n",
            "kube-system"
        ])
        .ok(),
        "serviceaccount/houbinglei created\n"
    );
    assert_eq!(
        s.kubectl(&[
            "create",
            "secret",
            "docker-registry",
            "regcred",
            "--docker-server=registry.example.com",
            "--docker-username=aliang",
            "--docker-password=pw",
        ])
        .ok(),
        "secret/regcred created\n"
    );
    assert_eq!(
        s.kubectl(&[
            "create",
            "secret",
            "generic",
            "db",
            "--from-literal=user=admin",
            "--from-literal=password=s3cret",
        ])
        .ok(),
        "secret/db created\n"
    );
    assert_eq!(
        s.kubectl(&["create", "configmap", "conf", "--from-literal=a=1"])
            .ok(),
        "configmap/conf created\n"
    );
    let got = s.kubectl(&[
        "get",
        "secret",
        "db",
        "-o",
        "jsonpath={.type} {.data.password}",
    ]);
    assert_eq!(got.ok(), "Opaque czNjcmV0");
    let table = s.kubectl(&["get", "secrets,configmaps"]).ok();
    let lines: Vec<Vec<&str>> = table
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(lines[0], ["NAME", "TYPE", "DATA", "AGE"]);
    assert_eq!(lines[1][..3], ["secret/db", "Opaque", "2"]);
    assert_eq!(
        lines[2][..3],
        ["secret/regcred", "kubernetes.io/dockerconfigjson", "1"]
    );
    assert!(
        lines
            .iter()
            .any(|l| l.len() == 3 && l[..2] == ["configmap/conf", "1"]),
        "{table}"
    );
    // Every namespace has its default service account; `sa` is the short name.
    s.until(&["get", "sa", "-n", "kube-system"], |o| {
        o.contains("houbinglei") && o.contains("default")
    });
    s.kubectl(&["create", "configmap", "bad", "--from-literal=a b=1"])
        .fails_with("a valid config key must consist of alphanumeric characters");
}

#[test]
fn deleting_a_namespace_deletes_what_is_in_it_and_kubectl_waits_for_it() {
    if !kubectl_present() {
        return;
    }
    let s = Server::start_at("10");
    s.kubectl(&["create", "namespace", "dev"]).ok();
    s.kubectl(&[
        "create",
        "deployment",
        "web",
        "--image=nginx:1.16-alpine",
        "--replicas=2",
        "-n",
        "dev",
    ])
    .ok();
    s.kubectl(&[
        "rollout",
        "status",
        "deploy/web",
        "-n",
        "dev",
        "--timeout=60s",
    ])
    .ok();
    let r = s.kubectl(&["delete", "namespace", "dev"]);
    assert_eq!(r.ok(), "namespace \"dev\" deleted\n");
    // kubectl waited: it is gone, and so is everything in it.
    let r = s.kubectl(&["get", "namespace", "dev"]);
    assert_eq!(
        r.err,
        "Error from server (NotFound): namespaces \"dev\" not found\n"
    );
    let r = s.kubectl(&["get", "pods,rs,deploy,sa", "-n", "dev"]);
    assert_eq!(
        (r.code, r.out.as_str(), r.err.as_str()),
        (0, "", "No resources found in dev namespace.\n")
    );
    let r = s.kubectl(&["delete", "namespace", "kube-system"]);
    assert_eq!(
        r.err,
        "Error from server (Forbidden): namespaces \"kube-system\" is forbidden: this namespace may not be deleted\n"
    );
}
