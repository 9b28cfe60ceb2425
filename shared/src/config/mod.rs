//! Configuration: environment variables, each also a command-line flag.
//!
//! Values are parsed and validated once at start. A bad value stops the
//! process with one line that names the variable, never a panic trace.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Args, ValueEnum};

use crate::paths::DataDir;

mod web;

pub use web::{OidcArgs, SameSite, TrustProxy, WebArgs};

/// Settings every process of the suite shares.
#[derive(Debug, Clone, Args)]
pub struct CommonArgs {
    /// Directory holding the databases, backups and keys.
    #[arg(long, env = "DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// Instance time zone (IANA name such as Europe/Berlin); "today" and daily schedules use it.
    #[arg(long = "tz", env = "TZ", value_parser = parse_time_zone)]
    pub time_zone: Option<InstanceTimeZone>,

    /// Log line format.
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Key material for stored secrets (at least 32 bytes); a key file under keys/ is generated when unset.
    #[arg(long, env = "TOKEN_ENCRYPTION_KEY", value_parser = parse_encryption_key, hide_env_values = true)]
    pub token_encryption_key: Option<Secret>,

    /// Seconds between two heartbeats of this process.
    #[arg(long, env = "HEARTBEAT_INTERVAL_SECS", default_value_t = 5,
          value_parser = clap::value_parser!(u64).range(1..=300))]
    pub heartbeat_interval_secs: u64,

    #[command(flatten)]
    pub backup: BackupArgs,

    #[command(flatten)]
    pub daily: DailyRunArgs,
}

/// The backup schedule: the janitor takes the backups, Status shows them.
#[derive(Debug, Clone, Args)]
pub struct BackupArgs {
    /// Time of the daily scheduled backup (HH:MM, 24-hour) in the instance time zone.
    #[arg(long, env = "BACKUP_AT", default_value = "03:00", value_parser = parse_time_of_day)]
    pub backup_at: jiff::civil::Time,

    /// Scheduled backups to keep; older ones are deleted (manual, pre-restore and pre-upgrade never are).
    #[arg(long, env = "BACKUP_RETENTION", default_value_t = 14,
          value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub backup_retention: u32,
}

fn parse_time_of_day(value: &str) -> Result<jiff::civil::Time, String> {
    let invalid = || format!("'{value}' is not a time of day such as 03:00 or 23:30");
    let (hour, minute) = value.trim().split_once(':').ok_or_else(invalid)?;
    let number = |part: &str| -> Result<i8, String> {
        if part.len() != 2 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        part.parse().map_err(|_| invalid())
    };
    jiff::civil::Time::new(number(hour)?, number(minute)?, 0, 0).map_err(|_| invalid())
}

impl CommonArgs {
    pub fn data(&self) -> DataDir {
        DataDir::new(&self.data_dir)
    }

    pub fn heartbeat_interval(&self) -> Duration {
        Duration::from_secs(self.heartbeat_interval_secs)
    }

    /// The instance time zone: `TZ`, else the system's, else UTC.
    pub fn time_zone(&self) -> jiff::tz::TimeZone {
        match &self.time_zone {
            Some(tz) => tz.zone.clone(),
            None => jiff::tz::TimeZone::try_system().unwrap_or(jiff::tz::TimeZone::UTC),
        }
    }

    /// The name of the instance time zone, for logs and Status.
    pub fn time_zone_name(&self) -> String {
        self.time_zone().iana_name().unwrap_or("UTC").to_string()
    }
}

/// The daily run's schedule (the janitor runs it; Status shows the next one).
#[derive(Debug, Clone, Args)]
pub struct DailyRunArgs {
    /// Local time (HH:MM, instance time zone) of the daily run.
    #[arg(long, env = "DAILY_RUN_AT", default_value = "06:00", value_parser = parse_time_of_day)]
    pub daily_run_at: jiff::civil::Time,
}

/// Settings of the three queue workers.
#[derive(Debug, Clone, Args)]
pub struct WorkerArgs {
    /// Jobs this process runs at the same time.
    #[arg(long, env = "WORKER_CONCURRENCY", default_value_t = 4,
          value_parser = clap::value_parser!(u16).range(1..=64))]
    pub worker_concurrency: u16,

    /// Milliseconds between two looks for new jobs.
    #[arg(long, env = "QUEUE_POLL_MS", default_value_t = 500,
          value_parser = clap::value_parser!(u64).range(50..=60_000))]
    pub queue_poll_ms: u64,

    /// Seconds between two queue heartbeats; jobs of a worker that missed two go back to the queue.
    #[arg(long, env = "QUEUE_HEARTBEAT_SECS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=600))]
    pub queue_heartbeat_secs: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// A validated instance time zone.
#[derive(Clone)]
pub struct InstanceTimeZone {
    zone: jiff::tz::TimeZone,
}

impl fmt::Debug for InstanceTimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.zone.iana_name().unwrap_or("custom"))
    }
}

fn parse_time_zone(value: &str) -> Result<InstanceTimeZone, String> {
    // POSIX allows a leading colon (":Europe/Paris"); ":/etc/localtime" means the system zone.
    let name = value.trim_start_matches(':');
    if name.starts_with('/') {
        return jiff::tz::TimeZone::try_system()
            .map(|zone| InstanceTimeZone { zone })
            .map_err(|e| e.to_string());
    }
    jiff::tz::TimeZone::get(name)
        .map(|zone| InstanceTimeZone { zone })
        .map_err(|_| format!("'{name}' is not a known IANA time zone (for example Europe/Berlin)"))
}

/// A secret value: compared and used, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// The shortest accepted `TOKEN_ENCRYPTION_KEY`, in bytes.
pub const MIN_ENCRYPTION_KEY_BYTES: usize = 32;

fn parse_encryption_key(value: &str) -> Result<Secret, String> {
    if value.len() < MIN_ENCRYPTION_KEY_BYTES {
        return Err(format!(
            "too short: it has {} bytes, at least {MIN_ENCRYPTION_KEY_BYTES} are needed \
             (generate one with `openssl rand -base64 48`)",
            value.len()
        ));
    }
    Ok(Secret(value.to_string()))
}

/// Parses the configuration of a binary from its flags and environment.
///
/// `--help` and `--version` print and exit 0. Any invalid value prints one
/// line naming the environment variable and the flag, and exits with code 2.
pub fn parse<T: clap::Parser>() -> T {
    parse_from(std::env::args_os())
}

/// [`parse`] over explicit arguments, for tests and the CLI.
pub fn parse_from<T, I, A>(args: I) -> T
where
    T: clap::Parser,
    I: IntoIterator<Item = A>,
    A: Into<std::ffi::OsString> + Clone,
{
    let mut command = T::command();
    let parsed = command
        .try_get_matches_from_mut(args)
        .and_then(|mut matches| {
            if let Err(refusal) = check_combinations(&matches) {
                eprintln!("{}: invalid configuration: {refusal}", command.get_name());
                std::process::exit(2);
            }
            T::from_arg_matches_mut(&mut matches)
        });
    match parsed {
        Ok(config) => config,
        Err(err) => match err.kind() {
            ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
                let name = command.get_name().to_string();
                eprintln!(
                    "{name}: invalid configuration: {}",
                    describe_invalid_value(&command, &err)
                );
                std::process::exit(2);
            }
            _ => err.exit(),
        },
    }
}

/// Values that are valid one by one but not together, as one line naming
/// the variable. Reads the parsed matches, so that it applies to whichever
/// binary defines the values.
fn check_combinations(matches: &clap::ArgMatches) -> Result<(), String> {
    let value = |id: &str| matches.try_get_one::<bool>(id).ok().flatten().copied();
    let same_site = matches
        .try_get_one::<SameSite>("csrf_same_site")
        .ok()
        .flatten();
    // Browsers drop a SameSite=None cookie without Secure, and Secure is
    // certain only when COOKIE_SECURE, else HTTPS, says so.
    if same_site == Some(&SameSite::None) && value("cookie_secure").or(value("https")) != Some(true)
    {
        let why = if value("cookie_secure") == Some(false) {
            "COOKIE_SECURE=false"
        } else {
            "HTTPS is not set to true"
        };
        return Err(format!(
            "CSRF_SAME_SITE (--csrf-same-site): 'none' needs Secure cookies (browsers refuse \
             SameSite=None without them), but {why}; serve the app over HTTPS and set \
             HTTPS=true, or use CSRF_SAME_SITE=lax or strict"
        ));
    }
    Ok(())
}

/// Formats a clap value error as "VARIABLE (--flag): invalid value 'x': reason".
fn describe_invalid_value(command: &clap::Command, err: &clap::Error) -> String {
    let arg_text = match err.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(s)) => s.clone(),
        _ => String::new(),
    };
    let value = match err.get(ContextKind::InvalidValue) {
        Some(ContextValue::String(s)) => s.clone(),
        _ => String::new(),
    };
    let reason = err
        .source()
        .map(|s| s.to_string())
        .unwrap_or_else(|| "not an accepted value".to_string());

    let flag = arg_text.split_whitespace().next().unwrap_or_default();
    let env_name = find_env_name(command, flag);
    let secret = matches!(
        env_name.as_deref(),
        Some("TOKEN_ENCRYPTION_KEY" | "ADMIN_PASSWORD" | "OIDC_CLIENT_SECRET")
    );
    let shown_value = if secret {
        "[redacted]".to_string()
    } else {
        value
    };
    match env_name {
        Some(env) => format!("{env} ({flag}): invalid value '{shown_value}': {reason}"),
        None => format!("{arg_text}: invalid value '{shown_value}': {reason}"),
    }
}

fn find_env_name(command: &clap::Command, flag: &str) -> Option<String> {
    let long = flag.trim_start_matches("--");
    let found = command
        .get_arguments()
        .find(|arg| arg.get_long() == Some(long))
        .and_then(|arg| arg.get_env())
        .map(|env| env.to_string_lossy().into_owned());
    found.or_else(|| {
        command
            .get_subcommands()
            .find_map(|sub| find_env_name(sub, flag))
    })
}

/// Exits with code 2 and one line naming the variable, for checks that need
/// more than a value parser (a data directory that cannot be written).
pub fn fail(program: &str, variable: &str, message: impl fmt::Display) -> ! {
    eprintln!("{program}: invalid configuration: {variable}: {message}");
    std::process::exit(2);
}

use std::error::Error as _;

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, Parser};

    #[derive(Debug, Parser)]
    struct Probe {
        #[command(flatten)]
        common: CommonArgs,
    }

    #[test]
    fn short_key_is_refused_with_the_variable_name() {
        let err = Probe::try_parse_from(["probe", "--token-encryption-key", "short"]).unwrap_err();
        let text = describe_invalid_value(&Probe::command(), &err);
        assert!(
            text.starts_with("TOKEN_ENCRYPTION_KEY (--token-encryption-key)"),
            "{text}"
        );
        assert!(
            !text.contains("short'"),
            "the key must not be echoed: {text}"
        );
    }

    #[test]
    fn secrets_are_redacted_in_debug() {
        let key = "k".repeat(40);
        let probe = Probe::try_parse_from(["probe", "--token-encryption-key", &key]).unwrap();
        let shown = format!("{probe:?}");
        assert!(!shown.contains(&key));
        assert!(shown.contains("[redacted]"));
    }

    #[test]
    fn the_backup_time_is_a_24_hour_time_of_day() {
        let probe = Probe::try_parse_from(["probe"]).unwrap();
        assert_eq!(probe.common.backup.backup_at, jiff::civil::time(3, 0, 0, 0));
        assert_eq!(probe.common.backup.backup_retention, 14);
        let late = Probe::try_parse_from(["probe", "--backup-at", "23:30"]).unwrap();
        assert_eq!(
            late.common.backup.backup_at,
            jiff::civil::time(23, 30, 0, 0)
        );
        for bad in ["3:00", "24:00", "12:60", "noon", "12:00:00"] {
            let err = Probe::try_parse_from(["probe", "--backup-at", bad]).unwrap_err();
            let text = describe_invalid_value(&Probe::command(), &err);
            assert!(text.starts_with("BACKUP_AT (--backup-at)"), "{bad}: {text}");
        }
        let err = Probe::try_parse_from(["probe", "--backup-retention", "0"]).unwrap_err();
        let text = describe_invalid_value(&Probe::command(), &err);
        assert!(
            text.starts_with("BACKUP_RETENTION (--backup-retention)"),
            "{text}"
        );
    }

    #[derive(Debug, Parser)]
    struct WebProbe {
        #[command(flatten)]
        web: WebArgs,
    }

    fn combination(args: &[&str]) -> Result<(), String> {
        let mut argv = vec!["web"];
        argv.extend_from_slice(args);
        check_combinations(&WebProbe::command().try_get_matches_from(argv).unwrap())
    }

    #[test]
    fn csrf_same_site_none_is_refused_unless_cookies_are_surely_secure() {
        for refused in [
            &["--csrf-same-site", "none"][..],
            &["--csrf-same-site", "none", "--https", "false"],
            &["--csrf-same-site", "none", "--cookie-secure", "false"],
            &[
                "--csrf-same-site",
                "none",
                "--cookie-secure",
                "false",
                "--https",
                "true",
            ],
        ] {
            let text = combination(refused).unwrap_err();
            assert!(
                text.starts_with("CSRF_SAME_SITE (--csrf-same-site): 'none' needs Secure cookies"),
                "{refused:?}: {text}"
            );
        }
        assert!(
            combination(&["--csrf-same-site", "none", "--cookie-secure", "false"])
                .unwrap_err()
                .contains("COOKIE_SECURE=false")
        );
        for accepted in [
            &["--csrf-same-site", "none", "--https", "true"][..],
            &["--csrf-same-site", "none", "--cookie-secure", "true"],
            &["--csrf-same-site", "lax"],
            &["--cookie-secure", "false"],
            &[],
        ] {
            assert_eq!(combination(accepted), Ok(()), "{accepted:?}");
        }
        // Binaries without these settings are not affected.
        let matches = Probe::command().try_get_matches_from(["probe"]).unwrap();
        assert_eq!(check_combinations(&matches), Ok(()));
    }

    #[test]
    fn unknown_time_zone_is_refused() {
        let err = Probe::try_parse_from(["probe", "--tz", "Mars/Olympus"]).unwrap_err();
        let text = describe_invalid_value(&Probe::command(), &err);
        assert!(text.starts_with("TZ (--tz)"), "{text}");
    }
}
