//! Known-answer vectors computed from the specification's definitions with an independent
//! AES (the `openssl enc -aes-128-ecb/-cbc` command), for SCBK-D,
//! RND.A = 00..07 and RND.B = 08..0F.

use super::*;
use crate::osdp::frame::Parser;
use crate::osdp::secure_channel::SCBK_D;

const RND_A: [u8; 8] = [0, 1, 2, 3, 4, 5, 6, 7];
const RND_B: [u8; 8] = [8, 9, 10, 11, 12, 13, 14, 15];

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).expect("hex")
}

fn parse(bytes: &[u8]) -> RawFrame {
    let mut p = Parser::new();
    p.push(bytes);
    p.next_frame().expect("frame").expect("valid")
}

#[test]
fn session_keys() {
    let hs = Handshake::new(&SCBK_D, RND_A);
    assert_eq!(
        hs.keys.s_enc.to_vec(),
        h("f9b24c31d5983826360a50e39ebd5f16")
    );
    assert_eq!(
        hs.keys.s_mac1.to_vec(),
        h("f9fb14d51205b9024074befb5a486e44")
    );
    assert_eq!(
        hs.keys.s_mac2.to_vec(),
        h("b363df851213de3a4b50d9029a973ad7")
    );
}

#[test]
fn cryptograms_and_initial_rmac() {
    let hs = Handshake::new(&SCBK_D, RND_A);
    assert_eq!(
        hs.client_cryptogram(&RND_B).to_vec(),
        h("e59a2bdc2d92b77c47caac2a74b3d0b0")
    );
    assert_eq!(
        hs.server_cryptogram(&RND_B).to_vec(),
        h("be67621f9b566c4386bc55dc02642014")
    );
    assert_eq!(
        hs.initial_rmac(&RND_B).to_vec(),
        h("616bb9f81a0ffd628d274539b4d10a86")
    );
    let other = Key::from_hex("00112233445566778899aabbccddeeff").expect("key");
    let theirs = Handshake::new(&other, RND_A).client_cryptogram(&RND_B);
    assert_eq!(
        hs.check_client_cryptogram(&RND_B, &theirs),
        Err(SessionError::WrongKey)
    );
    assert_eq!(
        hs.check_client_cryptogram(&RND_B, &hs.client_cryptogram(&RND_B)),
        Ok(())
    );
    assert!(matches!(
        hs.finish(&RND_B, &[0; 16]),
        Err(SessionError::BadRmacI)
    ));
}

#[test]
fn a_poll_is_macced_from_the_initial_rmac() {
    let hs = Handshake::new(&SCBK_D, RND_A);
    let mut cp = hs
        .finish(&RND_B, &hs.initial_rmac(&RND_B))
        .expect("session");
    let bytes = cp.seal(true, 0, 1, 0x60, &[]);
    assert_eq!(&bytes[..12], &h("53000e000d021560c0fe748b")[..]);
    assert_eq!(cp.c_mac.to_vec(), h("c0fe748b5fd2f9b801b26eb1e4938961"));
}

#[test]
fn an_encrypted_reply_decrypts_and_chains() {
    let hs = Handshake::new(&SCBK_D, RND_A);
    let mut cp = hs
        .finish(&RND_B, &hs.initial_rmac(&RND_B))
        .expect("session");
    let mut pd = cp.clone();
    let cmd = cp.seal(true, 0, 1, 0x60, &[]);
    assert_eq!(pd.open(true, &parse(&cmd)), Ok(vec![]));
    let reply = pd.seal(false, 0x80, 1, 0x48, &[0, 0]);
    assert_eq!(&reply[8..24], &h("94ce7ae1895a7a57da292ffaa3a99727")[..]);
    assert_eq!(&reply[24..28], &h("cfcffc40")[..]);
    assert_eq!(cp.open(false, &parse(&reply)), Ok(vec![0, 0]));
    assert_eq!(cp.r_mac.to_vec(), h("cfcffc40df38250e52cc6390daa4d382"));
    // A replayed reply no longer verifies: the chain moved on.
    let next = cp.seal(true, 0, 2, 0x60, &[]);
    assert_eq!(pd.open(true, &parse(&next)), Ok(vec![]));
    assert_eq!(cp.open(false, &parse(&reply)), Err(SessionError::BadMac));
}

#[test]
fn a_whole_block_of_data_gets_a_whole_padding_block() {
    let hs = Handshake::new(&SCBK_D, RND_A);
    let mut cp = hs
        .finish(&RND_B, &hs.initial_rmac(&RND_B))
        .expect("session");
    let mut pd = cp.clone();
    let key = [0x5A; 16];
    let mut data = vec![1, 16];
    data.extend_from_slice(&key);
    let bytes = cp.seal(true, 3, 2, 0x75, &data[2..]);
    let frame = parse(&bytes);
    assert_eq!(frame.data.len(), 32);
    assert_eq!(pd.open(true, &frame), Ok(key.to_vec()));
}

#[test]
fn plain_and_tampered_frames_are_refused() {
    let hs = Handshake::new(&SCBK_D, RND_A);
    let mut cp = hs
        .finish(&RND_B, &hs.initial_rmac(&RND_B))
        .expect("session");
    let plain = parse(&frame::seal(frame::open(0x80, 1, None, 0x40, &[], false)));
    assert_eq!(cp.open(false, &plain), Err(SessionError::Plain));
    let mut pd = cp.clone();
    let cmd = cp.seal(true, 0, 1, 0x60, &[]);
    pd.open(true, &parse(&cmd)).expect("cmd");
    let mut reply = pd.seal(false, 0x80, 1, 0x48, &[1, 0]);
    reply[10] ^= 1;
    let crc_at = reply.len() - 2;
    let crc = crate::osdp::crc::crc16(&reply[..crc_at]).to_le_bytes();
    reply[crc_at..].copy_from_slice(&crc);
    assert_eq!(cp.open(false, &parse(&reply)), Err(SessionError::BadMac));
}

proptest::proptest! {
    #[test]
    fn random_secure_frames_are_refused_without_panic(
        kind in 0x15u8..0x19,
        data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64),
        mac in proptest::prelude::any::<[u8; 4]>(),
    ) {
        let hs = Handshake::new(&SCBK_D, RND_A);
        let mut cp = hs.finish(&RND_B, &hs.initial_rmac(&RND_B)).expect("session");
        let frame = RawFrame {
            address: 0x80,
            sqn: 1,
            scb: Some(Scb { kind, data: vec![] }),
            code: 0x40,
            data: data.clone(),
            mac: Some(mac),
            macced: data,
        };
        proptest::prop_assert!(cp.open(false, &frame).is_err());
    }
}
