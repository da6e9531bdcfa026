//! The Secure Channel handshake and an established session.
//!
//! Handshake (OSDP annex D): the CP sends osdp_CHLNG with RND.A; both sides derive
//! S-ENC = AES(SCBK, 01 82 RND.A[0..6] 00..), S-MAC1 = AES(SCBK, 01 01 ..),
//! S-MAC2 = AES(SCBK, 01 02 ..); the PD answers osdp_CCRYPT with its cUID, RND.B and the
//! client cryptogram AES(S-ENC, RND.A ‖ RND.B); the CP checks it (a mismatch means the PD
//! holds another key) and sends osdp_SCRYPT with the server cryptogram
//! AES(S-ENC, RND.B ‖ RND.A); the PD answers osdp_RMAC_I with
//! AES(S-MAC2, AES(S-MAC1, server cryptogram)), the first R-MAC of the chain.
//!
//! Session: every frame carries the first 4 bytes of a CBC-MAC over SOM..data (padded with
//! 0x80 00.. only when not a whole number of blocks; S-MAC1 for all blocks but the last,
//! S-MAC2 for the last). A command's MAC starts from the last R-MAC and becomes the C-MAC;
//! a reply's starts from that C-MAC and becomes the next R-MAC: each message authenticates
//! the whole conversation before it. Data, when present, is AES-CBC under S-ENC with the IV
//! the complement of the last MAC received by the sender, padded with 0x80 then zeros
//! (always, even a whole block).

use super::aes_block::{cbc_decrypt, cbc_encrypt, encrypt_block};
use super::key::Key;
use crate::osdp::frame::{self, RawFrame, Scb, scs};

/// A Secure Channel failure: each is an alarm, never a reason to fall back to plain.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// The PD's client cryptogram does not match our key.
    #[error("the reader answered with a key that is not its own (client cryptogram mismatch)")]
    WrongKey,
    /// The PD's initial R-MAC does not match.
    #[error("the reader's initial R-MAC does not match")]
    BadRmacI,
    /// A frame without the Secure Channel block inside a session.
    #[error("a plain frame inside the Secure Channel")]
    Plain,
    /// A wrong MAC.
    #[error("a frame with a wrong MAC")]
    BadMac,
    /// Encrypted data that does not decrypt to padded data.
    #[error("encrypted data with bad padding")]
    BadPadding,
}

impl SessionError {
    /// The kind of refusal this is, for [`crate::reader::ReaderHealth::SecureChannelRefused`].
    pub fn cause(&self) -> crate::reader::RefusalCause {
        use crate::reader::RefusalCause;
        match self {
            SessionError::WrongKey => RefusalCause::WrongKey,
            SessionError::Plain => RefusalCause::Downgrade,
            SessionError::BadRmacI | SessionError::BadMac | SessionError::BadPadding => {
                RefusalCause::BadMac
            }
        }
    }
}

fn derive(scbk: &Key, kind: [u8; 2], rnd_a: &[u8; 8]) -> [u8; 16] {
    let mut block = [0u8; 16];
    block[..2].copy_from_slice(&kind);
    block[2..8].copy_from_slice(&rnd_a[..6]);
    encrypt_block(scbk.bytes(), &block)
}

fn concat(a: &[u8; 8], b: &[u8; 8]) -> [u8; 16] {
    let mut block = [0u8; 16];
    block[..8].copy_from_slice(a);
    block[8..].copy_from_slice(b);
    block
}

fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// S-ENC, S-MAC1 and S-MAC2: wiped from memory when dropped, like the SCBK they come from
/// (whoever holds them reads and forges the session).
#[derive(Clone)]
struct SessionKeys {
    s_enc: [u8; 16],
    s_mac1: [u8; 16],
    s_mac2: [u8; 16],
}

impl Drop for SessionKeys {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.s_enc.zeroize();
        self.s_mac1.zeroize();
        self.s_mac2.zeroize();
    }
}

/// A handshake under way: the session keys for one SCBK and RND.A.
#[derive(Clone)]
pub struct Handshake {
    rnd_a: [u8; 8],
    keys: SessionKeys,
}

impl std::fmt::Debug for Handshake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Handshake(..)")
    }
}

impl Handshake {
    /// Derives the session keys from `scbk` and the CP's random `rnd_a`.
    pub fn new(scbk: &Key, rnd_a: [u8; 8]) -> Self {
        Handshake {
            rnd_a,
            keys: SessionKeys {
                s_enc: derive(scbk, [0x01, 0x82], &rnd_a),
                s_mac1: derive(scbk, [0x01, 0x01], &rnd_a),
                s_mac2: derive(scbk, [0x01, 0x02], &rnd_a),
            },
        }
    }

    /// The client cryptogram a PD with this key sends: AES(S-ENC, RND.A ‖ RND.B).
    pub fn client_cryptogram(&self, rnd_b: &[u8; 8]) -> [u8; 16] {
        encrypt_block(&self.keys.s_enc, &concat(&self.rnd_a, rnd_b))
    }

    /// Checks the PD's client cryptogram (constant time).
    pub fn check_client_cryptogram(
        &self,
        rnd_b: &[u8; 8],
        got: &[u8; 16],
    ) -> Result<(), SessionError> {
        if ct_eq(&self.client_cryptogram(rnd_b), got) {
            Ok(())
        } else {
            Err(SessionError::WrongKey)
        }
    }

    /// The server cryptogram: AES(S-ENC, RND.B ‖ RND.A).
    pub fn server_cryptogram(&self, rnd_b: &[u8; 8]) -> [u8; 16] {
        encrypt_block(&self.keys.s_enc, &concat(rnd_b, &self.rnd_a))
    }

    /// The initial R-MAC: AES(S-MAC2, AES(S-MAC1, server cryptogram)).
    pub fn initial_rmac(&self, rnd_b: &[u8; 8]) -> [u8; 16] {
        let once = encrypt_block(&self.keys.s_mac1, &self.server_cryptogram(rnd_b));
        encrypt_block(&self.keys.s_mac2, &once)
    }

    /// The session, once the PD's RMAC_I is checked.
    pub fn finish(&self, rnd_b: &[u8; 8], rmac_i: &[u8; 16]) -> Result<Session, SessionError> {
        let want = self.initial_rmac(rnd_b);
        if !ct_eq(&want, rmac_i) {
            return Err(SessionError::BadRmacI);
        }
        Ok(Session {
            keys: self.keys.clone(),
            c_mac: [0; 16],
            r_mac: want,
        })
    }
}

/// An established Secure Channel session.
#[derive(Clone)]
pub struct Session {
    keys: SessionKeys,
    c_mac: [u8; 16],
    r_mac: [u8; 16],
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Session(..)")
    }
}

fn not(block: &[u8; 16]) -> [u8; 16] {
    block.map(|b| !b)
}

impl Session {
    fn mac(&self, iv: &[u8; 16], bytes: &[u8]) -> [u8; 16] {
        let mut buf = bytes.to_vec();
        if buf.len() % 16 != 0 || buf.is_empty() {
            buf.push(0x80);
            buf.resize(buf.len().div_ceil(16) * 16, 0);
        }
        let split = buf.len() - 16;
        let (head, last) = buf.split_at_mut(split);
        let mut chain = *iv;
        if !head.is_empty() {
            cbc_encrypt(&self.keys.s_mac1, iv, head);
            chain.copy_from_slice(&head[head.len() - 16..]);
        }
        let mut block = [0u8; 16];
        for (i, b) in block.iter_mut().enumerate() {
            *b = last[i] ^ chain[i];
        }
        encrypt_block(&self.keys.s_mac2, &block)
    }

    /// A whole frame sent under the session: a command when `command`, else a reply (the
    /// PD's side, used by test twins). Data is encrypted when there is any.
    pub fn seal(&mut self, command: bool, address: u8, sqn: u8, code: u8, data: &[u8]) -> Vec<u8> {
        let last_in = if command { self.r_mac } else { self.c_mac };
        let (kind, body) = if data.is_empty() {
            (
                if command {
                    scs::CMD_MAC
                } else {
                    scs::REPLY_MAC
                },
                Vec::new(),
            )
        } else {
            let mut body = data.to_vec();
            body.push(0x80);
            body.resize(body.len().div_ceil(16) * 16, 0);
            cbc_encrypt(&self.keys.s_enc, &not(&last_in), &mut body);
            (
                if command {
                    scs::CMD_ENC
                } else {
                    scs::REPLY_ENC
                },
                body,
            )
        };
        let scb = Scb { kind, data: vec![] };
        let mut buf = frame::open(address, sqn, Some(&scb), code, &body, true);
        let mac = self.mac(&last_in, &buf);
        if command {
            self.c_mac = mac;
        } else {
            self.r_mac = mac;
        }
        buf.extend_from_slice(&mac[..4]);
        frame::seal(buf)
    }

    /// Checks a received frame's MAC and returns its plain data: a reply when `!command`
    /// (the CP's side), a command when `command` (a PD twin's side).
    pub fn open(&mut self, command: bool, frame: &RawFrame) -> Result<Vec<u8>, SessionError> {
        let (mac_kind, enc_kind) = if command {
            (scs::CMD_MAC, scs::CMD_ENC)
        } else {
            (scs::REPLY_MAC, scs::REPLY_ENC)
        };
        let (Some(scb), Some(got)) = (&frame.scb, frame.mac) else {
            return Err(SessionError::Plain);
        };
        if scb.kind != mac_kind && scb.kind != enc_kind {
            return Err(SessionError::Plain);
        }
        let iv = if command { self.r_mac } else { self.c_mac };
        let mac = self.mac(&iv, &frame.macced);
        if !ct_eq(&mac[..4], &got) {
            return Err(SessionError::BadMac);
        }
        if command {
            self.c_mac = mac;
        } else {
            self.r_mac = mac;
        }
        if scb.kind == mac_kind {
            return Ok(frame.data.clone());
        }
        if frame.data.is_empty() || frame.data.len() % 16 != 0 {
            return Err(SessionError::BadPadding);
        }
        let mut data = frame.data.clone();
        cbc_decrypt(&self.keys.s_enc, &not(&iv), &mut data);
        let end = data
            .iter()
            .rposition(|&b| b != 0)
            .ok_or(SessionError::BadPadding)?;
        if data[end] != 0x80 {
            return Err(SessionError::BadPadding);
        }
        data.truncate(end);
        Ok(data)
    }
}

#[cfg(test)]
mod tests;
