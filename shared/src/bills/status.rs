//! The status of an occurrence, in the instance time zone's "today".

use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What the tracker shows for one occurrence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Paid,
    Partial,
    DueToday,
    DueSoon,
    Upcoming,
    Late,
    Missed,
    Skipped,
}

impl Status {
    /// Late and missed occurrences count as overdue.
    pub fn is_overdue(self) -> bool {
        matches!(self, Status::Late | Status::Missed)
    }

    /// "Pin due" order: missed, late, due today, due soon, upcoming, then the rest.
    pub fn pin_rank(self) -> u8 {
        match self {
            Status::Missed => 0,
            Status::Late => 1,
            Status::DueToday => 2,
            Status::DueSoon => 3,
            Status::Upcoming => 4,
            Status::Partial => 5,
            Status::Paid => 6,
            Status::Skipped => 7,
        }
    }
}

/// Days ahead that count as "due soon".
pub const DUE_SOON_DAYS: i32 = 3;

/// Applies the rules of the specification: skipped, then paid (`P >= A`,
/// so an occurrence of nothing is paid), partial, then by date.
pub fn status(today: Date, due: Date, amount_due: i64, paid: i64, skipped: bool) -> Status {
    if skipped {
        return Status::Skipped;
    }
    if paid >= amount_due {
        return Status::Paid;
    }
    if paid > 0 {
        return Status::Partial;
    }
    if due == today {
        return Status::DueToday;
    }
    if due > today {
        let soon = today.checked_add(DUE_SOON_DAYS.days()).unwrap_or(today);
        return if due <= soon {
            Status::DueSoon
        } else {
            Status::Upcoming
        };
    }
    if (due.year(), due.month()) == (today.year(), today.month()) {
        Status::Late
    } else {
        Status::Missed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn statuses_follow_the_specification() {
        let today = date(2026, 3, 10);
        let s = |due: Date, a: i64, p: i64, skipped: bool| status(today, due, a, p, skipped);
        assert_eq!(s(date(2026, 3, 1), 100, 0, true), Status::Skipped);
        assert_eq!(s(date(2026, 3, 1), 100, 100, false), Status::Paid);
        assert_eq!(
            s(date(2026, 3, 1), 100, 150, false),
            Status::Paid,
            "overpaid is paid"
        );
        assert_eq!(s(date(2026, 3, 1), 100, 40, false), Status::Partial);
        assert_eq!(s(date(2026, 3, 10), 100, 0, false), Status::DueToday);
        assert_eq!(s(date(2026, 3, 13), 100, 0, false), Status::DueSoon);
        assert_eq!(s(date(2026, 3, 14), 100, 0, false), Status::Upcoming);
        assert_eq!(s(date(2026, 3, 9), 100, 0, false), Status::Late);
        assert_eq!(s(date(2026, 2, 28), 100, 0, false), Status::Missed);
    }

    #[test]
    fn an_occurrence_of_nothing_is_paid_and_never_overdue() {
        let today = date(2026, 3, 10);
        for due in [date(2026, 2, 1), date(2026, 3, 1), today, date(2026, 3, 20)] {
            let status = status(today, due, 0, 0, false);
            assert_eq!(status, Status::Paid, "due {due}");
            assert!(!status.is_overdue());
        }
    }

    #[test]
    fn due_soon_crosses_a_month_end() {
        assert_eq!(
            status(date(2026, 1, 30), date(2026, 2, 2), 5, 0, false),
            Status::DueSoon
        );
    }
}
