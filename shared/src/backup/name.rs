//! Names of managed backups: `bills-<UTC timestamp>-<kind>.db`.
//!
//! The name is the backup's id in the API and the CLI, so it is parsed
//! strictly: anything else (a path, a `..`, a sidecar, a partial file) is
//! not a backup.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Why a backup was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Taken by an admin or an operator (also an uploaded file).
    Manual,
    /// The daily backup of the janitor; the only kind retention deletes.
    Scheduled,
    /// The live database just before a restore replaced it.
    PreRestore,
    /// The database just before a newer release migrated it.
    PreUpgrade,
}

impl Kind {
    pub const ALL: [Kind; 4] = [
        Kind::Manual,
        Kind::Scheduled,
        Kind::PreRestore,
        Kind::PreUpgrade,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Manual => "manual",
            Kind::Scheduled => "scheduled",
            Kind::PreRestore => "pre-restore",
            Kind::PreUpgrade => "pre-upgrade",
        }
    }

    fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The name of one managed backup file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BackupName {
    /// When the copy was taken, to the second.
    pub created: Timestamp,
    pub kind: Kind,
}

const PREFIX: &str = "bills-";
const SUFFIX: &str = ".db";
/// `20261203T184500Z`
const STAMP_LEN: usize = 16;

impl BackupName {
    /// A name for a backup taken at `at` (truncated to the second).
    pub fn new(at: Timestamp, kind: Kind) -> BackupName {
        let created = Timestamp::from_second(at.as_second()).unwrap_or(at);
        BackupName { created, kind }
    }

    /// Parses a file name; `None` for anything that is not exactly a
    /// backup name.
    pub fn parse(name: &str) -> Option<BackupName> {
        let rest = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
        if rest.len() <= STAMP_LEN + 1 || !rest.is_char_boundary(STAMP_LEN) {
            return None;
        }
        let (stamp, kind) = rest.split_at(STAMP_LEN);
        let kind = Kind::parse(kind.strip_prefix('-')?)?;
        let created = parse_stamp(stamp)?;
        let parsed = BackupName { created, kind };
        // Only the canonical spelling names a backup.
        (parsed.to_string() == name).then_some(parsed)
    }

    /// The checksum file beside the backup.
    pub fn sidecar(&self) -> String {
        format!("{self}.sha256")
    }

    /// The file the copy is written to before it is complete.
    pub fn partial(&self) -> String {
        format!("{self}.partial")
    }
}

impl fmt::Display for BackupName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{PREFIX}{}-{}{SUFFIX}",
            self.created.strftime("%Y%m%dT%H%M%SZ"),
            self.kind
        )
    }
}

fn parse_stamp(stamp: &str) -> Option<Timestamp> {
    let bytes = stamp.as_bytes();
    if bytes.len() != STAMP_LEN || bytes[8] != b'T' || bytes[15] != b'Z' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<i16> {
        let part = &stamp[range];
        if !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let datetime = DateTime::new(
        number(0..4)?,
        i8::try_from(number(4..6)?).ok()?,
        i8::try_from(number(6..8)?).ok()?,
        i8::try_from(number(9..11)?).ok()?,
        i8::try_from(number(11..13)?).ok()?,
        i8::try_from(number(13..15)?).ok()?,
        0,
    )
    .ok()?;
    datetime
        .to_zoned(TimeZone::UTC)
        .ok()
        .map(|zoned| zoned.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn a_name_round_trips_with_its_time_and_kind() {
        let name = BackupName::new(at("2026-12-03T18:45:00.734Z"), Kind::PreRestore);
        assert_eq!(name.to_string(), "bills-20261203T184500Z-pre-restore.db");
        assert_eq!(BackupName::parse(&name.to_string()), Some(name));
        assert_eq!(name.created, at("2026-12-03T18:45:00Z"));
        assert_eq!(
            name.sidecar(),
            "bills-20261203T184500Z-pre-restore.db.sha256"
        );
        assert_eq!(
            name.partial(),
            "bills-20261203T184500Z-pre-restore.db.partial"
        );
    }

    #[test]
    fn every_kind_parses() {
        for kind in Kind::ALL {
            let name = BackupName::new(at("2026-01-02T03:04:05Z"), kind);
            assert_eq!(BackupName::parse(&name.to_string()).unwrap().kind, kind);
        }
    }

    #[test]
    fn anything_but_a_canonical_backup_name_is_refused() {
        for text in [
            "",
            "bills.db",
            "../db/bills.db",
            "bills-20261203T184500Z-manual.db/../../db/bills.db",
            "bills-20261203T184500Z-manual.db.sha256",
            "bills-20261203T184500Z-manual.db.partial",
            "bills-20261203T184500Z-weekly.db",
            "bills-20261203T184500Z-manual",
            "bills-20261203T184500Z.db",
            "bills-20261303T184500Z-manual.db",
            "bills-20261203T250000Z-manual.db",
            "bills-2026120xT184500Z-manual.db",
            "bills-+2026123T184500Z-manual.db",
            "bills-20261203184500ZZ-manual.db",
            "bills-20261203T184500Z-manual.dB",
            "Bills-20261203T184500Z-manual.db",
            "bills-20261203T184500Z-manual.db\0",
            "bills-20261203T184500Z--manual.db",
            "bills-2026-12-03T18:45-manual.db",
            "bills-é0261203T184500Z-manual.db",
        ] {
            assert_eq!(BackupName::parse(text), None, "{text:?}");
        }
    }
}
