//! Timestamps as stored in the database: RFC 3339 in UTC with millisecond
//! precision, so that they sort as text.

use jiff::Timestamp;

const FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.3fZ";

/// Formats a timestamp the way the database stores it.
pub fn format(ts: Timestamp) -> String {
    ts.strftime(FORMAT).to_string()
}

/// Now, as stored in the database.
pub fn now_text() -> String {
    format(Timestamp::now())
}

/// Parses a stored timestamp; `None` for anything else.
pub fn parse(text: &str) -> Option<Timestamp> {
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_timestamps_sort_as_text_and_round_trip() {
        let a = Timestamp::from_millisecond(1_700_000_000_000).unwrap();
        let b = Timestamp::from_millisecond(1_700_000_000_010).unwrap();
        assert!(format(a) < format(b));
        assert_eq!(parse(&format(b)), Some(b));
        assert_eq!(format(a), "2023-11-14T22:13:20.000Z");
    }
}
