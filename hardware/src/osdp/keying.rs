//! Installing a reader's own key over SCBK-D: an explicit, time-boxed admin action.
//!
//! A new reader only knows SCBK-D, the published default key. Whoever listens to the bus
//! while a key is sent under SCBK-D learns it (the 2023 "install-mode key capture"), so it
//! happens only when an admin asks, for one reader, until a deadline; the key is a fresh
//! random one per reader; and a reader that already has a key is never re-keyed this way.

use super::bus::{Bus, BusError};
use super::commands::Command;
use super::connect::Refusal;
use super::link::{Answer, LinkError};
use super::replies::Reply;
use super::secure_channel::{Key, SCBK_D};
use crate::reader::{ReaderHealth, ReaderId, RefusalCause};
use std::time::{Duration, Instant};

/// The longest key installation window: [`Bus::install_key`] holds the bus for its whole
/// window (no other reader is polled meanwhile), so the window is short and bounded.
pub const MAX_INSTALL_WINDOW: Duration = Duration::from_secs(30);

/// A key installation that did not happen.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InstallError {
    /// The reader is not on this bus.
    #[error(transparent)]
    Bus(#[from] BusError),
    /// The reader already has its own key: it is never re-keyed over SCBK-D.
    #[error("reader {0} already has its own key; it is not re-keyed over the default key")]
    AlreadyKeyed(String),
    /// The reader answered the handshake under SCBK-D with another key (a client
    /// cryptogram that matches neither SCBK-D nor the new key): a swapped or tampered
    /// reader. Reported as [`ReaderHealth::SecureChannelRefused`], an alarm; the
    /// installation stops at once. The key is handed back, as for `Expired`.
    #[error("the reader answered with an unexpected key: {reason}")]
    Refused {
        /// What happened.
        reason: String,
        /// The key that was being installed (its `Debug` never shows it).
        key: Key,
    },
    /// The deadline is further away than [`MAX_INSTALL_WINDOW`]: refused before anything
    /// is sent (the bus is paused during an installation). The key is handed back.
    #[error(
        "a key installation window is at most {} s (the bus is paused meanwhile)",
        max.as_secs()
    )]
    WindowTooLong {
        /// The limit, [`MAX_INSTALL_WINDOW`].
        max: Duration,
        /// The key that was to be installed (its `Debug` never shows it).
        key: Key,
    },
    /// The deadline passed before the reader took the key. The key is handed back: the
    /// reader may still have taken it (a KEYSET whose every answer was lost and whose
    /// proof, a handshake under the new key, failed too), so the caller should keep it —
    /// store it as the reader's pending key, or retry with it — rather than drop it.
    #[error("the reader did not take its key before the deadline: {reason}")]
    Expired {
        /// What went wrong last.
        reason: String,
        /// The key that was being installed (its `Debug` never shows it).
        key: Key,
    },
}

impl Bus {
    /// Installs `new_key` on `reader`, which must still be on SCBK-D (install mode), before
    /// `deadline`, at most [`MAX_INSTALL_WINDOW`] away (a later deadline is refused,
    /// [`InstallError::WindowTooLong`]). The bus is paused meanwhile: this call holds it, so
    /// no other reader on it is polled (no reads, no health changes) until it returns. On
    /// success the reader is keyed: from then on it is only accepted over the
    /// Secure Channel with `new_key`, which the caller stores in the controller's key store.
    ///
    /// A KEYSET none of whose resends is answered may still have reached the reader, so a
    /// handshake under `new_key` follows it: if it succeeds the reader is keyed (`Ok`). If
    /// the installation fails, [`InstallError::Expired`] hands `new_key` back, since the
    /// reader may hold it: the caller keeps it (to retry with, or to try as the reader's
    /// key) instead of dropping it.
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
        if deadline > Instant::now() + MAX_INSTALL_WINDOW {
            return Err(InstallError::WindowTooLong {
                max: MAX_INSTALL_WINDOW,
                key: new_key,
            });
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
                            self.keyed(i, new_key);
                            return Ok(());
                        }
                        Ok(answer) => last = format!("KEYSET answered {:?}", answer.reply),
                        Err(e @ (LinkError::NoReply | LinkError::Io(_))) => {
                            // The KEYSET may have arrived and only its answers got lost:
                            // the reader may hold the new key already. A handshake under
                            // it tells; starting over under SCBK-D would not.
                            self.readers[i].sqn = 0;
                            self.readers[i].session = None;
                            if self.secure(i, &new_key, false).is_ok() {
                                self.keyed(i, new_key);
                                return Ok(());
                            }
                            last = e.to_string();
                        }
                        Err(e) => last = e.to_string(),
                    }
                }
                Err(Refusal::Silent) => last = "no reply".into(),
                Err(Refusal::Alarm(cause, reason)) if cause != RefusalCause::WrongKey => {
                    last = reason
                }
                Err(Refusal::Alarm(cause, reason)) => {
                    // A reader whose KEYSET answer was lost answers SCBK-D with the new
                    // key; any other key is an alarm, and the installation stops.
                    self.readers[i].sqn = 0;
                    self.readers[i].session = None;
                    if self.secure(i, &new_key, false).is_ok() {
                        self.keyed(i, new_key);
                        return Ok(());
                    }
                    self.lost(
                        i,
                        ReaderHealth::SecureChannelRefused {
                            cause,
                            reason: reason.clone(),
                        },
                    );
                    return Err(InstallError::Refused {
                        reason,
                        key: new_key,
                    });
                }
            }
            std::thread::sleep(self.config.poll_interval);
        }
        self.lost(i, ReaderHealth::Offline);
        Err(InstallError::Expired {
            reason: last,
            key: new_key,
        })
    }

    /// Reader `i` took `key`: it is recorded, and the reader reconnects at once, over the
    /// Secure Channel with it.
    fn keyed(&mut self, i: usize, key: Key) {
        let pd = &mut self.readers[i];
        pd.config.key = Some(key);
        pd.online = false;
        pd.session = None;
        pd.sqn = 0;
        pd.retry_at = None;
    }
}
