//! OSDP frames on the wire: building them and finding them in a byte stream.
//!
//! ```text
//! SOM 0x53 | ADDR | LEN lo | LEN hi | CTRL | [SCB: len, type, data..] | CODE | DATA.. | [MAC 4] | CRC lo, hi (or checksum)
//! ```
//! `LEN` counts the whole frame, SOM to the last check byte. `CTRL` holds the sequence
//! number (bits 0-1), the CRC flag (bit 2) and the SCB flag (bit 3). A reply's address has
//! bit 7 set.

use super::crc::{checksum, crc16};

/// Start of message.
pub const SOM: u8 = 0x53;
/// Bit 7 of the address byte marks a reply from a PD.
pub const REPLY_BIT: u8 = 0x80;
/// The broadcast address.
pub const BROADCAST: u8 = 0x7F;
/// No frame we accept is longer (libosdp's default buffers are smaller still); a length
/// field above it is garbage, so a bad length never makes us wait for or allocate more.
pub const MAX_FRAME: usize = 1024;

const CTRL_SQN: u8 = 0x03;
const CTRL_CRC: u8 = 0x04;
const CTRL_SCB: u8 = 0x08;

/// Security control block types (`SCS_11` .. `SCS_18`).
pub mod scs {
    /// CP → PD: osdp_CHLNG.
    pub const CHLNG: u8 = 0x11;
    /// PD → CP: osdp_CCRYPT.
    pub const CCRYPT: u8 = 0x12;
    /// CP → PD: osdp_SCRYPT.
    pub const SCRYPT: u8 = 0x13;
    /// PD → CP: osdp_RMAC_I.
    pub const RMAC_I: u8 = 0x14;
    /// CP → PD: MAC, data in clear.
    pub const CMD_MAC: u8 = 0x15;
    /// PD → CP: MAC, data in clear.
    pub const REPLY_MAC: u8 = 0x16;
    /// CP → PD: MAC, data encrypted.
    pub const CMD_ENC: u8 = 0x17;
    /// PD → CP: MAC, data encrypted.
    pub const REPLY_ENC: u8 = 0x18;
}

/// A frame's security control block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scb {
    /// `SCS_1x`.
    pub kind: u8,
    /// Its data (for SCS_11..14: 1 = SCBK, 0 = SCBK-D; for the handshake reply 0x01/0xFF).
    pub data: Vec<u8>,
}

impl Scb {
    /// Whether frames with this block carry a 4-byte MAC.
    pub fn has_mac(&self) -> bool {
        self.kind >= scs::CMD_MAC
    }
}

/// Frame bytes up to the end of the data, its length field already counting the MAC (when
/// `mac` is set) and the two CRC bytes. Append the MAC, if any, then call [`seal`].
pub fn open(address: u8, sqn: u8, scb: Option<&Scb>, code: u8, data: &[u8], mac: bool) -> Vec<u8> {
    let scb_len = scb.map_or(0, |s| 2 + s.data.len());
    let total = 5 + scb_len + 1 + data.len() + if mac { 4 } else { 0 } + 2;
    let mut buf = Vec::with_capacity(total);
    let mut ctrl = (sqn & CTRL_SQN) | CTRL_CRC;
    if scb.is_some() {
        ctrl |= CTRL_SCB;
    }
    let len = u16::try_from(total).unwrap_or(u16::MAX).to_le_bytes();
    buf.extend_from_slice(&[SOM, address, len[0], len[1], ctrl]);
    if let Some(scb) = scb {
        buf.push(u8::try_from(2 + scb.data.len()).unwrap_or(u8::MAX));
        buf.push(scb.kind);
        buf.extend_from_slice(&scb.data);
    }
    buf.push(code);
    buf.extend_from_slice(data);
    buf
}

/// Appends the CRC-16 that [`open`] made room for.
pub fn seal(mut buf: Vec<u8>) -> Vec<u8> {
    let crc = crc16(&buf);
    buf.extend_from_slice(&crc.to_le_bytes());
    buf
}

/// A frame parsed from the wire, its check already verified. Data may still be encrypted
/// and the MAC is not verified: that is the secure channel's work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawFrame {
    /// The address byte, reply bit included.
    pub address: u8,
    /// Sequence number 0..=3.
    pub sqn: u8,
    /// The security control block.
    pub scb: Option<Scb>,
    /// Command or reply code.
    pub code: u8,
    /// Data (encrypted under SCS_17/18).
    pub data: Vec<u8>,
    /// The MAC's first four bytes (SCS_15..18).
    pub mac: Option<[u8; 4]>,
    /// The bytes the MAC covers: SOM to the end of the data.
    pub macced: Vec<u8>,
}

impl RawFrame {
    /// The PD address, without the reply bit.
    pub fn pd_address(&self) -> u8 {
        self.address & !REPLY_BIT
    }

    /// Whether a PD sent it.
    pub fn is_reply(&self) -> bool {
        self.address & REPLY_BIT != 0
    }
}

/// Why bytes were dropped while looking for frames.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// The length field is below the smallest frame or above [`MAX_FRAME`].
    #[error("impossible frame length {0}")]
    Length(usize),
    /// The CRC or checksum does not match.
    #[error("bad CRC or checksum")]
    Check,
    /// The security control block does not fit the frame.
    #[error("malformed security control block")]
    Scb,
}

/// Finds frames in a byte stream: bytes before a SOM are skipped, and a bad frame drops
/// its SOM only, so the search resumes at the next SOM (resynchronisation).
#[derive(Debug, Default)]
pub struct Parser {
    buf: Vec<u8>,
}

impl Parser {
    /// An empty parser.
    pub fn new() -> Self {
        Self::default()
    }

    /// Bytes received.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Forgets what it holds (a new transaction starts).
    pub fn clear(&mut self) {
        self.buf.clear();
    }

    /// The next frame, an error for bytes dropped, or `None` when more bytes are needed.
    pub fn next_frame(&mut self) -> Option<Result<RawFrame, FrameError>> {
        let Some(start) = self.buf.iter().position(|&b| b == SOM) else {
            self.buf.clear();
            return None;
        };
        self.buf.drain(..start);
        if self.buf.len() < 5 {
            return None;
        }
        let len = usize::from(u16::from_le_bytes([self.buf[2], self.buf[3]]));
        let check_len = if self.buf[4] & CTRL_CRC != 0 { 2 } else { 1 };
        if !(5 + 1 + check_len..=MAX_FRAME).contains(&len) {
            self.buf.drain(..1);
            return Some(Err(FrameError::Length(len)));
        }
        if self.buf.len() < len {
            return None;
        }
        let result = parse(&self.buf[..len], check_len);
        // A good frame is consumed; a bad one loses its SOM only, so a real frame that
        // starts inside it is still found.
        let consumed = if result.is_ok() { len } else { 1 };
        self.buf.drain(..consumed);
        Some(result)
    }
}

fn parse(bytes: &[u8], check_len: usize) -> Result<RawFrame, FrameError> {
    let body_end = bytes.len() - check_len;
    let body = &bytes[..body_end];
    if check_len == 2 {
        let want = u16::from_le_bytes([bytes[body_end], bytes[body_end + 1]]);
        if crc16(body) != want {
            return Err(FrameError::Check);
        }
    } else if checksum(body) != bytes[body_end] {
        return Err(FrameError::Check);
    }
    let ctrl = bytes[4];
    let mut pos = 5;
    let scb = if ctrl & CTRL_SCB != 0 {
        let scb_len = usize::from(*body.get(pos).ok_or(FrameError::Scb)?);
        if scb_len < 2 || pos + scb_len >= body.len() {
            return Err(FrameError::Scb);
        }
        let scb = Scb {
            kind: body[pos + 1],
            data: body[pos + 2..pos + scb_len].to_vec(),
        };
        pos += scb_len;
        Some(scb)
    } else {
        None
    };
    let mac_len = if scb.as_ref().is_some_and(Scb::has_mac) {
        4
    } else {
        0
    };
    if pos + 1 + mac_len > body.len() {
        return Err(FrameError::Scb);
    }
    let data_end = body.len() - mac_len;
    let mac = (mac_len == 4).then(|| {
        let mut m = [0u8; 4];
        m.copy_from_slice(&body[data_end..]);
        m
    });
    Ok(RawFrame {
        address: bytes[1],
        sqn: ctrl & CTRL_SQN,
        scb,
        code: body[pos],
        data: body[pos + 1..data_end].to_vec(),
        mac,
        macced: body[..data_end].to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn poll(address: u8, sqn: u8) -> Vec<u8> {
        seal(open(address, sqn, None, 0x60, &[], false))
    }

    #[test]
    fn a_poll_round_trips() {
        let bytes = poll(5, 2);
        assert_eq!(&bytes[..6], &[0x53, 0x05, 0x08, 0x00, 0x06, 0x60]);
        let mut p = Parser::new();
        p.push(&bytes);
        let frame = p.next_frame().expect("frame").expect("valid");
        assert_eq!((frame.address, frame.sqn, frame.code), (5, 2, 0x60));
        assert!(frame.data.is_empty() && frame.scb.is_none() && frame.mac.is_none());
        assert!(p.next_frame().is_none());
    }

    #[test]
    fn checksum_frames_are_read() {
        let mut bytes = vec![0x53, 0x81, 0x07, 0x00, 0x01, 0x40];
        bytes.push(checksum(&bytes));
        let mut p = Parser::new();
        p.push(&bytes);
        let frame = p.next_frame().expect("frame").expect("valid");
        assert_eq!(
            (frame.pd_address(), frame.is_reply(), frame.code),
            (1, true, 0x40)
        );
    }

    #[test]
    fn resyncs_after_garbage_and_a_corrupt_frame() {
        let mut bytes = vec![0xFF, 0x00, 0x12];
        let mut bad = poll(1, 1);
        bad[5] ^= 0x01;
        bytes.extend_from_slice(&bad);
        bytes.extend_from_slice(&poll(3, 1));
        let mut p = Parser::new();
        p.push(&bytes);
        assert_eq!(p.next_frame(), Some(Err(FrameError::Check)));
        let frame = loop {
            match p.next_frame().expect("more") {
                Ok(f) => break f,
                Err(_) => continue,
            }
        };
        assert_eq!(frame.address, 3);
    }

    #[test]
    fn split_frames_wait_for_their_end() {
        let bytes = poll(1, 1);
        let mut p = Parser::new();
        p.push(&bytes[..4]);
        assert_eq!(p.next_frame(), None);
        p.push(&bytes[4..]);
        assert!(matches!(p.next_frame(), Some(Ok(_))));
    }

    #[test]
    fn absurd_lengths_are_dropped() {
        let mut p = Parser::new();
        p.push(&[0x53, 0x00, 0xFF, 0xFF, 0x04]);
        assert_eq!(p.next_frame(), Some(Err(FrameError::Length(0xFFFF))));
        assert_eq!(p.next_frame(), None);
    }

    #[test]
    fn secure_frames_expose_scb_and_mac() {
        let scb = Scb {
            kind: scs::CMD_MAC,
            data: vec![],
        };
        let mut buf = open(2, 1, Some(&scb), 0x60, &[], true);
        buf.extend_from_slice(&[1, 2, 3, 4]);
        let bytes = seal(buf);
        let mut p = Parser::new();
        p.push(&bytes);
        let frame = p.next_frame().expect("frame").expect("valid");
        assert_eq!(frame.scb, Some(scb));
        assert_eq!(frame.mac, Some([1, 2, 3, 4]));
        assert_eq!(frame.macced, bytes[..bytes.len() - 6].to_vec());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::PARSER_PROPTEST_CASES))]
        #[test]
        fn garbage_never_panics(chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 0..16)) {
            let mut p = Parser::new();
            for chunk in chunks {
                p.push(&chunk);
                while p.next_frame().is_some() {}
            }
        }

        #[test]
        fn a_frame_after_garbage_is_found(garbage in proptest::collection::vec(any::<u8>(), 0..64), addr in 0u8..0x7F, sqn in 0u8..4) {
            let mut p = Parser::new();
            // A valid frame is found once the garbage stops pretending to be a frame start
            // long enough: garbage, then enough non-SOM filler to end any false frame.
            p.push(&garbage);
            p.push(&[0u8; MAX_FRAME]);
            p.push(&poll(addr, sqn));
            let mut found = None;
            while let Some(r) = p.next_frame() {
                if let Ok(f) = r { found = Some(f); }
            }
            let f = found.expect("the poll");
            prop_assert_eq!((f.address, f.sqn, f.code), (addr, sqn, 0x60));
        }
    }
}
