//! Payments toward occurrences, month overrides, quick pay and bulk pay.
//!
//! The payment records and their inputs live here; recording, removal,
//! queries, month overrides and paying what is due each have a module.

mod bulk;
mod month_overrides;
mod queries;
mod record;
mod removal;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub(crate) use self::bulk::row_of;
pub use self::bulk::{BulkPaid, occurrence_row, pay_all_due, payable, quick_pay};
pub use self::month_overrides::{clear_override, overrides, set_override};
pub use self::queries::{PaymentFilter, get, list, paid_by_occurrence, records};
pub use self::record::{create, update};
pub use self::removal::{delete_many, delete_of_occurrence, restore_many};

/// How a payment was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
// Read from a string only, so that any other value (a number included) is
// refused naming the field rather than as malformed JSON.
#[serde(try_from = "String")]
pub enum Method {
    #[serde(rename = "bank transfer")]
    BankTransfer,
    #[serde(rename = "card")]
    Card,
    #[serde(rename = "cash")]
    Cash,
    #[serde(rename = "check")]
    Check,
    #[serde(rename = "autopay")]
    Autopay,
    #[serde(rename = "other")]
    Other,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::BankTransfer => "bank transfer",
            Method::Card => "card",
            Method::Cash => "cash",
            Method::Check => "check",
            Method::Autopay => "autopay",
            Method::Other => "other",
        }
    }

    pub const ALL: [Method; 6] = [
        Method::BankTransfer,
        Method::Card,
        Method::Cash,
        Method::Check,
        Method::Autopay,
        Method::Other,
    ];

    fn parse(text: &str) -> Method {
        match text {
            "bank transfer" => Method::BankTransfer,
            "card" => Method::Card,
            "cash" => Method::Cash,
            "check" => Method::Check,
            "autopay" => Method::Autopay,
            _ => Method::Other,
        }
    }
}

impl TryFrom<String> for Method {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Method::ALL
            .into_iter()
            .find(|m| m.as_str() == text)
            .ok_or_else(|| {
                "the method is one of bank transfer, card, cash, check, autopay, other".into()
            })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Manual,
    Autopay,
    Bank,
    Import,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Manual => "manual",
            Source::Autopay => "autopay",
            Source::Bank => "bank",
            Source::Import => "import",
        }
    }

    fn parse(text: &str) -> Source {
        match text {
            "autopay" => Source::Autopay,
            "bank" => Source::Bank,
            "import" => Source::Import,
            _ => Source::Manual,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Payment {
    pub id: i64,
    pub bill_id: i64,
    #[schema(value_type = String, format = Date)]
    pub due_date: Date,
    pub amount_cents: i64,
    #[schema(value_type = String, format = Date)]
    pub paid_on: Date,
    pub method: Method,
    pub note: Option<String>,
    pub source: Source,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_left: Option<i64>,
}

/// A payment to record, or the fields to change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentInput {
    pub bill_id: Option<i64>,
    #[schema(value_type = Option<String>, format = Date)]
    pub due_date: Option<Date>,
    pub amount_cents: Option<i64>,
    #[schema(value_type = Option<String>, format = Date)]
    pub paid_on: Option<Date>,
    pub method: Option<Method>,
    #[serde(default, deserialize_with = "crate::serde_util::double_option")]
    pub note: Option<Option<String>>,
}
