//! The data directory shared by every process, and how files in it are made.

use std::fs::{self, DirBuilder, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Sub-directories of the data directory, created at start.
const SUBDIRS: [&str; 5] = ["db", "backups", "exports", "imports", "keys"];

/// The layout of `DATA_DIR` (see the architecture page of the docs).
#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        DataDir { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn bills_db(&self) -> PathBuf {
        self.root.join("db").join("bills.db")
    }

    pub fn queue_db(&self) -> PathBuf {
        self.root.join("db").join("queue.db")
    }

    pub fn backups(&self) -> PathBuf {
        self.root.join("backups")
    }

    pub fn keys(&self) -> PathBuf {
        self.root.join("keys")
    }

    /// Creates the directory tree (0700) and checks that it is writable.
    pub fn prepare(&self) -> Result<()> {
        create_private_dir(&self.root)?;
        for sub in SUBDIRS {
            create_private_dir(&self.root.join(sub))?;
        }

        // A write probe catches read-only mounts and foreign owners at start
        // instead of at the first backup.
        let probe = self
            .root
            .join("db")
            .join(format!(".write-test-{}", std::process::id()));
        fs::write(&probe, b"").map_err(|e| Error::io(&self.root, e))?;
        fs::remove_file(&probe).map_err(|e| Error::io(&probe, e))?;
        Ok(())
    }

    /// Creates an empty database file with mode 0600 when it does not exist,
    /// so that SQLite gives its WAL and SHM files the same private mode.
    pub fn ensure_private_file(&self, path: &Path) -> Result<()> {
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
        {
            Ok(_) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
            Err(e) => Err(Error::io(path, e)),
        }
    }
}

fn create_private_dir(path: &Path) -> Result<()> {
    if path.is_dir() {
        return Ok(());
    }
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .map_err(|e| Error::io(path, e))?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o700)).map_err(|e| Error::io(path, e))
}

/// Writes `bytes` to a new file with mode 0600, replacing nothing.
pub fn write_private_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}
