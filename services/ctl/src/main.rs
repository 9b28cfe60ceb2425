//! `billtracker`: the operator CLI of the BillTracker suite.
//!
//! It works on the data directory directly (`DATA_DIR`, default `./data`),
//! so it answers with any other process stopped. Exit codes: 0 success,
//! 1 a check failed, 2 usage or configuration error, 3 database unreachable.

mod backup;
mod commands;
mod output;
mod run_all;
mod settings;
mod users;

use std::process::ExitCode;

use billtracker::accounts::Role;
use billtracker::config::{CommonArgs, WebArgs, WorkerArgs};
use billtracker::heartbeat::Service;
use billtracker::jobs::QueueName;
use billtracker::queue::JobState;
use clap::{CommandFactory, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "billtracker", version, about = "BillTracker operator CLI")]
struct Cli {
    #[command(flatten)]
    common: CommonArgs,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Services, schema, queues and the last integrity check.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Exit 0 when SERVICE has a fresh heartbeat written from this host (container health checks).
    Health {
        #[arg(value_parser = parse_service)]
        service: Service,
    },
    /// Inspect and repair the job queue.
    #[command(subcommand)]
    Queue(QueueCommand),
    /// Check, migrate and inspect the application database.
    #[command(subcommand)]
    Db(DbCommand),
    /// Create, list, verify and restore managed backups of the database.
    #[command(subcommand)]
    Backup(BackupCommand),
    /// Validate the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Rescue accounts when nobody can sign in.
    #[command(subcommand)]
    User(UserCommand),
    /// Sign-in settings rescue.
    #[command(subcommand)]
    Auth(AuthCommand),
    /// Start the four processes on DATA_DIR with merged logs; Ctrl+C stops them all.
    RunAll {
        #[command(flatten)]
        web: WebArgs,
    },
}

#[derive(Debug, Subcommand)]
enum QueueCommand {
    /// Jobs per queue and state, and the age of the oldest waiting job.
    Stats {
        #[arg(long)]
        json: bool,
    },
    /// Jobs, newest first.
    List {
        #[arg(long, value_enum)]
        queue: Option<QueueName>,
        #[arg(long, value_enum)]
        state: Option<JobState>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    /// One job with its payload and last result.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Queue a failed or killed job again.
    Retry { id: String },
    /// Stop a waiting job from running.
    Kill { id: String },
    /// Delete finished jobs older than an age (e.g. 7d, 12h).
    Purge {
        #[arg(long, value_enum, default_value_t = JobState::Done)]
        state: JobState,
        #[arg(long, value_parser = commands::parse_age)]
        older_than: std::time::Duration,
    },
    /// Queue N probe jobs that each write one row when handled, to check a worker end to end.
    Probe {
        #[arg(long, value_enum)]
        queue: QueueName,
        #[arg(long, default_value_t = 1)]
        count: usize,
        /// Wait until every probe was handled, at most this many seconds.
        #[arg(long, default_value_t = 0)]
        wait: u64,
        /// Each probe waits this long before writing its row (a stand-in for a slow job).
        #[arg(long)]
        hold_ms: Option<u64>,
    },
}

#[derive(Debug, Subcommand)]
enum DbCommand {
    /// PRAGMA integrity_check on bills.db; prints "ok" when sound.
    Check {
        #[arg(long)]
        json: bool,
    },
    /// Apply pending migrations.
    Migrate,
    /// Schema version of the database and of this binary.
    Version {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum BackupCommand {
    /// Take a manual backup of the live database now.
    Create {
        #[arg(long)]
        json: bool,
    },
    /// Every backup, newest first, with its kind, size and checksum state.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Check a backup's checksum, integrity and schema; exit 1 when it fails.
    Verify {
        /// The backup's file name, as `backup list` shows it.
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Restore a backup into the live database; the database as it was is saved first.
    Restore {
        /// The backup's file name, as `backup list` shows it.
        id: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Every user with role, state and sign-in source.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Set a new one-time password (printed); the user must change it and their sessions end.
    ResetPassword { username: String },
    /// Make a user admin or user; their sessions end.
    SetRole {
        username: String,
        #[arg(value_parser = parse_role)]
        role: Role,
    },
    /// Let a deactivated user sign in again.
    Activate { username: String },
    /// Stop a user from signing in; their sessions end at once.
    Deactivate { username: String },
}

#[derive(Debug, Subcommand)]
enum AuthCommand {
    /// Turn local (password) login back on, e.g. when the OIDC provider is broken.
    EnableLocalLogin,
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| "expected admin or user".to_string())
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Validate every setting and print the effective values, secrets redacted.
    Check {
        #[command(flatten)]
        web: WebArgs,
        /// Validated and listed; the check itself needs none of them.
        #[command(flatten)]
        worker: WorkerArgs,
        #[arg(long)]
        json: bool,
    },
}

fn parse_service(name: &str) -> Result<Service, String> {
    Service::parse(name)
        .ok_or_else(|| "expected one of web, sync-worker, notifier, janitor".to_string())
}

fn main() -> ExitCode {
    let cli: Cli = billtracker::config::parse();
    billtracker::telemetry::init_cli(cli.common.log_format);
    let code = match cli.command {
        Command::Status { json } => commands::status(&cli.common, json),
        Command::Health { service } => commands::health(&cli.common, service),
        Command::Queue(command) => match command {
            QueueCommand::Stats { json } => commands::queue_stats(&cli.common, json),
            QueueCommand::List {
                queue,
                state,
                limit,
                json,
            } => commands::queue_list(&cli.common, queue, state, limit, json),
            QueueCommand::Show { id, json } => commands::queue_show(&cli.common, &id, json),
            QueueCommand::Retry { id } => commands::queue_retry(&cli.common, &id),
            QueueCommand::Kill { id } => commands::queue_kill(&cli.common, &id),
            QueueCommand::Purge { state, older_than } => {
                commands::queue_purge(&cli.common, state, older_than)
            }
            QueueCommand::Probe {
                queue,
                count,
                wait,
                hold_ms,
            } => commands::queue_probe(&cli.common, queue, count, wait, hold_ms),
        },
        Command::Db(command) => match command {
            DbCommand::Check { json } => commands::db_check(&cli.common, json),
            DbCommand::Migrate => commands::db_migrate(&cli.common),
            DbCommand::Version { json } => commands::db_version(&cli.common, json),
        },
        Command::Backup(command) => match command {
            BackupCommand::Create { json } => backup::create(&cli.common, json),
            BackupCommand::List { json } => backup::list(&cli.common, json),
            BackupCommand::Verify { id, json } => backup::verify(&cli.common, &id, json),
            BackupCommand::Restore { id, json } => backup::restore(&cli.common, &id, json),
        },
        Command::Config(ConfigCommand::Check {
            web,
            worker: _,
            json,
        }) => commands::config_check(&cli.common, &web, Cli::command(), std::env::args_os(), json),
        Command::User(command) => match command {
            UserCommand::List { json } => users::list(&cli.common, json),
            UserCommand::ResetPassword { username } => {
                users::reset_password(&cli.common, &username)
            }
            UserCommand::SetRole { username, role } => {
                users::set_role(&cli.common, &username, role)
            }
            UserCommand::Activate { username } => users::set_active(&cli.common, &username, true),
            UserCommand::Deactivate { username } => {
                users::set_active(&cli.common, &username, false)
            }
        },
        Command::Auth(AuthCommand::EnableLocalLogin) => users::enable_local_login(&cli.common),
        Command::RunAll { web } => {
            let settings = settings::read(Cli::command(), std::env::args_os());
            run_all::run(&cli.common, &web, &settings)
        }
    };
    ExitCode::from(code as u8)
}
