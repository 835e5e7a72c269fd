//! `docker stack deploy` and `docker stack rm` on a real engine: the compose files are
//! planned client-side, as the docker CLI does.

use super::objects::network_body;
use super::service::{Current, image_ref, send_update};
use super::*;
use opsconsole_sim::engine::STACK_LABEL;

pub(super) async fn deploy(
    c: &bollard::Docker,
    files: &[String],
    stack: &str,
    prune: bool,
    stdin: Option<&str>,
    out: &mut Out,
) -> R<()> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let getenv = |k: &str| std::env::var(k).ok();
    let plan =
        opsconsole_sim::lang::compose::plan_files(files, &cwd, stack, &getenv, &image_ref, stdin)?;
    for w in &plan.warnings {
        out.stderr.push_str(w);
        out.stderr.push('\n');
    }
    let networks: Vec<String> = c
        .list_networks(None::<ListNetworksOptions>)
        .await
        .map_err(err)?
        .into_iter()
        .filter_map(|n| n.name)
        .collect();
    for ext in &plan.external_networks {
        if !networks.contains(ext) {
            return Err(format!(
                "network \"{ext}\" is declared as external, but could not be found. You need to create a swarm-scoped network before the stack is deployed"
            ));
        }
    }
    let mut sf = HashMap::new();
    sf.insert("label".to_string(), vec![format!("{STACK_LABEL}={stack}")]);
    let existing: Vec<Value> = c
        .list_services(Some(ListServicesOptions {
            filters: Some(sf),
            status: None,
        }))
        .await
        .map_err(err)?
        .into_iter()
        .map(json)
        .collect();
    if prune {
        for s in &existing {
            let name = convert::s(s, "/Spec/Name");
            if !plan.services.iter().any(|p| p.name == name) {
                out.line(format!("Removing service {name}"));
                c.delete_service(convert::s(s, "/ID")).await.map_err(err)?;
            }
        }
    }
    for n in &plan.networks {
        if networks.contains(&n.name) {
            continue;
        }
        out.line(format!("Creating network {}", n.name));
        let mut n = n.clone();
        n.labels.insert(STACK_LABEL.into(), stack.into());
        c.create_network(from_json(network_body(&n))?)
            .await
            .map_err(|e| format!("failed to create network {}: {}", n.name, api_error(&e)))?;
    }
    for spec in &plan.services {
        let mut spec = spec.clone();
        let img = spec.task_template.container_spec.image.clone();
        spec.task_template.container_spec.image = image_ref(&convert::strip_digest(&img));
        let found = existing
            .iter()
            .find(|s| convert::s(s, "/Spec/Name") == spec.name);
        match found {
            Some(s) => {
                let id = convert::s(s, "/ID").to_string();
                out.line(format!("Updating service {} (id: {id})", spec.name));
                let cur = Current {
                    id,
                    name: spec.name.clone(),
                    version: s
                        .pointer("/Version/Index")
                        .and_then(Value::as_i64)
                        .unwrap_or(0) as i32,
                    spec: s.get("Spec").cloned().unwrap_or(Value::Null),
                };
                send_update(c, &cur, json(&spec), false).await?;
            }
            None => {
                out.line(format!("Creating service {}", spec.name));
                c.create_service(from_json(json(&spec))?, None)
                    .await
                    .map_err(|e| {
                        format!("failed to create service {}: {}", spec.name, api_error(&e))
                    })?;
            }
        }
    }
    Ok(())
}

pub(super) async fn rm(c: &bollard::Docker, stack: &str, out: &mut Out) -> R<()> {
    let mut f = HashMap::new();
    f.insert("label".to_string(), vec![format!("{STACK_LABEL}={stack}")]);
    let services = c
        .list_services(Some(ListServicesOptions {
            filters: Some(f.clone()),
            status: None,
        }))
        .await
        .map_err(err)?;
    let networks = c
        .list_networks(Some(ListNetworksOptions { filters: Some(f) }))
        .await
        .map_err(err)?;
    if services.is_empty() && networks.is_empty() {
        out.line(format!("Nothing found in stack: {stack}"));
        return Ok(());
    }
    let mut services: Vec<Value> = services.into_iter().map(json).collect();
    services.sort_by(|a, b| convert::s(a, "/Spec/Name").cmp(convert::s(b, "/Spec/Name")));
    for s in &services {
        out.line(format!("Removing service {}", convert::s(s, "/Spec/Name")));
        if let Err(e) = c.delete_service(convert::s(s, "/ID")).await {
            out.fail(format!(
                "Failed to remove service {}: {}",
                convert::s(s, "/ID"),
                api_error(&e)
            ));
        }
    }
    for n in networks {
        let name = n.name.unwrap_or_default();
        out.line(format!("Removing network {name}"));
        if let Err(e) = c.remove_network(n.id.as_deref().unwrap_or(&name)).await {
            out.fail(format!(
                "Failed to remove network {name}: {}",
                api_error(&e)
            ));
        }
    }
    Ok(())
}
