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
    #[error("{dir}: {source}: the index was made by an earlier vigie; ingest the articles again into a new data directory (--data NEW)")]
    Outdated { dir: String, source: MissingField },
    /// A schema vigie built itself without a field it needs (a bug).
    #[error("index schema: {0}")]
    Schema(#[source] MissingField),
    #[error("stored document is unreadable: {0}")]
    Corrupt(String),
    #[error("dataframe: {0}")]
    Frame(#[from] polars::error::PolarsError),
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
}

pub type Result<T> = std::result::Result<T, Error>;

/// A field an index schema lacks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("field {0:?} missing")]
pub struct MissingField(pub String);
