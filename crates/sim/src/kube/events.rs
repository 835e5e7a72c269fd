//! Events (core/v1), as the controllers, the scheduler and the kubelets record them: one
//! object per (involved object, reason, message), counted on repeats as client-go's event
//! correlator does, kept for an hour (kube-apiserver's `--event-ttl`).

use crate::base::time::{SimDuration, SimTime};
use crate::kube::names;
use crate::model::kube::*;
use crate::state::State;
use k8s_openapi::api::core::v1::{EventSource, ObjectReference};

/// How long an event is kept after it last happened.
pub const TTL: SimDuration = SimDuration::from_secs(3600);

/// Who an event is about.
pub fn about<T: k8s_openapi::Resource + k8s_openapi::Metadata<Ty = ObjectMeta>>(
    o: &T,
) -> ObjectReference {
    let m = o.metadata();
    ObjectReference {
        api_version: Some(T::API_VERSION.into()),
        kind: Some(T::KIND.into()),
        name: m.name.clone(),
        namespace: m.namespace.clone(),
        uid: m.uid.clone(),
        resource_version: m.resource_version.clone(),
        field_path: None,
    }
}

/// The same, for one container of a pod (`spec.containers{NAME}`).
pub fn about_container(p: &Pod, container: &str) -> ObjectReference {
    ObjectReference {
        field_path: Some(format!("spec.containers{{{container}}}")),
        ..about(p)
    }
}

/// Who reports: a component, on a host for the kubelet.
pub struct Reporter<'a> {
    pub component: &'a str,
    pub host: Option<&'a str>,
}

pub const SCHEDULER: Reporter = Reporter {
    component: "default-scheduler",
    host: None,
};

pub fn controller(name: &str) -> Reporter<'_> {
    Reporter {
        component: name,
        host: None,
    }
}

/// Records an event (or counts a repeat of one).
pub fn record(
    st: &mut State,
    about: ObjectReference,
    warning: bool,
    reason: &str,
    message: &str,
    from: &Reporter,
) {
    let ns = about.namespace.as_deref().unwrap_or("default");
    // Named as client-go names them: the object's name and the first time, in hex.
    let obj = about.name.as_deref().unwrap_or_default();
    let mut key = String::with_capacity(ns.len() + obj.len() + 18);
    key.push_str(ns);
    key.push('/');
    key.push_str(obj);
    key.push('.');
    let prefix = key.len();
    let like = crate::state::event_hash(
        about.uid.as_deref(),
        about.field_path.as_deref(),
        reason,
        message,
    );
    let same = st
        .index()
        .events_like(like)
        .iter()
        .filter_map(|k| st.get::<KubeEvent>(k.as_str()))
        .find(|e| {
            e.involved_object.uid == about.uid
                && e.involved_object.field_path == about.field_path
                && e.reason.as_deref() == Some(reason)
                && e.message.as_deref() == Some(message)
        })
        .map(|e| object_key(&e.metadata));
    let now = time(st.now());
    if let Some(key) = same {
        st.update::<KubeEvent>(&key, |e| {
            e.count = Some(e.count.unwrap_or(1) + 1);
            e.last_timestamp = Some(now.clone());
        });
        return;
    }
    // client-go stamps a name with the wall clock's nanoseconds, different for each event;
    // many happen at one simulated instant, so the resourceVersion counter (one per write)
    // stands in for the nanoseconds that would have passed.
    let mut stamp = st.now().0.max(0) as u64 + st.meta.kube.rv % 1_000_000;
    loop {
        key.truncate(prefix);
        names::push_hex_min(&mut key, stamp);
        if st.get::<KubeEvent>(&key).is_none() {
            break;
        }
        stamp += 1;
    }
    let (ns, name) = (key[..ns.len()].to_string(), key[ns.len() + 1..].to_string());
    let event = KubeEvent {
        metadata: ObjectMeta {
            name: Some(name),
            namespace: Some(ns),
            uid: Some(names::uid(&mut st.meta.kube.rng)),
            creation_timestamp: Some(now.clone()),
            ..Default::default()
        },
        involved_object: about,
        type_: Some(if warning { "Warning" } else { "Normal" }.into()),
        reason: Some(reason.into()),
        message: Some(message.into()),
        source: Some(EventSource {
            component: Some(from.component.into()),
            host: from.host.map(str::to_string),
        }),
        first_timestamp: Some(now.clone()),
        last_timestamp: Some(now),
        count: Some(1),
        reporting_component: Some(from.component.into()),
        reporting_instance: Some(from.host.unwrap_or(from.component).into()),
        ..Default::default()
    };
    st.insert(event);
}

/// Removes events that last happened more than [`TTL`] ago.
pub fn expire(st: &mut State, now: SimTime) {
    let old: Vec<String> = st
        .all::<KubeEvent>()
        .filter(|e| {
            e.last_timestamp
                .as_ref()
                .or(e.metadata.creation_timestamp.as_ref())
                .is_some_and(|t| sim_time(t) + TTL < now)
        })
        .map(|e| object_key(&e.metadata))
        .collect();
    for k in old {
        st.remove::<KubeEvent>(&k);
    }
}
