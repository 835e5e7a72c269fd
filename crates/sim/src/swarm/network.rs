//! Overlay networks: subnet allocation from the default pool, and addresses for service VIPs
//! and task attachments (lowest free address first, gateway at .1, as docker's IPAM does).

use crate::infra::ipam::{format_ipv4, parse_cidr};
use crate::model::*;
use crate::state::State;

pub const INGRESS: &str = "ingress";

/// The subnet and gateway of an overlay network.
pub fn subnet_of(n: &Network) -> Option<(u32, u8)> {
    n.ipam.config.first().and_then(|c| parse_cidr(&c.subnet))
}

/// Picks the first free /size subnet of the swarm's default pool.
pub fn free_subnet(st: &State) -> Option<String> {
    let pool = st
        .meta
        .swarm
        .default_addr_pool
        .first()
        .cloned()
        .unwrap_or_else(|| "10.0.0.0/8".into());
    let (base, plen) = parse_cidr(&pool)?;
    let size = st.meta.swarm.subnet_size.max(plen);
    let used: Vec<(u32, u8)> = st.all::<Network>().filter_map(subnet_of).collect();
    let count = 1u64 << (size - plen);
    for i in 0..count {
        let net = base + ((i as u32) << (32 - size));
        let overlaps = used.iter().any(|&(u, ul)| {
            let m = ul.min(size);
            let mask = if m == 0 { 0 } else { u32::MAX << (32 - m) };
            (u & mask) == (net & mask)
        });
        if !overlaps {
            return Some(format!("{}/{size}", format_ipv4(net)));
        }
    }
    None
}

/// Allocates an address in a network for `owner`; returns "a.b.c.d/len".
pub fn allocate(st: &mut State, network_id: &str, owner: &str) -> Option<String> {
    let n = st.get::<Network>(network_id)?;
    let (base, len) = subnet_of(n)?;
    let hosts = if len >= 31 {
        0
    } else {
        (1u32 << (32 - len)) - 2
    };
    // .1 is the gateway.
    let host = (2..=hosts).find(|h| !n.sim.allocated.contains_key(h))?;
    st.update::<Network>(network_id, |n| {
        n.sim.allocated.insert(host, owner.to_string());
    });
    Some(format!("{}/{len}", format_ipv4(base + host)))
}

/// Releases every address `owner` holds in a network.
pub fn release(st: &mut State, network_id: &str, owner: &str) {
    let holds = st
        .get::<Network>(network_id)
        .is_some_and(|n| n.sim.allocated.values().any(|o| o == owner));
    if holds {
        st.update::<Network>(network_id, |n| n.sim.allocated.retain(|_, o| o != owner));
    }
}

/// The networks a service's tasks attach to: ingress if it publishes ingress ports, then the
/// networks of its spec.
pub fn task_networks(st: &State, spec: &ServiceSpec) -> Vec<String> {
    let mut out = Vec::new();
    let ep = spec.endpoint();
    if ep
        .ports
        .iter()
        .any(|p| p.publish_mode == PublishMode::Ingress)
        && let Some(id) = st.index().network_names.get(INGRESS)
    {
        out.push(id.clone());
    }
    for n in &spec.task_template.networks {
        if let Some(id) = resolve(st, &n.target)
            && !out.contains(&id)
        {
            out.push(id);
        }
    }
    out
}

/// Finds a network by ID, name or unique ID prefix.
pub fn resolve(st: &State, key: &str) -> Option<String> {
    if st.get::<Network>(key).is_some() {
        return Some(key.to_string());
    }
    if let Some(id) = st.index().network_names.get(key) {
        return Some(id.clone());
    }
    let mut m = st.with_prefix::<Network>(key);
    match (m.next(), m.next()) {
        (Some(n), None) if !key.is_empty() => Some(n.id.clone()),
        _ => None,
    }
}

/// A swarm-scoped overlay network record.
pub struct OverlaySpec {
    pub name: String,
    pub subnet: String,
    pub gateway: String,
    pub vxlan: u32,
    pub ingress: bool,
    pub internal: bool,
    pub attachable: bool,
    pub options: Labels,
    pub labels: Labels,
}

pub fn overlay(id: String, created: crate::base::time::SimTime, o: OverlaySpec) -> Network {
    let mut options = o.options;
    options.insert(
        "com.docker.network.driver.overlay.vxlanid_list".into(),
        o.vxlan.to_string(),
    );
    Network {
        name: o.name,
        id,
        created,
        scope: "swarm".into(),
        driver: "overlay".into(),
        enable_ipv6: false,
        ipam: Ipam {
            driver: "default".into(),
            options: None,
            config: vec![IpamConfig {
                subnet: o.subnet,
                gateway: o.gateway,
            }],
        },
        internal: o.internal,
        attachable: o.attachable,
        ingress: o.ingress,
        options,
        labels: o.labels,
        sim: NetworkSim {
            allocated: Default::default(),
            vxlan_id: o.vxlan,
        },
    }
}
