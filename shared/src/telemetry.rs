//! Logging: readable lines by default, JSON with `LOG_FORMAT=json`,
//! filtered by `RUST_LOG` (default `info`). Every line starts with an
//! RFC 3339 UTC timestamp.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer;
use tracing_subscriber::fmt::writer::BoxMakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::LogFormat;

/// Installs the global subscriber. Call once, first thing in `main`.
pub fn init(format: LogFormat) {
    init_with_default(format, "info");
}

/// [`init`] with another default level.
pub fn init_with_default(format: LogFormat, default_filter: &str) {
    let ansi = std::io::stdout().is_terminal();
    install(
        format,
        default_filter,
        BoxMakeWriter::new(std::io::stdout),
        ansi,
    );
}

/// The CLI's logging: warnings by default, and on stderr, so that its
/// answers on stdout (`--json`) stay clean whatever `RUST_LOG` says (the
/// containers' environment sets `info`).
pub fn init_cli(format: LogFormat) {
    let ansi = std::io::stderr().is_terminal();
    install(format, "warn", BoxMakeWriter::new(std::io::stderr), ansi);
}

fn install(format: LogFormat, default_filter: &str, writer: BoxMakeWriter, terminal: bool) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    // Colours only on a terminal: `docker logs` and files get plain text.
    let ansi = terminal && std::env::var_os("NO_COLOR").is_none();
    let registry = tracing_subscriber::registry().with(crate::errors::ErrorCapture);
    match format {
        LogFormat::Text => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .with_ansi(ansi)
                    .with_target(false)
                    .with_writer(writer)
                    .with_filter(filter),
            )
            .init(),
        LogFormat::Json => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(true)
                    .with_writer(writer)
                    .with_filter(filter),
            )
            .init(),
    }
}
