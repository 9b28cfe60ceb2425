//! Bills: the recurring obligations of a user, with their validation.
//!
//! The bill record and its input live here; validation, changes, removal
//! and queries each have a module.

mod edit;
mod queries;
mod removal;
mod validation;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::cycle::{Cycle, Schedule};
use super::tracker::Bucket;

pub use self::edit::{create, duplicate, update};
pub use self::queries::{BillFilter, get, list, list_deleted, tracked};
pub use self::removal::{delete, restore};

/// The largest amount a bill or a month override may expect (a billion
/// dollars), which keeps every month total far from overflowing.
pub const MAX_AMOUNT_CENTS: i64 = 100_000_000_000;

/// Whether the expected amount is exact or an estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AmountKind {
    Fixed,
    Variable,
}

impl AmountKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AmountKind::Fixed => "fixed",
            AmountKind::Variable => "variable",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Bill {
    pub id: i64,
    pub name: String,
    pub category_id: Option<i64>,
    pub amount_cents: i64,
    pub amount_kind: AmountKind,
    pub cycle: Cycle,
    pub due_day: Option<u8>,
    #[schema(value_type = String, format = Date)]
    pub anchor_date: Date,
    #[schema(value_type = Option<String>, format = Date)]
    pub end_date: Option<Date>,
    pub bucket: Bucket,
    pub autopay: bool,
    pub reminder_days: Option<i64>,
    pub website: Option<String>,
    pub account_note: Option<String>,
    pub notes: Option<String>,
    pub active: bool,
    pub created_at: String,
    /// The next due date on or after today, when there is one.
    #[schema(value_type = Option<String>, format = Date)]
    pub next_due_date: Option<Date>,
    /// Days left to restore it; only for deleted bills.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_left: Option<i64>,
}

impl Bill {
    pub fn schedule(&self) -> Schedule {
        Schedule {
            cycle: self.cycle,
            due_day: self.due_day,
            anchor: self.anchor_date,
            end: self.end_date,
        }
    }
}

/// A bill to create, or the fields to change (PATCH: absent keeps).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BillInput {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::serde_util::double_option")]
    pub category_id: Option<Option<i64>>,
    pub amount_cents: Option<i64>,
    pub amount_kind: Option<AmountKind>,
    pub cycle: Option<Cycle>,
    #[serde(default, deserialize_with = "crate::serde_util::double_option")]
    pub due_day: Option<Option<i64>>,
    #[schema(value_type = Option<String>, format = Date)]
    pub anchor_date: Option<Date>,
    #[serde(default, deserialize_with = "crate::serde_util::double_option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub end_date: Option<Option<Date>>,
    pub bucket: Option<Bucket>,
    pub autopay: Option<bool>,
    #[serde(default, deserialize_with = "crate::serde_util::double_option")]
    pub reminder_days: Option<Option<i64>>,
    #[serde(default, deserialize_with = "crate::serde_util::double_option")]
    pub website: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::serde_util::double_option")]
    pub account_note: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::serde_util::double_option")]
    pub notes: Option<Option<String>>,
    pub active: Option<bool>,
}
