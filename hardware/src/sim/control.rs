//! A client for the simulator's control socket, for tests, the demo and whole-system tests
//! that drive a controller running as another process.

use super::protocol::{Request, Response, SimHealth};
use super::{OutputChange, SimStatus};
use gatehouse_core::card::CardId;
use std::path::Path;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixStream;
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};

/// Why a control request failed.
#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    /// The socket failed.
    #[error("simulator control socket: {0}")]
    Io(#[from] std::io::Error),
    /// The simulator closed the connection.
    #[error("the simulator closed the control connection")]
    Closed,
    /// The simulator answered with something that is not a response.
    #[error("the simulator sent an unreadable response: {0}")]
    Protocol(String),
    /// The simulator refused the request, saying why.
    #[error("the simulator refused: {0}")]
    Refused(String),
}

/// One connection to a simulator's control socket.
#[derive(Debug)]
pub struct Client {
    read: BufReader<OwnedReadHalf>,
    write: OwnedWriteHalf,
}

impl Client {
    /// Connects to the socket at `path`.
    pub async fn connect(path: impl AsRef<Path>) -> Result<Self, ControlError> {
        let (read, write) = UnixStream::connect(path).await?.into_split();
        Ok(Client {
            read: BufReader::new(read),
            write,
        })
    }

    /// Sends `line` as it is (a newline is added) and returns the response, refused or not.
    /// For tests of the protocol itself.
    pub async fn send_line(&mut self, line: &str) -> Result<Response, ControlError> {
        self.write.write_all(line.as_bytes()).await?;
        self.write.write_all(b"\n").await?;
        let mut answer = String::new();
        if self.read.read_line(&mut answer).await? == 0 {
            return Err(ControlError::Closed);
        }
        serde_json::from_str(&answer).map_err(|e| ControlError::Protocol(e.to_string()))
    }

    /// Sends `request`; a refusal is [`ControlError::Refused`].
    pub async fn request(&mut self, request: &Request) -> Result<Response, ControlError> {
        let line =
            serde_json::to_string(request).map_err(|e| ControlError::Protocol(e.to_string()))?;
        let response = self.send_line(&line).await?;
        if response.ok {
            Ok(response)
        } else {
            Err(ControlError::Refused(
                response
                    .error
                    .unwrap_or_else(|| "no reason given".to_string()),
            ))
        }
    }

    /// Presents `card` at `reader`.
    pub async fn present_card(&mut self, reader: &str, card: &CardId) -> Result<(), ControlError> {
        self.request(&Request::Card {
            reader: reader.to_string(),
            card: card.to_string(),
        })
        .await
        .map(drop)
    }

    /// Types `pin` at `reader`.
    pub async fn present_pin(&mut self, reader: &str, pin: &str) -> Result<(), ControlError> {
        self.request(&Request::Pin {
            reader: reader.to_string(),
            pin: pin.to_string(),
        })
        .await
        .map(drop)
    }

    /// Shows a QR code with `text` at `reader`.
    pub async fn present_qr(&mut self, reader: &str, text: &str) -> Result<(), ControlError> {
        self.request(&Request::Qr {
            reader: reader.to_string(),
            text: text.to_string(),
        })
        .await
        .map(drop)
    }

    /// Reports a health change of `reader`.
    pub async fn set_reader_health(
        &mut self,
        reader: &str,
        health: SimHealth,
    ) -> Result<(), ControlError> {
        self.request(&Request::ReaderHealth {
            reader: reader.to_string(),
            health,
        })
        .await
        .map(drop)
    }

    /// Opens (`true`) or closes `door`.
    pub async fn set_door_open(&mut self, door: &str, open: bool) -> Result<(), ControlError> {
        let door = door.to_string();
        let request = if open {
            Request::OpenDoor { door }
        } else {
            Request::CloseDoor { door }
        };
        self.request(&request).await.map(drop)
    }

    /// Presses and releases `door`'s REX button.
    pub async fn press_rex(&mut self, door: &str) -> Result<(), ControlError> {
        self.request(&Request::Rex {
            door: door.to_string(),
        })
        .await
        .map(drop)
    }

    /// Trips (`true`) or clears `door`'s tamper input.
    pub async fn set_tamper(&mut self, door: &str, active: bool) -> Result<(), ControlError> {
        self.request(&Request::Tamper {
            door: door.to_string(),
            active,
        })
        .await
        .map(drop)
    }

    /// Trips (`true`) or clears the fire release of `door`, or of every door.
    pub async fn set_fire(&mut self, door: Option<&str>, active: bool) -> Result<(), ControlError> {
        self.request(&Request::Fire {
            door: door.map(str::to_string),
            active,
        })
        .await
        .map(drop)
    }

    /// The output changes recorded with `seq >= since` (0: all).
    pub async fn record(&mut self, since: u64) -> Result<Vec<OutputChange>, ControlError> {
        let response = self
            .request(&Request::Record {
                since: Some(since),
                wait_ms: None,
            })
            .await?;
        response
            .record
            .ok_or_else(|| ControlError::Protocol("a record response without a record".into()))
    }

    /// The output changes with `seq >= since`, waiting up to `wait` (at most a minute) for
    /// the first of them; empty if none came.
    pub async fn wait_for_record(
        &mut self,
        since: u64,
        wait: Duration,
    ) -> Result<Vec<OutputChange>, ControlError> {
        let wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
        let response = self
            .request(&Request::Record {
                since: Some(since),
                wait_ms: Some(wait_ms),
            })
            .await?;
        response
            .record
            .ok_or_else(|| ControlError::Protocol("a record response without a record".into()))
    }

    /// The current state of every door and reader.
    pub async fn status(&mut self) -> Result<SimStatus, ControlError> {
        let response = self.request(&Request::Status).await?;
        response
            .status
            .ok_or_else(|| ControlError::Protocol("a status response without a status".into()))
    }
}
