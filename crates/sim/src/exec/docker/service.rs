//! `docker service ...`.

use super::*;
use crate::Cluster;
use crate::exec::pending::LogSource;
use crate::exec::*;
use crate::lang::docker::*;
use crate::lang::service::{create_spec, update_spec};
use crate::model::*;
use crate::{Command, Outcome};

pub(super) fn create(cx: Cx, c: Box<ServiceCreate>) -> i32 {
    let Cx {
        cl,
        env,
        io,
        pending,
    } = cx;
    let _ = try_or_fail!(io, manager(cl, env));
    let name = c
        .flags
        .name
        .clone()
        .unwrap_or_else(|| cl.state_mut().meta.rng.container_name());
    let spec = match create_spec(&c.flags, name, &registry) {
        Ok(s) => s,
        Err(e) => return io.fail(&e),
    };
    warn_unpinned(io, &spec.task_template.container_spec.image);
    let id = match cl.apply(Command::CreateService { spec }) {
        Ok(Outcome::Id(id)) => id,
        Ok(_) => return 1,
        Err(e) => return io.daemon(&e),
    };
    io.outln(&id);
    if !(c.detach || c.quiet) {
        *pending = Some(Pending::progress(
            vec![(id, false)],
            Vec::new(),
            env.wait_limit,
        ));
    }
    0
}

pub(super) fn update(cx: Cx, u: Box<ServiceUpdate>) -> i32 {
    let Cx {
        cl,
        env,
        io,
        pending,
    } = cx;
    let _ = try_or_fail!(io, manager(cl, env));
    let Some(svc) = cl.find_service(&u.service).cloned() else {
        return io.fail(&format!("Error: No such service: {}", u.service));
    };
    let r = if u.rollback {
        cl.apply(Command::RollbackService {
            service: svc.id.clone(),
        })
    } else {
        let spec = match update_spec(&svc.spec, &u.flags, &registry) {
            Ok(s) => s,
            Err(e) => return io.fail(&e),
        };
        if u.flags.image.is_some() {
            warn_unpinned(io, &spec.task_template.container_spec.image);
        }
        cl.apply(Command::UpdateService {
            service: svc.id.clone(),
            spec,
        })
    };
    if let Err(e) = r {
        return io.daemon(&e);
    }
    io.outln(&u.service);
    if !(u.detach || u.quiet) {
        *pending = Some(Pending::progress(
            vec![(svc.id.clone(), u.rollback)],
            Vec::new(),
            env.wait_limit,
        ));
    }
    0
}

pub(super) fn ls(cx: Cx, opts: ListOpts) -> i32 {
    let Cx { cl, env, io, .. } = cx;
    let _ = try_or_fail!(io, manager(cl, env));
    io.out(&try_or_fail!(io, views::service_ls(cl, &opts)));
    0
}

pub(super) fn ps(cx: Cx, services: Vec<String>, list: ListOpts) -> i32 {
    let Cx { cl, env, io, .. } = cx;
    let _ = try_or_fail!(io, manager(cl, env));
    let mut tasks = Vec::new();
    for s in &services {
        let Some(svc) = cl.find_service(s) else {
            return io.fail(&format!("no such service: {s}"));
        };
        tasks.extend(cl.tasks_of_service(&svc.id));
    }
    io.out(&try_or_fail!(io, views::tasks_listing(cl, tasks, &list)));
    0
}

pub(super) fn inspect(cx: Cx, opts: InspectOpts) -> i32 {
    let Cx { cl, env, io, .. } = cx;
    let _ = try_or_fail!(io, manager(cl, env));
    let found = match resolve_all(
        io,
        &opts,
        |n| cl.find_service(n).cloned(),
        views::service_json,
        "Error: no such service",
    ) {
        Ok(f) => f,
        Err(code) => return code,
    };
    if opts.pretty {
        for s in &found {
            io.out(&views::service_pretty(cl, s));
        }
        io.out("\n");
        return 0;
    }
    print_inspect(io, found.iter().map(views::service_json).collect(), &opts)
}

pub(super) fn scale(cx: Cx, pairs: Vec<(String, u64)>, detach: bool) -> i32 {
    let Cx {
        cl,
        env,
        io,
        pending,
    } = cx;
    let _ = try_or_fail!(io, manager(cl, env));
    let mut errors = Vec::new();
    let mut scaled = Vec::new();
    for (name, n) in pairs {
        let Some(svc) = cl.find_service(&name).cloned() else {
            errors.push(format!("{name}: Error: No such service: {name}"));
            continue;
        };
        let mut spec = svc.spec.clone();
        match &mut spec.mode {
            ServiceMode::Replicated { replicas } => *replicas = n,
            ServiceMode::ReplicatedJob {
                total_completions, ..
            } => *total_completions = n,
            _ => {
                errors.push(format!(
                    "{name}: scale can only be used with replicated or replicated-job mode"
                ));
                continue;
            }
        }
        match cl.apply(Command::UpdateService {
            service: svc.id.clone(),
            spec,
        }) {
            Ok(_) => {
                io.outln(&format!("{name} scaled to {n}"));
                scaled.push(svc.id.clone());
            }
            Err(e) => errors.push(format!("{name}: Error response from daemon: {e}")),
        }
    }
    if !detach && !scaled.is_empty() {
        let services = scaled.into_iter().map(|id| (id, false)).collect();
        *pending = Some(Pending::progress(services, errors, env.wait_limit));
        return 0;
    }
    if !errors.is_empty() {
        return io.fail(&errors.join("\n"));
    }
    0
}

pub(super) fn rollback(cx: Cx, service: String, detach: bool, quiet: bool) -> i32 {
    let Cx {
        cl,
        env,
        io,
        pending,
    } = cx;
    let _ = try_or_fail!(io, manager(cl, env));
    let Some(svc) = cl.find_service(&service).cloned() else {
        return io.fail(&format!("Error: No such service: {service}"));
    };
    if let Err(e) = cl.apply(Command::RollbackService {
        service: svc.id.clone(),
    }) {
        return io.daemon(&e);
    }
    io.outln(&service);
    if !(detach || quiet) {
        *pending = Some(Pending::progress(
            vec![(svc.id.clone(), true)],
            Vec::new(),
            env.wait_limit,
        ));
    }
    0
}

pub(super) fn rm(cx: Cx, names: Vec<String>) -> i32 {
    let Cx { cl, env, io, .. } = cx;
    let _ = try_or_fail!(io, manager(cl, env));
    for_each_target(io, &names, |n| {
        let service = cl
            .find_service(n)
            .ok_or_else(|| format!("Error: No such service: {n}"))?
            .id
            .clone();
        cl.apply(Command::RemoveService { service })
            .map(drop)
            .map_err(daemon_error)
    })
}

pub(super) fn logs(cx: Cx, opts: LogsOpts) -> i32 {
    let Cx {
        cl,
        env,
        io,
        pending,
    } = cx;
    let _ = try_or_fail!(io, manager(cl, env));
    service_logs(cl, io, opts, pending)
}

fn service_logs(
    cl: &mut Cluster,
    io: &mut Io,
    opts: LogsOpts,
    pending: &mut Option<Pending>,
) -> i32 {
    let target = opts.target.clone();
    let (svc_id, task_only) = match cl.find_service(&target) {
        Some(s) => (s.id.clone(), None),
        None => match cl.find_task(&target) {
            Some(t) => (t.service_id.clone(), Some(t.id.clone())),
            None => return io.fail(&format!("Error: No such service: {target}")),
        },
    };
    let since = try_or_fail!(io, parse_since(&opts.since, cl.now()));
    let source = LogSource::Service {
        svc_id,
        task_only,
        no_ids: opts.no_task_ids,
        no_trunc: opts.no_trunc,
        raw: opts.raw,
    };
    *pending = Some(Pending::follow(source, opts, since));
    0
}
