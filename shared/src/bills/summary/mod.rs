//! Monthly planning: starting money per bucket and income entries, and the
//! summary computed from them and the month's tracker totals (never from
//! bill rules of its own).

mod compute;
mod plan;

use jiff::civil::Date;

use super::error::{BillsError, BillsResult};

pub use self::compute::{BucketFigures, Figures, Summary, compute, summary_for};
pub use self::plan::{
    Income, IncomeInput, MAX_INCOME_ENTRIES, MAX_LABEL_CHARS, Starting, StartingInput,
    SummaryInput, income, save,
};

fn first_of(year: i16, month: i8) -> BillsResult<Date> {
    Date::new(year, month, 1).map_err(|_| BillsError::invalid("month", "month is 1 to 12"))
}
