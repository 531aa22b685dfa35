//! The bearer token check in front of every `/api` request.

use crate::{ApiError, Token};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// Whether a path is the API's (the dashboard, later, has rules of its own).
pub(crate) fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// The token presented in `Authorization: Bearer TOKEN` (the scheme in any case).
fn presented(req: &Request) -> Option<&[u8]> {
    let value = req.headers().get(header::AUTHORIZATION)?.as_bytes();
    let (scheme, rest) = value.split_at(value.iter().position(|b| *b == b' ')?);
    scheme.eq_ignore_ascii_case(b"bearer").then(|| rest.trim_ascii())
}

/// Answers 401 to an `/api` request without the token.
pub(crate) async fn require_token(State(token): State<Arc<Token>>, req: Request, next: Next) -> Response {
    if !is_api(req.uri().path()) {
        return next.run(req).await;
    }
    let message = match presented(&req) {
        Some(t) if token.matches(t) => return next.run(req).await,
        Some(_) => "wrong token",
        None => "this server needs a token: send Authorization: Bearer TOKEN",
    };
    let mut res = ApiError::new(StatusCode::UNAUTHORIZED, message).into_response();
    res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    res
}
