//! Paying what is due: quick pay of one occurrence and "Pay all due" of a
//! bucket.

use jiff::civil::Date;
use rusqlite::{Connection, Transaction};
use serde::Serialize;
use utoipa::ToSchema;

use super::record::check_occurrence;
use super::{
    Method, Payment, PaymentInput, Source, create, overrides, paid_by_occurrence, records,
};
use crate::bills::autopay;
use crate::bills::bills;
use crate::bills::error::{BillsError, BillsResult};
use crate::bills::tracker::{self, Bucket};

/// The tracker row of one occurrence (for quick pay and bulk pay).
pub fn occurrence_row(
    tx: &Connection,
    user_id: i64,
    bill_id: i64,
    due_date: Date,
    today: Date,
) -> BillsResult<tracker::Row> {
    let bill = bills::get(tx, user_id, bill_id, today)?;
    check_occurrence(tx, &bill, due_date)?;
    row_of(tx, user_id, bill_id, due_date, today)
}

/// The tracker row of a (bill, due date) that payments were recorded for,
/// without checking it against the bill's current schedule.
pub(crate) fn row_of(
    conn: &Connection,
    user_id: i64,
    bill_id: i64,
    due_date: Date,
    today: Date,
) -> BillsResult<tracker::Row> {
    let tracked = bills::tracked(conn, user_id, today)?
        .into_iter()
        .find(|b| b.id == bill_id)
        .ok_or(BillsError::NotFound("the bill"))?;
    let paid = paid_by_occurrence(conn, user_id, due_date, due_date)?;
    let overrides = overrides(conn, user_id, due_date, due_date)?;
    let mut row = tracker::row(&tracked, due_date, today, &paid, &overrides);
    row.note_autopay(&autopay::marks(conn, user_id, due_date, due_date)?);
    Ok(row)
}

/// Pays the remaining amount of an occurrence today.
pub fn quick_pay(
    tx: &Transaction<'_>,
    user_id: i64,
    bill_id: i64,
    due_date: Date,
    method: Option<Method>,
    today: Date,
) -> BillsResult<Payment> {
    let row = occurrence_row(tx, user_id, bill_id, due_date, today)?;
    if row.skipped {
        return Err(BillsError::Conflict {
            code: "SKIPPED",
            message: "this occurrence is skipped; unskip it first".into(),
        });
    }
    if row.remaining_cents == 0 {
        return Err(BillsError::Conflict {
            code: "NOTHING_TO_PAY",
            message: "nothing is left to pay on this occurrence".into(),
        });
    }
    create(
        tx,
        user_id,
        PaymentInput {
            bill_id: Some(bill_id),
            due_date: Some(due_date),
            amount_cents: Some(row.remaining_cents),
            paid_on: Some(today),
            method,
            note: None,
        },
        Source::Manual,
        today,
    )
}

/// The occurrences "Pay all due" would pay: unpaid (or partly paid), not
/// skipped, due up to today, in one bucket of one month.
pub fn payable(
    conn: &Connection,
    user_id: i64,
    year: i16,
    month: i8,
    bucket: Bucket,
    today: Date,
) -> BillsResult<Vec<tracker::Row>> {
    let first =
        Date::new(year, month, 1).map_err(|_| BillsError::invalid("month", "month is 1 to 12"))?;
    let last = first.last_of_month();
    let bills = bills::tracked(conn, user_id, today)?;
    let (paid, overrides) = records(conn, user_id, first, last)?;
    let tracker = tracker::month(year, month, today, &bills, &paid, &overrides)
        .ok_or_else(|| BillsError::invalid("month", "month is 1 to 12"))?;
    Ok(tracker
        .buckets
        .into_iter()
        .filter(|b| b.bucket == bucket)
        .flat_map(|b| b.rows)
        .filter(|r| !r.skipped && r.remaining_cents > 0 && r.due_date <= today)
        .collect())
}

/// What "Pay all due" paid, or would pay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct BulkPaid {
    pub count: usize,
    pub total_cents: i64,
    /// The payments created, for one Undo (empty on a dry run).
    pub payment_ids: Vec<i64>,
}

/// "Pay all due": pays the remaining amount of every [`payable`]
/// occurrence, paid today; with `dry_run`, only counts them. Call it in one
/// transaction, so that a failure on any occurrence pays none of them.
pub fn pay_all_due(
    tx: &Transaction<'_>,
    user_id: i64,
    (year, month): (i16, i8),
    bucket: Bucket,
    dry_run: bool,
    today: Date,
) -> BillsResult<BulkPaid> {
    let rows = payable(tx, user_id, year, month, bucket, today)?;
    let total_cents = rows.iter().map(|r| r.remaining_cents).sum();

    let mut payment_ids = Vec::new();
    if !dry_run {
        for row in &rows {
            let input = PaymentInput {
                bill_id: Some(row.bill_id),
                due_date: Some(row.due_date),
                amount_cents: Some(row.remaining_cents),
                paid_on: Some(today),
                ..PaymentInput::default()
            };
            payment_ids.push(create(tx, user_id, input, Source::Manual, today)?.id);
        }
    }
    Ok(BulkPaid {
        count: rows.len(),
        total_cents,
        payment_ids,
    })
}
