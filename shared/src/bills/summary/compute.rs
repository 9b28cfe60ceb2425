//! The month's computation: bucket and month figures, the previous month's
//! leftover and what is safe to spend.

use jiff::ToSpan;
use jiff::civil::Date;
use rusqlite::Connection;
use serde::Serialize;
use utoipa::ToSchema;

use super::first_of;
use super::plan::{Income, Starting, income, plan};
use crate::bills::error::{BillsError, BillsResult};
use crate::bills::tracker::{Bucket, Tracker};
use crate::bills::tracker_for;

/// The planning figures of a bucket or of the whole month, in cents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Figures {
    pub starting_cents: i64,
    /// Every income entry, received or not.
    pub income_cents: i64,
    pub income_received_cents: i64,
    /// The tracker's due, paid and remaining totals.
    pub due_cents: i64,
    pub paid_cents: i64,
    pub remaining_cents: i64,
    /// Starting money plus income minus bills due; negative is a shortfall.
    pub left_after_bills_cents: i64,
    pub shortfall: bool,
}

impl Figures {
    fn settle(mut self) -> Self {
        self.left_after_bills_cents = self.starting_cents + self.income_cents - self.due_cents;
        self.shortfall = self.left_after_bills_cents < 0;
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct BucketFigures {
    pub bucket: Bucket,
    pub totals: Figures,
}

/// The summary of one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Summary {
    pub year: i16,
    pub month: i8,
    #[schema(value_type = String, format = Date)]
    pub today: Date,
    pub starting: Starting,
    /// By expected date.
    pub income: Vec<Income>,
    pub buckets: Vec<BucketFigures>,
    pub totals: Figures,
    /// What the previous month had left after bills (a hint); null when that
    /// month has no plan and no income.
    pub previous_month_leftover_cents: Option<i64>,
    /// The earliest income not yet received expected today or later.
    #[schema(value_type = Option<String>, format = Date)]
    pub next_income_on: Option<Date>,
    /// Starting money plus income received, minus paid bills, minus what is
    /// still owed on bills due before the next expected income (all of the
    /// month's when no income is expected).
    pub safe_to_spend_cents: i64,
}

/// Computes the summary from a month's tracker, plan and income.
pub fn compute(
    tracker: &Tracker,
    starting: Starting,
    mut income: Vec<Income>,
    previous_month_leftover_cents: Option<i64>,
) -> Summary {
    let today = tracker.today;
    income.sort_by_key(|i| (i.expected_on, i.id));

    let buckets: Vec<BucketFigures> = tracker
        .buckets
        .iter()
        .map(|view| {
            let entries = income.iter().filter(|i| i.bucket == view.bucket);
            let figures = Figures {
                starting_cents: starting.of(view.bucket),
                income_cents: entries.clone().map(|i| i.amount_cents).sum(),
                income_received_cents: entries.filter(|i| i.received).map(|i| i.amount_cents).sum(),
                due_cents: view.totals.due_cents,
                paid_cents: view.totals.paid_cents,
                remaining_cents: view.totals.remaining_cents,
                ..Figures::default()
            };
            BucketFigures {
                bucket: view.bucket,
                totals: figures.settle(),
            }
        })
        .collect();
    let totals = buckets
        .iter()
        .fold(Figures::default(), |sum, b| Figures {
            starting_cents: sum.starting_cents + b.totals.starting_cents,
            income_cents: sum.income_cents + b.totals.income_cents,
            income_received_cents: sum.income_received_cents + b.totals.income_received_cents,
            due_cents: sum.due_cents + b.totals.due_cents,
            paid_cents: sum.paid_cents + b.totals.paid_cents,
            remaining_cents: sum.remaining_cents + b.totals.remaining_cents,
            ..Figures::default()
        })
        .settle();

    let next_income_on = income
        .iter()
        .filter(|i| !i.received && i.expected_on >= today)
        .map(|i| i.expected_on)
        .min();
    // Bills due on the day the income arrives can be paid from it.
    let owed_before_income: i64 = tracker
        .buckets
        .iter()
        .flat_map(|b| &b.rows)
        .filter(|r| !r.skipped && r.remaining_cents > 0)
        .filter(|r| next_income_on.is_none_or(|next| r.due_date < next))
        .map(|r| r.remaining_cents)
        .sum();

    Summary {
        year: tracker.year,
        month: tracker.month,
        today,
        starting,
        income,
        buckets,
        safe_to_spend_cents: totals.starting_cents + totals.income_received_cents
            - totals.paid_cents
            - owed_before_income,
        totals,
        previous_month_leftover_cents,
        next_income_on,
    }
}

/// The summary of a month of the user's.
pub fn summary_for(
    conn: &Connection,
    user_id: i64,
    year: i16,
    month: i8,
    today: Date,
) -> BillsResult<Summary> {
    let first = first_of(year, month)?;
    let tracker = tracker_for(conn, user_id, year, month, today)?;
    let starting = plan(conn, user_id, year, month)?.unwrap_or_default();
    let entries = income(conn, user_id, year, month)?;

    let previous = first
        .checked_sub(1.month())
        .map_err(|_| BillsError::invalid("year", "year is out of range"))?;
    let (py, pm) = (previous.year(), previous.month());
    let previous_plan = plan(conn, user_id, py, pm)?;
    let previous_income = income(conn, user_id, py, pm)?;
    let leftover = if previous_plan.is_none() && previous_income.is_empty() {
        None
    } else {
        let previous_tracker = tracker_for(conn, user_id, py, pm, today)?;
        let previous = compute(
            &previous_tracker,
            previous_plan.unwrap_or_default(),
            previous_income,
            None,
        );
        Some(previous.totals.left_after_bills_cents)
    };

    Ok(compute(&tracker, starting, entries, leftover))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bills::cycle::{Cycle, Schedule};
    use crate::bills::tracker::{self, Override, Overrides, PaidByOccurrence, TrackedBill};
    use jiff::civil::date;

    fn monthly(id: i64, name: &str, cents: i64, day: u8, bucket: Bucket) -> TrackedBill {
        TrackedBill {
            id,
            name: name.into(),
            category_id: None,
            amount_cents: cents,
            bucket,
            autopay: false,
            schedule: Schedule {
                cycle: Cycle::Monthly,
                due_day: Some(day),
                anchor: date(2026, 1, 1),
                end: None,
            },
            inactive_from: None,
        }
    }

    fn entry(id: i64, cents: i64, on: Date, received: bool, bucket: Bucket) -> Income {
        Income {
            id,
            label: format!("income {id}"),
            amount_cents: cents,
            expected_on: on,
            received,
            bucket,
        }
    }

    /// March 2026 seen on the 10th: rent paid, phone partly paid, power
    /// late, insurance skipped, car and gym still to come.
    fn march(today: Date) -> Tracker {
        let bills = vec![
            monthly(1, "Rent", 120_000, 1, Bucket::First),
            monthly(2, "Phone", 5_000, 5, Bucket::First),
            monthly(3, "Power", 9_000, 3, Bucket::First),
            monthly(4, "Insurance", 20_000, 12, Bucket::First),
            monthly(5, "Car", 30_000, 20, Bucket::Fifteenth),
            monthly(6, "Gym", 3_000, 28, Bucket::Other),
        ];
        let mut paid = PaidByOccurrence::new();
        paid.insert((1, date(2026, 3, 1)), (120_000, 1));
        paid.insert((2, date(2026, 3, 5)), (2_000, 1));
        let mut overrides = Overrides::new();
        overrides.insert(
            (4, date(2026, 3, 12)),
            Override {
                skipped: Some(true),
                ..Override::default()
            },
        );
        tracker::month(2026, 3, today, &bills, &paid, &overrides).unwrap()
    }

    #[test]
    fn buckets_and_totals_follow_the_tracker_and_the_plan() {
        let tracker = march(date(2026, 3, 10));
        let starting = Starting {
            first: 100_000,
            fifteenth: 0,
            other: 5_000,
        };
        let income = vec![
            entry(1, 50_000, date(2026, 3, 1), true, Bucket::First),
            entry(2, 40_000, date(2026, 3, 15), false, Bucket::Fifteenth),
        ];
        let summary = compute(&tracker, starting, income, Some(-300));

        let first = summary.buckets[0].totals;
        assert_eq!(summary.buckets[0].bucket, Bucket::First);
        assert_eq!(first.starting_cents, 100_000);
        assert_eq!(first.income_cents, 50_000);
        assert_eq!(first.income_received_cents, 50_000);
        assert_eq!(
            first.due_cents,
            120_000 + 5_000 + 9_000,
            "skipped is not due"
        );
        assert_eq!(first.paid_cents, 122_000);
        assert_eq!(first.remaining_cents, 3_000 + 9_000);
        assert_eq!(first.left_after_bills_cents, 150_000 - 134_000);
        assert!(!first.shortfall);

        let fifteenth = summary.buckets[1].totals;
        assert_eq!(fifteenth.left_after_bills_cents, 40_000 - 30_000);
        let other = summary.buckets[2].totals;
        assert_eq!(other.left_after_bills_cents, 5_000 - 3_000);

        let totals = summary.totals;
        assert_eq!(totals.starting_cents, 105_000);
        assert_eq!(totals.income_cents, 90_000);
        assert_eq!(totals.income_received_cents, 50_000);
        assert_eq!(totals.due_cents, tracker.totals.due_cents);
        assert_eq!(totals.paid_cents, tracker.totals.paid_cents);
        assert_eq!(totals.remaining_cents, tracker.totals.remaining_cents);
        assert_eq!(totals.left_after_bills_cents, 195_000 - 167_000);
        assert_eq!(summary.previous_month_leftover_cents, Some(-300));
    }

    #[test]
    fn a_bucket_short_of_money_is_a_shortfall() {
        let tracker = march(date(2026, 3, 10));
        let summary = compute(&tracker, Starting::default(), Vec::new(), None);
        let fifteenth = summary.buckets[1].totals;
        assert_eq!(fifteenth.left_after_bills_cents, -30_000);
        assert!(fifteenth.shortfall);
        assert!(summary.totals.shortfall);
    }

    #[test]
    fn safe_to_spend_keeps_back_only_bills_due_before_the_next_income() {
        let tracker = march(date(2026, 3, 10));
        let starting = Starting {
            first: 100_000,
            ..Starting::default()
        };
        let income = vec![
            entry(1, 50_000, date(2026, 3, 1), true, Bucket::First),
            // Expected before today but not received: not "next".
            entry(2, 7_000, date(2026, 3, 8), false, Bucket::First),
            entry(3, 40_000, date(2026, 3, 20), false, Bucket::Fifteenth),
        ];
        let summary = compute(&tracker, starting, income, None);
        assert_eq!(summary.next_income_on, Some(date(2026, 3, 20)));
        // Owed before the 20th: phone 3,000 and power 9,000 (car is due on
        // the 20th itself, gym later, insurance skipped).
        assert_eq!(
            summary.safe_to_spend_cents,
            100_000 + 50_000 - 122_000 - 12_000
        );
    }

    #[test]
    fn without_expected_income_safe_to_spend_keeps_back_the_whole_month() {
        let tracker = march(date(2026, 3, 25));
        let income = vec![entry(1, 40_000, date(2026, 3, 20), false, Bucket::First)];
        let summary = compute(
            &tracker,
            Starting {
                first: 200_000,
                ..Starting::default()
            },
            income,
            None,
        );
        assert_eq!(summary.next_income_on, None, "the 20th has passed");
        assert_eq!(
            summary.safe_to_spend_cents,
            200_000 - 122_000 - tracker.totals.remaining_cents
        );
    }
}
