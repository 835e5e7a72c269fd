//! `docker container ...`.

use super::super::flags::*;
use super::super::*;
use super::def;
use crate::lang::flags::{Arity::*, flag};
use crate::lang::values::*;

pub(super) static COMMANDS: &[CmdDef] = &[
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
