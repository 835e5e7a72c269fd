//! `docker volume ...`.

use super::super::flags::*;
use super::super::*;
use super::def;
use crate::lang::flags::{Arity::*, flag};
use crate::lang::values::*;

pub(super) static COMMANDS: &[CmdDef] = &[
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
];
