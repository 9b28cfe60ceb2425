//! A restore over a damaged live database: the damaged files are kept
//! aside instead of a `pre-restore` backup (which cannot be taken of a
//! database that fails its integrity check), and when SQLite cannot write
//! into the damaged file at all, the file is replaced.
//!
//! The copies go to `backups/damaged-live-<UTC timestamp>/` (`bills.db`
//! and its `-wal` and `-shm` files as they were). That folder is not a
//! backup: it is not listed, verified or restorable, and no cleanup
//! removes it; an operator inspects or deletes it by hand.

use std::fs;
use std::os::unix::fs::DirBuilderExt;
use std::path::Path;

use jiff::Timestamp;
use rusqlite::Connection;

use super::BackupError;
use super::files::{Partial, sync_dir};
use crate::paths::DataDir;

/// The prefix of the folders of damaged live files.
pub const PREFIX: &str = "damaged-live-";

/// The live database's files.
const SUFFIXES: [&str; 3] = ["", "-wal", "-shm"];

/// Copies `db/bills.db` and its WAL and SHM files into a new folder in
/// `backups/`; returns the folder's name.
pub(super) fn set_aside(data: &DataDir) -> Result<String, BackupError> {
    let stamp = Timestamp::now().strftime("%Y%m%dT%H%M%SZ").to_string();
    let backups = data.backups();
    let mut name = format!("{PREFIX}{stamp}");
    let mut n = 1;
    while backups.join(&name).exists() {
        n += 1;
        name = format!("{PREFIX}{stamp}-{n}");
    }
    let folder = backups.join(&name);
    fs::DirBuilder::new()
        .mode(0o700)
        .create(&folder)
        .map_err(|e| BackupError::io(&name, e))?;

    let live = data.bills_db();
    for suffix in SUFFIXES {
        let from = with_suffix(&live, suffix);
        let file = format!("bills.db{suffix}");
        match fs::copy(&from, folder.join(&file)) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(BackupError::io(&format!("{name}/{file}"), e)),
        }
    }
    sync_dir(&folder)?;
    sync_dir(&backups)?;
    tracing::warn!(
        backup.damaged = %name,
        "the live database is damaged; its files are kept aside in backups/ instead of a pre-restore backup"
    );
    Ok(name)
}

fn with_suffix(path: &Path, suffix: &str) -> std::path::PathBuf {
    let mut text = path.as_os_str().to_owned();
    text.push(suffix);
    text.into()
}

/// Whether the live database can be trusted after a restore wrote into it.
pub(super) fn sound(live: &Connection) -> bool {
    live.query_row("PRAGMA quick_check", [], |r| r.get::<_, String>(0))
        .is_ok_and(|result| result == "ok")
}

/// Replaces the live database file by a copy of `source` (a standalone
/// database) and removes the old WAL and SHM files. Only for a live file
/// SQLite cannot write into; a process that still has the old file open
/// keeps using it until it restarts.
pub(super) fn replace_live(data: &DataDir, source: &Path) -> Result<(), BackupError> {
    let live = data.bills_db();
    let db_dir = live.parent().unwrap_or(Path::new("."));
    let (partial, file) = Partial::create(db_dir, "bills.db.restore.partial")
        .map_err(|e| relabel(e, "db/bills.db.restore.partial"))?;
    drop(file);
    fs::copy(source, partial.path())
        .map_err(|e| BackupError::io("db/bills.db.restore.partial", e))?;
    for suffix in ["-wal", "-shm"] {
        match fs::remove_file(with_suffix(&live, suffix)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(BackupError::io(&format!("db/bills.db{suffix}"), e)),
        }
    }
    partial
        .finish("bills.db")
        .map_err(|e| relabel(e, "db/bills.db"))?;
    tracing::warn!("the damaged live database file was replaced by the restored backup");
    Ok(())
}

/// Names a file of `db/` correctly in an error (the partial helpers name
/// files of `backups/`).
fn relabel(error: BackupError, file: &str) -> BackupError {
    match error {
        BackupError::Io { source, .. } => BackupError::io(file, source),
        other => other,
    }
}
