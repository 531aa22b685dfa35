//! vigie's HTTP API (`vigie serve`): the engine's reports as JSON in the `--json`
//! shapes of the command line, the index's tables as downloads, and an OpenAPI 3.1
//! document of it all at `/api/openapi.json`, generated from the route table and the
//! types. A front end over the engine like the command line, not a second
//! implementation: each handler reads its parameters and calls what the matching
//! command calls.
//!
//! The server sees what another process commits without a restart: the index is
//! refreshed before each request when its `meta.json` changed (one `stat` otherwise),
//! and the topic state is read again when its file changed.
//!
//! It writes too: alert rules (`/api/alerts`, through the engine's rule functions) and
//! articles (`POST /api/ingest`, through an engine Session opened for the request, or
//! the Session of the watch loop that [`serve`] runs beside the server with `--watch`,
//! lent to the requests between two polls).
//!
//! ```
//! use axum::body::Body;
//! use axum::http::Request;
//! use tower::ServiceExt;
//! use vigie_engine::DataDir;
//! use vigie_server::{router, ServeConfig, Token};
//!
//! let tmp = tempfile::tempdir().unwrap();
//! let data = DataDir::new(tmp.path());
//! // an address other than loopback needs a token
//! assert!(ServeConfig::new(data.clone(), "0.0.0.0:8080".parse().unwrap(), None).is_err());
//! let token = Token::new("s3cret").unwrap();
//! let config = ServeConfig::new(data, "0.0.0.0:8080".parse().unwrap(), Some(token)).unwrap();
//! let app = router(&config);
//! let rt = tokio::runtime::Runtime::new().unwrap();
//! let status = |auth: &str| {
//!     let req = Request::get("/api/openapi.json").header("authorization", auth).body(Body::empty()).unwrap();
//!     rt.block_on(app.clone().oneshot(req)).unwrap().status().as_u16()
//! };
//! assert_eq!(status("Bearer s3cret"), 200);
//! assert_eq!(status("Bearer guess"), 401);
//! ```

mod api_error;
mod auth;
mod config;
pub mod dashboard;
mod error;
mod extract;
mod handlers;
mod limits;
pub mod openapi;
mod routes;
mod serve;
mod state;
mod writer;

pub use api_error::{ApiError, ErrorBody};
pub use config::{ServeConfig, Token};
pub use error::{Error, Result};
pub use handlers::ingest::{MAX_INGEST_BYTES, MAX_LISTED_REJECTS};
pub use limits::{MAX_BODY_BYTES, MAX_OFFSET, MAX_QUERY_STRING_BYTES, MAX_ROWS};
pub use routes::{router, Answer, RequestBody, Route, REQUEST_BODIES, ROUTES};
pub use serve::{serve, shutdown_signal, Server, Watch};
pub use state::AppState;
pub use writer::{SharedSession, Stages};
