//! Serde types that cross vigie's crate boundaries, and their JSON Schemas.
//!
//! Every type here is versioned by the schema file it generates
//! (`schemas/*.v1.schema.json`); a test checks the committed files match the types.
//!
//! ```
//! use vigie_schemas::Article;
//! let a: Article = serde_json::from_str(r#"{"title":"Nvidia","text":"H100"}"#).unwrap();
//! assert_eq!(a.body.as_deref(), Some("H100"));
//! ```

mod alert;
mod article;
mod document;
mod enriched;
mod entity;
mod ids;
mod schema;

pub use alert::{AlertRule, Digest, Notification, NotifyPer, NotifySink};
pub use article::{Article, OneOrMany};
pub use document::{Document, Origin};
pub use enriched::{DedupSignature, EnrichedDocument, EnrichedLine, EnrichedReject, LanguageDecision, LanguageVote, ENRICHED_V1};
pub use entity::{Entity, EntityType, Mention};
pub use ids::{DocId, EntityId, Lang};
pub use schema::{all_schemas, SchemaFile};
