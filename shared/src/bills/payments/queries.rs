//! Reading payments: one payment, a page of the history, and the paid
//! totals per occurrence that the tracker is computed from.

use std::collections::HashMap;

use jiff::civil::Date;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::month_overrides::overrides;
use super::{Method, Payment, Source};
use crate::bills::categories::days_left;
use crate::bills::error::{BillsError, BillsResult};
use crate::bills::tracker::{self, Overrides, PaidByOccurrence};

/// Payments toward live bills only: a deleted bill hides its payments
/// until it is restored.
const SELECT: &str = r#"
    SELECT p.id, p.bill_id, p.due_date, p.amount_cents, p.paid_on, p.method, p.note, p.source,
           p.created_at, p.deleted_at
    FROM payments p
    JOIN bills b ON b.id = p.bill_id AND b.user_id = p.user_id AND b.deleted_at IS NULL
"#;

fn payment_row(row: &Row<'_>) -> rusqlite::Result<Payment> {
    let date = |i: usize| -> rusqlite::Result<Date> {
        let text: String = row.get(i)?;
        Ok(text.parse().unwrap_or(Date::ZERO))
    };
    let method: String = row.get(5)?;
    let source: String = row.get(7)?;
    let deleted_at: Option<String> = row.get(9)?;
    Ok(Payment {
        id: row.get(0)?,
        bill_id: row.get(1)?,
        due_date: date(2)?,
        amount_cents: row.get(3)?,
        paid_on: date(4)?,
        method: Method::parse(&method),
        note: row.get(6)?,
        source: Source::parse(&source),
        created_at: row.get(8)?,
        days_left: deleted_at.as_deref().map(days_left),
    })
}

/// A live payment of the user.
pub fn get(conn: &Connection, user_id: i64, id: i64) -> BillsResult<Payment> {
    let sql = format!("{SELECT} WHERE p.id = ?1 AND p.user_id = ?2 AND p.deleted_at IS NULL");
    conn.query_row(&sql, params![id, user_id], payment_row)
        .optional()?
        .ok_or(BillsError::NotFound("the payment"))
}

/// Which payments a list shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct PaymentFilter {
    pub bill_id: Option<i64>,
    /// Paid on or after.
    pub from: Option<Date>,
    /// Paid on or before.
    pub to: Option<Date>,
}

/// Payments of the user, newest paid date first (ties by id, newest first).
///
/// `before` is the id of the last payment of the previous page; the page
/// goes on from that payment's place in the order, `(paid_on, id)`, so a
/// payment entered late with an early paid date is neither skipped nor shown twice.
pub fn list(
    conn: &Connection,
    user_id: i64,
    filter: PaymentFilter,
    before: Option<i64>,
    limit: u32,
) -> BillsResult<Vec<Payment>> {
    // A deleted cursor payment still marks its place (a delete between two pages).
    let cursor: Option<(String, i64)> = match before {
        Some(id) => Some(
            conn.query_row(
                "SELECT paid_on, id FROM payments WHERE id = ?1 AND user_id = ?2",
                params![id, user_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or_else(|| {
                BillsError::invalid("before", "unknown payment; load the first page again")
            })?,
        ),
        None => None,
    };
    let (cursor_paid_on, cursor_id) = cursor.unzip();

    let sql = format!(
        r#"{SELECT}
        WHERE p.user_id = ?1 AND p.deleted_at IS NULL
          AND (?2 IS NULL OR p.bill_id = ?2)
          AND (?3 IS NULL OR p.paid_on >= ?3)
          AND (?4 IS NULL OR p.paid_on <= ?4)
          AND (?5 IS NULL OR p.paid_on < ?5 OR (p.paid_on = ?5 AND p.id < ?6))
        ORDER BY p.paid_on DESC, p.id DESC
        LIMIT ?7"#
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(
        params![
            user_id,
            filter.bill_id,
            filter.from.map(|d| d.to_string()),
            filter.to.map(|d| d.to_string()),
            cursor_paid_on,
            cursor_id,
            limit
        ],
        payment_row,
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Paid totals per occurrence of the user's bills with due dates in `[from, to]`.
pub fn paid_by_occurrence(
    conn: &Connection,
    user_id: i64,
    from: Date,
    to: Date,
) -> BillsResult<PaidByOccurrence> {
    let mut stmt = conn.prepare_cached(
        r#"
        SELECT bill_id, due_date, sum(amount_cents), count(*)
        FROM payments
        WHERE user_id = ?1 AND deleted_at IS NULL AND due_date >= ?2 AND due_date <= ?3
        GROUP BY bill_id, due_date
        "#,
    )?;
    let rows = stmt.query_map(params![user_id, from.to_string(), to.to_string()], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, i64>(3)?,
        ))
    })?;
    let mut paid = HashMap::new();
    for row in rows {
        let (bill, due, sum, count) = row?;
        if let Ok(due) = due.parse() {
            paid.insert((bill, due), (sum, count));
        }
    }
    Ok(paid)
}

/// Payments and overrides of the user's occurrences over the
/// [`tracker::record_window`] of `[from, to]`: what deciding the
/// occurrences of `[from, to]` takes.
pub fn records(
    conn: &Connection,
    user_id: i64,
    from: Date,
    to: Date,
) -> BillsResult<(PaidByOccurrence, Overrides)> {
    let (from, to) = tracker::record_window(from, to);
    Ok((
        paid_by_occurrence(conn, user_id, from, to)?,
        overrides(conn, user_id, from, to)?,
    ))
}
