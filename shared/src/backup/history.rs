//! What a restore keeps of the live database: the rows that record what
//! happened (the audit log, recorded errors, integrity checks, cleanup
//! runs) and are newer than the backup. Without them a restore would
//! rewind the audit trail and the history on Status to the backup's time.

use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};

use crate::db;

/// History tables and the column that dates their rows.
const HISTORY: [(&str, &str); 4] = [
    ("audit_log", "at"),
    ("recorded_errors", "at"),
    ("integrity_checks", "checked_at"),
    ("cleanup_runs", "at"),
];

/// Rows of one history table, without their ids.
#[derive(Debug)]
pub(super) struct Rows {
    table: &'static str,
    columns: Vec<String>,
    rows: Vec<Vec<Value>>,
}

fn columns(conn: &Connection, table: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(&format!("PRAGMA table_info({table})"))?;
    let names = stmt.query_map([], |r| r.get::<_, String>(1))?;
    names.collect()
}

/// The history rows of `live` dated `since` (a stored timestamp) or later.
pub(super) fn since(live: &Connection, since: &str) -> rusqlite::Result<Vec<Rows>> {
    let mut all = Vec::new();
    for (table, dated_by) in HISTORY {
        let columns: Vec<String> = columns(live, table)?
            .into_iter()
            .filter(|c| c != "id")
            .collect();
        if columns.is_empty() {
            continue;
        }
        let mut stmt = live.prepare(&format!(
            "SELECT {} FROM {table} WHERE {dated_by} >= ?1 ORDER BY id",
            columns.join(", ")
        ))?;
        let rows = stmt
            .query_map([since], |r| {
                (0..columns.len())
                    .map(|i| r.get::<_, Value>(i))
                    .collect::<rusqlite::Result<Vec<Value>>>()
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        all.push(Rows {
            table,
            columns,
            rows,
        });
    }
    Ok(all)
}

/// Adds the rows to the restored database, each unless an identical row
/// is there already (the backup may hold rows of its own second). A
/// reference to a user the restored data does not have becomes null; the
/// entry keeps the name it recorded. Returns how many rows were added.
pub(super) fn carry_over(live: &mut Connection, carried: &[Rows]) -> crate::Result<usize> {
    db::write(live, |tx| {
        let mut added = 0;
        for rows in carried {
            if rows.rows.is_empty() {
                continue;
            }
            let present = columns(tx, rows.table)?;
            let references = references(tx, rows.table)?;
            let kept: Vec<usize> = (0..rows.columns.len())
                .filter(|&i| present.contains(&rows.columns[i]))
                .collect();
            if kept.is_empty() {
                continue;
            }
            // ?n, or null when ?n names a row the restored data lacks.
            let value = |n: usize, column: &str| match references.iter().find(|r| r.0 == column) {
                Some((_, table, key)) => format!(
                    "(CASE WHEN EXISTS (SELECT 1 FROM {table} WHERE {key} = ?{n}) THEN ?{n} END)"
                ),
                None => format!("?{n}"),
            };
            let names: Vec<&str> = kept.iter().map(|&i| rows.columns[i].as_str()).collect();
            let values: Vec<String> = names
                .iter()
                .enumerate()
                .map(|(n, c)| value(n + 1, c))
                .collect();
            let same: Vec<String> = names
                .iter()
                .zip(&values)
                .map(|(c, v)| format!("{c} IS {v}"))
                .collect();
            let sql = format!(
                r#"
                INSERT INTO {table} ({names})
                SELECT {values}
                WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE {same})
                "#,
                table = rows.table,
                names = names.join(", "),
                values = values.join(", "),
                same = same.join(" AND "),
            );
            let mut insert = tx.prepare(&sql)?;
            for row in &rows.rows {
                added += insert.execute(params_from_iter(kept.iter().map(|&i| &row[i])))?;
            }
        }
        Ok(added)
    })
}

/// The foreign keys of `table`: (column, referenced table, referenced column).
fn references(conn: &Connection, table: &str) -> rusqlite::Result<Vec<(String, String, String)>> {
    let mut stmt = conn.prepare(&format!("PRAGMA foreign_key_list({table})"))?;
    let rows = stmt.query_map([], |r| {
        let to: Option<String> = r.get(4)?;
        Ok((r.get(3)?, r.get(2)?, to.unwrap_or_else(|| "rowid".into())))
    })?;
    rows.collect()
}
