//! Errors for the Status page: every ERROR event a process logs is also
//! written to `recorded_errors` in the database, so an operator sees the
//! failures of all processes in one place. Log lines already carry no
//! secrets or personal data; the same holds for what is recorded here.

use std::fmt::Write as _;
use std::sync::OnceLock;

use rusqlite::{Connection, params};
use serde::Serialize;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};

use crate::db::Db;
use crate::heartbeat::Service;
use crate::time::now_text;

/// Rows kept in `recorded_errors`.
const KEEP: i64 = 500;

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
}

impl Visit for MessageVisitor {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.fields, " {}={value}", field.name());
        }
    }
}

impl<S: Subscriber> Layer<S> for ErrorCapture {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        if *event.metadata().level() != Level::ERROR {
            return;
        }
        let Some(sink) = SINK.get() else {
            return;
        };
        let mut visitor = MessageVisitor::default();
        event.record(&mut visitor);
        let message: String = format!("{}{}", visitor.message, visitor.fields)
            .chars()
            .take(1000)
            .collect();
        // A full channel drops the event rather than block the caller.
        let _ = sink.try_send(Captured {
            target: event.metadata().target().to_string(),
            message,
        });
    }
}

/// Starts writing captured errors of this process to the database.
pub fn store(db: Db, service: Service) {
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Captured>(256);
    if SINK.set(sender).is_err() {
        return;
    }
    tokio::spawn(async move {
        while let Some(captured) = receiver.recv().await {
            let written = db
                .write(move |tx| {
                    tx.execute(
                        "INSERT INTO recorded_errors (at, service, target, message) VALUES (?1, ?2, ?3, ?4)",
                        params![now_text(), service.as_str(), captured.target, captured.message],
                    )?;
                    tx.execute(
                        "DELETE FROM recorded_errors WHERE id <= (SELECT max(id) FROM recorded_errors) - ?1",
                        [KEEP],
                    )?;
                    Ok(())
                })
                .await;
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
