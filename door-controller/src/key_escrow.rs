//! `gatehouse-door reader escrow` and `reader restore-keys`: the controller's reader key
//! store copied to the server, sealed to its escrow recipient, and brought back onto a
//! replacement controller enrolled under the same id (docs/hardware-reader-keys.md).

use crate::config::ControllerConfig;
use crate::sync::Identity;
use crate::sync::{SyncClient, seal};
use gatehouse_hardware::reader_keys::KeyStore;

/// Seals the key store to the server's escrow recipient and uploads it; what to tell the
/// installer.
pub async fn upload(config: &ControllerConfig) -> Result<String, String> {
    let state_dir = &config.controller.state_dir;
    let identity = Identity::load(state_dir).map_err(|e| format!("not enrolled: {e}"))?;
    let recipient = identity.escrow_recipient.clone().ok_or(
        "the server named no escrow recipient when this controller enrolled; enroll it again",
    )?;
    let store = KeyStore::open(&config.reader_key_store()).map_err(|e| e.to_string())?;
    let keyed = store.readers().count();
    if keyed == 0 {
        return Err("no reader is keyed: there is nothing to escrow".into());
    }
    let sealed = seal(&store.export(), &recipient).map_err(|e| e.to_string())?;
    let server = identity.server.clone();
    let client = SyncClient::new(identity).map_err(|e| e.to_string())?;
    client
        .escrow_reader_keys(sealed)
        .await
        .map_err(|e| format!("{server}: {e}"))?;
    Ok(format!(
        "the keys of {keyed} reader(s) are escrowed with {server}"
    ))
}

/// Writes the escrowed copy into this controller's empty key store (a replacement for a
/// controller whose readers were keyed); what to tell the installer.
pub async fn restore(config: &ControllerConfig) -> Result<String, String> {
    let state_dir = &config.controller.state_dir;
    let identity = Identity::load(state_dir).map_err(|e| format!("not enrolled: {e}"))?;
    let mut store = KeyStore::open(&config.reader_key_store()).map_err(|e| e.to_string())?;
    if store.readers().next().is_some() {
        return Err(format!(
            "{} holds reader keys already: restore only onto a replacement controller's empty store",
            config.reader_key_store().display()
        ));
    }
    let server = identity.server.clone();
    let client = SyncClient::new(identity).map_err(|e| e.to_string())?;
    let copy = client
        .fetch_reader_keys()
        .await
        .map_err(|e| format!("{server}: {e}"))?;
    store.restore(&copy.value).map_err(|e| e.to_string())?;
    let names: Vec<&str> = store.readers().map(|r| r.name()).collect();
    Ok(format!(
        "restored the keys of {} reader(s) from {server}: {}",
        names.len(),
        names.join(", ")
    ))
}
