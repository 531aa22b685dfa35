//! `article.v1`: one input article, as read from JSON lines and built from feeds,
//! digests, HTML pages and text files.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An input article. Unknown fields are ignored so that exports from other tools load.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Article {
    /// Becomes the document id when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "headline")]
    pub title: Option<String>,
    /// The article text; `text` is accepted as a synonym.
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "text", alias = "content", alias = "description", alias = "short_description")]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "link")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// RFC 3339, RFC 2822, an ISO date or a French/English written date.
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "date", alias = "pubDate")]
    pub published: Option<String>,
    /// A hint only: the detected language wins when it is confident.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "authors")]
    pub author: Option<OneOrMany>,
}

/// A field that exports write either as one string or as a list of strings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    /// The values joined with ", ".
    pub fn joined(&self) -> String {
        match self {
            OneOrMany::One(s) => s.clone(),
            OneOrMany::Many(v) => v.join(", "),
        }
    }
}
