//! `alert.v1` rules and `notification.v1` deliveries.

use crate::{DocId, EntityId};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Where a rule's notifications go.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum NotifySink {
    Stdout,
    File { path: String },
    Webhook { url: String },
}

/// What a rule notifies once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum NotifyPer {
    /// The first matching article of each story (an event and its rewrites).
    #[default]
    Story,
    /// Each matching article that is not a copy of another (a copy group's first
    /// article): every new development of a story; its copies (syndicated,
    /// near-duplicates) are not notified again.
    CopyGroup,
}

impl NotifyPer {
    pub fn is_story(&self) -> bool {
        *self == NotifyPer::Story
    }

    /// `story` or `copy-group`, as written in rules and flags.
    pub fn as_str(&self) -> &'static str {
        match self {
            NotifyPer::Story => "story",
            NotifyPer::CopyGroup => "copy-group",
        }
    }
}

/// A saved keyword query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertRule {
    pub version: u32,
    pub name: String,
    pub query: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<EntityId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    pub notify: NotifySink,
    /// Digest period in seconds; `None` delivers each match at once. Periods end on the
    /// UTC calendar: at multiples of the period counted from Monday 1970-01-05 00:00 UTC
    /// (a daily digest at midnight, a weekly one on Monday, an hourly one on the hour),
    /// shifted by `digest_offset_seconds`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest_seconds: Option<u64>,
    /// Where in the period its end falls (less than the period): 28800 with a daily
    /// period delivers every day at 08:00 UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest_offset_seconds: Option<u64>,
    /// What the rule notifies once: each story (absent: the default) or each copy group.
    #[serde(default, skip_serializing_if = "NotifyPer::is_story")]
    pub per: NotifyPer,
    pub created: DateTime<Utc>,
}

/// One delivered match of a rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Notification {
    pub rule: String,
    pub document_id: DocId,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<DateTime<Utc>>,
    pub lang: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub story_id: Option<String>,
    pub matched_terms: Vec<String>,
    pub entities: Vec<EntityId>,
}

/// A rule's notifications of one digest period, delivered together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Digest {
    pub rule: String,
    /// Start of the period (the previous digest, or the rule's creation).
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub count: usize,
    pub notifications: Vec<Notification>,
}
