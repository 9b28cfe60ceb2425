//! Exit codes and small output helpers.

use serde::Serialize;

/// Exit codes scripts can rely on.
pub const OK: i32 = 0;
/// A check failed: a service down, an integrity problem, a job not found.
pub const CHECK_FAILED: i32 = 1;
/// Usage or configuration error (clap uses 2 as well).
pub const USAGE: i32 = 2;
/// The database cannot be opened or read.
pub const DATABASE: i32 = 3;

/// Prints a value as pretty JSON.
pub fn json<T: Serialize>(value: &T) -> i32 {
    match serde_json::to_string_pretty(value) {
        Ok(text) => {
            println!("{text}");
            OK
        }
        Err(error) => {
            eprintln!("billtracker: cannot format the answer as JSON: {error}");
            DATABASE
        }
    }
}

/// "3m 20s"-style ages for people.
pub fn age(secs: i64) -> String {
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m {}s", s / 60, s % 60),
        s if s < 86_400 => format!("{}h {}m", s / 3600, (s % 3600) / 60),
        s => format!("{}d {}h", s / 86_400, (s % 86_400) / 3600),
    }
}

/// `value` or a dash.
pub fn or_dash(value: Option<&str>) -> &str {
    value.unwrap_or("-")
}
