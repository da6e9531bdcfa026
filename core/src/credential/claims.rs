//! The CWT claims (RFC 8392) a Gatehouse QR credential carries. See
//! `docs/credential-format.md` for the table of labels.

use super::cbor::{CborError, Reader, check_no_duplicate};
use crate::ids::{PassSerial, PersonId, ZoneId};
use crate::model::ItemId;
use minicbor::Encoder;
use serde::{Deserialize, Serialize};

const ISS: i64 = 1;
const SUB: i64 = 2;
const EXP: i64 = 4;
const NBF: i64 = 5;
const IAT: i64 = 6;
/// The private-use label (below -65536, RFC 8392 §9.1) holding Gatehouse's own claims.
pub const GATEHOUSE: i64 = -65537;

const KIND: i64 = 1;
const SERIAL: i64 = 2;
const ZONES: i64 = 3;
const ESCORT: i64 = 4;
const HOST: i64 = 5;
const ITEMS: i64 = 6;

/// What a QR credential is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    /// A visitor pass: opens the zones it names, for its validity window.
    Visitor,
    /// A staff QR badge: a badge like a card, access from the person's groups.
    Staff,
    /// A property pass: lets the carrier take the listed items out; opens no door.
    Property,
}

impl CredentialKind {
    /// Every kind.
    pub const ALL: [CredentialKind; 3] = [
        CredentialKind::Visitor,
        CredentialKind::Staff,
        CredentialKind::Property,
    ];

    /// The number written in the `kind` claim.
    pub const fn code(self) -> u64 {
        match self {
            CredentialKind::Visitor => 1,
            CredentialKind::Staff => 2,
            CredentialKind::Property => 3,
        }
    }

    /// The kind for a `kind` claim value.
    pub fn from_code(code: u64) -> Option<Self> {
        CredentialKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The lower-case name used on the command line and in JSON.
    pub const fn name(self) -> &'static str {
        match self {
            CredentialKind::Visitor => "visitor",
            CredentialKind::Staff => "staff",
            CredentialKind::Property => "property",
        }
    }
}

/// The claims of a Gatehouse QR credential. Times are Unix seconds, as in CWT.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassClaims {
    /// Issuing site (optional: the key id already identifies the issuer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// The holder's pseudonymous id; never a name.
    pub sub: String,
    /// Valid from this second on.
    pub nbf: i64,
    /// Valid strictly before this second.
    pub exp: i64,
    /// When it was issued.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// Visitor pass, staff QR badge or property pass.
    pub kind: CredentialKind,
    /// The serial that revocation lists name.
    pub serial: PassSerial,
    /// Zones a visitor pass opens.
    pub zones: Vec<ZoneId>,
    /// The visitor needs an escort at every door.
    pub escort: bool,
    /// The visitor's host.
    pub host: Option<PersonId>,
    /// Items a property pass lets the carrier take out.
    pub items: Vec<ItemId>,
}

impl PassClaims {
    /// The claims as the CBOR map that is signed. Labels in ascending order of their
    /// encoding (RFC 8949 §4.2.1), optional claims left out when empty.
    pub fn to_cbor(&self) -> Vec<u8> {
        let mut e = Encoder::new(Vec::with_capacity(64));
        self.write(&mut e).expect("writing to a Vec cannot fail");
        e.into_writer()
    }

    fn write(
        &self,
        e: &mut Encoder<Vec<u8>>,
    ) -> Result<(), minicbor::encode::Error<std::convert::Infallible>> {
        let top = 4 + u64::from(self.iss.is_some()) + u64::from(self.iat.is_some());
        e.map(top)?;
        if let Some(iss) = &self.iss {
            e.i64(ISS)?.str(iss)?;
        }
        e.i64(SUB)?.str(&self.sub)?;
        e.i64(EXP)?.i64(self.exp)?;
        e.i64(NBF)?.i64(self.nbf)?;
        if let Some(iat) = self.iat {
            e.i64(IAT)?.i64(iat)?;
        }
        let inner = 2
            + u64::from(!self.zones.is_empty())
            + u64::from(self.escort)
            + u64::from(self.host.is_some())
            + u64::from(!self.items.is_empty());
        e.i64(GATEHOUSE)?.map(inner)?;
        e.i64(KIND)?.u64(self.kind.code())?;
        e.i64(SERIAL)?.u64(self.serial.0)?;
        if !self.zones.is_empty() {
            e.i64(ZONES)?.array(self.zones.len() as u64)?;
            for z in &self.zones {
                e.u32(z.0)?;
            }
        }
        if self.escort {
            e.i64(ESCORT)?.bool(true)?;
        }
        if let Some(host) = self.host {
            e.i64(HOST)?.u64(host.0)?;
        }
        if !self.items.is_empty() {
            e.i64(ITEMS)?.array(self.items.len() as u64)?;
            for item in &self.items {
                e.u64(item.0)?;
            }
        }
        Ok(())
    }

    /// Reads the signed claims map.
    pub fn from_cbor(bytes: &[u8]) -> Result<Self, CborError> {
        let mut r = Reader::new(bytes);
        let (mut iss, mut sub, mut exp, mut nbf, mut iat, mut ours) =
            (None, None, None, None, None, None);
        let mut seen = Vec::new();
        for _ in 0..r.map()? {
            let label = r.label()?;
            check_no_duplicate(&mut seen, label)?;
            match label {
                Some(ISS) => iss = Some(r.str()?.to_string()),
                Some(SUB) => sub = Some(r.str()?.to_string()),
                Some(EXP) => exp = Some(r.int()?),
                Some(NBF) => nbf = Some(r.int()?),
                Some(IAT) => iat = Some(r.int()?),
                Some(GATEHOUSE) => ours = Some(OurClaims::read(&mut r)?),
                _ => r.skip()?,
            }
        }
        r.finish()?;
        let ours = ours.ok_or(CborError::Shape("missing the gatehouse claims (-65537)"))?;
        Ok(PassClaims {
            iss,
            sub: sub.ok_or(CborError::Shape("missing claim sub"))?,
            nbf: nbf.ok_or(CborError::Shape("missing claim nbf"))?,
            exp: exp.ok_or(CborError::Shape("missing claim exp"))?,
            iat,
            kind: ours.kind,
            serial: ours.serial,
            zones: ours.zones,
            escort: ours.escort,
            host: ours.host,
            items: ours.items,
        })
    }
}

/// The claims under the private label, read.
struct OurClaims {
    kind: CredentialKind,
    serial: PassSerial,
    zones: Vec<ZoneId>,
    escort: bool,
    host: Option<PersonId>,
    items: Vec<ItemId>,
}

impl OurClaims {
    fn read(r: &mut Reader<'_>) -> Result<Self, CborError> {
        let (mut kind, mut serial, mut host) = (None, None, None);
        let (mut zones, mut escort, mut items) = (Vec::new(), false, Vec::new());
        let mut seen = Vec::new();
        for _ in 0..r.map()? {
            let label = r.label()?;
            check_no_duplicate(&mut seen, label)?;
            match label {
                Some(KIND) => {
                    kind = Some(
                        CredentialKind::from_code(r.uint()?)
                            .ok_or(CborError::Shape("unknown credential kind"))?,
                    )
                }
                Some(SERIAL) => serial = Some(PassSerial(r.uint()?)),
                Some(ZONES) => {
                    zones = read_uints(r)?
                        .into_iter()
                        .map(|z| u32::try_from(z).map(ZoneId))
                        .collect::<Result<_, _>>()
                        .map_err(|_| CborError::Shape("zone id out of range"))?
                }
                Some(ESCORT) => escort = r.bool()?,
                Some(HOST) => host = Some(PersonId(r.uint()?)),
                Some(ITEMS) => items = read_uints(r)?.into_iter().map(ItemId).collect(),
                _ => r.skip()?,
            }
        }
        Ok(OurClaims {
            kind: kind.ok_or(CborError::Shape("missing claim kind"))?,
            serial: serial.ok_or(CborError::Shape("missing claim serial"))?,
            zones,
            escort,
            host,
            items,
        })
    }
}

fn read_uints(r: &mut Reader<'_>) -> Result<Vec<u64>, CborError> {
    let len = r.array()?;
    // A length is only a claim until the items are read: cap the allocation by the input.
    let mut out = Vec::with_capacity(len.min(64));
    for _ in 0..len {
        out.push(r.uint()?);
    }
    Ok(out)
}
