//! Indexes derived from the objects (kept in step by every change, rebuilt on load): members
//! of services, slots and nodes, tasks waiting for the scheduler, per-node usage, names.

use crate::model::*;
use std::collections::{BTreeMap, BTreeSet};

/// Per-node scheduler bookkeeping (swarmkit's NodeInfo), derived from the tasks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeUsage {
    /// Reservations of tasks observed PENDING..RUNNING on the node (A5, A6).
    pub reserved: Resources,
    /// Tasks observed ASSIGNED..RUNNING whose desired state is at most COMPLETE.
    pub active: u32,
    pub active_by_service: BTreeMap<String, u32>,
    /// Host-mode published ports in use (A8).
    pub host_ports: BTreeMap<(Protocol, u32), u32>,
}

#[derive(Clone, Debug, Default)]
pub struct Index {
    pub tasks_by_service: BTreeMap<String, BTreeSet<String>>,
    /// Tasks of each service by slot key (slot number, or node for global services).
    pub tasks_by_slot: BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
    pub tasks_by_node: BTreeMap<String, BTreeSet<String>>,
    /// Tasks waiting for the scheduler (observed PENDING or earlier, still wanted).
    pub unscheduled: BTreeSet<String>,
    pub usage: BTreeMap<String, NodeUsage>,
    pub containers_by_node: BTreeMap<String, BTreeSet<String>>,
    pub container_by_task: BTreeMap<String, String>,
    pub container_names: BTreeMap<(String, String), String>,
    pub service_names: BTreeMap<String, String>,
    pub node_names: BTreeMap<String, String>,
    pub network_names: BTreeMap<String, String>,
    /// Something changed that may let a pending task fit: a task became pending, a task
    /// released its node's resources, or a node changed.
    pub sched_hint: bool,
}

fn add_set(m: &mut BTreeMap<String, BTreeSet<String>>, k: &str, v: &str) {
    match m.get_mut(k) {
        Some(s) => {
            s.insert(v.to_string());
        }
        None => {
            m.insert(k.to_string(), BTreeSet::from([v.to_string()]));
        }
    }
}

fn usage_mut<'a>(m: &'a mut BTreeMap<String, NodeUsage>, node: &str) -> &'a mut NodeUsage {
    if !m.contains_key(node) {
        m.insert(node.to_string(), NodeUsage::default());
    }
    m.get_mut(node).expect("just inserted")
}
fn del_set(m: &mut BTreeMap<String, BTreeSet<String>>, k: &str, v: &str) {
    if let Some(s) = m.get_mut(k) {
        s.remove(v);
        if s.is_empty() {
            m.remove(k);
        }
    }
}

/// How a task counts towards its node's usage.
fn task_usage(t: &Task) -> Option<(Resources, bool)> {
    if t.node_id.is_empty()
        || t.status.state < TaskState::Assigned
        || t.status.state > TaskState::Running
    {
        return None;
    }
    Some((
        t.spec.reservations(),
        t.desired_state <= TaskState::Complete,
    ))
}

impl Index {
    pub(super) fn task(&mut self, old: Option<&Task>, new: Option<&Task>) {
        // Membership indexes only change when their key does (a task's service and slot
        // never change; its node changes once, when it is assigned).
        let same_svc = matches!((old, new), (Some(o), Some(n)) if o.service_id == n.service_id);
        let same_node = matches!((old, new), (Some(o), Some(n)) if o.node_id == n.node_id);
        let mut was_unscheduled = false;
        if let Some(t) = old {
            if !same_svc {
                del_set(&mut self.tasks_by_service, &t.service_id, &t.id);
                if let Some(slots) = self.tasks_by_slot.get_mut(&t.service_id) {
                    del_set(slots, &t.slot_key(), &t.id);
                    if slots.is_empty() {
                        self.tasks_by_slot.remove(&t.service_id);
                    }
                }
            }
            if !same_node && !t.node_id.is_empty() {
                del_set(&mut self.tasks_by_node, &t.node_id, &t.id);
            }
            was_unscheduled = self.unscheduled.remove(&t.id);
            if task_usage(t).is_some() && new.is_none_or(|n| task_usage(n).is_none()) {
                self.sched_hint = true;
            }
            if let Some((res, active)) = task_usage(t) {
                let u = usage_mut(&mut self.usage, &t.node_id);
                u.reserved.nano_cpus -= res.nano_cpus;
                u.reserved.memory_bytes -= res.memory_bytes;
                for p in &t.sim.host_ports {
                    if let Some(c) = u.host_ports.get_mut(p) {
                        *c -= 1;
                        if *c == 0 {
                            u.host_ports.remove(p);
                        }
                    }
                }
                if active {
                    u.active -= 1;
                    if let Some(c) = u.active_by_service.get_mut(&t.service_id) {
                        *c -= 1;
                        if *c == 0 {
                            u.active_by_service.remove(&t.service_id);
                        }
                    }
                }
            }
        }
        if let Some(t) = new {
            if !same_svc {
                add_set(&mut self.tasks_by_service, &t.service_id, &t.id);
                match self.tasks_by_slot.get_mut(&t.service_id) {
                    Some(slots) => add_set(slots, &t.slot_key(), &t.id),
                    None => {
                        let mut slots = BTreeMap::new();
                        add_set(&mut slots, &t.slot_key(), &t.id);
                        self.tasks_by_slot.insert(t.service_id.clone(), slots);
                    }
                }
            }
            if !same_node && !t.node_id.is_empty() {
                add_set(&mut self.tasks_by_node, &t.node_id, &t.id);
            }
            if t.status.state <= TaskState::Pending && t.is_runnable() {
                if !was_unscheduled {
                    self.unscheduled.insert(t.id.clone());
                    self.sched_hint = true;
                } else {
                    self.unscheduled.insert(t.id.clone());
                }
            }
            if let Some((res, active)) = task_usage(t) {
                let u = usage_mut(&mut self.usage, &t.node_id);
                u.reserved.nano_cpus += res.nano_cpus;
                u.reserved.memory_bytes += res.memory_bytes;
                for p in t.sim.host_ports.iter().copied() {
                    *u.host_ports.entry(p).or_default() += 1;
                }
                if active {
                    u.active += 1;
                    match u.active_by_service.get_mut(&t.service_id) {
                        Some(c) => *c += 1,
                        None => {
                            u.active_by_service.insert(t.service_id.clone(), 1);
                        }
                    }
                }
            }
        }
    }

    pub(super) fn container(&mut self, old: Option<&Container>, new: Option<&Container>) {
        if let Some(c) = old {
            del_set(&mut self.containers_by_node, &c.sim.node, &c.id);
            self.container_names
                .remove(&(c.sim.node.clone(), c.short_name().to_string()));
            if let Some(t) = c.sim.owner.as_ref().and_then(Owner::swarm_task) {
                self.container_by_task.remove(t);
            }
        }
        if let Some(c) = new {
            add_set(&mut self.containers_by_node, &c.sim.node, &c.id);
            self.container_names.insert(
                (c.sim.node.clone(), c.short_name().to_string()),
                c.id.clone(),
            );
            if let Some(t) = c.sim.owner.as_ref().and_then(Owner::swarm_task) {
                self.container_by_task.insert(t.to_string(), c.id.clone());
            }
        }
    }
}

// The index hooks of the kinds registry: what each kind's changes do to the indexes.

pub fn node(ix: &mut Index, old: Option<&Node>, new: Option<&Node>) {
    if let Some(n) = old {
        ix.node_names.remove(n.hostname());
    }
    if let Some(n) = new {
        ix.node_names.insert(n.hostname().to_string(), n.id.clone());
    }
    ix.sched_hint = true;
}

pub fn service(ix: &mut Index, old: Option<&Service>, new: Option<&Service>) {
    if let Some(s) = old {
        ix.service_names.remove(&s.spec.name);
    }
    if let Some(s) = new {
        ix.service_names.insert(s.spec.name.clone(), s.id.clone());
    }
}

pub fn task(ix: &mut Index, old: Option<&Task>, new: Option<&Task>) {
    ix.task(old, new)
}

pub fn container(ix: &mut Index, old: Option<&Container>, new: Option<&Container>) {
    ix.container(old, new)
}

pub fn network(ix: &mut Index, old: Option<&Network>, new: Option<&Network>) {
    if let Some(n) = old {
        ix.network_names.remove(&n.name);
    }
    if let Some(n) = new {
        ix.network_names.insert(n.name.clone(), n.id.clone());
    }
}

/// Kinds without indexes.
pub fn none<T>(_: &mut Index, _: Option<&T>, _: Option<&T>) {}
