//! `docker service ...`.

use super::super::flags::*;
use super::super::*;
use super::def;
use crate::lang::flags::{Arity::*, flag};

pub(super) static COMMANDS: &[CmdDef] = &[
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
];
