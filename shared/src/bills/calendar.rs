//! The calendar: each occurrence on its due date with its tracker status,
//! each payment on its paid date; and the occurrences of a longer window
//! for the iCal feed. Statuses and amounts come from the tracker's rows.

use jiff::ToSpan;
use jiff::civil::Date;
use rusqlite::{Connection, params};
use serde::Serialize;
use utoipa::ToSchema;

use super::error::{BillsError, BillsResult};
use super::status::Status;
use super::tracker::{self, Bucket, Row};
use super::{bills, payments, tracker_for};

/// An occurrence on its due date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CalendarOccurrence {
    pub bill_id: i64,
    pub name: String,
    pub amount_due_cents: i64,
    pub paid_cents: i64,
    pub remaining_cents: i64,
    pub status: Status,
    pub bucket: Bucket,
    pub category_id: Option<i64>,
    pub autopay: bool,
}

/// A payment on its paid date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CalendarPayment {
    pub id: i64,
    pub bill_id: i64,
    pub name: String,
    pub amount_cents: i64,
    #[schema(value_type = String, format = Date)]
    pub paid_on: Date,
    /// The occurrence it pays (possibly in another month).
    #[schema(value_type = String, format = Date)]
    pub due_date: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Day {
    #[schema(value_type = String, format = Date)]
    pub date: Date,
    pub occurrences: Vec<CalendarOccurrence>,
    pub payments: Vec<CalendarPayment>,
}

/// A month of the calendar: one entry per day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct MonthCalendar {
    pub year: i16,
    pub month: i8,
    pub days: Vec<Day>,
}

/// The calendar of one month of the user's bills.
pub fn month(
    conn: &Connection,
    user_id: i64,
    year: i16,
    month: i8,
    today: Date,
) -> BillsResult<MonthCalendar> {
    let tracker = tracker_for(conn, user_id, year, month, today)?;
    let first =
        Date::new(year, month, 1).map_err(|_| BillsError::invalid("month", "month is 1 to 12"))?;
    let last = first.last_of_month();
    let paid = paid_between(conn, user_id, first, last)?;

    let mut days: Vec<Day> = (0..i32::from(first.days_in_month()))
        .filter_map(|offset| first.checked_add(offset.days()).ok())
        .map(|date| Day {
            date,
            occurrences: Vec::new(),
            payments: Vec::new(),
        })
        .collect();
    let index = |date: Date| (date.day() - 1) as usize;

    let mut rows: Vec<Row> = tracker.buckets.into_iter().flat_map(|b| b.rows).collect();
    rows.sort_by(|a, b| (a.due_date, &a.name, a.bill_id).cmp(&(b.due_date, &b.name, b.bill_id)));
    for row in rows {
        if let Some(day) = days.get_mut(index(row.due_date)) {
            day.occurrences.push(CalendarOccurrence {
                bill_id: row.bill_id,
                name: row.name,
                amount_due_cents: row.amount_due_cents,
                paid_cents: row.paid_cents,
                remaining_cents: row.remaining_cents,
                status: row.status,
                bucket: row.bucket,
                category_id: row.category_id,
                autopay: row.autopay,
            });
        }
    }
    for payment in paid {
        if let Some(day) = days.get_mut(index(payment.paid_on)) {
            day.payments.push(payment);
        }
    }

    Ok(MonthCalendar { year, month, days })
}

/// Live payments toward live bills of the user, paid in `[from, to]`.
fn paid_between(
    conn: &Connection,
    user_id: i64,
    from: Date,
    to: Date,
) -> BillsResult<Vec<CalendarPayment>> {
    let mut stmt = conn.prepare(
        r#"
        SELECT p.id, p.bill_id, b.name, p.amount_cents, p.paid_on, p.due_date
        FROM payments p
        JOIN bills b ON b.id = p.bill_id AND b.user_id = p.user_id
        WHERE p.user_id = ?1 AND p.deleted_at IS NULL AND b.deleted_at IS NULL
          AND p.paid_on >= ?2 AND p.paid_on <= ?3
        ORDER BY p.paid_on, b.name, p.id
        "#,
    )?;
    let rows = stmt.query_map(params![user_id, from.to_string(), to.to_string()], |r| {
        let paid_on: String = r.get(4)?;
        let due_date: String = r.get(5)?;
        Ok(CalendarPayment {
            id: r.get(0)?,
            bill_id: r.get(1)?,
            name: r.get(2)?,
            amount_cents: r.get(3)?,
            paid_on: paid_on.parse().unwrap_or(Date::ZERO),
            due_date: due_date.parse().unwrap_or(Date::ZERO),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The window of the feed: the two months before today's month, today's
/// month, and the twelve after it, whole months.
pub fn feed_window(today: Date) -> (Date, Date) {
    let month = today.first_of_month();
    let from = month.checked_sub(2.months()).unwrap_or(month);
    let to = month
        .checked_add(12.months())
        .map(|d| d.last_of_month())
        .unwrap_or(month.last_of_month());
    (from, to)
}

/// The tracker rows of every occurrence in `[from, to]` by due date, the
/// skipped ones included: what the feed shows, one event per occurrence.
pub fn occurrences_between(
    conn: &Connection,
    user_id: i64,
    from: Date,
    to: Date,
    today: Date,
) -> BillsResult<Vec<Row>> {
    let bills = bills::tracked(conn, user_id, today)?;
    let (paid, overrides) = payments::records(conn, user_id, from, to)?;
    let recorded = tracker::Recorded::new(&paid, &overrides);
    let mut rows: Vec<Row> = bills
        .iter()
        .flat_map(|bill| {
            tracker::visible_occurrences(bill, from, to, &paid, &recorded)
                .into_iter()
                .map(|due| tracker::row(bill, due, today, &paid, &overrides))
        })
        .collect();
    rows.sort_by(|a, b| (a.due_date, &a.name, a.bill_id).cmp(&(b.due_date, &b.name, b.bill_id)));
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn the_feed_window_is_two_months_back_and_twelve_ahead() {
        assert_eq!(
            feed_window(date(2026, 3, 10)),
            (date(2026, 1, 1), date(2027, 3, 31))
        );
        assert_eq!(
            feed_window(date(2026, 1, 31)),
            (date(2025, 11, 1), date(2027, 1, 31))
        );
    }
}
