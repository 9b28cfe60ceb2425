//! Why a change to bills, categories or payments is refused.

/// Errors of the bills domain; each names the field at fault where there is one.
#[derive(Debug, thiserror::Error)]
pub enum BillsError {
    /// The record does not exist for this user (another user's id included).
    #[error("{0} was not found")]
    NotFound(&'static str),
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error(transparent)]
    Store(#[from] crate::Error),
}

impl From<rusqlite::Error> for BillsError {
    fn from(error: rusqlite::Error) -> Self {
        BillsError::Store(error.into())
    }
}

impl BillsError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        BillsError::Invalid {
            field,
            message: message.into(),
        }
    }
}

pub type BillsResult<T> = Result<T, BillsError>;
