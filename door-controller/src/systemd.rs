//! Telling systemd how the controller is doing: the sd_notify protocol (one datagram of
//! `KEY=value` lines to the socket named by `NOTIFY_SOCKET`), in std only, so the Pi build
//! needs neither libsystemd nor a crate for four short messages.
//!
//! The unit (`packaging/systemd/gatehouse-door.service`) is `Type=notify` with
//! `WatchdogSec=`. The runtime calls [`Notifier::watchdog`] from its main decision loop,
//! every [`watchdog_interval`], and not from a timer thread of its own: a timer thread
//! would keep pinging while the loop that drives the doors is stuck, and the point is that
//! a hung loop stops the pings, so systemd kills and restarts the service, and the new
//! process drives every output safe before its first decision. A hung kernel or systemd is
//! the next layer's job: systemd's `RuntimeWatchdogSec=` feeds the Pi's hardware watchdog,
//! which resets the board when systemd stops. The controller never opens `/dev/watchdog`
//! itself (only one process may hold it, and systemd already does).
//!
//! `NOTIFY_SOCKET` stays in the environment: removing it needs `std::env::remove_var`,
//! which is unsafe and forbidden here, and with `NotifyAccess=main` systemd ignores what a
//! child process might send.

use std::io;
use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::time::Duration;

/// systemd reads at most this many bytes of a notification and drops longer ones whole
/// (`NOTIFY_BUFFER_MAX`, PIPE_BUF); the status text is cut to fit.
const MAX_DATAGRAM: usize = 4096;

/// Why systemd could not be told something. Never fatal to a door: the caller logs it.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// `NOTIFY_SOCKET` is set to something this code cannot send to (e.g. systemd's
    /// `vsock:` addresses, which only matter inside virtual machines).
    #[error("NOTIFY_SOCKET {0:?} is neither an absolute path nor an @abstract name")]
    BadAddress(String),
    /// The local socket could not be created or the address not built.
    #[error("systemd notify socket {socket}: {source}")]
    Socket {
        socket: String,
        #[source]
        source: io::Error,
    },
    /// The datagram was not delivered: nobody listens there, or systemd's queue is full
    /// (the send does not wait, so the decision loop never blocks on systemd).
    #[error("could not notify systemd on {socket}: {source}")]
    Send {
        socket: String,
        #[source]
        source: io::Error,
    },
}

/// A handle on systemd's notify socket.
#[derive(Debug)]
pub struct Notifier {
    /// The address as given, for error messages.
    name: String,
    addr: SocketAddr,
    // Unconnected on purpose: each send resolves the address again, so the notifier keeps
    // working after systemd re-executes itself and re-creates its socket.
    socket: UnixDatagram,
}

impl Notifier {
    /// The notifier systemd asked for, `Ok(None)` when `NOTIFY_SOCKET` is unset (not run by
    /// systemd, or a unit without `Type=notify`), and an error when it is set but unusable:
    /// a `Type=notify` unit that cannot report ready is better explained than timed out.
    pub fn from_env() -> Result<Option<Self>, NotifyError> {
        match std::env::var_os("NOTIFY_SOCKET") {
            None => Ok(None),
            Some(value) => match value.to_str() {
                Some(addr) => Self::new(addr).map(Some),
                None => Err(NotifyError::BadAddress(
                    value.to_string_lossy().into_owned(),
                )),
            },
        }
    }

    /// A notifier on `addr`: an absolute path, or `@name` for a Linux abstract socket.
    pub fn new(addr: &str) -> Result<Self, NotifyError> {
        let socket_error = |source| NotifyError::Socket {
            socket: addr.to_owned(),
            source,
        };
        let parsed = if let Some(name) = addr.strip_prefix('@') {
            SocketAddr::from_abstract_name(name.as_bytes())
        } else if addr.starts_with('/') {
            SocketAddr::from_pathname(addr)
        } else {
            return Err(NotifyError::BadAddress(addr.to_owned()));
        };
        let addr_parsed = parsed.map_err(socket_error)?;
        let socket = UnixDatagram::unbound().map_err(socket_error)?;
        socket.set_nonblocking(true).map_err(socket_error)?;
        Ok(Self {
            name: addr.to_owned(),
            addr: addr_parsed,
            socket,
        })
    }

    /// Start-up is done: configuration read, outputs safe, ready to decide (`READY=1`).
    pub fn ready(&self) -> Result<(), NotifyError> {
        self.send("READY=1")
    }

    /// Shutting down on purpose, so systemd does not take the exit for a crash
    /// (`STOPPING=1`).
    pub fn stopping(&self) -> Result<(), NotifyError> {
        self.send("STOPPING=1")
    }

    /// The one-line status `systemctl status` shows (`STATUS=...`). Newlines and other
    /// control characters become spaces, so the text cannot add a field of its own.
    pub fn status(&self, text: &str) -> Result<(), NotifyError> {
        let mut message: String = "STATUS=".to_owned();
        for c in text.chars() {
            let c = if c.is_control() { ' ' } else { c };
            if message.len() + c.len_utf8() > MAX_DATAGRAM {
                break;
            }
            message.push(c);
        }
        self.send(&message)
    }

    /// The decision loop is alive (`WATCHDOG=1`); see the module comment for where to call
    /// it from.
    pub fn watchdog(&self) -> Result<(), NotifyError> {
        self.send("WATCHDOG=1")
    }

    fn send(&self, message: &str) -> Result<(), NotifyError> {
        self.socket
            .send_to_addr(message.as_bytes(), &self.addr)
            .map(drop)
            .map_err(|source| NotifyError::Send {
                socket: self.name.clone(),
                source,
            })
    }
}

/// How often to call [`Notifier::watchdog`]: half the timeout systemd set (the margin
/// sd_watchdog_enabled(3) recommends), `None` when this process has no watchdog.
pub fn watchdog_interval() -> Option<Duration> {
    let usec = std::env::var("WATCHDOG_USEC").ok();
    let pid = std::env::var("WATCHDOG_PID").ok();
    parse_watchdog_interval(usec.as_deref(), pid.as_deref(), std::process::id())
}

/// [`watchdog_interval`] from the values of `WATCHDOG_USEC` and `WATCHDOG_PID`, given our
/// pid. A `WATCHDOG_PID` naming another process means the variables were inherited from a
/// parent that has the watchdog, not us; zero, garbage and systemd's "infinity"
/// (`u64::MAX`) mean no watchdog, as in libsystemd.
pub fn parse_watchdog_interval(
    usec: Option<&str>,
    pid: Option<&str>,
    our_pid: u32,
) -> Option<Duration> {
    if let Some(pid) = pid {
        if pid.parse::<u32>().ok()? != our_pid {
            return None;
        }
    }
    let usec: u64 = usec?.parse().ok()?;
    if usec == 0 || usec == u64::MAX {
        return None;
    }
    Some(Duration::from_micros(usec / 2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn receive(listener: &UnixDatagram) -> String {
        // A failing test must not hang: the datagram is queued before send returns.
        listener
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        let mut buf = vec![0; 2 * MAX_DATAGRAM];
        let n = listener.recv(&mut buf).expect("a datagram");
        String::from_utf8(buf[..n].to_vec()).expect("utf-8")
    }

    #[test]
    fn sends_each_message_as_one_datagram_to_a_path() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("notify");
        let listener = UnixDatagram::bind(&path).expect("bind");
        let notifier = Notifier::new(path.to_str().expect("utf-8 path")).expect("notifier");

        notifier.ready().expect("ready");
        assert_eq!(receive(&listener), "READY=1");
        notifier.watchdog().expect("watchdog");
        assert_eq!(receive(&listener), "WATCHDOG=1");
        notifier.status("2 doors, bundle 41").expect("status");
        assert_eq!(receive(&listener), "STATUS=2 doors, bundle 41");
        notifier.stopping().expect("stopping");
        assert_eq!(receive(&listener), "STOPPING=1");
    }

    #[test]
    fn status_text_cannot_inject_a_field() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("notify");
        let listener = UnixDatagram::bind(&path).expect("bind");
        let notifier = Notifier::new(path.to_str().expect("utf-8 path")).expect("notifier");

        notifier.status("ok\nREADY=1\r\nX=\0").expect("status");
        assert_eq!(receive(&listener), "STATUS=ok READY=1  X= ");
    }

    #[test]
    fn a_long_status_is_cut_to_what_systemd_reads() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("notify");
        let listener = UnixDatagram::bind(&path).expect("bind");
        let notifier = Notifier::new(path.to_str().expect("utf-8 path")).expect("notifier");

        // Two-byte characters, so the cut must also fall on a character boundary.
        notifier.status(&"é".repeat(MAX_DATAGRAM)).expect("status");
        let got = receive(&listener);
        assert_eq!(got.len(), MAX_DATAGRAM - 1);
        assert!(got.starts_with("STATUS=éé"));
    }

    #[test]
    fn sends_to_an_abstract_socket() {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "gatehouse-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let addr = SocketAddr::from_abstract_name(name.as_bytes()).expect("addr");
        let listener = UnixDatagram::bind_addr(&addr).expect("bind");
        let notifier = Notifier::new(&format!("@{name}")).expect("notifier");

        notifier.ready().expect("ready");
        assert_eq!(receive(&listener), "READY=1");
    }

    #[test]
    fn a_socket_nobody_listens_on_is_an_error_naming_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("notify");
        // Bound then closed: the file stays, nobody reads it.
        drop(UnixDatagram::bind(&path).expect("bind"));
        let name = path.to_str().expect("utf-8 path");
        let notifier = Notifier::new(name).expect("notifier");

        let err = notifier.ready().expect_err("nobody listens");
        assert!(matches!(&err, NotifyError::Send { socket, .. } if socket == name));
        assert!(err.to_string().contains(name), "{err}");

        let missing = dir.path().join("missing");
        let missing = missing.to_str().expect("utf-8 path");
        let err = Notifier::new(missing).expect("notifier").watchdog();
        assert!(err.expect_err("no file").to_string().contains(missing));
    }

    #[test]
    fn refuses_addresses_it_cannot_send_to() {
        for addr in ["", "relative/notify", "vsock:2:1234"] {
            let err = Notifier::new(addr).expect_err(addr);
            assert!(
                matches!(&err, NotifyError::BadAddress(a) if a == addr),
                "{err}"
            );
        }
    }

    #[test]
    fn watchdog_interval_table() {
        let secs = |s| Some(Duration::from_secs(s));
        let table = [
            (None, None, None),
            (None, Some("42"), None),
            (Some("garbage"), None, None),
            (Some("-10000000"), None, None),
            (Some("0"), None, None),
            (Some("18446744073709551615"), None, None),
            (Some("10000000"), None, secs(5)),
            (Some("10000000"), Some("42"), secs(5)),
            (Some("10000000"), Some("43"), None),
            (Some("10000000"), Some("not a pid"), None),
        ];
        for (usec, pid, want) in table {
            assert_eq!(
                parse_watchdog_interval(usec, pid, 42),
                want,
                "WATCHDOG_USEC={usec:?} WATCHDOG_PID={pid:?}"
            );
        }
    }
}
