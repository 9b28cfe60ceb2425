//! iCal feeds: the owner manages them; calendar apps fetch the public
//! `/api/calendar/feed/<token>.ics`, authenticated by its secret token.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use billtracker::bills::feeds::{self, Feed, PreviewEvent};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;

use crate::app::AppState;
use crate::auth::Client;
use crate::auth::extract::CurrentUser;
use crate::error::{ApiError, ErrorBody};
use crate::json::{ApiJson, ApiPath};

/// Events in a preview.
const PREVIEW_EVENTS: usize = 10;

/// A feed with its URL: answered only on create and regenerate.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedWithUrl {
    pub id: i64,
    pub label: Option<String>,
    pub created_at: String,
    pub last_fetched_at: Option<String>,
    /// The secret address to subscribe to; it is not shown again.
    pub url: String,
}

impl FeedWithUrl {
    fn new(feed: Feed, url: String) -> Self {
        FeedWithUrl {
            id: feed.id,
            label: feed.label,
            created_at: feed.created_at,
            last_fetched_at: feed.last_fetched_at,
            url,
        }
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFeed {
    /// Up to 80 characters, such as the app that subscribes.
    pub label: Option<String>,
}

/// The start of the feed URL: `PUBLIC_URL`, else this request's scheme and
/// host.
fn base_url(
    state: &AppState,
    client: &Client,
    headers: &HeaderMap,
    uri: &Uri,
) -> Result<String, ApiError> {
    if let Some(url) = &state.web.public_url {
        return Ok(url.clone());
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| uri.authority().map(|a| a.as_str()))
        .filter(|host| {
            !host.is_empty()
                && host.len() <= 255
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]_".contains(&b))
        })
        .ok_or_else(|| {
            ApiError::bad_request(
                "NO_PUBLIC_URL",
                "host",
                "the request has no usable Host header; ask the admin to set PUBLIC_URL",
            )
        })?;
    let https = client.https || state.web.https == Some(true);
    Ok(format!("{}://{host}", if https { "https" } else { "http" }))
}

fn feed_url(base: &str, token: &str) -> String {
    format!("{base}/api/calendar/feed/{token}.ics")
}

/// The user's feeds, without their URLs.
#[utoipa::path(get, path = "/api/calendar/feeds", tag = "calendar", responses((status = 200, body = Vec<Feed>)))]
pub async fn list(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<Json<Vec<Feed>>, ApiError> {
    let user = current.user.id;
    Ok(Json(
        state
            .db
            .run(move |conn| Ok(feeds::list(conn, user)))
            .await??,
    ))
}

/// Creates a feed; the answer carries its URL, shown this once.
#[utoipa::path(post, path = "/api/calendar/feeds", tag = "calendar", request_body = NewFeed,
    responses((status = 201, body = FeedWithUrl), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    current: CurrentUser,
    client: Client,
    headers: HeaderMap,
    uri: Uri,
    body: Option<ApiJson<NewFeed>>,
) -> Result<(StatusCode, Json<FeedWithUrl>), ApiError> {
    let user = current.user.id;
    let base = base_url(&state, &client, &headers, &uri)?;
    let label = body.and_then(|ApiJson(b)| b.label);

    let (feed, token) = state
        .db
        .write(move |tx| Ok(feeds::create(tx, user, label)))
        .await??;
    tracing::info!(user.id = user, feed.id = feed.id, "calendar feed created");
    Ok((
        StatusCode::CREATED,
        Json(FeedWithUrl::new(feed, feed_url(&base, &token))),
    ))
}

/// Gives the feed a new URL; the old one stops working at once.
#[utoipa::path(post, path = "/api/calendar/feeds/{id}/regenerate", tag = "calendar", params(("id" = i64, Path)),
    responses((status = 200, body = FeedWithUrl), (status = 404, body = ErrorBody)))]
pub async fn regenerate(
    State(state): State<AppState>,
    current: CurrentUser,
    client: Client,
    headers: HeaderMap,
    uri: Uri,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<FeedWithUrl>, ApiError> {
    let user = current.user.id;
    // Another user's id answers 404 whatever the request's host.
    state
        .db
        .run(move |conn| Ok(feeds::get(conn, user, id)))
        .await??;
    let base = base_url(&state, &client, &headers, &uri)?;

    let (feed, token) = state
        .db
        .write(move |tx| Ok(feeds::regenerate(tx, user, id)))
        .await??;
    tracing::info!(
        user.id = user,
        feed.id = feed.id,
        "calendar feed URL regenerated"
    );
    Ok(Json(FeedWithUrl::new(feed, feed_url(&base, &token))))
}

/// Revokes a feed: its URL answers 404 from now on.
#[utoipa::path(delete, path = "/api/calendar/feeds/{id}", tag = "calendar", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    let user = current.user.id;
    state
        .db
        .write(move |tx| Ok(feeds::delete(tx, user, id)))
        .await??;
    tracing::info!(user.id = user, feed.id = id, "calendar feed revoked");
    Ok(StatusCode::NO_CONTENT)
}

/// The next 10 events the feed holds, from today on.
#[utoipa::path(get, path = "/api/calendar/feeds/{id}/preview", tag = "calendar", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<PreviewEvent>), (status = 404, body = ErrorBody)))]
pub async fn preview(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<PreviewEvent>>, ApiError> {
    let (user, today) = (current.user.id, state.today());
    let currency = state.web.currency.clone();
    let events = state
        .db
        .run(move |conn| {
            Ok(feeds::get(conn, user, id)
                .and_then(|_| feeds::preview(conn, user, today, &currency, PREVIEW_EVENTS)))
        })
        .await??;
    Ok(Json(events))
}

/// A token as [`billtracker::accounts::sessions::new_token`] makes them.
fn well_formed(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The iCal feed: all-day events for the occurrences of the last 2 and the
/// next 12 months. No session; the token in the address is the key.
#[utoipa::path(get, path = "/api/calendar/feed/{token}.ics", tag = "calendar",
    params(("token" = String, Path, description = "the secret token of the feed URL")),
    responses((status = 200, content_type = "text/calendar", body = String),
              (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn feed(
    State(state): State<AppState>,
    client: Client,
    ApiPath(file): ApiPath<String>,
) -> Result<Response, ApiError> {
    state.limits.feed.check(&client.ip_text())?;
    let not_found = || ApiError::not_found("the calendar feed");
    let token = file
        .strip_suffix(".ics")
        .filter(|t| well_formed(t))
        .ok_or_else(not_found)?
        .to_string();
    let (today, now) = (state.today(), Timestamp::now());
    let currency = state.web.currency.clone();

    let found = state
        .db
        .run(move |conn| {
            let feed = match feeds::by_token(conn, &token, now) {
                Ok(Some(feed)) => feed,
                Ok(None) => return Ok(Ok(None)),
                Err(error) => return Ok(Err(error)),
            };
            Ok(feeds::calendar_text(conn, &feed, today, now, &currency)
                .map(|text| Some((feed, text))))
        })
        .await??;
    let (feed, text) = found.ok_or_else(not_found)?;
    if feed.due_for_touch {
        let id = feed.id;
        state
            .db
            .write(move |tx| Ok(feeds::touch(tx, id, now)))
            .await??;
    }
    tracing::debug!(
        feed.id = feed.id,
        user.id = feed.user_id,
        "calendar feed fetched"
    );

    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, no-cache"),
            (
                header::CONTENT_DISPOSITION,
                "inline; filename=\"billtracker.ics\"",
            ),
        ],
        text,
    )
        .into_response())
}

#[derive(OpenApi)]
#[openapi(paths(feed))]
struct PublicFeedDoc;

/// The public feed route. Its address ends in `.ics` after the token,
/// which the router cannot match as one parameter, so the handler strips
/// the suffix; the document shows the address as users see it.
pub fn public() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(PublicFeedDoc::openapi())
        .route("/api/calendar/feed/{token}", get(feed))
}
