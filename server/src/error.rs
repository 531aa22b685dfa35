//! The server crate's error type: what stops `vigie serve` from starting or serving
//! (a request that fails is an [`ApiError`](crate::ApiError) answered to its client,
//! not one of these).

use std::net::SocketAddr;
use std::path::PathBuf;
use vigie_engine::ErrorKind;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A setting that cannot be used as given (an address without a token, an empty
    /// token).
    #[error("{0}")]
    Config(String),
    #[error("{}: {source}", path.display())]
    TokenFile { path: PathBuf, source: std::io::Error },
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    /// The runtime could not start, or the accept loop stopped on an error.
    #[error("serving: {0}")]
    Serve(std::io::Error),
    /// The data directory could not be opened for writing, or the watch loop stopped
    /// on an error.
    #[error(transparent)]
    Engine(#[from] vigie_engine::Error),
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// Who can fix it: the user (a setting, an address in use) or nobody but a developer.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Config(_) | Error::TokenFile { .. } | Error::Bind { .. } => ErrorKind::Usage,
            Error::Serve(_) => ErrorKind::Internal,
            Error::Engine(e) => e.kind(),
        }
    }
}
