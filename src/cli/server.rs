//! `gatehouse server`: run the central server.

use super::Failure;
use clap::Args;
use gatehouse_server::config::{Config, unrecognized_env};
use gatehouse_server::serve::{serve, url_of};
use gatehouse_server::startup::prepare;
use gatehouse_server::state::system_clock;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ServerArgs {
    /// A TOML configuration file (see server/gatehouse.example.toml).
    #[arg(long)]
    config: Option<PathBuf>,
    /// The data directory (database, keys, TLS certificate); overrides the configuration.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Address and port to listen on (port 0: any free port); overrides the configuration.
    #[arg(long)]
    listen: Option<SocketAddr>,
}

/// Loads the configuration: file, then `GATEHOUSE_…` variables, then the command-line
/// flags — passed as the variables they override, so they go through the same validation
/// (plain HTTP off loopback is refused whichever way it was asked for).
pub fn load_config(
    file: Option<&std::path::Path>,
    data_dir: Option<PathBuf>,
    listen: Option<SocketAddr>,
) -> Result<Config, Failure> {
    let mut env: Vec<(String, String)> = std::env::vars().collect();
    if let Some(dir) = data_dir {
        env.push(("GATEHOUSE_DATA_DIR".into(), dir.display().to_string()));
    }
    if let Some(listen) = listen {
        env.push(("GATEHOUSE_LISTEN".into(), listen.to_string()));
    }
    Config::load(file, env).map_err(|e| Failure::Usage(format!("configuration: {e}")))
}

pub fn run(args: ServerArgs) -> Result<(), Failure> {
    let config = load_config(args.config.as_deref(), args.data_dir, args.listen)?;
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_new(&config.log)
                .map_err(|e| Failure::Usage(format!("log: {e}")))?,
        )
        .with_writer(std::io::stderr)
        .init();
    for var in unrecognized_env(std::env::vars()) {
        tracing::warn!(%var, "ignoring an environment variable this server does not know");
    }
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|e| Failure::Usage(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async {
        let prepared = prepare(&config, system_clock())
            .await
            .map_err(|e| Failure::Usage(e.to_string()))?;
        if let Some(path) = &prepared.initial_admin_password {
            eprintln!(
                "first start: the one-time password of user \"admin\" is in {}",
                path.display()
            );
        }
        let listener = std::net::TcpListener::bind(config.listen)
            .map_err(|e| Failure::Usage(format!("cannot listen on {}: {e}", config.listen)))?;
        let url =
            url_of(&listener, prepared.tls.is_some()).map_err(|e| Failure::Usage(e.to_string()))?;
        if let Some(tls) = &prepared.tls {
            eprintln!(
                "TLS certificate SHA-256 fingerprint (devices pin it): {}",
                tls.fingerprint_hex()
            );
        }
        println!("listening on {url}");
        std::io::stdout().flush().ok();
        serve(prepared, listener, async {
            tokio::signal::ctrl_c().await.ok();
        })
        .await
        .map_err(|e| Failure::Usage(format!("server stopped: {e}")))
    })
}
