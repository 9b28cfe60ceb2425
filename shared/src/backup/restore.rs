//! Restoring a backup into the live database, and the `pre-upgrade`
//! backup a process takes before it migrates an older schema.

use std::time::{Duration, Instant};

use rusqlite::{Connection, params};
use serde::Serialize;
use utoipa::ToSchema;

use super::create::{Prepared, copy_all, create_locked, prepare_locked};
use super::files::Partial;
use super::lock::{BackupLock, Wait};
use super::name::Kind;
use super::{Backup, BackupError, resolve, validate, verify};
use super::{damaged, history};
use crate::db;
use crate::migrate::{self, Outcome};
use crate::paths::DataDir;

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Restored {
    /// The backup now in the live database.
    pub restored: String,
    /// The backup of the live database taken just before.
    pub pre_restore_backup: String,
}

/// What to do when the live database is damaged, so that no `pre-restore`
/// backup of it can be taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfLiveDamaged {
    /// Refuse the restore ([`BackupError::CopyDamaged`]): the admin API,
    /// whose processes keep running on the live file.
    Refuse,
    /// Keep the damaged files aside in `backups/damaged-live-<time>/` and
    /// restore anyway: `billtracker backup restore`, the recovery of a
    /// damaged database.
    SetAside,
}

/// How the live database was saved before a restore replaced it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum Saved {
    /// A `pre-restore` backup, by id.
    PreRestoreBackup(String),
    /// The live database was damaged: its files, as they were, are in
    /// this folder of `backups/` (not a backup).
    DamagedFilesSetAside(String),
}

/// What [`restore_with`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Restore {
    pub restored: String,
    pub saved: Saved,
    /// History rows (audit log, errors, checks, cleanup runs) newer than
    /// the backup that were kept.
    pub history_kept: usize,
}

/// Restores backup `id` into the live database.
///
/// The backup is verified (checksum, integrity, schema) while the live
/// database is saved as a `pre-restore` backup, which gets its name only
/// once the backup has passed; then the backup is copied into the live
/// database with the online backup API in one write transaction. A
/// backup of an older schema is migrated on a scratch copy first, so no
/// process ever sees an older schema than it expects. The
/// heartbeat rows of the running processes are carried over, so Status
/// keeps seeing them, and so are the audit log, recorded errors,
/// integrity checks and cleanup runs newer than the backup. A damaged
/// live database is refused ([`BackupError::CopyDamaged`]).
pub fn restore(data: &DataDir, id: &str, wait: Wait) -> Result<Restored, BackupError> {
    let done = restore_with(data, id, wait, IfLiveDamaged::Refuse)?;
    match done.saved {
        Saved::PreRestoreBackup(pre_restore_backup) => Ok(Restored {
            restored: done.restored,
            pre_restore_backup,
        }),
        Saved::DamagedFilesSetAside(_) => unreachable!("a damaged live database is refused"),
    }
}

/// [`restore`], choosing what happens when the live database is damaged.
pub fn restore_with(
    data: &DataDir,
    id: &str,
    wait: Wait,
    if_damaged: IfLiveDamaged,
) -> Result<Restore, BackupError> {
    let (name, path) = resolve(data, id)?;
    let id = name.to_string();
    let _lock = BackupLock::acquire(data, wait)?;
    let started = Instant::now();
    tracing::info!(backup.id = %id, "restore started");

    // The backup is verified while the live database is copied for the
    // pre-restore backup, which keeps its partial name (and is removed)
    // unless the backup passes.
    let (verification, pre_restore) = std::thread::scope(|scope| {
        let verifying = scope.spawn(|| verify(data, &id));
        let pre_restore = prepare_locked(data, Kind::PreRestore);
        let verification = verifying
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        (verification, pre_restore)
    });
    let prepare_ms = started.elapsed().as_millis() as u64;
    let verification = verification?;
    let version = match (&verification.problem, verification.schema_version) {
        (None, Some(version)) => version,
        (problem, _) => {
            if pre_restore.is_ok() {
                tracing::info!(backup.id = %id, "the backup failed verification: its pre-restore copy is discarded");
            }
            return Err(BackupError::Invalid {
                id,
                problem: problem
                    .clone()
                    .unwrap_or_else(|| "it failed verification".into()),
            });
        }
    };
    let source_page_size = page_size(&validate::open_read_only(&path)?)?;

    // Save the live database: the pre-restore backup, or its damaged files.
    let set_aside = if_damaged == IfLiveDamaged::SetAside;
    let live = match db::open(&data.bills_db()).map_err(BackupError::from) {
        Ok(live) => Some(live),
        Err(error) if set_aside && damaged(&error) => {
            tracing::warn!(%error, "the live database cannot be opened");
            None
        }
        Err(error) => return Err(error),
    };
    let saved = match live.as_ref().map(page_size) {
        Some(Ok(size)) if size != source_page_size => {
            return Err(BackupError::Invalid {
                id,
                problem: "its page size differs from the live database's".into(),
            });
        }
        Some(Ok(_)) => match pre_restore.and_then(Prepared::finish) {
            Ok(pre_restore) => Saved::PreRestoreBackup(pre_restore.id),
            Err(error) if set_aside && damaged(&error) => {
                tracing::warn!(%error, "no pre-restore backup: the live database is damaged");
                Saved::DamagedFilesSetAside(damaged::set_aside(data)?)
            }
            Err(error) => return Err(error),
        },
        Some(Err(error)) if !set_aside => return Err(error.into()),
        Some(Err(error)) => {
            drop(pre_restore);
            tracing::warn!(%error, "the live database cannot be read");
            Saved::DamagedFilesSetAside(damaged::set_aside(data)?)
        }
        None => {
            drop(pre_restore);
            Saved::DamagedFilesSetAside(damaged::set_aside(data)?)
        }
    };
    let live_damaged = matches!(saved, Saved::DamagedFilesSetAside(_));

    // A backup of an older schema is migrated on a scratch copy first.
    let scratch = if version < migrate::latest_version() {
        let (scratch, file) = Partial::create(&data.backups(), &format!("{id}.restore.partial"))?;
        drop(file);
        let mut copy = validate::open_copy(scratch.path())?;
        copy_all(&validate::open_read_only(&path)?, &mut copy)?;
        migrate::migrate(&mut copy)?;
        Some(scratch)
    } else {
        None
    };
    let source_path = scratch.as_ref().map_or(path.as_path(), |s| s.path());

    // What the live database knows and the backup cannot: who is running, what happened since.
    let since = crate::time::format(name.created);
    let (heartbeats, history) = match &live {
        Some(live) if !live_damaged => (heartbeats(live)?, history::since(live, &since)?),
        // Whatever of a damaged database can still be read.
        Some(live) => (
            heartbeats(live).unwrap_or_default(),
            history::since(live, &since).unwrap_or_else(|error| {
                tracing::warn!(%error, "the history of the damaged database cannot be read; it is not kept");
                Vec::new()
            }),
        ),
        None => (Vec::new(), Vec::new()),
    };

    let copying = Instant::now();
    let written = match live {
        Some(mut live) => {
            let source = validate::open_read_only(source_path)?;
            let copied = copy_all(&source, &mut live);
            match copied {
                Ok(()) if !live_damaged || damaged::sound(&live) => Some(live),
                Ok(()) => None,
                Err(error) if live_damaged => {
                    tracing::warn!(%error, "the backup cannot be written into the damaged live database");
                    None
                }
                Err(error) => return Err(error),
            }
        }
        None => None,
    };
    let mut live = match written {
        Some(live) => live,
        None => {
            damaged::replace_live(data, source_path)?;
            db::open(&data.bills_db())?
        }
    };
    let copy_ms = copying.elapsed().as_millis() as u64;
    drop(scratch);
    keep_heartbeats(&mut live, &heartbeats)?;
    let history_kept = history::carry_over(&mut live, &history)?;

    let saved_name = match &saved {
        Saved::PreRestoreBackup(name) | Saved::DamagedFilesSetAside(name) => name.as_str(),
    };
    tracing::info!(
        backup.id = %id,
        pre_restore = %saved_name,
        live_damaged,
        history_kept,
        schema.version = version,
        prepare_ms,
        copy_ms,
        duration_ms = started.elapsed().as_millis() as u64,
        "restore finished"
    );
    Ok(Restore {
        restored: id,
        saved,
        history_kept,
    })
}

fn damaged(error: &BackupError) -> bool {
    error.is_damaged_database()
}

fn page_size(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "page_size", |row| row.get(0))
}

type HeartbeatRow = (
    String,
    String,
    String,
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);

const HEARTBEAT_COLUMNS: &str =
    "instance, service, host, pid, version, started_at, last_seen_at, current_job, stopped_at";

fn heartbeats(conn: &Connection) -> rusqlite::Result<Vec<HeartbeatRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {HEARTBEAT_COLUMNS} FROM service_heartbeats WHERE stopped_at IS NULL"
    ))?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(6)?,
            r.get(7)?,
            r.get(8)?,
        ))
    })?;
    rows.collect()
}

/// Puts the running processes' heartbeat rows back: they update their own
/// row, which the restored data may not have.
fn keep_heartbeats(live: &mut Connection, rows: &[HeartbeatRow]) -> Result<(), BackupError> {
    db::write(live, |tx| {
        let mut insert = tx.prepare(&format!(
            r#"
            INSERT INTO service_heartbeats ({HEARTBEAT_COLUMNS})
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
            ON CONFLICT (instance) DO UPDATE SET
                last_seen_at = max(last_seen_at, excluded.last_seen_at),
                stopped_at = NULL
            "#
        ))?;
        for row in rows {
            insert.execute(params![
                row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8
            ])?;
        }
        Ok(())
    })?;
    Ok(())
}

/// How long a starting process waits for another one's backup or upgrade.
const UPGRADE_WAIT: Duration = Duration::from_secs(30 * 60);

/// What [`migrate_with_pre_upgrade_backup`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upgraded {
    /// The migrations applied and the schema version after them.
    pub migrated: Outcome,
    /// The `pre-upgrade` backup taken first, when this call took one.
    pub pre_upgrade_backup: Option<Backup>,
}

/// Migrates the live database like [`migrate::migrate`], first taking a
/// `pre-upgrade` backup when the database already has a schema and
/// migrations are pending.
///
/// Every process calls this at start, and so does `billtracker db
/// migrate`. The one that gets the backup lock backs up and migrates while
/// holding it; the others wait, find the schema current and skip both, so
/// one upgrade makes one backup.
pub fn migrate_with_pre_upgrade_backup(
    data: &DataDir,
    conn: &mut Connection,
) -> crate::Result<Upgraded> {
    let pending = |conn: &Connection| -> crate::Result<bool> {
        let version = migrate::current_version(conn)?;
        Ok(version > 0 && version < migrate::latest_version())
    };
    if !pending(conn)? {
        return Ok(Upgraded {
            migrated: migrate::migrate(conn)?,
            pre_upgrade_backup: None,
        });
    }

    let _lock = BackupLock::acquire(data, Wait::UpTo(UPGRADE_WAIT))?;
    let mut pre_upgrade_backup = None;
    if pending(conn)? {
        let from = migrate::current_version(conn)?;
        let backup = create_locked(data, Kind::PreUpgrade)?;
        tracing::info!(
            backup.id = %backup.id,
            schema.from = from,
            schema.to = migrate::latest_version(),
            "took a pre-upgrade backup before migrating"
        );
        pre_upgrade_backup = Some(backup);
    }
    Ok(Upgraded {
        migrated: migrate::migrate(conn)?,
        pre_upgrade_backup,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backup::create::create;
    use crate::backup::list;
    use crate::migrate::MIGRATIONS;

    fn instance() -> (tempfile::TempDir, DataDir) {
        let tmp = tempfile::tempdir().unwrap();
        let data = DataDir::new(tmp.path());
        data.prepare().unwrap();
        let mut conn = db::open(&data.bills_db()).unwrap();
        migrate::migrate(&mut conn).unwrap();
        (tmp, data)
    }

    fn probe(conn: &Connection, key: &str) {
        conn.execute(
            "INSERT INTO queue_probes (probe_key, queue, handled_by, first_handled_at) VALUES (?1, 'sync', 'w', 'now')",
            [key],
        )
        .unwrap();
    }

    fn probes(conn: &Connection) -> Vec<String> {
        let mut stmt = conn
            .prepare("SELECT probe_key FROM queue_probes ORDER BY probe_key")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn a_restore_brings_back_the_backup_and_saves_what_was_there() {
        let (_tmp, data) = instance();
        let reader = db::open(&data.bills_db()).unwrap();
        probe(&reader, "before");
        let backup = create(&data, Kind::Manual, Wait::No).unwrap();
        probe(&reader, "after");

        let restored = restore(&data, &backup.id, Wait::No).unwrap();
        assert_eq!(restored.restored, backup.id);
        assert!(restored.pre_restore_backup.ends_with("-pre-restore.db"));

        // A connection opened before the restore sees it at its next query.
        assert_eq!(probes(&reader), ["before"]);
        let saved =
            validate::open_read_only(&data.backups().join(&restored.pre_restore_backup)).unwrap();
        assert_eq!(probes(&saved), ["after", "before"]);
        assert_eq!(list(&data).unwrap().len(), 2);
    }

    /// The files of `backups/`, sorted.
    fn backup_files(data: &DataDir) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(data.backups())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_backup_that_fails_verification_is_refused_and_leaves_no_pre_restore_copy() {
        let (_tmp, data) = instance();
        let live = db::open(&data.bills_db()).unwrap();
        probe(&live, "before");
        let backup = create(&data, Kind::Manual, Wait::No).unwrap();
        probe(&live, "after");
        let sidecar = data.backups().join(format!("{}.sha256", backup.id));
        std::fs::write(&sidecar, format!("{}  {}\n", "0".repeat(64), backup.id)).unwrap();
        let files = backup_files(&data);

        let refused = restore(&data, &backup.id, Wait::No).unwrap_err();

        assert!(
            matches!(&refused, BackupError::Invalid { problem, .. } if problem.contains("SHA-256")),
            "{refused:?}"
        );
        assert_eq!(
            backup_files(&data),
            files,
            "no pre-restore file, whole or partial"
        );
        assert_eq!(probes(&live), ["after", "before"]);
    }

    fn count(conn: &Connection, sql: &str) -> i64 {
        conn.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn the_history_newer_than_the_backup_survives_a_restore() {
        let (_tmp, data) = instance();
        let live = db::open(&data.bills_db()).unwrap();
        let audit = |actor_id: Option<i64>, action: &str| {
            live.execute(
                "INSERT INTO audit_log (at, actor_id, actor, action) VALUES (?1, ?2, 'admin', ?3)",
                params![crate::time::now_text(), actor_id, action],
            )
            .unwrap();
        };
        audit(None, "before.backup");
        let backup = create(&data, Kind::Manual, Wait::No).unwrap();
        // A user the backup does not know, and what happened after the backup.
        live.execute(
            "INSERT INTO users (id, username, role, created_at) VALUES (7, 'later', 'user', 'now')",
            [],
        )
        .unwrap();
        audit(Some(7), "user.create");
        audit(None, "backup.create");
        live.execute(
            "INSERT INTO recorded_errors (at, service, target, message) VALUES (?1, 'janitor', 'backups', 'disk full')",
            [crate::time::now_text()],
        )
        .unwrap();
        live.execute(
            "INSERT INTO integrity_checks (checked_at, service, ok, result, duration_ms) VALUES (?1, 'janitor', 1, 'ok', 3)",
            [crate::time::now_text()],
        )
        .unwrap();
        live.execute(
            "INSERT INTO cleanup_runs (at, trigger, results) VALUES (?1, 'daily', '[]')",
            [crate::time::now_text()],
        )
        .unwrap();

        let done = restore_with(&data, &backup.id, Wait::No, IfLiveDamaged::Refuse).unwrap();
        assert!(matches!(done.saved, Saved::PreRestoreBackup(_)));
        assert_eq!(done.history_kept, 5);

        // The user is gone with the restored data; the audit trail is whole, once.
        assert_eq!(count(&live, "SELECT count(*) FROM users WHERE id = 7"), 0);
        let mut stmt = live
            .prepare("SELECT action, actor_id, actor FROM audit_log ORDER BY id")
            .unwrap();
        let entries: Vec<(String, Option<i64>, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let actions: Vec<&str> = entries.iter().map(|e| e.0.as_str()).collect();
        assert_eq!(actions, ["before.backup", "user.create", "backup.create"]);
        assert_eq!(
            entries[1].1, None,
            "the missing user is no longer referenced"
        );
        assert_eq!(entries[1].2, "admin");
        assert_eq!(count(&live, "SELECT count(*) FROM recorded_errors"), 1);
        assert_eq!(count(&live, "SELECT count(*) FROM integrity_checks"), 1);
        assert_eq!(count(&live, "SELECT count(*) FROM cleanup_runs"), 1);
    }

    /// Overwrites the start of every page after the first of the live
    /// database, as a failing disk might; `header` damages page 1 too.
    fn damage(data: &DataDir, header: bool) {
        let path = data.bills_db();
        let mut bytes = std::fs::read(&path).unwrap();
        let page = 4096;
        assert!(bytes.len() > 4 * page, "several pages");
        let first = if header { 0 } else { page };
        for start in (first..bytes.len()).step_by(page) {
            for b in &mut bytes[start..start + 64] {
                *b = 0xA5;
            }
        }
        std::fs::write(&path, bytes).unwrap();
    }

    /// Enough rows for several pages, written to the main file.
    fn fill(data: &DataDir) {
        let conn = db::open(&data.bills_db()).unwrap();
        for i in 0..200 {
            probe(&conn, &format!("row-{i:03}-{}", "x".repeat(100)));
        }
        conn.pragma_update(None, "wal_checkpoint", "TRUNCATE")
            .unwrap();
    }

    #[test]
    fn a_damaged_live_database_is_set_aside_and_the_backup_restored() {
        let (_tmp, data) = instance();
        fill(&data);
        let backup = create(&data, Kind::Manual, Wait::No).unwrap();
        damage(&data, false);

        // The admin API's restore refuses: no pre-restore backup can be taken.
        let refused = restore(&data, &backup.id, Wait::No).unwrap_err();
        assert!(damaged(&refused), "{refused:?}");

        let done = restore_with(&data, &backup.id, Wait::No, IfLiveDamaged::SetAside).unwrap();
        let Saved::DamagedFilesSetAside(folder) = &done.saved else {
            panic!("{done:?}");
        };
        assert!(folder.starts_with("damaged-live-"), "{folder}");
        assert!(data.backups().join(folder).join("bills.db").is_file());
        let listed: Vec<String> = list(&data).unwrap().into_iter().map(|b| b.id).collect();
        assert_eq!(
            listed,
            vec![backup.id],
            "the damaged files are not a backup"
        );

        let live = db::open(&data.bills_db()).unwrap();
        assert_eq!(crate::integrity::check(&live).unwrap(), "ok");
        assert_eq!(probes(&live).len(), 200);
    }

    #[test]
    fn a_live_database_too_damaged_to_open_is_replaced_by_the_backup() {
        let (_tmp, data) = instance();
        fill(&data);
        let backup = create(&data, Kind::Manual, Wait::No).unwrap();
        damage(&data, true);
        assert!(restore(&data, &backup.id, Wait::No).is_err());

        let done = restore_with(&data, &backup.id, Wait::No, IfLiveDamaged::SetAside).unwrap();
        assert!(
            matches!(done.saved, Saved::DamagedFilesSetAside(_)),
            "{done:?}"
        );
        let live = db::open(&data.bills_db()).unwrap();
        assert_eq!(crate::integrity::check(&live).unwrap(), "ok");
        assert_eq!(probes(&live).len(), 200);
    }

    #[test]
    fn a_backup_that_fails_verification_is_not_restored() {
        let (_tmp, data) = instance();
        let live = db::open(&data.bills_db()).unwrap();
        let backup = create(&data, Kind::Manual, Wait::No).unwrap();
        probe(&live, "kept");
        std::fs::write(
            data.backups().join(format!("{}.sha256", backup.id)),
            format!("{}  {}\n", "0".repeat(64), backup.id),
        )
        .unwrap();

        let error = restore(&data, &backup.id, Wait::No).unwrap_err();
        assert!(matches!(error, BackupError::Invalid { .. }), "{error}");
        assert_eq!(probes(&live), ["kept"]);
        assert_eq!(list(&data).unwrap().len(), 1, "no pre-restore backup");
    }

    #[test]
    fn unknown_ids_and_paths_are_not_found() {
        let (_tmp, data) = instance();
        for id in [
            "../db/bills.db",
            "bills-20260101T000000Z-manual.db",
            ".lock",
        ] {
            assert!(matches!(
                restore(&data, id, Wait::No),
                Err(BackupError::NotFound(_))
            ));
        }
    }

    /// A database at `version`, as an older release left it.
    fn older_database(data: &DataDir, version: i64) {
        let conn = db::open(&data.bills_db()).unwrap();
        conn.execute_batch(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, \
             checksum TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))",
        )
        .unwrap();
        for m in MIGRATIONS.iter().take_while(|m| m.version <= version) {
            conn.execute_batch(m.sql).unwrap();
            conn.execute(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES (?1, ?2, ?3)",
                params![m.version, m.name, m.checksum()],
            )
            .unwrap();
        }
    }

    #[test]
    fn an_older_backup_is_migrated_on_its_way_in() {
        let tmp = tempfile::tempdir().unwrap();
        let data = DataDir::new(tmp.path());
        data.prepare().unwrap();
        let latest = migrate::latest_version();
        older_database(&data, latest - 1);
        let old = create(&data, Kind::Manual, Wait::No).unwrap();
        migrate::migrate(&mut db::open(&data.bills_db()).unwrap()).unwrap();

        let live = db::open(&data.bills_db()).unwrap();
        restore(&data, &old.id, Wait::No).unwrap();
        assert_eq!(migrate::current_version(&live).unwrap(), latest);
        assert!(
            !std::fs::read_dir(data.backups()).unwrap().any(|e| e
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains("partial")),
            "the scratch copy is gone"
        );
    }

    #[test]
    fn a_pending_migration_is_preceded_by_one_pre_upgrade_backup() {
        let tmp = tempfile::tempdir().unwrap();
        let data = DataDir::new(tmp.path());
        data.prepare().unwrap();

        // A new database: nothing to save.
        let mut fresh = db::open(&data.bills_db()).unwrap();
        migrate_with_pre_upgrade_backup(&data, &mut fresh).unwrap();
        assert!(list(&data).unwrap().is_empty());
        drop(fresh);

        std::fs::remove_file(data.bills_db()).unwrap();
        older_database(&data, migrate::latest_version() - 1);
        let mut conn = db::open(&data.bills_db()).unwrap();
        let first = migrate_with_pre_upgrade_backup(&data, &mut conn).unwrap();
        let again = migrate_with_pre_upgrade_backup(&data, &mut conn).unwrap();
        assert_eq!(again.pre_upgrade_backup, None);
        assert!(again.migrated.applied.is_empty());
        let all = list(&data).unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].kind, Kind::PreUpgrade);
        assert_eq!(
            first.pre_upgrade_backup.map(|b| b.id),
            Some(all[0].id.clone())
        );
        assert_eq!(
            migrate::current_version(&conn).unwrap(),
            migrate::latest_version()
        );
    }
}
