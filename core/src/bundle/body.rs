//! The content of a policy bundle.

use super::BundleError;
use super::keyed::{is_canonical, sort};
use crate::credential::{KeyId, PublicKey};
use crate::ids::{ControllerId, PassSerial, SiteId, ZoneId};
use crate::model::{AccessGroup, Badge, Door, HolidayCalendar, Person, Schedule, Zone};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The bundle format this build writes and reads.
pub const FORMAT_VERSION: u16 = 1;

/// Which bundle this is. The version rises with every change; the epoch changes when the
/// server is restored from a backup or re-keyed (the server takes a new epoch greater than
/// any before, e.g. the restore time), so versions may start again without stranding
/// controllers. Ordered by epoch, then version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct BundleVersion {
    /// Changes on restore or re-key; never goes down.
    pub epoch: u32,
    /// Rises with every change within an epoch.
    pub version: u64,
}

impl fmt::Display for BundleVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.epoch, self.version)
    }
}

/// How long a controller may keep deciding with a bundle it could not refresh, per
/// credential kind. Visitor passes get less: their check-out revocation must arrive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfflineLimits {
    /// Staff cards and staff QR badges.
    pub staff_secs: u32,
    /// Visitor passes.
    pub visitor_secs: u32,
}

/// Time windows of the door rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoorTimings {
    /// An escorted visitor passes if a staff member was granted at the same door within
    /// this many seconds before.
    pub escort_window_secs: u16,
    /// The second person of a two-person zone must badge within this many seconds of the
    /// first.
    pub two_person_window_secs: u16,
}

/// A public key the site trusts: it signs passes and bundles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteKey(pub [u8; 32]);

impl SiteKey {
    /// Its key id.
    pub fn id(&self) -> KeyId {
        self.public().map(|k| k.id()).unwrap_or(KeyId([0; 8]))
    }

    /// As a public key; `None` if the bytes are not a valid Ed25519 point.
    pub fn public(&self) -> Option<PublicKey> {
        PublicKey::from_bytes(&self.0).ok()
    }
}

/// The scalar part of a bundle: which bundle it is and the site-wide settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleHeader {
    /// [`FORMAT_VERSION`] of the writer.
    pub format: u16,
    /// The site.
    pub site: SiteId,
    /// The controller this bundle is scoped to.
    pub controller: ControllerId,
    /// Which bundle this is.
    pub version: BundleVersion,
    /// When the server built it; also a floor for the controller's clock.
    pub issued_at: Timestamp,
    /// How long it may be used without a refresh.
    pub max_offline: OfflineLimits,
    /// The site's IANA time zone; schedules and holidays are in it.
    pub time_zone: String,
    /// Salt of the site's PIN verifiers.
    pub pin_salt: [u8; 16],
    /// Escort and two-person windows.
    pub timings: DoorTimings,
}

/// What a controller needs to decide alone, for its own doors only. Every collection is
/// sorted by key ([`Bundle::normalize`]), so equal content always encodes to equal bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bundle {
    /// Which bundle and the site settings.
    pub header: BundleHeader,
    /// Keys that sign passes and bundles.
    pub trusted_keys: Vec<SiteKey>,
    /// Serials of revoked passes (until they expire).
    pub revoked_serials: Vec<PassSerial>,
    /// Zones under lockdown (a zone's lockdown covers the zones inside it).
    pub lockdown: Vec<ZoneId>,
    /// The controller's doors.
    pub doors: Vec<Door>,
    /// Their zones and every zone enclosing them.
    pub zones: Vec<Zone>,
    /// Schedules the grants and doors use.
    pub schedules: Vec<Schedule>,
    /// Holiday calendars the schedules use.
    pub calendars: Vec<HolidayCalendar>,
    /// Access groups with grants on these zones (other grants removed).
    pub groups: Vec<AccessGroup>,
    /// People in those groups.
    pub people: Vec<Person>,
    /// Their badges.
    pub badges: Vec<Badge>,
}

impl Bundle {
    /// Puts every collection in canonical order (by key). Signing does this; a signed
    /// bundle that is not canonical is refused on load.
    pub fn normalize(&mut self) {
        sort(&mut self.trusted_keys);
        sort(&mut self.revoked_serials);
        sort(&mut self.lockdown);
        sort(&mut self.doors);
        sort(&mut self.zones);
        sort(&mut self.schedules);
        sort(&mut self.calendars);
        sort(&mut self.groups);
        sort(&mut self.people);
        sort(&mut self.badges);
    }

    /// Whether every collection is in canonical order without duplicates.
    pub fn is_canonical(&self) -> bool {
        is_canonical(&self.trusted_keys)
            && is_canonical(&self.revoked_serials)
            && is_canonical(&self.lockdown)
            && is_canonical(&self.doors)
            && is_canonical(&self.zones)
            && is_canonical(&self.schedules)
            && is_canonical(&self.calendars)
            && is_canonical(&self.groups)
            && is_canonical(&self.people)
            && is_canonical(&self.badges)
    }

    /// The canonical encoding (postcard), the bytes the signature covers.
    pub fn encode(&self) -> Vec<u8> {
        postcard::to_allocvec(self).expect("a bundle always encodes")
    }

    /// Decodes bytes written by [`Bundle::encode`].
    pub fn decode(bytes: &[u8]) -> Result<Self, BundleError> {
        let bundle: Bundle = postcard::from_bytes(bytes)
            .map_err(|e| BundleError::Malformed(format!("body: {e}")))?;
        if bundle.header.format != FORMAT_VERSION {
            return Err(BundleError::Malformed(format!(
                "format {} (this build reads {FORMAT_VERSION})",
                bundle.header.format
            )));
        }
        Ok(bundle)
    }
}
