//! A month's plan: starting money per bucket and income entries, read and
//! saved with their validation.

use std::collections::HashSet;

use jiff::civil::Date;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::first_of;
use crate::bills::error::{BillsError, BillsResult};
use crate::bills::tracker::Bucket;

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
    pub(super) fn of(&self, bucket: Bucket) -> i64 {
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

/// The month's starting money, when the user entered any.
pub(super) fn plan(
    conn: &Connection,
    user_id: i64,
    year: i16,
    month: i8,
) -> BillsResult<Option<Starting>> {
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
