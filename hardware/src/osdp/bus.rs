//! The control panel: several readers on one RS-485 bus, polled in turn.
//!
//! Each reader goes offline → (Secure Channel handshake when keyed) → ID / CAP → online,
//! then is polled; queued LED / buzzer / output commands go out in place of a poll. What
//! readers report reaches the event sink as [`ReaderEvent`]s: reads, and health changes
//! (online, offline, tamper, Secure Channel refused), each health change once.

use super::channel::Channel;
use super::commands::Command;
use super::frame::Parser;
use super::link::{self, Answer, LinkError, Timing};
use super::reads::{Keypad, reads};
use super::replies::{Capability, PdId, Reply};
use super::secure_channel::{Key, Session};
use crate::reader::{ReaderEvent, ReaderHealth, ReaderId};
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Where the control panel's events go: a callback, called on the bus's thread. To feed a
/// tokio task, pass `move |e| { let _ = tx.blocking_send(e); }` from a blocking thread (or
/// `try_send`).
pub type EventSink = Box<dyn FnMut(ReaderEvent) + Send>;

/// A reader on the bus.
#[derive(Clone, Debug)]
pub struct ReaderConfig {
    /// Its name.
    pub id: ReaderId,
    /// Its OSDP address (0..=126).
    pub address: u8,
    /// Its own Secure Channel key. `Some`: the reader is only ever accepted over the
    /// Secure Channel with this key. `None`: not keyed yet; polled in the clear until
    /// [`Bus::install_key`] keys it.
    pub key: Option<Key>,
}

/// Bus timing.
#[derive(Clone, Copy, Debug)]
pub struct BusConfig {
    /// Reply timeout and retries of one exchange.
    pub timing: Timing,
    /// Pause between two poll rounds.
    pub poll_interval: Duration,
    /// How long to wait before trying again to bring an offline reader online.
    pub reconnect_after: Duration,
}

impl Default for BusConfig {
    fn default() -> Self {
        BusConfig {
            timing: Timing::default(),
            poll_interval: Duration::from_millis(50),
            reconnect_after: Duration::from_secs(1),
        }
    }
}

/// What the control panel knows of a reader.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReaderInfo {
    /// From osdp_PDID.
    pub id: Option<PdId>,
    /// From osdp_PDCAP.
    pub capabilities: Vec<Capability>,
    /// The last health reported.
    pub health: Option<ReaderHealth>,
}

pub(super) struct Pd {
    pub(super) config: ReaderConfig,
    pub(super) sqn: u8,
    pub(super) session: Option<Session>,
    pub(super) online: bool,
    pub(super) info: ReaderInfo,
    pub(super) pending: VecDeque<Command>,
    pub(super) keypad: Keypad,
    pub(super) retry_at: Option<Instant>,
}

/// The control panel on one bus.
pub struct Bus {
    pub(super) channel: Box<dyn Channel>,
    pub(super) parser: Parser,
    pub(super) config: BusConfig,
    pub(super) readers: Vec<Pd>,
    sink: EventSink,
}

impl std::fmt::Debug for Bus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bus")
            .field("readers", &self.readers.len())
            .finish()
    }
}

/// A bus that cannot be set up.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BusError {
    /// Two readers share an address, or an address is above 126.
    #[error("reader address {0} is out of range or used twice")]
    Address(u8),
    /// No reader by that name.
    #[error("no reader {0} on this bus")]
    UnknownReader(String),
    /// A Secure Channel command (KEYSET, CHLNG, SCRYPT) handed to [`Bus::send`]: the bus
    /// sends those itself, inside a handshake or a time-boxed key installation, never on a
    /// caller's word (a KEYSET queued to an unkeyed reader would go out in the clear).
    #[error("{0} is sent by the control panel itself, not queued")]
    Reserved(&'static str),
}

impl Bus {
    /// A control panel for `readers` on `channel`, sending events to `sink`.
    pub fn new(
        channel: Box<dyn Channel>,
        config: BusConfig,
        readers: Vec<ReaderConfig>,
        sink: impl FnMut(ReaderEvent) + Send + 'static,
    ) -> Result<Bus, BusError> {
        let mut seen = Vec::new();
        for r in &readers {
            if r.address > 126 || seen.contains(&r.address) {
                return Err(BusError::Address(r.address));
            }
            seen.push(r.address);
        }
        let readers = readers
            .into_iter()
            .map(|config| Pd {
                config,
                sqn: 0,
                session: None,
                online: false,
                info: ReaderInfo::default(),
                pending: VecDeque::new(),
                keypad: Keypad::default(),
                retry_at: None,
            })
            .collect();
        Ok(Bus {
            channel,
            parser: Parser::new(),
            config,
            readers,
            sink: Box::new(sink),
        })
    }

    pub(super) fn index(&self, reader: &ReaderId) -> Result<usize, BusError> {
        self.readers
            .iter()
            .position(|p| p.config.id == *reader)
            .ok_or_else(|| BusError::UnknownReader(reader.name().to_owned()))
    }

    /// What is known of `reader`.
    pub fn info(&self, reader: &ReaderId) -> Option<&ReaderInfo> {
        self.readers
            .iter()
            .find(|p| p.config.id == *reader)
            .map(|p| &p.info)
    }

    /// Queues a command (LED, buzzer, output, COMSET) for `reader`; it goes out in place of
    /// the next poll.
    pub fn send(&mut self, reader: &ReaderId, command: Command) -> Result<(), BusError> {
        let reserved = match command {
            Command::KeySet(_) => Some("KEYSET"),
            Command::Challenge(_) => Some("CHLNG"),
            Command::ServerCryptogram(_) => Some("SCRYPT"),
            _ => None,
        };
        if let Some(name) = reserved {
            return Err(BusError::Reserved(name));
        }
        let i = self.index(reader)?;
        self.readers[i].pending.push_back(command);
        Ok(())
    }

    /// Polls until `deadline`.
    pub fn run_until(&mut self, deadline: Instant) {
        while Instant::now() < deadline {
            self.poll_round();
            let left = deadline.saturating_duration_since(Instant::now());
            std::thread::sleep(self.config.poll_interval.min(left));
        }
    }

    /// One exchange with every reader: bringing it online, or a poll (or queued command).
    pub fn poll_round(&mut self) {
        for i in 0..self.readers.len() {
            if self.readers[i].online {
                self.poll_one(i);
            } else {
                let due = self.readers[i].retry_at.is_none_or(|t| Instant::now() >= t);
                if due {
                    self.connect(i);
                }
            }
        }
    }

    pub(super) fn exchange(
        &mut self,
        i: usize,
        command: &Command,
        scb: Option<&super::frame::Scb>,
    ) -> Result<Answer, LinkError> {
        let pd = &mut self.readers[i];
        link::exchange(
            self.channel.as_mut(),
            &mut self.parser,
            self.config.timing,
            pd.config.address,
            &mut pd.sqn,
            pd.session.as_mut(),
            scb,
            command,
        )
    }

    fn poll_one(&mut self, i: usize) {
        let command = self.readers[i].pending.pop_front().unwrap_or(Command::Poll);
        match self.exchange(i, &command, None) {
            Ok(answer) => self.handle(i, &answer.reply),
            Err(LinkError::Secure(e)) => self.lost(
                i,
                ReaderHealth::SecureChannelRefused {
                    cause: e.cause(),
                    reason: e.to_string(),
                },
            ),
            Err(LinkError::Malformed(_)) => {}
            Err(LinkError::NoReply | LinkError::Io(_)) => self.lost(i, ReaderHealth::Offline),
        }
    }

    fn handle(&mut self, i: usize, reply: &Reply) {
        let pd = &mut self.readers[i];
        for read in reads(&pd.config.id, reply, &mut pd.keypad) {
            (self.sink)(ReaderEvent::Read(read));
        }
        if let Reply::LocalStatus { tamper, .. } = reply {
            let secure = self.readers[i].session.is_some();
            let health = if *tamper {
                ReaderHealth::Tamper
            } else {
                ReaderHealth::Online { secure }
            };
            self.set_health(i, health);
        }
        // After osdp_COMSET the reader answers at its new address from the next command on
        // (a new baud rate needs the port reopened: the caller's work).
        if let Reply::Com { address, .. } = reply {
            let taken = self
                .readers
                .iter()
                .enumerate()
                .any(|(j, p)| j != i && p.config.address == *address);
            if *address <= 126 && !taken {
                self.readers[i].config.address = *address;
            }
        }
    }

    /// Drops the reader's link and session; it is brought online again (never in the clear
    /// when keyed) after `reconnect_after`. Commands still queued for it are dropped: they
    /// were meant for that moment (an LED for a grant, an output pulse), and sent minutes
    /// later on reconnect they would mislead, or actuate what no one asked for then.
    pub(super) fn lost(&mut self, i: usize, health: ReaderHealth) {
        let retry = Instant::now() + self.config.reconnect_after;
        let pd = &mut self.readers[i];
        pd.pending.clear();
        pd.online = false;
        pd.session = None;
        pd.sqn = 0;
        pd.retry_at = Some(retry);
        self.set_health(i, health);
    }

    pub(super) fn set_health(&mut self, i: usize, health: ReaderHealth) {
        let pd = &mut self.readers[i];
        if pd.info.health.as_ref() == Some(&health) {
            return;
        }
        pd.info.health = Some(health.clone());
        let reader = pd.config.id.clone();
        (self.sink)(ReaderEvent::Health {
            reader,
            at: Instant::now(),
            health,
        });
    }
}
