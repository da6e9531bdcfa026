//! `gatehouse audit checkpoint|verify`: sign the audit chains' heads now, and check every
//! chain against its checkpoints — the report an auditor runs.

use super::Failure;
use super::admin::StoreArgs;
use super::server::load_config;
use clap::Subcommand;
use gatehouse_server::audit::Checkpoint;
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
        match store
            .verify_audit_stream(stream, &mine)
            .await
            .map_err(|e| usage(&e))?
        {
            Ok(verified) => println!(
                "ok {stream}: {} entries, {} checkpoints, head {}",
                verified.rows,
                mine.len(),
                verified.head.map_or_else(
                    || "none".to_string(),
                    |h| h.hash.iter().take(8).map(|b| format!("{b:02x}")).collect()
                )
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
