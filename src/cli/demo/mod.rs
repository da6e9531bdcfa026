//! `gatehouse demo`: the whole system on this machine. A server on SQLite in the demo's own
//! folder, a site entered into it, and two door controllers — real `gatehouse door run`
//! processes on the simulated hardware, enrolled with one-time codes like Raspberry Pis.
//! `gatehouse demo present` presents a card, a PIN or a QR text at a door; the demo shows
//! every decision as the server receives it. Ctrl-C stops the controllers, then the server.

mod controllers;
mod feed;
mod folder;
mod present;
mod site;
mod terminal_qr;

use super::Failure;
use clap::{Args, Subcommand};
use controllers::Running;
use gatehouse_server::config::Config;
use gatehouse_server::serve::{serve, url_of};
use gatehouse_server::startup::{Prepared, prepare};
use gatehouse_server::state::system_clock;
use site::DemoSite;
use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct DemoArgs {
    #[command(subcommand)]
    command: Option<DemoCommand>,
    /// The demo's own folder, started afresh on every run.
    #[arg(long, default_value = "gatehouse-demo")]
    dir: PathBuf,
    /// Where the server listens (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
}

#[derive(Debug, Subcommand)]
enum DemoCommand {
    /// Present a card (and PIN) or a QR text at a door of the running demo, and show what
    /// the door decided.
    Present(present::PresentArgs),
}

/// How long a controller may take to serve its doors from the server's first bundle.
const FIRST_BUNDLE_WAIT: Duration = Duration::from_secs(30);
/// How long a controller may take to stop after SIGTERM.
const STOP_GRACE: Duration = Duration::from_secs(10);

pub fn run(args: DemoArgs) -> Result<(), Failure> {
    match args.command {
        Some(DemoCommand::Present(present)) => present::run(present),
        None => run_demo(&args.dir, args.listen),
    }
}

fn run_demo(dir: &Path, listen: SocketAddr) -> Result<(), Failure> {
    folder::start_afresh(dir)?;
    let absolute = std::path::absolute(dir)
        .map_err(|e| Failure::Refused(format!("{}: {e}", dir.display())))?;
    log_to(&absolute.join("server.log"))?;
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|e| Failure::Refused(format!("cannot start the runtime: {e}")))?;
    let result = runtime.block_on(demo(dir, &absolute, listen));
    folder::finish(&absolute);
    result
}

/// The server's log goes to a file: the terminal is for the decisions.
fn log_to(path: &Path) -> Result<(), Failure> {
    let file = std::fs::File::create(path)
        .map_err(|e| Failure::Refused(format!("{}: {e}", path.display())))?;
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("info"))
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .init();
    Ok(())
}

/// `shown` is the folder as the user named it (for the commands printed), `dir` the same
/// made absolute (for the controllers' configurations).
async fn demo(shown: &Path, dir: &Path, listen: SocketAddr) -> Result<(), Failure> {
    let refused = |what: &str, e: &dyn std::fmt::Display| Failure::Refused(format!("{what}: {e}"));
    let config = Config {
        data_dir: dir.join("data"),
        listen,
        ..Config::default()
    };
    let prepared = prepare(&config, system_clock())
        .await
        .map_err(|e| refused("starting the server", &e))?;
    let password = admin_password(&prepared)?;
    let listener = std::net::TcpListener::bind(listen)
        .map_err(|e| refused(&format!("listening on {listen}"), &e))?;
    let url =
        url_of(&listener, prepared.tls.is_some()).map_err(|e| refused("the server's URL", &e))?;
    let fingerprint = prepared.tls.as_ref().map(|t| t.fingerprint_hex());
    let state = prepared.state.clone();
    let site = site::seed(&state)
        .await
        .map_err(|e| refused("entering the demo site", &e))?;
    std::fs::write(
        dir.join("visitor-pass.txt"),
        format!("{}\n", site.visitor_pass),
    )
    .map_err(|e| refused("writing the visitor pass", &e))?;
    // The public half of the server's issuer key, to check passes with the credential tools.
    let issuer = state
        .keyring
        .read()
        .expect("keyring lock")
        .current()
        .public();
    std::fs::write(dir.join("issuer.pub"), issuer.to_spki_pem())
        .map_err(|e| refused("writing the issuer's public key", &e))?;

    let (stop_server, server_stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(prepared, listener, async {
        let _ = server_stopped.await;
    }));
    let mut running = Vec::new();
    let started = start_controllers(dir, &state, &url, &site, &mut running).await;
    if started.is_ok() {
        print_welcome(
            shown,
            &url,
            fingerprint.as_deref(),
            &password,
            &site,
            &running,
        );
        show_decisions(&state, &site, &mut running).await;
        println!("\nStopping: the controllers, then the server.");
    }
    for controller in running {
        tokio::task::spawn_blocking(move || controller.stop(STOP_GRACE))
            .await
            .ok();
    }
    let _ = stop_server.send(());
    let served = server.await;
    started?;
    match served {
        Ok(Ok(())) => {
            println!("Stopped. What the demo left is in {}.", shown.display());
            Ok(())
        }
        Ok(Err(e)) => Err(refused("the server", &e)),
        Err(e) => Err(refused("the server", &e)),
    }
}

/// The first admin's one-time password, which the server wrote on its first start.
fn admin_password(prepared: &Prepared) -> Result<String, Failure> {
    let path = prepared.initial_admin_password.as_ref().ok_or_else(|| {
        Failure::Refused("the demo's server has an admin already: its folder was not fresh".into())
    })?;
    std::fs::read_to_string(path)
        .map(|p| p.trim().to_owned())
        .map_err(|e| Failure::Refused(format!("{}: {e}", path.display())))
}

async fn start_controllers(
    dir: &Path,
    state: &gatehouse_server::state::AppState,
    url: &str,
    site: &DemoSite,
    running: &mut Vec<Running>,
) -> Result<(), Failure> {
    for controller in &site.controllers {
        let started = controllers::start(dir, state, url, controller)
            .await
            .map_err(Failure::Refused)?;
        running.push(started);
    }
    for controller in running.iter_mut() {
        controller
            .wait_until_serving(FIRST_BUNDLE_WAIT)
            .await
            .map_err(Failure::Refused)?;
    }
    Ok(())
}

fn print_welcome(
    shown: &Path,
    url: &str,
    fingerprint: Option<&str>,
    password: &str,
    site: &DemoSite,
    running: &[Running],
) {
    let dir = shown.display();
    println!("Gatehouse demo: a server and two door controllers on this machine, in {dir}/\n");
    println!("  server       {url}  (the API under /api/v1, described at /openapi.json)");
    if let Some(fingerprint) = fingerprint {
        println!(
            "               certificate SHA-256 {fingerprint} (self-signed; the controllers pinned it)"
        );
    }
    println!(
        "  admin        user \"admin\", one-time password {password} (POST /api/v1/auth/login; change it first)"
    );
    for (controller, process) in site.controllers.iter().zip(running) {
        let doors: Vec<&str> = controller.doors.iter().map(|d| d.name).collect();
        println!(
            "  controller   {:<9} doors {:<20} log {}",
            controller.name,
            doors.join(", "),
            process.log.display()
        );
    }
    println!(
        "\nThe site: HQ with a lobby, an office floor, a server room (two IT people together) and a loading dock."
    );
    for person in &site.people {
        println!(
            "  {:<15} card {}  {}",
            person.name, person.card, person.note
        );
    }
    println!(
        "  Victor Visser   a visitor hosted by Alice: a pass for the lobby and the office floor, in {dir}/visitor-pass.txt"
    );
    if let Some(qr) = terminal_qr::render(&site.visitor_pass) {
        println!("{qr}");
    }
    let dir_arg = if shown == Path::new("gatehouse-demo") {
        String::new()
    } else {
        format!(" --dir {dir}")
    };
    let present = format!("cargo run --release -- demo present{dir_arg}");
    println!("Present at a door from another terminal, for example:");
    println!("  {present} --door lobby --card H10301:12:1001");
    println!("  {present} --door office --card H10301:12:1006");
    println!("  {present} --door lobby --qr-file {dir}/visitor-pass.txt");
    println!(
        "  {present} --door server-room --card H10301:12:1002   (then Carol's, 1003, within the two-person window)"
    );
    println!("  {present} --door dock --side out --card H10301:12:1005");
    println!(
        "\nCheck the visitor's pass with the credential tools:\n  \
         cargo run --release -- credential verify --trust {dir}/issuer.pub \"$(cat {dir}/visitor-pass.txt)\""
    );
    println!("\nDecisions as the server receives them from the doors (Ctrl-C stops everything):");
    std::io::stdout().flush().ok();
}

/// Prints each event as it reaches the server, until Ctrl-C or SIGTERM.
async fn show_decisions(
    state: &gatehouse_server::state::AppState,
    site: &DemoSite,
    running: &mut [Running],
) {
    let doors: HashMap<u64, String> = site
        .controllers
        .iter()
        .flat_map(|c| &c.doors)
        .map(|d| (u64::from(d.id.0), d.name.to_owned()))
        .collect();
    let controllers = site
        .controllers
        .iter()
        .map(|c| (u64::from(c.id.0), c.name.to_owned()))
        .collect();
    let since = state.now().0 - 60_000;
    let mut feed = feed::Feed::new(state.store.clone(), state.site, since, doors, controllers);
    let stop = gatehouse_door::cli::shutdown_signal();
    tokio::pin!(stop);
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    loop {
        tokio::select! {
            () = &mut stop => return,
            _ = tick.tick() => {}
        }
        match feed.next_lines().await {
            Ok(lines) => lines.iter().for_each(|l| println!("{l}")),
            Err(e) => println!("  (the events could not be read: {e})"),
        }
        for controller in running.iter_mut() {
            if let Some(status) = controller.exited() {
                println!(
                    "  controller {} stopped ({status}); see {}",
                    controller.name,
                    controller.log.display()
                );
                return;
            }
        }
        std::io::stdout().flush().ok();
    }
}
