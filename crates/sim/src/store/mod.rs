//! Crash-safe persistence of a built-in cluster in a state directory.
//!
//! The cluster lives in `<dir>/cluster.redb`, an ACID store: one table per object kind, named
//! by the kinds registry (`swarm.services`, `infra.containers`, ...; values are the objects as
//! JSON), and a `meta` table with the format version, the simulated clock, the RNG state and
//! the counters. A state written in an older format is migrated when it is opened
//! ([`migrate`]), in one transaction. After every command the objects it changed are
//! written in one transaction, committed durably before the command's output is shown; a
//! `kill -9` at any moment leaves either the old or the new state, never a mix. A corrupt file
//! or one written by a newer opsconsole is reported and left untouched.

mod migrate;

use crate::Cluster;
use crate::base::time::SimTime;
use crate::model::*;
use crate::state::{
    EachKind, FORMAT_VERSION, Key, Kind, KindFn, Meta, Object, State, Tables, each_kind,
};
use redb::{
    Database, DatabaseError, ReadableDatabase, ReadableTable, TableDefinition, TableHandle,
};
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");

fn table_of<T: Object>() -> TableDefinition<'static, &'static str, &'static [u8]> {
    TableDefinition::new(T::TABLE)
}

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

/// Writes (or deletes) the objects of one kind.
struct SaveKind<'a> {
    wtx: &'a redb::WriteTransaction,
    st: &'a State,
    keys: &'a [&'a str],
}

impl KindFn for SaveKind<'_> {
    type Out = Result<(), String>;
    fn call<T: Object>(self) -> Result<(), String> {
        let mut table = self
            .wtx
            .open_table(table_of::<T>())
            .map_err(|e| e.to_string())?;
        for key in self.keys {
            match self.st.get::<T>(key) {
                Some(o) => {
                    table
                        .insert(*key, enc(o).as_slice())
                        .map_err(|e| e.to_string())?;
                }
                None => {
                    table.remove(*key).map_err(|e| e.to_string())?;
                }
            }
        }
        Ok(())
    }
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
        let format = check_format(&store.db, &store.path)?;
        migrate::upgrade(&store.db, &store.path, format)?;
        let mut cluster = store.load()?;
        if !cluster.state().meta.kube.seeded {
            cluster.ensure_kube();
            cluster.take_events();
            store.save(&mut cluster)?;
        }
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
            Ok(ro) => check_format(&ro, &path).map(|_| ()),
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
        struct Load<'a> {
            rtx: &'a redb::ReadTransaction,
            path: &'a Path,
            tables: Tables,
            err: Option<StoreError>,
        }
        impl EachKind for Load<'_> {
            fn visit<T: Object>(&mut self) {
                if self.err.is_none()
                    && let Err(e) = read::<T>(self.rtx, self.path, T::table_mut(&mut self.tables))
                {
                    self.err = Some(e);
                }
            }
        }
        fn read<T: Object>(
            rtx: &redb::ReadTransaction,
            p: &Path,
            out: &mut crate::state::Table<T>,
        ) -> Result<(), StoreError> {
            let def = table_of::<T>();
            let t = match rtx.open_table(def) {
                Ok(t) => t,
                Err(redb::TableError::TableDoesNotExist(_)) => return Ok(()),
                Err(e) => return Err(corrupt(p, e)),
            };
            for row in t.iter().map_err(|e| corrupt(p, e))? {
                let (k, v) = row.map_err(|e| corrupt(p, e))?;
                let obj: T = serde_json::from_slice(v.value())
                    .map_err(|e| corrupt(p, format!("{} {}: {e}", def.name(), k.value())))?;
                out.insert(Key::new(k.value()), Box::new(obj));
            }
            Ok(())
        }
        let mut load = Load {
            rtx: &rtx,
            path: p,
            tables: Tables::default(),
            err: None,
        };
        each_kind(&mut load);
        if let Some(e) = load.err {
            return Err(e);
        }
        let mut tables = load.tables;
        share_specs(&mut tables.tasks);
        let mut st = State::from_parts(meta, tables);
        st.track_dirty();
        Ok(Cluster::from_state(st))
    }

    fn write_all(&mut self, cluster: &mut Cluster) -> Result<(), StoreError> {
        let st = cluster.state_mut();
        st.track_dirty();
        let _ = st.take_dirty();
        struct AllKeys<'a>(&'a State, BTreeSet<(Kind, String)>);
        impl EachKind for AllKeys<'_> {
            fn visit<T: Object>(&mut self) {
                let keys = T::table(self.0.tables()).keys().map(Key::to_string);
                self.1.extend(keys.map(|k| (T::KIND, k)));
            }
        }
        let mut all = AllKeys(st, BTreeSet::new());
        each_kind(&mut all);
        let keys = all.1;
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
                drop(meta);
                // The keys come sorted by kind: each kind's table is opened once.
                let mut keys = keys.iter().peekable();
                while let Some((kind, _)) = keys.peek().copied() {
                    let mut of_kind = Vec::new();
                    while let Some((k, key)) = keys.peek().copied()
                        && k == kind
                    {
                        of_kind.push(key.as_str());
                        keys.next();
                    }
                    let saved = kind.with(SaveKind {
                        wtx: &wtx,
                        st,
                        keys: &of_kind,
                    });
                    if let Some(r) = saved {
                        r?;
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
fn share_specs(tasks: &mut crate::state::Table<Task>) {
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
/// Returns the state's format.
fn check_format(db: &impl ReadableDatabase, p: &Path) -> Result<u32, StoreError> {
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
    Ok(format)
}

/// The instant a new cluster starts at: now, to the second.
pub fn wall_clock_now() -> SimTime {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    SimTime::from_secs(secs)
}
