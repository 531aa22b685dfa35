//! The entities table: for the top entities by documents (a terms aggregation), their
//! distinct stories, mentions and first/last seen, from fast fields.

use super::matches::Selector;
use crate::query::Filters;
use crate::{Result, VigieIndex};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashSet;
use vigie_schemas::EntityType;

/// One row of the entities table (`vigie entities --json`).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct EntityRow {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: EntityType,
    /// documents mentioning it, copies left out
    pub documents: u64,
    /// distinct stories of those documents
    pub stories: u64,
    /// mentions over those documents
    pub mentions: u64,
    pub first_seen: Option<DateTime<Utc>>,
    pub last_seen: Option<DateTime<Utc>>,
}

impl VigieIndex {
    /// The `top` entities (of one type, or all) by documents, with stories, mentions and
    /// first/last seen within the filters.
    pub fn entity_table(&self, kind: Option<EntityType>, filters: &Filters, top: usize) -> Result<Vec<EntityRow>> {
        let mut f = filters.clone();
        f.originals_only = true;
        let mut out = Vec::new();
        for e in self.top_entities(kind, &f, top)? {
            let rows = self.matches(&Selector::Entity(e.id.clone()), &f, true)?;
            let stories: HashSet<&str> = rows.iter().filter_map(|r| r.story.as_deref()).collect();
            let mentions: u64 = rows.iter().map(|r| r.entities.iter().find(|(id, _)| *id == e.id).map_or(1, |(_, n)| *n as u64)).sum();
            out.push(EntityRow {
                id: e.id.clone(),
                name: e.name,
                kind: e.kind,
                documents: e.documents,
                stories: stories.len() as u64,
                mentions,
                first_seen: rows.iter().map(|r| r.when).min().and_then(|t| DateTime::from_timestamp(t, 0)),
                last_seen: rows.iter().map(|r| r.when).max().and_then(|t| DateTime::from_timestamp(t, 0)),
            });
        }
        Ok(out)
    }
}
