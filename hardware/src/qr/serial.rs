//! Serial (USB CDC, e.g. `/dev/ttyACM0`) QR scanners in line mode.

use super::classify::classify;
use super::lines::{LineError, LineSplitter};
use crate::reader::{CredentialRead, ReadData, ReaderEvent, ReaderHealth, ReaderId};
use serialport::SerialPort;
use std::collections::VecDeque;
use std::io::{self, Read};
use std::time::{Duration, Instant};

/// A serial scanner's configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SerialConfig {
    /// The port (`/dev/ttyACM0`, or a stable `/dev/serial/by-id/…` link).
    pub path: String,
    /// Baud rate (ignored by USB CDC devices, used by real UARTs).
    pub baud: u32,
    /// The longest scan, in bytes.
    pub max_len: usize,
    /// How long a read waits for bytes; a pause this long also ends a line that has no
    /// terminator.
    pub read_timeout: Duration,
}

impl SerialConfig {
    /// Defaults for `path`: 9600 baud, [`DEFAULT_MAX_LEN`](super::DEFAULT_MAX_LEN) bytes,
    /// a 200 ms read timeout.
    pub fn new(path: &str) -> Self {
        SerialConfig {
            path: path.to_string(),
            baud: 9600,
            max_len: super::DEFAULT_MAX_LEN,
            read_timeout: Duration::from_millis(200),
        }
    }
}

/// Why a serial scanner stopped.
#[derive(Debug, thiserror::Error)]
pub enum ScannerError {
    /// The port could not be opened.
    #[error("cannot open {path}: {reason}")]
    Open {
        /// The port.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// Reading failed (the scanner was unplugged).
    #[error("reading the scanner: {0}")]
    Read(#[from] io::Error),
    /// The sink asked to stop.
    #[error("stopped")]
    Stopped,
}

/// An open serial scanner.
pub struct SerialScanner {
    id: ReaderId,
    port: Box<dyn SerialPort>,
    lines: LineSplitter,
    ready: VecDeque<Result<String, LineError>>,
}

impl std::fmt::Debug for SerialScanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SerialScanner")
            .field("id", &self.id)
            .field("port", &self.port.name())
            .finish_non_exhaustive()
    }
}

impl SerialScanner {
    /// Opens the scanner `id` on `config.path`.
    pub fn open(id: ReaderId, config: &SerialConfig) -> Result<Self, ScannerError> {
        let port = serialport::new(&config.path, config.baud)
            .timeout(config.read_timeout)
            .open()
            .map_err(|e| ScannerError::Open {
                path: config.path.clone(),
                reason: e.to_string(),
            })?;
        Ok(SerialScanner {
            id,
            port,
            lines: LineSplitter::new(config.max_len),
            ready: VecDeque::new(),
        })
    }

    /// The next scan, or `None` when the read timeout passed without one.
    pub fn next_read(&mut self) -> Result<Option<CredentialRead>, ScannerError> {
        if self.ready.is_empty() {
            let mut buf = [0u8; 256];
            match self.port.read(&mut buf) {
                Ok(0) => {
                    return Err(io::Error::from(io::ErrorKind::UnexpectedEof).into());
                }
                Ok(n) => self.ready.extend(self.lines.push(&buf[..n])),
                Err(e) if e.kind() == io::ErrorKind::TimedOut => {
                    self.ready.extend(self.lines.flush());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(self.ready.pop_front().map(|line| CredentialRead {
            reader: self.id.clone(),
            at: Instant::now(),
            data: match line {
                Ok(text) => classify(&text),
                Err(e) => ReadData::Unreadable {
                    reason: e.to_string(),
                },
            },
        }))
    }

    /// Reads scans until the port fails or `sink` returns `false` (checked at least once
    /// per read timeout), reporting the scanner online first and offline on a failure.
    pub fn run(mut self, mut sink: impl FnMut(Option<ReaderEvent>) -> bool) -> ScannerError {
        if !sink(Some(self.health(ReaderHealth::Online { secure: false }))) {
            return ScannerError::Stopped;
        }
        loop {
            match self.next_read() {
                Ok(read) => {
                    if !sink(read.map(ReaderEvent::Read)) {
                        return ScannerError::Stopped;
                    }
                }
                Err(e) => {
                    sink(Some(self.health(ReaderHealth::Offline)));
                    return e;
                }
            }
        }
    }

    fn health(&self, health: ReaderHealth) -> ReaderEvent {
        ReaderEvent::Health {
            reader: self.id.clone(),
            at: Instant::now(),
            health,
        }
    }
}
