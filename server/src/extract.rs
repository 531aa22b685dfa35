//! Query parameters as typed structs: repeated keys (`series=a&series=b`) fill lists,
//! unknown keys and unreadable values are refused with a 400 naming them.

use crate::ApiError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// The query string of a request read into `T`.
pub struct Params<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or("");
        serde_html_form::from_str(query).map(Params).map_err(|e| ApiError::bad_request(format!("query string: {e}")))
    }
}

/// Blocking work (the index, the topic state) on tokio's blocking pool, so that a slow
/// report never holds a thread that accepts connections.
pub(crate) async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, ApiError> + Send + 'static) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| ApiError::internal(format!("internal error: {e}")))?
}
