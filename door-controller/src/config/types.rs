//! The configuration's shape, key by key. Every table refuses keys it does not know, so a
//! misspelt key is an error rather than a default silently used.

use super::duration::ConfigDuration;
use gatehouse_core::ids::DoorId;
use gatehouse_core::model::Direction;
use gatehouse_hardware::door_io::{LockWiring, Polarity, Wiring};
use serde::Deserialize;
use std::path::PathBuf;

/// The whole file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControllerConfig {
    /// `[controller]`.
    pub controller: ControllerSection,
    /// `[server]`.
    #[serde(default)]
    pub server: ServerSection,
    /// `[hardware]`.
    pub hardware: HardwareSection,
    /// `[journal]`.
    #[serde(default)]
    pub journal: JournalSection,
    /// `[[door]]`, one table per door.
    #[serde(default, rename = "door")]
    pub doors: Vec<DoorSection>,
}

/// `[controller]`: who this controller is and where it keeps its state.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControllerSection {
    /// A name for logs and `status` (the server knows the controller by its enrolled id).
    pub name: String,
    /// Where the device key, enrollment, last-good bundle, clock floor and reader keys live.
    pub state_dir: PathBuf,
}

/// `[server]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSection {
    /// The server's URL, for `enroll` when `--server` is not given. After enrollment the
    /// controller uses the URL and the certificate fingerprint it enrolled with.
    pub url: Option<String>,
}

/// Which back-end drives the doors and readers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Backend {
    /// The Raspberry Pi's GPIO pins and serial ports (the Pi build, feature `rpi`).
    Gpio,
    /// The simulator: every door and reader in this file simulated, driven through a
    /// control socket (tests, the demo, trying a configuration on a laptop).
    Sim,
}

/// `[hardware]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HardwareSection {
    /// `gpio` or `sim`.
    pub backend: Backend,
    /// The simulator's control socket (`sim` only); `<state_dir>/sim.sock` when absent.
    pub sim_socket: Option<PathBuf>,
    /// A file the simulated doors append every output change to (`sim` only; none when
    /// absent): what the doors were told, kept when the controller is killed.
    pub sim_record: Option<PathBuf>,
}

/// `[journal]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JournalSection {
    /// The journal's folder; `<state_dir>/journal` when absent.
    pub dir: Option<PathBuf>,
    /// Its size limit in MiB.
    #[serde(default = "default_journal_mib")]
    pub max_mib: u32,
    /// How long an appended event may wait for its fsync (the power-loss window).
    #[serde(default = "default_sync_window")]
    pub sync_window: ConfigDuration,
}

impl Default for JournalSection {
    fn default() -> Self {
        JournalSection {
            dir: None,
            max_mib: default_journal_mib(),
            sync_window: default_sync_window(),
        }
    }
}

fn default_journal_mib() -> u32 {
    64
}

fn default_sync_window() -> ConfigDuration {
    ConfigDuration(std::time::Duration::from_millis(20))
}

/// What a request-to-exit does besides shunting the forced-open alarm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RexAction {
    /// Unlock for the strike time (a maglock door).
    Unlock,
    /// Only shunt the alarm (a strike with a free-egress lever).
    ShuntOnly,
}

/// `[[door]]`: one door.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DoorSection {
    /// Its local name (for wiring, logs and the simulator), unique on this controller.
    pub name: String,
    /// The door's id on the server (the bundle names doors by id).
    pub id: DoorId,
    /// `fail_secure` (a strike: locked without power) or `fail_safe` (a maglock).
    pub lock: LockWiring,
    /// The relay pin driving the lock (BCM numbering; `gpio` only).
    pub lock_pin: Option<u8>,
    /// How long a grant unlocks the door.
    #[serde(default = "default_strike")]
    pub strike_time: ConfigDuration,
    /// How long the door may stand open before the held-open alarm.
    #[serde(default = "default_held_open")]
    pub held_open_time: ConfigDuration,
    /// How long before the held-open alarm the reader buzzer starts.
    #[serde(default = "default_pre_alarm")]
    pub pre_alarm: ConfigDuration,
    /// `unlock` (default) or `shunt_only`.
    #[serde(default = "default_rex_action")]
    pub rex_action: RexAction,
    /// The reader LED's red and green lines (`gpio`; an OSDP reader takes LED commands).
    pub led: Option<LedSection>,
    /// The reader beeper's line (`gpio`).
    pub beeper: Option<BeeperSection>,
    /// The door's inputs.
    #[serde(default)]
    pub inputs: InputsSection,
    /// `[[door.reader]]`, the door's readers.
    #[serde(default, rename = "reader")]
    pub readers: Vec<ReaderSection>,
}

fn default_strike() -> ConfigDuration {
    ConfigDuration::secs(5)
}

fn default_held_open() -> ConfigDuration {
    ConfigDuration::secs(30)
}

fn default_pre_alarm() -> ConfigDuration {
    ConfigDuration::secs(10)
}

fn default_rex_action() -> RexAction {
    RexAction::Unlock
}

/// `door.led`.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedSection {
    /// The red line's pin.
    pub red_pin: u8,
    /// The green line's pin.
    pub green_pin: u8,
    /// Which level lights it.
    #[serde(default)]
    pub polarity: Polarity,
}

/// `door.beeper`.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BeeperSection {
    /// Its pin.
    pub pin: u8,
    /// Which level sounds it.
    #[serde(default)]
    pub polarity: Polarity,
}

/// `door.inputs`: each input is optional (a door without a contact has no forced-open or
/// held-open alarm; say so in the site's records).
#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputsSection {
    /// The door position switch.
    pub contact: Option<InputSection>,
    /// The request-to-exit button or sensor.
    pub rex: Option<InputSection>,
    /// The enclosure tamper switch.
    pub tamper: Option<InputSection>,
    /// The fire-alarm panel's release contact.
    pub fire: Option<InputSection>,
}

/// The pin's bias resistor (`gpio`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PullSection {
    /// Pulled up: a contact to ground. The usual choice.
    #[default]
    Up,
    /// Pulled down: a contact to 3.3 V.
    Down,
    /// The circuit has its own resistors.
    Off,
}

/// One input.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputSection {
    /// Its pin (`gpio` only).
    pub pin: Option<u8>,
    /// `normally_open` or `normally_closed`.
    pub wiring: Wiring,
    /// The pin's bias.
    #[serde(default)]
    pub pull: PullSection,
    /// Settle time; the input kind's default when absent.
    pub debounce: Option<ConfigDuration>,
}

/// Which side of the door a reader is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// Outside: presenting here enters the door's zone.
    In,
    /// Inside: presenting here leaves it.
    Out,
}

impl Side {
    /// The direction `decide()` speaks of.
    pub const fn direction(self) -> Direction {
        match self {
            Side::In => Direction::Entry,
            Side::Out => Direction::Exit,
        }
    }
}

/// How a reader is connected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReaderInterface {
    /// Wiegand on two GPIO pins (`d0`, `d1`).
    Wiegand,
    /// OSDP on an RS-485 serial port (`port`, `address`).
    Osdp,
    /// A QR scanner on a serial port in line mode (`port`).
    QrSerial,
    /// A QR scanner acting as a USB keyboard (`device`, an evdev path).
    QrWedge,
    /// A simulated reader (`backend = "sim"`).
    Sim,
}

/// `[[door.reader]]`: one reader.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReaderSection {
    /// Its name, unique on this controller (e.g. `front-in`).
    pub name: String,
    /// `in` or `out`.
    pub direction: Side,
    /// How it is connected.
    pub interface: ReaderInterface,
    /// Wiegand D0 pin.
    pub d0: Option<u8>,
    /// Wiegand D1 pin.
    pub d1: Option<u8>,
    /// Serial port (OSDP, QR serial).
    pub port: Option<PathBuf>,
    /// Baud rate (OSDP: 9600 unless set; QR serial: 9600 unless set).
    pub baud: Option<u32>,
    /// OSDP address, 0 to 126.
    pub address: Option<u8>,
    /// The evdev device of a keyboard-wedge QR scanner.
    pub device: Option<PathBuf>,
}

impl ControllerConfig {
    /// The journal's folder.
    pub fn journal_dir(&self) -> PathBuf {
        self.journal
            .dir
            .clone()
            .unwrap_or_else(|| self.controller.state_dir.join("journal"))
    }

    /// The simulator's control socket.
    pub fn sim_socket(&self) -> PathBuf {
        self.hardware
            .sim_socket
            .clone()
            .unwrap_or_else(|| self.controller.state_dir.join("sim.sock"))
    }

    /// The door named `name`.
    pub fn door(&self, name: &str) -> Option<&DoorSection> {
        self.doors.iter().find(|d| d.name == name)
    }
}
