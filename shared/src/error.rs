//! Error types of the shared library.

use std::path::PathBuf;

/// Everything the shared library can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),

    #[error("database pool error: {0}")]
    Pool(#[from] r2d2::Error),

    #[error("queue database error: {0}")]
    Queue(#[from] sqlx::Error),

    #[error("queue migration error: {0}")]
    QueueMigrate(#[from] sqlx::migrate::MigrateError),

    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error(
        "the database schema is at version {found}, newer than this binary knows ({known}); \
         run a BillTracker release that is at least as new as the one that wrote it"
    )]
    SchemaTooNew { found: i64, known: i64 },

    #[error(
        "migration {version} ({name}) was changed after it was applied: \
         recorded checksum {recorded}, this binary has {embedded}"
    )]
    MigrationChanged {
        version: i64,
        name: String,
        recorded: String,
        embedded: String,
    },

    #[error("{0}")]
    Rule(String),

    #[error("could not queue the job: {0}")]
    QueuePush(String),

    #[error("secret encryption: {0}")]
    Crypto(String),

    #[error("job serialisation: {0}")]
    Json(#[from] serde_json::Error),

    #[error("a blocking database task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
}

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
