//! Why an output could not be driven.

/// A line could not be driven to the level asked for.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OutputError {
    /// The back-end refused or failed (a GPIO write error, a line already claimed).
    #[error("output line {line}: {reason}")]
    Line {
        /// The line, as the back-end names it (e.g. `front.lock`, `GPIO17`).
        line: String,
        /// What went wrong.
        reason: String,
    },
}
