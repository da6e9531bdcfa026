//! `gatehouse`: the command admins, installers and scripts use. Each subcommand lives in
//! its own module under `cli/`; this file only parses arguments and maps outcomes to exit
//! codes (0 success, 1 a credential or frame that is not valid, 2 a wrong command line).

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    match cli::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            if !failure.message().is_empty() {
                eprintln!("{}", failure.message());
            }
            ExitCode::from(failure.exit_code())
        }
    }
}
