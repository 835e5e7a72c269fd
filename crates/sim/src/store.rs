//! Crash-safe persistence of a built-in cluster in a state directory.
//!
//! The cluster lives in `<dir>/cluster.redb`, an ACID store: one table per object kind
//! (values are the objects as JSON) and a `meta` table with the format version, the simulated
//! clock, the RNG state and the counters. After every command the objects it changed are
//! written in one transaction, committed durably before the command's output is shown; a
//! `kill -9` at any moment leaves either the old or the new state, never a mix. A corrupt file
//! or one written by a newer opsconsole is reported and left untouched.

use crate::Cluster;
use crate::base::time::SimTime;
use crate::model::*;
use crate::state::Kind;
use crate::state::{FORMAT_VERSION, Meta, State, Tables};
use redb::{
    Database, DatabaseError, ReadableDatabase, ReadableTable, TableDefinition, TableHandle,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const NODES: TableDefinition<&str, &[u8]> = TableDefinition::new("nodes");
const SERVICES: TableDefinition<&str, &[u8]> = TableDefinition::new("services");
const TASKS: TableDefinition<&str, &[u8]> = TableDefinition::new("tasks");
const CONTAINERS: TableDefinition<&str, &[u8]> = TableDefinition::new("containers");
const VOLUMES: TableDefinition<&str, &[u8]> = TableDefinition::new("volumes");
const NETWORKS: TableDefinition<&str, &[u8]> = TableDefinition::new("networks");

pub const FILE_NAME: &str = "cluster.redb";
const CACHE_BYTES: usize = 2 << 20;

#[derive(Debug)]
pub enum StoreError {
    /// Another process has the state open.
    Busy(PathBuf),
    /// The file is not a readable opsconsole state.
    Corrupt(PathBuf, String),
    /// Written by a newer opsconsole.
    Newer(PathBuf, u32),
    Io(PathBuf, String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Busy(p) => write!(
                f,
                "the cluster state {} is in use by another opsconsole process",
                p.display()
            ),
            StoreError::Corrupt(p, why) => write!(
                f,
                "the cluster state {} is corrupt ({why}); it was left as it is: move it away to start a new cluster",
                p.display()
            ),
            StoreError::Newer(p, v) => write!(
                f,
                "the cluster state {} was written by a newer opsconsole (format {v}; this build reads format {FORMAT_VERSION}); it was left as it is",
                p.display()
            ),
            StoreError::Io(p, why) => {
                write!(f, "cannot use the cluster state {}: {why}", p.display())
            }
        }
    }
}

impl std::error::Error for StoreError {}

pub struct Store {
    db: Database,
    path: PathBuf,
}

fn corrupt(path: &Path, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(path.to_path_buf(), e.to_string())
}

fn enc<T: Serialize>(v: &T) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_default()
}

impl Store {
    /// Opens the cluster in `dir`, creating it with `init` if the directory holds none yet.
    /// Waits up to `wait` for another process to release it.
    pub fn open(
        dir: &Path,
        wait: Duration,
        init: impl FnOnce() -> Cluster,
    ) -> Result<(Store, Cluster), StoreError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Io(dir.to_path_buf(), e.to_string()))?;
        let path = dir.join(FILE_NAME);
        let fresh = match std::fs::metadata(&path) {
            Ok(m) => m.len() == 0,
            Err(_) => true,
        };
        let deadline = Instant::now() + wait;
        let busy_or = |e: DatabaseError, path: &Path| -> Result<(), StoreError> {
            match e {
                DatabaseError::DatabaseAlreadyOpen | DatabaseError::LockProtocolMismatch => {
                    if Instant::now() >= deadline {
                        Err(StoreError::Busy(path.to_path_buf()))
                    } else {
                        std::thread::sleep(Duration::from_millis(25));
                        Ok(())
                    }
                }
                DatabaseError::Storage(redb::StorageError::Io(io))
                    if io.kind() != std::io::ErrorKind::InvalidData =>
                {
                    Err(StoreError::Io(path.to_path_buf(), io.to_string()))
                }
                other => Err(corrupt(path, other)),
            }
        };
        if !fresh {
            // Check the format read-only first: a writable open rewrites bookkeeping on close,
            // and a newer or foreign file must be left exactly as it is.
            loop {
                let mut b = Database::builder();
                b.set_check_integrity_on_open(true);
                match b.open_read_only(&path) {
                    Ok(ro) => {
                        check_format(&ro, &path)?;
                        break;
                    }
                    // Needs crash recovery, which only a writer may do: let it.
                    Err(DatabaseError::RepairAborted) => break,
                    Err(e) => busy_or(e, &path)?,
                }
            }
        }
        let db = loop {
            let mut b = Database::builder();
            b.set_check_integrity_on_open(true);
            // The cluster lives in memory; the file is only written. A small cache keeps the
            // pages read while loading from staying resident.
            b.set_cache_size(CACHE_BYTES);
            let r = if fresh {
                b.create(&path)
            } else {
                b.open(&path)
            };
            match r {
                Ok(db) => break db,
                Err(e) => busy_or(e, &path)?,
            }
        };
        let mut store = Store { db, path };
        if fresh {
            let mut cluster = init();
            store.write_all(&mut cluster)?;
            return Ok((store, cluster));
        }
        let cluster = store.load()?;
        Ok((store, cluster))
    }

    /// Checks, without changing anything, that the state in `dir` (if there is one) can be
    /// used: not corrupt, not from a newer opsconsole. A state in use by another process
    /// counts as usable.
    pub fn check(dir: &Path) -> Result<(), StoreError> {
        let path = dir.join(FILE_NAME);
        match std::fs::metadata(&path) {
            Ok(m) if m.len() > 0 => {}
            _ => return Ok(()),
        }
        match Database::builder().open_read_only(&path) {
            Ok(ro) => check_format(&ro, &path),
            Err(DatabaseError::DatabaseAlreadyOpen)
            | Err(DatabaseError::LockProtocolMismatch)
            | Err(DatabaseError::RepairAborted) => Ok(()),
            Err(DatabaseError::Storage(redb::StorageError::Io(io)))
                if io.kind() != std::io::ErrorKind::InvalidData =>
            {
                Err(StoreError::Io(path, io.to_string()))
            }
            Err(e) => Err(corrupt(&path, e)),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn load(&self) -> Result<Cluster, StoreError> {
        let p = &self.path;
        check_format(&self.db, p)?;
        let rtx = self.db.begin_read().map_err(|e| corrupt(p, e))?;
        let meta_t = rtx
            .open_table(META)
            .map_err(|e| corrupt(p, format!("no meta table: {e}")))?;
        let meta: Meta = match meta_t.get("meta").map_err(|e| corrupt(p, e))? {
            Some(v) => {
                serde_json::from_slice(v.value()).map_err(|e| corrupt(p, format!("meta: {e}")))?
            }
            None => return Err(corrupt(p, "no meta record")),
        };
        fn read<T: DeserializeOwned>(
            rtx: &redb::ReadTransaction,
            def: TableDefinition<&str, &[u8]>,
            p: &Path,
        ) -> Result<BTreeMap<String, T>, StoreError> {
            let mut out = BTreeMap::new();
            let t = match rtx.open_table(def) {
                Ok(t) => t,
                Err(redb::TableError::TableDoesNotExist(_)) => return Ok(out),
                Err(e) => return Err(corrupt(p, e)),
            };
            for row in t.iter().map_err(|e| corrupt(p, e))? {
                let (k, v) = row.map_err(|e| corrupt(p, e))?;
                let obj: T = serde_json::from_slice(v.value())
                    .map_err(|e| corrupt(p, format!("{} {}: {e}", def.name(), k.value())))?;
                out.insert(k.value().to_string(), obj);
            }
            Ok(out)
        }
        let mut tasks = read::<Task>(&rtx, TASKS, p)?;
        share_specs(&mut tasks);
        let tables = Tables {
            nodes: read::<Node>(&rtx, NODES, p)?,
            services: read::<Service>(&rtx, SERVICES, p)?,
            tasks,
            containers: read::<Container>(&rtx, CONTAINERS, p)?,
            volumes: read::<Volume>(&rtx, VOLUMES, p)?,
            networks: read::<Network>(&rtx, NETWORKS, p)?,
        };
        Ok(Cluster::from_state(State::from_parts(meta, tables)))
    }

    fn write_all(&mut self, cluster: &mut Cluster) -> Result<(), StoreError> {
        let st = cluster.state_mut();
        let _ = st.take_dirty();
        let mut keys = std::collections::BTreeSet::new();
        for n in st.all::<Node>() {
            keys.insert((Kind::Node, n.id.clone()));
        }
        for n in st.all::<Network>() {
            keys.insert((Kind::Network, n.id.clone()));
        }
        for s in st.all::<Service>() {
            keys.insert((Kind::Service, s.id.clone()));
        }
        for t in st.all::<Task>() {
            keys.insert((Kind::Task, t.id.clone()));
        }
        for c in st.all::<Container>() {
            keys.insert((Kind::Container, c.id.clone()));
        }
        for v in st.all::<Volume>() {
            keys.insert((Kind::Volume, Volume::key_of(&v.sim.node, &v.name)));
        }
        st.restore_dirty(keys, true);
        self.save(cluster)
    }

    /// Writes every change since the last save in one durable transaction.
    pub fn save(&mut self, cluster: &mut Cluster) -> Result<(), StoreError> {
        let st = cluster.state_mut();
        let (keys, meta_dirty) = st.take_dirty();
        if keys.is_empty() && !meta_dirty {
            return Ok(());
        }
        let r = (|| -> Result<(), String> {
            let wtx = self.db.begin_write().map_err(|e| e.to_string())?;
            {
                let mut meta = wtx.open_table(META).map_err(|e| e.to_string())?;
                meta.insert("format", FORMAT_VERSION.to_string().as_bytes())
                    .map_err(|e| e.to_string())?;
                meta.insert("meta", enc(&st.meta).as_slice())
                    .map_err(|e| e.to_string())?;
                let mut tabs = [
                    wtx.open_table(NODES).map_err(|e| e.to_string())?,
                    wtx.open_table(SERVICES).map_err(|e| e.to_string())?,
                    wtx.open_table(TASKS).map_err(|e| e.to_string())?,
                    wtx.open_table(CONTAINERS).map_err(|e| e.to_string())?,
                    wtx.open_table(VOLUMES).map_err(|e| e.to_string())?,
                    wtx.open_table(NETWORKS).map_err(|e| e.to_string())?,
                ];
                for (kind, key) in &keys {
                    let (i, val) = match kind {
                        Kind::Node => (0, st.get::<Node>(key).map(enc)),
                        Kind::Service => (1, st.get::<Service>(key).map(enc)),
                        Kind::Task => (2, st.get::<Task>(key).map(enc)),
                        Kind::Container => (3, st.get::<Container>(key).map(enc)),
                        Kind::Volume => (4, st.get::<Volume>(key).map(enc)),
                        Kind::Network => (5, st.get::<Network>(key).map(enc)),
                        Kind::Cluster => continue,
                    };
                    match val {
                        Some(v) => {
                            tabs[i]
                                .insert(key.as_str(), v.as_slice())
                                .map_err(|e| e.to_string())?;
                        }
                        None => {
                            tabs[i].remove(key.as_str()).map_err(|e| e.to_string())?;
                        }
                    }
                }
            }
            wtx.commit().map_err(|e| e.to_string())
        })();
        if let Err(e) = r {
            st.restore_dirty(keys, meta_dirty);
            return Err(StoreError::Io(self.path.clone(), e));
        }
        Ok(())
    }
}

/// Tasks created from the same spec share one copy of it in memory, as they did before the
/// cluster was saved.
fn share_specs(tasks: &mut BTreeMap<String, Task>) {
    let mut shared: std::collections::HashMap<(String, u64), std::sync::Arc<TaskSpec>> =
        std::collections::HashMap::new();
    for t in tasks.values_mut() {
        let key = (t.service_id.clone(), t.sim.spec_hash);
        match shared.get(&key) {
            Some(a) if **a == *t.spec => t.spec = a.clone(),
            Some(_) => {}
            None => {
                shared.insert(key, t.spec.clone());
            }
        }
    }
}

/// Refuses a state written by a newer opsconsole (or with no format record).
fn check_format(db: &impl ReadableDatabase, p: &Path) -> Result<(), StoreError> {
    let rtx = db.begin_read().map_err(|e| corrupt(p, e))?;
    let meta = rtx
        .open_table(META)
        .map_err(|e| corrupt(p, format!("no meta table: {e}")))?;
    let format: u32 = match meta.get("format").map_err(|e| corrupt(p, e))? {
        Some(v) => std::str::from_utf8(v.value())
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| corrupt(p, "bad format record"))?,
        None => return Err(corrupt(p, "no format record")),
    };
    if format > FORMAT_VERSION {
        return Err(StoreError::Newer(p.to_path_buf(), format));
    }
    Ok(())
}

/// The instant a new cluster starts at: now, to the second.
pub fn wall_clock_now() -> SimTime {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    SimTime::from_secs(secs)
}
