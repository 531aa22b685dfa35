//! Request size limits, and every error answered as JSON (including those of layers and
//! of the router itself: 404, 405, 413).

use crate::ApiError;
use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The largest request body accepted, except by the routes whose body has a limit of
/// its own (`POST /api/ingest`: 32 MiB; see `REQUEST_BODIES`).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The longest query string accepted (a query is at most 16 KiB, which percent-encoding
/// can triple in the worst case, but not in any real one).
pub const MAX_QUERY_STRING_BYTES: usize = 32 * 1024;

/// The most rows a request may ask for (`limit`, `top`), and the deepest page.
pub const MAX_ROWS: usize = 10_000;
pub const MAX_OFFSET: usize = 100_000;

/// Answers 414 to a query string over [`MAX_QUERY_STRING_BYTES`].
pub(crate) async fn limit_query(req: Request, next: Next) -> Response {
    let len = req.uri().query().map_or(0, str::len);
    if len > MAX_QUERY_STRING_BYTES {
        let msg = format!("query string too long ({len} bytes, at most {MAX_QUERY_STRING_BYTES})");
        return ApiError::new(StatusCode::URI_TOO_LONG, msg).into_response();
    }
    next.run(req).await
}

/// Turns an error response that is not JSON yet (the router's 404 and 405, the body
/// limit's 413) into `{"error": ...}`.
pub(crate) async fn json_errors(req: Request, next: Next) -> Response {
    let limit = crate::routes::body_limit(req.method().as_str(), req.uri().path());
    let res = next.run(req).await;
    let status = res.status();
    let is_json = res.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return res;
    }
    let message = match status {
        StatusCode::PAYLOAD_TOO_LARGE => format!("request body too large (at most {limit} bytes)"),
        StatusCode::METHOD_NOT_ALLOWED => "method not allowed on this route".to_string(),
        s => s.canonical_reason().unwrap_or("error").to_lowercase(),
    };
    let mut out = ApiError::new(status, message).into_response();
    if let Some(allow) = res.headers().get(header::ALLOW) {
        out.headers_mut().insert(header::ALLOW, allow.clone());
    }
    out
}
