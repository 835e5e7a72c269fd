//! A service's endpoint: published ports (dynamic ones from 30000) and VIPs.

use crate::model::*;
use crate::state::State;
use crate::swarm::*;

/// Resolves a service's published ports (dynamic ones from 30000) and its VIPs (A service
/// gets one VIP per network in vip mode; dnsrr gets none).
pub fn allocate_endpoint(st: &mut State, svc_id: &str) {
    let Some(svc) = st.get::<Service>(svc_id).cloned() else {
        return;
    };
    let spec = svc.spec.endpoint();
    let mut used: std::collections::BTreeSet<u32> = st
        .all::<Service>()
        .filter(|s| s.id != svc_id)
        .flat_map(|s| {
            s.endpoint
                .ports
                .iter()
                .filter(|p| p.publish_mode == PublishMode::Ingress)
                .map(|p| p.published_port)
        })
        .collect();
    let mut ports = Vec::new();
    for p in &spec.ports {
        let mut p = p.clone();
        if p.publish_mode == PublishMode::Ingress && p.published_port == 0 {
            // Keep the port it had, if any.
            let kept = svc
                .endpoint
                .ports
                .iter()
                .find(|q| {
                    q.target_port == p.target_port
                        && q.protocol == p.protocol
                        && q.publish_mode == PublishMode::Ingress
                })
                .map(|q| q.published_port);
            let port = kept.unwrap_or_else(|| {
                let mut candidate = st.meta.next_ingress_port.max(30000);
                while used.contains(&candidate) {
                    candidate += 1;
                }
                candidate
            });
            if kept.is_none() {
                st.meta.next_ingress_port = port + 1;
            }
            p.published_port = port;
        }
        used.insert(p.published_port);
        ports.push(p);
    }
    let owner = format!("vip:{svc_id}");
    let nets = if spec.mode == EndpointMode::Vip {
        network::task_networks(st, &svc.spec)
    } else {
        Vec::new()
    };
    let mut vips = Vec::new();
    for n in &nets {
        match svc.endpoint.virtual_ips.iter().find(|v| &v.network_id == n) {
            Some(v) => vips.push(v.clone()),
            None => {
                if let Some(addr) = network::allocate(st, n, &owner) {
                    vips.push(VirtualIp {
                        network_id: n.clone(),
                        addr,
                    });
                }
            }
        }
    }
    for v in &svc.endpoint.virtual_ips {
        if !nets.contains(&v.network_id) {
            network::release(st, &v.network_id, &owner);
        }
    }
    st.update::<Service>(svc_id, |s| {
        s.endpoint = Endpoint {
            spec: spec.clone(),
            ports,
            virtual_ips: vips,
        };
    });
}
