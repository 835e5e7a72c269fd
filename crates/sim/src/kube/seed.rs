//! The Kubernetes cluster a new state starts with: seed 002's four nodes, registered by IP
//! (two tainted control-plane nodes, two workers, Calico's per-node blocks of 10.3.0.0/16),
//! the four namespaces every cluster has, and the `kubernetes` and `kube-dns` Services.

use super::names;
use crate::model::kube::*;
use crate::state::State;
use k8s_openapi::api::core::v1::{
    NamespaceStatus, NodeAddress, NodeCondition, NodeSpec, NodeStatus, NodeSystemInfo, ServicePort,
    ServiceSpec, Taint,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

pub use super::names::KUBE_VERSION;

/// A node of the seed cluster: name (its IP), host name, control plane or not, pod block.
const NODES: &[(&str, &str, bool, &str)] = &[
    ("192.168.122.11", "master1", true, "10.3.137.64/26"),
    ("192.168.122.12", "master2", true, "10.3.180.0/26"),
    ("192.168.122.13", "node1", false, "10.3.166.128/26"),
    ("192.168.122.14", "node2", false, "10.3.104.0/26"),
];

const NAMESPACES: &[&str] = &["default", "kube-node-lease", "kube-public", "kube-system"];

/// The taints of a control-plane node: the one of seed 002's time (its DaemonSet tolerates
/// it and lands on all four nodes), and today's key as a soft taint, so the seed's manifests
/// behave as they did and pods that tolerate neither still avoid the masters.
pub const CONTROL_PLANE_TAINTS: &[(&str, &str)] = &[
    ("node-role.kubernetes.io/master", "NoSchedule"),
    ("node-role.kubernetes.io/control-plane", "PreferNoSchedule"),
];

fn labels(pairs: &[(&str, &str)]) -> Option<BTreeMap<String, String>> {
    Some(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

fn meta(st: &mut State, name: &str, ns: Option<&str>) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.into()),
        namespace: ns.map(str::to_string),
        uid: Some(names::uid(&mut st.meta.kube.rng)),
        creation_timestamp: Some(time(st.now())),
        ..Default::default()
    }
}

/// A kubelet's conditions while it posts status and has room.
pub fn healthy_conditions(now: &Time) -> Vec<NodeCondition> {
    let cond = |ty: &str, status: &str, reason: &str, message: &str| NodeCondition {
        type_: ty.into(),
        status: status.into(),
        reason: Some(reason.into()),
        message: Some(message.into()),
        last_heartbeat_time: Some(now.clone()),
        last_transition_time: Some(now.clone()),
    };
    vec![
        cond(
            "MemoryPressure",
            "False",
            "KubeletHasSufficientMemory",
            "kubelet has sufficient memory available",
        ),
        cond(
            "DiskPressure",
            "False",
            "KubeletHasNoDiskPressure",
            "kubelet has no disk pressure",
        ),
        cond(
            "PIDPressure",
            "False",
            "KubeletHasSufficientPID",
            "kubelet has sufficient PID available",
        ),
        cond(
            "Ready",
            "True",
            "KubeletReady",
            "kubelet is posting ready status",
        ),
    ]
}

/// What a new node looks like: its labels, capacity, conditions and system info.
pub fn node(
    st: &mut State,
    name: &str,
    host: &str,
    control_plane: bool,
    pod_cidr: &str,
    cpu: &str,
    memory_ki: u64,
) -> KubeNode {
    let mut meta = meta(st, name, None);
    let mut l = vec![
        ("beta.kubernetes.io/arch", "amd64"),
        ("beta.kubernetes.io/os", "linux"),
        ("kubernetes.io/arch", "amd64"),
        ("kubernetes.io/hostname", name),
        ("kubernetes.io/os", "linux"),
    ];
    if control_plane {
        l.push(("node-role.kubernetes.io/control-plane", ""));
        l.push(("node-role.kubernetes.io/master", ""));
    }
    meta.labels = labels(&l);
    meta.annotations = labels(&[
        ("node.alpha.kubernetes.io/ttl", "0"),
        (
            "volumes.kubernetes.io/controller-managed-attach-detach",
            "true",
        ),
    ]);
    let now = time(st.now());
    let taints = control_plane.then(|| {
        CONTROL_PLANE_TAINTS
            .iter()
            .map(|(k, effect)| Taint {
                key: k.to_string(),
                effect: effect.to_string(),
                ..Default::default()
            })
            .collect()
    });
    let resources: BTreeMap<String, Quantity> = [
        ("cpu", cpu.to_string()),
        ("ephemeral-storage", "51175Mi".to_string()),
        ("hugepages-2Mi", "0".to_string()),
        ("memory", format!("{memory_ki}Ki")),
        ("pods", "110".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), Quantity(v)))
    .collect();
    let id = super::names::hex(&mut st.meta.kube.rng, 32);
    KubeNode {
        metadata: meta,
        spec: Some(NodeSpec {
            pod_cidr: Some(pod_cidr.into()),
            pod_cidrs: Some(vec![pod_cidr.into()]),
            taints,
            ..Default::default()
        }),
        status: Some(NodeStatus {
            addresses: Some(vec![
                NodeAddress {
                    address: name.into(),
                    type_: "InternalIP".into(),
                },
                NodeAddress {
                    address: host.into(),
                    type_: "Hostname".into(),
                },
            ]),
            allocatable: Some(resources.clone()),
            capacity: Some(resources),
            conditions: Some(healthy_conditions(&now)),
            node_info: Some(NodeSystemInfo {
                architecture: "amd64".into(),
                boot_id: names::uid(&mut st.meta.kube.rng),
                container_runtime_version: "containerd://1.7.24".into(),
                kernel_version: "3.10.0-1160.el7.x86_64".into(),
                kube_proxy_version: KUBE_VERSION.into(),
                kubelet_version: KUBE_VERSION.into(),
                machine_id: id.clone(),
                operating_system: "linux".into(),
                os_image: "CentOS Linux 7 (Core)".into(),
                system_uuid: id,
            }),
            ..Default::default()
        }),
    }
}

fn service(
    st: &mut State,
    ns: &str,
    name: &str,
    ip: &str,
    l: &[(&str, &str)],
    selector: &[(&str, &str)],
    ports: &[(&str, i32, &str, i32)],
) -> KubeService {
    let mut meta = meta(st, name, Some(ns));
    meta.labels = labels(l);
    KubeService {
        metadata: meta,
        spec: Some(ServiceSpec {
            cluster_ip: Some(ip.into()),
            cluster_ips: Some(vec![ip.into()]),
            internal_traffic_policy: Some("Cluster".into()),
            ip_families: Some(vec!["IPv4".into()]),
            ip_family_policy: Some("SingleStack".into()),
            ports: Some(
                ports
                    .iter()
                    .map(|(name, port, proto, target)| ServicePort {
                        name: Some(name.to_string()),
                        port: *port,
                        protocol: Some(proto.to_string()),
                        target_port: Some(IntOrString::Int(*target)),
                        ..Default::default()
                    })
                    .collect(),
            ),
            selector: (!selector.is_empty()).then(|| labels(selector).unwrap_or_default()),
            session_affinity: Some("None".into()),
            type_: Some("ClusterIP".into()),
            ..Default::default()
        }),
        status: Some(Default::default()),
    }
}

/// Adds the seed cluster's objects. Runs inside a transaction.
pub fn add(st: &mut State) {
    for ns in NAMESPACES {
        let mut m = meta(st, ns, None);
        m.labels = labels(&[("kubernetes.io/metadata.name", ns)]);
        st.insert(Namespace {
            metadata: m,
            spec: Some(k8s_openapi::api::core::v1::NamespaceSpec {
                finalizers: Some(vec!["kubernetes".into()]),
            }),
            status: Some(NamespaceStatus {
                phase: Some("Active".into()),
                ..Default::default()
            }),
        });
    }
    for (name, host, cp, cidr) in NODES {
        let n = node(st, name, host, *cp, cidr, "4", 8_008_876);
        st.insert(n);
    }
    let kubernetes = service(
        st,
        "default",
        "kubernetes",
        "10.96.0.1",
        &[("component", "apiserver"), ("provider", "kubernetes")],
        &[],
        &[("https", 443, "TCP", 6443)],
    );
    st.insert(kubernetes);
    let dns = service(
        st,
        "kube-system",
        "kube-dns",
        "10.96.0.10",
        &[
            ("k8s-app", "kube-dns"),
            ("kubernetes.io/cluster-service", "true"),
            ("kubernetes.io/name", "CoreDNS"),
        ],
        &[("k8s-app", "kube-dns")],
        &[
            ("dns", 53, "UDP", 53),
            ("dns-tcp", 53, "TCP", 53),
            ("metrics", 9153, "TCP", 9153),
        ],
    );
    st.insert(dns);
    kube_system(st);
    st.meta.kube.seeded = true;
}

/// The kube-system workloads, created through the API server as an installer would: CoreDNS,
/// the kube-proxy and Calico DaemonSets, and the control plane's static pods on the masters
/// (mirror pods, owned by their node).
fn kube_system(st: &mut State) {
    let post = |st: &mut State, path: &str, ct: &str, body: Vec<u8>| {
        let r = super::api::handle(
            st,
            &super::api::ApiRequest {
                method: "POST".into(),
                path: path.into(),
                content_type: ct.into(),
                accept: "application/json".into(),
                body,
                ..Default::default()
            },
        );
        debug_assert!(
            r.status == 201,
            "{path}: {}",
            String::from_utf8_lossy(&r.body)
        );
        r
    };
    for doc in include_str!("kube-system.yaml").split("\n---\n") {
        let plural = if doc.contains("\nkind: DaemonSet") {
            "daemonsets"
        } else {
            "deployments"
        };
        let path = format!("/apis/apps/v1/namespaces/kube-system/{plural}");
        post(st, &path, "application/yaml", doc.as_bytes().to_vec());
    }
    let masters: Vec<KubeNode> = st
        .all::<KubeNode>()
        .filter(|n| {
            n.metadata
                .labels
                .as_ref()
                .is_some_and(|l| l.contains_key("node-role.kubernetes.io/control-plane"))
        })
        .cloned()
        .collect();
    for n in masters {
        let node = n.metadata.name.clone().unwrap_or_default();
        let owner = super::gc::owner_ref("v1", "Node", &n.metadata);
        for (component, image, cmd) in STATIC_PODS {
            let name = format!("{component}-{node}");
            let hash = crate::base::rng::stable_hex64(&name)[..32].to_string();
            let pod = serde_json::json!({
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {
                    "name": name,
                    "namespace": "kube-system",
                    "labels": {"component": component, "tier": "control-plane"},
                    "annotations": {
                        "kubernetes.io/config.hash": hash,
                        "kubernetes.io/config.mirror": hash,
                        "kubernetes.io/config.source": "file",
                    },
                    "ownerReferences": [owner],
                },
                "spec": {
                    "nodeName": node,
                    "hostNetwork": true,
                    "priorityClassName": "system-node-critical",
                    "priority": 2000001000,
                    "tolerations": [{"operator": "Exists", "effect": "NoExecute"}],
                    "containers": [{
                        "name": component,
                        "image": image,
                        "command": cmd.split(' ').collect::<Vec<_>>(),
                        "resources": {"requests": {"cpu": "100m"}},
                    }],
                },
            });
            post(
                st,
                "/api/v1/namespaces/kube-system/pods",
                "application/json",
                pod.to_string().into_bytes(),
            );
            // The kubelet started it from its manifest: bound from the start.
            let now = time(st.now());
            let host_ip = n
                .status
                .as_ref()
                .and_then(|s| s.addresses.as_ref())
                .and_then(|a| a.first())
                .map(|a| a.address.clone());
            st.update::<Pod>(&format!("kube-system/{component}-{node}"), |p| {
                let s = p.status.get_or_insert_default();
                s.host_ip = host_ip;
                s.conditions = Some(vec![k8s_openapi::api::core::v1::PodCondition {
                    type_: "PodScheduled".into(),
                    status: "True".into(),
                    last_transition_time: Some(now),
                    ..Default::default()
                }]);
            });
        }
    }
}

/// The control plane's static pods: component, image, command.
const STATIC_PODS: &[(&str, &str, &str)] = &[
    (
        "etcd",
        "registry.k8s.io/etcd:3.5.16-0",
        "etcd --data-dir=/var/lib/etcd --listen-client-urls=https://127.0.0.1:2379",
    ),
    (
        "kube-apiserver",
        "registry.k8s.io/kube-apiserver:v1.32.4",
        "kube-apiserver --secure-port=6443 --service-cluster-ip-range=10.96.0.0/12",
    ),
    (
        "kube-controller-manager",
        "registry.k8s.io/kube-controller-manager:v1.32.4",
        "kube-controller-manager --cluster-cidr=10.3.0.0/16 --leader-elect=true",
    ),
    (
        "kube-scheduler",
        "registry.k8s.io/kube-scheduler:v1.32.4",
        "kube-scheduler --leader-elect=true",
    ),
];
