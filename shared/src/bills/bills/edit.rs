//! Creating, updating and duplicating a bill.

use jiff::civil::Date;
use rusqlite::{Transaction, params};

use super::validation::draft;
use super::{Bill, BillInput, get};
use crate::bills::error::BillsResult;
use crate::time::now_text;

pub fn create(
    tx: &Transaction<'_>,
    user_id: i64,
    input: BillInput,
    today: Date,
) -> BillsResult<Bill> {
    let d = draft(tx, user_id, None, input, today)?;
    tx.execute(
        r#"
        INSERT INTO bills
            (user_id, name, category_id, amount_cents, amount_kind, cycle, due_day, anchor_date,
             end_date, bucket, autopay, reminder_days, website, account_note, notes, active,
             inactive_from, created_at)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)
        "#,
        params![
            user_id,
            d.name,
            d.category_id,
            d.amount_cents,
            d.amount_kind.as_str(),
            d.cycle.as_str(),
            d.due_day,
            d.anchor_date.to_string(),
            d.end_date.map(|e| e.to_string()),
            d.bucket.as_str(),
            d.autopay,
            d.reminder_days,
            d.website,
            d.account_note,
            d.notes,
            d.active,
            (!d.active).then(|| today.to_string()),
            now_text(),
        ],
    )?;
    get(tx, user_id, tx.last_insert_rowid(), today)
}

pub fn update(
    tx: &Transaction<'_>,
    user_id: i64,
    id: i64,
    input: BillInput,
    today: Date,
) -> BillsResult<Bill> {
    let current = get(tx, user_id, id, today)?;
    let d = draft(tx, user_id, Some(&current), input, today)?;
    // Deactivating drops future occurrences from today on; reactivating brings them back.
    let inactive_from = match (current.active, d.active) {
        (true, false) => Some(Some(today.to_string())),
        (false, true) => Some(None),
        _ => None,
    };
    tx.execute(
        r#"
        UPDATE bills SET
            name = ?3, category_id = ?4, amount_cents = ?5, amount_kind = ?6, cycle = ?7,
            due_day = ?8, anchor_date = ?9, end_date = ?10, bucket = ?11, autopay = ?12,
            reminder_days = ?13, website = ?14, account_note = ?15, notes = ?16, active = ?17
        WHERE id = ?1 AND user_id = ?2
        "#,
        params![
            id,
            user_id,
            d.name,
            d.category_id,
            d.amount_cents,
            d.amount_kind.as_str(),
            d.cycle.as_str(),
            d.due_day,
            d.anchor_date.to_string(),
            d.end_date.map(|e| e.to_string()),
            d.bucket.as_str(),
            d.autopay,
            d.reminder_days,
            d.website,
            d.account_note,
            d.notes,
            d.active,
        ],
    )?;
    if let Some(inactive_from) = inactive_from {
        tx.execute(
            "UPDATE bills SET inactive_from = ?2 WHERE id = ?1",
            params![id, inactive_from],
        )?;
    }
    get(tx, user_id, id, today)
}

/// A copy of a bill named "<name> (copy)".
pub fn duplicate(tx: &Transaction<'_>, user_id: i64, id: i64, today: Date) -> BillsResult<Bill> {
    let source = get(tx, user_id, id, today)?;
    let name: String = format!("{} (copy)", source.name)
        .chars()
        .take(120)
        .collect();
    create(
        tx,
        user_id,
        BillInput {
            name: Some(name),
            category_id: Some(source.category_id),
            amount_cents: Some(source.amount_cents),
            amount_kind: Some(source.amount_kind),
            cycle: Some(source.cycle),
            due_day: Some(source.due_day.map(i64::from)),
            anchor_date: Some(source.anchor_date),
            end_date: Some(source.end_date),
            bucket: Some(source.bucket),
            autopay: Some(source.autopay),
            reminder_days: Some(source.reminder_days),
            website: Some(source.website),
            account_note: Some(source.account_note),
            notes: Some(source.notes),
            active: Some(true),
        },
        today,
    )
}
