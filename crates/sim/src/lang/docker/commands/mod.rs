//! The command table, by group. Order matters: `docker --help` and completion list commands
//! in it.

mod container;
mod network;
mod node;
mod service;
mod stack;
mod swarm;
mod volume;

use super::CmdDef;

macro_rules! def {
    ($path:expr, [$($alias:expr),*], $usage:expr, $short:expr, $flags:expr, $args:expr, $inter:expr, $build:expr) => {
        CmdDef { path: $path, aliases: &[$($alias),*], usage: $usage, short: $short, flags: $flags, args: $args, interspersed: $inter, build: $build }
    };
}
pub(super) use def;

pub(super) static ALL: &[&[CmdDef]] = &[
    swarm::COMMANDS,
    node::COMMANDS,
    service::COMMANDS,
    volume::COMMANDS,
    network::COMMANDS,
    stack::COMMANDS,
    container::COMMANDS,
];
