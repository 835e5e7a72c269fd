//! The docker commands opsconsole understands: usage, flags, and how each command line
//! becomes a typed [`DockerCmd`].

use super::flags::{Arity::*, FlagSpec, ParseError, Parsed, flag, flag_display, flag_error};
use super::service::{ServiceFlags, UpdateFlags, prefs};
use super::values::*;
use crate::NetworkCreate;
use crate::base::time::SimDuration;
use crate::model::*;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListOpts {
    pub quiet: bool,
    pub filters: Vec<(String, String)>,
    pub format: Option<String>,
    pub no_trunc: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct InspectOpts {
    pub names: Vec<String>,
    pub pretty: bool,
    pub format: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct LogsOpts {
    pub target: String,
    pub follow: bool,
    pub timestamps: bool,
    pub tail: Option<u64>,
    pub since: Option<String>,
    pub no_task_ids: bool,
    pub no_trunc: bool,
    pub raw: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ServiceCreate {
    pub flags: ServiceFlags,
    pub detach: bool,
    pub quiet: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ServiceUpdate {
    pub service: String,
    pub flags: ServiceFlags,
    pub rollback: bool,
    pub detach: bool,
    pub quiet: bool,
}

/// A docker command line, parsed.
#[derive(Clone, Debug, PartialEq)]
pub enum DockerCmd {
    SwarmInit,
    SwarmJoin,
    SwarmJoinToken {
        manager: bool,
        quiet: bool,
        rotate: bool,
    },
    SwarmLeave {
        force: bool,
    },
    SwarmUpdate {
        task_history_limit: Option<i64>,
    },
    Info,
    Version,
    Images {
        quiet: bool,
    },
    NodeLs(ListOpts),
    NodeInspect(InspectOpts),
    NodePs {
        nodes: Vec<String>,
        list: ListOpts,
    },
    NodeUpdate {
        node: String,
        availability: Option<Availability>,
        role: Option<NodeRole>,
        label_add: Vec<(String, String)>,
        label_rm: Vec<String>,
    },
    NodePromote(Vec<String>),
    NodeDemote(Vec<String>),
    NodeRm {
        nodes: Vec<String>,
        force: bool,
    },
    ServiceCreate(Box<ServiceCreate>),
    ServiceUpdate(Box<ServiceUpdate>),
    ServiceLs(ListOpts),
    ServicePs {
        services: Vec<String>,
        list: ListOpts,
    },
    ServiceInspect(InspectOpts),
    ServiceScale {
        pairs: Vec<(String, u64)>,
        detach: bool,
    },
    ServiceRollback {
        service: String,
        detach: bool,
        quiet: bool,
    },
    ServiceRm(Vec<String>),
    ServiceLogs(LogsOpts),
    VolumeCreate {
        name: Option<String>,
        driver: String,
        labels: Labels,
        opts: Labels,
    },
    VolumeLs(ListOpts),
    VolumeInspect(InspectOpts),
    VolumeRm {
        names: Vec<String>,
        force: bool,
    },
    VolumePrune {
        force: bool,
        all: bool,
    },
    NetworkCreate(NetworkCreate),
    NetworkLs(ListOpts),
    NetworkInspect(InspectOpts),
    NetworkRm(Vec<String>),
    StackDeploy {
        files: Vec<String>,
        name: String,
        prune: bool,
    },
    StackLs(ListOpts),
    StackServices {
        name: String,
        list: ListOpts,
    },
    StackPs {
        name: String,
        list: ListOpts,
    },
    StackRm(Vec<String>),
    ContainerLs {
        all: bool,
        last: Option<usize>,
        list: ListOpts,
    },
    ContainerStop {
        names: Vec<String>,
        time: Option<i64>,
    },
    ContainerKill {
        names: Vec<String>,
        signal: String,
    },
    ContainerStart(Vec<String>),
    ContainerRestart {
        names: Vec<String>,
        time: Option<i64>,
    },
    ContainerRm {
        names: Vec<String>,
        force: bool,
        volumes: bool,
    },
    ContainerLogs(LogsOpts),
    ContainerInspect(InspectOpts),
    ContainerPrune {
        force: bool,
    },
    Inspect(InspectOpts),
}

impl DockerCmd {
    /// The question docker asks before running the command (prunes without `--force`).
    pub fn confirmation(&self) -> Option<String> {
        match self {
            DockerCmd::VolumePrune { force: false, all } => {
                let what = if *all {
                    "all local volumes not used by at least one container"
                } else {
                    "anonymous local volumes not used by at least one container"
                };
                Some(format!(
                    "WARNING! This will remove {what}.\nAre you sure you want to continue? [y/N] "
                ))
            }
            DockerCmd::ContainerPrune { force: false } => Some(
                "WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] "
                    .into(),
            ),
            _ => None,
        }
    }

    /// Whether the command changes the cluster (kiosk mode refuses these).
    pub fn is_mutating(&self) -> bool {
        use DockerCmd::*;
        !matches!(
            self,
            SwarmJoinToken { rotate: false, .. }
                | Info
                | Version
                | Images { .. }
                | NodeLs(_)
                | NodeInspect(_)
                | NodePs { .. }
                | ServiceLs(_)
                | ServicePs { .. }
                | ServiceInspect(_)
                | ServiceLogs(_)
                | VolumeLs(_)
                | VolumeInspect(_)
                | NetworkLs(_)
                | NetworkInspect(_)
                | StackLs(_)
                | StackServices { .. }
                | StackPs { .. }
                | ContainerLs { .. }
                | ContainerLogs(_)
                | ContainerInspect(_)
                | Inspect(_)
        )
    }
}

#[derive(Clone, Copy, Debug)]
pub enum Args {
    None,
    Exact(usize),
    Min(usize),
    Range(usize, usize),
}

pub struct CmdDef {
    pub path: &'static str,
    pub aliases: &'static [&'static str],
    pub usage: &'static str,
    pub short: &'static str,
    pub flags: &'static [FlagSpec],
    pub args: Args,
    pub interspersed: bool,
    pub build: fn(&Ctx) -> Result<DockerCmd, ParseError>,
}

/// What a builder sees: the parsed flags and the command it belongs to.
pub struct Ctx<'a> {
    pub p: &'a Parsed,
    pub def: &'a CmdDef,
}

impl Ctx<'_> {
    fn spec(&self, long: &str) -> FlagSpec {
        *self
            .def
            .flags
            .iter()
            .find(|f| f.long == long)
            .expect("flag in table")
    }
    /// pflag's `invalid argument "v" for "--flag" flag: reason`.
    fn bad(&self, long: &str, v: &str, why: impl std::fmt::Display) -> ParseError {
        flag_error(
            self.def.path,
            format!(
                "invalid argument {v:?} for {:?} flag: {why}",
                flag_display(&self.spec(long))
            ),
        )
    }
    fn conv<T>(
        &self,
        long: &str,
        f: impl Fn(&str) -> Result<T, String>,
    ) -> Result<Option<T>, ParseError> {
        match self.p.value(long) {
            Some(v) => f(v).map(Some).map_err(|e| self.bad(long, v, e)),
            None => Ok(None),
        }
    }
    fn conv_all<T>(
        &self,
        long: &str,
        f: impl Fn(&str) -> Result<T, String>,
    ) -> Result<Vec<T>, ParseError> {
        self.p
            .values(long)
            .iter()
            .map(|v| f(v).map_err(|e| self.bad(long, v, e)))
            .collect()
    }
    fn b(&self, long: &str) -> bool {
        self.p.bool(long)
    }
    fn s(&self, long: &str) -> Option<String> {
        self.p.value(long).map(|s| s.to_string())
    }
    fn args(&self) -> Vec<String> {
        self.p.args.clone()
    }
    fn arg(&self, i: usize) -> String {
        self.p.args.get(i).cloned().unwrap_or_default()
    }
    fn list(&self) -> Result<ListOpts, ParseError> {
        let filters = if self.def.flags.iter().any(|f| f.long == "filter") {
            self.conv_all("filter", parse_filter)?
        } else {
            Vec::new()
        };
        Ok(ListOpts {
            quiet: self.def.flags.iter().any(|f| f.long == "quiet") && self.b("quiet"),
            filters,
            format: if self.def.flags.iter().any(|f| f.long == "format") {
                self.s("format")
            } else {
                None
            },
            no_trunc: self.def.flags.iter().any(|f| f.long == "no-trunc") && self.b("no-trunc"),
        })
    }
    fn inspect(&self) -> InspectOpts {
        InspectOpts {
            names: self.args(),
            pretty: self.def.flags.iter().any(|f| f.long == "pretty") && self.b("pretty"),
            format: self.s("format"),
        }
    }
    fn logs(&self) -> Result<LogsOpts, ParseError> {
        let tail = match self.p.value("tail") {
            None | Some("all") => None,
            Some(v) => Some(parse_uint(v).map_err(|e| self.bad("tail", v, e))?),
        };
        let has = |f: &str| self.def.flags.iter().any(|x| x.long == f);
        Ok(LogsOpts {
            target: self.arg(0),
            follow: self.b("follow"),
            timestamps: self.b("timestamps"),
            tail,
            since: self.s("since"),
            no_task_ids: has("no-task-ids") && self.b("no-task-ids"),
            no_trunc: has("no-trunc") && self.b("no-trunc"),
            raw: has("raw") && self.b("raw"),
        })
    }
}

const Q: FlagSpec = flag("quiet", Some('q'), Bool, "Only display IDs");
const FILTER: FlagSpec = flag(
    "filter",
    Some('f'),
    Multi,
    "Filter output based on conditions provided",
);
const FORMAT: FlagSpec = flag(
    "format",
    None,
    Value,
    "Format output using a custom template",
);
const FORMAT_F: FlagSpec = flag(
    "format",
    Some('f'),
    Value,
    "Format output using a custom template",
);
const NO_TRUNC: FlagSpec = flag("no-trunc", None, Bool, "Do not truncate output");
const NO_RESOLVE: FlagSpec = flag("no-resolve", None, Bool, "Do not map IDs to Names");
const DETACH: FlagSpec = flag(
    "detach",
    Some('d'),
    Bool,
    "Exit immediately instead of waiting for the service to converge",
);
const FOLLOW: FlagSpec = flag("follow", Some('f'), Bool, "Follow log output");
const TIMESTAMPS: FlagSpec = flag("timestamps", Some('t'), Bool, "Show timestamps");
const TAIL: FlagSpec = flag(
    "tail",
    Some('n'),
    Value,
    "Number of lines to show from the end of the logs",
);
const SINCE: FlagSpec = flag(
    "since",
    None,
    Value,
    "Show logs since timestamp or relative",
);
const PRETTY: FlagSpec = flag(
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

const CREATE_FLAGS: &[FlagSpec] = service_flags![
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

const UPDATE_FLAGS: &[FlagSpec] = service_flags![
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

fn update_flags(c: &Ctx, prefix: &str) -> Result<UpdateFlags, ParseError> {
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
fn common_flags(c: &Ctx) -> Result<ServiceFlags, ParseError> {
    let kvs = |long: &str| -> Vec<(String, String)> {
        c.p.values(long).iter().map(|s| parse_kv(s)).collect()
    };
    let entrypoint = match c.p.value("entrypoint") {
        Some(v) => Some(super::flags::split_line(v).map_err(|e| c.bad("entrypoint", v, e))?),
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

fn build_service_create(c: &Ctx) -> Result<DockerCmd, ParseError> {
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

fn build_service_update(c: &Ctx) -> Result<DockerCmd, ParseError> {
    let mut f = common_flags(c)?;
    f.image = c.s("image");
    if let Some(a) = c.p.value("args") {
        f.args = Some(super::flags::split_line(a).map_err(|e| c.bad("args", a, e))?);
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

fn build_scale(c: &Ctx) -> Result<DockerCmd, ParseError> {
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

fn build_node_update(c: &Ctx) -> Result<DockerCmd, ParseError> {
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

fn build_network_create(c: &Ctx) -> Result<DockerCmd, ParseError> {
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

macro_rules! def {
    ($path:expr, [$($alias:expr),*], $usage:expr, $short:expr, $flags:expr, $args:expr, $inter:expr, $build:expr) => {
        CmdDef { path: $path, aliases: &[$($alias),*], usage: $usage, short: $short, flags: $flags, args: $args, interspersed: $inter, build: $build }
    };
}

pub static COMMANDS: &[CmdDef] = &[
    def!(
        "swarm init",
        [],
        "docker swarm init [OPTIONS]",
        "Initialize a swarm",
        &[
            flag("advertise-addr", None, Value, "Advertised address"),
            flag("listen-addr", None, Value, "Listen address"),
            flag(
                "force-new-cluster",
                None,
                Bool,
                "Force create a new cluster from current state"
            ),
            flag(
                "default-addr-pool",
                None,
                Multi,
                "default address pool in CIDR format"
            ),
            flag(
                "task-history-limit",
                None,
                Value,
                "Task history retention limit"
            ),
            flag("availability", None, Value, "Availability of the node")
        ],
        Args::None,
        true,
        |_| Ok(DockerCmd::SwarmInit)
    ),
    def!(
        "swarm join",
        [],
        "docker swarm join [OPTIONS] HOST:PORT",
        "Join a swarm as a node and/or manager",
        &[
            flag("token", None, Value, "Token for entry into the swarm"),
            flag("advertise-addr", None, Value, "Advertised address"),
            flag("listen-addr", None, Value, "Listen address"),
            flag("availability", None, Value, "Availability of the node")
        ],
        Args::Exact(1),
        true,
        |_| Ok(DockerCmd::SwarmJoin)
    ),
    def!(
        "swarm join-token",
        [],
        "docker swarm join-token [OPTIONS] (worker|manager)",
        "Manage join tokens",
        &[Q, flag("rotate", None, Bool, "Rotate join token")],
        Args::Exact(1),
        true,
        |c| match c.arg(0).as_str() {
            "worker" => Ok(DockerCmd::SwarmJoinToken {
                manager: false,
                quiet: c.b("quiet"),
                rotate: c.b("rotate")
            }),
            "manager" => Ok(DockerCmd::SwarmJoinToken {
                manager: true,
                quiet: c.b("quiet"),
                rotate: c.b("rotate")
            }),
            _ => Err(ParseError::new("unknown role ".to_string() + &c.arg(0), 1)),
        }
    ),
    def!(
        "swarm leave",
        [],
        "docker swarm leave [OPTIONS]",
        "Leave the swarm",
        &[flag(
            "force",
            Some('f'),
            Bool,
            "Force this node to leave the swarm, ignoring warnings"
        )],
        Args::None,
        true,
        |c| Ok(DockerCmd::SwarmLeave {
            force: c.b("force")
        })
    ),
    def!(
        "swarm update",
        [],
        "docker swarm update [OPTIONS]",
        "Update the swarm",
        &[flag(
            "task-history-limit",
            None,
            Value,
            "Task history retention limit"
        )],
        Args::None,
        true,
        |c| Ok(DockerCmd::SwarmUpdate {
            task_history_limit: c.conv("task-history-limit", parse_int)?
        })
    ),
    def!(
        "info",
        ["system info"],
        "docker info [OPTIONS]",
        "Display system-wide information",
        &[FORMAT_F],
        Args::None,
        true,
        |_| Ok(DockerCmd::Info)
    ),
    def!(
        "version",
        [],
        "docker version [OPTIONS]",
        "Show the Docker version information",
        &[FORMAT_F],
        Args::None,
        true,
        |_| Ok(DockerCmd::Version)
    ),
    def!(
        "images",
        ["image ls", "image list"],
        "docker images [OPTIONS] [REPOSITORY[:TAG]]",
        "List images",
        &[
            Q,
            flag("all", Some('a'), Bool, "Show all images"),
            NO_TRUNC,
            FILTER,
            FORMAT
        ],
        Args::Range(0, 1),
        true,
        |c| Ok(DockerCmd::Images {
            quiet: c.b("quiet")
        })
    ),
    def!(
        "node ls",
        ["node list"],
        "docker node ls [OPTIONS]",
        "List nodes in the swarm",
        &[Q, FILTER, FORMAT],
        Args::None,
        true,
        |c| Ok(DockerCmd::NodeLs(c.list()?))
    ),
    def!(
        "node inspect",
        [],
        "docker node inspect [OPTIONS] self|NODE [NODE...]",
        "Display detailed information on one or more nodes",
        &[PRETTY, FORMAT_F],
        Args::Min(1),
        true,
        |c| Ok(DockerCmd::NodeInspect(c.inspect()))
    ),
    def!(
        "node ps",
        [],
        "docker node ps [OPTIONS] [NODE...]",
        "List tasks running on one or more nodes, defaults to current node",
        &[Q, FILTER, FORMAT, NO_TRUNC, NO_RESOLVE],
        Args::Min(0),
        true,
        |c| Ok(DockerCmd::NodePs {
            nodes: c.args(),
            list: c.list()?
        })
    ),
    def!(
        "node update",
        [],
        "docker node update [OPTIONS] NODE",
        "Update a node",
        &[
            flag(
                "availability",
                None,
                Value,
                "Availability of the node (\"active\", \"pause\", \"drain\")"
            ),
            flag(
                "label-add",
                None,
                Multi,
                "Add or update a node label (key=value)"
            ),
            flag("label-rm", None, Multi, "Remove a node label if exists"),
            flag(
                "role",
                None,
                Value,
                "Role of the node (\"worker\", \"manager\")"
            )
        ],
        Args::Exact(1),
        true,
        build_node_update
    ),
    def!(
        "node promote",
        [],
        "docker node promote NODE [NODE...]",
        "Promote one or more nodes to manager in the swarm",
        &[],
        Args::Min(1),
        true,
        |c| Ok(DockerCmd::NodePromote(c.args()))
    ),
    def!(
        "node demote",
        [],
        "docker node demote NODE [NODE...]",
        "Demote one or more nodes from manager in the swarm",
        &[],
        Args::Min(1),
        true,
        |c| Ok(DockerCmd::NodeDemote(c.args()))
    ),
    def!(
        "node rm",
        ["node remove"],
        "docker node rm [OPTIONS] NODE [NODE...]",
        "Remove one or more nodes from the swarm",
        &[flag(
            "force",
            Some('f'),
            Bool,
            "Force remove a node from the swarm"
        )],
        Args::Min(1),
        true,
        |c| Ok(DockerCmd::NodeRm {
            nodes: c.args(),
            force: c.b("force")
        })
    ),
    def!(
        "service create",
        [],
        "docker service create [OPTIONS] IMAGE [COMMAND] [ARG...]",
        "Create a new service",
        CREATE_FLAGS,
        Args::Min(1),
        false,
        build_service_create
    ),
    def!(
        "service update",
        [],
        "docker service update [OPTIONS] SERVICE",
        "Update a service",
        UPDATE_FLAGS,
        Args::Exact(1),
        true,
        build_service_update
    ),
    def!(
        "service ls",
        ["service list"],
        "docker service ls [OPTIONS]",
        "List services",
        &[Q, FILTER, FORMAT],
        Args::None,
        true,
        |c| Ok(DockerCmd::ServiceLs(c.list()?))
    ),
    def!(
        "service ps",
        [],
        "docker service ps [OPTIONS] SERVICE [SERVICE...]",
        "List the tasks of one or more services",
        &[Q, FILTER, FORMAT, NO_TRUNC, NO_RESOLVE],
        Args::Min(1),
        true,
        |c| Ok(DockerCmd::ServicePs {
            services: c.args(),
            list: c.list()?
        })
    ),
    def!(
        "service inspect",
        [],
        "docker service inspect [OPTIONS] SERVICE [SERVICE...]",
        "Display detailed information on one or more services",
        &[PRETTY, FORMAT_F],
        Args::Min(1),
        true,
        |c| Ok(DockerCmd::ServiceInspect(c.inspect()))
    ),
    def!(
        "service scale",
        [],
        "docker service scale SERVICE=REPLICAS [SERVICE=REPLICAS...]",
        "Scale one or multiple replicated services",
        &[DETACH],
        Args::Min(1),
        true,
        build_scale
    ),
    def!(
        "service rollback",
        [],
        "docker service rollback [OPTIONS] SERVICE",
        "Revert changes to a service's configuration",
        &[DETACH, Q],
        Args::Exact(1),
        true,
        |c| Ok(DockerCmd::ServiceRollback {
            service: c.arg(0),
            detach: c.b("detach"),
            quiet: c.b("quiet")
        })
    ),
    def!(
        "service rm",
        ["service remove"],
        "docker service rm SERVICE [SERVICE...]",
        "Remove one or more services",
        &[],
        Args::Min(1),
        true,
        |c| Ok(DockerCmd::ServiceRm(c.args()))
    ),
    def!(
        "service logs",
        [],
        "docker service logs [OPTIONS] SERVICE|TASK",
        "Fetch the logs of a service or task",
        &[
            FOLLOW,
            TIMESTAMPS,
            TAIL,
            SINCE,
            flag(
                "no-task-ids",
                None,
                Bool,
                "Do not include task IDs in output"
            ),
            NO_TRUNC,
            NO_RESOLVE,
            flag("raw", None, Bool, "Do not neatly format logs"),
            flag("details", None, Bool, "Show extra details provided to logs")
        ],
        Args::Exact(1),
        true,
        |c| Ok(DockerCmd::ServiceLogs(c.logs()?))
    ),
    def!(
        "volume create",
        [],
        "docker volume create [OPTIONS] [VOLUME]",
        "Create a volume",
        &[
            flag("driver", Some('d'), Value, "Specify volume driver name"),
            flag("label", None, Multi, "Set metadata for a volume"),
            flag("opt", Some('o'), Multi, "Set driver specific options"),
            flag("name", None, Value, "Specify volume name")
        ],
        Args::Range(0, 1),
        true,
        |c| {
            let name = c.p.args.first().cloned().or_else(|| c.s("name"));
            if let (Some(a), Some(n)) = (c.p.args.first(), c.p.value("name"))
                && a != n
            {
                return Err(ParseError::new(
                    "conflicting options: either specify --name or provide positional arg, not both",
                    1,
                ));
            }
            Ok(DockerCmd::VolumeCreate {
                name,
                driver: c.s("driver").unwrap_or_else(|| "local".into()),
                labels: c.p.values("label").iter().map(|s| parse_kv(s)).collect(),
                opts: c.p.values("opt").iter().map(|s| parse_kv(s)).collect(),
            })
        }
    ),
    def!(
        "volume ls",
        ["volume list"],
        "docker volume ls [OPTIONS]",
        "List volumes",
        &[Q, FILTER, FORMAT],
        Args::None,
        true,
        |c| Ok(DockerCmd::VolumeLs(c.list()?))
    ),
    def!(
        "volume inspect",
        [],
        "docker volume inspect [OPTIONS] VOLUME [VOLUME...]",
        "Display detailed information on one or more volumes",
        &[FORMAT_F],
        Args::Min(1),
        true,
        |c| Ok(DockerCmd::VolumeInspect(c.inspect()))
    ),
    def!(
        "volume rm",
        ["volume remove"],
        "docker volume rm [OPTIONS] VOLUME [VOLUME...]",
        "Remove one or more volumes",
        &[flag(
            "force",
            Some('f'),
            Bool,
            "Force the removal of one or more volumes"
        )],
        Args::Min(1),
        true,
        |c| Ok(DockerCmd::VolumeRm {
            names: c.args(),
            force: c.b("force")
        })
    ),
    def!(
        "volume prune",
        [],
        "docker volume prune [OPTIONS]",
        "Remove unused local volumes",
        &[
            flag("force", Some('f'), Bool, "Do not prompt for confirmation"),
            flag(
                "all",
                Some('a'),
                Bool,
                "Remove all unused volumes, not just anonymous ones"
            ),
            FILTER
        ],
        Args::None,
        true,
        |c| Ok(DockerCmd::VolumePrune {
            force: c.b("force"),
            all: c.b("all")
        })
    ),
    def!(
        "network create",
        [],
        "docker network create [OPTIONS] NETWORK",
        "Create a network",
        &[
            flag("driver", Some('d'), Value, "Driver to manage the Network"),
            flag(
                "subnet",
                None,
                Multi,
                "Subnet in CIDR format that represents a network segment"
            ),
            flag(
                "gateway",
                None,
                Multi,
                "IPv4 or IPv6 Gateway for the master subnet"
            ),
            flag(
                "attachable",
                None,
                Bool,
                "Enable manual container attachment"
            ),
            flag(
                "internal",
                None,
                Bool,
                "Restrict external access to the network"
            ),
            flag("opt", Some('o'), Multi, "Set driver specific options"),
            flag("label", None, Multi, "Set metadata on a network"),
            flag(
                "ip-range",
                None,
                Multi,
                "Allocate container ip from a sub-range"
            ),
            flag("scope", None, Value, "Control the network's scope"),
            flag("ingress", None, Bool, "Create swarm routing-mesh network")
        ],
        Args::Exact(1),
        true,
        build_network_create
    ),
    def!(
        "network ls",
        ["network list"],
        "docker network ls [OPTIONS]",
        "List networks",
        &[Q, FILTER, FORMAT, NO_TRUNC],
        Args::None,
        true,
        |c| Ok(DockerCmd::NetworkLs(c.list()?))
    ),
    def!(
        "network inspect",
        [],
        "docker network inspect [OPTIONS] NETWORK [NETWORK...]",
        "Display detailed information on one or more networks",
        &[
            FORMAT_F,
            flag("verbose", Some('v'), Bool, "Verbose output for diagnostics")
        ],
        Args::Min(1),
        true,
        |c| Ok(DockerCmd::NetworkInspect(c.inspect()))
    ),
    def!(
        "network rm",
        ["network remove"],
        "docker network rm NETWORK [NETWORK...]",
        "Remove one or more networks",
        &[],
        Args::Min(1),
        true,
        |c| Ok(DockerCmd::NetworkRm(c.args()))
    ),
    def!(
        "stack deploy",
        ["stack up"],
        "docker stack deploy [OPTIONS] STACK",
        "Deploy a new stack or update an existing stack",
        &[
            flag(
                "compose-file",
                Some('c'),
                Multi,
                "Path to a Compose file, or \"-\" to read from stdin"
            ),
            flag(
                "prune",
                None,
                Bool,
                "Prune services that are no longer referenced"
            ),
            flag(
                "with-registry-auth",
                None,
                Bool,
                "Send registry authentication details to Swarm agents"
            ),
            flag(
                "resolve-image",
                None,
                Value,
                "Query the registry to resolve image digest and supported platforms (\"always\", \"changed\", \"never\")"
            ),
            DETACH,
            Q
        ],
        Args::Exact(1),
        true,
        |c| {
            let files = c.p.values("compose-file");
            if files.is_empty() {
                return Err(ParseError::new(
                    "Please specify only one compose file (with --compose-file).",
                    1,
                ));
            }
            Ok(DockerCmd::StackDeploy {
                files,
                name: c.arg(0),
                prune: c.b("prune"),
            })
        }
    ),
    def!(
        "stack ls",
        ["stack list"],
        "docker stack ls [OPTIONS]",
        "List stacks",
        &[FORMAT],
        Args::None,
        true,
        |c| Ok(DockerCmd::StackLs(c.list()?))
    ),
    def!(
        "stack services",
        [],
        "docker stack services [OPTIONS] STACK",
        "List the services in the stack",
        &[Q, FILTER, FORMAT],
        Args::Exact(1),
        true,
        |c| Ok(DockerCmd::StackServices {
            name: c.arg(0),
            list: c.list()?
        })
    ),
    def!(
        "stack ps",
        [],
        "docker stack ps [OPTIONS] STACK",
        "List the tasks in the stack",
        &[Q, FILTER, FORMAT, NO_TRUNC, NO_RESOLVE],
        Args::Exact(1),
        true,
        |c| Ok(DockerCmd::StackPs {
            name: c.arg(0),
            list: c.list()?
        })
    ),
    def!(
        "stack rm",
        ["stack remove", "stack down"],
        "docker stack rm [OPTIONS] STACK [STACK...]",
        "Remove one or more stacks",
        &[],
        Args::Min(1),
        true,
        |c| Ok(DockerCmd::StackRm(c.args()))
    ),
    def!(
        "container ls",
        ["ps", "container ps", "container list"],
        "docker ps [OPTIONS]",
        "List containers",
        &[
            flag(
                "all",
                Some('a'),
                Bool,
                "Show all containers (default shows just running)"
            ),
            Q,
            NO_TRUNC,
            FILTER,
            FORMAT,
            flag(
                "last",
                Some('n'),
                Value,
                "Show n last created containers (includes all states)"
            ),
            flag(
                "latest",
                Some('l'),
                Bool,
                "Show the latest created container (includes all states)"
            ),
            flag("size", Some('s'), Bool, "Display total file sizes")
        ],
        Args::None,
        true,
        |c| {
            let last = if c.b("latest") {
                Some(1)
            } else {
                c.conv("last", |s| parse_int(s).map(|v| v.max(0) as usize))?
            };
            Ok(DockerCmd::ContainerLs {
                all: c.b("all"),
                last,
                list: c.list()?,
            })
        }
    ),
    def!(
        "container stop",
        ["stop"],
        "docker stop [OPTIONS] CONTAINER [CONTAINER...]",
        "Stop one or more running containers",
        &[
            flag(
                "time",
                Some('t'),
                Value,
                "Seconds to wait for stop before killing it"
            ),
            flag(
                "signal",
                Some('s'),
                Value,
                "Signal to send to the container"
            )
        ],
        Args::Min(1),
        true,
        |c| Ok(DockerCmd::ContainerStop {
            names: c.args(),
            time: c.conv("time", parse_int)?
        })
    ),
    def!(
        "container kill",
        ["kill"],
        "docker kill [OPTIONS] CONTAINER [CONTAINER...]",
        "Kill one or more running containers",
        &[flag(
            "signal",
            Some('s'),
            Value,
            "Signal to send to the container"
        )],
        Args::Min(1),
        true,
        |c| Ok(DockerCmd::ContainerKill {
            names: c.args(),
            signal: c.s("signal").unwrap_or_else(|| "KILL".into())
        })
    ),
    def!(
        "container start",
        ["start"],
        "docker start [OPTIONS] CONTAINER [CONTAINER...]",
        "Start one or more stopped containers",
        &[],
        Args::Min(1),
        true,
        |c| Ok(DockerCmd::ContainerStart(c.args()))
    ),
    def!(
        "container restart",
        ["restart"],
        "docker restart [OPTIONS] CONTAINER [CONTAINER...]",
        "Restart one or more containers",
        &[flag(
            "time",
            Some('t'),
            Value,
            "Seconds to wait for stop before killing the container"
        )],
        Args::Min(1),
        true,
        |c| Ok(DockerCmd::ContainerRestart {
            names: c.args(),
            time: c.conv("time", parse_int)?
        })
    ),
    def!(
        "container rm",
        ["rm", "container remove"],
        "docker rm [OPTIONS] CONTAINER [CONTAINER...]",
        "Remove one or more containers",
        &[
            flag(
                "force",
                Some('f'),
                Bool,
                "Force the removal of a running container (uses SIGKILL)"
            ),
            flag(
                "volumes",
                Some('v'),
                Bool,
                "Remove anonymous volumes associated with the container"
            ),
            flag("link", Some('l'), Bool, "Remove the specified link")
        ],
        Args::Min(1),
        true,
        |c| Ok(DockerCmd::ContainerRm {
            names: c.args(),
            force: c.b("force"),
            volumes: c.b("volumes")
        })
    ),
    def!(
        "container logs",
        ["logs"],
        "docker logs [OPTIONS] CONTAINER",
        "Fetch the logs of a container",
        &[
            FOLLOW,
            TIMESTAMPS,
            TAIL,
            SINCE,
            flag(
                "until",
                None,
                Value,
                "Show logs before a timestamp or relative"
            ),
            flag("details", None, Bool, "Show extra details provided to logs")
        ],
        Args::Exact(1),
        true,
        |c| Ok(DockerCmd::ContainerLogs(c.logs()?))
    ),
    def!(
        "container inspect",
        [],
        "docker container inspect [OPTIONS] CONTAINER [CONTAINER...]",
        "Display detailed information on one or more containers",
        &[
            FORMAT_F,
            flag("size", Some('s'), Bool, "Display total file sizes")
        ],
        Args::Min(1),
        true,
        |c| Ok(DockerCmd::ContainerInspect(c.inspect()))
    ),
    def!(
        "container prune",
        [],
        "docker container prune [OPTIONS]",
        "Remove all stopped containers",
        &[
            flag("force", Some('f'), Bool, "Do not prompt for confirmation"),
            FILTER
        ],
        Args::None,
        true,
        |c| Ok(DockerCmd::ContainerPrune {
            force: c.b("force")
        })
    ),
    def!(
        "inspect",
        [],
        "docker inspect [OPTIONS] NAME|ID [NAME|ID...]",
        "Return low-level information on Docker objects",
        &[
            FORMAT_F,
            flag(
                "size",
                Some('s'),
                Bool,
                "Display total file sizes if the type is container"
            ),
            flag("type", None, Value, "Return JSON for specified type")
        ],
        Args::Min(1),
        true,
        |c| Ok(DockerCmd::Inspect(c.inspect()))
    ),
];

/// The groups (`docker service`, ...) and their one-line descriptions.
pub const GROUPS: &[(&str, &str)] = &[
    ("container", "Manage containers"),
    ("image", "Manage images"),
    ("network", "Manage networks"),
    ("node", "Manage Swarm nodes"),
    ("service", "Manage services"),
    ("stack", "Manage Docker stacks"),
    ("swarm", "Manage Swarm"),
    ("system", "Manage Docker"),
    ("volume", "Manage volumes"),
];

/// `--help` text generated from the table, so it never disagrees with the parser.
pub fn help_for(def: &CmdDef) -> String {
    let mut out = format!("\nUsage:  {}\n\n{}\n", def.usage, def.short);
    if !def.aliases.is_empty() {
        let mut names = vec![format!("docker {}", def.path)];
        names.extend(def.aliases.iter().map(|a| format!("docker {a}")));
        out.push_str(&format!("\nAliases:\n  {}\n", names.join(", ")));
    }
    if !def.flags.is_empty() {
        out.push_str("\nOptions:\n");
        let rows: Vec<(String, &str)> = def
            .flags
            .iter()
            .map(|f| {
                let ty = match f.arity {
                    super::flags::Arity::Bool => "",
                    super::flags::Arity::Value => " string",
                    super::flags::Arity::Multi => " list",
                };
                let name = match f.short {
                    Some(s) => format!("  -{s}, --{}{ty}", f.long),
                    None => format!("      --{}{ty}", f.long),
                };
                (name, f.help)
            })
            .collect();
        let w = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
        for (n, h) in rows {
            out.push_str(&format!("{n:w$}   {h}\n"));
        }
    }
    out
}

/// `docker GROUP --help`
pub fn group_help(group: &str) -> Option<String> {
    let (_, desc) = GROUPS.iter().find(|(g, _)| *g == group)?;
    let mut out = format!("\nUsage:  docker {group} COMMAND\n\n{desc}\n\nCommands:\n");
    let cmds: Vec<&CmdDef> = COMMANDS
        .iter()
        .filter(|d| d.path.split(' ').next() == Some(group) && d.path.contains(' '))
        .collect();
    let w = cmds
        .iter()
        .map(|d| d.path.len() - group.len() - 1)
        .max()
        .unwrap_or(0);
    for d in cmds {
        out.push_str(&format!(
            "  {:w$}   {}\n",
            &d.path[group.len() + 1..],
            d.short
        ));
    }
    out.push_str(&format!(
        "\nRun 'docker {group} COMMAND --help' for more information on a command.\n"
    ));
    Some(out)
}

/// Seconds flag → duration.
pub fn secs(v: i64) -> SimDuration {
    SimDuration::from_secs(v.max(0))
}
