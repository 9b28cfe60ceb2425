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

/// The commit the binaries were built from, when the build knew it.
pub const BUILD_COMMIT: Option<&str> = option_env!("BILLTRACKER_BUILD_COMMIT");
pub mod process;
pub mod time;
