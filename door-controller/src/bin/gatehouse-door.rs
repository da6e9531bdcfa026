//! `gatehouse-door`: the slim binary that runs on a door controller (Raspberry Pi).
//!
//! The runtime (`enroll`, `run`, `status`) is built in the door controller issue. Until
//! then the binary answers `--version`, `selftest` and the installer's `reader probe`, and
//! refuses everything else, so that nothing installed on a Pi can look as if it controlled
//! a door.

use clap::{Parser, Subcommand};
use gatehouse_door::probe::{self, ProbeArgs};
use gatehouse_door::selftest;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "gatehouse-door",
    version,
    about = "Gatehouse door controller",
    arg_required_else_help = true
)]
struct Cli {
    #[command(subcommand)]
    command: Top,
}

#[derive(Subcommand)]
enum Top {
    /// Check this build: signatures, the bundle format and decisions on a built-in sample
    /// site, each against a known outcome. Exits 0 only if every check passes.
    Selftest,
    /// Reader tools for installers.
    #[command(subcommand)]
    Reader(ReaderCommand),
}

#[derive(Subcommand)]
enum ReaderCommand {
    /// Bring one OSDP reader online and print what it reads, as JSON lines.
    Probe(ProbeArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Top::Selftest => {
            if selftest::run(&mut std::io::stdout().lock()) {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Top::Reader(ReaderCommand::Probe(args)) => {
            if probe::run(&args, &mut std::io::stdout().lock()) {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
    }
}
