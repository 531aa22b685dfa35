//! Errors answered to a client: a status and `{"error":"one line message"}`.
//!
//! The status says whose fault it is: 400 the request (query syntax, a parameter value,
//! an unknown topic), 401 the token, 404 an unknown route, document, story or export,
//! 413 and 414 a body or query string over the limits, 503 a data directory that has no
//! index yet, 500 the rest (the data directory unreadable, a state file of a later vigie,
//! a bug).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

/// A failed request.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

/// The body of every error response.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[schemars(rename = "Error")]
pub struct ErrorBody {
    /// what went wrong, on one line
    pub error: String,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl AsRef<str>) -> Self {
        ApiError { status, message: one_line(message.as_ref()) }
    }

    pub fn bad_request(message: impl AsRef<str>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn not_found(message: impl AsRef<str>) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }

    pub fn internal(message: impl AsRef<str>) -> Self {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }
}

/// Messages are one line.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %self.message, "request failed");
        } else if self.status.is_server_error() {
            tracing::info!(status = self.status.as_u16(), error = %self.message, "request refused");
        }
        (self.status, Json(ErrorBody { error: self.message })).into_response()
    }
}

fn index_status(e: &vigie_index::Error) -> StatusCode {
    use vigie_index::Error as I;
    match e {
        I::Query(_) => StatusCode::BAD_REQUEST,
        // no ingest yet: the index appears with the first one
        I::Missing(_) => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn engine_status(e: &vigie_engine::Error) -> StatusCode {
    use vigie_engine::Error as E;
    match e {
        E::Index(i) => index_status(i),
        // a parameter the engine refused (a date, an unknown topic, nothing to compare)
        E::Config(_) => StatusCode::BAD_REQUEST,
        E::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
        E::Ingest(e) | E::Rule { source: e, .. } => engine_status(e),
        // what the engine calls a usage error here is the operator's (the data directory,
        // a state file of a later vigie), not the client's
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<vigie_engine::Error> for ApiError {
    fn from(e: vigie_engine::Error) -> Self {
        ApiError::new(engine_status(&e), e.to_string())
    }
}

impl From<vigie_index::Error> for ApiError {
    fn from(e: vigie_index::Error) -> Self {
        ApiError::new(index_status(&e), e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_the_typed_errors() {
        let q = ApiError::from(vigie_engine::Error::Index(vigie_index::Error::Query("bad\nsyntax".into())));
        assert_eq!((q.status, q.message.as_str()), (StatusCode::BAD_REQUEST, "invalid query: bad syntax"));
        assert_eq!(ApiError::from(vigie_engine::Error::Config("unknown topic".into())).status, StatusCode::BAD_REQUEST);
        assert_eq!(ApiError::from(vigie_index::Error::Missing("d".into())).status, StatusCode::SERVICE_UNAVAILABLE);
        let state = vigie_engine::Error::state("topics.json", "unreadable");
        assert_eq!(ApiError::from(state).status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(ApiError::from(vigie_index::Error::Corrupt("x".into())).status, StatusCode::INTERNAL_SERVER_ERROR);
    }
}
