//! What the console shows, the same for every backend: objects in families (hosts,
//! workloads, replicas, revisions, storage, networks), each with a typed reference, labels,
//! owner, creation time and the capabilities its backend offers on it, and phases as enums.
//! A Swarm service and a Kubernetes Deployment are both workloads; a task and a pod are
//! both replicas; one pane file shows each family. The [`Store`] keeps a client's copy.

mod caps;
mod host;
mod misc;
mod replica;
mod storage;
mod store;
mod word;
mod workload;

pub use caps::Caps;
pub use host::*;
pub use misc::*;
pub use replica::*;
pub use storage::*;
pub use store::{Delta, Family as Objects, Store};
pub use word::Word;
pub use workload::*;

use opsconsole_sim::base::time::SimTime;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub type Labels = BTreeMap<String, String>;

/// The kinds of object the console knows, each in one family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ResKind {
    /// A node of a swarm.
    SwarmNode,
    /// A Docker engine that is not in a swarm: the one host it has.
    Engine,
    SwarmService,
    /// One of a service's specs (the current one, and the one before it).
    SwarmSpec,
    SwarmTask,
    /// A plain engine's container.
    Container,
    /// A node-local volume.
    Volume,
    /// A host path bind-mounted into containers.
    Bind,
    Network,
    /// A Kubernetes node.
    KubeNode,
    Deployment,
    ReplicaSet,
    StatefulSet,
    DaemonSet,
    Job,
    CronJob,
    Pod,
}

/// The families panes are made for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Family {
    Host,
    Workload,
    Replica,
    Revision,
    Storage,
    Network,
}

/// Whose words an object's commands are said in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Flavor {
    /// `docker service/node/...` on a swarm.
    Swarm,
    /// `docker container/volume ...` on a plain engine.
    Engine,
    /// `kubectl ...` on a Kubernetes cluster.
    Kube,
}

impl ResKind {
    pub fn family(self) -> Family {
        match self {
            ResKind::SwarmNode | ResKind::Engine | ResKind::KubeNode => Family::Host,
            ResKind::SwarmService
            | ResKind::Deployment
            | ResKind::ReplicaSet
            | ResKind::StatefulSet
            | ResKind::DaemonSet
            | ResKind::Job
            | ResKind::CronJob => Family::Workload,
            ResKind::SwarmSpec => Family::Revision,
            ResKind::SwarmTask | ResKind::Container | ResKind::Pod => Family::Replica,
            ResKind::Volume | ResKind::Bind => Family::Storage,
            ResKind::Network => Family::Network,
        }
    }

    pub fn flavor(self) -> Flavor {
        match self {
            ResKind::Engine | ResKind::Container => Flavor::Engine,
            k if k.kube_type().is_some() => Flavor::Kube,
            _ => Flavor::Swarm,
        }
    }

    /// What the object is called in messages.
    pub fn noun(self) -> &'static str {
        match self {
            ResKind::SwarmNode | ResKind::Engine => "node",
            ResKind::SwarmService => "service",
            ResKind::SwarmSpec => "service spec",
            ResKind::SwarmTask => "task",
            ResKind::Container => "container",
            ResKind::Volume => "volume",
            ResKind::Bind => "bind mount",
            ResKind::Network => "network",
            k => k.kube_type().unwrap_or("object"),
        }
    }

    /// kubectl's resource type for a Kubernetes kind (`deployment`), none for Docker's.
    pub fn kube_type(self) -> Option<&'static str> {
        Some(match self {
            ResKind::KubeNode => "node",
            ResKind::Deployment => "deployment",
            ResKind::ReplicaSet => "replicaset",
            ResKind::StatefulSet => "statefulset",
            ResKind::DaemonSet => "daemonset",
            ResKind::Job => "job",
            ResKind::CronJob => "cronjob",
            ResKind::Pod => "pod",
            _ => return None,
        })
    }

    /// The Kubernetes kind (`Deployment`), as a KIND column shows it.
    pub fn kube_kind(self) -> Option<&'static str> {
        Some(match self {
            ResKind::KubeNode => "Node",
            ResKind::Deployment => "Deployment",
            ResKind::ReplicaSet => "ReplicaSet",
            ResKind::StatefulSet => "StatefulSet",
            ResKind::DaemonSet => "DaemonSet",
            ResKind::Job => "Job",
            ResKind::CronJob => "CronJob",
            ResKind::Pod => "Pod",
            _ => return None,
        })
    }
}

/// A reference to one object of a backend. `uid` is unique in the backend.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ObjRef {
    pub kind: ResKind,
    /// The namespace (Kubernetes); none for Docker's objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ns: Option<String>,
    pub name: String,
    pub uid: String,
}

impl ObjRef {
    pub fn new(kind: ResKind, name: impl Into<String>, uid: impl Into<String>) -> ObjRef {
        ObjRef {
            kind,
            ns: None,
            name: name.into(),
            uid: uid.into(),
        }
    }
}

/// What every object has.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Common {
    pub r: ObjRef,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: Labels,
    pub created: SimTime,
    /// The object this one belongs to (a task's service, a spec's service).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<ObjRef>,
    /// What its backend can do to it.
    pub caps: Caps,
}

/// An object of any family, as a watch sends it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum View {
    Host(HostView),
    Workload(Box<WorkloadView>),
    Replica(Box<ReplicaView>),
    Revision(Box<RevisionView>),
    Storage(StorageView),
    Network(NetworkView),
}

impl View {
    pub fn common(&self) -> &Common {
        match self {
            View::Host(v) => &v.c,
            View::Workload(v) => &v.c,
            View::Replica(v) => &v.c,
            View::Revision(v) => &v.c,
            View::Storage(v) => &v.c,
            View::Network(v) => &v.c,
        }
    }
}

/// One change to the cluster as the console sees it. (Changes are short-lived and mostly
/// upserts: boxing them would cost an allocation each for nothing.)
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[allow(clippy::large_enum_variant)]
pub enum Change {
    Upsert(View),
    Removed(ObjRef),
}

/// Everything a backend shows, at once.
pub type Snapshot = Vec<View>;
