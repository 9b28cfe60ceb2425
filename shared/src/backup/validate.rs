//! Whether a file is a sound BillTracker database: the checks behind an
//! upload, a verification and a restore, each failure with its own reason.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::integrity;
use crate::migrate::{MIGRATIONS, latest_version};

/// Why a file is not accepted as a backup of this instance.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the file is not a SQLite database")]
    NotSqlite,

    #[error(
        "the file is truncated: its header describes {expected} bytes but it has {actual}; \
         download or copy the backup again"
    )]
    Truncated { expected: u64, actual: u64 },

    #[error("the file is a damaged SQLite database that cannot be read ({0})")]
    Corrupt(String),

    #[error("the database fails SQLite's integrity check: {0}")]
    IntegrityFailed(String),

    #[error("the file is a SQLite database of another application, not a BillTracker backup")]
    Foreign,

    #[error(
        "the backup's schema is at version {found}, newer than this BillTracker release knows \
         ({known}); upgrade BillTracker before you use it"
    )]
    SchemaTooNew { found: i64, known: i64 },

    #[error(
        "the backup's migration {version} differs from this release's; it was not written by a \
         BillTracker release this one knows"
    )]
    UnknownMigrations { version: i64 },

    #[error(
        "the backup records BillTracker's migrations but its {object} differs from them; \
         the database was changed by hand"
    )]
    SchemaMismatch { object: String },
}

impl Refusal {
    /// A stable code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::NotSqlite => "NOT_SQLITE",
            Refusal::Truncated { .. } => "TRUNCATED",
            Refusal::Corrupt(_) => "CORRUPT",
            Refusal::IntegrityFailed(_) => "INTEGRITY_FAILED",
            Refusal::Foreign => "FOREIGN_DATABASE",
            Refusal::SchemaTooNew { .. } => "SCHEMA_TOO_NEW",
            Refusal::UnknownMigrations { .. } => "UNKNOWN_MIGRATIONS",
            Refusal::SchemaMismatch { .. } => "SCHEMA_MISMATCH",
        }
    }
}

const MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Checks the 100-byte header: the magic string, and a length that holds
/// every page the header counts.
pub fn check_header(path: &Path) -> Result<(), Refusal> {
    let mut file = File::open(path).map_err(|e| Refusal::Corrupt(e.kind().to_string()))?;
    let actual = file
        .metadata()
        .map_err(|e| Refusal::Corrupt(e.kind().to_string()))?
        .len();
    let mut header = [0u8; 100];
    let mut filled = 0;
    while filled < header.len() {
        match file.read(&mut header[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) => return Err(Refusal::Corrupt(e.kind().to_string())),
        }
    }
    let magic_len = filled.min(MAGIC.len());
    if filled == 0 || header[..magic_len] != MAGIC[..magic_len] {
        return Err(Refusal::NotSqlite);
    }
    if filled < header.len() {
        return Err(Refusal::Truncated {
            expected: 100,
            actual,
        });
    }

    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536,
        n if n >= 512 && n.is_power_of_two() => u64::from(n),
        _ => return Err(Refusal::Corrupt("invalid page size in the header".into())),
    };
    let be32 = |at: usize| {
        u32::from_be_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
    };
    // The page count in the header is valid when it was written by the
    // same change as the "version valid for" number (SQLite 3.7.0 on).
    let pages = be32(28);
    let expected = if pages > 0 && be32(24) == be32(92) {
        u64::from(pages) * page_size
    } else {
        actual.div_ceil(page_size) * page_size
    };
    if actual < expected {
        return Err(Refusal::Truncated { expected, actual });
    }
    Ok(())
}

/// Opens a file that is not the live database, for reading only. Schema
/// code (triggers, views) of an unknown file is never trusted.
pub fn open_read_only(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    distrust(&conn)?;
    Ok(conn)
}

/// Opens a private copy (a partial file) for writing.
pub fn open_copy(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    distrust(&conn)?;
    Ok(conn)
}

fn distrust(conn: &Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "trusted_schema", "OFF")?;
    conn.pragma_update(None, "cell_size_check", "ON")?;
    Ok(())
}

/// Switches a copy to the rollback journal, so that the file stands alone
/// (no `-wal` or `-shm` beside it) and reads back without writing.
pub fn make_standalone(conn: &Connection) -> Result<(), Refusal> {
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "DELETE", |row| row.get(0))
        .map_err(corrupt)?;
    if mode.eq_ignore_ascii_case("delete") {
        Ok(())
    } else {
        Err(Refusal::Corrupt(format!("its journal mode stays {mode}")))
    }
}

/// Maps a SQLite error on a file under inspection to a refusal.
pub fn corrupt(error: rusqlite::Error) -> Refusal {
    match error.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => Refusal::NotSqlite,
        _ => Refusal::Corrupt(error.to_string()),
    }
}

/// `PRAGMA integrity_check` on the file.
pub fn check_integrity(conn: &Connection) -> Result<(), Refusal> {
    let result = integrity::check(conn).map_err(|e| match e {
        crate::Error::Sqlite(e) => corrupt(e),
        other => Refusal::Corrupt(other.to_string()),
    })?;
    if result == "ok" {
        Ok(())
    } else {
        let first = result.lines().next().unwrap_or_default().to_string();
        Err(Refusal::IntegrityFailed(first))
    }
}

/// Checks that the file carries this application's schema at a version
/// this binary knows, and returns that version.
///
/// The migration table must list migrations 1 to N with the checksums of
/// the embedded files, and every table, index, trigger and view those
/// migrations create must be present with the same definition.
pub fn check_schema(conn: &Connection) -> Result<i64, Refusal> {
    let has_table: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations')",
            [],
            |row| row.get(0),
        )
        .map_err(corrupt)?;
    if !has_table {
        return Err(Refusal::Foreign);
    }
    let recorded: Vec<(i64, String)> = conn
        .prepare("SELECT version, checksum FROM schema_migrations ORDER BY version")
        .and_then(|mut stmt| {
            stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect()
        })
        .map_err(|_| Refusal::Foreign)?;
    let Some(&(found, _)) = recorded.last() else {
        return Err(Refusal::Foreign);
    };
    let known = latest_version();
    if found > known {
        return Err(Refusal::SchemaTooNew { found, known });
    }
    for (index, (version, checksum)) in recorded.iter().enumerate() {
        let expected = &MIGRATIONS[index];
        if *version != expected.version || *checksum != expected.checksum() {
            return Err(Refusal::UnknownMigrations { version: *version });
        }
    }

    let present = schema_objects(conn).map_err(corrupt)?;
    let reference = reference_schema(found).map_err(|e| Refusal::Corrupt(e.to_string()))?;
    for ((kind, name), sql) in &reference {
        if present.get(&(kind.clone(), name.clone())) != Some(sql) {
            return Err(Refusal::SchemaMismatch {
                object: format!("{kind} {name}"),
            });
        }
    }
    Ok(found)
}

type Objects = HashMap<(String, String), Option<String>>;

fn schema_objects(conn: &Connection) -> rusqlite::Result<Objects> {
    let mut stmt = conn.prepare(
        r#"
        SELECT type, name, sql
        FROM sqlite_master
        WHERE substr(name, 1, 7) != 'sqlite_'
        "#,
    )?;
    let rows = stmt.query_map([], |row| Ok(((row.get(0)?, row.get(1)?), row.get(2)?)))?;
    rows.collect()
}

/// The objects migrations 1 to `version` create, on an empty database.
fn reference_schema(version: i64) -> rusqlite::Result<Objects> {
    let conn = Connection::open_in_memory()?;
    for migration in MIGRATIONS.iter().take_while(|m| m.version <= version) {
        conn.execute_batch(migration.sql)?;
    }
    schema_objects(&conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn migrated(path: &Path) {
        let mut conn = Connection::open(path).unwrap();
        crate::migrate::migrate(&mut conn).unwrap();
    }

    #[test]
    fn a_migrated_database_passes_every_check() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("ok.db");
        migrated(&path);
        check_header(&path).unwrap();
        let conn = open_read_only(&path).unwrap();
        check_integrity(&conn).unwrap();
        assert_eq!(check_schema(&conn).unwrap(), latest_version());
    }

    #[test]
    fn text_and_empty_files_are_not_sqlite() {
        let tmp = tempfile::tempdir().unwrap();
        for (name, bytes) in [
            ("empty", &b""[..]),
            ("text", b"hello, this is not a database at all"),
        ] {
            let path = tmp.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            assert_eq!(check_header(&path), Err(Refusal::NotSqlite), "{name}");
        }
    }

    #[test]
    fn a_cut_file_is_truncated() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("cut.db");
        migrated(&path);
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        assert!(matches!(
            check_header(&path),
            Err(Refusal::Truncated { .. })
        ));
        std::fs::write(&path, &bytes[..50]).unwrap();
        assert!(matches!(
            check_header(&path),
            Err(Refusal::Truncated { .. })
        ));
    }

    #[test]
    fn another_applications_database_is_foreign() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("other.db");
        Connection::open(&path)
            .unwrap()
            .execute_batch("CREATE TABLE recipes (id INTEGER PRIMARY KEY, title TEXT)")
            .unwrap();
        let conn = open_read_only(&path).unwrap();
        assert_eq!(check_schema(&conn), Err(Refusal::Foreign));
    }

    #[test]
    fn a_newer_or_foreign_migration_history_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("newer.db");
        migrated(&path);
        let conn = Connection::open(&path).unwrap();
        conn.execute(
            "INSERT INTO schema_migrations (version, name, checksum) VALUES (?1, 'future', 'x')",
            [latest_version() + 1],
        )
        .unwrap();
        assert_eq!(
            check_schema(&conn),
            Err(Refusal::SchemaTooNew {
                found: latest_version() + 1,
                known: latest_version()
            })
        );
        conn.execute(
            "DELETE FROM schema_migrations WHERE version > ?1",
            [latest_version()],
        )
        .unwrap();
        conn.execute(
            "UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1",
            [],
        )
        .unwrap();
        assert_eq!(
            check_schema(&conn),
            Err(Refusal::UnknownMigrations { version: 1 })
        );
    }

    #[test]
    fn a_missing_or_changed_table_is_a_schema_mismatch_but_extra_ones_are_fine() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("edited.db");
        migrated(&path);
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE notes (id INTEGER PRIMARY KEY)")
            .unwrap();
        assert_eq!(check_schema(&conn), Ok(latest_version()));
        conn.execute_batch("DROP TABLE queue_probes").unwrap();
        assert_eq!(
            check_schema(&conn),
            Err(Refusal::SchemaMismatch {
                object: "table queue_probes".into()
            })
        );
    }
}
