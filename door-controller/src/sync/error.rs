//! What can go wrong talking to the server.

/// A failed exchange with the server. `Unreachable` and `Server` are worth retrying after a
/// back-off; the others need a person (a wrong URL, a certificate that is not the pinned
/// one, a controller whose key the server no longer accepts).
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The configuration cannot work (URL, enrollment record).
    #[error("configuration: {0}")]
    Config(String),
    /// No connection, or no answer in time.
    #[error("server unreachable: {0}")]
    Unreachable(String),
    /// The TLS handshake failed, e.g. the certificate is not the pinned one.
    #[error("TLS: {0}")]
    Tls(String),
    /// The server refused the request (4xx): `status` and its message.
    #[error("the server refused the request ({status}): {message}")]
    Refused {
        /// HTTP status.
        status: u16,
        /// The server's message.
        message: String,
    },
    /// The server failed (5xx).
    #[error("the server failed ({status}): {message}")]
    Server {
        /// HTTP status.
        status: u16,
        /// The server's message.
        message: String,
    },
    /// The answer is not what the protocol says.
    #[error("unexpected answer: {0}")]
    Protocol(String),
    /// Reading or writing the controller's own files.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
}

impl SyncError {
    /// Whether trying again later may succeed without anyone changing anything.
    pub fn is_transient(&self) -> bool {
        matches!(self, SyncError::Unreachable(_) | SyncError::Server { .. })
            || matches!(self, SyncError::Refused { status: 429, .. })
    }
}
