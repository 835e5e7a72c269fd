//! Replays seed 000's Docker Swarm walkthrough through the real `opsconsole ctl` binary and
//! checks that the outcomes match the tutorial's.

mod common;
use common::*;
use std::collections::BTreeMap;

/// Running tasks of a service per node, from `docker service ps`.
fn running_per_node(c: &Cluster, svc: &str) -> BTreeMap<String, usize> {
    let t = c.ok(&format!("docker service ps {svc}"));
    let nodes = column(&t, "NODE");
    let desired = column(&t, "DESIRED STATE");
    let current = column(&t, "CURRENT STATE");
    let mut m = BTreeMap::new();
    for i in 0..nodes.len() {
        if desired[i] == "Running" && current[i].starts_with("Running") {
            *m.entry(nodes[i].clone()).or_insert(0) += 1;
        }
    }
    m
}

#[test]
fn seed_000_walkthrough() {
    let c = Cluster::new();

    // The swarm from the tutorial exists from the start.
    let nodes = c.ok("docker node ls");
    assert_eq!(
        column(&nodes, "HOSTNAME"),
        ["manager43", "node139", "node188"]
    );
    assert_eq!(column(&nodes, "MANAGER STATUS"), ["Leader", "", ""]);
    assert!(nodes.starts_with("ID                            HOSTNAME            STATUS              AVAILABILITY        MANAGER STATUS      ENGINE VERSION\n3jcmnzjh0e99ipgshk1ykuovd *   manager43"));
    let r = c.run("docker swarm init --advertise-addr 192.168.31.43");
    assert_eq!(r.code, 1);
    assert!(r.err.contains("This node is already part of a swarm"));
    assert!(c.ok("docker swarm join-token worker").contains("docker swarm join --token SWMTKN-1-2lefzq18zohy9yr1vskutf1sfb2a590xz9d0mjj2m15zu9eprw-2938j5f50t35ycut0vbj2sx0s 192.168.31.43:2377"));

    // Overlay network, then the service on it.
    let id = c.ok("docker network create -d overlay nginx_net");
    assert_eq!(id.trim().len(), 25);
    let nets = c.ok("docker network ls");
    assert!(
        nets.lines()
            .any(|l| l.contains("nginx_net") && l.contains("overlay") && l.contains("swarm")),
        "{nets}"
    );
    let out = c.ok(
        "docker service create --replicas 1 --network nginx_net --name my_nginx -p 80:80 nginx",
    );
    assert!(
        out.contains("overall progress: 1 out of 1 tasks")
            && out.ends_with("verify: Service converged\n"),
        "{out}"
    );
    let ls = c.ok("docker service ls");
    assert_eq!(column(&ls, "REPLICAS"), ["1/1"]);
    assert_eq!(column(&ls, "IMAGE"), ["nginx:latest"]);
    assert_eq!(column(&ls, "PORTS"), ["*:80->80/tcp"]);
    let pretty = c.ok("docker service inspect --pretty my_nginx");
    assert!(pretty.contains("Service Mode:\tReplicated\n Replicas:\t1\n"));
    assert!(pretty.contains(" Image:\t\tnginx:latest@sha256:b73f527d86e3461fd652f62cf47e7b375196063bbbd503e853af5be16597cb2e\n"));
    assert!(pretty.contains("Networks: nginx_net"));
    assert!(pretty.contains(
        " PublishedPort = 80\n  Protocol = tcp\n  TargetPort = 80\n  PublishMode = ingress\n"
    ));

    // Scale to 4: spread across all three nodes.
    let out = c.ok("docker service scale my_nginx=4");
    assert!(out.starts_with("my_nginx scaled to 4\noverall progress: 4 out of 4 tasks\n1/4: running   [==================================================>]"), "{out}");
    let per = running_per_node(&c, "my_nginx");
    let mut counts: Vec<usize> = per.values().copied().collect();
    counts.sort();
    assert_eq!(counts, [1, 1, 2], "{per:?}");
    let on139 = per.get("node139").copied().unwrap_or(0);
    assert!(on139 > 0);

    // node139 goes down: the manager notices, its tasks move, history rows remain.
    c.ok("sim node down node139");
    c.ok("sim advance 1m");
    let nodes = c.ok("docker node ls");
    assert_eq!(column(&nodes, "STATUS"), ["Ready", "Down", "Ready"]);
    let per = running_per_node(&c, "my_nginx");
    assert_eq!(per.values().sum::<usize>(), 4, "{per:?}");
    assert!(!per.contains_key("node139"));
    let ps = c.ok("docker service ps my_nginx");
    let history: Vec<&str> = ps
        .lines()
        .filter(|l| l.contains(" \\_ my_nginx."))
        .collect();
    assert_eq!(history.len(), on139, "{ps}");
    assert!(
        history
            .iter()
            .all(|l| l.contains("node139") && l.contains("Shutdown            Running")),
        "{ps}"
    );

    // node139 returns: nothing moves back.
    c.ok("sim node up node139");
    c.ok("sim advance 1m");
    assert!(!running_per_node(&c, "my_nginx").contains_key("node139"));
    assert_eq!(
        column(&c.ok("docker node ls"), "STATUS"),
        ["Ready", "Ready", "Ready"]
    );

    // Stop the moved tasks' containers on their nodes: the replacements go to node139.
    let ps = c.ok("docker service ps --no-trunc my_nginx");
    let moved: Vec<(String, String)> = ps
        .lines()
        .skip(1)
        .filter(|l| !l.contains("\\_"))
        .filter_map(|l| {
            let cells: Vec<&str> = l.split_whitespace().collect();
            let (id, name, node) = (cells[0], cells[1], cells[3]);
            let slot: u32 = name.rsplit('.').next()?.parse().ok()?;
            // The moved slots are the ones with a history row on node139.
            ps.contains(&format!("\\_ {name} "))
                .then(|| (node.to_string(), format!("my_nginx.{slot}.{id}")))
        })
        .collect();
    assert_eq!(moved.len(), on139, "{ps}");
    for (node, container) in &moved {
        let psa = c.ok_on(node, "docker ps -a");
        assert!(
            psa.contains(container.as_str()),
            "{container} not on {node}:\n{psa}"
        );
        assert_eq!(
            c.ok_on(node, &format!("docker stop {container}")).trim(),
            container
        );
    }
    c.ok("sim advance 30s");
    let per = running_per_node(&c, "my_nginx");
    assert_eq!(per.get("node139").copied().unwrap_or(0), on139, "{per:?}");
    let ps = c.ok("docker service ps my_nginx");
    assert_eq!(
        ps.lines()
            .filter(|l| l.contains("\\_") && l.contains("Shutdown            Complete"))
            .count(),
        on139,
        "{ps}"
    );

    // Scale down to 1: stopped, not removed.
    let out = c.ok("docker service scale my_nginx=1");
    assert!(out.contains("overall progress: 1 out of 1 tasks"));
    assert_eq!(column(&c.ok("docker service ls"), "REPLICAS"), ["1/1"]);
    let exited: usize = ["manager43", "node139", "node188"]
        .iter()
        .map(|n| c.ok_on(n, "docker ps -a").matches("Exited (0)").count())
        .sum();
    assert!(exited >= 3, "scale-down stops containers but leaves them");

    // update --replicas 3, then a new image.
    let out = c.ok("docker service update --replicas 3 my_nginx");
    assert!(
        out.starts_with("my_nginx\noverall progress: 3 out of 3 tasks\n"),
        "{out}"
    );
    assert_eq!(column(&c.ok("docker service ls"), "REPLICAS"), ["3/3"]);
    c.ok("docker service update --image nginx:new my_nginx");
    let ls = c.ok("docker service ls");
    assert_eq!(column(&ls, "IMAGE"), ["nginx:new"]);
    assert_eq!(column(&ls, "REPLICAS"), ["3/3"]);
    let ps = c.ok("docker service ps -f desired-state=running my_nginx");
    assert!(
        column(&ps, "IMAGE").iter().all(|i| i == "nginx:new"),
        "{ps}"
    );

    // Roll back to the previous spec.
    let out = c.ok("docker service rollback my_nginx");
    assert!(out.starts_with("my_nginx\nrollback: manually requested rollback\noverall progress: rolling back update: 3 out of 3 tasks\n"), "{out}");
    assert!(out.ends_with("verify: Service converged\n"));
    assert_eq!(
        column(&c.ok("docker service ls"), "IMAGE"),
        ["nginx:latest"]
    );
    let status = c.ok("docker service inspect --format {{.UpdateStatus.State}} my_nginx");
    assert_eq!(status.trim(), "rollback_completed");

    // Remove it: the service and its containers are gone.
    assert_eq!(c.ok("docker service rm my_nginx"), "my_nginx\n");
    c.ok("sim advance 10s");
    assert_eq!(
        column(&c.ok("docker service ls"), "NAME"),
        Vec::<String>::new()
    );
    assert!(!c.ok("docker ps -a").contains("my_nginx"));
    let r = c.run("docker service ps my_nginx");
    assert_eq!((r.code, r.err.trim()), (1, "no such service: my_nginx"));

    // A named volume mounted by a 3-replica service exists on every node that runs it.
    assert_eq!(
        c.ok("docker volume create --name testvolume"),
        "testvolume\n"
    );
    assert_eq!(
        c.ok("docker volume ls"),
        "DRIVER              VOLUME NAME\nlocal               testvolume\n"
    );
    let v = c.ok("docker volume inspect testvolume");
    assert!(
        v.contains("\"Mountpoint\": \"/var/lib/docker/volumes/testvolume/_data\""),
        "{v}"
    );
    assert!(v.contains("\"Scope\": \"local\""));
    c.ok("docker service create --replicas 3 --mount type=volume,src=testvolume,dst=/zjz --name test_nginx nginx");
    for n in ["manager43", "node139", "node188"] {
        assert!(c.ok_on(n, "docker volume ls").contains("testvolume"), "{n}");
    }
    let r = c.run("docker volume rm testvolume");
    assert_eq!(r.code, 1);
    assert!(
        r.err
            .starts_with("Error response from daemon: remove testvolume: volume is in use - ["),
        "{}",
        r.err
    );
    c.ok("docker service create --replicas 1 --mount type=bind,target=/usr/share/nginx/html/,source=/opt/web/ --network nginx_net --name zjz_nginx -p 8880:80 nginx");
    assert!(c.ok("docker service inspect --pretty zjz_nginx").contains(" Target:\t/usr/share/nginx/html/\n  Source:\t/opt/web/\n  ReadOnly:\tfalse\n  Type:\t\tbind\n"));

    // The three-service stack from the compose file.
    let compose =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/seed000-compose.yml");
    let out = c.ok(&format!(
        "docker stack deploy -c {} deploy_deamon",
        compose.display()
    ));
    assert_eq!(
        out,
        "Creating network deploy_deamon_default\nCreating service deploy_deamon_nginx\nCreating service deploy_deamon_portainer\nCreating service deploy_deamon_visualizer\n"
    );
    c.ok("sim advance 1m");
    let ls = c.ok("docker stack services deploy_deamon");
    assert_eq!(
        column(&ls, "NAME"),
        [
            "deploy_deamon_nginx",
            "deploy_deamon_portainer",
            "deploy_deamon_visualizer"
        ]
    );
    assert_eq!(column(&ls, "REPLICAS"), ["3/3", "1/1", "1/1"]);
    assert_eq!(
        column(&ls, "PORTS"),
        ["*:8888->80/tcp", "*:9000->9000/tcp", "*:8080->8080/tcp"]
    );
    for svc in ["deploy_deamon_visualizer", "deploy_deamon_portainer"] {
        assert_eq!(
            column(&c.ok(&format!("docker service ps {svc}")), "NODE"),
            ["manager43"],
            "node.role == manager"
        );
    }
    assert_eq!(
        c.ok("docker stack ls"),
        "NAME                SERVICES            ORCHESTRATOR\ndeploy_deamon       3                   Swarm\n"
    );

    // Drain node139: no tasks remain there, and it shows Drain.
    assert_eq!(
        c.ok("docker node update --availability drain node139"),
        "node139\n"
    );
    c.ok("sim advance 30s");
    assert_eq!(
        column(&c.ok("docker node ls"), "AVAILABILITY"),
        ["Active", "Drain", "Active"]
    );
    let ps = c.ok("docker node ps node139");
    assert!(
        column(&ps, "DESIRED STATE").iter().all(|d| d == "Shutdown"),
        "{ps}"
    );
    for svc in ["deploy_deamon_nginx", "test_nginx"] {
        let per = running_per_node(&c, svc);
        assert!(!per.contains_key("node139"), "{svc}: {per:?}");
    }
    assert_eq!(
        running_per_node(&c, "deploy_deamon_nginx")
            .values()
            .sum::<usize>(),
        3
    );
}

#[test]
fn same_seed_same_results() {
    let script = [
        "docker network create -d overlay nginx_net",
        "docker service create --replicas 3 --network nginx_net --name web -p 80:80 nginx",
        "sim node down node188",
        "sim advance 2m",
        "docker service update --image nginx:1.17-alpine web",
        "docker service ps --no-trunc web",
        "docker service inspect web",
        "docker ps -a --no-trunc",
    ];
    let run = || {
        let c = Cluster::new();
        script
            .iter()
            .map(|s| c.run(s))
            .map(|r| format!("{}|{}|{}", r.code, r.out, r.err))
            .collect::<Vec<_>>()
    };
    assert_eq!(run(), run());
}

/// `stack deploy -c -` reads the compose file from standard input, as docker's does; with
/// nothing on it, the error says so and nothing is deployed.
#[test]
fn a_stack_deploys_from_standard_input() {
    let c = Cluster::new();
    let compose = std::fs::read_to_string("tests/data/seed000-compose.yml").unwrap();
    let r = c.run_with_stdin("docker stack deploy -c - piped", &compose);
    assert_eq!(r.code, 0, "{}", r.err);
    assert!(r.out.contains("Creating service piped_nginx"), "{}", r.out);
    let services = c.ok("docker stack services piped");
    assert!(services.contains("piped_nginx"), "{services}");
    let r = c.run_with_stdin("docker stack deploy -c - empty", "");
    assert_eq!(r.code, 1);
    assert!(r.err.contains("services"), "{}", r.err);
    assert!(c.run("docker stack services empty").code != 0);
}
