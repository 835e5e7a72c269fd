//! Watching a Kubernetes cluster: one kube-rs watcher per kind (list, then watch from the
//! list's resourceVersion, with bookmarks; relist on 410), each object converted to its view
//! as it arrives and then dropped, so the console holds views, never whole objects. A
//! session sends one snapshot once every kind is listed, then batches of changes; an error
//! ends it (reported as lost, with the server's address), and the next session, after a
//! back-off, lists everything again.

use super::Shared;
use crate::backend::convert::kube::{self as conv, Load};
use crate::backend::view::*;
use crate::backend::{ClockInfo, WatchEvent};
use futures::stream::{BoxStream, StreamExt};
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{Node as KubeNode, Pod};
use kube::runtime::watcher::{self, Event};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use tokio::sync::mpsc::Sender;

/// What one watcher delivers, converted.
enum Item {
    /// A (re)list of this kind starts.
    Init(ResKind),
    /// An object of the list, or one added or changed since.
    Listed(Conv),
    Applied(Conv),
    Deleted(Conv),
    /// The list is complete.
    Done(ResKind),
    /// The server does not serve this kind, or will not list it to us: its watch ends and
    /// the kind stays empty.
    Absent(ResKind),
    Failed(String),
}

/// An object as a view (a pod with what it adds to its node).
enum Conv {
    Node(Box<HostView>),
    Pod(Box<ReplicaView>, Load),
    Workload(Box<WorkloadView>),
}

impl Conv {
    fn r(&self) -> &ObjRef {
        match self {
            Conv::Node(v) => &v.c.r,
            Conv::Pod(v, _) => &v.c.r,
            Conv::Workload(v) => &v.c.r,
        }
    }
}

/// A watcher of one kind, its objects converted by `f`.
fn watch_kind<K>(api: kube::Api<K>, kind: ResKind, f: fn(&K) -> Conv) -> BoxStream<'static, Item>
where
    K: kube::Resource
        + Clone
        + std::fmt::Debug
        + serde::de::DeserializeOwned
        + Send
        + Sync
        + 'static,
{
    let cfg = watcher::Config::default().page_size(500);
    let items = watcher::watcher(api, cfg).map(move |ev| match ev {
        Ok(Event::Init) => Item::Init(kind),
        Ok(Event::InitApply(o)) => Item::Listed(f(&o)),
        Ok(Event::InitDone) => Item::Done(kind),
        Ok(Event::Apply(o)) => Item::Applied(f(&o)),
        Ok(Event::Delete(o)) => Item::Deleted(f(&o)),
        Err(watcher::Error::InitialListFailed(kube::Error::Api(s)))
            if s.is_not_found() || s.is_forbidden() =>
        {
            Item::Absent(kind)
        }
        Err(e) => Item::Failed(e.to_string()),
    });
    // Ends after an absent kind, without asking the server again.
    futures::stream::unfold((items.boxed(), false), |(mut items, over)| async move {
        if over {
            return None;
        }
        let item = items.next().await?;
        let over = matches!(item, Item::Absent(_));
        Some((item, (items, over)))
    })
    .boxed()
}

fn api<K>(client: &kube::Client, ns: Option<&str>) -> kube::Api<K>
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>,
    K::DynamicType: Default,
{
    match ns {
        Some(ns) => kube::Api::namespaced(client.clone(), ns),
        None => kube::Api::all(client.clone()),
    }
}

fn node(n: &KubeNode) -> Conv {
    Conv::Node(Box::new(conv::node(n, &Load::default())))
}
fn pod(p: &Pod) -> Conv {
    Conv::Pod(Box::new(conv::pod(p)), Load::of_pod(p))
}
fn workload<K>(f: fn(&K) -> WorkloadView) -> impl Fn(&K) -> Conv {
    move |o| Conv::Workload(Box::new(f(o)))
}

/// Every watcher the console needs, in the namespace scope (nodes are cluster-wide).
fn watchers(client: &kube::Client, ns: Option<&str>) -> (BoxStream<'static, Item>, usize) {
    macro_rules! w {
        ($ty:ty, $kind:expr, $f:expr) => {
            watch_kind::<$ty>(api(client, ns), $kind, |o| workload($f)(o))
        };
    }
    let all = vec![
        watch_kind::<KubeNode>(kube::Api::all(client.clone()), ResKind::KubeNode, node),
        watch_kind::<Pod>(api(client, ns), ResKind::Pod, pod),
        w!(Deployment, ResKind::Deployment, conv::deployment),
        w!(ReplicaSet, ResKind::ReplicaSet, conv::replica_set),
        w!(StatefulSet, ResKind::StatefulSet, conv::stateful_set),
        w!(DaemonSet, ResKind::DaemonSet, conv::daemon_set),
        w!(Job, ResKind::Job, conv::job),
        w!(CronJob, ResKind::CronJob, conv::cron_job),
    ];
    let n = all.len();
    (futures::stream::select_all(all).boxed(), n)
}

/// What a session knows: the objects of each kind by uid (to tell what a relist dropped),
/// the nodes' own views and what the pods on each ask for.
#[derive(Default)]
struct Known {
    /// Nodes' views are sent as their pods change (not while the first list is gathered:
    /// the snapshot takes each once, at the end).
    listing: bool,
    refs: HashMap<ResKind, HashMap<String, ObjRef>>,
    nodes: HashMap<String, HostView>,
    loads: HashMap<String, Load>,
    pods: HashMap<String, (String, Load)>,
    /// Uids seen by a relist in progress, per kind.
    relisting: HashMap<ResKind, HashSet<String>>,
}

impl Known {
    /// Takes in an object; returns the views that changed (a pod can change its node's).
    fn upsert(&mut self, c: Conv, out: &mut Vec<Change>) {
        let r = c.r().clone();
        if let Some(seen) = self.relisting.get_mut(&r.kind) {
            seen.insert(r.uid.clone());
        }
        self.refs
            .entry(r.kind)
            .or_default()
            .insert(r.uid.clone(), r.clone());
        match c {
            Conv::Node(v) => {
                let name = v.c.r.name.clone();
                self.nodes.insert(name.clone(), *v);
                out.extend(self.node_view(&name).map(Change::Upsert));
            }
            Conv::Pod(v, load) => {
                let node = v.node_name.clone();
                self.move_load(&r.uid, Some((node, load)), out);
                out.push(Change::Upsert(View::Replica(v)));
            }
            Conv::Workload(v) => out.push(Change::Upsert(View::Workload(v))),
        }
    }

    fn remove(&mut self, r: &ObjRef, out: &mut Vec<Change>) {
        if let Some(m) = self.refs.get_mut(&r.kind) {
            m.remove(&r.uid);
        }
        match r.kind {
            ResKind::KubeNode => {
                self.nodes.remove(&r.name);
            }
            ResKind::Pod => self.move_load(&r.uid, None, out),
            _ => {}
        }
        out.push(Change::Removed(r.clone()));
    }

    /// A pod's load moves to `to` (none: it is gone); the nodes it left and joined change.
    fn move_load(&mut self, uid: &str, to: Option<(String, Load)>, out: &mut Vec<Change>) {
        let before = self.pods.get(uid).cloned();
        if before == to {
            return;
        }
        if let Some((node, load)) = &before {
            self.loads.entry(node.clone()).or_default().sub(*load);
        }
        match &to {
            Some((node, load)) => {
                self.loads.entry(node.clone()).or_default().add(*load);
                self.pods.insert(uid.to_string(), (node.clone(), *load));
            }
            None => {
                self.pods.remove(uid);
            }
        }
        let mut touched: Vec<&str> = Vec::new();
        for (n, _) in before.iter().chain(to.iter()) {
            if !n.is_empty() && !touched.contains(&n.as_str()) {
                touched.push(n);
            }
        }
        if self.listing {
            return;
        }
        for n in touched {
            out.extend(self.node_view(n).map(Change::Upsert));
        }
    }

    /// A node's view with its pods' load.
    fn node_view(&self, name: &str) -> Option<View> {
        let mut v = self.nodes.get(name)?.clone();
        let l = self.loads.get(name).copied().unwrap_or_default();
        v.tasks = l.pods;
        v.reserved_cpus = l.cpu;
        v.reserved_memory = l.memory;
        if let Some(k) = v.kube.as_deref_mut() {
            k.limit_cpus = l.limit_cpu;
            k.limit_memory = l.limit_memory;
        }
        Some(View::Host(v))
    }

    /// A relist of `kind` ended: what it did not list is gone.
    fn relisted(&mut self, kind: ResKind, out: &mut Vec<Change>) {
        let Some(seen) = self.relisting.remove(&kind) else {
            return;
        };
        let gone: Vec<ObjRef> = self
            .refs
            .get(&kind)
            .into_iter()
            .flat_map(|m| m.values())
            .filter(|r| !seen.contains(&r.uid))
            .cloned()
            .collect();
        for r in gone {
            self.remove(&r, out);
        }
    }
}

/// One session: list every kind, send the snapshot, then the changes, until an error.
pub(super) async fn session(
    shared: &Arc<Shared>,
    tx: &Sender<WatchEvent>,
    connected: &mut bool,
) -> Result<(), String> {
    let (mut items, kinds) = watchers(&shared.client, shared.target.namespace.as_deref());
    let mut known = Known {
        listing: true,
        ..Known::default()
    };
    let mut first: Vec<Change> = Vec::new();
    let mut listed: HashSet<ResKind> = HashSet::new();
    // The first list of every kind, gathered into one snapshot.
    while listed.len() < kinds {
        let Some(item) = items.next().await else {
            return Err("the watch ended".into());
        };
        match item {
            Item::Init(_) => {}
            Item::Listed(c) | Item::Applied(c) => known.upsert(c, &mut first),
            Item::Deleted(c) => known.remove(c.r(), &mut first),
            Item::Done(k) | Item::Absent(k) => {
                listed.insert(k);
            }
            Item::Failed(e) => return Err(e),
        }
    }
    known.listing = false;
    let names: Vec<String> = known.nodes.keys().cloned().collect();
    first.extend(
        names
            .iter()
            .filter_map(|n| known.node_view(n))
            .map(Change::Upsert),
    );
    let clock = shared.clock().await;
    if tx
        .send(WatchEvent::Snapshot(Box::new(snapshot(first)), clock))
        .await
        .is_err()
    {
        return Ok(());
    }
    *connected = true;
    // Then changes, as many at once as have arrived.
    let mut chunks = items.ready_chunks(1024);
    loop {
        let batch = tokio::select! {
            b = chunks.next() => b,
            () = shared.clock_moved.notified() => {
                if tx.send(WatchEvent::Clock(shared.clock().await)).await.is_err() {
                    return Ok(());
                }
                continue;
            }
        };
        let Some(batch) = batch else { break };
        let mut out = Vec::new();
        for item in batch {
            match item {
                Item::Init(k) => {
                    known.relisting.insert(k, HashSet::new());
                }
                Item::Listed(c) | Item::Applied(c) => known.upsert(c, &mut out),
                Item::Deleted(c) => known.remove(c.r(), &mut out),
                Item::Done(k) => known.relisted(k, &mut out),
                Item::Absent(_) => {}
                Item::Failed(e) => {
                    if !out.is_empty() {
                        let _ = tx.send(WatchEvent::Changes(out)).await;
                    }
                    return Err(e);
                }
            }
        }
        if !out.is_empty() && tx.send(WatchEvent::Changes(out)).await.is_err() {
            return Ok(());
        }
    }
    Err("the watch ended".into())
}

/// The last view of each object among the changes of a first list.
fn snapshot(changes: Vec<Change>) -> Vec<View> {
    let mut at: HashMap<(ResKind, String), usize> = HashMap::new();
    let mut views: Vec<Option<View>> = Vec::new();
    for c in changes {
        match c {
            Change::Upsert(v) => {
                let key = (v.common().r.kind, v.common().r.uid.clone());
                match at.get(&key) {
                    Some(&i) => views[i] = Some(v),
                    None => {
                        at.insert(key, views.len());
                        views.push(Some(v));
                    }
                }
            }
            Change::Removed(r) => {
                if let Some(i) = at.remove(&(r.kind, r.uid)) {
                    views[i] = None;
                }
            }
        }
    }
    views.into_iter().flatten().collect()
}

/// The cluster's clock: the built-in cluster's simulated one, or the wall clock.
pub(super) async fn clock_of(client: &kube::Client) -> ClockInfo {
    let req = http::Request::get(super::CLOCK_PATH).body(Vec::new());
    let Ok(req) = req else {
        return ClockInfo::wall();
    };
    match client.request::<ClockInfo>(req).await {
        Ok(c) if c.speed.is_finite() => c,
        _ => ClockInfo::wall(),
    }
}
