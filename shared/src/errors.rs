//! Errors for the Status page: every ERROR event a process logs is also
//! written to `recorded_errors` in the database, so an operator sees the
//! failures of all processes in one place. Log lines already carry no
//! secrets or personal data; the same holds for what is recorded here.
//!
//! Each recorded error carries the [`Area`] of Status it belongs to when
//! one is known, so that an area shows its own last error: the event's
//! `area` field (`tracing::error!(area = "backups", ...)`), else the
//! `area` or `job.name` field of a span it happened in (the worker's job
//! span names the job). The area is kept in the `target` column; errors
//! of no particular area keep their tracing target (a module path) there.

use std::fmt::Write as _;
use std::sync::OnceLock;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

use crate::db::Db;
use crate::heartbeat::Service;
use crate::time::now_text;

/// Rows kept in `recorded_errors`.
const KEEP: i64 = 500;

/// The area of Status a recorded error belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// Managed backups: scheduled, manual, restore, upload.
    Backups,
    /// The janitor's daily run.
    DailyRun,
    /// The database itself: integrity checks, migrations.
    Database,
}

impl Area {
    pub const ALL: [Area; 3] = [Area::Backups, Area::DailyRun, Area::Database];

    /// The name used in `area = "..."` fields and stored with the error.
    pub fn as_str(self) -> &'static str {
        match self {
            Area::Backups => "backups",
            Area::DailyRun => "daily_run",
            Area::Database => "database",
        }
    }

    pub fn parse(name: &str) -> Option<Area> {
        Area::ALL.into_iter().find(|a| a.as_str() == name)
    }

    /// The area of a queue job, by its name (`Job::name`).
    pub fn of_job(name: &str) -> Option<Area> {
        match name {
            "scheduled_backup" => Some(Area::Backups),
            "daily_run" => Some(Area::DailyRun),
            "integrity_check" => Some(Area::Database),
            _ => None,
        }
    }
}

struct Captured {
    target: String,
    message: String,
}

static SINK: OnceLock<tokio::sync::mpsc::Sender<Captured>> = OnceLock::new();

/// The tracing layer that captures ERROR events (installed by telemetry).
pub struct ErrorCapture;

#[derive(Default)]
struct MessageVisitor {
    message: String,
    fields: String,
    area: Option<Area>,
}

impl Visit for MessageVisitor {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        match field.name() {
            "message" => {
                let _ = write!(self.message, "{value:?}");
            }
            "area" => self.area = Area::parse(format!("{value:?}").trim_matches('"')),
            name => {
                let _ = write!(self.fields, " {name}={value:?}");
            }
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "message" => self.message.push_str(value),
            "area" => self.area = Area::parse(value),
            name => {
                let _ = write!(self.fields, " {name}={value}");
            }
        }
    }
}

/// The area a span names with its `area` or `job.name` field.
#[derive(Default)]
struct SpanAreaVisitor(Option<Area>);

impl Visit for SpanAreaVisitor {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.record_str(field, format!("{value:?}").trim_matches('"'));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        let found = match field.name() {
            "area" => Area::parse(value),
            "job.name" => Area::of_job(value),
            _ => None,
        };
        self.0 = self.0.or(found);
    }
}

/// Kept in the extensions of a span that names an area.
struct SpanArea(Area);

impl<S> Layer<S> for ErrorCapture
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        remember_area(attrs, id, &ctx);
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let Some(sink) = SINK.get() else {
            return;
        };
        if let Some(captured) = capture(event, &ctx) {
            // A full channel drops the event rather than block the caller.
            let _ = sink.try_send(captured);
        }
    }
}

/// Keeps the area a new span names, for the errors logged inside it.
fn remember_area<S>(attrs: &Attributes<'_>, id: &Id, ctx: &Context<'_, S>)
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    let mut visitor = SpanAreaVisitor::default();
    attrs.record(&mut visitor);
    if let (Some(area), Some(span)) = (visitor.0, ctx.span(id)) {
        span.extensions_mut().insert(SpanArea(area));
    }
}

/// What is recorded of an ERROR event; `None` for any other level.
fn capture<S>(event: &Event<'_>, ctx: &Context<'_, S>) -> Option<Captured>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    if *event.metadata().level() != Level::ERROR {
        return None;
    }
    let mut visitor = MessageVisitor::default();
    event.record(&mut visitor);
    let message: String = format!("{}{}", visitor.message, visitor.fields)
        .chars()
        .take(1000)
        .collect();
    // The event's own area, else that of the innermost span naming one.
    let area = visitor.area.or_else(|| {
        ctx.event_scope(event)?
            .find_map(|span| span.extensions().get::<SpanArea>().map(|a| a.0))
    });
    let target = match area {
        Some(area) => area.as_str().to_string(),
        None => event.metadata().target().to_string(),
    };
    Some(Captured { target, message })
}

/// Writes one captured error and drops the oldest beyond [`KEEP`].
fn insert(tx: &Connection, service: Service, captured: &Captured) -> crate::Result<()> {
    tx.execute(
        "INSERT INTO recorded_errors (at, service, target, message) VALUES (?1, ?2, ?3, ?4)",
        params![
            now_text(),
            service.as_str(),
            captured.target,
            captured.message
        ],
    )?;
    tx.execute(
        "DELETE FROM recorded_errors WHERE id <= (SELECT max(id) FROM recorded_errors) - ?1",
        [KEEP],
    )?;
    Ok(())
}

/// Starts writing captured errors of this process to the database.
pub fn store(db: Db, service: Service) {
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Captured>(256);
    if SINK.set(sender).is_err() {
        return;
    }
    tokio::spawn(async move {
        while let Some(captured) = receiver.recv().await {
            let written = db.write(move |tx| insert(tx, service, &captured)).await;
            if let Err(error) = written {
                // Not at ERROR level: that would record itself again.
                tracing::warn!(%error, "could not record an error for Status");
            }
        }
    });
}

/// One recorded error.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecordedError {
    pub at: String,
    pub service: String,
    pub message: String,
}

/// The newest error recorded for `area`.
pub fn last_in(conn: &Connection, area: Area) -> crate::Result<Option<RecordedError>> {
    Ok(conn
        .query_row(
            "SELECT at, service, message FROM recorded_errors WHERE target = ?1 ORDER BY id DESC LIMIT 1",
            [area.as_str()],
            |r| {
                Ok(RecordedError {
                    at: r.get(0)?,
                    service: r.get(1)?,
                    message: r.get(2)?,
                })
            },
        )
        .optional()?)
}

/// The newest `limit` recorded errors.
pub fn recent(conn: &Connection, limit: u32) -> crate::Result<Vec<RecordedError>> {
    let mut stmt =
        conn.prepare("SELECT at, service, message FROM recorded_errors ORDER BY id DESC LIMIT ?1")?;
    let rows = stmt.query_map([limit], |r| {
        Ok(RecordedError {
            at: r.get(0)?,
            service: r.get(1)?,
            message: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tracing_subscriber::layer::SubscriberExt;

    use super::*;

    /// The capture of [`ErrorCapture`] into a list instead of the database.
    #[derive(Clone, Default)]
    struct Collect(Arc<Mutex<Vec<Captured>>>);

    impl<S> Layer<S> for Collect
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
            remember_area(attrs, id, &ctx);
        }

        fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
            if let Some(captured) = capture(event, &ctx) {
                self.0.lock().unwrap().push(captured);
            }
        }
    }

    fn captured(log: impl FnOnce()) -> Vec<(String, String)> {
        let collect = Collect::default();
        let subscriber = tracing_subscriber::registry().with(collect.clone());
        tracing::subscriber::with_default(subscriber, log);
        let list = collect.0.lock().unwrap();
        list.iter()
            .map(|c| (c.target.clone(), c.message.clone()))
            .collect()
    }

    #[test]
    fn a_failed_job_is_recorded_under_the_area_of_its_job() {
        let found = captured(|| {
            let span = tracing::info_span!(
                "job",
                job.queue = "maintenance",
                job.name = "scheduled_backup",
                job.id = "01J"
            );
            // The worker logs the failure after the handler returned, as a child of the job span.
            tracing::error!(parent: &span, duration_ms = 3, error = "backups/: disk full", "job failed");
            let daily = tracing::info_span!("job", job.name = "daily_run");
            let _entered = daily.enter();
            tracing::error!("the run broke");
            tracing::warn!("not an error: not recorded");
        });
        assert_eq!(
            found,
            [
                (
                    "backups".to_string(),
                    "job failed duration_ms=3 error=backups/: disk full".to_string()
                ),
                ("daily_run".to_string(), "the run broke".to_string()),
            ]
        );
    }

    #[test]
    fn an_event_names_its_area_and_otherwise_keeps_its_target() {
        let found = captured(|| {
            tracing::error!(area = "backups", slot = "03:00", "could not queue");
            tracing::error!("the word backup in a message names no area");
        });
        assert_eq!(
            found[0],
            ("backups".into(), "could not queue slot=03:00".into())
        );
        assert_eq!(found[1].0, module_path!());
    }

    #[test]
    fn the_last_error_of_an_area_is_chosen_by_its_area_not_its_text() {
        let tmp = tempfile::tempdir().unwrap();
        let data = crate::paths::DataDir::new(tmp.path());
        data.prepare().unwrap();
        let mut conn = crate::db::open(&data.bills_db()).unwrap();
        crate::migrate::migrate(&mut conn).unwrap();
        let record = |target: &str, message: &str| {
            let captured = Captured {
                target: target.into(),
                message: message.into(),
            };
            insert(&conn, Service::Janitor, &captured).unwrap();
        };
        assert!(last_in(&conn, Area::Backups).unwrap().is_none());
        record("backups", "job failed error=No space left on device");
        record(
            "billtracker_web::routes",
            "request failed error=bad backup request body",
        );
        record("daily_run", "daily run failed");
        let last = last_in(&conn, Area::Backups).unwrap().unwrap();
        assert_eq!(last.message, "job failed error=No space left on device");
        assert_eq!(last.service, "janitor");
        assert_eq!(
            last_in(&conn, Area::DailyRun).unwrap().unwrap().message,
            "daily run failed"
        );
        assert!(last_in(&conn, Area::Database).unwrap().is_none());
    }
}
