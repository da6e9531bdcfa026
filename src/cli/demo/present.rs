//! `gatehouse demo present`: a card, a PIN or a QR text at a door of the running demo, and
//! the decision the door made, as the server recorded it.

use super::Failure;
use super::controllers;
use clap::{ArgGroup, Args, ValueEnum};
use gatehouse_core::card::CardId;
use gatehouse_door::config::ControllerConfig;
use gatehouse_hardware::sim::control::Client;
use gatehouse_server::store::{EventQuery, EventRecord, Store};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("credential").required(true).args(["card", "qr", "qr_file"])))]
pub struct PresentArgs {
    /// The demo's folder.
    #[arg(long, default_value = "gatehouse-demo")]
    dir: PathBuf,
    /// The door: lobby, office, server-room or dock.
    #[arg(long)]
    door: String,
    /// Which side's reader: `in` (entering) or `out` (leaving).
    #[arg(long, value_enum, default_value = "in")]
    side: Side,
    /// A card, e.g. H10301:12:1001.
    #[arg(long)]
    card: Option<String>,
    /// A PIN typed after the card.
    #[arg(long, requires = "card")]
    pin: Option<String>,
    /// A QR code's text (`GH1:…`).
    #[arg(long)]
    qr: Option<String>,
    /// A file holding a QR code's text, e.g. gatehouse-demo/visitor-pass.txt.
    #[arg(long)]
    qr_file: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Side {
    In,
    Out,
}

/// How long the door's decision may take to reach the server.
const DECISION_WAIT: Duration = Duration::from_secs(10);

pub fn run(args: PresentArgs) -> Result<(), Failure> {
    let side = match args.side {
        Side::In => "in",
        Side::Out => "out",
    };
    let reader = format!("{}-{side}", args.door);
    let card = args
        .card
        .as_deref()
        .map(|c| {
            c.parse::<CardId>()
                .map_err(|e| Failure::Usage(format!("--card {c}: {e}")))
        })
        .transpose()?;
    let qr = match (&args.qr, &args.qr_file) {
        (Some(text), _) => Some(text.trim().to_owned()),
        (None, Some(path)) => Some(
            super::super::read_named_file(path, "QR text file")?
                .trim()
                .to_owned(),
        ),
        (None, None) => None,
    };
    let (config, door_id) = find_door(&args.dir, &args.door)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Refused(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async {
        let socket = config.sim_socket();
        let mut sim = Client::connect(&socket).await.map_err(|e| {
            Failure::Refused(format!(
                "the demo is not running ({}: {e}); start it with `cargo run --release -- demo`",
                socket.display()
            ))
        })?;
        let store = open_store(&args.dir).await?;
        let site = store
            .sites()
            .await
            .map_err(|e| Failure::Refused(format!("the demo's database: {e}")))?[0]
            .id;
        let presented_at = gatehouse_door::clock_floor::system_now().0;
        let refused = |e: gatehouse_hardware::sim::control::ControlError| {
            Failure::Refused(format!("presenting at {reader}: {e}"))
        };
        if let Some(card) = &card {
            sim.present_card(&reader, card).await.map_err(refused)?;
        }
        if let Some(pin) = &args.pin {
            sim.present_pin(&reader, pin).await.map_err(refused)?;
        }
        if let Some(text) = &qr {
            sim.present_qr(&reader, text).await.map_err(refused)?;
        }
        let decision = wait_for_decision(&store, site, door_id, presented_at).await?;
        let who = match super::feed::holder_name(&store, site, &decision).await {
            name if name.is_empty() => String::new(),
            name => format!(" ({name})"),
        };
        let verdict = if decision.granted == Some(true) {
            "OPEN"
        } else {
            "closed"
        };
        println!(
            "{reader}: {verdict}: {}{who}",
            decision.reason.as_deref().unwrap_or("")
        );
        store.close().await;
        Ok(())
    })
}

/// The configuration of the controller that has `door`, and the door's id on the server.
fn find_door(demo: &Path, door: &str) -> Result<(ControllerConfig, u32), Failure> {
    let folder = controllers::folder(demo);
    let entries = std::fs::read_dir(&folder).map_err(|e| {
        Failure::Refused(format!(
            "no demo in {} ({e}); start it with `cargo run --release -- demo`",
            demo.display()
        ))
    })?;
    let mut names = Vec::new();
    for entry in entries.flatten() {
        let Ok(config) = ControllerConfig::load(&entry.path().join("door.toml")) else {
            continue;
        };
        if let Some(found) = config.door(door) {
            let id = found.id.0;
            return Ok((config, id));
        }
        names.extend(config.doors.iter().map(|d| d.name.clone()));
    }
    names.sort();
    Err(Failure::Usage(format!(
        "--door {door}: the demo has no such door (it has {})",
        names.join(", ")
    )))
}

async fn open_store(demo: &Path) -> Result<Store, Failure> {
    let path = demo.join("data").join("gatehouse.db");
    Store::open(&Store::sqlite_url(&path))
        .await
        .map_err(|e| Failure::Refused(format!("the demo's database {}: {e}", path.display())))
}

/// The first decision at `door` from `since` on, once the controller has uploaded it.
async fn wait_for_decision(
    store: &Store,
    site: gatehouse_core::ids::SiteId,
    door: u32,
    since: i64,
) -> Result<EventRecord, Failure> {
    let query = EventQuery {
        door: Some(door),
        from: Some(since),
        limit: 100,
        ..EventQuery::default()
    };
    let deadline = Instant::now() + DECISION_WAIT;
    loop {
        let (events, _) = store
            .search_events(site, &query)
            .await
            .map_err(|e| Failure::Refused(format!("the demo's events: {e}")))?;
        // Newest first: the last access event is the first decision since `since`.
        if let Some(decision) = events.into_iter().rev().find(|e| e.kind == "access") {
            return Ok(decision);
        }
        if Instant::now() > deadline {
            return Err(Failure::Refused(format!(
                "no decision from the door within {DECISION_WAIT:?} (is the demo still running?)"
            )));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
