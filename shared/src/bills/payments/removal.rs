//! Removing payments (soft delete) and bringing them back (Undo, restore).

use jiff::civil::Date;
use rusqlite::{OptionalExtension, Transaction, params};

use super::{Payment, get};
use crate::bills::bills;
use crate::bills::categories::days_left;
use crate::bills::error::{BillsError, BillsResult};
use crate::time::now_text;

/// Soft-deletes payments; returns the ids deleted (all must be the user's).
pub fn delete_many(tx: &Transaction<'_>, user_id: i64, ids: &[i64]) -> BillsResult<Vec<i64>> {
    for id in ids {
        get(tx, user_id, *id)?;
    }
    let now = now_text();
    for id in ids {
        tx.execute(
            "UPDATE payments SET deleted_at = ?2 WHERE id = ?1",
            params![id, now],
        )?;
    }
    Ok(ids.to_vec())
}

/// Soft-deletes every payment of one occurrence; returns their ids for Undo.
pub fn delete_of_occurrence(
    tx: &Transaction<'_>,
    user_id: i64,
    bill_id: i64,
    due_date: Date,
    today: Date,
) -> BillsResult<Vec<i64>> {
    bills::get(tx, user_id, bill_id, today)?;

    let ids: Vec<i64> = tx
        .prepare(
            r#"
            SELECT id
            FROM payments
            WHERE user_id = ?1 AND bill_id = ?2 AND due_date = ?3 AND deleted_at IS NULL
            "#,
        )?
        .query_map(params![user_id, bill_id, due_date.to_string()], |r| {
            r.get(0)
        })?
        .collect::<rusqlite::Result<_>>()?;

    delete_many(tx, user_id, &ids)
}

/// Restores soft-deleted payments (within the recovery window). A restored
/// autopay payment that was marked as failed clears the mark.
pub fn restore_many(tx: &Transaction<'_>, user_id: i64, ids: &[i64]) -> BillsResult<Vec<Payment>> {
    let mut restored = Vec::new();
    for id in ids {
        let deleted_at: Option<String> = tx
            .query_row(
                r#"
                SELECT p.deleted_at
                FROM payments p
                JOIN bills b ON b.id = p.bill_id AND b.deleted_at IS NULL
                WHERE p.id = ?1 AND p.user_id = ?2 AND p.deleted_at IS NOT NULL
                "#,
                params![id, user_id],
                |r| r.get(0),
            )
            .optional()?;
        match deleted_at {
            Some(at) if days_left(&at) > 0 => {
                tx.execute("UPDATE payments SET deleted_at = NULL WHERE id = ?1", [id])?;
                // The bank paid after all: an autopay marked as failed is back.
                tx.execute("DELETE FROM autopay_failures WHERE payment_id = ?1", [id])?;
                restored.push(get(tx, user_id, *id)?);
            }
            _ => return Err(BillsError::NotFound("the deleted payment")),
        }
    }
    Ok(restored)
}
