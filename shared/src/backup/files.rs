//! Files in `backups/`: partial files that vanish unless finished,
//! checksums and their `sha256sum` sidecars, and the cleanup of partial
//! files a crash left behind.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::BackupError;
use crate::paths::DataDir;

/// A file that is removed when dropped unless [`Partial::finish`] renamed it.
#[derive(Debug)]
pub struct Partial {
    path: PathBuf,
    /// The name shown in errors and logs (never the data directory).
    label: String,
    done: bool,
}

impl Partial {
    /// Creates `dir/name` with mode 0600; it must not exist yet.
    pub fn create(dir: &Path, name: &str) -> Result<(Partial, File), BackupError> {
        let path = dir.join(name);
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .map_err(|e| BackupError::io(name, e))?;
        let partial = Partial {
            path,
            label: name.to_string(),
            done: false,
        };
        Ok((partial, file))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes the file to disk and renames it to `dir/name`, then flushes
    /// the directory so that the rename survives a power loss.
    pub fn finish(self, name: &str) -> Result<PathBuf, BackupError> {
        self.sync()?;
        self.finish_synced(name)
    }

    /// Flushes the file's content to disk (it only reads the file, so it
    /// may run beside other readers of it).
    pub fn sync(&self) -> Result<(), BackupError> {
        File::open(&self.path)
            .and_then(|f| f.sync_all())
            .map_err(|e| BackupError::io(&self.label, e))
    }

    /// [`Partial::finish`] for a file that [`Partial::sync`] flushed after
    /// its last write.
    pub fn finish_synced(mut self, name: &str) -> Result<PathBuf, BackupError> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let target = dir.join(name);
        fs::rename(&self.path, &target).map_err(|e| BackupError::io(name, e))?;
        self.done = true;
        sync_dir(dir)?;
        Ok(target)
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.done {
            for suffix in ["", "-journal", "-wal", "-shm"] {
                let mut path = self.path.clone().into_os_string();
                path.push(suffix);
                let _ = fs::remove_file(PathBuf::from(path));
            }
        }
    }
}

pub fn sync_dir(dir: &Path) -> Result<(), BackupError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| BackupError::io("backups/", e))
}

/// The SHA-256 of a file, as lower-case hex.
pub fn sha256_file(path: &Path, label: &str) -> Result<String, BackupError> {
    let mut file = File::open(path).map_err(|e| BackupError::io(label, e))?;
    let mut hasher = Sha256::new();
    // A buffer that stays in the CPU's cache between the read and the hash:
    // 64 KiB hashed 525 MB about 10% faster than 1 MiB.
    let mut buffer = vec![0u8; 64 << 10];
    loop {
        let read = file
            .read(&mut buffer)
            .map_err(|e| BackupError::io(label, e))?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Writes `<name>.sha256` in `sha256sum` format (`<hex>  <name>`), through
/// a partial file so that a sidecar is either whole or absent.
pub fn write_sidecar(dir: &Path, name: &str, sha256: &str) -> Result<(), BackupError> {
    let sidecar = format!("{name}.sha256");
    let (partial, mut file) = Partial::create(dir, &format!("{sidecar}.partial"))?;
    file.write_all(format!("{sha256}  {name}\n").as_bytes())
        .map_err(|e| BackupError::io(&sidecar, e))?;
    drop(file);
    partial.finish(&sidecar)?;
    Ok(())
}

/// The checksum a sidecar records for `name`; `None` when the sidecar is
/// missing or is not a `sha256sum` line for that file.
pub fn read_sidecar(dir: &Path, name: &str) -> Option<String> {
    let text = fs::read_to_string(dir.join(format!("{name}.sha256"))).ok()?;
    let line = text.lines().next()?;
    let (hex, file) = line.split_once("  ")?;
    let well_formed = hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit());
    (well_formed && file.trim_start_matches('*') == name).then(|| hex.to_ascii_lowercase())
}

/// Names in `backups/` that belong to unfinished work: partial copies and
/// uploads, and SQLite's journal files beside them.
fn is_partial(name: &str) -> bool {
    ["", "-journal", "-wal", "-shm"]
        .iter()
        .any(|suffix| name.ends_with(&format!(".partial{suffix}")))
}

/// A checksum file whose backup is missing: the sidecar is written just
/// before the copy is renamed to its name, so a crash in between leaves it
/// alone (and a deleted backup's sidecar may outlive it).
fn is_orphan_sidecar(dir: &Path, name: &str) -> bool {
    name.strip_suffix(".sha256")
        .is_some_and(|backup| !backup.is_empty() && !dir.join(backup).exists())
}

/// What [`cleanup_partials`] removes, or would remove.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct PartialCleanup {
    pub files: u64,
    pub bytes: u64,
}

/// Partial files and orphan checksum files older than `older_than` (by
/// modification time): left by a backup, upload or restore that crashed.
/// A running backup writes its partial file continuously and renames it
/// right after its checksum file, so neither is ever this old.
fn stale_partials(
    data: &DataDir,
    older_than: Duration,
) -> Result<Vec<(PathBuf, u64)>, BackupError> {
    let dir = data.backups();
    let cutoff = SystemTime::now()
        .checked_sub(older_than)
        .unwrap_or(SystemTime::UNIX_EPOCH);
    let entries = match fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(BackupError::io("backups/", e)),
    };
    let mut stale = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| BackupError::io("backups/", e))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !is_partial(name) && !is_orphan_sidecar(&dir, name) {
            continue;
        }
        let Ok(meta) = entry.metadata() else { continue };
        if meta.is_file() && meta.modified().is_ok_and(|m| m < cutoff) {
            stale.push((entry.path(), meta.len()));
        }
    }
    Ok(stale)
}

/// What [`cleanup_partials`] would remove now (for the cleanup preview).
pub fn preview_partials(
    data: &DataDir,
    older_than: Duration,
) -> Result<PartialCleanup, BackupError> {
    let stale = stale_partials(data, older_than)?;
    Ok(PartialCleanup {
        files: stale.len() as u64,
        bytes: stale.iter().map(|(_, size)| size).sum(),
    })
}

/// Removes partial files older than `older_than` (the cleanup task uses
/// [`super::PARTIAL_MAX_AGE`], one hour) and reports what it removed.
pub fn cleanup_partials(
    data: &DataDir,
    older_than: Duration,
) -> Result<PartialCleanup, BackupError> {
    let mut removed = PartialCleanup::default();
    for (path, size) in stale_partials(data, older_than)? {
        match fs::remove_file(&path) {
            Ok(()) => {
                removed.files += 1;
                removed.bytes += size;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
                return Err(BackupError::io(name.as_deref().unwrap_or("backups/"), e));
            }
        }
    }
    if removed.files > 0 {
        tracing::info!(
            files = removed.files,
            bytes = removed.bytes,
            "removed partial backup files and orphan checksum files left by an interrupted backup, upload or restore"
        );
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partial_file_disappears_unless_finished() {
        let tmp = tempfile::tempdir().unwrap();
        let (partial, mut file) = Partial::create(tmp.path(), "a.partial").unwrap();
        file.write_all(b"x").unwrap();
        drop(file);
        assert!(tmp.path().join("a.partial").exists());
        drop(partial);
        assert!(!tmp.path().join("a.partial").exists());

        let (partial, _file) = Partial::create(tmp.path(), "b.partial").unwrap();
        let target = partial.finish("b").unwrap();
        assert!(target.exists());
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            target.metadata().unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    #[test]
    fn a_sidecar_reads_back_only_for_its_own_file() {
        let tmp = tempfile::tempdir().unwrap();
        let hex = "ab".repeat(32);
        write_sidecar(tmp.path(), "x.db", &hex).unwrap();
        let text = fs::read_to_string(tmp.path().join("x.db.sha256")).unwrap();
        assert_eq!(text, format!("{hex}  x.db\n"));
        assert_eq!(read_sidecar(tmp.path(), "x.db"), Some(hex.clone()));

        fs::write(tmp.path().join("y.db.sha256"), format!("{hex}  x.db\n")).unwrap();
        assert_eq!(read_sidecar(tmp.path(), "y.db"), None, "names another file");
        fs::write(tmp.path().join("z.db.sha256"), "not a checksum  z.db\n").unwrap();
        assert_eq!(read_sidecar(tmp.path(), "z.db"), None);
    }

    #[test]
    fn an_old_checksum_file_without_its_backup_is_cleaned_up_with_the_partial_files() {
        let tmp = tempfile::tempdir().unwrap();
        let data = DataDir::new(tmp.path());
        data.prepare().unwrap();
        let dir = data.backups();
        let two_hours_ago = SystemTime::now() - Duration::from_secs(2 * 3600);
        let kept = "bills-20260101T000000Z-manual.db";
        let orphan = "bills-20260102T000000Z-manual.db.sha256";
        let fresh_orphan = "bills-20260103T000000Z-manual.db.sha256";
        for name in [kept, &format!("{kept}.sha256"), orphan, fresh_orphan] {
            fs::write(dir.join(name), vec![0u8; 100]).unwrap();
        }
        for name in [
            kept.to_string(),
            format!("{kept}.sha256"),
            orphan.to_string(),
        ] {
            File::options()
                .write(true)
                .open(dir.join(name))
                .unwrap()
                .set_modified(two_hours_ago)
                .unwrap();
        }

        let hour = Duration::from_secs(3600);
        assert_eq!(
            preview_partials(&data, hour).unwrap(),
            PartialCleanup {
                files: 1,
                bytes: 100
            }
        );
        assert_eq!(cleanup_partials(&data, hour).unwrap().files, 1);
        assert!(!dir.join(orphan).exists());
        assert!(dir.join(fresh_orphan).exists(), "a backup may be finishing");
        assert!(dir.join(format!("{kept}.sha256")).exists());
    }

    #[test]
    fn only_partial_files_older_than_the_limit_are_cleaned_up() {
        let tmp = tempfile::tempdir().unwrap();
        let data = DataDir::new(tmp.path());
        data.prepare().unwrap();
        let dir = data.backups();
        let two_hours_ago = SystemTime::now() - Duration::from_secs(2 * 3600);
        for (name, old) in [
            ("bills-20260101T000000Z-manual.db.partial", true),
            ("bills-20260101T000000Z-manual.db.partial-journal", true),
            ("upload-1.partial", false),
            ("bills-20260101T000000Z-scheduled.db", true),
            ("notes.txt", true),
        ] {
            fs::write(dir.join(name), vec![0u8; 1000]).unwrap();
            if old {
                File::options()
                    .write(true)
                    .open(dir.join(name))
                    .unwrap()
                    .set_modified(two_hours_ago)
                    .unwrap();
            }
        }

        let hour = Duration::from_secs(3600);
        let preview = preview_partials(&data, hour).unwrap();
        assert_eq!(
            preview,
            PartialCleanup {
                files: 2,
                bytes: 2000
            }
        );
        assert_eq!(cleanup_partials(&data, hour).unwrap(), preview);

        let mut left: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "bills-20260101T000000Z-scheduled.db",
                "notes.txt",
                "upload-1.partial"
            ]
        );
        assert_eq!(preview_partials(&data, hour).unwrap().files, 0);
    }
}
