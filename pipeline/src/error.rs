//! The pipeline's error type.

use std::path::PathBuf;

/// Errors that stop a pipeline operation (bad input records are not errors: they are
/// [`crate::reject::Reject`]s and the run goes on).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("invalid configuration: {0}")]
    Config(String),
    #[error("{0}")]
    Sink(String),
    /// A pipeline stage's thread ended before the batch did.
    #[error("{0}")]
    Stage(String),
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }
}
