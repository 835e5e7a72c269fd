//! `docker swarm ...`.

use super::super::flags::*;
use super::super::*;
use super::def;
use crate::lang::flags::{Arity::*, flag};
use crate::lang::values::*;

pub(super) static COMMANDS: &[CmdDef] = &[
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
];
