//! The text of `billtracker status`: every area of the Status report, in
//! the order of the Status page, for a terminal.

use std::fmt::Write as _;

use billtracker::status::Report;

use crate::output::{age, or_dash};

/// The whole report as lines of text.
pub(crate) fn render(report: &Report) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = write_report(&mut out, report);
    out
}

fn write_report(out: &mut String, report: &Report) -> std::fmt::Result {
    let app = &report.application;
    writeln!(
        out,
        "BillTracker {} (commit {})",
        report.version,
        or_dash(app.commit)
    )?;
    writeln!(
        out,
        "schema: version {} (this binary knows {})",
        report.schema.database, report.schema.binary
    )?;
    writeln!(
        out,
        "application: {} environment, time zone {}, web up for {}, encryption key from {}",
        app.environment,
        app.time_zone,
        app.web_uptime_secs.map_or_else(|| "-".to_string(), age),
        app.encryption_key_source.replace('_', " ")
    )?;

    writeln!(out)?;
    writeln!(
        out,
        "{:<12} {:<6} {:<9} {:<10} {:<26} current job",
        "SERVICE", "STATE", "INSTANCES", "VERSION", "LAST SEEN"
    )?;
    for service in &report.services {
        writeln!(
            out,
            "{:<12} {:<6} {:<9} {:<10} {:<26} {}",
            service.service.as_str(),
            service.state.as_str(),
            service.instances_up,
            or_dash(service.version.as_deref()),
            or_dash(service.last_seen_at.as_deref()),
            or_dash(service.current_job.as_deref()),
        )?;
    }

    writeln!(out)?;
    let db = &report.database;
    writeln!(
        out,
        "database: {}, schema version {}, size {}, WAL {}",
        if db.reachable {
            "reachable"
        } else {
            "UNREACHABLE"
        },
        db.schema_version,
        bytes(db.size_bytes),
        bytes(db.wal_bytes)
    )?;
    if let Some(error) = &db.error {
        writeln!(out, "database error: {error}")?;
    }
    match &report.last_integrity_check {
        Some(check) => writeln!(
            out,
            "last integrity check: {} at {} by {} ({} ms)",
            if check.ok {
                "ok".to_string()
            } else {
                format!("FAILED: {}", check.result)
            },
            check.checked_at,
            check.service,
            check.duration_ms
        )?,
        None => writeln!(
            out,
            "last integrity check: never (the janitor runs one at start)"
        )?,
    }

    writeln!(out)?;
    out.push_str(&super::queue_table(&report.queues));

    writeln!(out)?;
    let stats = &report.statistics;
    writeln!(
        out,
        "statistics: {} users, {} active sessions, {} active bills, {} payments this month",
        stats.users, stats.active_sessions, stats.active_bills, stats.payments_this_month
    )?;
    let tracker = &report.tracker;
    writeln!(
        out,
        "tracker this month: {} occurrences, {} paid, {} overdue, {} skipped",
        tracker.occurrences, tracker.paid, tracker.overdue, tracker.skipped
    )?;

    let next = &report.daily_run.next_at;
    match &report.daily_run.last {
        None => writeln!(out, "daily run: never (next {next})")?,
        Some(run) if run.finished_at.is_none() => writeln!(
            out,
            "daily run: {} running since {} (next {next})",
            run.day, run.started_at
        )?,
        Some(run) => {
            let outcome = match &run.error {
                Some(error) => format!("FAILED: {error}"),
                None => format!(
                    "ok: {} autopay payments, {} sessions pruned, {} reminders queued",
                    count(run.autopay_payments),
                    count(run.sessions_pruned),
                    count(run.reminders_queued)
                ),
            };
            writeln!(
                out,
                "daily run: {} {outcome} (finished {}, {} ms; next {next})",
                run.day,
                or_dash(run.finished_at.as_deref()),
                count(run.duration_ms)
            )?;
        }
    }

    let not_configured = |configured: bool, note: &str| {
        if configured {
            "configured".to_string()
        } else {
            format!("not configured ({note})")
        }
    };
    writeln!(
        out,
        "bank sync: {}",
        not_configured(report.bank_sync.configured, report.bank_sync.note)
    )?;
    writeln!(
        out,
        "notifications: {}",
        not_configured(report.notifications.configured, report.notifications.note)
    )?;

    let backups = &report.backups;
    writeln!(
        out,
        "backups: {} ({}), newest {}, daily at {}, keeping {} scheduled",
        backups.count,
        bytes(backups.total_bytes),
        backups.newest.as_ref().map_or("-", |b| b.id.as_str()),
        backups.schedule,
        backups.retention
    )?;
    if let Some(error) = &backups.error {
        writeln!(
            out,
            "backups: the backups folder cannot be read ({error}); count and size are unknown"
        )?;
    }
    if let Some(error) = &backups.last_error {
        writeln!(
            out,
            "backups last error: {} {} {}",
            error.at, error.service, error.message
        )?;
    }

    match &report.cleanup {
        None => writeln!(out, "cleanup: never run")?,
        Some(run) => {
            let removed: Vec<String> = run
                .results
                .iter()
                .map(|t| format!("{} {} ({})", t.label, t.count, bytes(t.bytes.max(0) as u64)))
                .collect();
            writeln!(
                out,
                "cleanup: last run {} ({}): {}",
                run.at,
                run.trigger,
                if removed.is_empty() {
                    "no tasks".to_string()
                } else {
                    removed.join(", ")
                }
            )?;
        }
    }

    writeln!(out)?;
    if report.recent_errors.is_empty() {
        writeln!(out, "recent errors: none")?;
    } else {
        writeln!(
            out,
            "recent errors ({}, newest first):",
            report.recent_errors.len()
        )?;
        for error in &report.recent_errors {
            writeln!(
                out,
                "  {} {:<11} {}",
                error.at, error.service, error.message
            )?;
        }
    }
    Ok(())
}

fn count(value: Option<i64>) -> String {
    value.map_or_else(|| "-".to_string(), |v| v.to_string())
}

/// "512 B", "1.5 KiB", "3.2 MiB", "1.1 GiB".
fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::bytes;

    #[test]
    fn sizes_read_in_binary_units() {
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(1023), "1023 B");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(5 * 1024 * 1024), "5.0 MiB");
    }
}
