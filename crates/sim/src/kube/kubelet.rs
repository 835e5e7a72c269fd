//! The kubelets: a pod bound to a node has its images pulled from the simulated catalog
//! and its containers started a moment later (an unknown image stays in ErrImagePull), gets
//! an IP from its node's pod block, and turns Ready.

use crate::base::time::{SimDuration, SimTime};
use crate::infra::images;
use crate::kube::names;
use crate::model::kube::*;
use crate::state::State;
use k8s_openapi::api::core::v1::{
    ContainerState, ContainerStateRunning, ContainerStateWaiting, ContainerStatus, PodCondition,
    PodIP,
};

/// From binding to running containers (pull and start).
pub const STARTUP: SimDuration = SimDuration::from_secs(2);

/// A pod whose containers have all ended for good.
pub fn finished(p: &Pod) -> bool {
    matches!(
        p.status.as_ref().and_then(|s| s.phase.as_deref()),
        Some("Succeeded" | "Failed")
    )
}

fn condition<'a>(p: &'a Pod, ty: &str) -> Option<&'a PodCondition> {
    p.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|cs| cs.iter().find(|c| c.type_ == ty))
}

/// Whether the pod is Ready.
pub fn ready(p: &Pod) -> bool {
    condition(p, "Ready").is_some_and(|c| c.status == "True")
}

fn started(p: &Pod) -> bool {
    p.status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .is_some_and(|cs| !cs.is_empty())
}

/// The first free address of the node's pod block (10.3.104.0/26 gives 10.3.104.1, ...).
fn pod_ip(st: &State, node: &str) -> Option<String> {
    let n = st.get::<KubeNode>(node)?;
    let cidr = n.spec.as_ref()?.pod_cidr.as_deref()?;
    let (base, bits) = cidr.split_once('/')?;
    let base: std::net::Ipv4Addr = base.parse().ok()?;
    let bits: u32 = bits.parse().ok()?;
    let size = 1u32 << (32 - bits.min(32));
    let used: std::collections::BTreeSet<String> = st
        .all::<Pod>()
        .filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(node))
        .filter_map(|p| p.status.as_ref().and_then(|s| s.pod_ip.clone()))
        .collect();
    (1..size.saturating_sub(1))
        .map(|i| std::net::Ipv4Addr::from(u32::from(base) + i).to_string())
        .find(|ip| !used.contains(ip))
}

fn cond(ty: &str, ok: bool, at: &Time) -> PodCondition {
    PodCondition {
        type_: ty.into(),
        status: if ok { "True" } else { "False" }.into(),
        last_transition_time: Some(at.clone()),
        ..Default::default()
    }
}

/// Starts what is due; returns when the next pod is due.
pub fn run(st: &mut State) -> Option<SimTime> {
    let now = st.now();
    let mut next: Option<SimTime> = None;
    let due: Vec<(String, String)> = st
        .all::<Pod>()
        .filter(|p| !finished(p) && !started(p) && p.metadata.deletion_timestamp.is_none())
        .filter_map(|p| {
            let node = p.spec.as_ref()?.node_name.clone()?;
            let bound =
                condition(p, "PodScheduled").and_then(|c| c.last_transition_time.as_ref())?;
            let at = sim_time(bound) + STARTUP;
            if at > now {
                next = Some(next.map_or(at, |n| n.min(at)));
                return None;
            }
            Some((object_key(&p.metadata), node))
        })
        .collect();
    for (key, node) in due {
        let ip = pod_ip(st, &node);
        let Some(pod) = st.get::<Pod>(&key).cloned() else {
            continue;
        };
        let pod = &pod;
        let t = time(now);
        let containers = pod
            .spec
            .as_ref()
            .map(|s| s.containers.clone())
            .unwrap_or_default();
        let mut all_ok = true;
        let statuses: Vec<ContainerStatus> = containers
            .iter()
            .map(|c| {
                let image = c.image.clone().unwrap_or_default();
                match images::lookup(&image) {
                    Some((_, r)) => ContainerStatus {
                        name: c.name.clone(),
                        image: format!("docker.io/{}", qualified(&r.familiar())),
                        image_id: format!(
                            "docker.io/{}@{}",
                            qualified(&r.repo),
                            images::digest_of(&r.familiar())
                        ),
                        container_id: Some(format!("containerd://{}", names::hex(&mut st.meta.kube.rng, 64))),
                        ready: true,
                        started: Some(true),
                        restart_count: 0,
                        state: Some(ContainerState {
                            running: Some(ContainerStateRunning { started_at: Some(t.clone()) }),
                            ..Default::default()
                        }),
                        ..Default::default()
                    },
                    None => {
                        all_ok = false;
                        ContainerStatus {
                            name: c.name.clone(),
                            image: image.clone(),
                            image_id: String::new(),
                            ready: false,
                            started: Some(false),
                            restart_count: 0,
                            state: Some(ContainerState {
                                waiting: Some(ContainerStateWaiting {
                                    reason: Some("ErrImagePull".into()),
                                    message: Some(format!(
                                        "failed to pull and unpack image \"docker.io/{}\": failed to resolve reference \"docker.io/{}\": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed",
                                        qualified(&image),
                                        qualified(&image)
                                    )),
                                }),
                                ..Default::default()
                            }),
                            ..Default::default()
                        }
                    }
                }
            })
            .collect();
        let bound = condition(pod, "PodScheduled").and_then(|c| c.last_transition_time.clone());
        st.update::<Pod>(&key, |p| {
            let s = p.status.get_or_insert_default();
            s.phase = Some(if all_ok { "Running" } else { "Pending" }.into());
            s.start_time = bound.clone();
            if let Some(ip) = ip {
                s.pod_ip = Some(ip.clone());
                s.pod_ips = Some(vec![PodIP { ip }]);
            }
            s.host_ips = s
                .host_ip
                .clone()
                .map(|ip| vec![k8s_openapi::api::core::v1::HostIP { ip }]);
            let scheduled = condition(p, "PodScheduled").cloned();
            let s = p.status.get_or_insert_default();
            s.conditions = Some(
                [
                    Some(cond("PodReadyToStartContainers", true, &t)),
                    Some(cond("Initialized", true, &t)),
                    Some(cond("Ready", all_ok, &t)),
                    Some(cond("ContainersReady", all_ok, &t)),
                    scheduled,
                ]
                .into_iter()
                .flatten()
                .collect(),
            );
            s.container_statuses = Some(statuses);
        });
    }
    next
}

/// `nginx:1.15-alpine` → `library/nginx:1.15-alpine` (Docker Hub's official images).
fn qualified(image: &str) -> String {
    if image.contains('/') {
        image.to_string()
    } else {
        format!("library/{image}")
    }
}
