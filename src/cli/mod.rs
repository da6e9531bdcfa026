//! The `gatehouse` command line.

mod admin;
mod audit;
mod backup;
mod card;
mod credential;
mod demo;
mod export;
mod keys;
mod server;

use clap::{Parser, Subcommand};

/// Gatehouse: physical access control and visitor management.
#[derive(Debug, Parser)]
#[command(name = "gatehouse", version, about)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Issuer keys.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Issue and verify QR credentials (visitor passes, staff QR badges, property passes).
    #[command(subcommand)]
    Credential(credential::CredentialCommand),
    /// Inspect what card readers send.
    #[command(subcommand)]
    Card(card::CardCommand),
    /// Show Gatehouse deciding at doors of a sample site.
    Demo(demo::DemoArgs),
    /// Run the central server.
    Server(server::ServerArgs),
    /// The tamper-evident audit log.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Console users: create one, or reset a password (prints a one-time password).
    #[command(subcommand)]
    Admin(admin::AdminCommand),
    /// Back up the server (database, keys, TLS, checkpoints) to one file.
    Backup(backup::BackupArgs),
    /// Restore a backup into a data directory and start a new bundle epoch.
    Restore(backup::RestoreArgs),
    /// Export what the server holds (events as CSV).
    #[command(subcommand)]
    Export(export::ExportCommand),
    /// The door controller's commands (as `gatehouse-door` has them on a Pi).
    #[command(subcommand)]
    Door(gatehouse_door::cli::DoorCommand),
}

/// Runs a parsed command line.
pub fn run(args: Args) -> Result<(), Failure> {
    match args.command {
        Command::Keys(cmd) => keys::run(cmd),
        Command::Credential(cmd) => credential::run(cmd),
        Command::Card(cmd) => card::run(cmd),
        Command::Demo(args) => demo::run(args),
        Command::Server(args) => server::run(args),
        Command::Audit(cmd) => audit::run(cmd),
        Command::Admin(cmd) => admin::run(cmd),
        Command::Backup(args) => backup::run_backup(args),
        Command::Restore(args) => backup::run_restore(args),
        Command::Export(cmd) => export::run(cmd),
        Command::Door(cmd) => match gatehouse_door::cli::run(cmd) {
            0 => Ok(()),
            // The door commands print their own messages.
            code => Err(Failure::Exit(code)),
        },
    }
}

/// Why a command did not succeed, and so its exit status.
#[derive(Debug)]
pub enum Failure {
    /// The input was judged and refused (exit 1): `denied: expired`, `invalid: bad_parity`.
    Refused(String),
    /// The command line or its files are wrong (exit 2).
    Usage(String),
    /// A command that printed its own message ended with this exit status.
    Exit(u8),
}

impl Failure {
    /// What to print on stderr.
    pub fn message(&self) -> &str {
        match self {
            Failure::Refused(m) | Failure::Usage(m) => m,
            Failure::Exit(_) => "",
        }
    }

    /// The process exit status.
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Refused(_) => 1,
            Failure::Usage(_) => 2,
            Failure::Exit(code) => *code,
        }
    }
}

/// Reads a file the command line named; failing is a usage error.
fn read_named_file(path: &std::path::Path, what: &str) -> Result<String, Failure> {
    std::fs::read_to_string(path)
        .map_err(|e| Failure::Usage(format!("cannot read {what} {}: {e}", path.display())))
}

/// The current time, for commands that default to "now".
fn now() -> gatehouse_core::time::Timestamp {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    gatehouse_core::time::Timestamp(i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX))
}

/// Parses an RFC 3339 time argument.
fn parse_time(text: &str) -> Result<gatehouse_core::time::Timestamp, String> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| gatehouse_core::time::Timestamp::from_utc(t.to_utc()))
        .map_err(|e| format!("{text:?} is not an RFC 3339 time (e.g. 2026-11-25T09:00:00Z): {e}"))
}
