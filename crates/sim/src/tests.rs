//! Scenario tests of the orchestrator against the spec statements (A*, B*).

use crate::base::time::{SimDuration, SimTime};
use crate::infra::{images, logs};
use crate::model::*;
use crate::state::{EventAction, Kind};
use crate::swarm::{constraint, tasks as orchestrator};
use crate::*;
use std::collections::BTreeMap;

fn cluster() -> Cluster {
    seed_cluster(1, SimTime::parse_rfc3339("2026-11-22T10:00:00Z").unwrap())
}

fn node_id(c: &Cluster, host: &str) -> String {
    c.find_node(host).unwrap().id.clone()
}

fn create(c: &mut Cluster, spec: ServiceSpec) -> String {
    match c.apply(Command::CreateService { spec }).unwrap() {
        Outcome::Id(id) => id,
        o => panic!("{o:?}"),
    }
}

fn update(c: &mut Cluster, id: &str, f: impl FnOnce(&mut ServiceSpec)) {
    let mut spec = c.state().get::<Service>(id).unwrap().spec.clone();
    f(&mut spec);
    c.apply(Command::UpdateService {
        service: id.into(),
        spec,
    })
    .unwrap();
}

fn scale(c: &mut Cluster, id: &str, n: u64) {
    update(c, id, |s| s.mode = ServiceMode::Replicated { replicas: n });
}

fn secs(n: i64) -> SimDuration {
    SimDuration::from_secs(n)
}

fn host(c: &Cluster, node: &str) -> String {
    c.state()
        .get::<Node>(node)
        .map(|n| n.hostname().to_string())
        .unwrap_or_default()
}

/// Running tasks (desired running) per node hostname.
fn running_by_node(c: &Cluster, svc: &str) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for t in c.tasks_of_service(svc) {
        if t.status.state == TaskState::Running && t.desired_state == TaskState::Running {
            *m.entry(host(c, &t.node_id)).or_insert(0) += 1;
        }
    }
    m
}

fn running(c: &Cluster, svc: &str) -> usize {
    running_by_node(c, svc).values().sum()
}

fn add_workers(c: &mut Cluster, name: &str, count: u32, labels: &[(&str, &str)]) {
    c.apply(Command::AddNodes(NodeTemplate {
        name: name.into(),
        role: NodeRole::Worker,
        cpus: 4.0,
        memory: 8 << 30,
        labels: labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        count,
        arch: "x86_64".into(),
    }))
    .unwrap();
}

fn set_availability(c: &mut Cluster, host: &str, a: Availability) {
    let n = c.find_node(host).unwrap().clone();
    let mut spec = n.spec.clone();
    spec.availability = a;
    c.apply(Command::UpdateNode { node: n.id, spec }).unwrap();
}

fn with_constraints(mut s: ServiceSpec, cs: &[&str]) -> ServiceSpec {
    s.task_template
        .placement
        .get_or_insert_with(Default::default)
        .constraints = cs.iter().map(|x| x.to_string()).collect();
    s
}

fn pending_err(c: &Cluster, svc: &str) -> Vec<String> {
    c.tasks_of_service(svc)
        .iter()
        .filter(|t| t.status.state == TaskState::Pending)
        .map(|t| t.status.err.clone())
        .collect()
}

#[test]
fn seed000_walkthrough_core() {
    let mut c = cluster();
    let id = create(&mut c, basic_spec("my_nginx", "nginx", 1));
    c.advance(secs(30));
    assert_eq!(running(&c, &id), 1);
    scale(&mut c, &id, 4);
    c.advance(secs(30));
    let by = running_by_node(&c, &id);
    let mut counts: Vec<usize> = by.values().copied().collect();
    counts.sort();
    assert_eq!(counts, vec![1, 1, 2]);
    let n139 = node_id(&c, "node139");
    c.apply(Command::NodeDown { node: n139.clone() }).unwrap();
    c.advance(secs(5));
    assert_eq!(
        c.state().get::<Node>(&n139).unwrap().status.state,
        NodeState::Ready,
        "not yet detected"
    );
    c.advance(secs(60));
    assert_eq!(
        c.state().get::<Node>(&n139).unwrap().status.state,
        NodeState::Down
    );
    assert_eq!(running(&c, &id), 4);
    assert!(!running_by_node(&c, &id).contains_key("node139"));
    c.apply(Command::NodeUp { node: n139.clone() }).unwrap();
    c.advance(secs(60));
    assert!(
        !running_by_node(&c, &id).contains_key("node139"),
        "B17: no rebalancing"
    );
}

#[test]
fn failed_command_changes_nothing() {
    let mut c = cluster();
    let spec = with_constraints(basic_spec("bad", "nginx", 1), &["node.role=manager"]);
    let before = format!("{:?}", c.state().tables().nodes);
    let err = c.apply(Command::CreateService { spec }).unwrap_err();
    assert_eq!(
        err.0,
        "rpc error: code = InvalidArgument desc = constraint expected one operator from ==, !="
    );
    assert_eq!(c.state().count::<Service>(), 0);
    assert_eq!(before, format!("{:?}", c.state().tables().nodes));
    assert!(c.take_events().is_empty());
    // A batch is all or nothing.
    let good = basic_spec("good", "nginx", 1);
    let dup = basic_spec("good", "nginx", 1);
    let r = c.apply_all(vec![
        Command::CreateService { spec: good },
        Command::CreateService { spec: dup },
    ]);
    assert_eq!(r.unwrap_err().0, 1);
    assert_eq!(c.state().count::<Service>(), 0);
    assert_eq!(c.state().count::<Task>(), 0);
}

#[test]
fn changes_are_published_as_events() {
    let mut c = cluster();
    let id = create(&mut c, basic_spec("web", "nginx", 2));
    let ev = c.take_events();
    assert!(
        ev.iter()
            .any(|e| e.kind == Kind::Service && e.action == EventAction::Create && e.id == id)
    );
    assert_eq!(
        ev.iter()
            .filter(|e| e.kind == Kind::Task && e.action == EventAction::Create)
            .count(),
        2
    );
    assert!(ev.windows(2).all(|w| w[0].seq < w[1].seq));
    c.advance(secs(30));
    let ev = c.take_events();
    assert!(
        ev.iter()
            .any(|e| e.kind == Kind::Container && e.action == EventAction::Create)
    );
    assert!(
        ev.iter()
            .any(|e| e.kind == Kind::Task && e.action == EventAction::Update)
    );
}

#[test]
fn a_transaction_publishes_its_net_changes_and_undoes_them_all() {
    let mut c = cluster();
    c.take_events();
    let node = c.state().all::<Node>().next().unwrap().clone();
    let fresh = |id: &str| Node {
        id: id.into(),
        ..node.clone()
    };
    let events = |c: &mut Cluster| -> Vec<(Kind, EventAction, String)> {
        c.take_events()
            .into_iter()
            .map(|e| (e.kind, e.action, e.id))
            .collect()
    };
    for undo in [true, false] {
        let st = c.state_mut();
        if undo {
            st.begin();
        } else {
            st.begin_final();
        }
        st.insert(fresh("made"));
        st.update::<Node>("made", |n| n.description.hostname = "x".into());
        st.insert(fresh("gone"));
        st.remove::<Node>("gone");
        st.update::<Node>(&node.id, |n| n.description.hostname = "y".into());
        st.remove::<Node>(&node.id);
        st.commit();
        assert_eq!(
            events(&mut c),
            vec![
                (Kind::Node, EventAction::Create, "made".to_string()),
                (Kind::Node, EventAction::Remove, node.id.clone()),
            ],
            "undo: {undo}"
        );
        // Put things back for the next round.
        let st = c.state_mut();
        st.begin();
        st.remove::<Node>("made");
        st.insert(node.clone());
        st.commit();
        c.take_events();
    }
    // A rollback restores every object as it was before the transaction, however often it
    // changed, and publishes nothing.
    let before = format!("{:?}", c.state().tables().nodes);
    let st = c.state_mut();
    st.begin();
    for name in ["a", "b", "c"] {
        st.update::<Node>(&node.id, |n| n.description.hostname = name.into());
    }
    st.insert(fresh("made"));
    st.remove::<Node>(&node.id);
    st.rollback();
    assert_eq!(before, format!("{:?}", c.state().tables().nodes));
    assert!(events(&mut c).is_empty());
}

#[test]
fn only_a_saved_state_collects_changed_keys() {
    let mut c = cluster();
    c.advance(secs(5));
    assert!(c.state_mut().take_dirty().0.is_empty());
    c.state_mut().track_dirty();
    create(&mut c, basic_spec("web", "nginx", 1));
    let (keys, _) = c.state_mut().take_dirty();
    assert!(keys.iter().any(|(k, _)| *k == Kind::Service));
    assert!(keys.iter().any(|(k, _)| *k == Kind::Task));
}

#[test]
fn a2_only_ready_active_nodes_get_tasks() {
    let mut c = cluster();
    set_availability(&mut c, "node139", Availability::Pause);
    set_availability(&mut c, "node188", Availability::Drain);
    let id = create(&mut c, basic_spec("web", "nginx", 4));
    c.advance(secs(30));
    assert_eq!(
        running_by_node(&c, &id),
        BTreeMap::from([("manager43".to_string(), 4)])
    );
    // With only the manager down as well, nothing can be placed: explained.
    set_availability(&mut c, "manager43", Availability::Drain);
    scale(&mut c, &id, 5);
    c.advance(secs(5));
    let errs = pending_err(&c, &id);
    assert!(
        errs.iter()
            .all(|e| e == "no suitable node (3 nodes not available for new tasks)"),
        "{errs:?}"
    );
}

#[test]
fn a3_a4_constraints() {
    let mut c = cluster();
    let n188 = node_id(&c, "node188");
    let mut spec = c.find_node("node188").unwrap().spec.clone();
    spec.labels.insert("zone".into(), "East".into());
    c.apply(Command::UpdateNode { node: n188, spec }).unwrap();
    let id = create(
        &mut c,
        with_constraints(basic_spec("a", "nginx", 3), &["node.labels.zone == east"]),
    );
    c.advance(secs(30));
    assert_eq!(
        running_by_node(&c, &id),
        BTreeMap::from([("node188".to_string(), 3)]),
        "values match case-insensitively"
    );
    let id = create(
        &mut c,
        with_constraints(
            basic_spec("b", "nginx", 2),
            &["node.labels.zone != east", "node.role==worker"],
        ),
    );
    c.advance(secs(30));
    assert_eq!(
        running_by_node(&c, &id),
        BTreeMap::from([("node139".to_string(), 2)]),
        "missing label counts as \"\"; constraints AND"
    );
    let id = create(
        &mut c,
        with_constraints(basic_spec("c", "nginx", 1), &["node.labels.Zone == east"]),
    );
    c.advance(secs(10));
    assert_eq!(
        pending_err(&c, &id),
        ["no suitable node (scheduling constraints not satisfied on 3 nodes)"],
        "label names are case-sensitive"
    );
    let id = create(
        &mut c,
        with_constraints(
            basic_spec("d", "nginx", 1),
            &["node.ip == 192.168.31.0/24", "node.hostname != manager43"],
        ),
    );
    c.advance(secs(30));
    assert_eq!(running(&c, &id), 1);
    let id = create(
        &mut c,
        with_constraints(basic_spec("e", "nginx", 1), &["node.bogus == x"]),
    );
    c.advance(secs(10));
    assert_eq!(
        pending_err(&c, &id),
        ["no suitable node (scheduling constraints not satisfied on 3 nodes)"],
        "unknown key: no node matches"
    );
}

#[test]
fn a5_a6_a11_reservations() {
    let mut c = cluster();
    let mut spec = basic_spec("big", "nginx", 5);
    spec.task_template.resources = Some(ResourceRequirements {
        limits: None,
        reservations: Some(Resources {
            nano_cpus: 3_000_000_000,
            memory_bytes: 0,
        }),
    });
    let id = create(&mut c, spec);
    c.advance(secs(30));
    assert_eq!(running(&c, &id), 3, "one 3-CPU task per 4-CPU node");
    assert_eq!(
        pending_err(&c, &id),
        ["no suitable node (insufficient resources on 3 nodes)"; 2]
    );
    // Reservations are released once a task is past RUNNING; the pending ones then fit.
    set_availability(&mut c, "node139", Availability::Drain);
    c.advance(secs(30));
    assert_eq!(running(&c, &id), 2);
    let errs = pending_err(&c, &id);
    assert!(errs.iter().all(|e| e == "no suitable node (insufficient resources on 2 nodes; 1 node not available for new tasks)"), "{errs:?}");
}

#[test]
fn a7_max_replicas_per_node() {
    let mut c = cluster();
    let mut spec = basic_spec("m", "nginx", 4);
    spec.task_template.placement = Some(Placement {
        max_replicas: 1,
        ..Default::default()
    });
    let id = create(&mut c, spec);
    c.advance(secs(30));
    assert_eq!(running(&c, &id), 3);
    assert!(running_by_node(&c, &id).values().all(|n| *n == 1));
    assert_eq!(
        pending_err(&c, &id),
        ["no suitable node (max replicas per node limit exceed)"]
    );
}

#[test]
fn a8_host_ports_and_platform() {
    let mut c = cluster();
    let mut spec = basic_spec("h", "nginx", 4);
    spec.endpoint_spec = Some(EndpointSpec {
        mode: EndpointMode::Vip,
        ports: vec![PortConfig {
            name: String::new(),
            protocol: Protocol::Tcp,
            target_port: 80,
            published_port: 8080,
            publish_mode: PublishMode::Host,
        }],
    });
    let id = create(&mut c, spec);
    c.advance(secs(30));
    assert_eq!(running(&c, &id), 3);
    assert_eq!(
        pending_err(&c, &id),
        ["no suitable node (host-mode port already in use on 3 nodes)"]
    );
    // An amd64-only image on an arm64 node.
    c.apply(Command::AddNodes(NodeTemplate {
        name: "pi".into(),
        role: NodeRole::Worker,
        cpus: 4.0,
        memory: 4 << 30,
        labels: Labels::new(),
        count: 1,
        arch: "aarch64".into(),
    }))
    .unwrap();
    let id = create(
        &mut c,
        with_constraints(
            basic_spec("v", "dockersamples/visualizer", 1),
            &["node.hostname == pi"],
        ),
    );
    c.advance(secs(10));
    assert_eq!(
        pending_err(&c, &id),
        [
            "no suitable node (scheduling constraints not satisfied on 3 nodes; unsupported platform on 1 node)"
        ]
    );
}

#[test]
fn a9_a10_spread_fills_emptiest_nodes_first() {
    let mut c = cluster();
    add_workers(&mut c, "w", 3, &[]);
    create(&mut c, basic_spec("other", "nginx", 6));
    c.advance(secs(30));
    let id = create(&mut c, basic_spec("web", "nginx", 6));
    c.advance(secs(30));
    // Six nodes, six tasks: one each, whatever else runs there.
    assert!(
        running_by_node(&c, &id).values().all(|n| *n == 1),
        "{:?}",
        running_by_node(&c, &id)
    );
    assert_eq!(running_by_node(&c, &id).len(), 6);
    // Ties on this service's tasks go to nodes with fewer tasks in total.
    create(
        &mut c,
        with_constraints(
            basic_spec("busy", "nginx", 2),
            &[
                "node.hostname != w1",
                "node.hostname != w2",
                "node.hostname != w3",
            ],
        ),
    );
    c.advance(secs(30));
    let id2 = create(&mut c, basic_spec("next", "nginx", 3));
    c.advance(secs(30));
    let placed: Vec<String> = running_by_node(&c, &id2).keys().cloned().collect();
    assert_eq!(
        placed,
        ["w1", "w2", "w3"],
        "fewer active tasks in total wins ties"
    );
}

#[test]
fn a9a_nodes_with_recent_failures_sort_last() {
    let mut c = cluster();
    let n139 = node_id(&c, "node139");
    // Two equal workers; ties go to node188 (lower ID) until it has 5 recent failures.
    let id = create(
        &mut c,
        with_constraints(
            basic_spec("f", "opsconsole/crash", 1),
            &["node.role == worker"],
        ),
    );
    c.advance(secs(120));
    let failed_on = |n: &str| {
        c.tasks_of_service(&id)
            .iter()
            .filter(|t| t.node_id == n && t.status.state == TaskState::Failed)
            .count()
    };
    assert!(
        failed_on(&n139) > 0,
        "after 5 failures on node188 the task moves to node139"
    );
}

#[test]
fn a11_explanations_list_most_frequent_first() {
    let mut c = cluster();
    set_availability(&mut c, "node188", Availability::Drain);
    let id = create(
        &mut c,
        with_constraints(
            basic_spec("x", "nginx", 1),
            &["node.role == worker", "node.hostname != node139"],
        ),
    );
    c.advance(secs(5));
    assert_eq!(
        pending_err(&c, &id),
        [
            "no suitable node (scheduling constraints not satisfied on 2 nodes; 1 node not available for new tasks)"
        ]
    );
    // Retried when something changes.
    set_availability(&mut c, "node188", Availability::Active);
    c.advance(secs(30));
    assert_eq!(
        running_by_node(&c, &id),
        BTreeMap::from([("node188".to_string(), 1)])
    );
}

#[test]
fn a12_b3_global_services() {
    let mut c = cluster();
    let mut spec = basic_spec("g", "redis:alpine", 1);
    spec.mode = ServiceMode::Global {};
    let id = create(&mut c, spec);
    c.advance(secs(30));
    assert_eq!(running_by_node(&c, &id).len(), 3);
    let names: Vec<String> = c
        .tasks_of_service(&id)
        .iter()
        .map(|t| orchestrator::task_name("g", t))
        .collect();
    assert!(
        names
            .iter()
            .all(|n| n.starts_with("g.") && n.len() == 2 + 25),
        "B2: global tasks are named svc.nodeid"
    );
    // A new node gets one; a paused node keeps its task; a drained node loses it.
    add_workers(&mut c, "extra", 1, &[]);
    c.advance(secs(30));
    assert_eq!(running_by_node(&c, &id).len(), 4);
    set_availability(&mut c, "node139", Availability::Pause);
    c.advance(secs(10));
    assert!(running_by_node(&c, &id).contains_key("node139"));
    set_availability(&mut c, "node188", Availability::Drain);
    c.advance(secs(10));
    assert!(!running_by_node(&c, &id).contains_key("node188"));
    // Preassigned tasks failing filters stay pending with the bare explanation.
    let mut spec = basic_spec("gbig", "nginx", 1);
    spec.mode = ServiceMode::Global {};
    spec.task_template.resources = Some(ResourceRequirements {
        limits: None,
        reservations: Some(Resources {
            nano_cpus: 0,
            memory_bytes: 64 << 30,
        }),
    });
    let id = create(&mut c, spec);
    c.advance(secs(5));
    let errs = pending_err(&c, &id);
    assert!(
        !errs.is_empty() && errs.iter().all(|e| e == "insufficient resources on 1 node"),
        "{errs:?}"
    );
}

#[test]
fn a13_a15_placement_preferences_doc_example() {
    let mut c = cluster();
    // Take the seed nodes out, then add east x3, south x2, west x1.
    for h in ["manager43", "node139", "node188"] {
        set_availability(&mut c, h, Availability::Drain);
    }
    add_workers(&mut c, "east", 3, &[("datacenter", "east")]);
    add_workers(&mut c, "south", 2, &[("datacenter", "south")]);
    add_workers(&mut c, "west", 1, &[("datacenter", "west")]);
    let mut spec = basic_spec("p", "nginx", 9);
    spec.task_template.placement = Some(Placement {
        preferences: vec![PlacementPreference {
            spread: SpreadOver {
                spread_descriptor: "node.labels.datacenter".into(),
            },
        }],
        ..Default::default()
    });
    let id = create(&mut c, spec);
    c.advance(secs(30));
    let by = running_by_node(&c, &id);
    let dc = |p: &str| {
        by.iter()
            .filter(|(h, _)| h.starts_with(p))
            .map(|(_, n)| *n)
            .sum::<usize>()
    };
    assert_eq!((dc("east"), dc("south"), dc("west")), (3, 3, 3), "{by:?}");
    assert_eq!(by.get("west").copied(), Some(3));
    let mut south: Vec<usize> = by
        .iter()
        .filter(|(h, _)| h.starts_with("south"))
        .map(|(_, n)| *n)
        .collect();
    south.sort();
    assert_eq!(south, [1, 2]);
    assert!(
        by.iter()
            .filter(|(h, _)| h.starts_with("east"))
            .all(|(_, n)| *n == 1)
    );
}

#[test]
fn a14_no_rebalancing_across_branches() {
    let mut c = cluster();
    for h in ["manager43", "node139", "node188"] {
        set_availability(&mut c, h, Availability::Drain);
    }
    add_workers(&mut c, "a", 1, &[("dc", "a")]);
    let mut spec = basic_spec("p", "nginx", 4);
    spec.task_template.placement = Some(Placement {
        preferences: vec![PlacementPreference {
            spread: SpreadOver {
                spread_descriptor: "node.labels.dc".into(),
            },
        }],
        ..Default::default()
    });
    let id = create(&mut c, spec);
    c.advance(secs(30));
    add_workers(&mut c, "b", 1, &[("dc", "b")]);
    scale(&mut c, &id, 6);
    c.advance(secs(30));
    let by = running_by_node(&c, &id);
    assert_eq!(
        (by.get("a").copied(), by.get("b").copied()),
        (Some(4), Some(2)),
        "{by:?}"
    );
}

#[test]
fn a17_a20_binpack_and_random() {
    let mut c = cluster();
    c.apply(Command::SetStrategy(Strategy::Binpack)).unwrap();
    let id = create(&mut c, basic_spec("bp", "nginx", 5));
    c.advance(secs(30));
    assert_eq!(
        running_by_node(&c, &id).len(),
        1,
        "binpack fills one node: {:?}",
        running_by_node(&c, &id)
    );
    // With reservations, binpack moves on when a node is full.
    let mut spec = basic_spec("bp2", "nginx", 3);
    spec.task_template.resources = Some(ResourceRequirements {
        limits: None,
        reservations: Some(Resources {
            nano_cpus: 2_000_000_000,
            memory_bytes: 0,
        }),
    });
    let id2 = create(&mut c, spec);
    c.advance(secs(30));
    let by = running_by_node(&c, &id2);
    assert_eq!(by.values().sum::<usize>(), 3);
    assert!(by.values().any(|n| *n == 2), "{by:?}");
    c.apply(Command::SetStrategy(Strategy::Random)).unwrap();
    let id3 = create(&mut c, basic_spec("rnd", "nginx", 30));
    c.advance(secs(30));
    assert_eq!(running(&c, &id3), 30);
    assert!(
        running_by_node(&c, &id3).len() >= 2,
        "random spreads somewhere"
    );
}

#[test]
fn b1_modes_and_scale_to_zero() {
    let mut c = cluster();
    let id = create(&mut c, basic_spec("z", "nginx", 2));
    c.advance(secs(30));
    scale(&mut c, &id, 0);
    c.advance(secs(10));
    assert_eq!(running(&c, &id), 0);
    assert!(
        c.state().get::<Service>(&id).is_some(),
        "scale to 0 keeps the service"
    );
    let mut spec = c.state().get::<Service>(&id).unwrap().spec.clone();
    spec.mode = ServiceMode::Global {};
    let e = c
        .apply(Command::UpdateService {
            service: id.clone(),
            spec,
        })
        .unwrap_err();
    assert_eq!(
        e.0,
        "rpc error: code = InvalidArgument desc = service mode change is not allowed"
    );
}

#[test]
fn b5_b8_rejected_failed_complete_and_restart_conditions() {
    let mut c = cluster();
    let bad = create(&mut c, basic_spec("bad", "nosuch", 1));
    c.advance(secs(3));
    let t = c
        .tasks_of_service(&bad)
        .into_iter()
        .find(|t| t.status.state == TaskState::Rejected)
        .cloned()
        .expect("rejected");
    assert_eq!(
        t.status.err, "No such image: nosuch:latest",
        "error before STARTING: REJECTED"
    );
    let crash = create(&mut c, basic_spec("crash", "opsconsole/badstart", 1));
    c.advance(secs(5));
    let t = c
        .tasks_of_service(&crash)
        .into_iter()
        .find(|t| t.status.state > TaskState::Running)
        .cloned()
        .expect("ended");
    assert_eq!(
        t.status.state,
        TaskState::Failed,
        "error at STARTING: FAILED"
    );
    // Exit 0 gives COMPLETE; on-failure does not restart it.
    let mut spec = basic_spec("once", "busybox", 1);
    spec.task_template.container_spec.args = vec!["sh".into(), "-c".into(), "echo hi".into()];
    spec.task_template.restart_policy = Some(RestartPolicy {
        condition: Some(RestartCondition::OnFailure),
        ..Default::default()
    });
    let once = create(&mut c, spec);
    c.advance(secs(30));
    let ts = c.tasks_of_service(&once);
    assert_eq!(ts.len(), 1);
    assert_eq!(ts[0].status.state, TaskState::Complete);
    // any restarts even after exit 0, after the delay, in the same slot, with a history row.
    let mut spec = basic_spec("loop", "busybox", 1);
    spec.task_template.container_spec.args = vec!["sleep".into(), "2".into()];
    let lp = create(&mut c, spec);
    c.advance(secs(60));
    let ts = c.tasks_of_service(&lp);
    assert!(
        ts.len() >= 3 && ts.iter().all(|t| t.slot == 1),
        "{}",
        ts.len()
    );
    assert!(
        ts.len() <= 5,
        "B11: history limit 5 per slot (including the live task)"
    );
    // max-attempts per slot.
    let mut spec = basic_spec("max", "opsconsole/crash", 2);
    spec.task_template.restart_policy = Some(RestartPolicy {
        condition: Some(RestartCondition::Any),
        delay: Some(secs(1)),
        max_attempts: Some(2),
        window: None,
    });
    let mx = create(&mut c, spec);
    c.advance(SimDuration::from_mins(5));
    let ts = c.tasks_of_service(&mx);
    for slot in [1, 2] {
        assert_eq!(
            ts.iter().filter(|t| t.slot == slot).count(),
            3,
            "first run plus 2 restarts"
        );
    }
    assert!(ts.iter().all(|t| t.status.state == TaskState::Failed));
}

#[test]
fn b6_restart_delay_and_b10_history() {
    let mut c = cluster();
    let id = create(&mut c, basic_spec("d", "nginx", 1));
    c.advance(secs(30));
    let t0 = c.tasks_of_service(&id)[0].clone();
    c.apply(Command::TaskExit {
        task: t0.id.clone(),
        code: 1,
    })
    .unwrap();
    c.advance(SimDuration::from_millis(500));
    let new: Vec<Task> = c
        .tasks_of_service(&id)
        .into_iter()
        .filter(|t| t.id != t0.id)
        .cloned()
        .collect();
    assert_eq!(new.len(), 1);
    assert_eq!(
        new[0].desired_state,
        TaskState::Ready,
        "waits at READY for the restart delay"
    );
    assert_eq!(new[0].slot, 1);
    c.advance(secs(3));
    assert_eq!(
        c.state().get::<Task>(&new[0].id).unwrap().status.state,
        TaskState::Ready
    );
    c.advance(secs(5));
    assert_eq!(
        c.state().get::<Task>(&new[0].id).unwrap().status.state,
        TaskState::Running
    );
    let old = c.state().get::<Task>(&t0.id).unwrap();
    assert_eq!(
        (old.desired_state, old.status.state, old.status.err.as_str()),
        (
            TaskState::Shutdown,
            TaskState::Failed,
            "task: non-zero exit (1)"
        )
    );
}

#[test]
fn b9_condition_none_keeps_the_dead_slot() {
    let mut c = cluster();
    let mut spec = basic_spec("n", "nginx", 3);
    spec.task_template.restart_policy = Some(RestartPolicy {
        condition: Some(RestartCondition::None),
        ..Default::default()
    });
    let id = create(&mut c, spec);
    c.advance(secs(30));
    let t = c.tasks_of_service(&id)[0].id.clone();
    c.apply(Command::TaskExit { task: t, code: 2 }).unwrap();
    c.advance(secs(60));
    assert_eq!(running(&c, &id), 2);
    assert_eq!(c.tasks_of_service(&id).len(), 3, "not replaced");
    assert_eq!(
        c.replica_counts(c.state().get::<Service>(&id).unwrap()),
        (2, 3)
    );
}

#[test]
fn b11_history_limit_is_configurable() {
    let mut c = cluster();
    c.apply(Command::UpdateSwarm {
        task_history_limit: 2,
    })
    .unwrap();
    let mut spec = basic_spec("h", "busybox", 1);
    spec.task_template.container_spec.args = vec!["sleep".into(), "1".into()];
    let id = create(&mut c, spec);
    c.advance(SimDuration::from_mins(2));
    assert!(c.tasks_of_service(&id).len() <= 2);
    c.apply(Command::UpdateSwarm {
        task_history_limit: -1,
    })
    .unwrap();
    c.advance(SimDuration::from_mins(2));
    assert!(
        c.tasks_of_service(&id).len() > 10,
        "negative keeps everything"
    );
}

#[test]
fn b12_b13_scale_down_removes_busiest_nodes_first() {
    let mut c = cluster();
    let id = create(&mut c, basic_spec("s", "nginx", 6));
    c.advance(secs(30));
    assert!(running_by_node(&c, &id).values().all(|n| *n == 2));
    scale(&mut c, &id, 3);
    c.advance(secs(10));
    assert!(
        running_by_node(&c, &id).values().all(|n| *n == 1),
        "{:?}",
        running_by_node(&c, &id)
    );
    let slots: Vec<u64> = c.tasks_of_service(&id).iter().map(|t| t.slot).collect();
    assert_eq!(slots.len(), 3, "removed tasks are deleted once stopped");
    // Unassigned tasks go first.
    let mut spec = basic_spec("p", "nginx", 3);
    spec.task_template.placement = Some(Placement {
        max_replicas: 1,
        ..Default::default()
    });
    let p = create(&mut c, spec);
    c.advance(secs(30));
    scale(&mut c, &p, 5);
    c.advance(secs(5));
    assert_eq!(pending_err(&c, &p).len(), 2);
    scale(&mut c, &p, 3);
    c.advance(secs(5));
    assert_eq!(
        running(&c, &p),
        3,
        "the pending ones were removed, not the running ones"
    );
    assert!(pending_err(&c, &p).is_empty());
}

#[test]
fn b14_b16_node_down_drain_pause() {
    let mut c = cluster();
    let mut g = basic_spec("g", "redis", 1);
    g.mode = ServiceMode::Global {};
    let gid = create(&mut c, g);
    let id = create(&mut c, basic_spec("r", "nginx", 3));
    c.advance(secs(30));
    // Pause: existing tasks stay.
    set_availability(&mut c, "node188", Availability::Pause);
    c.advance(secs(30));
    assert_eq!(running_by_node(&c, &id).get("node188"), Some(&1));
    assert!(running_by_node(&c, &gid).contains_key("node188"));
    // Drain: replicated tasks move at once (no restart delay), global ones stop.
    set_availability(&mut c, "node188", Availability::Drain);
    c.advance(secs(3));
    assert!(!running_by_node(&c, &gid).contains_key("node188"));
    c.advance(secs(10));
    assert_eq!(running(&c, &id), 3);
    assert!(!running_by_node(&c, &id).contains_key("node188"));
    // Down: the global task is shut down, replicated ones restart elsewhere after the delay.
    let n139 = node_id(&c, "node139");
    c.apply(Command::NodeDown { node: n139.clone() }).unwrap();
    c.advance(secs(16));
    assert!(
        c.tasks_of_service(&gid)
            .iter()
            .filter(|t| t.node_id == n139)
            .all(|t| t.desired_state == TaskState::Shutdown)
    );
    c.advance(secs(30));
    assert_eq!(
        running_by_node(&c, &id),
        BTreeMap::from([("manager43".to_string(), 3)])
    );
    // B18: a day later the old tasks are orphaned.
    c.advance(SimDuration::from_hours(25));
    assert!(
        c.tasks_on_node(&n139)
            .iter()
            .all(|t| t.status.state == TaskState::Orphaned || t.status.state > TaskState::Running)
    );
    assert!(
        c.tasks_on_node(&n139)
            .iter()
            .any(|t| t.status.state == TaskState::Orphaned)
    );
}

#[test]
fn b18_node_rm() {
    let mut c = cluster();
    let id = create(
        &mut c,
        with_constraints(basic_spec("r", "nginx", 1), &["node.hostname == node188"]),
    );
    c.advance(secs(30));
    let n188 = node_id(&c, "node188");
    let e = c
        .apply(Command::RemoveNode {
            node: n188.clone(),
            force: false,
        })
        .unwrap_err();
    assert_eq!(
        e.0,
        format!(
            "rpc error: code = FailedPrecondition desc = node {n188} is not down and can't be removed"
        )
    );
    let t = c.tasks_of_service(&id)[0].id.clone();
    c.apply(Command::RemoveNode {
        node: n188,
        force: true,
    })
    .unwrap();
    let t = c.state().get::<Task>(&t).unwrap();
    assert_eq!(
        (t.status.state, t.status.message.as_ref()),
        (
            TaskState::Orphaned,
            "Task belonged to a node that has been deleted"
        )
    );
    let m = node_id(&c, "manager43");
    assert!(
        c.apply(Command::RemoveNode {
            node: m,
            force: true
        })
        .unwrap_err()
        .0
        .contains("must be demoted to worker before removal")
    );
}

#[test]
fn b19_node_no_longer_meets_constraints() {
    let mut c = cluster();
    let n188 = node_id(&c, "node188");
    let mut spec = c.find_node("node188").unwrap().spec.clone();
    spec.labels.insert("ssd".into(), "true".into());
    c.apply(Command::UpdateNode {
        node: n188.clone(),
        spec: spec.clone(),
    })
    .unwrap();
    let id = create(
        &mut c,
        with_constraints(basic_spec("c", "nginx", 1), &["node.labels.ssd == true"]),
    );
    c.advance(secs(30));
    assert_eq!(running(&c, &id), 1);
    spec.labels.remove("ssd");
    c.apply(Command::UpdateNode { node: n188, spec }).unwrap();
    let rejected: Vec<Task> = c
        .tasks_of_service(&id)
        .into_iter()
        .filter(|t| t.status.state == TaskState::Rejected)
        .cloned()
        .collect();
    assert_eq!(rejected.len(), 1);
    assert_eq!(
        rejected[0].status.err,
        "assigned node no longer meets constraints"
    );
    c.advance(secs(10));
    assert_eq!(
        pending_err(&c, &id),
        ["no suitable node (scheduling constraints not satisfied on 3 nodes)"]
    );
}

#[test]
fn b20_b21_b22_rolling_updates() {
    let mut c = cluster();
    let id = create(&mut c, basic_spec("u", "nginx", 4));
    c.advance(secs(30));
    let before: Vec<String> = c
        .tasks_of_service(&id)
        .iter()
        .map(|t| t.id.clone())
        .collect();
    // Replicas or update config alone recreate nothing.
    update(&mut c, &id, |s| {
        s.update_config = Some(UpdateConfig {
            parallelism: 2,
            ..UpdateConfig::default()
        })
    });
    c.advance(secs(30));
    let after: Vec<String> = c
        .tasks_of_service(&id)
        .iter()
        .map(|t| t.id.clone())
        .collect();
    assert_eq!(before, after);
    assert!(
        c.state()
            .get::<Service>(&id)
            .unwrap()
            .update_status
            .is_none()
    );
    // --force replaces every task.
    update(&mut c, &id, |s| s.task_template.force_update += 1);
    c.advance(secs(60));
    assert_eq!(running(&c, &id), 4);
    let current: Vec<&Task> = c
        .tasks_of_service(&id)
        .into_iter()
        .filter(|t| t.is_runnable())
        .collect();
    assert!(current.iter().all(|t| !before.contains(&t.id)));
    let st = c
        .state()
        .get::<Service>(&id)
        .unwrap()
        .update_status
        .clone()
        .unwrap();
    assert_eq!(
        (st.state, st.message.as_str()),
        (UpdateState::Completed, "update completed")
    );
    // Parallelism 1 with a delay: one slot at a time.
    update(&mut c, &id, |s| {
        s.update_config = Some(UpdateConfig {
            parallelism: 1,
            delay: secs(10),
            ..UpdateConfig::default()
        });
        s.task_template.container_spec.image = images::pin("nginx:1.16-alpine").unwrap();
    });
    assert_eq!(
        c.state()
            .get::<Service>(&id)
            .unwrap()
            .update_status
            .as_ref()
            .unwrap()
            .message,
        "update in progress"
    );
    c.advance(secs(9));
    let new_running = |c: &Cluster| {
        c.tasks_of_service(&id)
            .iter()
            .filter(|t| {
                t.status.state == TaskState::Running && t.spec.container_spec.image.contains("1.16")
            })
            .count()
    };
    assert_eq!(new_running(&c), 1);
    c.advance(secs(120));
    assert_eq!(new_running(&c), 4);
    // start-first: the old task keeps running until the new one runs.
    update(&mut c, &id, |s| {
        s.update_config = Some(UpdateConfig {
            parallelism: 1,
            order: UpdateOrder::StartFirst,
            ..UpdateConfig::default()
        });
        s.task_template.container_spec.image = images::pin("nginx:1.17-alpine").unwrap();
    });
    c.advance(secs(2));
    assert_eq!(running(&c, &id), 4, "start-first keeps capacity");
    c.advance(secs(120));
    assert!(
        c.tasks_of_service(&id)
            .iter()
            .filter(|t| t.status.state == TaskState::Running)
            .all(|t| t.spec.container_spec.image.contains("1.17"))
    );
}

#[test]
fn b23_b25_failure_actions() {
    let mut c = cluster();
    let id = create(&mut c, basic_spec("f", "nginx", 3));
    c.advance(secs(30));
    update(&mut c, &id, |s| {
        s.task_template.container_spec.image = images::pin("opsconsole/crash").unwrap()
    });
    c.advance(secs(60));
    let us = c
        .state()
        .get::<Service>(&id)
        .unwrap()
        .update_status
        .clone()
        .unwrap();
    assert_eq!(us.state, UpdateState::Paused);
    assert!(
        us.message
            .starts_with("update paused due to failure or early termination of task ")
    );
    c.advance(secs(120));
    assert_eq!(
        c.state()
            .get::<Service>(&id)
            .unwrap()
            .update_status
            .as_ref()
            .unwrap()
            .state,
        UpdateState::Paused,
        "B25"
    );
    // continue: the update goes on through the failures.
    update(&mut c, &id, |s| {
        s.update_config = Some(UpdateConfig {
            failure_action: FailureAction::Continue,
            ..UpdateConfig::default()
        });
        s.task_template.container_spec.image = images::pin("opsconsole/flaky").unwrap();
    });
    c.advance(secs(120));
    let us = c
        .state()
        .get::<Service>(&id)
        .unwrap()
        .update_status
        .clone()
        .unwrap();
    assert_eq!(us.state, UpdateState::Completed);
    // rollback: back to the previous spec, which is then cleared (B28).
    update(&mut c, &id, |s| {
        s.task_template.container_spec.image = images::pin("nginx:1.17-alpine").unwrap()
    });
    c.advance(secs(120));
    update(&mut c, &id, |s| {
        s.update_config = Some(UpdateConfig {
            failure_action: FailureAction::Rollback,
            ..UpdateConfig::default()
        });
        s.task_template.container_spec.image = images::pin("opsconsole/crash").unwrap();
    });
    c.advance(secs(120));
    let svc = c.state().get::<Service>(&id).unwrap();
    let us = svc.update_status.clone().unwrap();
    assert_eq!(us.state, UpdateState::RollbackCompleted);
    assert_eq!(us.message, "rollback completed");
    assert!(svc.previous_spec.is_none());
    assert!(
        svc.spec
            .task_template
            .container_spec
            .image
            .starts_with("nginx:1.17-alpine")
    );
    assert_eq!(running(&c, &id), 3);
}

#[test]
fn b24_pending_replacement_stalls_the_update() {
    let mut c = cluster();
    let id = create(&mut c, basic_spec("s", "nginx", 2));
    c.advance(secs(30));
    update(&mut c, &id, |s| {
        s.task_template.placement = Some(Placement {
            constraints: vec!["node.labels.never == here".into()],
            ..Default::default()
        })
    });
    c.advance(SimDuration::from_mins(5));
    let us = c
        .state()
        .get::<Service>(&id)
        .unwrap()
        .update_status
        .clone()
        .unwrap();
    assert_eq!(us.state, UpdateState::Updating, "stalled, not failed");
    assert_eq!(pending_err(&c, &id).len(), 1);
}

#[test]
fn b26_b27_manual_rollback_swaps_specs() {
    let mut c = cluster();
    let id = create(&mut c, basic_spec("r", "nginx", 2));
    c.advance(secs(30));
    let e = c
        .apply(Command::RollbackService {
            service: id.clone(),
        })
        .unwrap_err();
    assert_eq!(
        e.0,
        format!(
            "rpc error: code = FailedPrecondition desc = service {id} does not have a previous spec"
        )
    );
    scale(&mut c, &id, 4);
    c.advance(secs(30));
    c.apply(Command::RollbackService {
        service: id.clone(),
    })
    .unwrap();
    c.advance(secs(30));
    assert_eq!(running(&c, &id), 2, "rollback restores replicas too");
    let svc = c.state().get::<Service>(&id).unwrap();
    assert_eq!(
        svc.update_status.as_ref().unwrap().state,
        UpdateState::RollbackCompleted
    );
    // Twice returns to the newer spec.
    c.apply(Command::RollbackService {
        service: id.clone(),
    })
    .unwrap();
    c.advance(secs(30));
    assert_eq!(running(&c, &id), 4);
    // A rollback that replaces tasks reports progress.
    update(&mut c, &id, |s| {
        s.task_template.container_spec.image = images::pin("nginx:1.16-alpine").unwrap()
    });
    c.advance(secs(120));
    c.apply(Command::RollbackService {
        service: id.clone(),
    })
    .unwrap();
    let us = c
        .state()
        .get::<Service>(&id)
        .unwrap()
        .update_status
        .clone()
        .unwrap();
    assert_eq!(
        (us.state, us.message.as_str()),
        (UpdateState::RollbackStarted, "manually requested rollback")
    );
    c.advance(secs(120));
    assert!(
        c.tasks_of_service(&id)
            .iter()
            .filter(|t| t.status.state == TaskState::Running)
            .all(|t| t.spec.container_spec.image.starts_with("nginx:latest"))
    );
}

#[test]
fn quorum_loss_stops_orchestration() {
    let mut c = cluster();
    let id = create(&mut c, basic_spec("q", "nginx", 3));
    c.advance(secs(30));
    let m = node_id(&c, "manager43");
    c.apply(Command::NodeDown { node: m.clone() }).unwrap();
    c.advance(secs(60));
    assert!(c.leader().is_none());
    assert_eq!(
        c.apply(Command::CreateService {
            spec: basic_spec("x", "nginx", 1)
        })
        .unwrap_err()
        .0,
        NO_LEADER
    );
    c.apply(Command::NodeUp { node: m }).unwrap();
    c.advance(secs(60));
    assert!(c.leader().is_some());
    assert_eq!(running(&c, &id), 3, "the new leader catches up");
}

#[test]
fn logs_are_generated_bounded_and_merged() {
    let mut c = cluster();
    let mut spec = basic_spec("tang", "centos", 2);
    spec.task_template.container_spec.args = vec![
        "sh".into(),
        "-c".into(),
        "while true;do echo tang;sleep 1;done".into(),
    ];
    let id = create(&mut c, spec);
    c.advance(secs(40));
    let cs: Vec<Container> = c
        .tasks_of_service(&id)
        .iter()
        .filter_map(|t| c.state().index().container_by_task.get(&t.id))
        .filter_map(|cid| c.state().get::<Container>(cid).cloned())
        .collect();
    assert_eq!(cs.len(), 2);
    let lines = logs::read(&cs[0], c.now(), logs::Window::default());
    assert!(lines.len() >= 20 && lines.iter().all(|l| l.text == "tang"));
    let tail = logs::read(
        &cs[0],
        c.now(),
        logs::Window {
            tail: Some(3),
            ..Default::default()
        },
    );
    assert_eq!(tail.len(), 3);
    let merged = logs::merge(
        cs.iter()
            .map(|x| {
                (
                    x.id.clone(),
                    logs::read(x, c.now(), logs::Window::default()),
                )
            })
            .collect(),
    );
    assert!(merged.windows(2).all(|w| w[0].1.at <= w[1].1.at));
    // A chatty container is bounded.
    let chatty = create(&mut c, basic_spec("chatty", "opsconsole/chatty", 1));
    c.advance(SimDuration::from_mins(10));
    let cid = c
        .tasks_of_service(&chatty)
        .iter()
        .find_map(|t| c.state().index().container_by_task.get(&t.id).cloned())
        .unwrap();
    let ct = c.state().get::<Container>(&cid).unwrap();
    let (total, dropped) = logs::counts(ct, c.now());
    assert!(total > 1_000_000);
    assert_eq!(total - dropped, logs::LOG_LIMIT);
    assert_eq!(
        logs::read(ct, c.now(), logs::Window::default()).len() as u64,
        logs::LOG_LIMIT
    );
}

#[test]
fn oom_kill_when_limit_below_usage() {
    let mut c = cluster();
    let mut spec = basic_spec("db", "mysql:5.7", 1);
    spec.task_template.container_spec.env = vec!["MYSQL_ROOT_PASSWORD=x".into()];
    spec.task_template.resources = Some(ResourceRequirements {
        limits: Some(Resources {
            nano_cpus: 0,
            memory_bytes: 64 << 20,
        }),
        reservations: None,
    });
    let id = create(&mut c, spec);
    c.advance(secs(40));
    let t = c
        .tasks_of_service(&id)
        .into_iter()
        .find(|t| t.status.state == TaskState::Failed)
        .cloned()
        .expect("oom");
    assert_eq!(t.status.err, "task: non-zero exit (137)");
    let cid = c.state().index().container_by_task.get(&t.id).unwrap();
    assert!(c.state().get::<Container>(cid).unwrap().state.oom_killed);
}

mod properties {
    use super::*;
    use crate::model::Strategy as Sched;
    use proptest::prelude::{
        ProptestConfig, TestCaseError, any, prop_assert, prop_assert_eq, proptest,
    };
    use proptest::strategy::Strategy as _;

    #[derive(Debug, Clone)]
    struct NodeGen {
        avail: u8,
        down: bool,
        zone: u8,
        cpus: u8,
        mem_gb: u8,
        manager: bool,
    }

    #[derive(Debug, Clone)]
    struct SvcGen {
        replicas: u8,
        global: bool,
        constraint: u8,
        reserve_cpu_tenths: u8,
        reserve_mem_gb: u8,
        max_per_node: u8,
        pref: bool,
        host_port: bool,
    }

    fn node_gen() -> impl proptest::strategy::Strategy<Value = NodeGen> {
        (
            0u8..3,
            proptest::bool::weighted(0.2),
            0u8..4,
            1u8..9,
            1u8..17,
            proptest::bool::weighted(0.2),
        )
            .prop_map(|(avail, down, zone, cpus, mem_gb, manager)| NodeGen {
                avail,
                down,
                zone,
                cpus,
                mem_gb,
                manager,
            })
    }

    fn svc_gen() -> impl proptest::strategy::Strategy<Value = SvcGen> {
        (
            0u8..25,
            proptest::bool::weighted(0.2),
            0u8..6,
            0u8..30,
            0u8..6,
            0u8..4,
            any::<bool>(),
            proptest::bool::weighted(0.15),
        )
            .prop_map(
                |(
                    replicas,
                    global,
                    constraint,
                    reserve_cpu_tenths,
                    reserve_mem_gb,
                    max_per_node,
                    pref,
                    host_port,
                )| SvcGen {
                    replicas,
                    global,
                    constraint,
                    reserve_cpu_tenths,
                    reserve_mem_gb,
                    max_per_node,
                    pref,
                    host_port,
                },
            )
    }

    const CONSTRAINTS: [&[&str]; 6] = [
        &[],
        &["node.labels.zone == a"],
        &["node.labels.zone != b"],
        &["node.role == worker"],
        &["node.role == manager", "node.labels.zone == c"],
        &["node.hostname != n1"],
    ];

    fn build(nodes: &[NodeGen], svcs: &[SvcGen], strategy: Sched) -> (Cluster, Vec<String>) {
        let mut c = cluster();
        c.apply(Command::SetStrategy(strategy)).unwrap();
        // Replace the seed workers' roles with generated nodes.
        for h in ["node139", "node188"] {
            let id = node_id(&c, h);
            c.apply(Command::NodeDown { node: id.clone() }).unwrap();
        }
        c.advance(secs(20));
        for h in ["node139", "node188"] {
            let id = node_id(&c, h);
            c.apply(Command::RemoveNode {
                node: id,
                force: true,
            })
            .unwrap();
        }
        for (i, g) in nodes.iter().enumerate() {
            let mut labels = Labels::new();
            if g.zone < 3 {
                labels.insert("zone".into(), ["a", "b", "c"][g.zone as usize].into());
            }
            c.apply(Command::AddNodes(NodeTemplate {
                name: format!("n{i}"),
                role: if g.manager {
                    NodeRole::Manager
                } else {
                    NodeRole::Worker
                },
                cpus: g.cpus as f64,
                memory: (g.mem_gb as i64) << 30,
                labels,
                count: 1,
                arch: "x86_64".into(),
            }))
            .unwrap();
            let id = node_id(&c, &format!("n{i}"));
            let mut spec = c.state().get::<Node>(&id).unwrap().spec.clone();
            spec.availability = [
                Availability::Active,
                Availability::Pause,
                Availability::Drain,
            ][g.avail as usize];
            c.apply(Command::UpdateNode {
                node: id.clone(),
                spec,
            })
            .unwrap();
            if g.down {
                c.apply(Command::NodeDown { node: id }).unwrap();
            }
        }
        c.advance(secs(20));
        let mut ids = Vec::new();
        for (i, s) in svcs.iter().enumerate() {
            let mut spec = with_constraints(
                basic_spec(&format!("s{i}"), "nginx", s.replicas as u64),
                CONSTRAINTS[s.constraint as usize],
            );
            if s.global {
                spec.mode = ServiceMode::Global {};
            } else if s.max_per_node > 0 {
                spec.task_template
                    .placement
                    .get_or_insert_with(Default::default)
                    .max_replicas = s.max_per_node as u64;
            }
            if s.pref {
                spec.task_template
                    .placement
                    .get_or_insert_with(Default::default)
                    .preferences = vec![PlacementPreference {
                    spread: SpreadOver {
                        spread_descriptor: "node.labels.zone".into(),
                    },
                }];
            }
            spec.task_template.resources = Some(ResourceRequirements {
                limits: None,
                reservations: Some(Resources {
                    nano_cpus: s.reserve_cpu_tenths as i64 * 100_000_000,
                    memory_bytes: (s.reserve_mem_gb as i64) << 30,
                }),
            });
            if s.host_port {
                spec.endpoint_spec = Some(EndpointSpec {
                    mode: EndpointMode::Vip,
                    ports: vec![PortConfig {
                        name: String::new(),
                        protocol: Protocol::Tcp,
                        target_port: 80,
                        published_port: 9000 + i as u32,
                        publish_mode: PublishMode::Host,
                    }],
                });
            }
            ids.push(create(&mut c, spec));
        }
        c.advance(secs(90));
        (c, ids)
    }

    fn check(c: &Cluster) -> Result<(), TestCaseError> {
        let mut reserved: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        let mut per_node_svc: BTreeMap<(String, String), u64> = BTreeMap::new();
        for t in c.state().all::<Task>() {
            if t.node_id.is_empty()
                || t.status.state < TaskState::Assigned
                || t.status.state > TaskState::Running
            {
                if t.is_runnable() && t.status.state == TaskState::Pending && t.node_id.is_empty() {
                    prop_assert!(
                        t.status.err.starts_with("no suitable node"),
                        "pending without explanation: {:?}",
                        t.status
                    );
                }
                continue;
            }
            let n = c.state().get::<Node>(&t.node_id).unwrap();
            // Nodes were configured before any service: every task is a new task.
            prop_assert!(
                n.spec.availability == Availability::Active,
                "task on {} node {}",
                n.spec.availability.as_str(),
                n.hostname()
            );
            prop_assert!(
                n.status.state == NodeState::Ready,
                "task on down node {}",
                n.hostname()
            );
            let cons = constraint::parse(t.spec.constraints()).unwrap();
            prop_assert!(
                constraint::node_matches(&cons, n),
                "constraint broken on {}",
                n.hostname()
            );
            let r = t.spec.reservations();
            let e = reserved.entry(n.id.clone()).or_default();
            e.0 += r.nano_cpus;
            e.1 += r.memory_bytes;
            prop_assert!(
                e.0 <= n.description.resources.nano_cpus
                    && e.1 <= n.description.resources.memory_bytes,
                "over-reserved {}",
                n.hostname()
            );
            if t.desired_state <= TaskState::Running {
                let k = per_node_svc
                    .entry((n.id.clone(), t.service_id.clone()))
                    .or_default();
                *k += 1;
                let max = t.spec.max_replicas();
                prop_assert!(max == 0 || *k <= max, "max replicas broken");
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        #[test]
        fn scheduler_invariants(nodes in proptest::collection::vec(node_gen(), 1..10), svcs in proptest::collection::vec(svc_gen(), 1..6), strat in 0u8..3) {
            let strategy = [Sched::Spread, Sched::Binpack, Sched::Random][strat as usize];
            let (c, _) = build(&nodes, &svcs, strategy);
            check(&c)?;
        }

        #[test]
        fn same_inputs_same_cluster(nodes in proptest::collection::vec(node_gen(), 1..6), svcs in proptest::collection::vec(svc_gen(), 1..4)) {
            let (a, _) = build(&nodes, &svcs, Sched::Random);
            let (b, _) = build(&nodes, &svcs, Sched::Random);
            prop_assert_eq!(serde_json::to_string(&a.state().tables().tasks).unwrap(), serde_json::to_string(&b.state().tables().tasks).unwrap());
        }
    }
}

#[test]
fn manual_pause_and_resume_of_an_update() {
    let mut c = cluster();
    let id = create(&mut c, basic_spec("p", "nginx", 6));
    c.advance(secs(30));
    let prev_image = c
        .state()
        .get::<Service>(&id)
        .unwrap()
        .spec
        .task_template
        .container_spec
        .image
        .clone();
    // Nothing to pause yet.
    let e = c
        .apply(Command::PauseUpdate {
            service: id.clone(),
        })
        .unwrap_err();
    assert!(e.0.contains("has no update in progress"), "{}", e.0);
    update(&mut c, &id, |s| {
        s.update_config = Some(UpdateConfig {
            parallelism: 1,
            delay: secs(10),
            ..UpdateConfig::default()
        });
        s.task_template.container_spec.image = images::pin("nginx:1.16-alpine").unwrap();
    });
    c.advance(secs(12));
    c.apply(Command::PauseUpdate {
        service: id.clone(),
    })
    .unwrap();
    let new_image = |c: &Cluster| {
        c.tasks_of_service(&id)
            .iter()
            .filter(|t| t.desired_state == TaskState::Running)
            .filter(|t| t.spec.container_spec.image.contains("1.16"))
            .count()
    };
    let at_pause = new_image(&c);
    assert!((1..6).contains(&at_pause), "{at_pause}");
    let us = c.state().get::<Service>(&id).unwrap().update_status.clone();
    assert_eq!(
        us.as_ref().map(|u| (u.state, u.message.as_str())),
        Some((UpdateState::Paused, "update paused manually"))
    );
    // Paused: nothing more is replaced.
    c.advance(secs(120));
    assert_eq!(new_image(&c), at_pause);
    // Resume finishes the update and keeps the previous spec for a rollback.
    c.apply(Command::ResumeUpdate {
        service: id.clone(),
    })
    .unwrap();
    c.advance(secs(180));
    assert_eq!(new_image(&c), 6);
    let svc = c.state().get::<Service>(&id).unwrap();
    assert_eq!(
        svc.update_status.as_ref().map(|u| u.state),
        Some(UpdateState::Completed)
    );
    assert_eq!(
        svc.previous_spec
            .as_ref()
            .map(|p| p.task_template.container_spec.image.clone()),
        Some(prev_image)
    );
    let e = c
        .apply(Command::ResumeUpdate {
            service: id.clone(),
        })
        .unwrap_err();
    assert!(e.0.contains("has no paused update"), "{}", e.0);
}
