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
    let paid = payments::paid_by_occurrence(conn, user_id, first, last)?;
    let overrides = payments::overrides(conn, user_id, first, last)?;
    let mut tracker = tracker::month(year, month, today, &bills, &paid, &overrides)
        .ok_or_else(|| BillsError::invalid("month", "month is 1 to 12"))?;
    tracker.note_autopay(&autopay::marks(conn, user_id, first, last)?);
    Ok(tracker)
}
