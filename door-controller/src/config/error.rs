//! What is wrong with a configuration, naming the key.

use std::path::PathBuf;

/// A configuration the controller refuses to run with.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("could not read the configuration file {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Not TOML, an unknown key, a missing key or a value of the wrong type.
    #[error("{}{message}", if key.is_empty() { String::new() } else { format!("{key}: ") })]
    Parse {
        /// The key, dotted with indexes (`door[0].lock`); empty for the file as a whole.
        key: String,
        /// The parser's message, with the line it is about.
        message: String,
    },
    /// A well-formed value that is not allowed (alone or with other keys).
    #[error("{key}: {message}")]
    Invalid {
        /// The key, dotted with indexes.
        key: String,
        /// What is wrong.
        message: String,
    },
}

impl ConfigError {
    /// The key the error is about (empty when it is about the whole file).
    pub fn key(&self) -> &str {
        match self {
            ConfigError::Read { .. } => "",
            ConfigError::Parse { key, .. } | ConfigError::Invalid { key, .. } => key,
        }
    }

    pub(super) fn invalid(key: impl Into<String>, message: impl Into<String>) -> Self {
        ConfigError::Invalid {
            key: key.into(),
            message: message.into(),
        }
    }
}
