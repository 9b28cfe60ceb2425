//! The feed's calendar as RFC 5545 text: CRLF line endings, lines folded
//! at 75 octets, TEXT values escaped, one all-day event per occurrence.

use jiff::Timestamp;
use jiff::civil::Date;

use super::status::Status;
use super::tracker::Row;

/// "USD 1,200.00".
pub fn money(currency: &str, cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    let units = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, digit) in units.chars().enumerate() {
        if i > 0 && (units.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{currency} {sign}{grouped}.{:02}", cents % 100)
}

fn status_label(row: &Row) -> &'static str {
    match row.status {
        Status::Paid if row.overpaid => "overpaid",
        Status::Paid => "paid",
        Status::Partial => "partly paid",
        Status::DueToday => "due today",
        Status::DueSoon => "due soon",
        Status::Upcoming => "upcoming",
        Status::Late => "late",
        Status::Missed => "missed",
        Status::Skipped => "skipped",
    }
}

/// The event title: "Rent · USD 1,200.00 · due soon".
pub fn summary_line(row: &Row, currency: &str) -> String {
    format!(
        "{} · {} · {}",
        row.name,
        money(currency, row.amount_due_cents),
        status_label(row)
    )
}

fn description(row: &Row, currency: &str) -> String {
    let mut lines = vec![format!(
        "Remaining: {} of {}",
        money(currency, row.remaining_cents),
        money(currency, row.amount_due_cents)
    )];
    if row.paid_cents > 0 {
        lines.push(format!("Paid so far: {}", money(currency, row.paid_cents)));
    }
    if row.autopay {
        lines.push("Paid by autopay.".into());
    }
    if let Some(note) = row.month_override.as_ref().and_then(|o| o.note.as_deref()) {
        lines.push(format!("Note: {note}"));
    }
    lines.push("Record payments in BillTracker; this calendar follows them.".into());
    lines.join("\n")
}

/// RFC 5545 content lines: CRLF endings, folded at 75 octets.
#[derive(Default)]
struct Lines(String);

impl Lines {
    /// Appends one content line, folding it so that no line (CRLF
    /// excluded) has more than 75 octets and no character is split.
    fn line(&mut self, content: &str) {
        let mut width = 0;
        for c in content.chars() {
            if width + c.len_utf8() > 75 {
                self.0.push_str("\r\n ");
                width = 1;
            }
            self.0.push(c);
            width += c.len_utf8();
        }
        self.0.push_str("\r\n");
    }

    /// A property with a TEXT value.
    fn text(&mut self, name: &str, value: &str) {
        self.line(&format!("{name}:{}", escape_text(value)));
    }
}

/// Escapes a TEXT value (RFC 5545 3.3.11); other control characters go.
fn escape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn ical_date(date: Date) -> String {
    date.strftime("%Y%m%d").to_string()
}

/// The stable UID of an occurrence's event.
pub fn uid(bill_id: i64, due_date: Date) -> String {
    format!("bill-{bill_id}-{due_date}@billtracker")
}

/// Renders the calendar: one all-day event per row.
pub fn render(rows: &[Row], name: &str, currency: &str, now: Timestamp) -> String {
    let mut out = Lines::default();
    let stamp = now.strftime("%Y%m%dT%H%M%SZ").to_string();
    out.line("BEGIN:VCALENDAR");
    out.line("VERSION:2.0");
    out.line(&format!(
        "PRODID:-//BillTracker//BillTracker {}//EN",
        crate::VERSION
    ));
    out.line("CALSCALE:GREGORIAN");
    out.line("METHOD:PUBLISH");
    out.text("X-WR-CALNAME", name);
    out.text("X-WR-CALDESC", "Bills due, from BillTracker");
    out.line("REFRESH-INTERVAL;VALUE=DURATION:PT1H");
    out.line("X-PUBLISHED-TTL:PT1H");
    for row in rows {
        let next_day = row.due_date.tomorrow().unwrap_or(row.due_date);
        out.line("BEGIN:VEVENT");
        out.text("UID", &uid(row.bill_id, row.due_date));
        out.line(&format!("DTSTAMP:{stamp}"));
        out.line(&format!("DTSTART;VALUE=DATE:{}", ical_date(row.due_date)));
        out.line(&format!("DTEND;VALUE=DATE:{}", ical_date(next_day)));
        out.text("SUMMARY", &summary_line(row, currency));
        out.text("DESCRIPTION", &description(row, currency));
        out.line("TRANSP:TRANSPARENT");
        out.line("END:VEVENT");
    }
    out.line("END:VCALENDAR");
    out.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bills::tracker::{Bucket, Override};
    use jiff::civil::date;

    fn row(name: &str, due: Date, amount: i64, paid: i64, status: Status) -> Row {
        Row {
            bill_id: 7,
            name: name.into(),
            category_id: None,
            due_date: due,
            bucket: Bucket::First,
            amount_due_cents: amount,
            expected_cents: amount,
            paid_cents: paid,
            remaining_cents: (amount - paid).max(0),
            status,
            overpaid: false,
            autopay: false,
            skipped: false,
            payment_count: i64::from(paid > 0),
            month_override: None,
            autopay_payment_id: None,
            autopay_failed: false,
        }
    }

    #[test]
    fn money_has_the_currency_and_thousands_separators() {
        assert_eq!(money("USD", 120_000), "USD 1,200.00");
        assert_eq!(money("EUR", 5), "EUR 0.05");
        assert_eq!(money("USD", 12_345_678_901), "USD 123,456,789.01");
        assert_eq!(money("USD", 99_999), "USD 999.99");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape_text("a,b;c\\d\ne\r"), "a\\,b\\;c\\\\d\\ne");
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let mut lines = Lines::default();
        let long = format!("SUMMARY:{}", "€".repeat(60));
        lines.line(&long);
        for line in lines.0.split_terminator("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
        }
        assert_eq!(lines.0.replace("\r\n ", ""), format!("{long}\r\n"));
        assert!(lines.0.ends_with("\r\n") && !lines.0.contains("\n\n"));
    }

    #[test]
    fn an_occurrence_becomes_an_all_day_event() {
        let mut rent = row(
            "Rent, flat",
            date(2026, 3, 31),
            120_000,
            20_000,
            Status::Partial,
        );
        rent.month_override = Some(Override {
            note: Some("ask; landlord".into()),
            ..Override::default()
        });
        let text = render(
            &[rent],
            "BillTracker",
            "USD",
            "2026-03-10T12:00:00Z".parse().unwrap(),
        );
        assert!(text.contains("\r\nUID:bill-7-2026-03-31@billtracker\r\n"));
        assert!(text.contains("\r\nDTSTAMP:20260310T120000Z\r\n"));
        assert!(text.contains("\r\nDTSTART;VALUE=DATE:20260331\r\n"));
        assert!(text.contains("\r\nDTEND;VALUE=DATE:20260401\r\n"));
        assert!(text.contains("\r\nSUMMARY:Rent\\, flat · USD 1\\,200.00 · partly paid\r\n"));
        let unfolded = text.replace("\r\n ", "");
        assert!(unfolded.contains("Remaining: USD 1\\,000.00 of USD 1\\,200.00\\n"));
        assert!(unfolded.contains("Note: ask\\; landlord"));
        assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        assert_eq!(text.matches('\n').count(), text.matches("\r\n").count());
    }
}
