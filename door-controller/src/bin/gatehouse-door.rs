//! `gatehouse-door`: the slim binary that runs on a door controller (Raspberry Pi).
//!
//! The runtime (`enroll`, `run`, `status`, `selftest`) is built in the door controller issue.
//! Until then the binary answers `--version` and refuses everything else, so that nothing
//! installed on a Pi can look as if it controlled a door.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--version") | Some("-V") => {
            println!("gatehouse-door {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!(
                "gatehouse-door {}: the controller runtime is not built yet; only --version works",
                env!("CARGO_PKG_VERSION")
            );
            ExitCode::from(2)
        }
    }
}
