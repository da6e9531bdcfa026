//! `gatehouse audit checkpoint|verify`: sign the audit chains' heads now, and check every
//! chain against its checkpoints — the report an auditor runs.

use super::Failure;
use super::admin::StoreArgs;
use super::server::load_config;
use clap::Subcommand;
use gatehouse_server::audit::{Checkpoint, Verifier};
use gatehouse_server::checkpoints::{checkpoint_all, from_file};
use gatehouse_server::data_dir::DataDir;
use gatehouse_server::keyring::Keyring;
use gatehouse_server::startup::open_store;
use gatehouse_server::state::system_clock;
use gatehouse_server::store::Store;
use std::collections::BTreeSet;
use std::sync::RwLock;

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Sign the head of every chain that grew since its last checkpoint (a running server
    /// does this every five minutes).
    Checkpoint(StoreArgs),
    /// Check every chain and checkpoint; exit 1 naming the first broken link or missing
    /// tail of each broken chain.
    Verify(StoreArgs),
}

pub fn run(cmd: AuditCommand) -> Result<(), Failure> {
    let runtime = tokio::runtime::Runtime::new().map_err(|e| Failure::Usage(e.to_string()))?;
    runtime.block_on(async {
        match cmd {
            AuditCommand::Checkpoint(args) => checkpoint(&args).await,
            AuditCommand::Verify(args) => verify(&args).await,
        }
    })
}

async fn open(args: &StoreArgs) -> Result<(std::path::PathBuf, Store, Keyring), Failure> {
    let config = load_config(args.config.as_deref(), args.data_dir.clone(), None)?;
    let keyring = Keyring::open(&DataDir::new(&config.data_dir))
        .map_err(|e| Failure::Usage(format!("issuer keys: {e}")))?;
    let store = open_store(&config)
        .await
        .map_err(|e| Failure::Usage(e.to_string()))?;
    Ok((config.data_dir, store, keyring))
}

async fn checkpoint(args: &StoreArgs) -> Result<(), Failure> {
    let (data_dir, store, keyring) = open(args).await?;
    let made = checkpoint_all(&store, &RwLock::new(keyring), &data_dir, system_clock()())
        .await
        .map_err(|e| Failure::Usage(e.to_string()))?;
    for c in made {
        println!("{}", c.to_json_line());
    }
    Ok(())
}

/// Rows read per query: a long chain is verified page by page.
const PAGE: u32 = 10_000;

async fn verify(args: &StoreArgs) -> Result<(), Failure> {
    let (data_dir, store, keyring) = open(args).await?;
    let trust = keyring.trust_store();
    let usage = |e: &dyn std::fmt::Display| Failure::Usage(e.to_string());
    // Checkpoints from the database and from the copy outside it: deleting one set does not
    // hide a cut tail.
    let mut checkpoints = from_file(&data_dir).map_err(|e| usage(&e))?;
    let streams: BTreeSet<String> = store
        .audit_streams()
        .await
        .map_err(|e| usage(&e))?
        .into_iter()
        .collect();
    let mut all_streams = streams.clone();
    for stream in &streams {
        checkpoints.extend(store.checkpoints(stream).await.map_err(|e| usage(&e))?);
    }
    all_streams.extend(checkpoints.iter().map(|c| c.stream.clone()));
    let mut broken = 0;
    for stream in &all_streams {
        let mut mine: Vec<&Checkpoint> =
            checkpoints.iter().filter(|c| &c.stream == stream).collect();
        mine.sort_by_key(|c| c.seq);
        mine.dedup_by(|a, b| a.seq == b.seq && a.head == b.head);
        if let Some(bad) = mine.iter().find_map(|c| c.verify(&trust).err()) {
            println!("BROKEN {stream}: {bad}");
            broken += 1;
            continue;
        }
        match verify_stream(&store, stream, &mine).await? {
            Ok((rows, head)) => println!(
                "ok {stream}: {rows} entries, {} checkpoints, head {head}",
                mine.len()
            ),
            Err(e) => {
                println!("BROKEN {stream}: {e}");
                broken += 1;
            }
        }
    }
    if broken > 0 {
        Err(Failure::Refused(format!(
            "audit: {broken} of {} chains are broken",
            all_streams.len()
        )))
    } else {
        Ok(())
    }
}

async fn verify_stream(
    store: &Store,
    stream: &str,
    checkpoints: &[&Checkpoint],
) -> Result<Result<(u64, String), gatehouse_server::audit::ChainBreak>, Failure> {
    let mut verifier = Verifier::new(stream, checkpoints.iter().copied());
    let (mut after, mut rows) = (0, 0u64);
    loop {
        let page = store
            .audit_entries(stream, after, PAGE)
            .await
            .map_err(|e| Failure::Usage(e.to_string()))?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for entry in &page {
            if let Err(e) = verifier.push(entry) {
                return Ok(Err(e));
            }
            rows += 1;
        }
    }
    Ok(verifier.finish().map(|head| {
        let hex = head
            .map(|h| h.hash.iter().take(8).map(|b| format!("{b:02x}")).collect())
            .unwrap_or_else(|| "none".into());
        (rows, hex)
    }))
}
