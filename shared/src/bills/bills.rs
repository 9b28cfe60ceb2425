//! Bills: the recurring obligations of a user, with their validation.

use jiff::civil::Date;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::categories::{self, days_left};
use super::cycle::{Cycle, Schedule, clamp_day};
use super::error::{BillsError, BillsResult};
use super::tracker::{Bucket, TrackedBill};
use crate::time::now_text;

/// The largest amount a bill or a month override may expect (a billion
/// dollars), which keeps every month total far from overflowing.
pub const MAX_AMOUNT_CENTS: i64 = 100_000_000_000;

/// Whether the expected amount is exact or an estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AmountKind {
    Fixed,
    Variable,
}

impl AmountKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AmountKind::Fixed => "fixed",
            AmountKind::Variable => "variable",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Bill {
    pub id: i64,
    pub name: String,
    pub category_id: Option<i64>,
    pub amount_cents: i64,
    pub amount_kind: AmountKind,
    pub cycle: Cycle,
    pub due_day: Option<u8>,
    #[schema(value_type = String, format = Date)]
    pub anchor_date: Date,
    #[schema(value_type = Option<String>, format = Date)]
    pub end_date: Option<Date>,
    pub bucket: Bucket,
    pub autopay: bool,
    pub reminder_days: Option<i64>,
    pub website: Option<String>,
    pub account_note: Option<String>,
    pub notes: Option<String>,
    pub active: bool,
    pub created_at: String,
    /// The next due date on or after today, when there is one.
    #[schema(value_type = Option<String>, format = Date)]
    pub next_due_date: Option<Date>,
    /// Days left to restore it; only for deleted bills.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_left: Option<i64>,
}

impl Bill {
    pub fn schedule(&self) -> Schedule {
        Schedule {
            cycle: self.cycle,
            due_day: self.due_day,
            anchor: self.anchor_date,
            end: self.end_date,
        }
    }
}

/// A bill to create, or the fields to change (PATCH: absent keeps).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BillInput {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::serde_util::double_option")]
    pub category_id: Option<Option<i64>>,
    pub amount_cents: Option<i64>,
    pub amount_kind: Option<AmountKind>,
    pub cycle: Option<Cycle>,
    #[serde(default, deserialize_with = "crate::serde_util::double_option")]
    pub due_day: Option<Option<i64>>,
    #[schema(value_type = Option<String>, format = Date)]
    pub anchor_date: Option<Date>,
    #[serde(default, deserialize_with = "crate::serde_util::double_option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub end_date: Option<Option<Date>>,
    pub bucket: Option<Bucket>,
    pub autopay: Option<bool>,
    #[serde(default, deserialize_with = "crate::serde_util::double_option")]
    pub reminder_days: Option<Option<i64>>,
    #[serde(default, deserialize_with = "crate::serde_util::double_option")]
    pub website: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::serde_util::double_option")]
    pub account_note: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::serde_util::double_option")]
    pub notes: Option<Option<String>>,
    pub active: Option<bool>,
}

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
    super::cycle::occurrences(&bill.schedule(), today, horizon)
        .into_iter()
        .next()
}

/// A bill row without the derived next due date (for the tracker).
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

/// The user's live bills as the tracker needs them.
pub fn tracked(conn: &Connection, user_id: i64, today: Date) -> BillsResult<Vec<TrackedBill>> {
    let sql = format!("{SELECT} WHERE user_id = ?1 AND deleted_at IS NULL");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([user_id], |r| bill_row_plain(r, today))?;
    let mut tracked = Vec::new();
    for row in rows {
        let (bill, inactive_from) = row?;
        tracked.push(TrackedBill {
            id: bill.id,
            name: bill.name.clone(),
            category_id: bill.category_id,
            amount_cents: bill.amount_cents,
            bucket: bill.bucket,
            autopay: bill.autopay,
            schedule: bill.schedule(),
            inactive_from: if bill.active {
                None
            } else {
                inactive_from.or(Some(today))
            },
        });
    }
    Ok(tracked)
}

fn clean_text(
    value: Option<String>,
    field: &'static str,
    max: usize,
) -> BillsResult<Option<String>> {
    let Some(value) = value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
    else {
        return Ok(None);
    };
    if value.chars().count() > max {
        return Err(BillsError::invalid(
            field,
            format!("at most {max} characters"),
        ));
    }
    Ok(Some(value))
}

/// The validated state of a bill, from an existing one and a change.
struct Draft {
    name: String,
    category_id: Option<i64>,
    amount_cents: i64,
    amount_kind: AmountKind,
    cycle: Cycle,
    due_day: Option<u8>,
    anchor_date: Date,
    end_date: Option<Date>,
    bucket: Bucket,
    autopay: bool,
    reminder_days: Option<i64>,
    website: Option<String>,
    account_note: Option<String>,
    notes: Option<String>,
    active: bool,
}

fn draft(
    conn: &Connection,
    user_id: i64,
    current: Option<&Bill>,
    input: BillInput,
    today: Date,
) -> BillsResult<Draft> {
    let name = match input.name.or_else(|| current.map(|b| b.name.clone())) {
        Some(name) => {
            let name = name.trim().to_string();
            if name.is_empty() || name.chars().count() > 120 {
                return Err(BillsError::invalid(
                    "name",
                    "a bill name has 1 to 120 characters",
                ));
            }
            name
        }
        None => return Err(BillsError::invalid("name", "a bill needs a name")),
    };

    let amount_cents = input
        .amount_cents
        .or(current.map(|b| b.amount_cents))
        .ok_or_else(|| BillsError::invalid("amount_cents", "enter the expected amount in cents"))?;
    if !(0..=MAX_AMOUNT_CENTS).contains(&amount_cents) {
        return Err(BillsError::invalid(
            "amount_cents",
            "the amount is 0 or more cents, at most 100000000000 (a billion)",
        ));
    }

    let cycle = input
        .cycle
        .or(current.map(|b| b.cycle))
        .ok_or_else(|| BillsError::invalid("cycle", "choose how often the bill comes due"))?;

    let due_day = match input.due_day {
        Some(Some(day)) if !(1..=31).contains(&day) => {
            return Err(BillsError::invalid(
                "due_day",
                "the due day is a day of the month, 1 to 31",
            ));
        }
        Some(day) => day.map(|d| d as u8),
        None => current.and_then(|b| b.due_day),
    };
    if cycle.uses_due_day() && due_day.is_none() && input.anchor_date.is_none() && current.is_none()
    {
        return Err(BillsError::invalid(
            "due_day",
            "a monthly, quarterly, semiannual or annual bill needs a due day",
        ));
    }

    let (anchor_date, due_day) = if cycle.uses_due_day() {
        month_schedule(current, input.anchor_date, input.due_day, due_day, today)?
    } else {
        let anchor = input.anchor_date.or(current.map(|b| b.anchor_date));
        (anchor.unwrap_or(today), None)
    };

    let end_date = match input.end_date {
        Some(end) => end,
        None => current.and_then(|b| b.end_date),
    };
    if let Some(end) = end_date
        && end < anchor_date
    {
        return Err(BillsError::invalid(
            "end_date",
            "the end date cannot be before the first due date",
        ));
    }

    let category_id = match input.category_id {
        Some(id) => id,
        None => current.and_then(|b| b.category_id),
    };
    if let Some(id) = category_id
        && current.map(|b| b.category_id) != Some(Some(id))
    {
        categories::check_owned(conn, user_id, id)?;
    }

    let reminder_days = match input.reminder_days {
        Some(Some(days)) if !(0..=60).contains(&days) => {
            return Err(BillsError::invalid(
                "reminder_days",
                "reminder days are 0 to 60",
            ));
        }
        Some(days) => days,
        None => current.and_then(|b| b.reminder_days),
    };

    let website = match input.website {
        Some(w) => clean_text(w, "website", 500)?,
        None => current.and_then(|b| b.website.clone()),
    };
    let account_note = match input.account_note {
        Some(a) => clean_text(a, "account_note", 500)?,
        None => current.and_then(|b| b.account_note.clone()),
    };
    let notes = match input.notes {
        Some(n) => clean_text(n, "notes", 4000)?,
        None => current.and_then(|b| b.notes.clone()),
    };

    let bucket = input
        .bucket
        .or(current.map(|b| b.bucket))
        .unwrap_or_else(|| Bucket::for_day(due_day.unwrap_or(anchor_date.day() as u8)));

    Ok(Draft {
        name,
        category_id,
        amount_cents,
        amount_kind: input
            .amount_kind
            .or(current.map(|b| b.amount_kind))
            .unwrap_or(AmountKind::Fixed),
        cycle,
        due_day,
        anchor_date,
        end_date,
        bucket,
        autopay: input
            .autopay
            .or(current.map(|b| b.autopay))
            .unwrap_or(false),
        reminder_days,
        website,
        account_note,
        notes,
        active: input.active.or(current.map(|b| b.active)).unwrap_or(true),
    })
}

/// The first due date and the due day of a month-based bill, which agree:
/// the first due date is a due date, on the due day or, in a shorter month,
/// on the month's last day. Change one and the other follows (a new due day
/// moves the first due date within its month; a new first due date sets the
/// due day unless the current one already falls on it); give both and they
/// must agree. A bill created with a due day alone is first due this month.
fn month_schedule(
    current: Option<&Bill>,
    input_anchor: Option<Date>,
    input_day: Option<Option<i64>>,
    due_day: Option<u8>,
    today: Date,
) -> BillsResult<(Date, Option<u8>)> {
    let on = |anchor: Date, day: u8| clamp_day(anchor.year(), anchor.month(), day);
    let new_anchor = input_anchor.filter(|date| current.is_none_or(|b| b.anchor_date != *date));
    let new_day = match input_day {
        Some(Some(day)) => u8::try_from(day).ok(),
        _ => None,
    }
    .filter(|day| current.is_none_or(|b| b.due_day != Some(*day)));

    Ok(match (new_anchor, new_day) {
        (Some(anchor), Some(day)) => {
            if on(anchor, day) != Some(anchor) {
                let example = on(anchor, day).unwrap_or(anchor);
                return Err(BillsError::invalid(
                    "anchor_date",
                    format!(
                        "the first due date falls on the due day ({day}, or the last day \
                         of a shorter month), such as {example}"
                    ),
                ));
            }
            (anchor, Some(day))
        }
        (Some(anchor), None) => {
            let day = due_day
                .filter(|day| on(anchor, *day) == Some(anchor))
                .unwrap_or(anchor.day() as u8);
            (anchor, Some(day))
        }
        (None, Some(day)) => {
            let month = current.map_or(today, |b| b.anchor_date);
            (on(month, day).unwrap_or(month), Some(day))
        }
        (None, None) => {
            let anchor = current.map_or(today, |b| b.anchor_date);
            (anchor, due_day.or(Some(anchor.day() as u8)))
        }
    })
}

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
