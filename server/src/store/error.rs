use thiserror::Error;

/// Why a store operation failed. Constraint violations name the field, so the API can
/// answer 409 or 422 with it; anything else is a server error whose detail is logged, not
/// sent.
#[derive(Debug, Error)]
pub enum StoreError {
    /// No such row.
    #[error("{what} {id} not found")]
    NotFound {
        /// What was looked for ("zone", "person", …).
        what: &'static str,
        /// Its id.
        id: i64,
    },
    /// A unique value already taken.
    #[error("{field} is already taken")]
    Conflict {
        /// The field.
        field: &'static str,
    },
    /// A value that refers to something that does not exist, or breaks a rule of the model.
    #[error("{field}: {message}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The store is misconfigured.
    #[error("store configuration: {0}")]
    Config(String),
    /// Migrations could not be applied.
    #[error("database migration failed: {0}")]
    Migration(String),
    /// Anything else from the database.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl StoreError {
    /// Maps a unique or foreign-key violation to a named field; other errors stay as they
    /// are.
    pub(crate) fn on_constraint(
        e: sqlx::Error,
        unique: &'static str,
        foreign: &'static str,
    ) -> StoreError {
        match e.as_database_error().map(|d| d.kind()) {
            Some(sqlx::error::ErrorKind::UniqueViolation) => StoreError::Conflict { field: unique },
            Some(sqlx::error::ErrorKind::ForeignKeyViolation) => StoreError::Invalid {
                field: foreign,
                message: "refers to something that does not exist".into(),
            },
            _ => StoreError::Database(e),
        }
    }
}
