//! Cards: the canonical [`CardId`] that names a card everywhere (bundles, events, the API),
//! and the decoders that turn what a reader sends into one.

mod card_id;
mod uid;
pub mod wiegand;

pub use card_id::{CardFormat, CardId, CardIdParseError};
pub use uid::{Uid, UidError};
pub use wiegand::{WiegandError, decode_wiegand, encode_wiegand};
