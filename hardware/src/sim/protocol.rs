//! The control socket's messages: one JSON object per line each way, one response per
//! request, in order. Documented in `docs/hardware-simulator.md`.

use super::{OutputChange, SimError, SimStatus, Simulator};
use crate::reader::ReaderHealth;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The longest a `record` request may wait: a client that asks for more gets this.
pub const MAX_WAIT_MS: u64 = 60_000;

/// A command to the simulator (`{"cmd":"card","reader":"front-in","card":"H10301:1:2"}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "cmd", rename_all = "snake_case")]
pub enum Request {
    /// Present a card, in its text form (`H10301:231:61033`, `uid:04A1B2C3`).
    Card {
        /// The reader.
        reader: String,
        /// The card id's text form.
        card: String,
    },
    /// Type a PIN (4 to 12 digits).
    Pin {
        /// The reader.
        reader: String,
        /// The digits.
        pin: String,
    },
    /// Show a QR code.
    Qr {
        /// The reader.
        reader: String,
        /// The QR code's text.
        text: String,
    },
    /// Report a reader's health change.
    ReaderHealth {
        /// The reader.
        reader: String,
        /// Its new health.
        health: SimHealth,
    },
    /// Open a door (its door contact becomes active).
    OpenDoor {
        /// The door.
        door: String,
    },
    /// Close a door.
    CloseDoor {
        /// The door.
        door: String,
    },
    /// Press and release a door's REX button.
    Rex {
        /// The door.
        door: String,
    },
    /// Trip or clear a door's tamper input.
    Tamper {
        /// The door.
        door: String,
        /// Tripped.
        active: bool,
    },
    /// Trip or clear the fire release of one door, or of every door when `door` is absent.
    Fire {
        /// The door; every door when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        door: Option<String>,
        /// Tripped.
        active: bool,
    },
    /// Report the output record (entries with `seq >= since`; all when absent).
    Record {
        /// The first `seq` wanted.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        since: Option<u64>,
        /// When nothing at or past `since` is recorded yet, wait up to this many
        /// milliseconds (at most 60,000) for it; an empty record after that.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        wait_ms: Option<u64>,
    },
    /// Report the current state of every door and reader.
    Status,
}

/// A reader health the control socket can report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SimHealth {
    /// Answering, without the Secure Channel.
    Online,
    /// Answering over the Secure Channel.
    OnlineSecure,
    /// Not answering.
    Offline,
    /// Its enclosure is opened.
    Tamper,
}

impl From<SimHealth> for ReaderHealth {
    fn from(health: SimHealth) -> Self {
        match health {
            SimHealth::Online => ReaderHealth::Online { secure: false },
            SimHealth::OnlineSecure => ReaderHealth::Online { secure: true },
            SimHealth::Offline => ReaderHealth::Offline,
            SimHealth::Tamper => ReaderHealth::Tamper,
        }
    }
}

/// The simulator's answer to one request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Response {
    /// Whether the request was carried out.
    pub ok: bool,
    /// What was wrong, when `ok` is false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The record, for `record`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<Vec<OutputChange>>,
    /// The state, for `status`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<SimStatus>,
}

impl Response {
    fn done() -> Self {
        Response {
            ok: true,
            error: None,
            record: None,
            status: None,
        }
    }

    /// A refusal saying `error`.
    pub fn error(error: String) -> Self {
        Response {
            ok: false,
            error: Some(error),
            ..Response::done()
        }
    }
}

/// Answers one request line (without its newline). Never panics: bad input is an error
/// response naming what is wrong.
pub async fn answer(sim: &Simulator, line: &[u8]) -> Response {
    if line.iter().all(u8::is_ascii_whitespace) {
        return Response::error("empty request: send one JSON object per line".to_string());
    }
    match serde_json::from_slice::<Request>(line) {
        Ok(Request::Record {
            since,
            wait_ms: Some(wait_ms),
        }) => {
            let wait = Duration::from_millis(wait_ms.min(MAX_WAIT_MS));
            Response {
                record: Some(sim.wait_for_record(since.unwrap_or(0), wait).await),
                ..Response::done()
            }
        }
        Ok(request) => carry_out(sim, request),
        Err(e) => Response::error(format!("bad request: {e}")),
    }
}

fn carry_out(sim: &Simulator, request: Request) -> Response {
    let done = |result: Result<(), SimError>| match result {
        Ok(()) => Response::done(),
        Err(e) => Response::error(e.to_string()),
    };
    match request {
        Request::Card { reader, card } => done(sim.present_card_text(&reader, &card)),
        Request::Pin { reader, pin } => done(sim.present_pin(&reader, &pin)),
        Request::Qr { reader, text } => done(sim.present_qr(&reader, &text)),
        Request::ReaderHealth { reader, health } => {
            done(sim.set_reader_health(&reader, health.into()))
        }
        Request::OpenDoor { door } => done(sim.set_door_open(&door, true)),
        Request::CloseDoor { door } => done(sim.set_door_open(&door, false)),
        Request::Rex { door } => done(sim.press_rex(&door)),
        Request::Tamper { door, active } => done(sim.set_tamper(&door, active)),
        Request::Fire { door, active } => done(sim.set_fire(door.as_deref(), active)),
        Request::Record { since, .. } => Response {
            record: Some(sim.record(since.unwrap_or(0))),
            ..Response::done()
        },
        Request::Status => Response {
            status: Some(sim.status()),
            ..Response::done()
        },
    }
}
