//! Building the signed bundle a controller gets, and the delta from the one it holds.

use crate::keyring::Keyring;
use crate::state::AppState;
use crate::store::StoreError;
use gatehouse_core::bundle::{Bundle, BundleDelta, BundleVersion, SignedBundle, scope};
use gatehouse_core::credential::IssuerKey;
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

/// What the server knows of the bundle a controller holds.
enum Held {
    /// None: a new controller, which trusts the server it pinned at enrollment.
    Nothing,
    /// This bundle, as the server sent it.
    Known(Box<Bundle>),
    /// A version the server no longer keeps (it keeps the last few per controller).
    Unknown,
}

/// The key to sign a controller's next bundle with. A controller verifies a new bundle
/// against the keys trusted by the one it holds, so after a rotation the first bundle it
/// gets is signed with a key it already trusts and brings the new key into its
/// `trusted_keys`; the one after is signed with the new key. For a held bundle the server
/// no longer has, a key older than the current one is the better guess (a controller that
/// slept through more than one rotation and all the kept versions must enroll again).
fn signing_key<'k>(keyring: &'k Keyring, held: &Held) -> &'k IssuerKey {
    let current = keyring.current();
    match held {
        Held::Nothing => current,
        Held::Known(bundle) => {
            let trusted = |k: &IssuerKey| {
                bundle
                    .trusted_keys
                    .iter()
                    .any(|t| t.0 == k.public().to_bytes())
            };
            if trusted(current) {
                return current;
            }
            keyring
                .list()
                .iter()
                .filter_map(|info| keyring.get(info.id))
                .find(|k| trusted(k))
                .unwrap_or(current)
        }
        Held::Unknown => keyring
            .list()
            .iter()
            .find(|info| !info.current)
            .and_then(|info| keyring.get(info.id))
            .unwrap_or(current),
    }
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

    let held = match held {
        None => Held::Nothing,
        Some(h) => match state.store.controller_bundle(controller, h).await? {
            Some(bytes) => {
                let trust = state.keyring.read().expect("keyring lock").trust_store();
                SignedBundle::from_bytes(&bytes)
                    .and_then(|s| s.verify(&trust))
                    .map_or(Held::Unknown, |b| Held::Known(Box::new(b)))
            }
            None => Held::Unknown,
        },
    };
    let signed = {
        let keyring = state.keyring.read().expect("keyring lock");
        SignedBundle::sign(scoped.clone(), signing_key(&keyring, &held))
    };
    let bytes = signed.to_bytes();
    state
        .store
        .save_controller_bundle(controller, version, &bytes, state.now().0)
        .await?;
    match held {
        Held::Known(old) if old.header.version < version => Ok((
            version,
            Answer::Delta(BundleDelta::between(&old, &scoped, &signed).to_bytes()),
        )),
        _ => Ok((version, Answer::Full(bytes))),
    }
}
