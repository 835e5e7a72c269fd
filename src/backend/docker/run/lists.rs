//! `ls` and `ps` listings on a real engine, through the same converter the console uses.

use super::*;
use opsconsole_sim::exec::views::{Listing, NODE_HEADERS, NODE_KEYS, TASK_HEADERS, TASK_KEYS};

async fn raw_for_lists(c: &bollard::Docker, list: &ListOpts, containers: bool) -> R<Raw> {
    let mut raw = Raw::default();
    let f = filters(list);
    raw.info = json(c.info().await.map_err(err)?);
    raw.swarm = convert::s(&raw.info, "/Swarm/LocalNodeState") == "active";
    if containers {
        let opts = ListContainersOptions {
            all: true,
            filters: Some(f),
            ..Default::default()
        };
        raw.containers = c
            .list_containers(Some(opts))
            .await
            .map_err(err)?
            .into_iter()
            .map(json)
            .collect();
    }
    Ok(raw)
}

fn listing(out: &mut Out, l: Listing, opts: &ListOpts) {
    out.result(l.render(opts).map(|s| s.trim_end_matches('\n').to_string()));
}

pub(super) async fn lists(c: &bollard::Docker, cmd: &DockerCmd, out: &mut Out) -> R<()> {
    match cmd {
        DockerCmd::ServiceLs(list) => {
            let f = filters(list);
            let mut raw = Raw {
                swarm: true,
                ..Raw::default()
            };
            raw.services = c
                .list_services(Some(ListServicesOptions {
                    filters: Some(f),
                    status: Some(true),
                }))
                .await
                .map_err(err)?
                .into_iter()
                .map(json)
                .collect();
            raw.tasks = c
                .list_tasks(None::<ListTasksOptions>)
                .await
                .map_err(err)?
                .into_iter()
                .map(json)
                .collect();
            let rows = convert::service_views(&raw)
                .into_iter()
                .map(|(s, _)| {
                    json!({"ID": trunc_id(s.id()), "Name": s.name(), "Mode": s.mode.name(),
                        "Replicas": s.replicas, "Image": s.image, "Ports": s.ports})
                })
                .collect();
            let l = Listing {
                headers: &["ID", "NAME", "MODE", "REPLICAS", "IMAGE", "PORTS"],
                keys: &["ID", "Name", "Mode", "Replicas", "Image", "Ports"],
                rows,
                quiet_key: "ID",
            };
            listing(out, l, list);
        }
        DockerCmd::NodeLs(list) => {
            let raw = Raw {
                swarm: true,
                info: json(c.info().await.map_err(err)?),
                nodes: c
                    .list_nodes(Some(ListNodesOptions {
                        filters: Some(filters(list)),
                    }))
                    .await
                    .map_err(err)?
                    .into_iter()
                    .map(json)
                    .collect(),
                ..Raw::default()
            };
            let me = convert::s(&raw.info, "/Swarm/NodeID").to_string();
            let rows = convert::node_views(&raw, "")
                .into_iter()
                .map(|n| {
                    let star = if n.id() == me { " *" } else { "" };
                    json!({"ID": format!("{}{star}", n.id()), "Hostname": n.hostname(),
                        "Status": n.status.title(), "Availability": n.availability.title(),
                        "ManagerStatus": n.manager_status.title(), "EngineVersion": n.engine})
                })
                .collect();
            let l = Listing {
                headers: NODE_HEADERS,
                keys: NODE_KEYS,
                rows,
                quiet_key: "ID",
            };
            listing(out, l, list);
        }
        DockerCmd::ServicePs { services, list } => {
            let mut raw = Raw {
                swarm: true,
                ..Raw::default()
            };
            let mut f = filters(list);
            for s in services {
                let cur = super::service::service(c, s).await?;
                f.entry("service".into()).or_default().push(cur.id);
            }
            raw.tasks = c
                .list_tasks(Some(ListTasksOptions { filters: Some(f) }))
                .await
                .map_err(err)?
                .into_iter()
                .map(json)
                .collect();
            raw.services = c
                .list_services(None::<ListServicesOptions>)
                .await
                .map_err(err)?
                .into_iter()
                .map(json)
                .collect();
            raw.nodes = c
                .list_nodes(None::<ListNodesOptions>)
                .await
                .map_err(err)?
                .into_iter()
                .map(json)
                .collect();
            let now =
                opsconsole_sim::base::time::SimTime(crate::backend::view::wall_ms() * 1_000_000);
            let mut tasks = convert::task_views(&raw);
            tasks.sort_by(|a, b| {
                (a.service_name(), a.slot, std::cmp::Reverse(a.created_at())).cmp(&(
                    b.service_name(),
                    b.slot,
                    std::cmp::Reverse(b.created_at()),
                ))
            });
            let mut last = (String::new(), u64::MAX);
            let rows = tasks
                .into_iter()
                .map(|t| {
                    let key = (t.service_name().to_string(), t.slot);
                    let name = if key == last {
                        format!(" \\_ {}", t.name())
                    } else {
                        t.name().to_string()
                    };
                    last = key;
                    json!({"ID": trunc_id(t.id()), "Name": name, "Image": t.image,
                        "Node": t.node_name, "DesiredState": t.desired_status.title(),
                        "CurrentState": opsconsole_sim::exec::format::state_ago(t.status.as_str(), t.since, now),
                        "Error": t.err, "Ports": t.ports})
                })
                .collect();
            let l = Listing {
                headers: TASK_HEADERS,
                keys: TASK_KEYS,
                rows,
                quiet_key: "ID",
            };
            listing(out, l, list);
        }
        DockerCmd::ContainerLs { all, last, list } => {
            let raw = raw_for_lists(c, list, true).await?;
            let mut cs: Vec<&Value> = raw
                .containers
                .iter()
                .filter(|c| *all || convert::s(c, "/State") == "running")
                .collect();
            if let Some(n) = last {
                cs.truncate(*n);
            }
            let rows = cs
                .iter()
                .map(|c| {
                    json!({"ID": trunc_id(convert::s(c, "/Id")),
                        "Image": convert::s(c, "/Image"),
                        "Command": format!("{:?}", convert::s(c, "/Command")),
                        "Status": convert::s(c, "/Status"),
                        "Names": convert::s(c, "/Names/0").trim_start_matches('/')})
                })
                .collect();
            let l = Listing {
                headers: &["CONTAINER ID", "IMAGE", "COMMAND", "STATUS", "NAMES"],
                keys: &["ID", "Image", "Command", "Status", "Names"],
                rows,
                quiet_key: "ID",
            };
            listing(out, l, list);
        }
        DockerCmd::VolumeLs(list) => {
            let v = c
                .list_volumes(Some(ListVolumesOptions {
                    filters: Some(filters(list)),
                }))
                .await
                .map_err(err)?;
            let rows = v
                .volumes
                .unwrap_or_default()
                .into_iter()
                .map(|v| json!({"Driver": v.driver, "Name": v.name}))
                .collect();
            let l = Listing {
                headers: &["DRIVER", "VOLUME NAME"],
                keys: &["Driver", "Name"],
                rows,
                quiet_key: "Name",
            };
            listing(out, l, list);
        }
        DockerCmd::NetworkLs(list) => {
            let v = c
                .list_networks(Some(ListNetworksOptions {
                    filters: Some(filters(list)),
                }))
                .await
                .map_err(err)?;
            let rows = v
                .into_iter()
                .map(|n| {
                    json!({"ID": trunc_id(n.id.as_deref().unwrap_or("")), "Name": n.name,
                        "Driver": n.driver, "Scope": n.scope})
                })
                .collect();
            let l = Listing {
                headers: &["NETWORK ID", "NAME", "DRIVER", "SCOPE"],
                keys: &["ID", "Name", "Driver", "Scope"],
                rows,
                quiet_key: "ID",
            };
            listing(out, l, list);
        }
        _ => return Err("not a list".into()),
    }
    Ok(())
}
