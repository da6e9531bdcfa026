//! Enrolling a device (door controller, kiosk): the one-time code an admin hands to the
//! installer, and the kinds of device.
//!
//! Code text: `GHE1.<kind>.<id>.<secret>.<fingerprint>`, e.g.
//! `GHE1.controller.12.Xc3…Q.9f86d0…`: the device kind and id, a one-time secret (the
//! server keeps only its SHA-256), and the SHA-256 of the server's TLS certificate in hex
//! (`none` when the server runs without TLS on loopback). The device pins that certificate
//! on first contact, so an enrollment cannot be intercepted by another server.

use std::fmt;
use std::str::FromStr;

/// A kind of device that calls the server with its own key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DeviceKind {
    /// A door controller.
    Controller,
    /// A lobby kiosk or guard station.
    Kiosk,
}

impl DeviceKind {
    /// Its name in codes and headers.
    pub const fn name(self) -> &'static str {
        match self {
            DeviceKind::Controller => "controller",
            DeviceKind::Kiosk => "kiosk",
        }
    }

    /// The kind with this name.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "controller" => Some(DeviceKind::Controller),
            "kiosk" => Some(DeviceKind::Kiosk),
            _ => None,
        }
    }
}

/// A one-time enrollment code.
#[derive(Clone, PartialEq, Eq)]
pub struct EnrollmentCode {
    /// Which kind of device.
    pub kind: DeviceKind,
    /// Its id.
    pub device: u64,
    /// The one-time secret (URL-safe characters).
    pub secret: String,
    /// SHA-256 of the server's TLS certificate, to pin.
    pub fingerprint: Option<[u8; 32]>,
}

impl fmt::Debug for EnrollmentCode {
    // The secret never reaches a log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnrollmentCode")
            .field("kind", &self.kind)
            .field("device", &self.device)
            .finish_non_exhaustive()
    }
}

/// Why text is not an enrollment code.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not an enrollment code: {0} (expected GHE1.<kind>.<id>.<secret>.<fingerprint>)")]
pub struct EnrollmentCodeError(&'static str);

impl fmt::Display for EnrollmentCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "GHE1.{}.{}.{}.",
            self.kind.name(),
            self.device,
            self.secret
        )?;
        match &self.fingerprint {
            Some(fp) => fp.iter().try_for_each(|b| write!(f, "{b:02x}")),
            None => f.write_str("none"),
        }
    }
}

impl FromStr for EnrollmentCode {
    type Err = EnrollmentCodeError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = text.trim().split('.').collect();
        let [version, kind, device, secret, fingerprint] = parts.as_slice() else {
            return Err(EnrollmentCodeError("it has five dot-separated parts"));
        };
        if *version != "GHE1" {
            return Err(EnrollmentCodeError("it starts with GHE1"));
        }
        let kind = DeviceKind::from_name(kind)
            .ok_or(EnrollmentCodeError("the kind is controller or kiosk"))?;
        let device = device
            .parse()
            .map_err(|_| EnrollmentCodeError("the id is a number"))?;
        let secret_ok = (16..=64).contains(&secret.len())
            && secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !secret_ok {
            return Err(EnrollmentCodeError(
                "the secret is 16 to 64 URL-safe characters",
            ));
        }
        let fingerprint = match *fingerprint {
            "none" => None,
            hex => {
                if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(EnrollmentCodeError(
                        "the fingerprint is 64 hex digits or none",
                    ));
                }
                let mut fp = [0u8; 32];
                for (i, byte) in fp.iter_mut().enumerate() {
                    *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16)
                        .map_err(|_| EnrollmentCodeError("the fingerprint is hex"))?;
                }
                Some(fp)
            }
        };
        Ok(EnrollmentCode {
            kind,
            device,
            secret: secret.to_string(),
            fingerprint,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        let code = EnrollmentCode {
            kind: DeviceKind::Controller,
            device: 12,
            secret: "abcdefghijklmnopqrstuv".into(),
            fingerprint: Some([0xab; 32]),
        };
        let text = code.to_string();
        assert!(text.starts_with("GHE1.controller.12.abcdefghijklmnopqrstuv.abab"));
        assert_eq!(text.parse::<EnrollmentCode>().unwrap(), code);
        assert!(
            "GHE2.controller.12.abcdefghijklmnopqrstuv.none"
                .parse::<EnrollmentCode>()
                .is_err()
        );
        assert!(
            "GHE1.door.12.abcdefghijklmnopqrstuv.none"
                .parse::<EnrollmentCode>()
                .is_err()
        );
        assert!(
            "GHE1.kiosk.x.abcdefghijklmnopqrstuv.none"
                .parse::<EnrollmentCode>()
                .is_err()
        );
        assert!("GHE1.kiosk.3.short.none".parse::<EnrollmentCode>().is_err());
        assert!(
            "GHE1.kiosk.3.abcdefghijklmnopqrstuv.abcd"
                .parse::<EnrollmentCode>()
                .is_err()
        );
        let plain: EnrollmentCode = "GHE1.kiosk.3.abcdefghijklmnopqrstuv.none".parse().unwrap();
        assert_eq!(plain.fingerprint, None);
        assert!(!format!("{plain:?}").contains("abcdefgh"));
    }
}
