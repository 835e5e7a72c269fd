//! Volumes, networks, containers, `info` and `version` on a real engine.

use super::*;
use opsconsole_sim::engine::Labels;

/// The body of `POST /networks/create` for `network create` (and a stack's networks).
pub(super) fn network_body(n: &opsconsole_sim::engine::NetworkCreate) -> Value {
    let mut body = json!({"Name": n.name, "Driver": n.driver, "Attachable": n.attachable,
        "Internal": n.internal, "Labels": n.labels, "Options": n.options});
    if n.encrypted {
        body["Options"]["encrypted"] = json!("");
    }
    if let Some(subnet) = &n.subnet {
        let mut cfg = json!({"Subnet": subnet});
        if let Some(g) = &n.gateway {
            cfg["Gateway"] = json!(g);
        }
        body["IPAM"] = json!({"Driver": "default", "Config": [cfg]});
    }
    body
}

pub(super) async fn volume_create(
    c: &bollard::Docker,
    out: &mut Out,
    name: Option<String>,
    driver: String,
    labels: Labels,
    opts: Labels,
) -> R<()> {
    let body = json!({"Name": name.unwrap_or_default(), "Driver": driver,
        "Labels": labels, "DriverOpts": opts});
    let v: bollard::models::VolumeCreateRequest = from_json(body)?;
    let r = c.create_volume(v).await.map_err(err)?;
    out.line(r.name);
    Ok(())
}

pub(super) async fn volume_rm(
    c: &bollard::Docker,
    out: &mut Out,
    names: Vec<String>,
    force: bool,
) -> R<()> {
    each(out, c, &names, |c, n| async move {
        c.remove_volume(&n, Some(RemoveVolumeOptions { force }))
            .await
    })
    .await;
    Ok(())
}

pub(super) async fn network_create(
    c: &bollard::Docker,
    out: &mut Out,
    n: opsconsole_sim::engine::NetworkCreate,
) -> R<()> {
    let r = c
        .create_network(from_json(network_body(&n))?)
        .await
        .map_err(err)?;
    out.line(r.id);
    Ok(())
}

pub(super) async fn network_rm(c: &bollard::Docker, out: &mut Out, names: Vec<String>) -> R<()> {
    each(
        out,
        c,
        &names,
        |c, n| async move { c.remove_network(&n).await },
    )
    .await;
    Ok(())
}

pub(super) async fn container_start(
    c: &bollard::Docker,
    out: &mut Out,
    names: Vec<String>,
) -> R<()> {
    each(out, c, &names, |c, n| async move {
        c.start_container(&n, None::<StartContainerOptions>).await
    })
    .await;
    Ok(())
}

pub(super) async fn container_stop(
    c: &bollard::Docker,
    out: &mut Out,
    names: Vec<String>,
    time: Option<i64>,
) -> R<()> {
    let t = time.map(|t| t as i32);
    each(out, c, &names, |c, n| async move {
        c.stop_container(&n, Some(StopContainerOptions { t, signal: None }))
            .await
    })
    .await;
    Ok(())
}

pub(super) async fn container_restart(
    c: &bollard::Docker,
    out: &mut Out,
    names: Vec<String>,
    time: Option<i64>,
) -> R<()> {
    let t = time.map(|t| t as i32);
    each(out, c, &names, |c, n| async move {
        c.restart_container(&n, Some(RestartContainerOptions { t, signal: None }))
            .await
    })
    .await;
    Ok(())
}

pub(super) async fn container_kill(
    c: &bollard::Docker,
    out: &mut Out,
    names: Vec<String>,
    signal: String,
) -> R<()> {
    each(out, c, &names, |c, n| {
        let signal = signal.clone();
        async move {
            c.kill_container(&n, Some(KillContainerOptions { signal }))
                .await
        }
    })
    .await;
    Ok(())
}

pub(super) async fn container_rm(
    c: &bollard::Docker,
    out: &mut Out,
    names: Vec<String>,
    force: bool,
    volumes: bool,
) -> R<()> {
    each(out, c, &names, |c, n| async move {
        let o = RemoveContainerOptions {
            v: volumes,
            force,
            link: false,
        };
        c.remove_container(&n, Some(o)).await
    })
    .await;
    Ok(())
}

pub(super) async fn info(c: &bollard::Docker, out: &mut Out) -> R<()> {
    let i = json(c.info().await.map_err(err)?);
    for (k, p) in [
        ("Server Version", "/ServerVersion"),
        ("Name", "/Name"),
        ("Containers", "/Containers"),
        ("Running", "/ContainersRunning"),
        ("Images", "/Images"),
        ("Storage Driver", "/Driver"),
        ("Swarm", "/Swarm/LocalNodeState"),
        ("NodeID", "/Swarm/NodeID"),
        ("Operating System", "/OperatingSystem"),
        ("CPUs", "/NCPU"),
        ("Total Memory", "/MemTotal"),
    ] {
        let v = i.pointer(p).cloned().unwrap_or(Value::Null);
        let v = v.as_str().map(str::to_string).unwrap_or(v.to_string());
        out.line(format!(" {k}: {v}"));
    }
    Ok(())
}

pub(super) async fn version(c: &bollard::Docker, out: &mut Out) -> R<()> {
    let v = json(c.version().await.map_err(err)?);
    out.line(format!(
        "Server:\n Engine:\n  Version:          {}\n  API version:      {} (minimum version {})\n  Go version:       {}\n  OS/Arch:          {}/{}",
        convert::s(&v, "/Version"),
        convert::s(&v, "/ApiVersion"),
        convert::s(&v, "/MinAPIVersion"),
        convert::s(&v, "/GoVersion"),
        convert::s(&v, "/Os"),
        convert::s(&v, "/Arch")
    ));
    Ok(())
}
