//! The controller's configuration file (`/etc/gatehouse/door.toml`; every key is shown in
//! `door-controller/door.example.toml`): who the controller is, where it keeps its state,
//! which hardware back-end it drives, and each door with its timing, lock, inputs and
//! readers.
//!
//! [`ControllerConfig::load`] reads and checks the whole file before anything else runs:
//! an error names the key (`door[1].reader[0].direction`) and what is wrong with it, and
//! `gatehouse-door run` exits non-zero before it touches any output pin.

mod check;
mod duration;
mod error;
mod types;

pub use error::ConfigError;
pub use types::{
    Backend, BeeperSection, ControllerConfig, ControllerSection, DoorSection, HardwareSection,
    InputSection, InputsSection, JournalSection, LedSection, PullSection, ReaderInterface,
    ReaderSection, RexAction, ServerSection, Side,
};

use std::path::Path;

impl ControllerConfig {
    /// Reads and checks the configuration file at `path`.
    pub fn load(path: &Path) -> Result<ControllerConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        ControllerConfig::parse(&text)
    }

    /// Parses and checks a configuration's text.
    pub fn parse(text: &str) -> Result<ControllerConfig, ConfigError> {
        // Syntax first, on its own, so its error can say which line; then the shape, with
        // the dotted key of what does not fit.
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            // toml's message may run over lines ("invalid array\nexpected `]`").
            let mut message = e.message().split_whitespace().collect::<Vec<_>>().join(" ");
            if let Some(span) = e.span() {
                let line = text[..span.start].matches('\n').count() + 1;
                message.push_str(&format!(" (line {line})"));
            }
            ConfigError::Parse {
                key: String::new(),
                message,
            }
        })?;
        let config: ControllerConfig = serde_path_to_error::deserialize(toml::Value::Table(table))
            .map_err(|e| {
                let key = e.path().to_string();
                ConfigError::Parse {
                    // serde_path_to_error says "." for the top level.
                    key: if key == "." { String::new() } else { key },
                    message: e.into_inner().message().trim().to_owned(),
                }
            })?;
        check::check(&config)?;
        Ok(config)
    }
}

#[cfg(test)]
mod tests;
