//! Errors for the Status page: every ERROR event a process logs is also
//! written to `recorded_errors` in the database, so an operator sees the
//! failures of all processes in one place. Log lines already carry no
//! secrets or personal data; the same holds for what is recorded here.
//! File system paths are stripped before a message is recorded
//! ([`redact`]): a file in the data directory is named relative to it
//! (`db/bills.db`), any other absolute path becomes `[path]`.
//!
//! Each recorded error carries the [`Area`] of Status it belongs to when
//! one is known, so that an area shows its own last error: the event's
//! `area` field (`tracing::error!(area = "backups", ...)`), else the
//! `area` or `job.name` field of a span it happened in (the worker's job
//! span names the job). The area is kept in the `target` column; errors
//! of no particular area keep their tracing target (a module path) there.

use std::fmt::Write as _;
use std::path::Path;
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

/// The spellings of the data directory a message may carry: as given,
/// absolute, canonical, and relative to the working directory. Longest
/// first, so that a longer spelling is replaced before a shorter one.
fn root_forms(root: &Path) -> Vec<String> {
    let mut forms = vec![root.to_path_buf()];
    if let Ok(cwd) = std::env::current_dir() {
        let absolute = cwd.join(root);
        if let Ok(relative) = absolute.strip_prefix(&cwd) {
            forms.push(relative.to_path_buf());
            forms.push(Path::new(".").join(relative));
        }
        forms.push(absolute);
    }
    if let Ok(canonical) = root.canonicalize() {
        forms.push(canonical);
    }
    let mut forms: Vec<String> = forms
        .iter()
        .map(|p| p.display().to_string().trim_end_matches('/').to_string())
        .filter(|p| !p.is_empty() && p != "." && p != "/")
        .collect();
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    forms.dedup();
    forms
}

/// Whether a path may start after `previous` (not inside a word).
fn starts_path(previous: Option<char>) -> bool {
    previous.is_none_or(|c| !(c.is_alphanumeric() || "_-.~/".contains(c)))
}

fn is_path_char(c: char) -> bool {
    c.is_alphanumeric() || "_-.~+@%/".contains(c)
}

/// Replaces `form` where it names the data directory: `form/rest` by
/// `rest`, `form` alone by `DATA_DIR`. A relative spelling counts only at
/// the start of a word.
fn replace_root(text: &str, form: &str) -> String {
    let absolute = form.starts_with('/');
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(found) = rest.find(form) {
        out.push_str(&rest[..found]);
        let after = &rest[found + form.len()..];
        let whole_name = after
            .chars()
            .next()
            .is_none_or(|c| c == '/' || !is_path_char(c));
        if whole_name && (absolute || starts_path(out.chars().last())) {
            match after.strip_prefix('/') {
                Some(inside) => rest = inside,
                None => {
                    out.push_str("DATA_DIR");
                    rest = after;
                }
            }
        } else {
            out.push_str(form);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// Replaces every absolute path (`/a/b`, at the start of a word) by
/// `[path]`; URLs and the paths of this application's API (`/api/...`)
/// stay.
fn strip_absolute_paths(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    let mut previous = None;
    while let Some((at, c)) = chars.next() {
        // `scheme://host/...` is a URL, not a file.
        let url = previous == Some(':') && text[at + 1..].starts_with('/');
        if c == '/' && starts_path(previous) && !url {
            let mut end = at + 1;
            while let Some(&(i, next)) = chars.peek() {
                if !is_path_char(next) {
                    break;
                }
                end = i + next.len_utf8();
                chars.next();
            }
            let token = &text[at..end];
            let segments = token.split('/').filter(|s| !s.is_empty()).count();
            if segments >= 2 && !token.starts_with("/api/") {
                out.push_str("[path]");
            } else {
                out.push_str(token);
            }
            previous = token.chars().last();
            continue;
        }
        out.push(c);
        previous = Some(c);
    }
    out
}

/// A message with no file system path in it: the data directory `root`
/// (in any of its spellings) is stripped, so `<root>/db/bills.db` reads
/// `db/bills.db`, and any other absolute path becomes `[path]`.
pub fn redact(message: &str, root: Option<&Path>) -> String {
    let mut text = message.to_string();
    if let Some(root) = root {
        for form in root_forms(root) {
            text = replace_root(&text, &form);
        }
    }
    strip_absolute_paths(&text)
}

/// The data directory of the database behind `db`, for [`redact`].
static DATA_ROOT: OnceLock<std::path::PathBuf> = OnceLock::new();

/// Writes one captured error and drops the oldest beyond [`KEEP`].
fn insert(tx: &Connection, service: Service, captured: &Captured) -> crate::Result<()> {
    let root = DATA_ROOT
        .get()
        .cloned()
        .or_else(|| crate::backup::data_dir_of(tx).map(|d| d.root().to_path_buf()));
    let message = redact(&captured.message, root.as_deref());
    tx.execute(
        "INSERT INTO recorded_errors (at, service, target, message) VALUES (?1, ?2, ?3, ?4)",
        params![now_text(), service.as_str(), captured.target, message],
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
        let root = db
            .run(|conn| Ok(crate::backup::data_dir_of(conn)))
            .await
            .ok()
            .flatten();
        if let Some(root) = root {
            let _ = DATA_ROOT.set(root.root().to_path_buf());
        }
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
    fn paths_are_stripped_before_an_error_is_recorded() {
        let root = Path::new("/srv/billtracker/data");
        let cases = [
            (
                "database error: unable to open database file: /srv/billtracker/data/db/queue.db",
                "database error: unable to open database file: db/queue.db",
            ),
            (
                "/srv/billtracker/data/keys/token-encryption.key: Permission denied",
                "keys/token-encryption.key: Permission denied",
            ),
            (
                "/srv/billtracker/data cannot be used: read-only",
                "DATA_DIR cannot be used: read-only",
            ),
            (
                "error=\"/home/alice/statements/march.csv: not found\"",
                "error=\"[path]: not found\"",
            ),
            ("copy of /etc/x failed", "copy of [path] failed"),
            (
                "request failed path=/api/admin/status from https://id.example.com/a/b",
                "request failed path=/api/admin/status from https://id.example.com/a/b",
            ),
            ("backups/bills.db: disk full", "backups/bills.db: disk full"),
            ("/srv/billtracker/database-2", "[path]"),
        ];
        for (message, expected) in cases {
            assert_eq!(redact(message, Some(root)), expected, "{message}");
        }
    }

    #[test]
    fn a_recorded_error_names_files_relative_to_the_data_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let data = crate::paths::DataDir::new(tmp.path());
        data.prepare().unwrap();
        let mut conn = crate::db::open(&data.bills_db()).unwrap();
        crate::migrate::migrate(&mut conn).unwrap();
        let queue = data.queue_db();
        let captured = Captured {
            target: "daily_run".into(),
            message: format!("daily run failed error=unable to open {}", queue.display()),
        };
        insert(&conn, Service::Janitor, &captured).unwrap();
        let recorded = recent(&conn, 1).unwrap().remove(0).message;
        assert_eq!(
            recorded,
            "daily run failed error=unable to open db/queue.db"
        );
        assert!(!recorded.contains(&tmp.path().display().to_string()));
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
