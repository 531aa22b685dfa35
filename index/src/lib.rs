//! vigie's tantivy index: the schema with per-language analyzers, the batched writer,
//! search with snippets, stored documents and corpus statistics.
//!
//! ```
//! use vigie_index::{SearchRequest, VigieIndex};
//! let dir = tempfile::tempdir().unwrap();
//! let index = VigieIndex::open_or_create(dir.path()).unwrap();
//! let hits = index.search(&SearchRequest::new("nvidia")).unwrap();
//! assert_eq!(hits.total, 0);
//! ```

pub mod alerts;
pub mod analytics;
mod analyzers;
pub mod bulk;
mod entities;
mod error;
mod fast;
mod fields;
pub mod frames;
mod query;
mod reader;
mod search;
mod stats;
mod vectors;
mod writer;

pub use entities::EntityCount;
pub use error::{Error, MissingField, Result};
pub use query::Filters;
pub use reader::{StoredSignature, VigieIndex};
pub use search::{Hit, SearchRequest, SearchResults, SortBy};
pub use stats::Stats;
pub use vectors::StoredVector;
pub use writer::{Extras, Writer};
