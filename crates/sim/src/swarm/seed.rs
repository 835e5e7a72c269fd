//! The swarm seed 000 builds, and specs with the CLI's defaults.

use crate::base::rng::Rng;
use crate::base::time::SimTime;
use crate::infra::images;
use crate::model::*;
use crate::state::State;
use crate::swarm::*;
use crate::{Cluster, FORMAT_VERSION, Meta};

#[allow(clippy::too_many_arguments)]
pub(crate) fn make_node(
    id: &str,
    hostname: &str,
    ip: &str,
    role: NodeRole,
    leader: bool,
    engine: &str,
    nano_cpus: i64,
    memory: i64,
    arch: &str,
    labels: Labels,
    now: SimTime,
) -> Node {
    let plugin = |t: &str, n: &str| PluginDescription {
        r#type: t.into(),
        name: n.into(),
    };
    Node {
        id: id.to_string(),
        version: Version::default(),
        created_at: now,
        updated_at: now,
        spec: NodeSpec {
            name: String::new(),
            labels,
            role,
            availability: Availability::Active,
        },
        description: NodeDescription {
            hostname: hostname.to_string(),
            platform: Platform {
                architecture: arch.to_string(),
                os: "linux".into(),
            },
            resources: Resources {
                nano_cpus,
                memory_bytes: memory,
            },
            engine: EngineDescription {
                engine_version: engine.to_string(),
                labels: Labels::new(),
                plugins: vec![
                    plugin("Log", "awslogs"),
                    plugin("Log", "fluentd"),
                    plugin("Log", "json-file"),
                    plugin("Log", "journald"),
                    plugin("Log", "syslog"),
                    plugin("Network", "bridge"),
                    plugin("Network", "host"),
                    plugin("Network", "macvlan"),
                    plugin("Network", "null"),
                    plugin("Network", "overlay"),
                    plugin("Volume", "local"),
                ],
            },
        },
        status: NodeStatus {
            state: NodeState::Ready,
            message: String::new(),
            addr: ip.to_string(),
        },
        manager_status: (role == NodeRole::Manager).then(|| ManagerStatus {
            leader,
            reachability: Reachability::Reachable,
            addr: format!("{ip}:2377"),
        }),
        sim: NodeSim {
            engine_up: true,
            ..Default::default()
        },
    }
}

/// Default node size: 4 CPUs and about 7.6 GiB, a typical tutorial VM.
pub const DEFAULT_NODE_CPUS: f64 = 4.0;
pub const DEFAULT_NODE_MEMORY: i64 = 8_200_000_000;

/// The swarm seed 000 builds: manager43 (leader), node139 and node188, no services.
pub fn seed_cluster(seed: u64, start: SimTime) -> Cluster {
    let mut rng = Rng::new(seed);
    let swarm_id = rng.swarm_id();
    let manager_token = format!(
        "SWMTKN-1-2lefzq18zohy9yr1vskutf1sfb2a590xz9d0mjj2m15zu9eprw-{}",
        &rng.swarm_id()
    );
    let meta = Meta {
        format: FORMAT_VERSION,
        seed,
        now: start,
        rng,
        version_seq: 0,
        event_seq: 0,
        strategy: Strategy::Spread,
        swarm: Swarm {
            id: swarm_id,
            version: Version::default(),
            created_at: start,
            updated_at: start,
            task_history_retention_limit: 5,
            join_tokens: JoinTokens {
                worker: "SWMTKN-1-2lefzq18zohy9yr1vskutf1sfb2a590xz9d0mjj2m15zu9eprw-2938j5f50t35ycut0vbj2sx0s".into(),
                manager: manager_token,
            },
            default_addr_pool: vec!["10.0.0.0/8".into()],
            subnet_size: 24,
        },
        sched_at: None,
        next_ingress_port: 30000,
        next_vxlan: 0,
        kube: Default::default(),
        pid_seq: 0,
    };
    let mut st = State::new(meta);
    st.begin();
    let cpus = (DEFAULT_NODE_CPUS * 1e9) as i64;
    // The IDs, addresses and engine versions seed 000's `docker node ls` shows.
    let seed_nodes = [
        (
            "3jcmnzjh0e99ipgshk1ykuovd",
            "manager43",
            "192.168.31.43",
            NodeRole::Manager,
            "18.06.0-ce",
        ),
        (
            "vww7ue2xprzg46bjx7afo4h04",
            "node139",
            "192.168.31.139",
            NodeRole::Worker,
            "18.06.1-ce",
        ),
        (
            "c5klw5ns4adcvumzgiv66xpyj",
            "node188",
            "192.168.31.188",
            NodeRole::Worker,
            "18.06.1-ce",
        ),
    ];
    for (id, host, ip, role, engine) in seed_nodes {
        let leader = role == NodeRole::Manager;
        st.insert(make_node(
            id,
            host,
            ip,
            role,
            leader,
            engine,
            cpus,
            DEFAULT_NODE_MEMORY,
            "x86_64",
            Labels::new(),
            start,
        ));
    }
    let ingress_id = st.meta.rng.swarm_id();
    st.insert(network::overlay(
        ingress_id,
        start,
        network::OverlaySpec {
            name: network::INGRESS.into(),
            subnet: "10.255.0.0/16".into(),
            gateway: "10.255.0.1".into(),
            vxlan: 4096,
            ingress: true,
            internal: false,
            attachable: false,
            options: Labels::new(),
            labels: Labels::new(),
        },
    ));
    st.commit();
    st.take_events();
    Cluster::from_state(st)
}

/// A service spec with the docker CLI's defaults filled in, for code that builds specs
/// without going through the command line (tests, demos).
pub fn basic_spec(name: &str, image: &str, replicas: u64) -> ServiceSpec {
    let image = images::pin(image).unwrap_or_else(|| image.to_string());
    ServiceSpec::cli_default(name, image, replicas)
}
