//! A strict CBOR reader for signed credentials: definite lengths only, integers where
//! integers belong, and an error for anything left over. Built on minicbor's decoder.

use minicbor::Decoder;
use minicbor::data::Type;

/// Why bytes are not the CBOR we expect.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CborError {
    /// Not well-formed CBOR, or an item of the wrong type.
    #[error("{0}")]
    Decode(String),
    /// Well-formed, but not the structure the format defines.
    #[error("{0}")]
    Shape(&'static str),
    /// An indefinite-length array or map (never produced by an honest issuer).
    #[error("indefinite-length item")]
    Indefinite,
    /// Bytes after the end of the item.
    #[error("bytes after the end of the message")]
    Trailing,
    /// A map with the same label twice.
    #[error("label {0} appears twice")]
    Duplicate(i64),
}

impl From<minicbor::decode::Error> for CborError {
    fn from(e: minicbor::decode::Error) -> Self {
        CborError::Decode(e.to_string())
    }
}

/// A cursor over one CBOR item.
#[derive(Debug)]
pub struct Reader<'a> {
    d: Decoder<'a>,
}

impl<'a> Reader<'a> {
    /// Starts reading `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader {
            d: Decoder::new(bytes),
        }
    }

    /// A tag number.
    pub fn tag(&mut self) -> Result<u64, CborError> {
        Ok(self.d.tag()?.as_u64())
    }

    /// The length of a definite-length array.
    pub fn array(&mut self) -> Result<usize, CborError> {
        let len = self.d.array()?.ok_or(CborError::Indefinite)?;
        usize::try_from(len).map_err(|_| CborError::Shape("array too long"))
    }

    /// The number of entries of a definite-length map.
    pub fn map(&mut self) -> Result<usize, CborError> {
        let len = self.d.map()?.ok_or(CborError::Indefinite)?;
        usize::try_from(len).map_err(|_| CborError::Shape("map too long"))
    }

    /// A definite-length byte string.
    pub fn bytes(&mut self) -> Result<&'a [u8], CborError> {
        Ok(self.d.bytes()?)
    }

    /// A definite-length text string.
    pub fn str(&mut self) -> Result<&'a str, CborError> {
        Ok(self.d.str()?)
    }

    /// An integer (major type 0 or 1) that fits an i64.
    pub fn int(&mut self) -> Result<i64, CborError> {
        match self.d.datatype()? {
            Type::U8 | Type::U16 | Type::U32 | Type::U64 => {
                i64::try_from(self.d.u64()?).map_err(|_| CborError::Shape("integer out of range"))
            }
            Type::I8 | Type::I16 | Type::I32 | Type::I64 => Ok(self.d.i64()?),
            _ => Err(CborError::Shape("expected an integer")),
        }
    }

    /// An unsigned integer.
    pub fn uint(&mut self) -> Result<u64, CborError> {
        match self.d.datatype()? {
            Type::U8 | Type::U16 | Type::U32 | Type::U64 => Ok(self.d.u64()?),
            _ => Err(CborError::Shape("expected an unsigned integer")),
        }
    }

    /// A boolean.
    pub fn bool(&mut self) -> Result<bool, CborError> {
        Ok(self.d.bool()?)
    }

    /// A map label: `Some` for an integer label, `None` for a text label (consumed).
    pub fn label(&mut self) -> Result<Option<i64>, CborError> {
        match self.d.datatype()? {
            Type::String => self.str().map(|_| None),
            _ => self.int().map(Some),
        }
    }

    /// Skips one item, whatever it is.
    pub fn skip(&mut self) -> Result<(), CborError> {
        Ok(self.d.skip()?)
    }

    /// Fails if anything follows the item just read.
    pub fn finish(&self) -> Result<(), CborError> {
        if self.d.position() == self.d.input().len() {
            Ok(())
        } else {
            Err(CborError::Trailing)
        }
    }
}

/// Records an integer label, failing if it was seen before in the same map.
pub fn check_no_duplicate(seen: &mut Vec<i64>, label: Option<i64>) -> Result<(), CborError> {
    if let Some(label) = label {
        if seen.contains(&label) {
            return Err(CborError::Duplicate(label));
        }
        seen.push(label);
    }
    Ok(())
}
