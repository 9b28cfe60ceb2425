//! What every process does at start: telemetry, the data directory, the
//! database and its migrations, the secret key.

use std::time::Instant;

use crate::config::{self, CommonArgs};
use crate::crypto::SecretBox;
use crate::db::Db;
use crate::heartbeat::{Instance, Service};
use crate::paths::DataDir;
use crate::{backup, telemetry};

/// The glibc setting every process of the suite runs with (the image sets
/// it, `billtracker run-all` passes it on). A fixed mmap threshold makes
/// glibc hand large freed buffers back to the system: without it, the 19 MiB
/// of each Argon2 hash stay in the process for good, once per thread that
/// hashed.
pub const MALLOC_SETTING: (&str, &str) = ("MALLOC_MMAP_THRESHOLD_", "131072");

/// A started process: its identity and its open database.
#[derive(Debug)]
pub struct Started {
    pub instance: Instance,
    pub data: DataDir,
    pub db: Db,
    pub secrets: SecretBox,
    pub started_at: Instant,
}

/// Starts telemetry, prepares `DATA_DIR`, opens and migrates `bills.db`.
///
/// Configuration problems end the process with exit code 2 and a line that
/// names the variable; a database that cannot be opened or migrated ends it
/// with exit code 3.
pub fn start(service: Service, common: &CommonArgs, pool_size: u32) -> Started {
    let started_at = Instant::now();
    telemetry::init(common.log_format);
    let instance = Instance::current(service);
    let data = common.data();
    tracing::info!(
        service = service.as_str(),
        version = crate::VERSION,
        commit = crate::BUILD_COMMIT.unwrap_or("unknown"),
        data_dir = %data.root().display(),
        time_zone = %common.time_zone_name(),
        "starting {}",
        service.binary()
    );
    tracing::debug!(config = ?common, "effective configuration");

    if let Err(error) = data.prepare() {
        config::fail(
            service.binary(),
            "DATA_DIR",
            format_args!("{} cannot be used: {error}", data.root().display()),
        );
    }

    let secrets = match SecretBox::load(common.token_encryption_key.as_ref(), &data) {
        Ok(secrets) => secrets,
        Err(error) => config::fail(service.binary(), "TOKEN_ENCRYPTION_KEY", error),
    };

    let db = match open_and_migrate(&data, pool_size) {
        Ok(db) => db,
        Err(error) => {
            tracing::error!(%error, "cannot open the database");
            eprintln!("{}: cannot open the database: {error}", service.binary());
            std::process::exit(3);
        }
    };

    crate::errors::store(db.clone(), service);

    Started {
        instance,
        data,
        db,
        secrets,
        started_at,
    }
}

fn open_and_migrate(data: &DataDir, pool_size: u32) -> crate::Result<Db> {
    let db = Db::open(data, pool_size)?;
    let mut conn = db.get()?;
    // An older schema is saved as a pre-upgrade backup before it migrates.
    backup::migrate_with_pre_upgrade_backup(data, &mut conn)?;
    drop(conn);
    Ok(db)
}
