//! `gatehouse-door`: the slim binary that runs on a door controller (Raspberry Pi); its
//! commands are in `gatehouse_door::cli`.

use clap::Parser;
use gatehouse_door::cli::{self, DoorCommand};
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
    command: DoorCommand,
}

fn main() -> ExitCode {
    ExitCode::from(cli::run(Cli::parse().command))
}
