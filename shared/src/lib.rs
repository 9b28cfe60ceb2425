//! The common library of the BillTracker suite.
//!
//! Every process of the suite (web, sync worker, notifier, janitor and the
//! `billtracker` CLI) is a thin binary over this crate: configuration,
//! telemetry, the SQLite pool and migrations, the job queue, heartbeats,
//! secret encryption and the status report live here.

pub mod accounts;
pub mod backup;
pub mod bills;
pub mod cleanup;
pub mod config;
pub mod crypto;
pub mod daily;
pub mod db;
pub mod error;
pub mod errors;
pub mod heartbeat;
pub mod integrity;
pub mod jobs;
pub mod migrate;
pub mod paths;
pub mod probe;
pub mod queue;
pub mod serde_util;
pub mod shutdown;
pub mod status;
pub mod telemetry;
pub mod worker;

pub use error::{Error, Result};

/// The version of every binary of the suite (they are released together).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The commit the binaries were built from, when the build knew it (an empty
/// value or `unknown`, as image builds without one pass, counts as not known).
pub const BUILD_COMMIT: Option<&str> = match option_env!("BILLTRACKER_BUILD_COMMIT") {
    Some(commit) if !commit.is_empty() && !commit.eq_ignore_ascii_case("unknown") => Some(commit),
    _ => None,
};
pub mod process;
pub mod time;
