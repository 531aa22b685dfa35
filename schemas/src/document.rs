//! `document.v1`: a normalized, analysed article as stored in the index.

use crate::{DocId, Entity, Lang};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Where an input came from: a file or URL and the line (or item number) in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Origin {
    pub file: String,
    /// 1-based line of a JSON lines record or of the start of a digest item; item
    /// index for feeds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
}

/// A stored document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Document {
    pub id: DocId,
    pub title: String,
    pub body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<DateTime<Utc>>,
    /// The date as written in the input, kept when it could not be parsed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_raw: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    pub lang: Lang,
    /// Confidence of the language decision, 0 to 1.
    pub lang_confidence: f32,
    /// The language the input claimed, when it claimed one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang_hint: Option<String>,
    /// The first stored copy of this text when this one is an exact or near duplicate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dup_of: Option<DocId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub story_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic_id: Option<String>,
    #[serde(default)]
    pub entities: Vec<Entity>,
    pub ingested_at: DateTime<Utc>,
    pub origin: Origin,
}
