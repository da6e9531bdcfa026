//! Bringing a reader online: the Secure Channel handshake when it is keyed (before
//! anything else, so nothing but the handshake is ever exchanged in the clear with a keyed
//! reader), then osdp_ID, osdp_CAP and osdp_LSTAT.

use super::bus::Bus;
use super::commands::Command;
use super::frame::{Scb, scs};
use super::link::{Answer, LinkError};
use super::replies::Reply;
use super::secure_channel::{Handshake, Key, Session};
use crate::reader::{ReaderHealth, RefusalCause};

/// Why a handshake did not give a session.
pub(super) enum Refusal {
    /// The reader did not answer.
    Silent,
    /// An alarm: the reader refused the Secure Channel, answered in the clear, broke it,
    /// or holds another key ([`RefusalCause::WrongKey`]).
    Alarm(RefusalCause, String),
}

fn refusal(e: LinkError) -> Refusal {
    match e {
        LinkError::NoReply | LinkError::Io(_) => Refusal::Silent,
        LinkError::Secure(e) => Refusal::Alarm(e.cause(), e.to_string()),
        other @ LinkError::Malformed(_) => Refusal::Alarm(RefusalCause::Refused, other.to_string()),
    }
}

impl Bus {
    /// Brings reader `i` online, or reports why not.
    pub(super) fn connect(&mut self, i: usize) {
        let pd = &mut self.readers[i];
        pd.sqn = 0;
        pd.session = None;
        if let Some(key) = pd.config.key.clone() {
            match self.secure(i, &key, false) {
                Ok(session) => self.readers[i].session = Some(session),
                Err(Refusal::Silent) => return self.lost(i, ReaderHealth::Offline),
                Err(Refusal::Alarm(cause, reason)) => {
                    return self.lost(i, ReaderHealth::SecureChannelRefused { cause, reason });
                }
            }
        }
        let mut tamper = false;
        for command in [Command::Id, Command::Cap, Command::LocalStatus] {
            match self.exchange(i, &command, None) {
                Ok(Answer {
                    reply: Reply::LocalStatus { tamper: t, .. },
                    ..
                }) => tamper = t,
                Ok(Answer {
                    reply: Reply::PdId(id),
                    ..
                }) => self.readers[i].info.id = Some(id),
                Ok(Answer {
                    reply: Reply::PdCap(caps),
                    ..
                }) => self.readers[i].info.capabilities = caps,
                Ok(_) | Err(LinkError::Malformed(_)) => {}
                Err(LinkError::Secure(e)) => {
                    return self.lost(
                        i,
                        ReaderHealth::SecureChannelRefused {
                            cause: e.cause(),
                            reason: e.to_string(),
                        },
                    );
                }
                Err(LinkError::NoReply | LinkError::Io(_)) => {
                    return self.lost(i, ReaderHealth::Offline);
                }
            }
        }
        let secure = self.readers[i].session.is_some();
        self.readers[i].online = true;
        self.set_health(i, ReaderHealth::Online { secure });
        if tamper {
            self.set_health(i, ReaderHealth::Tamper);
        }
    }

    /// The CHLNG / CCRYPT / SCRYPT / RMAC_I handshake with reader `i` under `key`
    /// (`default_key`: SCBK-D, announced as such, for a key installation only).
    pub(super) fn secure(
        &mut self,
        i: usize,
        key: &Key,
        default_key: bool,
    ) -> Result<Session, Refusal> {
        use rand::RngCore;
        let mut rnd_a = [0u8; 8];
        rand::rngs::OsRng.fill_bytes(&mut rnd_a);
        let handshake = Handshake::new(key, rnd_a);
        let which = vec![u8::from(!default_key)];
        let chlng = Scb {
            kind: scs::CHLNG,
            data: which.clone(),
        };
        let answer = self
            .exchange(i, &Command::Challenge(rnd_a), Some(&chlng))
            .map_err(refusal)?;
        let rnd_b = match answer.reply {
            Reply::ClientCryptogram {
                rnd_b, cryptogram, ..
            } if answer.scb.as_ref().is_some_and(|s| s.kind == scs::CCRYPT) => {
                handshake
                    .check_client_cryptogram(&rnd_b, &cryptogram)
                    .map_err(|e| Refusal::Alarm(e.cause(), e.to_string()))?;
                rnd_b
            }
            Reply::Nak(code) => {
                return Err(Refusal::Alarm(
                    RefusalCause::Refused,
                    format!("the reader refused the Secure Channel (NAK {code})"),
                ));
            }
            _ => {
                return Err(Refusal::Alarm(
                    RefusalCause::Downgrade,
                    "the reader answered the Secure Channel challenge in the clear".into(),
                ));
            }
        };
        let scrypt = Scb {
            kind: scs::SCRYPT,
            data: which,
        };
        let cryptogram = handshake.server_cryptogram(&rnd_b);
        let answer = self
            .exchange(i, &Command::ServerCryptogram(cryptogram), Some(&scrypt))
            .map_err(refusal)?;
        match answer.reply {
            Reply::InitialRmac(rmac)
                if answer.scb.as_ref().is_some_and(|s| s.kind == scs::RMAC_I) =>
            {
                handshake
                    .finish(&rnd_b, &rmac)
                    .map_err(|e| Refusal::Alarm(e.cause(), e.to_string()))
            }
            Reply::Nak(code) => Err(Refusal::Alarm(
                RefusalCause::Refused,
                format!("the reader refused our server cryptogram (NAK {code})"),
            )),
            _ => Err(Refusal::Alarm(
                RefusalCause::Refused,
                "the reader answered SCRYPT without its initial R-MAC".into(),
            )),
        }
    }
}
