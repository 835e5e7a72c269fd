//! `inspect` on a real engine.

use super::*;

pub(super) async fn inspects(
    c: &bollard::Docker,
    host: &str,
    cmd: &DockerCmd,
    out: &mut Out,
) -> R<()> {
    let (opts, kind) = match cmd {
        DockerCmd::ServiceInspect(o) => (o, "service"),
        DockerCmd::NodeInspect(o) => (o, "node"),
        DockerCmd::VolumeInspect(o) => (o, "volume"),
        DockerCmd::NetworkInspect(o) => (o, "network"),
        DockerCmd::ContainerInspect(o) => (o, "container"),
        DockerCmd::Inspect(o) => (o, "any"),
        _ => return Err("not an inspect".into()),
    };
    let mut values = Vec::new();
    for name in &opts.names {
        let name = if kind == "node" && name == "self" {
            let info = json(c.info().await.map_err(err)?);
            convert::s(&info, "/Swarm/NodeID").to_string()
        } else {
            name.clone()
        };
        if kind == "service" {
            match super::super::inspect_service_json(c, host, &name).await {
                Ok(v) => values.push(v),
                Err(e) => out.fail(e),
            }
            continue;
        }
        let v = match kind {
            "node" => c.inspect_node(&name).await.map(json),
            "volume" => c.inspect_volume(&name).await.map(json),
            "network" => c.inspect_network(&name, None).await.map(json),
            "container" => c.inspect_container(&name, None).await.map(json),
            _ => match c.inspect_container(&name, None).await.map(json) {
                Ok(v) => Ok(v),
                Err(_) => match c.inspect_service(&name, None).await.map(json) {
                    Ok(v) => Ok(v),
                    Err(_) => c.inspect_node(&name).await.map(json),
                },
            },
        };
        match v {
            Ok(v) => values.push(v),
            Err(e) => out.fail(err(e)),
        }
    }
    print_inspect(out, values, opts);
    Ok(())
}
