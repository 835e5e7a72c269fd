//! `docker stack ...`.

use super::super::flags::*;
use super::super::*;
use super::def;
use crate::lang::flags::{Arity::*, flag};

pub(super) static COMMANDS: &[CmdDef] = &[
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
];
