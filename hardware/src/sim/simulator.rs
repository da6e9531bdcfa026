//! The simulator handle: the building's side (present, open, press, trip) and the
//! controller's side (output lines, event channels).

use super::state::State;
use super::{OutputChange, SimConfig, SimError, SimLine, SimOutput, SimStatus};
use crate::door_io::{DoorName, InputEvent, InputKind, Level};
use crate::reader::{CredentialRead, ReadData, ReaderEvent, ReaderHealth, ReaderId};
use gatehouse_core::card::CardId;
use gatehouse_core::model::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::{Notify, mpsc};

/// Events queued for a controller that is slow to read them; past this a command is refused
/// rather than buffered without bound.
const QUEUE: usize = 1024;

/// What the controller side receives from the simulated hardware.
#[derive(Debug)]
pub struct SimEvents {
    /// Credential reads (and, from other back-ends, health changes).
    pub readers: mpsc::Receiver<ReaderEvent>,
    /// Door input changes, already debounced (simulated contacts do not bounce).
    pub inputs: mpsc::Receiver<InputEvent>,
}

/// A simulated controller's hardware. Cheap to clone; every clone is the same hardware.
#[derive(Clone, Debug)]
pub struct Simulator {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    // Tokio's clock, so a test with paused time gets exact timestamps.
    start: tokio::time::Instant,
    state: Mutex<State>,
    readers: mpsc::Sender<ReaderEvent>,
    inputs: mpsc::Sender<InputEvent>,
    // Wakes those waiting for the record to grow.
    recorded: Notify,
}

impl Simulator {
    /// Simulated hardware as `config` describes it, and the controller's event channels.
    pub fn new(config: &SimConfig) -> (Simulator, SimEvents) {
        let (readers, reader_rx) = mpsc::channel(QUEUE);
        let (inputs, input_rx) = mpsc::channel(QUEUE);
        let sim = Simulator {
            shared: Arc::new(Shared {
                start: tokio::time::Instant::now(),
                state: Mutex::new(State::new(config)),
                readers,
                inputs,
                recorded: Notify::new(),
            }),
        };
        let events = SimEvents {
            readers: reader_rx,
            inputs: input_rx,
        };
        (sim, events)
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere while holding the lock leaves plain data behind; keep serving.
        self.shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn now(&self) -> (Instant, u64) {
        let now = tokio::time::Instant::now();
        let ms = now.saturating_duration_since(self.shared.start).as_millis();
        (now.into_std(), u64::try_from(ms).unwrap_or(u64::MAX))
    }

    // ---- the controller's side ----

    /// The output line `output` of `door`, for the controller to wrap in a
    /// [`Lock`](crate::door_io::Lock), [`ReaderLed`](crate::door_io::ReaderLed) or
    /// [`Beeper`](crate::door_io::Beeper).
    pub fn line(&self, door: &str, output: SimOutput) -> Result<SimLine, SimError> {
        self.state().check_door(door)?;
        Ok(SimLine::new(self.clone(), door, output))
    }

    pub(crate) fn drive(&self, door: &str, output: SimOutput, level: Level) {
        let (_, at_ms) = self.now();
        self.state().drive(door, output, level, at_ms);
        self.shared.recorded.notify_waiters();
    }

    // ---- the building's side ----

    /// Presents a card at `reader`.
    pub fn present_card(&self, reader: &str, card: CardId) -> Result<(), SimError> {
        self.present(reader, ReadData::Card(card))
    }

    /// Presents a card given in its text form (`H10301:231:61033`, `uid:04A1B2C3`).
    pub fn present_card_text(&self, reader: &str, text: &str) -> Result<(), SimError> {
        // The reader is checked first, so a wrong reader is named even with a bad card.
        self.state().check_reader(reader)?;
        let card = text.parse().map_err(|source| SimError::BadCard {
            text: text.to_string(),
            source,
        })?;
        self.present_card(reader, card)
    }

    /// Types `digits` on `reader`'s keypad.
    pub fn present_pin(&self, reader: &str, digits: &str) -> Result<(), SimError> {
        self.state().check_reader(reader)?;
        let pin = Pin::parse(digits).map_err(|_| SimError::BadPin)?;
        self.present(reader, ReadData::Pin(pin))
    }

    /// Shows a QR code whose text is `text` to `reader`.
    pub fn present_qr(&self, reader: &str, text: &str) -> Result<(), SimError> {
        self.present(reader, ReadData::Qr(text.to_string()))
    }

    /// `reader` reads `data` (any read, including unreadable ones).
    pub fn present(&self, reader: &str, data: ReadData) -> Result<(), SimError> {
        self.state().check_reader(reader)?;
        let (at, _) = self.now();
        let read = CredentialRead {
            reader: ReaderId::new(reader),
            at,
            data,
        };
        send(&self.shared.readers, ReaderEvent::Read(read), "reader")
    }

    /// Reports that `reader`'s health changed (went offline, was tampered with, …), as an
    /// OSDP back-end would.
    pub fn set_reader_health(&self, reader: &str, health: ReaderHealth) -> Result<(), SimError> {
        self.state().check_reader(reader)?;
        let (at, _) = self.now();
        let event = ReaderEvent::Health {
            reader: ReaderId::new(reader),
            at,
            health,
        };
        send(&self.shared.readers, event, "reader")
    }

    /// Opens (`true`) or closes `door`: its door contact.
    pub fn set_door_open(&self, door: &str, open: bool) -> Result<(), SimError> {
        self.set_input(door, InputKind::DoorContact, open)
    }

    /// Presses and releases `door`'s REX button: two input events at the same instant.
    pub fn press_rex(&self, door: &str) -> Result<(), SimError> {
        self.set_input(door, InputKind::Rex, true)?;
        self.set_input(door, InputKind::Rex, false)
    }

    /// Trips (`true`) or clears `door`'s tamper input.
    pub fn set_tamper(&self, door: &str, active: bool) -> Result<(), SimError> {
        self.set_input(door, InputKind::Tamper, active)
    }

    /// Trips (`true`) or clears the fire release of `door`, or of every door when `None`
    /// (a fire panel usually releases a whole building).
    pub fn set_fire(&self, door: Option<&str>, active: bool) -> Result<(), SimError> {
        let doors = match door {
            Some(door) => vec![door.to_string()],
            None => self.state().door_names(),
        };
        for door in doors {
            self.set_input(&door, InputKind::FireRelease, active)?;
        }
        Ok(())
    }

    /// Sets one input of `door`; sends an [`InputEvent`] if it changed.
    pub fn set_input(&self, door: &str, kind: InputKind, active: bool) -> Result<(), SimError> {
        let changed = self.state().door_mut(door)?.set_input(kind, active);
        if !changed {
            return Ok(());
        }
        let (at, _) = self.now();
        let event = InputEvent {
            door: DoorName::new(door),
            kind,
            active,
            at,
        };
        send(&self.shared.inputs, event, "input")
    }

    // ---- reports ----

    /// Every recorded output change with `seq >= since` (0: the whole record).
    pub fn record(&self, since: u64) -> Vec<OutputChange> {
        self.state().record(since)
    }

    /// The recorded output changes with `seq >= since`, waiting up to `wait` for the first
    /// of them if there is none yet (empty if none came): a test waits for an actuation
    /// without polling.
    pub async fn wait_for_record(&self, since: u64, wait: Duration) -> Vec<OutputChange> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            // Registered before the record is read, so a change in between still wakes us.
            let recorded = self.shared.recorded.notified();
            tokio::pin!(recorded);
            recorded.as_mut().enable();
            let record = self.record(since);
            if !record.is_empty() {
                return record;
            }
            if tokio::time::timeout_at(deadline, recorded).await.is_err() {
                return Vec::new();
            }
        }
    }

    /// The current state of every reader and door.
    pub fn status(&self) -> SimStatus {
        let (_, at_ms) = self.now();
        let state = self.state();
        SimStatus {
            at_ms,
            readers: state.readers(),
            doors: state.doors(),
        }
    }
}

fn send<T>(tx: &mpsc::Sender<T>, event: T, what: &'static str) -> Result<(), SimError> {
    tx.try_send(event).map_err(|e| match e {
        mpsc::error::TrySendError::Full(_) => SimError::QueueFull(what),
        mpsc::error::TrySendError::Closed(_) => SimError::NotListening(what),
    })
}
