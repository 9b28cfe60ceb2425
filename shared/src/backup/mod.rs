//! Managed backups of `db/bills.db` in `backups/`.
//!
//! A backup is a complete, standalone SQLite file named
//! `bills-<UTC timestamp>-<kind>.db` (its id), with a `sha256sum`-style
//! `<name>.sha256` beside it. It is written to `<name>.partial`, checked
//! with `PRAGMA integrity_check`, given its checksum and only then renamed,
//! so a file with a backup's name is always complete.
//!
//! The copy uses SQLite's online backup API in a single step: in WAL mode
//! that holds one read snapshot of the live database, so the copy is
//! consistent while every process keeps writing. (Copying in chunks would
//! restart the copy after every write of another process and, under
//! steady load, might never finish.) A restore copies the other way, into
//! the live database, so every process sees the restored data at its next
//! transaction without reopening anything.
//!
//! One backup, import, restore or delete runs at a time across all
//! processes ([`lock`]). Paths are never put in errors or logs: files are
//! named relative to the data directory.

mod create;
pub mod damaged;
pub mod files;
mod history;
pub mod lock;
pub mod name;
mod restore;
pub mod schedule;
pub mod validate;

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use rusqlite::Connection;
use serde::Serialize;
use utoipa::ToSchema;

pub use create::{create, import, upload_partial};
pub use files::{PartialCleanup, cleanup_partials, preview_partials};
pub use lock::Wait;
pub use name::{BackupName, Kind};
pub use restore::{
    IfLiveDamaged, Restore, Restored, Saved, Upgraded, migrate_with_pre_upgrade_backup, restore,
    restore_with,
};
pub use validate::Refusal;

use crate::paths::DataDir;

/// Partial files older than this were left by a crash (the cleanup task).
pub const PARTIAL_MAX_AGE: Duration = Duration::from_secs(60 * 60);

/// Everything a backup operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("there is no backup named {0:?}")]
    NotFound(String),

    #[error("a backup or restore is running; try again when it has finished")]
    Busy,

    /// An uploaded file is not a backup of this instance.
    #[error("{0}")]
    Refused(Refusal),

    /// A backup failed its verification and is not restored.
    #[error("backup {id} is not restored: {problem}")]
    Invalid { id: String, problem: String },

    /// The fresh copy failed its integrity check: the live database itself
    /// is probably damaged.
    #[error(
        "the copy of the live database failed the integrity check ({0}); check the live \
         database with `billtracker db check`"
    )]
    CopyDamaged(String),

    #[error("there is no database to back up yet")]
    NoDatabase,

    /// A file operation failed; `file` is relative to the data directory.
    #[error("{file}: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },

    #[error(transparent)]
    Store(#[from] crate::Error),
}

impl BackupError {
    pub fn io(file: &str, source: std::io::Error) -> Self {
        let file = if file.starts_with("backups/") || file.starts_with("db/") {
            file.to_string()
        } else {
            format!("backups/{file}")
        };
        BackupError::Io { file, source }
    }

    /// The live database itself is damaged: its copy failed the integrity
    /// check, or SQLite found it malformed or not a database.
    pub fn is_damaged_database(&self) -> bool {
        use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
        match self {
            BackupError::CopyDamaged(_) => true,
            BackupError::Store(crate::Error::Sqlite(e)) => {
                matches!(e.sqlite_error_code(), Some(DatabaseCorrupt | NotADatabase))
            }
            _ => false,
        }
    }

    /// The disk is full (the API answers 507).
    pub fn is_disk_full(&self) -> bool {
        matches!(self, BackupError::Io { source, .. }
            if source.kind() == std::io::ErrorKind::StorageFull)
            || matches!(self, BackupError::Store(crate::Error::Sqlite(e))
            if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull))
    }
}

impl From<rusqlite::Error> for BackupError {
    fn from(error: rusqlite::Error) -> Self {
        BackupError::Store(crate::Error::Sqlite(error))
    }
}

impl From<BackupError> for crate::Error {
    fn from(error: BackupError) -> Self {
        match error {
            BackupError::Store(error) => error,
            other => crate::Error::Rule(other.to_string()),
        }
    }
}

/// One managed backup as the admin page and the CLI list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Backup {
    /// The file name, which is also the backup's id.
    #[schema(example = "bills-20261203T184500Z-manual.db")]
    pub id: String,
    pub kind: Kind,
    pub size_bytes: u64,
    /// When the copy was taken (RFC 3339, UTC, to the second).
    pub created_at: String,
    /// The SHA-256 recorded in the `.sha256` file beside it; null when
    /// that file is missing or unreadable.
    pub sha256: Option<String>,
    /// The file's content matches the recorded SHA-256.
    pub verified: bool,
}

/// The data directory of an open `bills.db` connection.
///
/// Handlers and job contexts hold the database, not the directory; the
/// database's own file name leads back to it (`<DATA_DIR>/db/bills.db`).
pub fn data_dir_of(conn: &Connection) -> Option<DataDir> {
    let path = Path::new(conn.path().filter(|p| !p.is_empty())?);
    let root = path.parent()?.parent()?;
    Some(DataDir::new(root))
}

/// The file of backup `id`; [`BackupError::NotFound`] for anything that is
/// not the exact name of an existing backup (no paths, no other files).
pub fn resolve(data: &DataDir, id: &str) -> Result<(BackupName, PathBuf), BackupError> {
    let not_found = || BackupError::NotFound(id.chars().take(80).collect());
    let name = BackupName::parse(id).ok_or_else(not_found)?;
    let path = data.backups().join(name.to_string());
    match fs::symlink_metadata(&path) {
        Ok(meta) if meta.is_file() => Ok((name, path)),
        _ => Err(not_found()),
    }
}

/// Every backup, newest first. Partial files and anything else in the
/// directory are not listed.
pub fn list(data: &DataDir) -> Result<Vec<Backup>, BackupError> {
    let dir = data.backups();
    let entries = match fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(BackupError::io("backups/", e)),
    };
    let mut all = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| BackupError::io("backups/", e))?;
        let Some(name) = entry.file_name().to_str().and_then(BackupName::parse) else {
            continue;
        };
        if let Some(backup) = describe(&dir, name)? {
            all.push(backup);
        }
    }
    all.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    Ok(all)
}

/// One backup's listing; `None` when the file vanished meanwhile.
fn describe(dir: &Path, name: BackupName) -> Result<Option<Backup>, BackupError> {
    let id = name.to_string();
    let path = dir.join(&id);
    let meta = match fs::symlink_metadata(&path) {
        Ok(meta) if meta.is_file() => meta,
        Ok(_) => return Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(BackupError::io(&id, e)),
    };
    let sha256 = files::read_sidecar(dir, &id);
    let verified = match &sha256 {
        None => false,
        Some(recorded) => match matches_checksum(&path, &id, &meta, recorded) {
            Ok(matches) => matches,
            Err(BackupError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                return Ok(None);
            }
            Err(error) => return Err(error),
        },
    };
    Ok(Some(Backup {
        id,
        kind: name.kind,
        size_bytes: meta.len(),
        created_at: name.created.to_string(),
        sha256,
        verified,
    }))
}

/// What the last hash of a file found, so that listing does not read every
/// backup again while none of them changed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Hashed {
    size: u64,
    modified: Option<SystemTime>,
    recorded: String,
    matches: bool,
}

fn hash_cache() -> &'static Mutex<HashMap<String, Hashed>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Hashed>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

fn matches_checksum(
    path: &Path,
    id: &str,
    meta: &fs::Metadata,
    recorded: &str,
) -> Result<bool, BackupError> {
    let key = Hashed {
        size: meta.len(),
        modified: meta.modified().ok(),
        recorded: recorded.to_string(),
        matches: false,
    };
    if let Ok(cache) = hash_cache().lock()
        && let Some(seen) = cache.get(id)
        && (seen.size, seen.modified, &seen.recorded) == (key.size, key.modified, &key.recorded)
    {
        return Ok(seen.matches);
    }
    let matches = files::sha256_file(path, id)? == recorded;
    remember(id, Hashed { matches, ..key });
    Ok(matches)
}

fn remember(id: &str, hashed: Hashed) {
    if let Ok(mut cache) = hash_cache().lock() {
        cache.insert(id.to_string(), hashed);
    }
}

fn forget(id: &str) {
    if let Ok(mut cache) = hash_cache().lock() {
        cache.remove(id);
    }
}

/// The outcome of [`verify`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Verification {
    pub id: String,
    /// The file matches its checksum, passes the integrity check and
    /// carries a schema this release can restore.
    pub ok: bool,
    /// The file matches the SHA-256 of its `.sha256` file.
    pub checksum_ok: bool,
    /// `ok`, or what SQLite or the schema check found.
    pub integrity: String,
    /// The schema version of the backup, when it could be read.
    pub schema_version: Option<i64>,
    /// What is wrong, in a sentence; null when `ok`.
    pub problem: Option<String>,
}

/// Checks a backup: its checksum, `PRAGMA integrity_check`, and that it
/// carries this application's schema at a version this binary knows.
pub fn verify(data: &DataDir, id: &str) -> Result<Verification, BackupError> {
    let (name, path) = resolve(data, id)?;
    let id = name.to_string();
    let started = std::time::Instant::now();
    let dir = data.backups();

    // The checksum and the content checks read the same file side by side.
    let (actual, content) = std::thread::scope(|scope| {
        let hashing = scope.spawn(|| files::sha256_file(&path, &id));
        let content = inspect_file(&path);
        let actual = hashing
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        (actual, content)
    });
    let actual = actual?;
    let recorded = files::read_sidecar(&dir, &id);
    let checksum_ok = recorded.as_deref() == Some(actual.as_str());
    if let (Some(recorded), Ok(meta)) = (recorded.clone(), fs::metadata(&path)) {
        remember(
            &id,
            Hashed {
                size: meta.len(),
                modified: meta.modified().ok(),
                recorded,
                matches: checksum_ok,
            },
        );
    }

    let (integrity, schema_version, content_problem) = match content {
        Ok(version) => ("ok".to_string(), Some(version), None),
        Err(refusal) => {
            let integrity = match &refusal {
                Refusal::IntegrityFailed(found) => found.clone(),
                Refusal::SchemaTooNew { .. }
                | Refusal::UnknownMigrations { .. }
                | Refusal::SchemaMismatch { .. }
                | Refusal::Foreign => "ok".to_string(),
                other => other.to_string(),
            };
            (integrity, None, Some(refusal.to_string()))
        }
    };
    let checksum_problem = match (&recorded, checksum_ok) {
        (_, true) => None,
        (None, false) => Some(format!("{id}.sha256 is missing or unreadable")),
        (Some(_), false) => Some("the file does not match its recorded SHA-256".to_string()),
    };
    let problem = checksum_problem.or(content_problem);
    let verification = Verification {
        id,
        ok: problem.is_none(),
        checksum_ok,
        integrity,
        schema_version,
        problem,
    };
    tracing::info!(
        backup.id = %verification.id,
        ok = verification.ok,
        duration_ms = started.elapsed().as_millis() as u64,
        "backup verified"
    );
    Ok(verification)
}

/// Header, integrity and schema checks of a standalone database file;
/// returns its schema version.
fn inspect_file(path: &Path) -> Result<i64, Refusal> {
    validate::check_header(path)?;
    let conn = validate::open_read_only(path).map_err(validate::corrupt)?;
    validate::check_integrity(&conn)?;
    validate::check_schema(&conn)
}

/// Deletes a backup and its checksum file.
pub fn delete(data: &DataDir, id: &str, wait: Wait) -> Result<(), BackupError> {
    let (name, path) = resolve(data, id)?;
    let _lock = lock::BackupLock::acquire(data, wait)?;
    let id = name.to_string();
    match fs::remove_file(&path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(BackupError::NotFound(id));
        }
        Err(e) => return Err(BackupError::io(&id, e)),
    }
    match fs::remove_file(data.backups().join(name.sidecar())) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(BackupError::io(&name.sidecar(), e)),
    }
    forget(&id);
    files::sync_dir(&data.backups())?;
    tracing::info!(backup.id = %id, "backup deleted");
    Ok(())
}

/// Count, newest and total size of the backups, for Status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Summary {
    pub count: usize,
    pub newest: Option<Backup>,
    pub total_bytes: u64,
}

/// Reads only the newest backup's content (to verify its checksum), so
/// that Status stays quick however many backups there are.
pub fn summary(data: &DataDir) -> Result<Summary, BackupError> {
    let dir = data.backups();
    let entries = match fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Summary::default()),
        Err(e) => return Err(BackupError::io("backups/", e)),
    };
    let mut summary = Summary::default();
    let mut newest: Option<BackupName> = None;
    for entry in entries.filter_map(|e| e.ok()) {
        let Some(name) = entry.file_name().to_str().and_then(BackupName::parse) else {
            continue;
        };
        let Ok(meta) = entry.metadata() else { continue };
        summary.count += 1;
        summary.total_bytes += meta.len();
        if newest.is_none_or(|n| (name.created, name.to_string()) > (n.created, n.to_string())) {
            newest = Some(name);
        }
    }
    if let Some(name) = newest {
        summary.newest = describe(&dir, name)?;
    }
    Ok(summary)
}
