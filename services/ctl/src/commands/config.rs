//! `billtracker config check`: every setting in effect, where it came from,
//! and whether the combination works.
//!
//! The list is read from clap's own description of the arguments, so a
//! setting added to any process shows up here without a second list.

use std::ffi::OsString;
use std::path::Path;

use billtracker::config::{CommonArgs, WebArgs};
use serde::Serialize;

use crate::output::{self, OK, USAGE};
use crate::settings::{self, Setting};

#[derive(Serialize)]
struct Report {
    settings: Vec<Setting>,
    time_zone: String,
    /// Where stored secrets' key comes from.
    secret_key: &'static str,
    data_dir_writable: bool,
    sign_in: crate::users::SignInCheck,
}

/// Validates the configuration and prints it; exit code 2 when it would not work.
pub fn check(
    common: &CommonArgs,
    web: &WebArgs,
    command: clap::Command,
    args: impl IntoIterator<Item = OsString>,
    json: bool,
) -> i32 {
    let settings = settings::read(command, args)
        .into_iter()
        .map(Setting::redacted)
        .collect();
    let sign_in = match crate::users::sign_in_check(common, web) {
        Ok(sign_in) => sign_in,
        Err(error) => return super::db_error(error),
    };
    let report = Report {
        settings,
        time_zone: common.time_zone_name(),
        secret_key: if common.token_encryption_key.is_some() {
            "TOKEN_ENCRYPTION_KEY"
        } else {
            "the key file keys/token-encryption.key"
        },
        data_dir_writable: writable(&common.data_dir),
        sign_in,
    };

    if json {
        output::json(&report);
    } else {
        print_text(&report);
    }

    if let Some(lockout) = &report.sign_in.lockout {
        eprintln!(
            "billtracker: invalid configuration: sign-in: {lockout}; the web server would keep \
             local login on until this is fixed"
        );
        return USAGE;
    }
    if !report.data_dir_writable {
        eprintln!(
            "billtracker: invalid configuration: DATA_DIR: {} cannot be created or written",
            common.data_dir.display()
        );
        return USAGE;
    }
    if !json {
        println!("configuration is valid");
    }
    OK
}

fn print_text(report: &Report) {
    for setting in &report.settings {
        let value = setting.value.as_deref().unwrap_or("(unset)");
        println!("{:<24} {value}  [{}]", setting.name, setting.source);
    }
    println!();
    println!("time zone in effect      {}", report.time_zone);
    println!("secret key from          {}", report.secret_key);
    println!(
        "local sign-in            {}",
        on_off(report.sign_in.local_login_enabled)
    );
    println!(
        "single sign-on           {}",
        on_off(report.sign_in.oidc_enabled)
    );
}

fn on_off(on: bool) -> &'static str {
    if on { "on" } else { "off" }
}

/// Whether the data directory exists and takes a file, or could be created
/// in its nearest existing parent. A check creates nothing for good.
fn writable(dir: &Path) -> bool {
    let mut existing = dir;
    while !existing.exists() {
        match existing.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => existing = parent,
            _ => {
                existing = Path::new(".");
                break;
            }
        }
    }
    if !existing.is_dir() {
        return false;
    }
    let probe = existing.join(format!(".billtracker-check-{}", std::process::id()));
    let created = std::fs::File::create(&probe).is_ok();
    let _ = std::fs::remove_file(&probe);
    created
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_that_does_not_exist_yet_is_not_created_by_the_check() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("a/b/data");
        assert!(writable(&data));
        assert!(!dir.path().join("a").exists());
    }

    #[test]
    fn a_path_below_a_file_is_not_writable() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        std::fs::write(&file, b"").unwrap();
        assert!(!writable(&file.join("data")));
    }
}
