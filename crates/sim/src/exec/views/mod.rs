//! What docker prints for lists, inspections and `info`, computed from the cluster.

use super::format::*;
use crate::lang::docker::ListOpts;
use crate::model::*;
use serde_json::Value;

mod container;
mod node;
mod service;
mod stack;
mod system;
mod task;
mod volume;

pub use container::*;
pub use node::*;
pub use service::*;
pub use stack::*;
pub use system::*;
pub use task::*;
pub use volume::*;

/// `docker node ls` columns, and the format placeholders they show.
pub const NODE_HEADERS: &[&str] = &[
    "ID",
    "HOSTNAME",
    "STATUS",
    "AVAILABILITY",
    "MANAGER STATUS",
    "ENGINE VERSION",
];
pub const NODE_KEYS: &[&str] = &[
    "ID",
    "Hostname",
    "Status",
    "Availability",
    "ManagerStatus",
    "EngineVersion",
];

/// `docker service ps` columns, and the format placeholders they show.
pub const TASK_HEADERS: &[&str] = &[
    "ID",
    "NAME",
    "IMAGE",
    "NODE",
    "DESIRED STATE",
    "CURRENT STATE",
    "ERROR",
    "PORTS",
];
pub const TASK_KEYS: &[&str] = &[
    "ID",
    "Name",
    "Image",
    "Node",
    "DesiredState",
    "CurrentState",
    "Error",
    "Ports",
];

/// Rows as JSON objects keyed like docker's format placeholders, then either the default
/// table, `-q`, or the user's `--format`.
pub struct Listing {
    pub headers: &'static [&'static str],
    pub keys: &'static [&'static str],
    pub rows: Vec<Value>,
    /// Key printed by `-q`.
    pub quiet_key: &'static str,
}

impl Listing {
    pub fn render(&self, opts: &ListOpts) -> Result<String, String> {
        if opts.quiet {
            let mut out = String::new();
            for r in &self.rows {
                out.push_str(r.get(self.quiet_key).and_then(|v| v.as_str()).unwrap_or(""));
                out.push('\n');
            }
            return Ok(out);
        }
        if let Some(f) = &opts.format {
            return render_rows(f, &self.rows);
        }
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| {
                self.keys
                    .iter()
                    .map(|k| r.get(*k).and_then(|v| v.as_str()).unwrap_or("").to_string())
                    .collect()
            })
            .collect();
        Ok(table(self.headers, &rows))
    }
}

pub(crate) fn filter_match(
    filters: &[(String, String)],
    key: &str,
    f: impl Fn(&str) -> bool,
) -> bool {
    let vals: Vec<&String> = filters
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v)
        .collect();
    vals.is_empty() || vals.iter().any(|v| f(v))
}

pub(crate) fn label_match(labels: &Labels, want: &str) -> bool {
    match want.split_once('=') {
        Some((k, v)) => labels.get(k).is_some_and(|x| x == v),
        None => labels.contains_key(want),
    }
}

/// Rejects filter keys a command does not know, with docker's message.
pub fn check_filters(filters: &[(String, String)], allowed: &[&str]) -> Result<(), String> {
    for (k, _) in filters {
        if !allowed.contains(&k.as_str()) {
            return Err(format!("Error response from daemon: Invalid filter '{k}'"));
        }
    }
    Ok(())
}
