//! Bills and the monthly tracker: the occurrence engine, statuses and the
//! month's totals, computed in one place for the API, feed and reminders.

pub mod autopay;
#[allow(clippy::module_inception)] // bills::bills holds the bill records of the bills domain.
pub mod bills;
pub mod calendar;
pub mod categories;
pub mod cycle;
pub mod error;
pub mod feeds;
pub mod ical;
pub mod payments;
pub mod status;
pub mod summary;
pub mod tracker;

#[cfg(test)]
mod tests;

use jiff::ToSpan;
use jiff::civil::Date;
use rusqlite::Connection;

pub use error::{BillsError, BillsResult};

/// The tracker of one month of a user's bills.
pub fn tracker_for(
    conn: &Connection,
    user_id: i64,
    year: i16,
    month: i8,
    today: Date,
) -> BillsResult<tracker::Tracker> {
    let first =
        Date::new(year, month, 1).map_err(|_| BillsError::invalid("month", "month is 1 to 12"))?;
    let last = first.last_of_month();
    let bills = bills::tracked(conn, user_id, today)?;
    let (paid, overrides) = payments::records(conn, user_id, first, last)?;
    let mut tracker = tracker::month(year, month, today, &bills, &paid, &overrides)
        .ok_or_else(|| BillsError::invalid("month", "month is 1 to 12"))?;
    tracker.note_autopay(&autopay::marks(conn, user_id, first, last)?);
    Ok(tracker)
}

/// The days back the overdue panel looks.
pub const OVERDUE_PANEL_DAYS: i32 = 90;

/// The overdue panel: unpaid occurrences of earlier months (the last 90
/// days), neither skipped nor snoozed, oldest first.
pub fn overdue_for(conn: &Connection, user_id: i64, today: Date) -> BillsResult<Vec<tracker::Row>> {
    let from = today
        .checked_sub(OVERDUE_PANEL_DAYS.days())
        .unwrap_or(today);
    let Some(to) = today.first_of_month().yesterday().ok() else {
        return Ok(Vec::new());
    };
    let bills = bills::tracked(conn, user_id, today)?;
    let (paid, overrides) = payments::records(conn, user_id, from, to)?;
    let recorded = tracker::Recorded::new(&paid, &overrides);
    let marks = autopay::marks(conn, user_id, from, to)?;

    let mut rows: Vec<tracker::Row> = bills
        .iter()
        .flat_map(|bill| {
            tracker::visible_occurrences(bill, from, to, &paid, &recorded)
                .into_iter()
                .map(|due| tracker::row(bill, due, today, &paid, &overrides))
        })
        .filter(|row| !row.skipped && row.remaining_cents > 0 && !row.is_snoozed(today))
        .map(|mut row| {
            row.note_autopay(&marks);
            row
        })
        .collect();
    rows.sort_by(|a, b| (a.due_date, &a.name, a.bill_id).cmp(&(b.due_date, &b.name, b.bill_id)));
    Ok(rows)
}
