//! `docker network ...`.

use super::super::flags::*;
use super::super::*;
use super::def;
use crate::lang::flags::{Arity::*, flag};

pub(super) static COMMANDS: &[CmdDef] = &[
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
];
