//! `--help` texts generated from the command table, so they never disagree with the parser.

use super::{CmdDef, commands};
use crate::base::time::SimDuration;
use crate::lang::flags::Arity;

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
                    Arity::Bool => "",
                    Arity::Value => " string",
                    Arity::Multi => " list",
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
    let cmds: Vec<&CmdDef> = commands()
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
