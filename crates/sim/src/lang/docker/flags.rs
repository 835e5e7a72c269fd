//! Flags several commands share, and the builders of the service commands' specs.

use super::*;
use crate::NetworkCreate;
use crate::lang::flags::{Arity::*, FlagSpec, ParseError, flag};
use crate::lang::service::{ServiceFlags, UpdateFlags, prefs};
use crate::lang::values::*;

pub(super) const Q: FlagSpec = flag("quiet", Some('q'), Bool, "Only display IDs");
pub(super) const FILTER: FlagSpec = flag(
    "filter",
    Some('f'),
    Multi,
    "Filter output based on conditions provided",
);
pub(super) const FORMAT: FlagSpec = flag(
    "format",
    None,
    Value,
    "Format output using a custom template",
);
pub(super) const FORMAT_F: FlagSpec = flag(
    "format",
    Some('f'),
    Value,
    "Format output using a custom template",
);
pub(super) const NO_TRUNC: FlagSpec = flag("no-trunc", None, Bool, "Do not truncate output");
pub(super) const NO_RESOLVE: FlagSpec = flag("no-resolve", None, Bool, "Do not map IDs to Names");
pub(super) const DETACH: FlagSpec = flag(
    "detach",
    Some('d'),
    Bool,
    "Exit immediately instead of waiting for the service to converge",
);
pub(super) const FOLLOW: FlagSpec = flag("follow", Some('f'), Bool, "Follow log output");
pub(super) const TIMESTAMPS: FlagSpec = flag("timestamps", Some('t'), Bool, "Show timestamps");
pub(super) const TAIL: FlagSpec = flag(
    "tail",
    Some('n'),
    Value,
    "Number of lines to show from the end of the logs",
);
pub(super) const SINCE: FlagSpec = flag(
    "since",
    None,
    Value,
    "Show logs since timestamp or relative",
);
pub(super) const PRETTY: FlagSpec = flag(
    "pretty",
    None,
    Bool,
    "Print the information in a human friendly format",
);

/// Flags shared by `service create` and `service update`.
macro_rules! service_flags {
    ($($extra:expr),* $(,)?) => {
        &[
            DETACH, Q,
            flag("replicas", None, Value, "Number of tasks"),
            flag("max-concurrent", None, Value, "Number of job tasks to run concurrently"),
            flag("replicas-max-per-node", None, Value, "Maximum number of tasks per node (default 0 = unlimited)"),
            flag("reserve-cpu", None, Value, "Reserve CPUs"),
            flag("reserve-memory", None, Value, "Reserve Memory"),
            flag("limit-cpu", None, Value, "Limit CPUs"),
            flag("limit-memory", None, Value, "Limit Memory"),
            flag("restart-condition", None, Value, "Restart when condition is met (\"none\", \"on-failure\", \"any\")"),
            flag("restart-delay", None, Value, "Delay between restart attempts (ns|us|ms|s|m|h)"),
            flag("restart-max-attempts", None, Value, "Maximum number of restarts before giving up"),
            flag("restart-window", None, Value, "Window used to evaluate the restart policy (ns|us|ms|s|m|h)"),
            flag("update-parallelism", None, Value, "Maximum number of tasks updated simultaneously (0 to update all at once)"),
            flag("update-delay", None, Value, "Delay between updates (ns|us|ms|s|m|h)"),
            flag("update-failure-action", None, Value, "Action on update failure (\"pause\", \"continue\", \"rollback\")"),
            flag("update-monitor", None, Value, "Duration after each task update to monitor for failure (ns|us|ms|s|m|h)"),
            flag("update-max-failure-ratio", None, Value, "Failure rate to tolerate during an update"),
            flag("update-order", None, Value, "Update order (\"start-first\", \"stop-first\")"),
            flag("rollback-parallelism", None, Value, "Maximum number of tasks rolled back simultaneously (0 to roll back all at once)"),
            flag("rollback-delay", None, Value, "Delay between task rollbacks (ns|us|ms|s|m|h)"),
            flag("rollback-failure-action", None, Value, "Action on rollback failure (\"pause\", \"continue\")"),
            flag("rollback-monitor", None, Value, "Duration after each task rollback to monitor for failure (ns|us|ms|s|m|h)"),
            flag("rollback-max-failure-ratio", None, Value, "Failure rate to tolerate during a rollback"),
            flag("rollback-order", None, Value, "Rollback order (\"start-first\", \"stop-first\")"),
            flag("endpoint-mode", None, Value, "Endpoint mode (vip or dnsrr)"),
            flag("entrypoint", None, Value, "Overwrite the default ENTRYPOINT of the image"),
            flag("workdir", Some('w'), Value, "Working directory inside the container"),
            flag("user", Some('u'), Value, "Username or UID (format: <name|uid>[:<group|gid>])"),
            flag("hostname", None, Value, "Container hostname"),
            flag("stop-grace-period", None, Value, "Time to wait before force killing a container (ns|us|ms|s|m|h)"),
            flag("init", None, Bool, "Use an init inside each service container to forward signals and reap processes"),
            flag("with-registry-auth", None, Bool, "Send registry authentication details to swarm agents"),
            flag("no-resolve-image", None, Bool, "Do not query the registry to resolve image digest and supported platforms"),
            flag("tty", Some('t'), Bool, "Allocate a pseudo-TTY"),
            flag("read-only", None, Bool, "Mount the container's root filesystem as read only"),
            $($extra),*
        ]
    };
}

pub(super) const CREATE_FLAGS: &[FlagSpec] = service_flags![
    flag("name", None, Value, "Service name"),
    flag(
        "mode",
        None,
        Value,
        "Service mode (\"replicated\", \"global\", \"replicated-job\", \"global-job\")"
    ),
    flag("publish", Some('p'), Multi, "Publish a port as a node port"),
    flag("network", None, Multi, "Network attachments"),
    flag(
        "mount",
        None,
        Multi,
        "Attach a filesystem mount to the service"
    ),
    flag("constraint", None, Multi, "Placement constraints"),
    flag("placement-pref", None, Multi, "Add a placement preference"),
    flag("env", Some('e'), Multi, "Set environment variables"),
    flag("label", Some('l'), Multi, "Service labels"),
    flag("container-label", None, Multi, "Container labels"),
];

pub(super) const UPDATE_FLAGS: &[FlagSpec] = service_flags![
    flag("image", None, Value, "Service image tag"),
    flag("args", None, Value, "Service command args"),
    flag(
        "force",
        None,
        Bool,
        "Force update even if no changes require it"
    ),
    flag("rollback", None, Bool, "Rollback to previous specification"),
    flag("publish-add", None, Multi, "Add or update a published port"),
    flag(
        "publish-rm",
        None,
        Multi,
        "Remove a published port by its target port"
    ),
    flag("network-add", None, Multi, "Add a network"),
    flag("network-rm", None, Multi, "Remove a network"),
    flag(
        "mount-add",
        None,
        Multi,
        "Add or update a mount on a service"
    ),
    flag("mount-rm", None, Multi, "Remove a mount by its target path"),
    flag(
        "constraint-add",
        None,
        Multi,
        "Add or update a placement constraint"
    ),
    flag("constraint-rm", None, Multi, "Remove a constraint"),
    flag(
        "placement-pref-add",
        None,
        Multi,
        "Add a placement preference"
    ),
    flag(
        "placement-pref-rm",
        None,
        Multi,
        "Remove a placement preference"
    ),
    flag(
        "env-add",
        None,
        Multi,
        "Add or update an environment variable"
    ),
    flag("env-rm", None, Multi, "Remove an environment variable"),
    flag("label-add", None, Multi, "Add or update a service label"),
    flag("label-rm", None, Multi, "Remove a label by its key"),
    flag(
        "container-label-add",
        None,
        Multi,
        "Add or update a container label"
    ),
    flag(
        "container-label-rm",
        None,
        Multi,
        "Remove a container label by its key"
    ),
];

pub(super) fn update_flags(c: &Ctx, prefix: &str) -> Result<UpdateFlags, ParseError> {
    let f = |n: &str| format!("{prefix}-{n}");
    Ok(UpdateFlags {
        parallelism: c.conv(&f("parallelism"), parse_uint)?,
        delay: c.conv(&f("delay"), parse_duration)?,
        failure_action: c.conv(&f("failure-action"), |s| {
            parse_failure_action(s, prefix == "rollback")
        })?,
        monitor: c.conv(&f("monitor"), parse_duration)?,
        max_failure_ratio: c.conv(&f("max-failure-ratio"), parse_float)?,
        order: c.conv(&f("order"), parse_order)?,
    })
}

/// The options both create and update share.
pub(super) fn common_flags(c: &Ctx) -> Result<ServiceFlags, ParseError> {
    let kvs = |long: &str| -> Vec<(String, String)> {
        c.p.values(long).iter().map(|s| parse_kv(s)).collect()
    };
    let entrypoint = match c.p.value("entrypoint") {
        Some(v) => Some(crate::lang::flags::split_line(v).map_err(|e| c.bad("entrypoint", v, e))?),
        None => None,
    };
    Ok(ServiceFlags {
        replicas: c.conv("replicas", parse_uint)?,
        max_concurrent: c.conv("max-concurrent", parse_uint)?,
        max_replicas: c.conv("replicas-max-per-node", parse_uint)?,
        reserve_cpu: c.conv("reserve-cpu", parse_cpus)?,
        reserve_memory: c.conv("reserve-memory", parse_memory)?,
        limit_cpu: c.conv("limit-cpu", parse_cpus)?,
        limit_memory: c.conv("limit-memory", parse_memory)?,
        restart_condition: c.conv("restart-condition", parse_restart_condition)?,
        restart_delay: c.conv("restart-delay", parse_duration)?,
        restart_max_attempts: c.conv("restart-max-attempts", parse_uint)?,
        restart_window: c.conv("restart-window", parse_duration)?,
        update: update_flags(c, "update")?,
        rollback: update_flags(c, "rollback")?,
        endpoint_mode: c.conv("endpoint-mode", parse_endpoint_mode)?,
        entrypoint,
        workdir: c.s("workdir"),
        user: c.s("user"),
        hostname: c.s("hostname"),
        stop_grace_period: c.conv("stop-grace-period", parse_duration)?,
        init: c.p.bool_opt("init"),
        label_add: kvs(if c.def.path == "service create" {
            "label"
        } else {
            "label-add"
        }),
        container_label_add: kvs(if c.def.path == "service create" {
            "container-label"
        } else {
            "container-label-add"
        }),
        ..Default::default()
    })
}

pub(super) fn build_service_create(c: &Ctx) -> Result<DockerCmd, ParseError> {
    let mut f = common_flags(c)?;
    f.name = c.s("name");
    f.mode = c.s("mode");
    f.image = Some(c.arg(0));
    let rest: Vec<String> = c.p.args.iter().skip(1).cloned().collect();
    f.args = (!rest.is_empty()).then_some(rest);
    f.env_add = c.p.values("env");
    f.publish_add = c
        .conv_all("publish", parse_publish)?
        .into_iter()
        .flatten()
        .collect();
    f.network_add = c.p.values("network");
    f.mount_add = c.conv_all("mount", parse_mount)?;
    f.constraint_add = c.p.values("constraint");
    f.pref_add = prefs(&c.p.values("placement-pref"))
        .map_err(|e| c.bad("placement-pref", &c.p.values("placement-pref").join(","), e))?;
    Ok(DockerCmd::ServiceCreate(Box::new(ServiceCreate {
        flags: f,
        detach: c.b("detach"),
        quiet: c.b("quiet"),
    })))
}

pub(super) fn build_service_update(c: &Ctx) -> Result<DockerCmd, ParseError> {
    let mut f = common_flags(c)?;
    f.image = c.s("image");
    if let Some(a) = c.p.value("args") {
        f.args = Some(crate::lang::flags::split_line(a).map_err(|e| c.bad("args", a, e))?);
    }
    f.force = c.b("force");
    f.env_add = c.p.values("env-add");
    f.env_rm = c.p.values("env-rm");
    f.label_rm = c.p.values("label-rm");
    f.container_label_rm = c.p.values("container-label-rm");
    f.publish_add = c
        .conv_all("publish-add", parse_publish)?
        .into_iter()
        .flatten()
        .collect();
    f.publish_rm = c.p.values("publish-rm");
    f.network_add = c.p.values("network-add");
    f.network_rm = c.p.values("network-rm");
    f.mount_add = c.conv_all("mount-add", parse_mount)?;
    f.mount_rm = c.p.values("mount-rm");
    f.constraint_add = c.p.values("constraint-add");
    f.constraint_rm = c.p.values("constraint-rm");
    f.pref_add = c.conv_all("placement-pref-add", parse_placement_pref)?;
    f.pref_rm = c.conv_all("placement-pref-rm", parse_placement_pref)?;
    Ok(DockerCmd::ServiceUpdate(Box::new(ServiceUpdate {
        service: c.arg(0),
        flags: f,
        rollback: c.b("rollback"),
        detach: c.b("detach"),
        quiet: c.b("quiet"),
    })))
}

pub(super) fn build_scale(c: &Ctx) -> Result<DockerCmd, ParseError> {
    let mut pairs = Vec::new();
    for a in &c.p.args {
        let Some((name, n)) = a.split_once('=') else {
            return Err(ParseError::new(
                format!(
                    "invalid scale specifier '{a}'.\nSee 'docker service scale --help'.\n\nUsage:  {}\n\n{}",
                    c.def.usage, c.def.short
                ),
                1,
            ));
        };
        let n = parse_uint(n).map_err(|_| {
            ParseError::new(
                format!("invalid replicas value {n}: {}", parse_uint(n).unwrap_err()),
                1,
            )
        })?;
        pairs.push((name.to_string(), n));
    }
    Ok(DockerCmd::ServiceScale {
        pairs,
        detach: c.b("detach"),
    })
}

pub(super) fn build_node_update(c: &Ctx) -> Result<DockerCmd, ParseError> {
    let label_add =
        c.p.values("label-add")
            .iter()
            .map(|s| parse_kv(s))
            .collect();
    Ok(DockerCmd::NodeUpdate {
        node: c.arg(0),
        availability: c.conv("availability", parse_availability)?,
        role: c.conv("role", parse_role)?,
        label_add,
        label_rm: c.p.values("label-rm"),
    })
}

pub(super) fn build_network_create(c: &Ctx) -> Result<DockerCmd, ParseError> {
    let opts: Vec<(String, String)> = c.p.values("opt").iter().map(|s| parse_kv(s)).collect();
    let encrypted = opts.iter().any(|(k, _)| k == "encrypted");
    Ok(DockerCmd::NetworkCreate(NetworkCreate {
        name: c.arg(0),
        driver: c.s("driver").unwrap_or_else(|| "overlay".into()),
        subnet: c.p.values("subnet").first().cloned(),
        gateway: c.p.values("gateway").first().cloned(),
        attachable: c.b("attachable"),
        internal: c.b("internal"),
        encrypted,
        labels: c.p.values("label").iter().map(|s| parse_kv(s)).collect(),
        options: opts.into_iter().filter(|(k, _)| k != "encrypted").collect(),
    }))
}
