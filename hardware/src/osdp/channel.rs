//! The bytes-in, bytes-out transport under the control panel: a serial port on the door
//! controller, an in-memory pipe in tests.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A byte pipe to the RS-485 bus.
pub trait Channel: Send {
    /// Sends all of `bytes`.
    fn send(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// Reads what arrives within `timeout` into `buf`; `Ok(0)` when nothing did.
    fn receive(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize>;
}

/// One end of an in-memory pipe ([`MemoryChannel::pair`]).
#[derive(Debug)]
pub struct MemoryChannel {
    tx: mpsc::Sender<Vec<u8>>,
    rx: mpsc::Receiver<Vec<u8>>,
    pending: VecDeque<u8>,
}

impl MemoryChannel {
    /// Two connected ends.
    pub fn pair() -> (MemoryChannel, MemoryChannel) {
        let (a_tx, b_rx) = mpsc::channel();
        let (b_tx, a_rx) = mpsc::channel();
        let a = MemoryChannel {
            tx: a_tx,
            rx: a_rx,
            pending: VecDeque::new(),
        };
        let b = MemoryChannel {
            tx: b_tx,
            rx: b_rx,
            pending: VecDeque::new(),
        };
        (a, b)
    }
}

impl Channel for MemoryChannel {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.tx
            .send(bytes.to_vec())
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the other end is gone"))
    }

    fn receive(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        if self.pending.is_empty() {
            match self.rx.recv_timeout(timeout) {
                Ok(bytes) => self.pending.extend(bytes),
                Err(mpsc::RecvTimeoutError::Timeout) => return Ok(0),
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(io::Error::new(
                        io::ErrorKind::BrokenPipe,
                        "the other end is gone",
                    ));
                }
            }
        }
        let n = buf.len().min(self.pending.len());
        for (slot, byte) in buf.iter_mut().zip(self.pending.drain(..n)) {
            *slot = byte;
        }
        Ok(n)
    }
}

/// A serial port (an RS-485 adapter such as `/dev/ttyUSB0`, or a pty in tests), 8N1.
///
/// A port error other than a timeout (a USB adapter unplugged, a cable pulled) closes the
/// port; the next send or receive opens the same path again, at most once per
/// [`REOPEN_EVERY`], so the readers come back when the adapter does, without a restart. Name
/// the adapter by a stable path (`/dev/serial/by-id/…`): a replugged adapter may come back
/// as another `ttyUSBn`.
pub struct SerialChannel {
    path: String,
    baud: u32,
    port: Option<Box<dyn serialport::SerialPort>>,
    /// When the closed port may be opened again.
    reopen_at: Instant,
}

/// How often a closed serial port is tried again.
pub const REOPEN_EVERY: Duration = Duration::from_millis(500);

impl std::fmt::Debug for SerialChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SerialChannel")
            .field("path", &self.path)
            .field("open", &self.port.is_some())
            .finish()
    }
}

impl SerialChannel {
    /// Opens `path` at `baud`.
    pub fn open(path: &str, baud: u32) -> io::Result<SerialChannel> {
        Ok(SerialChannel {
            path: path.to_owned(),
            baud,
            port: Some(open_port(path, baud)?),
            reopen_at: Instant::now(),
        })
    }

    /// The open port, opening it again if an error closed it and [`REOPEN_EVERY`] passed.
    fn port(&mut self) -> io::Result<&mut Box<dyn serialport::SerialPort>> {
        if self.port.is_none() {
            let now = Instant::now();
            if now < self.reopen_at {
                return Err(io::Error::new(
                    io::ErrorKind::NotConnected,
                    format!("{} is closed after an error; trying again soon", self.path),
                ));
            }
            self.reopen_at = now + REOPEN_EVERY;
            let port = open_port(&self.path, self.baud)?;
            tracing::info!(path = %self.path, "serial port open again");
            self.port = Some(port);
        }
        Ok(self.port.as_mut().expect("opened above"))
    }

    /// Closes the port after `error`, so the next call opens it again.
    fn failed(&mut self, error: io::Error) -> io::Error {
        if self.port.take().is_some() {
            tracing::warn!(path = %self.path, %error, "serial port error; closing it to reopen");
            self.reopen_at = Instant::now() + REOPEN_EVERY;
        }
        error
    }
}

fn open_port(path: &str, baud: u32) -> io::Result<Box<dyn serialport::SerialPort>> {
    serialport::new(path, baud)
        .timeout(Duration::from_millis(50))
        .open()
        .map_err(io::Error::from)
}

impl Channel for SerialChannel {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        let port = self.port()?;
        match port.write_all(bytes).and_then(|()| port.flush()) {
            Ok(()) => Ok(()),
            Err(e) => Err(self.failed(e)),
        }
    }

    fn receive(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        let port = self.port()?;
        let read = port
            .set_timeout(timeout.max(Duration::from_millis(1)))
            .map_err(io::Error::from)
            .and_then(|()| port.read(buf));
        match read {
            Ok(n) => Ok(n),
            Err(e)
                if e.kind() == io::ErrorKind::TimedOut || e.kind() == io::ErrorKind::WouldBlock =>
            {
                Ok(0)
            }
            Err(e) => Err(self.failed(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serialport::SerialPort;

    #[test]
    fn memory_pipe_carries_bytes_both_ways() {
        let (mut a, mut b) = MemoryChannel::pair();
        a.send(&[1, 2, 3]).expect("send");
        let mut buf = [0u8; 2];
        assert_eq!(
            b.receive(&mut buf, Duration::from_millis(10)).expect("rx"),
            2
        );
        assert_eq!(buf, [1, 2]);
        assert_eq!(
            b.receive(&mut buf, Duration::from_millis(10)).expect("rx"),
            1
        );
        assert_eq!(
            b.receive(&mut buf, Duration::from_millis(10)).expect("rx"),
            0
        );
        b.send(&[9]).expect("send");
        assert_eq!(
            a.receive(&mut buf, Duration::from_millis(10)).expect("rx"),
            1
        );
        drop(b);
        assert!(a.receive(&mut buf, Duration::from_millis(10)).is_err());
    }

    /// Bytes from `master` as the channel receives them, within a second.
    fn receive_from(channel: &mut SerialChannel, master: &mut serialport::TTYPort) -> Vec<u8> {
        master.write_all(b"ping").expect("write");
        let mut buf = [0u8; 16];
        let n = channel
            .receive(&mut buf, Duration::from_secs(1))
            .expect("receive");
        buf[..n].to_vec()
    }

    #[test]
    fn a_serial_port_closed_by_an_error_is_opened_again() {
        // The adapter under a stable name, as /dev/serial/by-id/… names a USB adapter.
        let dir = tempfile::tempdir().expect("tempdir");
        let link = dir.path().join("rs485");
        let (mut master, slave) = serialport::TTYPort::pair().expect("pty");
        std::os::unix::fs::symlink(slave.name().expect("pty name"), &link).expect("symlink");
        let path = link.to_str().expect("utf-8");
        let mut channel = SerialChannel::open(path, 115_200).expect("open");
        assert_eq!(receive_from(&mut channel, &mut master), b"ping");

        // Unplugged: the pty's master side goes away, the port fails and is closed.
        drop((master, slave));
        let mut buf = [0u8; 16];
        let gone = channel.receive(&mut buf, Duration::from_millis(100));
        assert!(gone.is_err(), "{gone:?}");
        assert!(channel.port.is_none());
        std::fs::remove_file(&link).expect("unlink");
        let early = channel
            .send(b"x")
            .expect_err("closed, and too soon to reopen");
        assert_eq!(early.kind(), io::ErrorKind::NotConnected);

        // Plugged in again under the same name: the channel opens it by itself.
        let (mut master, slave) = serialport::TTYPort::pair().expect("pty");
        std::os::unix::fs::symlink(slave.name().expect("pty name"), &link).expect("symlink");
        std::thread::sleep(REOPEN_EVERY);
        assert_eq!(receive_from(&mut channel, &mut master), b"ping");
        channel.send(b"pong").expect("send");
        let mut got = [0u8; 4];
        master.read_exact(&mut got).expect("read");
        assert_eq!(&got, b"pong");
    }
}
