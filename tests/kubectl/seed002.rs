//! Seed 002's Deployment lesson (002-01 to 002-09), replayed command by command with the real
//! kubectl: create, a deleted pod replaced, two `set image --record`, `rollout status`,
//! `rollout history` and `undo --to-revision=1` renumbering, scale 2/4/1/16 on the workers,
//! the 16-replica rolling update and the delete.

use super::{Server, kubectl_present, rows, words};

/// The node's pod block prefix (`10.3.166.` for `10.3.166.128/26`).
fn block(s: &Server, node: &str) -> String {
    let cidr = s
        .kubectl(&["get", "node", node, "-o", "jsonpath={.spec.podCIDR}"])
        .ok();
    let ip = cidr.split('/').next().unwrap();
    format!("{}.", ip.rsplit_once('.').unwrap().0)
}

/// `kubectl get pods -o wide` rows of deploy-nginx, once `n` are Running and no others left.
fn running(s: &Server, n: usize) -> Vec<Vec<String>> {
    let out = s.until(&["get", "pods", "-o", "wide"], |o| {
        let r = rows(o, "deploy-nginx-");
        r.len() == n && r.iter().all(|r| r[1..3] == ["1/1", "Running"])
    });
    rows(&out, "deploy-nginx-")
        .into_iter()
        .map(|r| r.into_iter().map(str::to_string).collect())
        .collect()
}

/// The template hash in a pod name `deploy-nginx-HASH-XXXXX`.
fn hash(pod: &str) -> &str {
    pod.rsplit('-').nth(1).unwrap()
}

/// `kubectl describe pod P |grep Image:`.
fn image_line(s: &Server, pod: &str) -> String {
    let d = s.kubectl(&["describe", "pod", pod]).ok();
    let lines: Vec<&str> = d.lines().filter(|l| l.contains("Image:")).collect();
    assert_eq!(lines.len(), 1, "{d}");
    lines[0].to_string()
}

fn nginx_version(s: &Server, pod: &str) -> String {
    let r = s.kubectl(&["exec", pod, "--", "nginx", "-v"]);
    assert_eq!(r.code, 0, "{}", r.err);
    format!("{}{}", r.out, r.err).trim().to_string()
}

/// `rollout history`'s (revision, change-cause) rows.
fn history(s: &Server) -> Vec<(String, String)> {
    let h = s
        .kubectl(&["rollout", "history", "deployment", "deploy-nginx"])
        .ok();
    let mut lines = h.lines();
    assert_eq!(lines.next(), Some("deployment.apps/deploy-nginx "), "{h}");
    assert_eq!(lines.next(), Some("REVISION  CHANGE-CAUSE"), "{h}");
    lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (rev, cause) = l.split_once(' ').unwrap();
            (rev.to_string(), cause.trim().to_string())
        })
        .collect()
}

fn set_image(s: &Server, tag: &str) {
    let r = s.kubectl(&[
        "set",
        "image",
        "deployment",
        "deploy-nginx",
        &format!("nginx=nginx:{tag}"),
        "--record",
    ]);
    assert_eq!(r.code, 0, "{}", r.err);
    assert_eq!(r.out.trim(), "deployment.apps/deploy-nginx image updated");
    assert!(
        r.err.contains("Flag --record has been deprecated"),
        "{}",
        r.err
    );
}

/// `rollout status` until it reports success; its progress lines are kubectl's.
fn rollout_status(s: &Server, replicas: u32) -> String {
    let out = s
        .kubectl(&[
            "rollout",
            "status",
            "deployment",
            "deploy-nginx",
            "--timeout=60s",
        ])
        .ok();
    let mut lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines.pop(),
        Some("deployment \"deploy-nginx\" successfully rolled out"),
        "{out}"
    );
    let waiting = "Waiting for deployment \"deploy-nginx\" rollout to finish: ";
    for l in lines {
        let what = l.strip_prefix(waiting).unwrap_or_else(|| panic!("{out}"));
        assert!(
            what.ends_with(&format!(
                " out of {replicas} new replicas have been updated..."
            )) || what.ends_with(&format!(" of {replicas} updated replicas are available..."))
                || what.ends_with(" old replicas are pending termination..."),
            "{out}"
        );
    }
    out
}

fn cause(tag: &str) -> String {
    format!("kubectl set image deployment deploy-nginx nginx=nginx:{tag} --record=true")
}

fn scale(s: &Server, n: u32) {
    let r = s
        .kubectl(&[
            "scale",
            "deployment",
            "deploy-nginx",
            &format!("--replicas={n}"),
        ])
        .ok();
    assert_eq!(r.trim(), "deployment.apps/deploy-nginx scaled");
}

const WORKERS: [&str; 2] = ["192.168.122.13", "192.168.122.14"];

#[test]
fn seed_002_deployment_lesson_replays_with_real_kubectl() {
    if !kubectl_present() {
        return;
    }
    deployment_lesson(&Server::start_at("10"));
}

#[test]
fn seed_002_deployment_lesson_replays_with_ctl_kubectl_alone() {
    deployment_lesson(&Server::start_ours("10"));
}

fn deployment_lesson(s: &Server) {
    // 002-01: create, then the Deployment, its pod and its ReplicaSet.
    let r = s.kubectl(&["apply", "-f", "deployment-nginx.yml"]).ok();
    assert_eq!(r.trim(), "deployment.apps/deploy-nginx created");
    let r = s.kubectl(&["apply", "-f", "deployment-nginx.yml"]).ok();
    assert_eq!(r.trim(), "deployment.apps/deploy-nginx unchanged");
    let d = s.until(&["get", "deployment"], |o| o.contains(" 1/1 "));
    assert_eq!(
        words(d.lines().next().unwrap()),
        ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    );
    assert_eq!(
        rows(&d, "deploy-nginx")[0][..4],
        ["deploy-nginx", "1/1", "1", "1"]
    );
    let first = running(s, 1).remove(0);
    let rev1 = hash(&first[0]).to_string();
    let rs = s.until(&["get", "rs"], |o| o.contains(" 1         1         1 "));
    assert_eq!(
        words(rs.lines().next().unwrap()),
        ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]
    );
    assert_eq!(
        rows(&rs, "deploy-nginx")[0][..4],
        [format!("deploy-nginx-{rev1}").as_str(), "1", "1", "1"]
    );
    // The short names.
    let short = s.kubectl(&["get", "deploy,rs", "-o", "name"]).ok();
    assert_eq!(
        short,
        format!("deployment.apps/deploy-nginx\nreplicaset.apps/deploy-nginx-{rev1}\n")
    );

    // 002-02: the pod's IP is in its worker's block.
    let wide = s.kubectl(&["get", "pods", "-o", "wide"]).ok();
    assert_eq!(
        words(wide.lines().next().unwrap()),
        [
            "NAME",
            "READY",
            "STATUS",
            "RESTARTS",
            "AGE",
            "IP",
            "NODE",
            "NOMINATED",
            "NODE",
            "READINESS",
            "GATES"
        ]
    );
    assert_eq!(first[7..], ["<none>", "<none>"]);
    assert!(WORKERS.contains(&first[6].as_str()), "{wide}");
    assert!(first[5].starts_with(&block(s, &first[6])), "{wide}");

    // 002-03: a deleted pod is replaced from the same ReplicaSet.
    let r = s.kubectl(&["delete", "pod", &first[0]]).ok();
    assert_eq!(r.trim(), format!("pod \"{}\" deleted", first[0]));
    let second = running(s, 1).remove(0);
    assert_ne!(second[0], first[0]);
    assert_eq!(hash(&second[0]), rev1);
    assert!(second[5].starts_with(&block(s, &second[6])));

    // 002-04: the image and nginx's version, then two upgrades with --record.
    assert_eq!(
        image_line(s, &second[0]),
        "    Image:          nginx:1.15-alpine"
    );
    assert_eq!(nginx_version(s, &second[0]), "nginx version: nginx/1.15.12");
    set_image(s, "1.16-alpine");
    rollout_status(s, 1);
    let third = running(s, 1).remove(0);
    let rev2 = hash(&third[0]).to_string();
    assert_ne!(rev2, rev1);
    assert_eq!(
        image_line(s, &third[0]),
        "    Image:          nginx:1.16-alpine"
    );
    assert_eq!(nginx_version(s, &third[0]), "nginx version: nginx/1.16.1");
    let rs = s.kubectl(&["get", "rs"]).ok();
    let old = rows(&rs, &format!("deploy-nginx-{rev1}"));
    assert_eq!(old[0][1..4], ["0", "0", "0"], "{rs}");
    set_image(s, "1.17-alpine");
    rollout_status(s, 1);

    // 002-05: history with change-causes, revision 1's template, undo renumbering to 2,3,4.
    assert_eq!(
        history(s),
        [
            ("1".into(), "<none>".into()),
            ("2".into(), cause("1.16-alpine")),
            ("3".into(), cause("1.17-alpine")),
        ]
    );
    let one = s
        .kubectl(&[
            "rollout",
            "history",
            "deployment",
            "deploy-nginx",
            "--revision=1",
        ])
        .ok();
    let one: Vec<Vec<&str>> = one.lines().map(words).collect();
    assert_eq!(
        one[0],
        ["deployment.apps/deploy-nginx", "with", "revision", "#1"]
    );
    assert_eq!(one[1], ["Pod", "Template:"]);
    assert_eq!(one[2], ["Labels:", "app=nginx"]);
    assert_eq!(one[3], [format!("pod-template-hash={rev1}").as_str()]);
    assert_eq!(one[5], ["nginx:"]);
    assert_eq!(one[6], ["Image:", "nginx:1.15-alpine"]);
    assert_eq!(one[7], ["Port:", "80/TCP"]);
    assert_eq!(one[8], ["Host", "Port:", "0/TCP"]);
    assert_eq!(
        one[9..12],
        [
            vec!["Environment:", "<none>"],
            vec!["Mounts:", "<none>"],
            vec!["Volumes:", "<none>"]
        ]
    );
    let r = s
        .kubectl(&[
            "rollout",
            "undo",
            "deployment",
            "deploy-nginx",
            "--to-revision=1",
        ])
        .ok();
    assert_eq!(r.trim(), "deployment.apps/deploy-nginx rolled back");
    rollout_status(s, 1);
    assert_eq!(
        history(s),
        [
            ("2".into(), cause("1.16-alpine")),
            ("3".into(), cause("1.17-alpine")),
            ("4".into(), "<none>".into()),
        ]
    );
    let back = running(s, 1).remove(0);
    assert_eq!(hash(&back[0]), rev1, "the revision-1 ReplicaSet is reused");
    assert_eq!(
        image_line(s, &back[0]),
        "    Image:          nginx:1.15-alpine"
    );
    assert_eq!(nginx_version(s, &back[0]), "nginx version: nginx/1.15.12");

    // 002-06: two replicas, one per worker; then four, on the workers only.
    scale(s, 2);
    let two = running(s, 2);
    assert!(two.iter().any(|p| p[0] == back[0]), "{two:?}");
    let mut nodes: Vec<&str> = two.iter().map(|p| p[6].as_str()).collect();
    nodes.sort();
    assert_eq!(nodes, WORKERS);
    scale(s, 4);
    let four = running(s, 4);
    for p in &two {
        assert!(four.iter().any(|q| q[0] == p[0]), "{four:?}");
    }
    assert!(
        four.iter().all(|p| WORKERS.contains(&p[6].as_str())),
        "{four:?}"
    );

    // 002-07: back to one: the oldest pod stays.
    scale(s, 1);
    let one = running(s, 1);
    assert_eq!(one[0][0], back[0]);

    // 002-08: sixteen replicas, then a rolling update to 1.17 (revision 3's template: its
    // ReplicaSet is reused and becomes revision 5).
    scale(s, 16);
    let sixteen = running(s, 16);
    assert!(sixteen.iter().all(|p| WORKERS.contains(&p[6].as_str())));
    assert!(sixteen.iter().all(|p| hash(&p[0]) == rev1));
    set_image(s, "1.17-alpine");
    rollout_status(s, 16);
    let rolled = running(s, 16);
    let rev3 = hash(&rolled[0][0]).to_string();
    assert!(
        rolled
            .iter()
            .all(|p| hash(&p[0]) == rev3 && rev3 != rev1 && rev3 != rev2)
    );
    assert!(rolled.iter().all(|p| WORKERS.contains(&p[6].as_str())));
    assert_eq!(
        history(s),
        [
            ("2".into(), cause("1.16-alpine")),
            ("4".into(), "<none>".into()),
            ("5".into(), cause("1.17-alpine")),
        ]
    );

    // 002-09: the Deployment goes, and its ReplicaSets and pods with it.
    let r = s.kubectl(&["create", "-f", "deployment-nginx.yml"]);
    assert_eq!(r.code, 1);
    assert!(
        r.err.contains("Error from server (AlreadyExists): error when creating \"deployment-nginx.yml\": deployments.apps \"deploy-nginx\" already exists"),
        "{}",
        r.err
    );
    let r = s.kubectl(&["delete", "deployment", "deploy-nginx"]).ok();
    assert_eq!(r.trim(), "deployment.apps \"deploy-nginx\" deleted");
    let r = s.kubectl(&["get", "deployment"]);
    assert_eq!(r.err.trim(), "No resources found in default namespace.");
    s.until(&["get", "pods,rs"], |o| o.is_empty());
    let r = s.kubectl(&["get", "deploy", "deploy-nginx"]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.err.trim(),
        "Error from server (NotFound): deployments.apps \"deploy-nginx\" not found"
    );
}
