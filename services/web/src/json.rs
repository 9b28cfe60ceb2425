//! The JSON body extractor of the API: a malformed body or a wrong field
//! answers 400 naming the field, never a 500.

use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Like `axum::Json`, with errors in the API's shape.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let json_content = request
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !json_content {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "INVALID_INPUT",
                "send the body as JSON with Content-Type: application/json",
            ));
        }
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|_| {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "BODY_TOO_LARGE",
                    "the request body is too large",
                )
            })?;

        let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
        match serde_path_to_error::deserialize(&mut deserializer) {
            Ok(value) => Ok(ApiJson(value)),
            Err(error) => {
                let path = error.path().to_string();
                let inner = error.into_inner();
                if inner.is_syntax() || inner.is_eof() {
                    return Err(ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "INVALID_INPUT",
                        "the body is not valid JSON",
                    ));
                }
                let message = {
                    // serde's messages name types and fields, never values.
                    let text = inner.to_string();
                    text.split(" at line ").next().unwrap_or(&text).to_string()
                };
                let field = missing_field(&message).or_else(|| (path != ".").then_some(path));
                let mut error = ApiError::new(StatusCode::BAD_REQUEST, "INVALID_INPUT", message);
                if let Some(field) = field {
                    error = error.with_field(field);
                }
                Err(error)
            }
        }
    }
}

impl<S, T> axum::extract::OptionalFromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    /// No body (no Content-Type) is `None`; a body must be valid JSON.
    async fn from_request(request: Request, state: &S) -> Result<Option<Self>, ApiError> {
        if request
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .is_none()
        {
            return Ok(None);
        }
        <ApiJson<T> as FromRequest<S>>::from_request(request, state)
            .await
            .map(Some)
    }
}

/// serde reports a missing field at the parent's path; name the field.
fn missing_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("missing field `")?;
    Some(rest.split('`').next()?.to_string())
}

/// Like `axum::extract::Path`, with errors in the API's shape.
#[derive(Debug, Clone, Copy)]
pub struct ApiPath<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for ApiPath<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(ApiPath(value)),
            Err(rejection) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "INVALID_INPUT",
                format!(
                    "the address has a malformed part: {}",
                    rejection.body_text()
                ),
            )),
        }
    }
}

/// Like `axum::extract::Query`, with errors in the API's shape.
#[derive(Debug, Clone, Copy)]
pub struct ApiQuery<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        let deserializer =
            serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        match serde_path_to_error::deserialize(deserializer) {
            Ok(value) => Ok(ApiQuery(value)),
            Err(error) => {
                let field = error.path().to_string();
                let message = error.into_inner().to_string();
                let field = missing_field(&message).unwrap_or(field);
                Err(ApiError::bad_request("INVALID_INPUT", "query", message).with_field(field))
            }
        }
    }
}
