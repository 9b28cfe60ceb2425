//! The migration runner of `bills.db`.
//!
//! Migrations are the numbered SQL files of `migrations/`, embedded at
//! compile time. They are applied in order, all pending ones inside one
//! `BEGIN IMMEDIATE` transaction, and recorded in `schema_migrations` with
//! their SHA-256. Whichever process takes the write lock first migrates;
//! the others wait on the busy timeout and then find the schema current.

use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::db;
use crate::error::{Error, Result};

/// One embedded migration file.
#[derive(Debug)]
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

impl Migration {
    pub fn checksum(&self) -> String {
        hex::encode(Sha256::digest(self.sql.as_bytes()))
    }
}

/// Every migration this binary knows, in order.
pub static MIGRATIONS: &[Migration] = include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

/// The newest schema version this binary knows.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// What a call to [`migrate`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Migrations this call applied, as (version, name).
    pub applied: Vec<(i64, &'static str)>,
    /// The schema version after the call.
    pub version: i64,
}

const CREATE_TABLE: &str = r#"
CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    checksum TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
)
"#;

/// The schema version recorded in a database (0 when none).
pub fn current_version(conn: &Connection) -> Result<i64> {
    let has_table: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations')",
        [],
        |row| row.get(0),
    )?;
    if !has_table {
        return Ok(0);
    }
    Ok(conn.query_row(
        "SELECT coalesce(max(version), 0) FROM schema_migrations",
        [],
        |row| row.get(0),
    )?)
}

/// Applies every pending migration and logs each one.
///
/// Refuses a database whose schema is newer than this binary, and one whose
/// applied migrations differ from the embedded files.
pub fn migrate(conn: &mut Connection) -> Result<Outcome> {
    let outcome = db::write(conn, |tx| {
        tx.execute_batch(CREATE_TABLE)?;

        let found: i64 = tx.query_row(
            "SELECT coalesce(max(version), 0) FROM schema_migrations",
            [],
            |row| row.get(0),
        )?;
        let known = latest_version();
        if found > known {
            return Err(Error::SchemaTooNew { found, known });
        }

        let mut applied = Vec::new();
        for migration in MIGRATIONS {
            let recorded: Option<String> = tx
                .query_row(
                    "SELECT checksum FROM schema_migrations WHERE version = ?1",
                    [migration.version],
                    |row| row.get(0),
                )
                .optional()?;
            match recorded {
                Some(recorded) if recorded == migration.checksum() => {}
                Some(recorded) => {
                    return Err(Error::MigrationChanged {
                        version: migration.version,
                        name: migration.name.to_string(),
                        recorded,
                        embedded: migration.checksum(),
                    });
                }
                None => {
                    tx.execute_batch(migration.sql)?;
                    tx.execute(
                        "INSERT INTO schema_migrations (version, name, checksum) VALUES (?1, ?2, ?3)",
                        params![migration.version, migration.name, migration.checksum()],
                    )?;
                    applied.push((migration.version, migration.name));
                }
            }
        }
        Ok(Outcome {
            applied,
            version: known,
        })
    })?;

    for (version, name) in &outcome.applied {
        tracing::info!(
            migration.version = version,
            migration.name = name,
            "applied migration {version:04} {name}"
        );
    }
    tracing::info!(
        schema.version = outcome.version,
        "schema is current at version {}",
        outcome.version
    );
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_numbered_in_order_without_gaps() {
        for (index, migration) in MIGRATIONS.iter().enumerate() {
            assert_eq!(migration.version, index as i64 + 1, "{}", migration.name);
        }
    }

    #[test]
    fn migrating_twice_applies_nothing_the_second_time() {
        let mut conn = Connection::open_in_memory().unwrap();
        let first = migrate(&mut conn).unwrap();
        assert_eq!(first.applied.len(), MIGRATIONS.len());
        let second = migrate(&mut conn).unwrap();
        assert!(second.applied.is_empty());
        assert_eq!(second.version, latest_version());
    }

    #[test]
    fn a_newer_schema_is_refused_naming_both_versions() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        conn.execute(
            "INSERT INTO schema_migrations (version, name, checksum) VALUES (?1, 'future', 'x')",
            [latest_version() + 5],
        )
        .unwrap();
        let err = migrate(&mut conn).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains(&format!("version {}", latest_version() + 5)),
            "{text}"
        );
        assert!(text.contains(&format!("({})", latest_version())), "{text}");
    }

    #[test]
    fn an_edited_migration_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        conn.execute(
            "UPDATE schema_migrations SET checksum = 'tampered' WHERE version = 1",
            [],
        )
        .unwrap();
        assert!(matches!(
            migrate(&mut conn),
            Err(Error::MigrationChanged { version: 1, .. })
        ));
    }
}
