//! Upgrades a state written in an older format, in one write transaction: either it is all
//! done, or (on any error) nothing is.
//!
//! Format 1 (opsconsole before the kinds registry) named its tables `nodes`, `services`,
//! `tasks`, `containers`, `volumes` and `networks`, and a container named the task it runs
//! in `x-sim.task`. Format 2 names each table by the registry (`swarm.nodes`, ...,
//! `infra.containers`) and a container's owner by its control plane
//! (`x-sim.owner: {"swarm_task": ID}`), so the runtime can serve any plane.
//!
//! Format 3 adds the Kubernetes cluster (its `kube.*` tables and `meta.kube`): a format-2
//! state needs no rewriting, and gets the Kubernetes cluster's seed objects when it is
//! opened ([`crate::Cluster::ensure_kube`]).

use super::{META, StoreError, corrupt};
use crate::model::*;
use crate::state::{FORMAT_VERSION, Kind, KindFn, Object};
use redb::{Database, ReadableTable, TableDefinition};
use serde_json::Value;
use std::path::Path;

/// Format 1's table of each kind.
const FORMAT1_TABLES: &[(&str, Kind)] = &[
    ("nodes", Kind::Node),
    ("services", Kind::Service),
    ("tasks", Kind::Task),
    ("containers", Kind::Container),
    ("volumes", Kind::Volume),
    ("networks", Kind::Network),
];

/// The registry's table of a kind.
struct TableName;
impl KindFn for TableName {
    type Out = &'static str;
    fn call<T: Object>(self) -> &'static str {
        T::TABLE
    }
}

/// Brings a state of format `from` up to this build's format.
pub fn upgrade(db: &Database, p: &Path, from: u32) -> Result<(), StoreError> {
    if from >= FORMAT_VERSION {
        return Ok(());
    }
    let r = (|| -> Result<(), String> {
        let wtx = db.begin_write().map_err(|e| e.to_string())?;
        if from < 2 {
            format1_to_2(&wtx)?;
        }
        {
            let mut meta = wtx.open_table(META).map_err(|e| e.to_string())?;
            let record = meta
                .get("meta")
                .map_err(|e| e.to_string())?
                .map(|v| v.value().to_vec())
                .ok_or("no meta record")?;
            let mut m: Value = serde_json::from_slice(&record).map_err(|e| format!("meta: {e}"))?;
            m["format"] = Value::from(FORMAT_VERSION);
            let record = serde_json::to_vec(&m).map_err(|e| e.to_string())?;
            meta.insert("meta", record.as_slice())
                .map_err(|e| e.to_string())?;
            meta.insert("format", FORMAT_VERSION.to_string().as_bytes())
                .map_err(|e| e.to_string())?;
        }
        wtx.commit().map_err(|e| e.to_string())
    })();
    r.map_err(|e| corrupt(p, format!("cannot upgrade it from format {from}: {e}")))
}

fn format1_to_2(wtx: &redb::WriteTransaction) -> Result<(), String> {
    for (old, kind) in FORMAT1_TABLES {
        let Some(new) = kind.with(TableName) else {
            continue;
        };
        let old_def: TableDefinition<&str, &[u8]> = TableDefinition::new(old);
        let rows: Vec<(String, Vec<u8>)> = match wtx.open_table(old_def) {
            Ok(t) => t
                .iter()
                .map_err(|e| e.to_string())?
                .map(|row| {
                    row.map(|(k, v)| (k.value().to_string(), v.value().to_vec()))
                        .map_err(|e| e.to_string())
                })
                .collect::<Result<_, _>>()?,
            Err(redb::TableError::TableDoesNotExist(_)) => continue,
            Err(e) => return Err(e.to_string()),
        };
        let mut t = wtx
            .open_table(TableDefinition::<&str, &[u8]>::new(new))
            .map_err(|e| e.to_string())?;
        for (k, v) in rows {
            let v = if *kind == Kind::Container {
                container_owner(&v).map_err(|e| format!("{old} {k}: {e}"))?
            } else {
                v
            };
            t.insert(k.as_str(), v.as_slice())
                .map_err(|e| e.to_string())?;
        }
        drop(t);
        wtx.delete_table(old_def).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// `x-sim.task: ID` becomes `x-sim.owner: {"swarm_task": ID}`.
fn container_owner(row: &[u8]) -> Result<Vec<u8>, String> {
    let mut c: Value = serde_json::from_slice(row).map_err(|e| e.to_string())?;
    if let Some(sim) = c.get_mut("x-sim").and_then(Value::as_object_mut)
        && let Some(task) = sim.remove("task")
        && !task.is_null()
    {
        let owner = serde_json::to_value(Owner::SwarmTask(
            task.as_str()
                .ok_or("x-sim.task is not a string")?
                .to_string(),
        ))
        .map_err(|e| e.to_string())?;
        sim.insert("owner".into(), owner);
    }
    serde_json::to_vec(&c).map_err(|e| e.to_string())
}
