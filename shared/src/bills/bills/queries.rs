//! Reading bills: the list, the deleted ones, one bill, and the live bills
//! as the tracker needs them.

use jiff::civil::Date;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{AmountKind, Bill};
use crate::bills::categories::days_left;
use crate::bills::cycle::{self, Cycle};
use crate::bills::error::{BillsError, BillsResult};
use crate::bills::tracker::{Bucket, TrackedBill};

const SELECT: &str = r#"
    SELECT id, name, category_id, amount_cents, amount_kind, cycle, due_day, anchor_date,
           end_date, bucket, autopay, reminder_days, website, account_note, notes, active,
           created_at, deleted_at, inactive_from
    FROM bills
"#;

fn parse_date(text: Option<String>) -> Option<Date> {
    text.and_then(|t| t.parse().ok())
}

/// A bill row plus its inactive-from date.
fn bill_row(row: &Row<'_>, today: Date) -> rusqlite::Result<(Bill, Option<Date>)> {
    let (mut bill, inactive_from) = bill_row_plain(row, today)?;
    if bill.active {
        bill.next_due_date = next_due(&bill, today);
    }
    Ok((bill, inactive_from))
}

/// The next due date on or after `today`, looking two years ahead.
fn next_due(bill: &Bill, today: Date) -> Option<Date> {
    let horizon = today.saturating_add(jiff::Span::new().years(2));
    cycle::occurrences(&bill.schedule(), today, horizon)
        .into_iter()
        .next()
}

/// A bill row without the derived next due date.
fn bill_row_plain(row: &Row<'_>, today: Date) -> rusqlite::Result<(Bill, Option<Date>)> {
    let cycle: String = row.get(5)?;
    let kind: String = row.get(4)?;
    let bucket: String = row.get(9)?;
    let deleted_at: Option<String> = row.get(17)?;
    let bill = Bill {
        id: row.get(0)?,
        name: row.get(1)?,
        category_id: row.get(2)?,
        amount_cents: row.get(3)?,
        amount_kind: if kind == "variable" {
            AmountKind::Variable
        } else {
            AmountKind::Fixed
        },
        cycle: Cycle::parse(&cycle).unwrap_or(Cycle::Monthly),
        due_day: row.get::<_, Option<i64>>(6)?.map(|d| d as u8),
        anchor_date: parse_date(row.get(7)?).unwrap_or(today),
        end_date: parse_date(row.get(8)?),
        bucket: Bucket::parse(&bucket).unwrap_or(Bucket::Other),
        autopay: row.get(10)?,
        reminder_days: row.get(11)?,
        website: row.get(12)?,
        account_note: row.get(13)?,
        notes: row.get(14)?,
        active: row.get(15)?,
        created_at: row.get(16)?,
        next_due_date: None,
        days_left: deleted_at.as_deref().map(days_left),
    };
    Ok((bill, parse_date(row.get(18)?)))
}

/// Filters of the bill list.
#[derive(Debug, Clone, Default)]
pub struct BillFilter {
    pub q: Option<String>,
    pub category_id: Option<i64>,
    pub active: Option<bool>,
}

pub fn list(
    conn: &Connection,
    user_id: i64,
    filter: &BillFilter,
    today: Date,
) -> BillsResult<Vec<Bill>> {
    let sql = format!(
        r#"{SELECT}
        WHERE user_id = ?1 AND deleted_at IS NULL
          AND (?2 IS NULL OR name LIKE '%' || ?2 || '%' OR notes LIKE '%' || ?2 || '%')
          AND (?3 IS NULL OR category_id = ?3)
          AND (?4 IS NULL OR active = ?4)
        ORDER BY name COLLATE NOCASE, id"#
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(
        params![user_id, filter.q, filter.category_id, filter.active],
        |r| bill_row(r, today),
    )?;
    Ok(rows
        .map(|r| r.map(|(b, _)| b))
        .collect::<rusqlite::Result<_>>()?)
}

pub fn list_deleted(conn: &Connection, user_id: i64, today: Date) -> BillsResult<Vec<Bill>> {
    let sql =
        format!("{SELECT} WHERE user_id = ?1 AND deleted_at IS NOT NULL ORDER BY deleted_at DESC");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([user_id], |r| bill_row(r, today))?;
    Ok(rows
        .map(|r| r.map(|(b, _)| b))
        .collect::<rusqlite::Result<_>>()?)
}

/// A live bill of the user.
pub fn get(conn: &Connection, user_id: i64, id: i64, today: Date) -> BillsResult<Bill> {
    let sql = format!("{SELECT} WHERE id = ?1 AND user_id = ?2 AND deleted_at IS NULL");
    conn.query_row(&sql, params![id, user_id], |r| bill_row(r, today))
        .optional()?
        .map(|(b, _)| b)
        .ok_or(BillsError::NotFound("the bill"))
}

/// The user's live bills as the tracker needs them: only the columns it
/// reads, parsed as [`bill_row_plain`] parses them.
pub fn tracked(conn: &Connection, user_id: i64, today: Date) -> BillsResult<Vec<TrackedBill>> {
    let mut stmt = conn.prepare_cached(
        r#"
        SELECT id, name, category_id, amount_cents, cycle, due_day, anchor_date, end_date,
               bucket, autopay, active, inactive_from
        FROM bills
        WHERE user_id = ?1 AND deleted_at IS NULL
        "#,
    )?;
    let rows = stmt.query_map([user_id], |r| {
        let cycle: String = r.get(4)?;
        let bucket: String = r.get(8)?;
        let active: bool = r.get(10)?;
        let inactive_from = parse_date(r.get(11)?);
        Ok(TrackedBill {
            id: r.get(0)?,
            name: r.get(1)?,
            category_id: r.get(2)?,
            amount_cents: r.get(3)?,
            bucket: Bucket::parse(&bucket).unwrap_or(Bucket::Other),
            autopay: r.get(9)?,
            schedule: cycle::Schedule {
                cycle: Cycle::parse(&cycle).unwrap_or(Cycle::Monthly),
                due_day: r.get::<_, Option<i64>>(5)?.map(|d| d as u8),
                anchor: parse_date(r.get(6)?).unwrap_or(today),
                end: parse_date(r.get(7)?),
            },
            inactive_from: if active {
                None
            } else {
                inactive_from.or(Some(today))
            },
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
