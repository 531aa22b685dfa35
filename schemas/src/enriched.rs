//! `enriched.v1`: one line of `vigie enrich`, the stateless half of an ingest. A line
//! holds either an enriched document (everything the ordered stages need, so that
//! `vigie ingest --enriched` runs no model) or the reject of one input record, so that
//! the output has one line per input record, in input order.

use crate::{DocId, Entity, Lang, Origin};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The value of [`EnrichedLine::schema`].
pub const ENRICHED_V1: &str = "enriched.v1";

/// One line: exactly one of `document` and `reject`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct EnrichedLine {
    /// Always `enriched.v1`.
    pub schema: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<Box<EnrichedDocument>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reject: Option<EnrichedReject>,
}

/// A normalized article and what the stateless stages found in it. It depends on the
/// record alone: nothing here comes from other articles (no copy-of, story or topic;
/// the per-source language prior is applied by the ordered stage).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct EnrichedDocument {
    /// The stable document id (given, or derived from the url or the text).
    pub id: DocId,
    pub title: String,
    pub body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_raw: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// The language the input claimed, when it claimed one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang_hint: Option<String>,
    pub origin: Origin,
    /// The language detected from this article's text alone.
    pub language: LanguageDecision,
    /// The near-duplicate signature of the body.
    pub signature: DedupSignature,
    /// Entities with their mention counts (empty when the model stage did not run).
    #[serde(default)]
    pub entities: Vec<Entity>,
    /// The L2-normalized document embedding: little-endian f16 values, base64
    /// (standard alphabet, padded); absent when the model stage did not run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embedding: Option<String>,
}

/// The language decision and the votes it came from (the ordered stage may add the
/// source's usual language as one more vote).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LanguageDecision {
    pub lang: Lang,
    /// 0 to 1.
    pub confidence: f32,
    /// Which detectors decided it.
    pub method: String,
    /// Safe to learn a source's usual language from (prose, one clear winner).
    pub sure: bool,
    /// Running prose rather than a table of figures.
    pub prose: bool,
    /// Summed votes per language (ISO 639-1), best first.
    #[serde(default)]
    pub votes: Vec<LanguageVote>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LanguageVote {
    pub lang: String,
    pub weight: f64,
}

/// MinHash signature of the body's word shingles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DedupSignature {
    /// Hash of the whole normalized body, 16 hex digits.
    pub body_hash: String,
    /// Number of shingles.
    pub shingles: u32,
    /// The minimum hashes: little-endian u32 values, base64 (standard, padded).
    pub mins: String,
}

/// An input record that was not accepted, with the reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct EnrichedReject {
    pub file: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    pub reason: String,
    /// The start of the rejected record, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
}
