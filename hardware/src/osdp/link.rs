//! One command, one reply: sequence numbers, retries and the Secure Channel wrapping of a
//! single exchange with one PD on the bus.

use super::channel::Channel;
use super::commands::Command;
use super::frame::{self, Parser, REPLY_BIT, RawFrame, Scb};
use super::replies::{Reply, ReplyError};
use super::secure_channel::{Session, SessionError};
use std::io;
use std::time::{Duration, Instant};

/// Why an exchange failed.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// No valid reply within the timeout, after every retry.
    #[error("no reply")]
    NoReply,
    /// The serial port failed.
    #[error("serial port: {0}")]
    Io(#[from] io::Error),
    /// The Secure Channel refused the reply.
    #[error(transparent)]
    Secure(#[from] SessionError),
    /// The reply's data does not fit its code.
    #[error(transparent)]
    Malformed(#[from] ReplyError),
}

/// A decoded reply and its security block (the handshake reads it).
#[derive(Debug)]
pub struct Answer {
    /// The reply.
    pub reply: Reply,
    /// Its SCB, if any.
    pub scb: Option<Scb>,
}

/// Timing of exchanges.
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    /// How long to wait for a reply (OSDP: a PD answers within 200 ms).
    pub reply_timeout: Duration,
    /// Resends of the same frame before the PD counts as not answering.
    pub retries: u32,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            reply_timeout: Duration::from_millis(200),
            retries: 2,
        }
    }
}

/// The next sequence number after `sqn`: 0 only starts a conversation, then 1, 2, 3, 1, ...
pub fn next_sqn(sqn: u8) -> u8 {
    if sqn >= 3 { 1 } else { sqn + 1 }
}

/// One exchange with the PD at `address`.
///
/// `session`: when set, the command is MACed (and its data encrypted) and the reply must
/// be too. `scb`: the handshake's block for a plain command. `sqn` advances on a reply.
#[allow(clippy::too_many_arguments)]
pub fn exchange(
    channel: &mut dyn Channel,
    parser: &mut Parser,
    timing: Timing,
    address: u8,
    sqn: &mut u8,
    session: Option<&mut Session>,
    scb: Option<&Scb>,
    command: &Command,
) -> Result<Answer, LinkError> {
    let data = command.data();
    let (bytes, mut session) = match session {
        Some(s) => (s.seal(true, address, *sqn, command.code(), &data), Some(s)),
        None => (
            frame::seal(frame::open(
                address,
                *sqn,
                scb,
                command.code(),
                &data,
                false,
            )),
            None,
        ),
    };
    parser.clear();
    for _ in 0..=timing.retries {
        channel.send(&bytes)?;
        if let Some(reply) = wait_reply(channel, parser, timing.reply_timeout, address, *sqn)? {
            *sqn = next_sqn(*sqn);
            let data = match session.as_deref_mut() {
                Some(s) => s.open(false, &reply)?,
                None => reply.data.clone(),
            };
            return Ok(Answer {
                reply: Reply::decode(reply.code, &data)?,
                scb: reply.scb,
            });
        }
    }
    Err(LinkError::NoReply)
}

fn wait_reply(
    channel: &mut dyn Channel,
    parser: &mut Parser,
    timeout: Duration,
    address: u8,
    sqn: u8,
) -> io::Result<Option<RawFrame>> {
    let deadline = Instant::now() + timeout;
    let mut buf = [0u8; 256];
    loop {
        while let Some(result) = parser.next_frame() {
            // Garbage, our own echo, another PD's reply or a stale retry answer: skipped.
            if let Ok(frame) = result {
                if frame.address == address | REPLY_BIT && frame.sqn == sqn {
                    return Ok(Some(frame));
                }
            }
        }
        let now = Instant::now();
        if now >= deadline {
            return Ok(None);
        }
        let n = channel.receive(&mut buf, deadline - now)?;
        parser.push(&buf[..n]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequence_numbers_skip_zero() {
        assert_eq!([0, 1, 2, 3].map(next_sqn), [1, 2, 3, 1]);
    }
}
