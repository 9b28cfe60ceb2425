//! One backup or restore at a time across every process of the suite: an
//! exclusive `flock` on `backups/.lock`.
//!
//! The standard library's `File::try_lock` is `flock(2)` on Linux: the lock
//! belongs to the open file, is released when the file is closed (also when
//! the process dies, so a crash never leaves it held), and two opens in
//! one process exclude each other just like two processes do.

use std::fs::{File, OpenOptions, TryLockError};
use std::os::unix::fs::OpenOptionsExt;
use std::time::{Duration, Instant};

use super::BackupError;
use crate::paths::DataDir;

/// The lock file in `backups/`; hidden, and never a backup name.
pub const LOCK_FILE: &str = ".lock";

/// How long to wait for a running backup or restore to finish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// Answer [`BackupError::Busy`] at once (the admin API: 409).
    No,
    /// Wait up to this long, then answer [`BackupError::Busy`].
    UpTo(Duration),
}

/// Held while a backup, import, restore or delete runs; released on drop.
#[derive(Debug)]
pub struct BackupLock {
    _file: File,
}

impl BackupLock {
    pub fn acquire(data: &DataDir, wait: Wait) -> Result<BackupLock, BackupError> {
        let path = data.backups().join(LOCK_FILE);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&path)
            .map_err(|e| BackupError::io(LOCK_FILE, e))?;

        let deadline = match wait {
            Wait::No => Instant::now(),
            Wait::UpTo(limit) => Instant::now() + limit,
        };
        let mut logged = false;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(BackupLock { _file: file }),
                Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                    if !logged {
                        tracing::info!("waiting for a running backup or restore to finish");
                        logged = true;
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(TryLockError::WouldBlock) => return Err(BackupError::Busy),
                Err(TryLockError::Error(e)) => return Err(BackupError::io(LOCK_FILE, e)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_until_the_first_lets_go() {
        let tmp = tempfile::tempdir().unwrap();
        let data = DataDir::new(tmp.path());
        data.prepare().unwrap();

        let first = BackupLock::acquire(&data, Wait::No).unwrap();
        assert!(matches!(
            BackupLock::acquire(&data, Wait::No),
            Err(BackupError::Busy)
        ));
        assert!(matches!(
            BackupLock::acquire(&data, Wait::UpTo(Duration::from_millis(250))),
            Err(BackupError::Busy)
        ));

        let releaser = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            drop(first);
        });
        let second = BackupLock::acquire(&data, Wait::UpTo(Duration::from_secs(5)));
        assert!(second.is_ok(), "the waiter gets the lock once it is free");
        releaser.join().unwrap();
    }
}
