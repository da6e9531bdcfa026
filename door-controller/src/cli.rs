//! The door controller's commands: `gatehouse-door <command>` on a Pi, and the same as
//! `gatehouse door <command>` from the full binary (the demo and the whole-system tests run
//! controllers that way).
//!
//! Exit codes: 0 success, 1 a failure at run time, 2 a configuration or usage error (named,
//! before any output pin is touched), 3 `status` of a controller that is not running.

use crate::config::ControllerConfig;
use crate::probe::{self, ProbeArgs};
use crate::runtime::{self, status::StatusReport};
use crate::{clock_floor, selftest, sync};
use clap::{Args, Subcommand};
use std::io::IsTerminal;
use std::path::PathBuf;

/// `--config`.
#[derive(Debug, Args)]
pub struct ConfigArg {
    /// The configuration file.
    #[arg(long, default_value = "/etc/gatehouse/door.toml")]
    pub config: PathBuf,
}

/// A door controller command.
#[derive(Debug, Subcommand)]
pub enum DoorCommand {
    /// Join a server with a one-time enrollment code from the admin console.
    Enroll {
        /// The server, e.g. https://gatehouse.example.com:8443.
        #[arg(long)]
        server: String,
        /// The enrollment code (it pins the server's certificate).
        #[arg(long)]
        code: String,
        #[command(flatten)]
        config: ConfigArg,
    },
    /// Serve the doors: from the stored bundle at once, syncing with the server beside.
    Run(ConfigArg),
    /// Show what the running controller reports: bundle, journal, server, doors, readers.
    Status(ConfigArg),
    /// Check this build (signatures, the bundle format, the journal, decisions on a
    /// built-in sample site) and, with --config, the configuration. Exits 0 only if every
    /// check passes.
    Selftest {
        /// A configuration file to check as well.
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Reader tools for installers.
    #[command(subcommand)]
    Reader(ReaderCommand),
}

/// `reader …`.
#[derive(Debug, Subcommand)]
pub enum ReaderCommand {
    /// Bring one OSDP reader online and print what it reads, as JSON lines.
    Probe(ProbeArgs),
}

/// Runs a command; returns the exit code.
pub fn run(command: DoorCommand) -> u8 {
    match command {
        DoorCommand::Enroll {
            server,
            code,
            config,
        } => enroll(&server, &code, &config),
        DoorCommand::Run(config) => serve(&config),
        DoorCommand::Status(config) => status(&config),
        DoorCommand::Selftest { config } => {
            let config = match config.as_deref().map(ControllerConfig::load).transpose() {
                Ok(config) => config,
                Err(e) => {
                    println!("FAILED  configuration: {e}");
                    return 1;
                }
            };
            if selftest::run(config.as_ref(), &mut std::io::stdout().lock()) {
                0
            } else {
                1
            }
        }
        DoorCommand::Reader(ReaderCommand::Probe(args)) => {
            if probe::run(&args, &mut std::io::stdout().lock()) {
                0
            } else {
                1
            }
        }
    }
}

fn load(arg: &ConfigArg) -> Result<ControllerConfig, u8> {
    ControllerConfig::load(&arg.config).map_err(|e| {
        eprintln!("gatehouse-door: {}: {e}", arg.config.display());
        2
    })
}

fn tokio_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

fn enroll(server: &str, code: &str, arg: &ConfigArg) -> u8 {
    let config = match load(arg) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let state_dir = &config.controller.state_dir;
    if let Err(e) = std::fs::create_dir_all(state_dir) {
        eprintln!("gatehouse-door: state folder {}: {e}", state_dir.display());
        return 1;
    }
    match tokio_runtime().block_on(sync::enroll(server, code, state_dir)) {
        Ok(identity) => {
            println!(
                "enrolled as controller {} with {}",
                identity.controller.0, identity.server
            );
            0
        }
        Err(e) => {
            eprintln!("gatehouse-door: enrollment failed: {e}");
            1
        }
    }
}

fn serve(arg: &ConfigArg) -> u8 {
    // The configuration is checked whole before anything else: a mistake in it exits here,
    // before any output pin is opened.
    let config = match load(arg) {
        Ok(c) => c,
        Err(code) => return code,
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("GATEHOUSE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .init();
    let result = tokio_runtime().block_on(runtime::run(config, shutdown_signal()));
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("gatehouse-door: {e}");
            1
        }
    }
}

/// SIGTERM (systemd) or Ctrl-C.
pub async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

fn status(arg: &ConfigArg) -> u8 {
    let config = match load(arg) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let report = match StatusReport::load(&config.controller.state_dir) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("gatehouse-door: no status report (has the controller run?): {e}");
            return 1;
        }
    };
    let running = std::path::Path::new(&format!("/proc/{}", report.pid)).exists();
    print!("{}", report.render(clock_floor::system_now()));
    if running {
        0
    } else {
        println!(
            "NOT RUNNING: process {} is gone; this is its last report",
            report.pid
        );
        3
    }
}
