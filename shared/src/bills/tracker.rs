//! The month's tracker: every occurrence with its amount due, paid total,
//! remaining and status, grouped by bucket with subtotals. Computed here
//! once; the API, summary and cards show these figures as they are.

use std::collections::{BTreeSet, HashMap};

use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::cycle::{self, Schedule};
use super::status::{Status, status};

/// Which money pays a bill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    /// Money at the start of the month.
    First,
    /// Mid-month money.
    Fifteenth,
    Other,
}

impl Bucket {
    pub const ALL: [Bucket; 3] = [Bucket::First, Bucket::Fifteenth, Bucket::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            Bucket::First => "first",
            Bucket::Fifteenth => "fifteenth",
            Bucket::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<Bucket> {
        Bucket::ALL.into_iter().find(|b| b.as_str() == text)
    }

    /// Its place in [`Bucket::ALL`].
    fn index(self) -> usize {
        match self {
            Bucket::First => 0,
            Bucket::Fifteenth => 1,
            Bucket::Other => 2,
        }
    }

    /// The default bucket of a due day: 1 to 14 first, 15 to 31 fifteenth.
    pub fn for_day(day: u8) -> Bucket {
        if day < 15 {
            Bucket::First
        } else {
            Bucket::Fifteenth
        }
    }
}

/// What the tracker needs of a bill.
#[derive(Debug, Clone)]
pub struct TrackedBill {
    pub id: i64,
    pub name: String,
    pub category_id: Option<i64>,
    pub amount_cents: i64,
    pub bucket: Bucket,
    pub autopay: bool,
    pub schedule: Schedule,
    /// Occurrences on or after this date are dropped (inactive bill), unless paid.
    pub inactive_from: Option<Date>,
}

/// A month override of one occurrence.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Override {
    pub amount_cents: Option<i64>,
    pub skipped: Option<bool>,
    pub note: Option<String>,
    pub snoozed_until: Option<String>,
}

/// Month totals; the same rules for a bucket and for the month.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Totals {
    /// Amounts due of the occurrences that are not skipped.
    pub due_cents: i64,
    /// Payments toward those occurrences, overpayments included.
    pub paid_cents: i64,
    /// What is still owed, never below zero for one occurrence.
    pub remaining_cents: i64,
    /// Late or missed occurrences, snoozed ones included: snoozing holds
    /// back reminders and the overdue panel, not the status.
    pub overdue_count: i64,
    /// Occurrences (skipped ones included).
    pub occurrence_count: i64,
    pub paid_count: i64,
    pub skipped_count: i64,
}

impl Totals {
    fn add(&mut self, row: &Row) {
        self.occurrence_count += 1;
        if row.skipped {
            self.skipped_count += 1;
            return;
        }
        self.due_cents += row.amount_due_cents;
        self.paid_cents += row.paid_cents;
        self.remaining_cents += row.remaining_cents;
        if row.status.is_overdue() {
            self.overdue_count += 1;
        }
        if row.status == Status::Paid {
            self.paid_count += 1;
        }
    }
}

/// One occurrence in the tracker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Row {
    pub bill_id: i64,
    pub name: String,
    pub category_id: Option<i64>,
    #[schema(value_type = String, format = Date)]
    pub due_date: Date,
    pub bucket: Bucket,
    pub amount_due_cents: i64,
    /// The bill's expected amount, before a month override.
    pub expected_cents: i64,
    pub paid_cents: i64,
    pub remaining_cents: i64,
    pub status: Status,
    pub overpaid: bool,
    pub autopay: bool,
    pub skipped: bool,
    pub payment_count: i64,
    #[serde(rename = "override")]
    pub month_override: Option<Override>,
    /// The live payment the daily run recorded for this occurrence, which the
    /// user can mark as failed (`POST /api/payments/{id}/autopay-failed`).
    pub autopay_payment_id: Option<i64>,
    /// The user marked this occurrence's autopay as failed: the bank did not
    /// pay, and the daily run does not record autopay for it again.
    pub autopay_failed: bool,
}

impl Row {
    /// Adds what `marks` says of this occurrence's autopay.
    pub fn note_autopay(&mut self, marks: &AutopayMarks) {
        let mark = marks
            .get(&(self.bill_id, self.due_date))
            .copied()
            .unwrap_or_default();
        self.autopay_payment_id = mark.payment_id;
        self.autopay_failed = mark.failed;
    }

    /// Snoozed: no reminders and no place in the overdue panel before the
    /// snooze date. The status stays late or missed, and counts as overdue.
    pub fn is_snoozed(&self, today: Date) -> bool {
        self.month_override
            .as_ref()
            .and_then(|o| o.snoozed_until.as_deref())
            .and_then(|until| until.parse::<Date>().ok())
            .is_some_and(|until| today < until)
    }
}

/// One bucket of the tracker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct BucketView {
    pub bucket: Bucket,
    pub totals: Totals,
    pub rows: Vec<Row>,
}

/// The tracker answer of one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Tracker {
    pub year: i16,
    pub month: i8,
    #[schema(value_type = String, format = Date)]
    pub today: Date,
    pub totals: Totals,
    pub buckets: Vec<BucketView>,
}

impl Tracker {
    /// Adds what `marks` says of autopay to every row.
    pub fn note_autopay(&mut self, marks: &AutopayMarks) {
        for row in self.buckets.iter_mut().flat_map(|b| &mut b.rows) {
            row.note_autopay(marks);
        }
    }
}

/// Autopay of one occurrence, as the tracker shows it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AutopayMark {
    /// The live payment recorded by the daily run (source `autopay`).
    pub payment_id: Option<i64>,
    /// The user marked the autopay as failed.
    pub failed: bool,
}

/// Autopay marks per occurrence; an occurrence without one has neither.
pub type AutopayMarks = HashMap<(i64, Date), AutopayMark>;

/// Payments per occurrence: (bill id, due date) → (total cents, count).
pub type PaidByOccurrence = HashMap<(i64, Date), (i64, i64)>;

/// Overrides per occurrence.
pub type Overrides = HashMap<(i64, Date), Override>;

/// The dates of each bill that carry a live payment or a month override.
#[derive(Debug, Clone, Default)]
pub struct Recorded(HashMap<i64, BTreeSet<Date>>);

impl Recorded {
    pub fn new(paid: &PaidByOccurrence, overrides: &Overrides) -> Self {
        let mut by_bill: HashMap<i64, BTreeSet<Date>> = HashMap::new();
        for (bill, date) in paid.keys().chain(overrides.keys()) {
            by_bill.entry(*bill).or_default().insert(*date);
        }
        Recorded(by_bill)
    }

    fn has(&self, bill_id: i64, date: Date) -> bool {
        self.0
            .get(&bill_id)
            .is_some_and(|dates| dates.contains(&date))
    }
}

/// The due dates whose payments and overrides decide which occurrences of
/// `[from, to]` show: whole months, and a week either side for the weekly
/// and biweekly bills. Load payments and overrides over this window.
pub fn record_window(from: Date, to: Date) -> (Date, Date) {
    let from = from.first_of_month();
    let to = to.last_of_month();
    (
        from.checked_sub(7.days()).unwrap_or(from),
        to.checked_add(7.days()).unwrap_or(to),
    )
}

/// The occurrences of `bill` in `[from, to]` that the tracker shows.
///
/// - The schedule's dates.
/// - Kept occurrences: a date the schedule no longer has (the due day,
///   first due date, cycle or end date changed) that carries a live
///   payment or a month override. It stays, so that a payment still counts
///   toward exactly one occurrence.
/// - A kept occurrence stands in for the schedule's date of the same period
///   (the same month for month-based cycles, the nearest date within half a
///   cycle for weekly and biweekly ones), unless that date carries a payment
///   or an override of its own. No month gets a second, unpaid occurrence.
/// - An inactive bill shows nothing from its inactive date on, unless paid.
///
/// `recorded` must cover [`record_window`] of `[from, to]`.
pub fn visible_occurrences(
    bill: &TrackedBill,
    from: Date,
    to: Date,
    paid: &PaidByOccurrence,
    recorded: &Recorded,
) -> Vec<Date> {
    let (window_from, window_to) = record_window(from, to);
    let kept: Vec<Date> = recorded
        .0
        .get(&bill.id)
        .map(|dates| {
            dates
                .range(window_from..=window_to)
                .copied()
                .filter(|date| !cycle::is_due_on(&bill.schedule, *date))
                .collect()
        })
        .unwrap_or_default();
    let replaced = |date: &Date| {
        !recorded.has(bill.id, *date)
            && kept
                .iter()
                .any(|k| cycle::same_period(bill.schedule.cycle, *k, *date))
    };

    let mut dates: Vec<Date> = cycle::occurrences(&bill.schedule, from, to)
        .into_iter()
        .filter(|date| !replaced(date))
        .chain(kept.iter().copied().filter(|d| from <= *d && *d <= to))
        .filter(|date| match bill.inactive_from {
            Some(cutoff) if *date >= cutoff => paid.contains_key(&(bill.id, *date)),
            _ => true,
        })
        .collect();
    dates.sort_unstable();
    dates
}

/// Builds one row.
pub fn row(
    bill: &TrackedBill,
    due: Date,
    today: Date,
    paid: &PaidByOccurrence,
    overrides: &Overrides,
) -> Row {
    let month_override = overrides.get(&(bill.id, due)).cloned();
    let amount_due = month_override
        .as_ref()
        .and_then(|o| o.amount_cents)
        .unwrap_or(bill.amount_cents);
    let skipped = month_override
        .as_ref()
        .and_then(|o| o.skipped)
        .unwrap_or(false);
    let (paid_cents, payment_count) = paid.get(&(bill.id, due)).copied().unwrap_or((0, 0));
    let status = status(today, due, amount_due, paid_cents, skipped);
    Row {
        bill_id: bill.id,
        name: bill.name.clone(),
        category_id: bill.category_id,
        due_date: due,
        bucket: bill.bucket,
        amount_due_cents: amount_due,
        expected_cents: bill.amount_cents,
        paid_cents,
        remaining_cents: if skipped {
            0
        } else {
            (amount_due - paid_cents).max(0)
        },
        status,
        overpaid: !skipped && paid_cents > amount_due,
        autopay: bill.autopay,
        skipped,
        payment_count,
        month_override,
        autopay_payment_id: None,
        autopay_failed: false,
    }
}

/// Computes the tracker of a month. `paid` and `overrides` cover at least
/// the [`record_window`] of the month.
pub fn month(
    year: i16,
    month: i8,
    today: Date,
    bills: &[TrackedBill],
    paid: &PaidByOccurrence,
    overrides: &Overrides,
) -> Option<Tracker> {
    let first = Date::new(year, month, 1).ok()?;
    let last = first.last_of_month();

    let mut buckets = Bucket::ALL.map(|bucket| BucketView {
        bucket,
        totals: Totals::default(),
        rows: Vec::new(),
    });
    let mut totals = Totals::default();
    let recorded = Recorded::new(paid, overrides);

    for bill in bills {
        for due in visible_occurrences(bill, first, last, paid, &recorded) {
            let row = row(bill, due, today, paid, overrides);
            totals.add(&row);
            let view = &mut buckets[bill.bucket.index()];
            view.totals.add(&row);
            view.rows.push(row);
        }
    }
    for view in &mut buckets {
        view.rows.sort_by(|a, b| {
            (a.due_date, &a.name, a.bill_id).cmp(&(b.due_date, &b.name, b.bill_id))
        });
    }

    Some(Tracker {
        year,
        month,
        today,
        totals,
        buckets: buckets.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bills::cycle::Cycle;
    use jiff::civil::date;

    fn bill(
        id: i64,
        name: &str,
        cents: i64,
        cycle: Cycle,
        day: u8,
        anchor: Date,
        bucket: Bucket,
    ) -> TrackedBill {
        TrackedBill {
            id,
            name: name.into(),
            category_id: None,
            amount_cents: cents,
            bucket,
            autopay: false,
            schedule: Schedule {
                cycle,
                due_day: Some(day),
                anchor,
                end: None,
            },
            inactive_from: None,
        }
    }

    /// The fixed data set of the month tests.
    fn fixed_bills() -> Vec<TrackedBill> {
        let jan = date(2026, 1, 1);
        vec![
            bill(1, "Rent", 120_000, Cycle::Monthly, 1, jan, Bucket::First),
            bill(2, "Phone", 5_000, Cycle::Monthly, 5, jan, Bucket::First),
            bill(3, "Power", 9_000, Cycle::Monthly, 3, jan, Bucket::First),
            bill(4, "Gym", 3_000, Cycle::Monthly, 8, jan, Bucket::First),
            bill(
                5,
                "Water",
                4_000,
                Cycle::Quarterly,
                20,
                date(2026, 3, 20),
                Bucket::Fifteenth,
            ),
            bill(
                6,
                "Insurance",
                20_000,
                Cycle::Quarterly,
                20,
                date(2026, 1, 20),
                Bucket::Fifteenth,
            ),
            bill(
                7,
                "Lunch money",
                1_000,
                Cycle::Weekly,
                1,
                date(2026, 3, 2),
                Bucket::Other,
            ),
            bill(8, "Car", 30_000, Cycle::Monthly, 31, jan, Bucket::Fifteenth),
            bill(9, "Internet", 6_000, Cycle::Monthly, 10, jan, Bucket::First),
            bill(
                10,
                "Streaming",
                1_500,
                Cycle::Monthly,
                12,
                jan,
                Bucket::First,
            ),
            bill(11, "Daycare", 50_000, Cycle::Monthly, 2, jan, Bucket::First),
        ]
    }

    fn find(tracker: &Tracker, id: i64) -> Row {
        tracker
            .buckets
            .iter()
            .flat_map(|b| &b.rows)
            .find(|r| r.bill_id == id)
            .unwrap_or_else(|| panic!("bill {id} in {tracker:?}"))
            .clone()
    }

    /// The fixed data set and a fixed today (2026-03-10).
    #[test]
    fn totals_and_statuses_of_a_fixed_month() {
        let today = date(2026, 3, 10);
        let bills = fixed_bills();
        let mut paid = PaidByOccurrence::new();
        paid.insert((1, date(2026, 3, 1)), (120_000, 1)); // paid
        paid.insert((2, date(2026, 3, 5)), (2_000, 1)); // partial
        paid.insert((4, date(2026, 3, 8)), (3_500, 2)); // overpaid
        paid.insert((7, date(2026, 3, 2)), (1_000, 1)); // one week paid
        let mut overrides = Overrides::new();
        overrides.insert(
            (11, date(2026, 3, 2)),
            Override {
                skipped: Some(true),
                ..Override::default()
            },
        );
        overrides.insert(
            (10, date(2026, 3, 12)),
            Override {
                amount_cents: Some(2_000),
                ..Override::default()
            },
        );

        let tracker = month(2026, 3, today, &bills, &paid, &overrides).unwrap();
        let find = |id: i64| find(&tracker, id);
        assert_eq!(find(1).status, Status::Paid);
        assert_eq!(find(2).status, Status::Partial);
        assert_eq!(find(2).remaining_cents, 3_000);
        assert_eq!(find(3).status, Status::Late);
        assert_eq!(find(4).status, Status::Paid);
        assert!(find(4).overpaid);
        assert_eq!(find(4).remaining_cents, 0);
        assert_eq!(
            find(5).status,
            Status::Upcoming,
            "first quarter falls in March"
        );
        assert!(
            tracker
                .buckets
                .iter()
                .flat_map(|b| &b.rows)
                .all(|r| r.bill_id != 6),
            "quarterly from January skips March"
        );
        assert_eq!(find(8).due_date, date(2026, 3, 31));
        assert_eq!(find(9).status, Status::DueToday);
        assert_eq!(find(10).status, Status::DueSoon);
        assert_eq!(find(10).amount_due_cents, 2_000, "month override");
        assert_eq!(find(11).status, Status::Skipped);
        let weekly: Vec<_> = tracker
            .buckets
            .iter()
            .flat_map(|b| &b.rows)
            .filter(|r| r.bill_id == 7)
            .collect();
        assert_eq!(
            weekly.len(),
            5,
            "a weekly bill with five occurrences in March 2026"
        );

        // Due: everything not skipped.
        let due = 120_000 + 5_000 + 9_000 + 3_000 + 4_000 + 5 * 1_000 + 30_000 + 6_000 + 2_000;
        let paid_total = 120_000 + 2_000 + 3_500 + 1_000;
        let remaining = 3_000 + 9_000 + 4_000 + 4 * 1_000 + 30_000 + 6_000 + 2_000;
        assert_eq!(tracker.totals.due_cents, due);
        assert_eq!(tracker.totals.paid_cents, paid_total);
        assert_eq!(tracker.totals.remaining_cents, remaining);
        // Late: power (3rd) and the weekly of the 9th.
        assert_eq!(tracker.totals.overdue_count, 2);
        let first = &tracker.buckets[0];
        assert_eq!(first.bucket, Bucket::First);
        assert_eq!(
            first.totals.due_cents,
            120_000 + 5_000 + 9_000 + 3_000 + 6_000 + 2_000
        );
    }

    #[test]
    fn a_bill_due_on_the_31st_falls_on_the_last_day_of_february() {
        let bills = fixed_bills();
        let none = (PaidByOccurrence::new(), Overrides::new());

        let common = month(2026, 2, date(2026, 3, 10), &bills, &none.0, &none.1).unwrap();
        let car = find(&common, 8);
        assert_eq!(car.due_date, date(2026, 2, 28));
        assert_eq!(car.status, Status::Missed, "February has ended");
        assert_eq!(car.bucket, Bucket::Fifteenth);
        assert_eq!(
            common.buckets[1]
                .rows
                .iter()
                .filter(|r| r.bill_id == 8)
                .count(),
            1,
            "once, not also on March 3rd"
        );

        let leap = month(2028, 2, date(2028, 2, 10), &bills, &none.0, &none.1).unwrap();
        let car = find(&leap, 8);
        assert_eq!(car.due_date, date(2028, 2, 29));
        assert_eq!(car.status, Status::Upcoming);
        assert_eq!(find(&leap, 1).due_date, date(2028, 2, 1));
    }

    #[test]
    fn a_snoozed_late_occurrence_stays_late_and_counts_as_overdue() {
        let today = date(2026, 3, 10);
        let bills = vec![bill(
            1,
            "Power",
            9_000,
            Cycle::Monthly,
            3,
            date(2026, 1, 3),
            Bucket::First,
        )];
        let mut overrides = Overrides::new();
        overrides.insert(
            (1, date(2026, 3, 3)),
            Override {
                snoozed_until: Some("2026-03-20".into()),
                ..Override::default()
            },
        );
        let snoozed = month(2026, 3, today, &bills, &PaidByOccurrence::new(), &overrides).unwrap();

        let row = &snoozed.buckets[0].rows[0];
        assert!(row.is_snoozed(today));
        assert_eq!(row.status, Status::Late);
        let late_rows = snoozed
            .buckets
            .iter()
            .flat_map(|b| &b.rows)
            .filter(|r| r.status.is_overdue())
            .count() as i64;
        assert_eq!(
            snoozed.totals.overdue_count, late_rows,
            "count follows status"
        );
        assert_eq!(snoozed.totals.overdue_count, 1);
        assert_eq!(snoozed.buckets[0].totals.overdue_count, 1);
        assert_eq!(snoozed.totals.remaining_cents, 9_000, "snoozed, still owed");
    }

    #[test]
    fn an_occurrence_of_nothing_counts_as_paid_not_overdue() {
        let bills = vec![bill(
            1,
            "Free tier",
            0,
            Cycle::Monthly,
            1,
            date(2026, 1, 1),
            Bucket::First,
        )];
        let tracker = month(
            2026,
            3,
            date(2026, 3, 10),
            &bills,
            &PaidByOccurrence::new(),
            &Overrides::new(),
        )
        .unwrap();
        assert_eq!(find(&tracker, 1).status, Status::Paid);
        assert_eq!(tracker.totals.overdue_count, 0);
        assert_eq!(tracker.totals.paid_count, 1);
        assert_eq!(tracker.totals.remaining_cents, 0);

        let mut paid = PaidByOccurrence::new();
        paid.insert((1, date(2026, 3, 1)), (100, 1));
        let tipped = month(2026, 3, date(2026, 3, 10), &bills, &paid, &Overrides::new()).unwrap();
        assert!(find(&tipped, 1).overpaid, "P > A is shown as overpaid");
    }

    #[test]
    fn an_unpaid_occurrence_of_an_ended_month_is_missed() {
        let bills = vec![bill(
            1,
            "Rent",
            100,
            Cycle::Monthly,
            28,
            date(2026, 1, 1),
            Bucket::Fifteenth,
        )];
        let tracker = month(
            2026,
            2,
            date(2026, 3, 1),
            &bills,
            &PaidByOccurrence::new(),
            &Overrides::new(),
        )
        .unwrap();
        assert_eq!(tracker.buckets[1].rows[0].status, Status::Missed);
        assert_eq!(tracker.totals.overdue_count, 1);
    }

    #[test]
    fn an_inactive_bill_keeps_its_paid_history_only() {
        let mut b = bill(
            1,
            "Old",
            100,
            Cycle::Monthly,
            5,
            date(2026, 1, 1),
            Bucket::First,
        );
        b.inactive_from = Some(date(2026, 2, 1));
        let mut paid = PaidByOccurrence::new();
        paid.insert((1, date(2026, 2, 5)), (100, 1));
        let t = |m| {
            month(
                2026,
                m,
                date(2026, 6, 1),
                std::slice::from_ref(&b),
                &paid,
                &Overrides::new(),
            )
            .unwrap()
        };
        assert_eq!(t(1).totals.occurrence_count, 1);
        assert_eq!(t(2).totals.occurrence_count, 1, "paid occurrence stays");
        assert_eq!(t(3).totals.occurrence_count, 0);
    }
}
