//! Door inputs: what they mean, how they are wired, and one debounced input.

use super::{Debouncer, DoorName};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::{Duration, Instant};

/// What an input tells the controller. Each is "active" in one situation, named here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputKind {
    /// The door position switch; active = the door is open.
    DoorContact,
    /// The request-to-exit button or motion sensor; active = pressed.
    Rex,
    /// An enclosure or reader tamper switch; active = tampered with.
    Tamper,
    /// The fire-alarm panel's release contact; active = release the door.
    FireRelease,
}

impl InputKind {
    /// Every kind.
    pub const ALL: [InputKind; 4] = [
        InputKind::DoorContact,
        InputKind::Rex,
        InputKind::Tamper,
        InputKind::FireRelease,
    ];

    /// Its name in configuration and on the simulator's wire.
    pub const fn name(self) -> &'static str {
        match self {
            InputKind::DoorContact => "door_contact",
            InputKind::Rex => "rex",
            InputKind::Tamper => "tamper",
            InputKind::FireRelease => "fire_release",
        }
    }

    /// A settle time that suits the kind: a mechanical button bounces for a few ms, a door
    /// contact on a slamming door longer; fire and tamper are not in a hurry, and a spike on
    /// a long cable must not release a building.
    pub const fn default_debounce(self) -> Duration {
        match self {
            InputKind::Rex => Duration::from_millis(20),
            InputKind::DoorContact => Duration::from_millis(50),
            InputKind::Tamper | InputKind::FireRelease => Duration::from_millis(100),
        }
    }
}

impl fmt::Display for InputKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The state of the circuit an input reads. The back-end maps its pin level to this (with
/// a pull-up, a closed contact reads low); nothing above that mapping sees a pin level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Circuit {
    /// No current flows through the contact.
    Open,
    /// The contact is closed.
    Closed,
}

/// How an input's contact is wired, in the installer's terms (configuration:
/// `normally_open` or `normally_closed`).
///
/// Normally-closed is the secure choice for door contacts, tamper and fire release: a cut
/// wire reads as active (door open, tampered, release) rather than as "all is well".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Wiring {
    /// The circuit closes when the input is active (a typical REX button).
    NormallyOpen,
    /// The circuit opens when the input is active (a door contact held closed by the door).
    NormallyClosed,
}

impl Wiring {
    /// Whether an input wired this way is active when its circuit is `circuit`.
    pub const fn is_active(self, circuit: Circuit) -> bool {
        matches!(
            (self, circuit),
            (Wiring::NormallyOpen, Circuit::Closed) | (Wiring::NormallyClosed, Circuit::Open)
        )
    }
}

/// One input's configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputConfig {
    /// What it means.
    pub kind: InputKind,
    /// How it is wired.
    pub wiring: Wiring,
    /// Settle time in milliseconds; the kind's default when absent.
    #[serde(default)]
    pub debounce_ms: Option<u64>,
}

impl InputConfig {
    /// The settle time to debounce with.
    pub fn debounce(&self) -> Duration {
        self.debounce_ms
            .map_or(self.kind.default_debounce(), Duration::from_millis)
    }
}

/// One physical input: its configuration and its debouncer, fed circuit readings.
#[derive(Clone, Debug)]
pub struct Input {
    config: InputConfig,
    // Debounces "active", so a normally-closed input's logic reads like any other.
    debouncer: Debouncer,
}

impl Input {
    /// An input whose circuit reads `initial` at start.
    pub fn new(config: InputConfig, initial: Circuit) -> Self {
        Input {
            config,
            debouncer: Debouncer::new(config.wiring.is_active(initial), config.debounce()),
        }
    }

    /// Its configuration.
    pub fn config(&self) -> InputConfig {
        self.config
    }

    /// Whether it is active (debounced).
    pub fn is_active(&self) -> bool {
        self.debouncer.level()
    }

    /// Feeds a circuit reading (a sample or an edge) seen at `at`; returns the new
    /// debounced "active" when it changed.
    pub fn sample(&mut self, circuit: Circuit, at: Instant) -> Option<bool> {
        self.debouncer
            .sample(self.config.wiring.is_active(circuit), at)
    }

    /// Settles a pending change by `at`; see [`Debouncer::poll`].
    pub fn poll(&mut self, at: Instant) -> Option<bool> {
        self.debouncer.poll(at)
    }

    /// When a pending change settles; see [`Debouncer::deadline`].
    pub fn deadline(&self) -> Option<Instant> {
        self.debouncer.deadline()
    }
}

/// A debounced input change, as back-ends send it to the controller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputEvent {
    /// The door the input belongs to.
    pub door: DoorName,
    /// Which input.
    pub kind: InputKind,
    /// Its new state (see [`InputKind`] for what active means).
    pub active: bool,
    /// When the change settled (monotonic).
    pub at: Instant,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wiring_table() {
        let table = [
            (Wiring::NormallyOpen, Circuit::Open, false),
            (Wiring::NormallyOpen, Circuit::Closed, true),
            (Wiring::NormallyClosed, Circuit::Open, true),
            (Wiring::NormallyClosed, Circuit::Closed, false),
        ];
        for (wiring, circuit, active) in table {
            assert_eq!(wiring.is_active(circuit), active, "{wiring:?} {circuit:?}");
        }
    }

    #[test]
    fn normally_closed_door_contact_opens_after_settling() {
        let config: InputConfig =
            serde_json::from_str(r#"{"kind":"door_contact","wiring":"normally_closed"}"#).unwrap();
        assert_eq!(config.debounce(), Duration::from_millis(50));
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let mut contact = Input::new(config, Circuit::Closed);
        assert!(!contact.is_active(), "door closed at start");
        assert_eq!(contact.sample(Circuit::Open, ms(0)), None);
        assert_eq!(contact.sample(Circuit::Closed, ms(2)), None, "bounce");
        assert_eq!(contact.sample(Circuit::Open, ms(4)), None);
        assert_eq!(contact.deadline(), Some(ms(54)));
        assert_eq!(contact.poll(ms(53)), None);
        assert_eq!(contact.poll(ms(54)), Some(true), "door open");
        assert!(contact.is_active());
    }

    #[test]
    fn a_cut_normally_closed_wire_reads_active_at_start() {
        let config = InputConfig {
            kind: InputKind::Tamper,
            wiring: Wiring::NormallyClosed,
            debounce_ms: Some(5),
        };
        assert!(Input::new(config, Circuit::Open).is_active());
        assert_eq!(config.debounce(), Duration::from_millis(5));
    }
}
