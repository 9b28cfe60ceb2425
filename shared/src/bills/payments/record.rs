//! Recording and editing a payment, with the checks of its fields.

use jiff::ToSpan;
use jiff::civil::Date;
use rusqlite::{Connection, Transaction, params};

use super::{Method, Payment, PaymentInput, Source, get};
use crate::bills::bills::{self, Bill};
use crate::bills::cycle;
use crate::bills::error::{BillsError, BillsResult};
use crate::time::now_text;

/// Checks that `due_date` is an occurrence of the bill: one of its
/// schedule's dates, or a kept occurrence (a date of an earlier schedule
/// that carries a live payment or a month override).
pub(super) fn check_occurrence(conn: &Connection, bill: &Bill, due_date: Date) -> BillsResult<()> {
    if cycle::is_due_on(&bill.schedule(), due_date) {
        return Ok(());
    }
    let kept: bool = conn.query_row(
        r#"
        SELECT EXISTS (
                   SELECT 1 FROM payments
                   WHERE bill_id = ?1 AND due_date = ?2 AND deleted_at IS NULL)
            OR EXISTS (
                   SELECT 1 FROM occurrence_overrides
                   WHERE bill_id = ?1 AND due_date = ?2)
        "#,
        params![bill.id, due_date.to_string()],
        |r| r.get(0),
    )?;
    if kept {
        return Ok(());
    }
    Err(BillsError::invalid(
        "due_date",
        format!("{due_date} is not a due date of this bill"),
    ))
}

fn check_paid_on(paid_on: Date, today: Date) -> BillsResult<()> {
    let far = today.checked_add(1.year()).unwrap_or(today);
    if paid_on > far || paid_on.year() < 1970 {
        return Err(BillsError::invalid(
            "paid_on",
            "the paid date must be a real date, not in the far future",
        ));
    }
    Ok(())
}

fn check_amount(amount: i64) -> BillsResult<()> {
    if !(1..=100_000_000_000).contains(&amount) {
        return Err(BillsError::invalid(
            "amount_cents",
            "a payment is more than 0 (in cents)",
        ));
    }
    Ok(())
}

pub(super) fn clean_note(note: Option<String>) -> BillsResult<Option<String>> {
    let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > 500) {
        return Err(BillsError::invalid(
            "note",
            "a note has at most 500 characters",
        ));
    }
    Ok(note)
}

/// Records a payment.
pub fn create(
    tx: &Transaction<'_>,
    user_id: i64,
    input: PaymentInput,
    source: Source,
    today: Date,
) -> BillsResult<Payment> {
    let bill_id = input
        .bill_id
        .ok_or_else(|| BillsError::invalid("bill_id", "choose the bill this pays"))?;
    let bill = bills::get(tx, user_id, bill_id, today)
        .map_err(|_| BillsError::invalid("bill_id", "unknown bill"))?;
    let due_date = input
        .due_date
        .ok_or_else(|| BillsError::invalid("due_date", "choose the due date this pays"))?;
    check_occurrence(tx, &bill, due_date)?;
    let amount = input
        .amount_cents
        .ok_or_else(|| BillsError::invalid("amount_cents", "enter the amount in cents"))?;
    check_amount(amount)?;
    let paid_on = input.paid_on.unwrap_or(today);
    check_paid_on(paid_on, today)?;
    let method = input.method.unwrap_or(if source == Source::Autopay {
        Method::Autopay
    } else {
        Method::Other
    });

    tx.execute(
        r#"
        INSERT INTO payments (user_id, bill_id, due_date, amount_cents, paid_on, method, note, source, created_at)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
        "#,
        params![
            user_id,
            bill_id,
            due_date.to_string(),
            amount,
            paid_on.to_string(),
            method.as_str(),
            clean_note(input.note.flatten())?,
            source.as_str(),
            now_text()
        ],
    )?;
    get(tx, user_id, tx.last_insert_rowid())
}

/// Changes a payment's amount, date, method or note (not its occurrence).
pub fn update(
    tx: &Transaction<'_>,
    user_id: i64,
    id: i64,
    input: PaymentInput,
    today: Date,
) -> BillsResult<Payment> {
    let current = get(tx, user_id, id)?;
    if input.bill_id.is_some_and(|b| b != current.bill_id) {
        return Err(BillsError::invalid(
            "bill_id",
            "a payment cannot move to another bill; delete it and record a new one",
        ));
    }
    let due_date = input.due_date.unwrap_or(current.due_date);
    if due_date != current.due_date {
        let bill = bills::get(tx, user_id, current.bill_id, today)?;
        check_occurrence(tx, &bill, due_date)?;
    }
    let amount = input.amount_cents.unwrap_or(current.amount_cents);
    check_amount(amount)?;
    let paid_on = input.paid_on.unwrap_or(current.paid_on);
    check_paid_on(paid_on, today)?;
    let note = match input.note {
        Some(note) => clean_note(note)?,
        None => current.note.clone(),
    };
    tx.execute(
        "UPDATE payments SET due_date = ?3, amount_cents = ?4, paid_on = ?5, method = ?6, note = ?7 WHERE id = ?1 AND user_id = ?2",
        params![
            id,
            user_id,
            due_date.to_string(),
            amount,
            paid_on.to_string(),
            input.method.unwrap_or(current.method).as_str(),
            note
        ],
    )?;
    get(tx, user_id, id)
}
