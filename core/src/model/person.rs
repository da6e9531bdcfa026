use crate::ids::{GroupId, PersonId};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use smallvec::SmallVec;
use std::fmt;

/// A person's access groups: up to four inline, without a heap allocation each (a
/// controller holds 100,000 people, two bundles' worth during a swap). Encoded as a
/// sequence, exactly as a `Vec` is.
pub type GroupList = SmallVec<[GroupId; 4]>;

/// A person who may hold badges. Known to controllers only by a pseudonymous number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// The person.
    pub id: PersonId,
    /// Access groups they belong to.
    pub groups: GroupList,
    /// What the doors need to know about them.
    pub flags: PersonFlags,
    /// Verifier of their PIN, if they have one.
    pub pin: Option<PinVerifier>,
}

/// Per-person door rules.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonFlags {
    /// Passes doors in a locked-down zone (security staff, first responders).
    pub lockdown_override: bool,
    /// Card + PIN at every door, whatever the zone asks.
    pub pin_required: bool,
}

/// A PIN as typed on a keypad: 4 to 12 digits.
#[derive(Clone, PartialEq, Eq)]
pub struct Pin(String);

/// Why keypad input is not a PIN.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a PIN is 4 to 12 digits")]
pub struct PinError;

impl Pin {
    /// Checks keypad input.
    pub fn parse(digits: &str) -> Result<Self, PinError> {
        if (4..=12).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Pin(digits.to_string()))
        } else {
            Err(PinError)
        }
    }
}

impl fmt::Debug for Pin {
    // A PIN never reaches a log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(****)")
    }
}

/// What a controller stores to check a PIN: 16 bytes of SHA-256 over a per-site salt, the
/// person and the PIN.
///
/// A 4–6 digit PIN has at most a million values, so no hash makes a stolen bundle's PINs
/// safe from an offline search; the salt only stops one table from serving every site and
/// person. A PIN is a second factor next to a card, not a secret on its own, and a stolen
/// controller is revoked from the console.
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinVerifier(pub [u8; 16]);

impl PinVerifier {
    /// The verifier of `pin` for `person` under the site's salt.
    pub fn derive(site_salt: &[u8; 16], person: PersonId, pin: &Pin) -> Self {
        let digest = Sha256::new()
            .chain_update(b"gatehouse-pin-v1")
            .chain_update(site_salt)
            .chain_update(person.0.to_be_bytes())
            .chain_update(pin.0.as_bytes())
            .finalize();
        let mut out = [0u8; 16];
        out.copy_from_slice(&digest[..16]);
        PinVerifier(out)
    }

    /// Whether `pin` matches, compared without an early exit.
    pub fn matches(&self, site_salt: &[u8; 16], person: PersonId, pin: &Pin) -> bool {
        let other = PinVerifier::derive(site_salt, person, pin);
        self.0
            .iter()
            .zip(other.0)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }
}

impl fmt::Debug for PinVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PinVerifier(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_list_is_encoded_exactly_as_a_vec() {
        // Bundles signed before the inline list must keep their bytes, inline or spilled.
        for n in [0, 1, 4, 5, 9] {
            let groups: Vec<GroupId> = (0..n).map(GroupId).collect();
            let list: GroupList = groups.iter().copied().collect();
            let as_vec = postcard::to_allocvec(&groups).unwrap();
            assert_eq!(postcard::to_allocvec(&list).unwrap(), as_vec);
            assert_eq!(postcard::from_bytes::<GroupList>(&as_vec).unwrap(), list);
        }
    }

    #[test]
    fn pins_are_digits_only() {
        assert!(Pin::parse("1234").is_ok());
        assert!(Pin::parse("123").is_err());
        assert!(Pin::parse("12a4").is_err());
        assert!(Pin::parse("1234567890123").is_err());
        assert_eq!(format!("{:?}", Pin::parse("1234").unwrap()), "Pin(****)");
    }

    #[test]
    fn verifier_binds_salt_person_and_pin() {
        let pin = Pin::parse("2468").unwrap();
        let v = PinVerifier::derive(&[1; 16], PersonId(7), &pin);
        assert!(v.matches(&[1; 16], PersonId(7), &pin));
        assert!(!v.matches(&[2; 16], PersonId(7), &pin));
        assert!(!v.matches(&[1; 16], PersonId(8), &pin));
        assert!(!v.matches(&[1; 16], PersonId(7), &Pin::parse("2469").unwrap()));
    }
}
