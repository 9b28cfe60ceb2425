//! Removing a bill (soft delete) and restoring it within the recovery window.

use jiff::civil::Date;
use rusqlite::{OptionalExtension, Transaction, params};

use super::{Bill, get};
use crate::bills::categories::days_left;
use crate::bills::error::{BillsError, BillsResult};
use crate::time::now_text;

pub fn delete(tx: &Transaction<'_>, user_id: i64, id: i64, today: Date) -> BillsResult<()> {
    get(tx, user_id, id, today)?;
    tx.execute(
        "UPDATE bills SET deleted_at = ?2 WHERE id = ?1",
        params![id, now_text()],
    )?;
    Ok(())
}

pub fn restore(tx: &Transaction<'_>, user_id: i64, id: i64, today: Date) -> BillsResult<Bill> {
    let deleted_at: Option<String> = tx
        .query_row(
            "SELECT deleted_at FROM bills WHERE id = ?1 AND user_id = ?2 AND deleted_at IS NOT NULL",
            params![id, user_id],
            |r| r.get(0),
        )
        .optional()?;
    match deleted_at {
        Some(at) if days_left(&at) > 0 => {
            tx.execute("UPDATE bills SET deleted_at = NULL WHERE id = ?1", [id])?;
            get(tx, user_id, id, today)
        }
        _ => Err(BillsError::NotFound("the deleted bill")),
    }
}
