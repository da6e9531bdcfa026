//! Building the signed bundle a controller gets, and the delta from the one it holds.

use crate::state::AppState;
use crate::store::StoreError;
use gatehouse_core::bundle::{Bundle, BundleDelta, BundleVersion, SignedBundle, scope};
use gatehouse_core::ids::ControllerId;
use std::sync::Arc;

/// The site-wide bundle of the latest version built, shared by every controller's scoped
/// bundle of that version (building it reads the whole site).
pub type SiteBundleCache = Arc<tokio::sync::Mutex<Option<Arc<Bundle>>>>;

/// What a controller is sent.
#[derive(Debug)]
pub enum Answer {
    /// The whole signed bundle (`GHB1` form).
    Full(Vec<u8>),
    /// A delta from the version it holds (`GHD1` form).
    Delta(Vec<u8>),
}

async fn site_bundle(state: &AppState, version: BundleVersion) -> Result<Arc<Bundle>, StoreError> {
    let mut cache = state.site_bundle.lock().await;
    if let Some(bundle) = cache.as_ref().filter(|b| b.header.version == version) {
        return Ok(bundle.clone());
    }
    let trust = state.keyring.read().expect("keyring lock").trust_store();
    let bundle = Arc::new(
        state
            .store
            .site_bundle(state.site, &trust, state.now())
            .await?,
    );
    *cache = Some(bundle.clone());
    Ok(bundle)
}

/// The controller's bundle at the site's current version: a delta from `held` when the
/// server still has that version, else the whole bundle.
pub async fn answer(
    state: &AppState,
    controller: ControllerId,
    held: Option<BundleVersion>,
) -> Result<(BundleVersion, Answer), StoreError> {
    let current = state.store.policy_version(state.site).await?;
    let site = site_bundle(state, current).await?;
    let version = site.header.version;
    let doors = state.store.controller_doors(state.site, controller).await?;
    let scoped = scope::for_controller(&site, controller, &doors);
    let signed = {
        let keyring = state.keyring.read().expect("keyring lock");
        SignedBundle::sign(scoped.clone(), keyring.current())
    };
    let bytes = signed.to_bytes();
    state
        .store
        .save_controller_bundle(controller, version, &bytes, state.now().0)
        .await?;

    if let Some(held) = held.filter(|h| *h < version) {
        if let Some(old) = state.store.controller_bundle(controller, held).await? {
            let trust = state.keyring.read().expect("keyring lock").trust_store();
            let old = SignedBundle::from_bytes(&old).and_then(|s| s.verify(&trust));
            if let Ok(old) = old {
                return Ok((
                    version,
                    Answer::Delta(BundleDelta::between(&old, &scoped, &signed).to_bytes()),
                ));
            }
        }
    }
    Ok((version, Answer::Full(bytes)))
}
