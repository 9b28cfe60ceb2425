//! Month overrides of an occurrence: another amount, skipped, a note or a
//! snooze.

use std::collections::HashMap;

use jiff::civil::Date;
use rusqlite::{Connection, Transaction, params};

use super::record::{check_occurrence, clean_note};
use crate::bills::bills;
use crate::bills::error::{BillsError, BillsResult};
use crate::bills::tracker::{Override, Overrides};

/// Overrides of the user's occurrences with due dates in `[from, to]`.
pub fn overrides(conn: &Connection, user_id: i64, from: Date, to: Date) -> BillsResult<Overrides> {
    let mut stmt = conn.prepare_cached(
        r#"
        SELECT o.bill_id, o.due_date, o.amount_cents, o.skipped, o.note, o.snoozed_until
        FROM occurrence_overrides o
        JOIN bills b ON b.id = o.bill_id
        WHERE b.user_id = ?1 AND o.due_date >= ?2 AND o.due_date <= ?3
        "#,
    )?;
    let rows = stmt.query_map(params![user_id, from.to_string(), to.to_string()], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            Override {
                amount_cents: r.get(2)?,
                skipped: r.get(3)?,
                note: r.get(4)?,
                snoozed_until: r.get(5)?,
            },
        ))
    })?;
    let mut all = HashMap::new();
    for row in rows {
        let (bill, due, o) = row?;
        if let Ok(due) = due.parse() {
            all.insert((bill, due), o);
        }
    }
    Ok(all)
}

/// Sets (or with all fields empty, removes) the override of an occurrence.
pub fn set_override(
    tx: &Transaction<'_>,
    user_id: i64,
    bill_id: i64,
    due_date: Date,
    value: Override,
    today: Date,
) -> BillsResult<Option<Override>> {
    let bill = bills::get(tx, user_id, bill_id, today)?;
    check_occurrence(tx, &bill, due_date)?;
    if let Some(amount) = value.amount_cents
        && !(0..=bills::MAX_AMOUNT_CENTS).contains(&amount)
    {
        return Err(BillsError::invalid(
            "amount_cents",
            "the amount is 0 or more cents, at most 100000000000 (a billion)",
        ));
    }
    if let Some(snooze) = &value.snoozed_until
        && snooze.parse::<Date>().is_err()
    {
        return Err(BillsError::invalid(
            "snoozed_until",
            "snoozed_until is a date (YYYY-MM-DD)",
        ));
    }
    let note = clean_note(value.note.clone())?;
    if value.amount_cents.is_none()
        && value.skipped.is_none()
        && note.is_none()
        && value.snoozed_until.is_none()
    {
        clear_override(tx, user_id, bill_id, due_date, today)?;
        return Ok(None);
    }
    tx.execute(
        r#"
        INSERT INTO occurrence_overrides (bill_id, due_date, amount_cents, skipped, note, snoozed_until)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6)
        ON CONFLICT (bill_id, due_date) DO UPDATE SET
            amount_cents = excluded.amount_cents, skipped = excluded.skipped,
            note = excluded.note, snoozed_until = excluded.snoozed_until
        "#,
        params![bill_id, due_date.to_string(), value.amount_cents, value.skipped, note, value.snoozed_until],
    )?;
    Ok(Some(Override { note, ..value }))
}

pub fn clear_override(
    tx: &Transaction<'_>,
    user_id: i64,
    bill_id: i64,
    due_date: Date,
    today: Date,
) -> BillsResult<()> {
    bills::get(tx, user_id, bill_id, today)?;
    tx.execute(
        "DELETE FROM occurrence_overrides WHERE bill_id = ?1 AND due_date = ?2",
        params![bill_id, due_date.to_string()],
    )?;
    Ok(())
}
