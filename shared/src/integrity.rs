//! `PRAGMA integrity_check` on the application database, recorded for Status.

use std::time::Instant;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::db::Db;
use crate::error::Result;
use crate::heartbeat::Service;
use crate::time::now_text;

/// The outcome of one check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct IntegrityCheck {
    pub checked_at: String,
    pub service: String,
    pub ok: bool,
    /// `ok`, or the first problems SQLite reported.
    pub result: String,
    pub duration_ms: i64,
}

/// Runs the check on `conn` and returns SQLite's answer (`ok` when sound).
pub fn check(conn: &Connection) -> Result<String> {
    let mut stmt = conn.prepare("PRAGMA integrity_check(20)")?;
    let lines = stmt
        .query_map([], |row| row.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(lines.join("\n"))
}

/// Runs the check and records it; returns the recorded outcome.
pub async fn run_and_record(db: &Db, service: Service) -> Result<IntegrityCheck> {
    db.run(move |conn| {
        let started = Instant::now();
        let result = check(conn)?;
        let outcome = IntegrityCheck {
            checked_at: now_text(),
            service: service.as_str().to_string(),
            ok: result == "ok",
            result,
            duration_ms: started.elapsed().as_millis() as i64,
        };
        crate::db::write(conn, |tx| {
            tx.execute(
                r#"
                INSERT INTO integrity_checks (checked_at, service, ok, result, duration_ms)
                VALUES (?1, ?2, ?3, ?4, ?5)
                "#,
                params![outcome.checked_at, outcome.service, outcome.ok, outcome.result, outcome.duration_ms],
            )?;
            // Keep a year of daily checks.
            tx.execute(
                "DELETE FROM integrity_checks WHERE id <= (SELECT max(id) - 400 FROM integrity_checks)",
                [],
            )?;
            Ok(())
        })?;
        Ok(outcome)
    })
    .await
}

/// The most recent recorded check.
pub fn last(conn: &Connection) -> Result<Option<IntegrityCheck>> {
    Ok(conn
        .query_row(
            r#"
            SELECT checked_at, service, ok, result, duration_ms
            FROM integrity_checks
            ORDER BY id DESC
            LIMIT 1
            "#,
            [],
            |row| {
                Ok(IntegrityCheck {
                    checked_at: row.get(0)?,
                    service: row.get(1)?,
                    ok: row.get(2)?,
                    result: row.get(3)?,
                    duration_ms: row.get(4)?,
                })
            },
        )
        .optional()?)
}
