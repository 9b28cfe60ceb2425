//! `billtracker backup …`: create, list, verify and restore managed backups
//! on the data directory, whether or not the other processes run.
//!
//! A backup or restore already running elsewhere (the web process, the
//! janitor) is waited for up to a minute.

use std::time::Duration;

use billtracker::accounts::audit::{self, Entry, action};
use billtracker::backup::{self, BackupError, IfLiveDamaged, Kind, Saved, Wait};
use billtracker::config::CommonArgs;
use billtracker::db;
use serde::Serialize;

use crate::attempt;
use crate::commands::open_bills;
use crate::output::{self, CHECK_FAILED, DATABASE, OK};

/// The actor written to the audit log for CLI changes.
const ACTOR: &str = "billtracker CLI";

/// How long the CLI waits for another backup or restore to finish.
const WAIT: Duration = Duration::from_secs(60);

fn failure(error: BackupError) -> i32 {
    match error {
        BackupError::NotFound(id) => {
            eprintln!(
                "billtracker: there is no backup named {id:?} (see `billtracker backup list`)"
            );
            CHECK_FAILED
        }
        BackupError::Busy => {
            eprintln!(
                "billtracker: another backup or restore is still running after {} s; try again later",
                WAIT.as_secs()
            );
            CHECK_FAILED
        }
        error if error.is_damaged_database() => {
            eprintln!("billtracker: {error}");
            eprintln!(
                "billtracker: the live database is damaged; `billtracker backup restore <id>` \
                 restores a backup and keeps the damaged files aside in backups/"
            );
            CHECK_FAILED
        }
        error @ (BackupError::Refused(_) | BackupError::Invalid { .. }) => {
            eprintln!("billtracker: {error}");
            CHECK_FAILED
        }
        error => {
            eprintln!("billtracker: backup error: {error}");
            DATABASE
        }
    }
}

/// Records a CLI action in the audit log; a failure only warns, since the
/// backup or restore itself is done.
fn record(common: &CommonArgs, action: &str, target: &str, detail: Option<String>) {
    let recorded = open_bills(common).ok().map(|mut conn| {
        db::write(&mut conn, |tx| {
            audit::record(
                tx,
                Entry {
                    actor: Some(ACTOR),
                    action,
                    target: Some(target),
                    detail,
                    ..Entry::default()
                },
            )
        })
    });
    if let Some(Err(error)) = recorded {
        eprintln!("billtracker: warning: could not write the audit log: {error}");
    }
}

/// "12.3 MB"-style sizes for people.
fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "kB", "MB", "GB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

pub fn create(common: &CommonArgs, json: bool) -> i32 {
    let data = common.data();
    if !data.bills_db().exists() {
        // Prints where the database was expected.
        drop(attempt!(open_bills(common)));
    }
    let created = attempt!(backup::create(&data, Kind::Manual, Wait::UpTo(WAIT)).map_err(failure));
    record(common, action::BACKUP_CREATE, &created.id, None);
    if json {
        return output::json(&created);
    }
    println!("created backup {}", created.id);
    println!("size:    {}", size(created.size_bytes));
    println!("sha256:  {}", created.sha256.as_deref().unwrap_or("-"));
    OK
}

pub fn list(common: &CommonArgs, json: bool) -> i32 {
    let all = attempt!(backup::list(&common.data()).map_err(failure));
    if json {
        return output::json(&all);
    }
    if all.is_empty() {
        println!("no backups yet: create one with `billtracker backup create`");
        return OK;
    }
    println!(
        "{:<40} {:<12} {:>10} {:<21} checksum",
        "ID", "KIND", "SIZE", "CREATED"
    );
    for backup in &all {
        println!(
            "{:<40} {:<12} {:>10} {:<21} {}",
            backup.id,
            backup.kind.as_str(),
            size(backup.size_bytes),
            backup.created_at,
            match (&backup.sha256, backup.verified) {
                (_, true) => "ok",
                (None, false) => "MISSING",
                (Some(_), false) => "MISMATCH",
            }
        );
    }
    OK
}

pub fn verify(common: &CommonArgs, id: &str, json: bool) -> i32 {
    let verification = attempt!(backup::verify(&common.data(), id).map_err(failure));
    let code = if verification.ok { OK } else { CHECK_FAILED };
    if json {
        output::json(&verification);
        return code;
    }
    println!(
        "checksum:  {}",
        if verification.checksum_ok {
            "ok"
        } else {
            "MISMATCH"
        }
    );
    println!("integrity: {}", verification.integrity);
    match verification.schema_version {
        Some(version) => println!("schema:    version {version}"),
        None => println!("schema:    -"),
    }
    match &verification.problem {
        None => println!("{} is sound and can be restored", verification.id),
        Some(problem) => println!("{} FAILED: {problem}", verification.id),
    }
    code
}

/// What `backup restore --json` prints.
#[derive(Debug, Serialize)]
struct RestoreOutput<'a> {
    restored: &'a str,
    /// The backup of the live database taken first; null when it was damaged.
    pre_restore_backup: Option<&'a str>,
    /// The folder in `backups/` holding the damaged live files; null when
    /// the live database was sound.
    damaged_files: Option<String>,
    history_kept: usize,
}

/// Restores a backup. A damaged live database (the incident this command
/// exists for) cannot be backed up first: its files are kept aside in
/// `backups/damaged-live-<time>/` instead, and the restore goes on.
pub fn restore(common: &CommonArgs, id: &str, json: bool) -> i32 {
    let data = common.data();
    if !data.bills_db().exists() {
        // Prints where the database was expected.
        drop(attempt!(open_bills(common)));
    }
    let done = attempt!(
        backup::restore_with(&data, id, Wait::UpTo(WAIT), IfLiveDamaged::SetAside).map_err(failure)
    );
    let (pre_restore_backup, damaged_files) = match &done.saved {
        Saved::PreRestoreBackup(backup) => (Some(backup.as_str()), None),
        Saved::DamagedFilesSetAside(folder) => (None, Some(format!("backups/{folder}/"))),
    };
    let detail = match (&pre_restore_backup, &damaged_files) {
        (Some(backup), _) => format!("pre-restore backup {backup}"),
        (None, Some(folder)) => format!("live database damaged; its files are kept in {folder}"),
        (None, None) => String::new(),
    };
    record(common, action::BACKUP_RESTORE, &done.restored, Some(detail));
    if json {
        return output::json(&RestoreOutput {
            restored: &done.restored,
            pre_restore_backup,
            damaged_files,
            history_kept: done.history_kept,
        });
    }
    if let Some(folder) = &damaged_files {
        println!("the live database was damaged, so no pre-restore backup could be taken;");
        println!(
            "its files as they were (bills.db, bills.db-wal, bills.db-shm) are kept in {folder}"
        );
        println!("that folder is not a backup: it is not listed and cannot be restored");
    }
    println!("restored backup {}", done.restored);
    if let Some(backup) = pre_restore_backup {
        println!("the database as it was before is saved as backup {backup}");
    }
    if damaged_files.is_some() {
        println!("start (or restart) every process of the suite now");
    }
    OK
}

#[cfg(test)]
mod tests {
    use super::size;

    #[test]
    fn sizes_read_like_a_file_manager() {
        assert_eq!(size(512), "512 B");
        assert_eq!(size(1_500), "1.5 kB");
        assert_eq!(size(524_288_000), "524.3 MB");
    }
}
