//! The index crate's error type.

/// Errors from the index.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no index in {0}: run `vigie ingest` first")]
    Missing(String),
    #[error("the index in {0} is locked by another vigie process writing to it")]
    Locked(String),
    #[error("invalid query: {0}")]
    Query(String),
    #[error("index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// An index written by an earlier vigie, without a field this one needs.
    #[error("{0}")]
    Outdated(String),
    #[error("stored document is unreadable: {0}")]
    Corrupt(String),
    #[error("dataframe: {0}")]
    Frame(#[from] polars::error::PolarsError),
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
}

pub type Result<T> = std::result::Result<T, Error>;
