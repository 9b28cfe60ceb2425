//! Monthly planning: starting money per bucket and income entries, and the
//! summary computed from them and the month's tracker totals (never from
//! bill rules of its own).

use std::collections::HashSet;

use jiff::ToSpan;
use jiff::civil::Date;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{BillsError, BillsResult};
use super::tracker::{Bucket, Tracker};
use super::tracker_for;

/// The most income entries a month may have.
pub const MAX_INCOME_ENTRIES: usize = 50;
/// The longest income label, in characters.
pub const MAX_LABEL_CHARS: usize = 80;
/// The largest amount accepted, in cents (as for bills).
const MAX_CENTS: i64 = 100_000_000_000;

/// Starting money of a month per bucket, in cents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Starting {
    pub first: i64,
    pub fifteenth: i64,
    pub other: i64,
}

impl Starting {
    fn of(&self, bucket: Bucket) -> i64 {
        match bucket {
            Bucket::First => self.first,
            Bucket::Fifteenth => self.fifteenth,
            Bucket::Other => self.other,
        }
    }
}

/// Starting money to change; an absent bucket keeps its value.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartingInput {
    pub first: Option<i64>,
    pub fifteenth: Option<i64>,
    pub other: Option<i64>,
}

/// Money expected (or received) in a month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Income {
    pub id: i64,
    pub label: String,
    pub amount_cents: i64,
    #[schema(value_type = String, format = Date)]
    pub expected_on: Date,
    pub received: bool,
    pub bucket: Bucket,
}

/// An income entry to keep: with the id of one of the month's entries it
/// updates that entry, without an id it creates one.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncomeInput {
    pub id: Option<i64>,
    /// 1 to 80 characters.
    pub label: String,
    pub amount_cents: i64,
    /// A date in the summary's month.
    #[schema(value_type = String, format = Date)]
    pub expected_on: Date,
    #[serde(default)]
    pub received: bool,
    /// Defaults from the expected day: 1 to 14 first, 15 to 31 fifteenth.
    pub bucket: Option<Bucket>,
}

/// A change to a month's plan; each part optional. `income`, when present,
/// replaces the month's list.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SummaryInput {
    pub starting: Option<StartingInput>,
    /// At most 50 entries.
    pub income: Option<Vec<IncomeInput>>,
}

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

fn first_of(year: i16, month: i8) -> BillsResult<Date> {
    Date::new(year, month, 1).map_err(|_| BillsError::invalid("month", "month is 1 to 12"))
}

/// The month's starting money, when the user entered any.
fn plan(conn: &Connection, user_id: i64, year: i16, month: i8) -> BillsResult<Option<Starting>> {
    Ok(conn
        .query_row(
            r#"
            SELECT starting_first_cents, starting_fifteenth_cents, starting_other_cents
            FROM month_plans
            WHERE user_id = ?1 AND year = ?2 AND month = ?3
            "#,
            params![user_id, year, month],
            |r| {
                Ok(Starting {
                    first: r.get(0)?,
                    fifteenth: r.get(1)?,
                    other: r.get(2)?,
                })
            },
        )
        .optional()?)
}

/// The month's income entries, by expected date.
pub fn income(conn: &Connection, user_id: i64, year: i16, month: i8) -> BillsResult<Vec<Income>> {
    let mut stmt = conn.prepare(
        r#"
        SELECT id, label, amount_cents, expected_on, received, bucket
        FROM income_entries
        WHERE user_id = ?1 AND year = ?2 AND month = ?3
        ORDER BY expected_on, id
        "#,
    )?;
    let rows = stmt.query_map(params![user_id, year, month], |r| {
        let expected_on: String = r.get(3)?;
        let bucket: String = r.get(5)?;
        Ok(Income {
            id: r.get(0)?,
            label: r.get(1)?,
            amount_cents: r.get(2)?,
            expected_on: expected_on.parse().unwrap_or(Date::ZERO),
            received: r.get(4)?,
            bucket: Bucket::parse(&bucket).unwrap_or(Bucket::Other),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
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

fn check_cents(field: &'static str, what: &str, cents: i64) -> BillsResult<()> {
    if !(0..=MAX_CENTS).contains(&cents) {
        return Err(BillsError::invalid(
            field,
            format!("{what} must be 0 or more (in cents), at most {MAX_CENTS}"),
        ));
    }
    Ok(())
}

/// An income entry that passed validation.
struct CleanIncome {
    id: Option<i64>,
    label: String,
    amount_cents: i64,
    expected_on: Date,
    received: bool,
    bucket: Bucket,
}

fn clean_income(
    entries: Vec<IncomeInput>,
    existing: &HashSet<i64>,
    first: Date,
) -> BillsResult<Vec<CleanIncome>> {
    if entries.len() > MAX_INCOME_ENTRIES {
        return Err(BillsError::invalid(
            "income",
            format!("a month has at most {MAX_INCOME_ENTRIES} income entries"),
        ));
    }
    let last = first.last_of_month();
    let mut seen = HashSet::new();
    let mut clean = Vec::with_capacity(entries.len());
    for (index, entry) in entries.into_iter().enumerate() {
        let number = index + 1;
        let label = entry.label.trim().to_string();
        if label.is_empty() || label.chars().count() > MAX_LABEL_CHARS {
            return Err(BillsError::invalid(
                "income.label",
                format!("income entry {number}: a label has 1 to {MAX_LABEL_CHARS} characters"),
            ));
        }
        check_cents(
            "income.amount_cents",
            &format!("income entry {number}: the amount"),
            entry.amount_cents,
        )?;
        if entry.expected_on < first || entry.expected_on > last {
            return Err(BillsError::invalid(
                "income.expected_on",
                format!("income entry {number}: the expected date must be from {first} to {last}"),
            ));
        }
        if let Some(id) = entry.id {
            if !existing.contains(&id) {
                return Err(BillsError::NotFound("the income entry"));
            }
            if !seen.insert(id) {
                return Err(BillsError::invalid(
                    "income.id",
                    format!("income entry {number} repeats the id of an earlier entry"),
                ));
            }
        }
        clean.push(CleanIncome {
            id: entry.id,
            bucket: entry
                .bucket
                .unwrap_or_else(|| Bucket::for_day(entry.expected_on.day() as u8)),
            label,
            amount_cents: entry.amount_cents,
            expected_on: entry.expected_on,
            received: entry.received,
        });
    }
    Ok(clean)
}

/// Saves a change to a month's plan. Everything is validated before the
/// first write, so that a refused change leaves the month as it was.
pub fn save(
    tx: &Transaction<'_>,
    user_id: i64,
    year: i16,
    month: i8,
    input: SummaryInput,
) -> BillsResult<()> {
    let first = first_of(year, month)?;
    if let Some(starting) = &input.starting {
        for (field, value) in [
            ("starting.first", starting.first),
            ("starting.fifteenth", starting.fifteenth),
            ("starting.other", starting.other),
        ] {
            if let Some(cents) = value {
                check_cents(field, "starting money", cents)?;
            }
        }
    }
    let existing: HashSet<i64> = income(tx, user_id, year, month)?
        .into_iter()
        .map(|i| i.id)
        .collect();
    let entries = match input.income {
        Some(entries) => Some(clean_income(entries, &existing, first)?),
        None => None,
    };

    if let Some(starting) = input.starting {
        tx.execute(
            r#"
            INSERT INTO month_plans
                (user_id, year, month, starting_first_cents, starting_fifteenth_cents, starting_other_cents)
            VALUES (?1, ?2, ?3, coalesce(?4, 0), coalesce(?5, 0), coalesce(?6, 0))
            ON CONFLICT (user_id, year, month) DO UPDATE SET
                starting_first_cents = coalesce(?4, starting_first_cents),
                starting_fifteenth_cents = coalesce(?5, starting_fifteenth_cents),
                starting_other_cents = coalesce(?6, starting_other_cents)
            "#,
            params![
                user_id,
                year,
                month,
                starting.first,
                starting.fifteenth,
                starting.other
            ],
        )?;
    }

    let Some(entries) = entries else {
        return Ok(());
    };
    let kept: HashSet<i64> = entries.iter().filter_map(|e| e.id).collect();
    for id in existing.difference(&kept) {
        tx.execute(
            "DELETE FROM income_entries WHERE id = ?1 AND user_id = ?2",
            params![id, user_id],
        )?;
    }
    for entry in entries {
        let values = params![
            user_id,
            year,
            month,
            entry.label,
            entry.amount_cents,
            entry.expected_on.to_string(),
            entry.received,
            entry.bucket.as_str(),
            entry.id,
        ];
        if entry.id.is_some() {
            tx.execute(
                r#"
                UPDATE income_entries
                SET label = ?4, amount_cents = ?5, expected_on = ?6, received = ?7, bucket = ?8
                WHERE id = ?9 AND user_id = ?1 AND year = ?2 AND month = ?3
                "#,
                values,
            )?;
        } else {
            tx.execute(
                r#"
                INSERT INTO income_entries
                    (user_id, year, month, label, amount_cents, expected_on, received, bucket)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                "#,
                &values[..8],
            )?;
        }
    }
    Ok(())
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
