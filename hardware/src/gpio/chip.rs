//! The GPIO controller, and the one error type of this back-end.

/// A GPIO pin could not be set up.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GpioError {
    /// The GPIO controller could not be opened (not a Raspberry Pi, no access to
    /// `/dev/gpiomem`).
    #[error("gpio: cannot open the GPIO controller: {0}")]
    Open(String),
    /// A pin could not be claimed or configured (in use, no such pin, interrupt refused).
    #[error("gpio: BCM pin {pin}: {reason}")]
    Pin {
        /// BCM pin number.
        pin: u8,
        /// What went wrong.
        reason: String,
    },
}

/// The Pi's GPIO controller; pins are claimed from it by BCM number.
pub struct Chip(rppal::gpio::Gpio);

impl std::fmt::Debug for Chip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Chip")
    }
}

impl Chip {
    /// Opens the controller.
    pub fn open() -> Result<Self, GpioError> {
        rppal::gpio::Gpio::new()
            .map(Chip)
            .map_err(|e| GpioError::Open(e.to_string()))
    }

    /// Claims pin `bcm`.
    pub(super) fn pin(&self, bcm: u8) -> Result<rppal::gpio::Pin, GpioError> {
        self.0.get(bcm).map_err(|e| pin_error(bcm, &e))
    }
}

pub(super) fn pin_error(pin: u8, e: &rppal::gpio::Error) -> GpioError {
    GpioError::Pin {
        pin,
        reason: e.to_string(),
    }
}
