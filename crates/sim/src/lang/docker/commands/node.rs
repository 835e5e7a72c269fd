//! `docker node ...`.

use super::super::flags::*;
use super::super::*;
use super::def;
use crate::lang::flags::{Arity::*, flag};

pub(super) static COMMANDS: &[CmdDef] = &[
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
];
