//! An in-memory PD for the control panel's unit tests (the interoperability tests use
//! libosdp's PD instead): plain and Secure Channel replies, key installation, and the
//! misbehaviours the CP must catch (silence, downgrade to plain, another key).

use super::channel::{Channel, MemoryChannel};
use super::commands::code as cmd;
use super::frame::{self, Parser, REPLY_BIT, RawFrame, Scb, scs};
use super::replies::code as reply;
use super::secure_channel::{Handshake, Key, SCBK_D, Session};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const RND_B: [u8; 8] = [9, 8, 7, 6, 5, 4, 3, 2];

#[derive(Debug, Default)]
pub struct TwinState {
    pub address: u8,
    pub key: Option<Key>,
    pub install_mode: bool,
    pub silent: bool,
    pub downgrade: bool,
    pub tamper: bool,
    /// Takes a KEYSET but its replies (and those to the KEYSET's resends) are lost.
    pub lose_keyset_replies: bool,
    pub reads: VecDeque<(u8, Vec<u8>)>,
    pub commands: Vec<(u8, Vec<u8>, bool)>,
    handshake: Option<Handshake>,
    session: Option<Session>,
}

pub type Shared = Arc<Mutex<TwinState>>;

/// PDs sharing one bus (multi-drop), answering from a thread until the CP end is dropped.
pub fn spawn(mut channel: MemoryChannel, states: Vec<TwinState>) -> Vec<Shared> {
    let shared: Vec<Shared> = states
        .into_iter()
        .map(|s| Arc::new(Mutex::new(s)))
        .collect();
    let twins = shared.clone();
    std::thread::spawn(move || {
        let mut parser = Parser::new();
        let mut buf = [0u8; 256];
        loop {
            let Ok(n) = channel.receive(&mut buf, Duration::from_millis(20)) else {
                return;
            };
            parser.push(&buf[..n]);
            while let Some(result) = parser.next_frame() {
                let Ok(frame) = result else { continue };
                let answer = twins
                    .iter()
                    .find_map(|t| t.lock().expect("twin").answer(&frame));
                if let Some(bytes) = answer {
                    if channel.send(&bytes).is_err() {
                        return;
                    }
                }
            }
        }
    });
    shared
}

fn plain(address: u8, sqn: u8, scb: Option<&Scb>, code: u8, data: &[u8]) -> Vec<u8> {
    frame::seal(frame::open(
        address | REPLY_BIT,
        sqn,
        scb,
        code,
        data,
        false,
    ))
}

impl TwinState {
    fn answer(&mut self, f: &RawFrame) -> Option<Vec<u8>> {
        if f.is_reply() || f.address != self.address || self.silent {
            return None;
        }
        let (a, sqn) = (self.address, f.sqn);
        match f.scb.as_ref().map(|s| s.kind) {
            Some(scs::CHLNG) => {
                self.session = None;
                let default = f.scb.as_ref().is_some_and(|s| s.data == [0]);
                // Install mode lasts until the reader has its own key.
                let key = if default && self.install_mode && self.key.is_none() {
                    Some(SCBK_D)
                } else {
                    self.key.clone()
                };
                let (Some(key), Ok(rnd_a)) = (key, <[u8; 8]>::try_from(f.data.as_slice())) else {
                    return Some(plain(a, sqn, None, reply::NAK, &[5]));
                };
                let hs = Handshake::new(&key, rnd_a);
                let mut data = vec![0xC0; 8];
                data.extend_from_slice(&RND_B);
                data.extend_from_slice(&hs.client_cryptogram(&RND_B));
                self.handshake = Some(hs);
                let scb = Scb {
                    kind: scs::CCRYPT,
                    data: vec![u8::from(!default)],
                };
                Some(plain(a, sqn, Some(&scb), reply::CCRYPT, &data))
            }
            Some(scs::SCRYPT) => {
                let hs = self.handshake.take()?;
                if f.data != hs.server_cryptogram(&RND_B) {
                    return Some(plain(a, sqn, None, reply::NAK, &[6]));
                }
                let rmac = hs.initial_rmac(&RND_B);
                self.session = hs.finish(&RND_B, &rmac).ok();
                let scb = Scb {
                    kind: scs::RMAC_I,
                    data: vec![1],
                };
                Some(plain(a, sqn, Some(&scb), reply::RMAC_I, &rmac))
            }
            _ if f.code == cmd::KEYSET && self.lose_keyset_replies => {
                if let Some(data) = self.session.as_mut().and_then(|s| s.open(true, f).ok()) {
                    self.key = data
                        .get(2..18)
                        .and_then(|k| Key::new(k.try_into().ok()?).ok());
                }
                self.session = None;
                None
            }
            _ => {
                let secure = self.session.is_some();
                let data = match self.session.as_mut() {
                    Some(s) => s.open(true, f).ok()?,
                    None if self.key.is_some() => {
                        return Some(plain(a, sqn, None, reply::NAK, &[6]));
                    }
                    None => f.data.clone(),
                };
                self.commands.push((f.code, data.clone(), secure));
                let (code, out) = match f.code {
                    cmd::ID => (
                        reply::PDID,
                        vec![0xBE, 0xBA, 0xFE, 7, 1, 0x78, 0x56, 0x34, 0x12, 1, 2, 3],
                    ),
                    cmd::CAP => (reply::PDCAP, vec![9, 1, 1, 4, 1, 1]),
                    cmd::COMSET if data.len() == 5 => (reply::COM, data.clone()),
                    cmd::LSTAT => (reply::LSTATR, vec![u8::from(self.tamper), 0]),
                    cmd::POLL => self.reads.pop_front().unwrap_or((reply::ACK, vec![])),
                    cmd::KEYSET => {
                        self.key = data
                            .get(2..18)
                            .and_then(|k| Key::new(k.try_into().ok()?).ok());
                        (reply::ACK, vec![])
                    }
                    _ => (reply::ACK, vec![]),
                };
                let reply_bytes = match self.session.as_mut() {
                    Some(s) if !self.downgrade => s.seal(false, a | REPLY_BIT, sqn, code, &out),
                    _ => plain(a, sqn, None, code, &out),
                };
                if f.code == cmd::KEYSET {
                    self.session = None;
                }
                if f.code == cmd::COMSET {
                    self.address = data.first().copied().unwrap_or(self.address);
                }
                Some(reply_bytes)
            }
        }
    }
}

#[cfg(test)]
mod tests;
