//! Validation of a bill's fields: the draft a create or an update writes.

use jiff::civil::Date;
use rusqlite::Connection;

use super::{AmountKind, Bill, BillInput, MAX_AMOUNT_CENTS};
use crate::bills::categories;
use crate::bills::cycle::{Cycle, clamp_day};
use crate::bills::error::{BillsError, BillsResult};
use crate::bills::tracker::Bucket;

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
pub(super) struct Draft {
    pub(super) name: String,
    pub(super) category_id: Option<i64>,
    pub(super) amount_cents: i64,
    pub(super) amount_kind: AmountKind,
    pub(super) cycle: Cycle,
    pub(super) due_day: Option<u8>,
    pub(super) anchor_date: Date,
    pub(super) end_date: Option<Date>,
    pub(super) bucket: Bucket,
    pub(super) autopay: bool,
    pub(super) reminder_days: Option<i64>,
    pub(super) website: Option<String>,
    pub(super) account_note: Option<String>,
    pub(super) notes: Option<String>,
    pub(super) active: bool,
}

pub(super) fn draft(
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
