//! `docker stack ...`.

use super::*;
use crate::Cluster;
use crate::Command;
use crate::exec::*;
use crate::lang::compose;
use crate::lang::docker::*;
use crate::model::*;

pub(super) fn deploy(cx: Cx, files: Vec<String>, name: String, prune: bool) -> i32 {
    let Cx { cl, env, io, .. } = cx;
    stack_deploy(cl, env, io, &files, &name, prune)
}

pub(super) fn ls(cx: Cx, opts: ListOpts) -> i32 {
    let Cx { cl, env, io, .. } = cx;
    let _ = try_or_fail!(io, manager(cl, env));
    io.out(&try_or_fail!(io, views::stack_ls(cl, &opts)));
    0
}

pub(super) fn services(cx: Cx, name: String, list: ListOpts) -> i32 {
    let Cx { cl, env, io, .. } = cx;
    let _ = try_or_fail!(io, manager(cl, env));
    let Some(svcs) = views::stacks(cl).remove(&name) else {
        return io.fail(&format!("Nothing found in stack: {name}"));
    };
    let svcs: Vec<&Service> = svcs.into_iter().collect();
    io.out(&try_or_fail!(
        io,
        views::services_listing(cl, svcs).render(&list)
    ));
    0
}

pub(super) fn ps(cx: Cx, name: String, list: ListOpts) -> i32 {
    let Cx { cl, env, io, .. } = cx;
    let _ = try_or_fail!(io, manager(cl, env));
    let Some(svcs) = views::stacks(cl).remove(&name) else {
        return io.fail(&format!("Nothing found in stack: {name}"));
    };
    let tasks: Vec<&Task> = svcs
        .iter()
        .flat_map(|s| cl.tasks_of_service(&s.id))
        .collect();
    io.out(&try_or_fail!(io, views::tasks_listing(cl, tasks, &list)));
    0
}

pub(super) fn rm(cx: Cx, names: Vec<String>) -> i32 {
    let Cx { cl, env, io, .. } = cx;
    let _ = try_or_fail!(io, manager(cl, env));
    let mut code = 0;
    for name in names {
        let svcs: Vec<(String, String)> = views::stacks(cl)
            .remove(&name)
            .unwrap_or_default()
            .iter()
            .map(|s| (s.id.clone(), s.spec.name.clone()))
            .collect();
        let nets: Vec<(String, String)> = cl
            .state()
            .all::<Network>()
            .filter(|n| n.labels.get(STACK_LABEL) == Some(&name))
            .map(|n| (n.id.clone(), n.name.clone()))
            .collect();
        if svcs.is_empty() && nets.is_empty() {
            code = io.fail(&format!("Nothing found in stack: {name}"));
            continue;
        }
        let mut cmds: Vec<Command> = Vec::new();
        for (id, n) in &svcs {
            io.outln(&format!("Removing service {n}"));
            cmds.push(Command::RemoveService {
                service: id.clone(),
            });
        }
        for (id, n) in &nets {
            io.outln(&format!("Removing network {n}"));
            cmds.push(Command::RemoveNetwork {
                network: id.clone(),
            });
        }
        if let Err((_, e)) = cl.apply_all(cmds) {
            code = io.daemon(&e);
        }
    }
    code
}

fn stack_deploy(
    cl: &mut Cluster,
    env: &mut Env,
    io: &mut Io,
    files: &[String],
    name: &str,
    prune: bool,
) -> i32 {
    let _ = try_or_fail!(io, manager(cl, env));
    let plan = match compose::plan_files(
        files,
        &env.cwd,
        name,
        env.getenv,
        &registry,
        env.stdin.as_deref(),
    ) {
        Ok(p) => p,
        Err(e) => return io.fail(&e),
    };
    for w in &plan.warnings {
        io.errln(w);
    }
    for ext in &plan.external_networks {
        if cl.find_network(ext).is_none() {
            return io.fail(&format!("network \"{ext}\" is declared as external, but could not be found. You need to create a swarm-scoped network before the stack is deployed"));
        }
    }
    let mut cmds = Vec::new();
    let mut lines = Vec::new();
    if prune {
        let keep: Vec<&str> = plan.services.iter().map(|s| s.name.as_str()).collect();
        for s in views::stacks(cl).remove(name).unwrap_or_default() {
            if !keep.contains(&s.spec.name.as_str()) {
                lines.push(format!("Removing service {}", s.spec.name));
                cmds.push(Command::RemoveService {
                    service: s.id.clone(),
                });
            }
        }
    }
    for n in &plan.networks {
        if cl.find_network(&n.name).is_none() {
            lines.push(format!("Creating network {}", n.name));
            cmds.push(Command::CreateNetwork(n.clone()));
        }
    }
    for spec in &plan.services {
        match cl.find_service(&spec.name) {
            Some(existing) => {
                lines.push(format!(
                    "Updating service {} (id: {})",
                    spec.name, existing.id
                ));
                cmds.push(Command::UpdateService {
                    service: existing.id.clone(),
                    spec: spec.clone(),
                });
            }
            None => {
                lines.push(format!("Creating service {}", spec.name));
                cmds.push(Command::CreateService { spec: spec.clone() });
            }
        }
    }
    match cl.apply_all(cmds) {
        Ok(_) => {
            for l in lines {
                io.outln(&l);
            }
            0
        }
        Err((i, e)) => {
            for l in lines.iter().take(i) {
                io.outln(l);
            }
            io.fail(&format!(
                "failed to {}: Error response from daemon: {e}\nopsconsole: nothing was deployed",
                lines.get(i).map(|l| l.to_lowercase()).unwrap_or_default()
            ))
        }
    }
}
