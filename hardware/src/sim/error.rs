//! Why the simulator refused a command. Every message names what was wrong.

use gatehouse_core::card::CardIdParseError;

/// A command the simulator cannot carry out.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SimError {
    /// No reader by that name.
    #[error("unknown reader {name:?} (known: {known})")]
    UnknownReader {
        /// The name given.
        name: String,
        /// The readers it has, comma-separated.
        known: String,
    },
    /// No door by that name.
    #[error("unknown door {name:?} (known: {known})")]
    UnknownDoor {
        /// The name given.
        name: String,
        /// The doors it has, comma-separated.
        known: String,
    },
    /// The card text is not a card id.
    #[error("card {text:?}: {source}")]
    BadCard {
        /// The text given.
        text: String,
        /// Why it is not a card id.
        source: CardIdParseError,
    },
    /// The PIN is not 4 to 12 digits (the PIN itself is never echoed).
    #[error("pin: a PIN is 4 to 12 digits")]
    BadPin,
    /// The controller side dropped the receiver of this kind of event.
    #[error("nobody is listening for {0} events")]
    NotListening(&'static str),
    /// The controller side is not reading its events.
    #[error("the {0} event queue is full: the controller is not reading it")]
    QueueFull(&'static str),
}
