//! The door controller's commands: `gatehouse-door <command>` on a Pi, and the same as
//! `gatehouse door <command>` from the full binary (the demo and the whole-system tests run
//! controllers that way).
//!
//! Exit codes: 0 success, 1 a failure at run time, 2 a configuration or usage error (named,
//! before any output pin is touched), 3 `status` of a controller that is not running.

use crate::config::ControllerConfig;
use crate::probe::{self, ProbeArgs};
use crate::runtime::{self, status::StatusReport};
use crate::{clock_floor, key_escrow, key_install, selftest, sync};
use clap::{Args, Subcommand};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

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
    /// Key one OSDP reader in install mode with a new random Secure Channel key, store it
    /// and escrow it with the server. The controller must be stopped.
    InstallKey {
        /// The reader's name in the configuration.
        #[arg(long)]
        reader: String,
        /// How long to try, in seconds (at most 30: the bus is held meanwhile).
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=30))]
        seconds: u64,
        #[command(flatten)]
        config: ConfigArg,
    },
    /// Copy the reader key store to the server, sealed to its escrow key.
    Escrow(ConfigArg),
    /// On a replacement controller (enrolled under the old one's id), bring back the
    /// reader keys it escrowed. The controller must be stopped.
    RestoreKeys(ConfigArg),
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
        DoorCommand::Reader(ReaderCommand::InstallKey {
            reader,
            seconds,
            config,
        }) => install_key(&config, &reader, Duration::from_secs(seconds)),
        DoorCommand::Reader(ReaderCommand::Escrow(config)) => with_stopped(&config, false, |c| {
            tokio_runtime().block_on(key_escrow::upload(c))
        }),
        DoorCommand::Reader(ReaderCommand::RestoreKeys(config)) => {
            with_stopped(&config, true, |c| {
                tokio_runtime().block_on(key_escrow::restore(c))
            })
        }
    }
}

/// Runs `task` with the configuration, refusing first if `must_be_stopped` and the
/// controller is running; prints what it says. 0 on success, 1 on failure.
fn with_stopped(
    arg: &ConfigArg,
    must_be_stopped: bool,
    task: impl FnOnce(&ControllerConfig) -> Result<String, String>,
) -> u8 {
    let config = match load(arg) {
        Ok(c) => c,
        Err(code) => return code,
    };
    if must_be_stopped {
        if let Some(pid) = running_controller(&config) {
            eprintln!(
                "gatehouse-door: the controller is running (process {pid}); stop it first \
                 (systemctl stop gatehouse-door)"
            );
            return 1;
        }
    }
    match task(&config) {
        Ok(message) => {
            println!("{message}");
            0
        }
        Err(e) => {
            eprintln!("gatehouse-door: {e}");
            1
        }
    }
}

/// Keys the reader, then escrows the store: a key kept only on this SD card would strand
/// the reader with the card.
fn install_key(arg: &ConfigArg, reader: &str, window: Duration) -> u8 {
    let code = with_stopped(arg, true, |c| key_install::install(c, reader, window));
    if code != 0 {
        return code;
    }
    with_stopped(arg, false, |c| {
        tokio_runtime()
            .block_on(key_escrow::upload(c))
            .map_err(|e| {
                format!(
                    "NOT ESCROWED: {e}; run `gatehouse-door reader escrow` once the server is \
                     reachable, or a dead SD card strands this reader"
                )
            })
    })
}

/// The process id of this configuration's controller, if it is running.
fn running_controller(config: &ControllerConfig) -> Option<u32> {
    let report = StatusReport::load(&config.controller.state_dir).ok()?;
    report.writer_running().then_some(report.pid)
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
    let running = report.writer_running();
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
