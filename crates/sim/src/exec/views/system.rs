//! `info`, `version`, `images`.

use super::*;
use crate::Cluster;
use crate::base::rng::stable_hex64;
use crate::base::time::{SimTime, bytes_size};
use crate::infra::images;

pub fn info(cl: &Cluster, node: &Node) -> String {
    let cs = cl.containers_on_node(&node.id);
    let running = cs.iter().filter(|c| c.is_running()).count();
    let managers: Vec<&Node> = cl
        .state()
        .all::<Node>()
        .filter(|n| n.is_manager())
        .collect();
    let mut o = String::new();
    o.push_str(&format!(
        "Containers: {}\n Running: {running}\n Paused: 0\n Stopped: {}\n",
        cs.len(),
        cs.len() - running
    ));
    o.push_str(&format!("Images: {}\n", node.sim.images.len()));
    o.push_str(&format!(
        "Server Version: {}\n",
        node.description.engine.engine_version
    ));
    o.push_str("Storage Driver: overlay2\n Backing Filesystem: xfs\nLogging Driver: json-file\nCgroup Driver: cgroupfs\n");
    o.push_str("Plugins:\n Volume: local\n Network: bridge host macvlan null overlay\n Log: awslogs fluentd json-file journald syslog\n");
    o.push_str("Swarm: active\n");
    o.push_str(&format!(
        " NodeID: {}\n Is Manager: {}\n",
        node.id,
        node.is_manager()
    ));
    if node.is_manager() {
        let sw = &cl.state().meta.swarm;
        o.push_str(&format!(
            " ClusterID: {}\n Managers: {}\n Nodes: {}\n",
            sw.id,
            managers.len(),
            cl.state().count::<Node>()
        ));
        o.push_str(&format!(
            " Orchestration:\n  Task History Retention Limit: {}\n",
            sw.task_history_retention_limit
        ));
        o.push_str(" Raft:\n  Snapshot Interval: 10000\n  Number of Old Snapshots to Retain: 0\n  Heartbeat Tick: 1\n  Election Tick: 10\n");
        o.push_str(" Dispatcher:\n  Heartbeat Period: 5 seconds\n");
        o.push_str(" CA Configuration:\n  Expiry Duration: 3 months\n  Force Rotate: 0\n");
        o.push_str(&format!(" Autolock Managers: false\n Root Rotation In Progress: false\n Node Address: {}\n Manager Addresses:\n", node.ip()));
        for m in &managers {
            o.push_str(&format!("  {}:2377\n", m.ip()));
        }
    } else {
        o.push_str(&format!(
            " Node Address: {}\n Manager Addresses:\n",
            node.ip()
        ));
        for m in &managers {
            o.push_str(&format!("  {}:2377\n", m.ip()));
        }
    }
    o.push_str("Runtimes: runc\nDefault Runtime: runc\nInit Binary: docker-init\n");
    o.push_str("Kernel Version: 3.10.0-862.el7.x86_64\nOperating System: CentOS Linux 7 (Core)\nOSType: linux\n");
    o.push_str(&format!(
        "Architecture: {}\nCPUs: {}\nTotal Memory: {}\nName: {}\n",
        node.description.platform.architecture,
        node.description.resources.nano_cpus / 1_000_000_000,
        bytes_size(node.description.resources.memory_bytes),
        node.hostname()
    ));
    o.push_str(&format!("ID: {}\nDocker Root Dir: /var/lib/docker\nDebug Mode (client): false\nDebug Mode (server): false\nRegistry: https://index.docker.io/v1/\n", trunc_id(&stable_hex64(&node.id)).to_uppercase()));
    o.push_str("Live Restore Enabled: false\n\nopsconsole: this engine is simulated by the built-in cluster (`opsconsole ctl sim status`).\n");
    o
}

pub fn version(node: &Node) -> String {
    let v = &node.description.engine.engine_version;
    format!(
        "Client:\n Version:           {v}\n API version:       1.38\n Go version:        go1.10.3\n Git commit:        0ffa825\n Built:             Wed Jul 18 19:08:18 2018\n OS/Arch:           linux/amd64\n Experimental:      false\n\nServer:\n Engine:\n  Version:          {v}\n  API version:      1.38 (minimum version 1.12)\n  Go version:       go1.10.3\n  Git commit:       0ffa825\n  Built:            Wed Jul 18 19:10:42 2018\n  OS/Arch:          linux/amd64\n  Experimental:     false\n  opsconsole:       simulated engine ({})\n",
        env!("CARGO_PKG_VERSION")
    )
}

pub fn images_ls(cl: &Cluster, node: &Node, quiet: bool) -> String {
    let mut rows = Vec::new();
    for familiar in &node.sim.images {
        let Some((info, r)) = images::lookup(familiar) else {
            continue;
        };
        let id = images::image_id_of(familiar);
        let h = crate::base::rng::stable_hash(familiar);
        let created = SimTime::parse_rfc3339("2019-06-01T00:00:00Z")
            .map(|t| t + crate::base::time::SimDuration::from_hours((h % 9000) as i64))
            .unwrap_or_default();
        let size = (info.memory_mb.max(1) * 3 + (h % 60) as i64) * 1_000_000;
        if quiet {
            rows.push(vec![trunc_id(&id).to_string()]);
        } else {
            rows.push(vec![
                r.repo.clone(),
                r.tag.clone(),
                trunc_id(&id).to_string(),
                ago(created, cl.now()),
                crate::base::time::human_size(size),
            ]);
        }
    }
    if quiet {
        return rows.iter().map(|r| format!("{}\n", r[0])).collect();
    }
    table(&["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"], &rows)
}
