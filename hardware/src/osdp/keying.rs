//! Installing a reader's own key over SCBK-D: an explicit, time-boxed admin action.
//!
//! A new reader only knows SCBK-D, the published default key. Whoever listens to the bus
//! while a key is sent under SCBK-D learns it (the 2023 "install-mode key capture"), so it
//! happens only when an admin asks, for one reader, until a deadline; the key is a fresh
//! random one per reader; and a reader that already has a key is never re-keyed this way.

use super::bus::{Bus, BusError};
use super::commands::Command;
use super::connect::Refusal;
use super::link::Answer;
use super::replies::Reply;
use super::secure_channel::{Key, SCBK_D};
use crate::reader::{ReaderHealth, ReaderId};
use std::time::Instant;

/// A key installation that did not happen.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InstallError {
    /// The reader is not on this bus.
    #[error(transparent)]
    Bus(#[from] BusError),
    /// The reader already has its own key: it is never re-keyed over SCBK-D.
    #[error("reader {0} already has its own key; it is not re-keyed over the default key")]
    AlreadyKeyed(String),
    /// The deadline passed before the reader took the key.
    #[error("the reader did not take its key before the deadline: {0}")]
    Expired(String),
}

impl Bus {
    /// Installs `new_key` on `reader`, which must still be on SCBK-D (install mode), before
    /// `deadline`. On success the reader is keyed: from then on it is only accepted over the
    /// Secure Channel with `new_key`, which the caller stores in the controller's key store.
    pub fn install_key(
        &mut self,
        reader: &ReaderId,
        new_key: Key,
        deadline: Instant,
    ) -> Result<(), InstallError> {
        let i = self.index(reader)?;
        if self.readers[i].config.key.is_some() {
            return Err(InstallError::AlreadyKeyed(reader.name().to_owned()));
        }
        let mut last = String::from("the deadline had already passed");
        while Instant::now() < deadline {
            self.readers[i].sqn = 0;
            self.readers[i].session = None;
            match self.secure(i, &SCBK_D, true) {
                Ok(session) => {
                    self.readers[i].session = Some(session);
                    match self.exchange(i, &Command::KeySet(new_key.clone()), None) {
                        Ok(Answer {
                            reply: Reply::Ack, ..
                        }) => {
                            self.readers[i].config.key = Some(new_key);
                            // Reconnect at once, over the Secure Channel with the new key.
                            let pd = &mut self.readers[i];
                            pd.online = false;
                            pd.session = None;
                            pd.sqn = 0;
                            pd.retry_at = None;
                            return Ok(());
                        }
                        Ok(answer) => last = format!("KEYSET answered {:?}", answer.reply),
                        Err(e) => last = e.to_string(),
                    }
                }
                Err(Refusal::Silent) => last = "no reply".into(),
                Err(Refusal::Alarm(reason)) => last = reason,
            }
            std::thread::sleep(self.config.poll_interval);
        }
        self.lost(i, ReaderHealth::Offline);
        Err(InstallError::Expired(last))
    }
}
