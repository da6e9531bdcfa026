//! The bytes-in, bytes-out transport under the control panel: a serial port on the door
//! controller, an in-memory pipe in tests.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::sync::mpsc;
use std::time::Duration;

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
pub struct SerialChannel {
    port: Box<dyn serialport::SerialPort>,
}

impl std::fmt::Debug for SerialChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SerialChannel")
            .field("port", &self.port.name())
            .finish()
    }
}

impl SerialChannel {
    /// Opens `path` at `baud`.
    pub fn open(path: &str, baud: u32) -> io::Result<SerialChannel> {
        let port = serialport::new(path, baud)
            .timeout(Duration::from_millis(50))
            .open()
            .map_err(io::Error::from)?;
        Ok(SerialChannel { port })
    }
}

impl Channel for SerialChannel {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.port.write_all(bytes)?;
        self.port.flush()
    }

    fn receive(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        self.port
            .set_timeout(timeout.max(Duration::from_millis(1)))
            .map_err(io::Error::from)?;
        match self.port.read(buf) {
            Ok(n) => Ok(n),
            Err(e)
                if e.kind() == io::ErrorKind::TimedOut || e.kind() == io::ErrorKind::WouldBlock =>
            {
                Ok(0)
            }
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
