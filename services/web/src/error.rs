//! The one error type at the HTTP edge.
//!
//! Every failure leaves as `{"error": {"code", "message", "field"}}` with a
//! fitting status. Internal causes are logged, never returned.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    field: Option<String>,
    retry_after: Option<u64>,
}

/// The JSON body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `NOT_FOUND`, `CSRF_INVALID`.
    pub code: String,
    /// A sentence for people.
    pub message: String,
    /// The request field at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            field: None,
            retry_after: None,
        }
    }

    /// Replaces the field named by the error.
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            format!("{what} was not found"),
        )
    }

    pub fn bad_request(code: &'static str, field: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message).with_field(field)
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    pub fn unauthenticated() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", "sign in first")
    }

    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
            "only an admin may do this",
        )
    }

    pub fn password_change_required() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "PASSWORD_CHANGE_REQUIRED",
            "choose a new password before you continue",
        )
    }

    pub fn csrf_invalid() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "CSRF_INVALID",
            "the CSRF token is missing or does not match; reload the page and try again",
        )
    }

    /// 429 with the seconds to wait, sent as `Retry-After` too.
    pub fn rate_limited(wait: std::time::Duration) -> Self {
        let secs = wait.as_secs().max(1);
        let mut error = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "RATE_LIMITED",
            format!(
                "too many attempts; try again in {} minute(s)",
                secs.div_ceil(60)
            ),
        );
        error.retry_after = Some(secs);
        error
    }

    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "UNAVAILABLE", message)
    }

    /// Logs the cause and answers a generic 500.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL",
            "something went wrong on the server; the error was logged",
        )
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl From<billtracker::Error> for ApiError {
    fn from(error: billtracker::Error) -> Self {
        ApiError::internal(error)
    }
}

impl From<billtracker::bills::BillsError> for ApiError {
    fn from(error: billtracker::bills::BillsError) -> Self {
        use billtracker::bills::BillsError;
        match error {
            BillsError::NotFound(what) => ApiError::not_found(what),
            BillsError::Invalid { field, message } => {
                ApiError::bad_request("INVALID_INPUT", field, message)
            }
            BillsError::Conflict { code, message } => ApiError::conflict(code, message),
            BillsError::Store(error) => ApiError::from(error),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message,
                field: self.field,
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after
            && let Ok(value) = axum::http::HeaderValue::from_str(&secs.to_string())
        {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, value);
        }
        response
    }
}
