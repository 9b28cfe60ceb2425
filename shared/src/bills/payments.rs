//! Payments toward occurrences, month overrides, quick pay and bulk pay.

use std::collections::HashMap;

use jiff::ToSpan;
use jiff::civil::Date;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::autopay;
use super::bills::{self, Bill};
use super::categories::days_left;
use super::cycle;
use super::error::{BillsError, BillsResult};
use super::tracker::{self, Bucket, Override, Overrides, PaidByOccurrence};
use crate::time::now_text;

/// How a payment was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
// Read from a string only, so that any other value (a number included) is
// refused naming the field rather than as malformed JSON.
#[serde(try_from = "String")]
pub enum Method {
    #[serde(rename = "bank transfer")]
    BankTransfer,
    #[serde(rename = "card")]
    Card,
    #[serde(rename = "cash")]
    Cash,
    #[serde(rename = "check")]
    Check,
    #[serde(rename = "autopay")]
    Autopay,
    #[serde(rename = "other")]
    Other,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::BankTransfer => "bank transfer",
            Method::Card => "card",
            Method::Cash => "cash",
            Method::Check => "check",
            Method::Autopay => "autopay",
            Method::Other => "other",
        }
    }

    pub const ALL: [Method; 6] = [
        Method::BankTransfer,
        Method::Card,
        Method::Cash,
        Method::Check,
        Method::Autopay,
        Method::Other,
    ];

    fn parse(text: &str) -> Method {
        match text {
            "bank transfer" => Method::BankTransfer,
            "card" => Method::Card,
            "cash" => Method::Cash,
            "check" => Method::Check,
            "autopay" => Method::Autopay,
            _ => Method::Other,
        }
    }
}

impl TryFrom<String> for Method {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Method::ALL
            .into_iter()
            .find(|m| m.as_str() == text)
            .ok_or_else(|| {
                "the method is one of bank transfer, card, cash, check, autopay, other".into()
            })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Manual,
    Autopay,
    Bank,
    Import,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Manual => "manual",
            Source::Autopay => "autopay",
            Source::Bank => "bank",
            Source::Import => "import",
        }
    }

    fn parse(text: &str) -> Source {
        match text {
            "autopay" => Source::Autopay,
            "bank" => Source::Bank,
            "import" => Source::Import,
            _ => Source::Manual,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Payment {
    pub id: i64,
    pub bill_id: i64,
    #[schema(value_type = String, format = Date)]
    pub due_date: Date,
    pub amount_cents: i64,
    #[schema(value_type = String, format = Date)]
    pub paid_on: Date,
    pub method: Method,
    pub note: Option<String>,
    pub source: Source,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_left: Option<i64>,
}

/// A payment to record, or the fields to change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentInput {
    pub bill_id: Option<i64>,
    #[schema(value_type = Option<String>, format = Date)]
    pub due_date: Option<Date>,
    pub amount_cents: Option<i64>,
    #[schema(value_type = Option<String>, format = Date)]
    pub paid_on: Option<Date>,
    pub method: Option<Method>,
    #[serde(default, deserialize_with = "crate::serde_util::double_option")]
    pub note: Option<Option<String>>,
}

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

/// Checks that `due_date` is an occurrence of the bill: one of its
/// schedule's dates, or a kept occurrence (a date of an earlier schedule
/// that carries a live payment or a month override).
fn check_occurrence(conn: &Connection, bill: &Bill, due_date: Date) -> BillsResult<()> {
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

fn clean_note(note: Option<String>) -> BillsResult<Option<String>> {
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

/// Paid totals per occurrence of the user's bills with due dates in `[from, to]`.
pub fn paid_by_occurrence(
    conn: &Connection,
    user_id: i64,
    from: Date,
    to: Date,
) -> BillsResult<PaidByOccurrence> {
    let mut stmt = conn.prepare(
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

/// Overrides of the user's occurrences with due dates in `[from, to]`.
pub fn overrides(conn: &Connection, user_id: i64, from: Date, to: Date) -> BillsResult<Overrides> {
    let mut stmt = conn.prepare(
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
