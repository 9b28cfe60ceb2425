//! The single-page app, embedded in the binary at compile time.
//!
//! Files of `ui/dist` are served as they are; any other path that is not
//! under `/api` gets `index.html`, so the app's own router handles it.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use rust_embed::Embed;

use crate::error::ApiError;

#[derive(Embed)]
#[folder = "ui/dist"]
struct Assets;

/// Serves an asset, the app shell, or a JSON 404 under `/api`.
pub async fn fallback(uri: Uri) -> Response {
    let path = uri.path();
    if path == "/api" || path.starts_with("/api/") {
        return ApiError::not_found("this API endpoint").into_response();
    }

    let file = path.trim_start_matches('/');
    if !file.is_empty()
        && let Some(asset) = Assets::get(file)
    {
        // Vite puts a content hash in every name under assets/.
        let cache = if file.starts_with("assets/") {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        return asset_response(file, asset, cache);
    }

    match Assets::get("index.html") {
        Some(index) => asset_response("index.html", index, "no-cache"),
        None => (
            StatusCode::NOT_FOUND,
            "the web interface is not built into this binary",
        )
            .into_response(),
    }
}

fn asset_response(name: &str, asset: rust_embed::EmbeddedFile, cache: &'static str) -> Response {
    let mime = mime_guess::from_path(name).first_or_octet_stream();
    let mut response = Response::new(Body::from(asset.data.into_owned()));
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(mime.as_ref()) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}
