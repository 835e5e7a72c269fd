//! Describing nodes: conditions, addresses, capacity, the pods on them and what those
//! request and limit of what is allocatable.

use super::{
    Cx, W, annotations_multiline, describe_events, events, get_or, labels_multiline, rfc1123z,
    since, typed,
};
use crate::api::enc;
use crate::quantity::Quantity;
use k8s_openapi::api::core::v1::{Node, Pod};
use serde_json::Value;
use std::collections::BTreeMap;

/// The roles a node's labels give it (`node-role.kubernetes.io/ROLE`, `kubernetes.io/role`).
fn node_roles(labels: Option<&BTreeMap<String, String>>) -> Vec<String> {
    let mut roles: Vec<String> = Vec::new();
    for (k, v) in labels.into_iter().flatten() {
        let role = match k.strip_prefix("node-role.kubernetes.io/") {
            Some(r) if !r.is_empty() => r.to_string(),
            _ if k == "kubernetes.io/role" && !v.is_empty() => v.clone(),
            _ => continue,
        };
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    roles.sort();
    roles
}

/// A pod's requests and limits as the node describer sums them: containers, raised to any
/// single init container's.
fn pod_resources(p: &Pod) -> (BTreeMap<String, Quantity>, BTreeMap<String, Quantity>) {
    let mut reqs: BTreeMap<String, Quantity> = BTreeMap::new();
    let mut lims: BTreeMap<String, Quantity> = BTreeMap::new();
    let spec = p.spec.clone().unwrap_or_default();
    for c in &spec.containers {
        let r = c.resources.clone().unwrap_or_default();
        for (k, v) in r.requests.unwrap_or_default() {
            let q = Quantity::parse(&v.0);
            let e = reqs.entry(k).or_default();
            *e = *e + q;
        }
        for (k, v) in r.limits.unwrap_or_default() {
            let q = Quantity::parse(&v.0);
            let e = lims.entry(k).or_default();
            *e = *e + q;
        }
    }
    for c in spec.init_containers.iter().flatten() {
        let r = c.resources.clone().unwrap_or_default();
        for (k, v) in r.requests.unwrap_or_default() {
            let q = Quantity::parse(&v.0);
            let e = reqs.entry(k).or_default();
            if q.milli > e.milli {
                *e = q;
            }
        }
        for (k, v) in r.limits.unwrap_or_default() {
            let q = Quantity::parse(&v.0);
            let e = lims.entry(k).or_default();
            if q.milli > e.milli {
                *e = q;
            }
        }
    }
    // A limit without a request requests the limit.
    for (k, v) in &lims {
        reqs.entry(k.clone()).or_insert(*v);
    }
    (reqs, lims)
}

fn percent(part: i128, whole: i128) -> i128 {
    if whole == 0 {
        0
    } else {
        (part as f64 / whole as f64 * 100.0) as i128
    }
}

pub(crate) async fn node(cx: &Cx<'_>, obj: &Value) -> Result<String, String> {
    let n: Node = typed(obj)?;
    let m = &n.metadata;
    let name = m.name.clone().unwrap_or_default();
    let selector = format!("spec.nodeName={name},status.phase!=Failed,status.phase!=Succeeded");
    let mut pods: Vec<Pod> = Vec::new();
    let mut cont = String::new();
    loop {
        let mut url = format!("/api/v1/pods?fieldSelector={}&limit=500", enc(&selector));
        if !cont.is_empty() {
            url.push_str(&format!("&continue={}", enc(&cont)));
        }
        let page = cx
            .api
            .get(&url, "application/json")
            .await
            .map_err(|e| e.report())?;
        for p in page["items"].as_array().into_iter().flatten() {
            pods.push(typed(p)?);
        }
        cont = page["metadata"]["continue"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if cont.is_empty() {
            break;
        }
    }
    let evs = if cx.show_events {
        // The controllers file a node's Events under its uid, the kubelet under its name.
        let mut e = events(cx.api, m, Some("Node"), m.uid.as_deref()).await;
        e.extend(events(cx.api, m, Some("Node"), Some(&name)).await);
        Some(e)
    } else {
        None
    };
    let lease = get_or(
        cx.api,
        &format!("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/{name}"),
    )
    .await;
    let spec = n.spec.clone().unwrap_or_default();
    let status = n.status.clone().unwrap_or_default();
    let mut w = W::default();
    w.w(0, &format!("Name:\t{name}\n"));
    let roles = node_roles(m.labels.as_ref());
    if roles.is_empty() {
        w.w(0, "Roles:\t<none>\n");
    } else {
        w.w(0, &format!("Roles:\t{}\n", roles.join(",")));
    }
    labels_multiline(&mut w, "", "Labels", m.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", m.annotations.as_ref());
    if let Some(t) = &m.creation_timestamp {
        w.w(0, &format!("CreationTimestamp:\t{}\n", rfc1123z(t)));
    }
    w.w(0, "Taints:\t");
    let mut taints = spec.taints.clone().unwrap_or_default();
    if taints.is_empty() {
        w.line("<none>");
    } else {
        taints.sort_by(|a, b| {
            format!("{},{}", a.effect, a.key).cmp(&format!("{},{}", b.effect, b.key))
        });
        for (i, t) in taints.iter().enumerate() {
            if i != 0 {
                w.w(0, "\t");
            }
            let value = t
                .value
                .as_deref()
                .filter(|v| !v.is_empty())
                .map(|v| format!("={v}"))
                .unwrap_or_default();
            w.w(0, &format!("{}{value}:{}\n", t.key, t.effect));
        }
    }
    w.w(
        0,
        &format!("Unschedulable:\t{}\n", spec.unschedulable.unwrap_or(false)),
    );
    match lease {
        Ok(l) => {
            w.w(0, "Lease:\n");
            let s = &l["spec"];
            w.w(
                1,
                &format!(
                    "HolderIdentity:\t{}\n",
                    s["holderIdentity"].as_str().unwrap_or("<unset>")
                ),
            );
            let t = |k: &str| {
                s[k].as_str()
                    .and_then(|t| serde_json::from_value(Value::String(t.into())).ok())
                    .map_or(
                        "<unset>".to_string(),
                        |t: k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime| {
                            rfc1123z(&k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(t.0))
                        },
                    )
            };
            w.w(1, &format!("AcquireTime:\t{}\n", t("acquireTime")));
            w.w(1, &format!("RenewTime:\t{}\n", t("renewTime")));
        }
        Err(e) => {
            let message = match &e {
                crate::api::Failure::Status { message, .. } => message.clone(),
                crate::api::Failure::Transport(m) => m.clone(),
            };
            w.w(0, &format!("Lease:\tFailed to get lease: {message}\n"));
        }
    }
    if let Some(conds) = status.conditions.as_ref().filter(|c| !c.is_empty()) {
        w.w(
            0,
            "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n",
        );
        w.w(
            1,
            "----\t------\t-----------------\t------------------\t------\t-------\n",
        );
        for c in conds {
            let f = |t: &Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::Time>| {
                t.as_ref()
                    .map(rfc1123z)
                    .unwrap_or_else(|| "Mon, 01 Jan 0001 00:00:00 +0000".into())
            };
            w.w(
                1,
                &format!(
                    "{} \t{} \t{} \t{} \t{} \t{}\n",
                    c.type_,
                    c.status,
                    f(&c.last_heartbeat_time),
                    f(&c.last_transition_time),
                    c.reason.as_deref().unwrap_or_default(),
                    c.message.as_deref().unwrap_or_default()
                ),
            );
        }
    }
    w.w(0, "Addresses:\n");
    for a in status.addresses.iter().flatten() {
        w.w(1, &format!("{}:\t{}\n", a.type_, a.address));
    }
    let resource_list =
        |w: &mut W,
         list: &BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>| {
            for (k, v) in list {
                w.w(0, &format!("  {k}:\t{}\n", v.0));
            }
        };
    let capacity = status.capacity.clone().unwrap_or_default();
    let allocatable = status.allocatable.clone().unwrap_or_default();
    if !capacity.is_empty() {
        w.w(0, "Capacity:\n");
        resource_list(&mut w, &capacity);
    }
    if !allocatable.is_empty() {
        w.w(0, "Allocatable:\n");
        resource_list(&mut w, &allocatable);
    }
    let info = status.node_info.clone().unwrap_or_default();
    w.w(0, "System Info:\n");
    for (k, v) in [
        ("Machine ID", &info.machine_id),
        ("System UUID", &info.system_uuid),
        ("Boot ID", &info.boot_id),
        ("Kernel Version", &info.kernel_version),
        ("OS Image", &info.os_image),
        ("Operating System", &info.operating_system),
        ("Architecture", &info.architecture),
        ("Container Runtime Version", &info.container_runtime_version),
        ("Kubelet Version", &info.kubelet_version),
        ("Kube-Proxy Version", &info.kube_proxy_version),
    ] {
        w.w(0, &format!("  {k}:\t{v}\n"));
    }
    if let Some(c) = spec.pod_cidr.as_ref().filter(|c| !c.is_empty()) {
        w.w(0, &format!("PodCIDR:\t{c}\n"));
    }
    if let Some(c) = spec.pod_cidrs.as_ref().filter(|c| !c.is_empty()) {
        w.w(0, &format!("PodCIDRs:\t{}\n", c.join(",")));
    }
    if let Some(p) = spec.provider_id.as_ref().filter(|p| !p.is_empty()) {
        w.w(0, &format!("ProviderID:\t{p}\n"));
    }
    let alloc = if allocatable.is_empty() {
        &capacity
    } else {
        &allocatable
    };
    let alloc_of = |k: &str| {
        alloc
            .get(k)
            .map(|q| Quantity::parse(&q.0))
            .unwrap_or_default()
    };
    let (cpu, mem, eph) = (
        alloc_of("cpu"),
        alloc_of("memory"),
        alloc_of("ephemeral-storage"),
    );
    w.w(
        0,
        &format!("Non-terminated Pods:\t({} in total)\n", pods.len()),
    );
    w.w(
        1,
        "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n",
    );
    w.w(
        1,
        "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n",
    );
    let mut total_req: BTreeMap<String, Quantity> = BTreeMap::new();
    let mut total_lim: BTreeMap<String, Quantity> = BTreeMap::new();
    for p in &pods {
        let (req, lim) = pod_resources(p);
        let g = |m: &BTreeMap<String, Quantity>, k: &str| m.get(k).copied().unwrap_or_default();
        let (cr, cl, mr, ml) = (
            g(&req, "cpu"),
            g(&lim, "cpu"),
            g(&req, "memory"),
            g(&lim, "memory"),
        );
        w.w(
            1,
            &format!(
                "{}\t{}\t\t{cr} ({}%)\t{cl} ({}%)\t{mr} ({}%)\t{ml} ({}%)\t{}\n",
                p.metadata.namespace.as_deref().unwrap_or_default(),
                p.metadata.name.as_deref().unwrap_or_default(),
                percent(cr.milli_value(), cpu.milli_value()),
                percent(cl.milli_value(), cpu.milli_value()),
                percent(mr.value(), mem.value()),
                percent(ml.value(), mem.value()),
                since(p.metadata.creation_timestamp.as_ref())
            ),
        );
        for (k, v) in req {
            let e = total_req.entry(k).or_default();
            *e = *e + v;
        }
        for (k, v) in lim {
            let e = total_lim.entry(k).or_default();
            *e = *e + v;
        }
    }
    w.w(
        0,
        "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n",
    );
    w.w(1, "Resource\tRequests\tLimits\n");
    w.w(1, "--------\t--------\t------\n");
    let g = |m: &BTreeMap<String, Quantity>, k: &str| m.get(k).copied().unwrap_or_default();
    for (k, whole, milli) in [
        ("cpu", cpu, true),
        ("memory", mem, false),
        ("ephemeral-storage", eph, false),
    ] {
        let (r, l) = (g(&total_req, k), g(&total_lim, k));
        let (pr, pl) = if milli {
            (
                percent(r.milli_value(), whole.milli_value()),
                percent(l.milli_value(), whole.milli_value()),
            )
        } else {
            (
                percent(r.value(), whole.value()),
                percent(l.value(), whole.value()),
            )
        };
        w.w(1, &format!("{k}\t{r} ({pr}%)\t{l} ({pl}%)\n"));
    }
    for k in alloc.keys().filter(|k| k.starts_with("hugepages-")) {
        let (r, l) = (g(&total_req, k), g(&total_lim, k));
        let whole = alloc_of(k);
        w.w(
            1,
            &format!(
                "{k}\t{r} ({}%)\t{l} ({}%)\n",
                percent(r.value(), whole.value()),
                percent(l.value(), whole.value())
            ),
        );
    }
    if let Some(ev) = evs {
        describe_events(&ev, &mut w);
    }
    Ok(w.tabbed())
}
