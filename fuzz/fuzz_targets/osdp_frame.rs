//! Bytes from the OSDP bus, read as the control panel reads them: frames found by the
//! parser (in chunks of any size), their replies decoded, plain and inside a Secure Channel
//! session, the handshake's cryptograms checked, raw card bits decoded as Wiegand.
//!
//! Input: a mode byte, then bytes. Mode bit 7 clear: the bytes are the bus, pushed in chunks
//! of `(mode & 0x3F) + 1`. Mode bit 7 set: a PD twin seals a reply (`code`, `data`) in a
//! session, one byte of the frame is changed (or none) and the CRC made good again; the
//! control panel must read back exactly the data, or refuse the changed frame.

#![no_main]

use gatehouse_core::card::decode_wiegand;
use gatehouse_hardware::osdp::Key;
use gatehouse_hardware::osdp::frame::{self, MAX_FRAME, Parser, REPLY_BIT, RawFrame, Scb};
use gatehouse_hardware::osdp::replies::Reply;
use gatehouse_hardware::osdp::secure_channel::{Handshake, Session};
use libfuzzer_sys::fuzz_target;

const SCBK: [u8; 16] = *b"gatehouse-fuzz-k";
const RND_A: [u8; 8] = *b"cp-rnd-a";
const RND_B: [u8; 8] = *b"pd-rnd-b";
/// Frame bytes around the data of a sealed reply: header, SCB, code, MAC, CRC.
const SEALED_OVERHEAD: usize = 5 + 2 + 1 + 4 + 2;

fuzz_target!(|input: &[u8]| {
    let Some((&mode, rest)) = input.split_first() else {
        return;
    };
    let handshake = Handshake::new(&Key::new(SCBK).expect("a strong key"), RND_A);
    let session = handshake
        .finish(&RND_B, &handshake.initial_rmac(&RND_B))
        .expect("our own initial R-MAC");
    if mode & 0x80 == 0 {
        stream(usize::from(mode & 0x3F) + 1, rest, &handshake, session);
    } else {
        sealed(mode, rest, session);
    }
});

fn stream(chunk: usize, bytes: &[u8], handshake: &Handshake, mut session: Session) {
    let mut parser = Parser::new();
    for piece in bytes.chunks(chunk) {
        parser.push(piece);
        while let Some(result) = parser.next_frame() {
            if let Ok(frame) = result {
                check_frame(&frame);
                decode(frame.code, &frame.data, handshake);
                // The same frame met inside a session: refused, or its data decoded.
                if let Ok(plain) = session.open(false, &frame) {
                    decode(frame.code, &plain, handshake);
                }
            }
        }
    }
}

/// What every parsed frame satisfies, and re-encoding it gives it back.
fn check_frame(frame: &RawFrame) {
    assert!(frame.sqn <= 3);
    assert!(frame.macced.len() < MAX_FRAME && frame.data.len() < MAX_FRAME);
    assert_eq!(
        frame.mac.is_some(),
        frame.scb.as_ref().is_some_and(Scb::has_mac)
    );
    let mut bytes = frame::open(
        frame.address,
        frame.sqn,
        frame.scb.as_ref(),
        frame.code,
        &frame.data,
        frame.mac.is_some(),
    );
    if let Some(mac) = frame.mac {
        bytes.extend_from_slice(&mac);
    }
    let bytes = frame::seal(bytes);
    // A checksum frame of the greatest length is one byte too long with a CRC.
    if bytes.len() > MAX_FRAME {
        return;
    }
    let mut parser = Parser::new();
    parser.push(&bytes);
    let again = parser
        .next_frame()
        .expect("a whole frame")
        .expect("a frame we encoded");
    assert_eq!(
        (
            again.address,
            again.sqn,
            &again.scb,
            again.code,
            &again.data,
            again.mac
        ),
        (
            frame.address,
            frame.sqn,
            &frame.scb,
            frame.code,
            &frame.data,
            frame.mac
        )
    );
}

/// Decodes a reply as the control panel does, and what the reply carries further.
fn decode(code: u8, data: &[u8], handshake: &Handshake) {
    match Reply::decode(code, data) {
        Ok(Reply::Raw { bits, data, .. }) => {
            let _ = decode_wiegand(usize::from(bits), &data);
        }
        Ok(Reply::ClientCryptogram {
            rnd_b, cryptogram, ..
        }) => {
            let _ = handshake.check_client_cryptogram(&rnd_b, &cryptogram);
        }
        Ok(Reply::InitialRmac(rmac)) => {
            let _ = handshake.finish(&RND_B, &rmac);
        }
        Ok(_) => {}
        Err(e) => assert_eq!((e.code, e.len), (code, data.len())),
    }
}

/// `bytes`: the position of the byte to change (0: none), the XOR mask, the reply code,
/// then its data.
fn sealed(mode: u8, bytes: &[u8], mut cp: Session) {
    let [flip, mask, code, data @ ..] = bytes else {
        return;
    };
    // Encrypted data is padded to the next whole block: keep the frame within MAX_FRAME.
    let data = &data[..data.len().min(MAX_FRAME - SEALED_OVERHEAD - 16)];
    let mut pd = cp.clone();
    let address = (mode >> 2) & 0x1F;
    let sqn = mode & 0x03;
    let mut wire = pd.seal(false, address | REPLY_BIT, sqn, *code, data);
    let changed = *flip != 0;
    if changed {
        wire.truncate(wire.len() - 2);
        let at = (usize::from(*flip) - 1) % wire.len();
        wire[at] ^= *mask | 1;
        wire = frame::seal(wire);
    }
    let mut parser = Parser::new();
    parser.push(&wire);
    let mut opened = None;
    while let Some(result) = parser.next_frame() {
        if let Ok(frame) = result {
            check_frame(&frame);
            if opened.is_none() {
                opened = Some((frame.code, cp.open(false, &frame)));
            }
        }
    }
    match (changed, opened) {
        (false, Some((got_code, Ok(plain)))) => {
            assert_eq!((got_code, plain.as_slice()), (*code, data));
        }
        (false, other) => panic!("our own sealed reply was not read back: {other:?}"),
        (true, Some((_, Ok(plain)))) => panic!("a changed frame was accepted: {plain:?}"),
        (true, _) => {}
    }
}
