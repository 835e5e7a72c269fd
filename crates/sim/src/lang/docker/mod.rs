//! The docker commands opsconsole understands: the typed [`DockerCmd`] a command line becomes,
//! and the table of commands ([`commands`]: usage, flags, builder of each), one file per
//! group under `commands/`.

mod commands;
mod flags;
mod help;

pub use help::{GROUPS, group_help, help_for, secs};

use super::flags::{FlagSpec, ParseError, Parsed, flag_display, flag_error};
use super::service::ServiceFlags;
use super::values::*;
use crate::NetworkCreate;
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
    pub(super) fn bad(&self, long: &str, v: &str, why: impl std::fmt::Display) -> ParseError {
        flag_error(
            self.def.path,
            format!(
                "invalid argument {v:?} for {:?} flag: {why}",
                flag_display(&self.spec(long))
            ),
        )
    }
    pub(super) fn conv<T>(
        &self,
        long: &str,
        f: impl Fn(&str) -> Result<T, String>,
    ) -> Result<Option<T>, ParseError> {
        match self.p.value(long) {
            Some(v) => f(v).map(Some).map_err(|e| self.bad(long, v, e)),
            None => Ok(None),
        }
    }
    pub(super) fn conv_all<T>(
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
    pub(super) fn b(&self, long: &str) -> bool {
        self.p.bool(long)
    }
    pub(super) fn s(&self, long: &str) -> Option<String> {
        self.p.value(long).map(|s| s.to_string())
    }
    pub(super) fn args(&self) -> Vec<String> {
        self.p.args.clone()
    }
    pub(super) fn arg(&self, i: usize) -> String {
        self.p.args.get(i).cloned().unwrap_or_default()
    }
    pub(super) fn list(&self) -> Result<ListOpts, ParseError> {
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
    pub(super) fn inspect(&self) -> InspectOpts {
        InspectOpts {
            names: self.args(),
            pretty: self.def.flags.iter().any(|f| f.long == "pretty") && self.b("pretty"),
            format: self.s("format"),
        }
    }
    pub(super) fn logs(&self) -> Result<LogsOpts, ParseError> {
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

/// Every command, in the order `docker --help` and completion list them.
pub fn commands() -> impl Iterator<Item = &'static CmdDef> {
    commands::ALL.iter().flat_map(|g| g.iter())
}
