//! Reason codes: why a door opened or stayed shut. Every decision carries exactly one, and
//! it reaches the audit log in this snake_case form.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The outcome of an access decision, or of verifying a credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Access granted.
    Granted,
    /// No such card in the bundle, or a QR credential signed by a key nobody trusts.
    UnknownCredential,
    /// A QR credential whose signature does not verify.
    BadSignature,
    /// Unreadable input: not a credential at all, or a card frame with bad parity.
    Malformed,
    /// The badge was revoked or reported lost, or the pass serial is revoked.
    Revoked,
    /// The badge is suspended.
    Suspended,
    /// Past the credential's validity window.
    Expired,
    /// Before the credential's validity window.
    NotYetValid,
    /// The credential does not grant the door's zone.
    ZoneNotGranted,
    /// The zone is granted, but not at this time of the week.
    OutsideSchedule,
    /// The zone is granted at this time, but not on this holiday.
    Holiday,
    /// The zone is locked down and the person has no lockdown override.
    Lockdown,
    /// A visitor pass that needs an escort, with no staff grant at the door just before.
    EscortRequired,
    /// Two-person zone: the first valid person waits for a second.
    AwaitingSecondPerson,
    /// Card + PIN zone or person, and no PIN was entered.
    PinRequired,
    /// The PIN entered does not match.
    WrongPin,
    /// The person is already inside (entry) or already outside (exit) this zone.
    AntiPassback,
    /// The controller's bundle is older than this credential kind tolerates.
    BundleTooOld,
    /// The clock reads earlier than the controller's trusted floor, so time-limited
    /// credentials cannot be judged.
    ClockUntrusted,
}

impl Reason {
    /// Every reason code.
    pub const ALL: [Reason; 19] = [
        Reason::Granted,
        Reason::UnknownCredential,
        Reason::BadSignature,
        Reason::Malformed,
        Reason::Revoked,
        Reason::Suspended,
        Reason::Expired,
        Reason::NotYetValid,
        Reason::ZoneNotGranted,
        Reason::OutsideSchedule,
        Reason::Holiday,
        Reason::Lockdown,
        Reason::EscortRequired,
        Reason::AwaitingSecondPerson,
        Reason::PinRequired,
        Reason::WrongPin,
        Reason::AntiPassback,
        Reason::BundleTooOld,
        Reason::ClockUntrusted,
    ];

    /// The snake_case code.
    pub const fn code(self) -> &'static str {
        match self {
            Reason::Granted => "granted",
            Reason::UnknownCredential => "unknown_credential",
            Reason::BadSignature => "bad_signature",
            Reason::Malformed => "malformed",
            Reason::Revoked => "revoked",
            Reason::Suspended => "suspended",
            Reason::Expired => "expired",
            Reason::NotYetValid => "not_yet_valid",
            Reason::ZoneNotGranted => "zone_not_granted",
            Reason::OutsideSchedule => "outside_schedule",
            Reason::Holiday => "holiday",
            Reason::Lockdown => "lockdown",
            Reason::EscortRequired => "escort_required",
            Reason::AwaitingSecondPerson => "awaiting_second_person",
            Reason::PinRequired => "pin_required",
            Reason::WrongPin => "wrong_pin",
            Reason::AntiPassback => "anti_passback",
            Reason::BundleTooOld => "bundle_too_old",
            Reason::ClockUntrusted => "clock_untrusted",
        }
    }

    /// Whether this reason opens the door.
    pub const fn is_granted(self) -> bool {
        matches!(self, Reason::Granted)
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_and_code_agree() {
        for r in Reason::ALL {
            assert_eq!(
                serde_json::to_string(&r).unwrap(),
                format!("\"{}\"", r.code())
            );
        }
    }
}
