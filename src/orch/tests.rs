//! Scenario tests of the orchestrator against the spec statements (A*, B*).

use super::model::*;
use super::time::{SimDuration, SimTime};
use super::*;

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

/// Running tasks per node hostname.
fn running_by_node(c: &Cluster, svc: &str) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for t in c.tasks_of_service(svc) {
        if t.status.state == TaskState::Running && t.desired_state == TaskState::Running {
            let host = c
                .state()
                .get::<Node>(&t.node_id)
                .unwrap()
                .hostname()
                .to_string();
            *m.entry(host).or_insert(0) += 1;
        }
    }
    m
}

fn scale(c: &mut Cluster, id: &str, n: u64) {
    let mut spec = c.state().get::<Service>(id).unwrap().spec.clone();
    spec.mode = ServiceMode::Replicated { replicas: n };
    c.apply(Command::UpdateService {
        service: id.into(),
        spec,
    })
    .unwrap();
}

#[test]
fn seed000_walkthrough_core() {
    let mut c = cluster();
    let id = create(&mut c, basic_spec("my_nginx", "nginx", 1));
    c.advance(SimDuration::from_secs(30));
    assert_eq!(running_by_node(&c, &id).values().sum::<usize>(), 1);
    scale(&mut c, &id, 4);
    c.advance(SimDuration::from_secs(30));
    let by = running_by_node(&c, &id);
    assert_eq!(by.values().sum::<usize>(), 4, "{by:?}");
    let mut counts: Vec<usize> = by.values().copied().collect();
    counts.sort();
    assert_eq!(counts, vec![1, 1, 2]);

    // node139 goes down: its tasks move, with history rows.
    let n139 = node_id(&c, "node139");
    let before139 = by.get("node139").copied().unwrap_or(0);
    c.apply(Command::NodeDown { node: n139.clone() }).unwrap();
    c.advance(SimDuration::from_secs(5));
    assert_eq!(
        c.state().get::<Node>(&n139).unwrap().status.state,
        NodeState::Ready,
        "not yet detected"
    );
    c.advance(SimDuration::from_secs(60));
    assert_eq!(
        c.state().get::<Node>(&n139).unwrap().status.state,
        NodeState::Down
    );
    let by = running_by_node(&c, &id);
    assert_eq!(by.values().sum::<usize>(), 4, "{by:?}");
    assert!(!by.contains_key("node139"));
    let shutdown_on_139 = c
        .tasks_of_service(&id)
        .iter()
        .filter(|t| {
            t.node_id == n139
                && t.desired_state == TaskState::Shutdown
                && t.status.state == TaskState::Running
        })
        .count();
    assert_eq!(
        shutdown_on_139, before139,
        "old tasks keep their last known state"
    );

    // node139 returns: nothing moves back.
    c.apply(Command::NodeUp { node: n139.clone() }).unwrap();
    c.advance(SimDuration::from_secs(60));
    assert!(!running_by_node(&c, &id).contains_key("node139"));

    // Stop the moved tasks' containers: replacements land on node139.
    let moved: Vec<(String, String)> = c
        .tasks_of_service(&id)
        .iter()
        .filter(|t| {
            t.status.state == TaskState::Running
                && t.created_at
                    > c.state().get::<Service>(&id).unwrap().created_at + SimDuration::from_secs(40)
        })
        .map(|t| {
            (
                t.node_id.clone(),
                c.state().index().container_by_task[&t.id].clone(),
            )
        })
        .collect();
    assert_eq!(moved.len(), before139);
    for (_, cid) in &moved {
        c.apply(Command::StopContainer {
            container: cid.clone(),
            timeout: None,
        })
        .unwrap();
    }
    c.advance(SimDuration::from_secs(30));
    let by = running_by_node(&c, &id);
    assert_eq!(by.get("node139").copied().unwrap_or(0), before139, "{by:?}");

    // Scale down to 1, then up to 3.
    scale(&mut c, &id, 1);
    c.advance(SimDuration::from_secs(30));
    assert_eq!(running_by_node(&c, &id).values().sum::<usize>(), 1);
    scale(&mut c, &id, 3);
    c.advance(SimDuration::from_secs(30));
    assert_eq!(running_by_node(&c, &id).values().sum::<usize>(), 3);
}

#[test]
fn failed_command_changes_nothing() {
    let mut c = cluster();
    let mut spec = basic_spec("bad", "nginx", 1);
    spec.task_template.placement = Some(Placement {
        constraints: vec!["node.role=manager".into()],
        ..Default::default()
    });
    let before = format!("{:?}", c.state().tables().nodes);
    let err = c.apply(Command::CreateService { spec }).unwrap_err();
    assert_eq!(
        err.0,
        "rpc error: code = InvalidArgument desc = constraint expected one operator from ==, !="
    );
    assert_eq!(c.state().count::<Service>(), 0);
    assert_eq!(before, format!("{:?}", c.state().tables().nodes));
    assert!(c.take_events().is_empty());
}
