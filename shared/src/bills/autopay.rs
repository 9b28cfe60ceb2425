//! Autopay: the daily run records a payment for every autopay occurrence
//! that came due without one. The user can edit or undo it; an undone
//! (deleted) autopay payment is not recorded again.

use jiff::ToSpan;
use jiff::civil::Date;
use rusqlite::{Transaction, params};

use super::error::BillsResult;
use super::payments::{self, PaymentInput, Source};
use super::{bills, tracker};

/// Records autopay payments for occurrences due from `since` to `today`;
/// returns how many were recorded.
pub fn record_due(tx: &Transaction<'_>, since: Date, today: Date) -> BillsResult<usize> {
    let mut stmt = tx.prepare(
        r#"
        SELECT DISTINCT b.user_id
        FROM bills b
        JOIN users u ON u.id = b.user_id
        WHERE b.autopay = 1 AND b.deleted_at IS NULL AND u.active = 1
        "#,
    )?;
    let owners: Vec<i64> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    drop(stmt);

    let mut recorded = 0;
    for user_id in owners {
        let autopay_bills: Vec<_> = bills::tracked(tx, user_id, today)?
            .into_iter()
            .filter(|b| b.autopay)
            .collect();
        let paid = payments::paid_by_occurrence(tx, user_id, since, today)?;
        let overrides = payments::overrides(tx, user_id, since, today)?;
        for bill in &autopay_bills {
            for due in tracker::visible_occurrences(bill, since, today, &paid) {
                let row = tracker::row(bill, due, today, &paid, &overrides);
                if row.skipped || row.payment_count > 0 || row.remaining_cents == 0 {
                    continue;
                }
                // Any payment ever recorded for it (an undone autopay included) wins.
                let ever_paid: bool = tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM payments WHERE bill_id = ?1 AND due_date = ?2)",
                    params![bill.id, due.to_string()],
                    |r| r.get(0),
                )?;
                if ever_paid {
                    continue;
                }
                payments::create(
                    tx,
                    user_id,
                    PaymentInput {
                        bill_id: Some(bill.id),
                        due_date: Some(due),
                        amount_cents: Some(row.remaining_cents),
                        paid_on: Some(due),
                        method: Some(payments::Method::Autopay),
                        note: None,
                    },
                    Source::Autopay,
                    today,
                )?;
                recorded += 1;
            }
        }
    }
    Ok(recorded)
}

/// Where autopay catches up from when there is no earlier run.
pub fn first_window(today: Date) -> Date {
    today.checked_sub(31.days()).unwrap_or(today)
}
