//! The occurrence engine: which due dates a bill has, for every cycle.
//!
//! One function, [`occurrences`], drives the tracker, the calendar, the
//! feed, reminders and matching. Month-based cycles fall on the due day,
//! clamped to the month's last day; their phase counts from the anchor's
//! month. Weekly and biweekly cycles step from the anchor date. No
//! occurrence falls before the anchor date or after the end date.

use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How often a bill comes due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Cycle {
    Weekly,
    Biweekly,
    Monthly,
    Quarterly,
    Semiannual,
    Annual,
}

impl Cycle {
    pub const ALL: [Cycle; 6] = [
        Cycle::Weekly,
        Cycle::Biweekly,
        Cycle::Monthly,
        Cycle::Quarterly,
        Cycle::Semiannual,
        Cycle::Annual,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Cycle::Weekly => "weekly",
            Cycle::Biweekly => "biweekly",
            Cycle::Monthly => "monthly",
            Cycle::Quarterly => "quarterly",
            Cycle::Semiannual => "semiannual",
            Cycle::Annual => "annual",
        }
    }

    pub fn parse(text: &str) -> Option<Cycle> {
        Cycle::ALL.into_iter().find(|c| c.as_str() == text)
    }

    /// Months between two occurrences of a month-based cycle.
    fn months(self) -> Option<i32> {
        match self {
            Cycle::Weekly | Cycle::Biweekly => None,
            Cycle::Monthly => Some(1),
            Cycle::Quarterly => Some(3),
            Cycle::Semiannual => Some(6),
            Cycle::Annual => Some(12),
        }
    }

    /// Days between two occurrences of a week-based cycle.
    fn days(self) -> Option<i64> {
        match self {
            Cycle::Weekly => Some(7),
            Cycle::Biweekly => Some(14),
            _ => None,
        }
    }

    /// Whether the due day applies (month-based cycles).
    pub fn uses_due_day(self) -> bool {
        self.months().is_some()
    }
}

/// The schedule of a bill: everything the engine needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    pub cycle: Cycle,
    /// Day of month 1..=31 for month-based cycles; the anchor's day when absent.
    pub due_day: Option<u8>,
    /// The first due date; sets the phase.
    pub anchor: Date,
    /// No occurrence after this date.
    pub end: Option<Date>,
}

/// Months since year 0, for phase arithmetic.
fn month_index(date: Date) -> i32 {
    i32::from(date.year()) * 12 + i32::from(date.month()) - 1
}

fn first_of_month(index: i32) -> Option<Date> {
    let year = i16::try_from(index.div_euclid(12)).ok()?;
    let month = i8::try_from(index.rem_euclid(12) + 1).ok()?;
    Date::new(year, month, 1).ok()
}

/// The due day clamped to the month's length.
pub fn clamp_day(year: i16, month: i8, day: u8) -> Option<Date> {
    let first = Date::new(year, month, 1).ok()?;
    let day = i8::try_from(day).ok()?.min(first.days_in_month()).max(1);
    Date::new(year, month, day).ok()
}

/// Every due date of `schedule` from `from` to `to`, both included, in order.
pub fn occurrences(schedule: &Schedule, from: Date, to: Date) -> Vec<Date> {
    let start = from.max(schedule.anchor);
    let end = schedule.end.map_or(to, |e| e.min(to));
    if start > end {
        return Vec::new();
    }

    let mut dates = Vec::new();
    if let Some(step) = schedule.cycle.days() {
        // The first multiple of the step on or after `start`.
        let offset = (start - schedule.anchor).get_days() as i64;
        let mut k = (offset + step - 1).div_euclid(step);
        loop {
            let Ok(date) = schedule.anchor.checked_add((k * step).days()) else {
                break;
            };
            if date > end {
                break;
            }
            dates.push(date);
            k += 1;
        }
        return dates;
    }

    let step = schedule.cycle.months().unwrap_or(1);
    let day = schedule.due_day.unwrap_or(schedule.anchor.day() as u8);
    let anchor_month = month_index(schedule.anchor);
    let first = month_index(start);
    // The first month on or after `start` in phase with the anchor.
    let behind = (first - anchor_month).rem_euclid(step);
    let mut index = if behind == 0 {
        first
    } else {
        first + step - behind
    };
    while index <= month_index(end) {
        let Some(month_start) = first_of_month(index) else {
            break;
        };
        if let Some(date) = clamp_day(month_start.year(), month_start.month(), day)
            && date >= start
            && date <= end
        {
            dates.push(date);
        }
        index += step;
    }
    dates
}

/// Whether `date` is one of the schedule's due dates.
pub fn is_due_on(schedule: &Schedule, date: Date) -> bool {
    !occurrences(schedule, date, date).is_empty()
}

/// Whether two due dates fall in the same period of a cycle: the same
/// month for month-based cycles; for weekly and biweekly ones, `date` is
/// the one date of a schedule within half a cycle of `kept` (3 days either
/// side for weekly; 7 days before to 6 after for biweekly).
pub fn same_period(cycle: Cycle, kept: Date, date: Date) -> bool {
    match cycle.days() {
        Some(step) => {
            let apart = i64::from((date - kept).get_days());
            (-(step / 2)..step - step / 2).contains(&apart)
        }
        None => (kept.year(), kept.month()) == (date.year(), date.month()),
    }
}

/// The occurrences falling in one calendar month.
pub fn in_month(schedule: &Schedule, year: i16, month: i8) -> Vec<Date> {
    let Ok(first) = Date::new(year, month, 1) else {
        return Vec::new();
    };
    occurrences(schedule, first, first.last_of_month())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn monthly(day: u8, anchor: Date) -> Schedule {
        Schedule {
            cycle: Cycle::Monthly,
            due_day: Some(day),
            anchor,
            end: None,
        }
    }

    #[test]
    fn a_bill_due_on_the_31st_falls_on_the_last_day_of_february() {
        let bill = monthly(31, date(2024, 1, 31));
        assert_eq!(
            in_month(&bill, 2024, 2),
            vec![date(2024, 2, 29)],
            "leap year"
        );
        assert_eq!(
            in_month(&bill, 2025, 2),
            vec![date(2025, 2, 28)],
            "common year"
        );
        assert_eq!(in_month(&bill, 2025, 4), vec![date(2025, 4, 30)]);
        assert_eq!(in_month(&bill, 2025, 5), vec![date(2025, 5, 31)]);
    }

    #[test]
    fn a_quarterly_bill_falls_only_in_every_third_month_from_its_anchor() {
        let bill = Schedule {
            cycle: Cycle::Quarterly,
            due_day: Some(15),
            anchor: date(2026, 2, 15),
            end: None,
        };
        let months: Vec<i8> = (1..=12)
            .filter(|m| !in_month(&bill, 2026, *m).is_empty())
            .collect();
        assert_eq!(months, vec![2, 5, 8, 11]);
        assert!(
            in_month(&bill, 2026, 1).is_empty(),
            "nothing before the anchor"
        );
    }

    #[test]
    fn a_weekly_bill_has_five_occurrences_in_some_months() {
        let bill = Schedule {
            cycle: Cycle::Weekly,
            due_day: None,
            anchor: date(2026, 1, 2),
            end: None,
        };
        let january = in_month(&bill, 2026, 1);
        assert_eq!(
            january,
            vec![
                date(2026, 1, 2),
                date(2026, 1, 9),
                date(2026, 1, 16),
                date(2026, 1, 23),
                date(2026, 1, 30)
            ]
        );
        assert_eq!(in_month(&bill, 2026, 2).len(), 4);
    }

    #[test]
    fn nothing_falls_after_the_end_date() {
        let bill = Schedule {
            cycle: Cycle::Monthly,
            due_day: Some(10),
            anchor: date(2026, 1, 10),
            end: Some(date(2026, 3, 9)),
        };
        assert_eq!(
            occurrences(&bill, date(2026, 1, 1), date(2026, 12, 31)),
            vec![date(2026, 1, 10), date(2026, 2, 10)]
        );
    }

    #[test]
    fn an_annual_bill_anchored_on_february_29th_clamps_in_common_years() {
        let bill = Schedule {
            cycle: Cycle::Annual,
            due_day: None,
            anchor: date(2024, 2, 29),
            end: None,
        };
        assert_eq!(
            occurrences(&bill, date(2024, 1, 1), date(2028, 12, 31)),
            vec![
                date(2024, 2, 29),
                date(2025, 2, 28),
                date(2026, 2, 28),
                date(2027, 2, 28),
                date(2028, 2, 29)
            ]
        );
    }

    fn any_schedule() -> impl Strategy<Value = Schedule> {
        (
            0usize..6,
            1u8..=31,
            0i32..3000,
            proptest::option::of(0i32..2000),
        )
            .prop_map(|(cycle, day, offset, end)| {
                let anchor = date(2020, 1, 1).checked_add(offset.days()).unwrap();
                Schedule {
                    cycle: Cycle::ALL[cycle],
                    due_day: Some(day),
                    anchor,
                    end: end.map(|e| anchor.checked_add(e.days()).unwrap()),
                }
            })
    }

    proptest! {
        #[test]
        fn months_partition_a_range_without_losing_or_doubling(schedule in any_schedule(), start in 0i32..3000, span in 1i32..900) {
            let from = date(2020, 1, 1).checked_add(start.days()).unwrap();
            let to = from.checked_add(span.days()).unwrap();
            let whole = occurrences(&schedule, from, to);

            let mut by_month = Vec::new();
            let mut cursor = from.first_of_month();
            while cursor <= to {
                let month_from = cursor.max(from);
                let month_to = cursor.last_of_month().min(to);
                by_month.extend(occurrences(&schedule, month_from, month_to));
                cursor = cursor.checked_add(1.month()).unwrap();
            }
            prop_assert_eq!(&by_month, &whole);

            for pair in whole.windows(2) {
                prop_assert!(pair[0] < pair[1], "strictly increasing, no doubles");
            }
            for d in &whole {
                prop_assert!(*d >= schedule.anchor && *d >= from && *d <= to);
                prop_assert!(schedule.end.is_none_or(|e| *d <= e));
            }
        }

        #[test]
        fn month_based_bills_fall_on_their_day_or_the_months_last_day(schedule in any_schedule(), year in 2020i16..2030, month in 1i8..=12) {
            for d in in_month(&schedule, year, month) {
                prop_assert_eq!((d.year(), d.month()), (year, month));
                if schedule.cycle.uses_due_day() {
                    let wanted = schedule.due_day.unwrap() as i8;
                    prop_assert_eq!(d.day(), wanted.min(d.days_in_month()));
                    prop_assert!(in_month(&schedule, year, month).len() == 1);
                }
            }
        }

        #[test]
        fn week_based_bills_keep_their_step(schedule in any_schedule()) {
            if let Some(step) = schedule.cycle.days() {
                let dates = occurrences(&schedule, schedule.anchor, schedule.anchor.checked_add(400.days()).unwrap());
                for pair in dates.windows(2) {
                    prop_assert_eq!((pair[1] - pair[0]).get_days() as i64, step);
                }
            }
        }

        #[test]
        fn month_based_dates_are_exactly_their_step_in_months_apart(schedule in any_schedule(), start in 0i32..3000, span in 1i32..2000) {
            let Some(months) = independent::step_months(schedule.cycle) else { return Ok(()) };
            let from = date(2020, 1, 1).checked_add(start.days()).unwrap();
            let to = from.checked_add(span.days()).unwrap();
            let dates = occurrences(&schedule, from, to);
            for pair in dates.windows(2) {
                prop_assert_eq!(
                    independent::month_number(pair[1]) - independent::month_number(pair[0]),
                    months,
                    "{} then {}", pair[0], pair[1]
                );
            }
        }

        #[test]
        fn week_based_dates_are_exactly_seven_or_fourteen_days_apart(schedule in any_schedule(), start in 0i32..3000, span in 1i32..900) {
            let Some(days) = independent::step_days(schedule.cycle) else { return Ok(()) };
            let from = date(2020, 1, 1).checked_add(start.days()).unwrap();
            let to = from.checked_add(span.days()).unwrap();
            let dates = occurrences(&schedule, from, to);
            for pair in dates.windows(2) {
                prop_assert_eq!(independent::day_number(pair[1]) - independent::day_number(pair[0]), days);
            }
        }

        #[test]
        fn a_range_holds_exactly_the_days_an_independent_scan_finds(schedule in any_schedule(), start in 0i32..3000, span in 0i32..900) {
            let from = date(2020, 1, 1).checked_add(start.days()).unwrap();
            let to = from.checked_add(span.days()).unwrap();
            let dates = occurrences(&schedule, from, to);
            let expected = independent::scan(&schedule, from, to);
            prop_assert_eq!(dates.len(), expected.len());
            prop_assert_eq!(dates, expected);
        }

        #[test]
        fn the_first_date_is_within_one_step_of_the_anchor(schedule in any_schedule()) {
            let schedule = Schedule { end: None, ..schedule };
            let horizon = schedule.anchor.checked_add(400.days()).unwrap();
            let first = occurrences(&schedule, date(2019, 1, 1), horizon)[0];
            prop_assert!(first >= schedule.anchor);
            match independent::step_months(schedule.cycle) {
                Some(months) => prop_assert!(
                    independent::month_number(first) - independent::month_number(schedule.anchor) <= months
                ),
                None => prop_assert_eq!(first, schedule.anchor, "weeks step from the anchor"),
            }
        }

        #[test]
        fn a_first_due_date_on_the_due_day_is_the_first_date(schedule in any_schedule()) {
            // The due day that bill validation keeps: the anchor's own day.
            let schedule = Schedule { due_day: Some(schedule.anchor.day() as u8), ..schedule };
            let first = occurrences(&schedule, date(2019, 1, 1), schedule.anchor);
            prop_assert_eq!(first, vec![schedule.anchor]);
        }

        #[test]
        fn no_date_falls_after_the_end_date(schedule in any_schedule(), span in 0i32..3000) {
            let to = schedule.anchor.checked_add(span.days()).unwrap();
            for d in occurrences(&schedule, date(2019, 1, 1), to) {
                prop_assert!(schedule.end.is_none_or(|end| d <= end), "{} after {:?}", d, schedule.end);
            }
        }
    }

    /// The arithmetic the properties check the engine against, written
    /// apart from it: day and month numbers, and a scan of every day.
    mod independent {
        use super::{Cycle, Schedule};
        use jiff::civil::Date;

        pub fn step_months(cycle: Cycle) -> Option<i32> {
            match cycle {
                Cycle::Monthly => Some(1),
                Cycle::Quarterly => Some(3),
                Cycle::Semiannual => Some(6),
                Cycle::Annual => Some(12),
                Cycle::Weekly | Cycle::Biweekly => None,
            }
        }

        pub fn step_days(cycle: Cycle) -> Option<i32> {
            match cycle {
                Cycle::Weekly => Some(7),
                Cycle::Biweekly => Some(14),
                _ => None,
            }
        }

        /// year * 12 + month.
        pub fn month_number(date: Date) -> i32 {
            i32::from(date.year()) * 12 + i32::from(date.month())
        }

        fn leap(year: i32) -> bool {
            (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        }

        fn month_length(year: i32, month: i32) -> i32 {
            match month {
                2 if leap(year) => 29,
                2 => 28,
                4 | 6 | 9 | 11 => 30,
                _ => 31,
            }
        }

        /// Days since 2000-01-01, counted month by month.
        pub fn day_number(date: Date) -> i32 {
            let (year, month) = (i32::from(date.year()), i32::from(date.month()));
            let years: i32 = (2000..year).map(|y| if leap(y) { 366 } else { 365 }).sum();
            let months: i32 = (1..month).map(|m| month_length(year, m)).sum();
            years + months + i32::from(date.day()) - 1
        }

        /// Whether `day` is due, decided for that day alone.
        fn due_on(schedule: &Schedule, day: Date) -> bool {
            if day < schedule.anchor || schedule.end.is_some_and(|end| day > end) {
                return false;
            }
            if let Some(step) = step_days(schedule.cycle) {
                return (day_number(day) - day_number(schedule.anchor)) % step == 0;
            }
            let step = step_months(schedule.cycle).unwrap();
            let wanted = i32::from(schedule.due_day.unwrap_or(schedule.anchor.day() as u8));
            let length = month_length(i32::from(day.year()), i32::from(day.month()));
            (month_number(day) - month_number(schedule.anchor)) % step == 0
                && i32::from(day.day()) == wanted.min(length)
        }

        /// Every due day in `[from, to]`, one day at a time.
        pub fn scan(schedule: &Schedule, from: Date, to: Date) -> Vec<Date> {
            let mut days = Vec::new();
            let mut day = from;
            while day <= to {
                if due_on(schedule, day) {
                    days.push(day);
                }
                day = day.tomorrow().unwrap();
            }
            days
        }
    }
}
