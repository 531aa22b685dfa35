//! Co-occurrence: the entities that share stories with a given entity, with counts and
//! lift (how many times more often than if stories picked entities independently) and
//! its log, PMI.

use super::matches::Selector;
use crate::query::Filters;
use crate::{Result, VigieIndex};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use vigie_schemas::EntityType;

/// An entity sharing stories with another (`vigie cooccur --json`).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CooccurRow {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: EntityType,
    /// stories holding both entities
    pub stories: u64,
    /// documents holding both entities (copies left out)
    pub documents: u64,
    /// P(both) / (P(a) P(b)) over stories
    pub lift: f64,
    /// log2 of the lift
    pub pmi: f64,
}

impl VigieIndex {
    /// The `top` entities most often in the same stories as `entity` (at least
    /// `min_stories` together), by shared stories, then lift.
    pub fn cooccur(&self, entity: &str, filters: &Filters, top: usize, min_stories: u64) -> Result<Vec<CooccurRow>> {
        let mut f = filters.clone();
        f.originals_only = true;
        // every story's entities (a document without a story is a story of its own)
        let all = self.matches(&Selector::Query("*".into()), &f, true)?;
        let mut story_ents: HashMap<String, HashSet<&str>> = HashMap::new();
        for (i, r) in all.iter().enumerate() {
            let key = r.story.clone().unwrap_or_else(|| format!("doc:{i}"));
            story_ents.entry(key).or_default().extend(r.entities.iter().map(|(id, _)| id.as_str()));
        }
        let n = story_ents.len() as f64;
        let mut df: HashMap<&str, u64> = HashMap::new();
        for ents in story_ents.values() {
            for e in ents {
                *df.entry(e).or_insert(0) += 1;
            }
        }
        let Some(&na) = df.get(entity) else { return Ok(Vec::new()) };
        let mut together: HashMap<&str, u64> = HashMap::new();
        for ents in story_ents.values().filter(|s| s.contains(entity)) {
            for e in ents.iter().filter(|e| **e != entity) {
                *together.entry(e).or_insert(0) += 1;
            }
        }
        let mut docs: HashMap<&str, u64> = HashMap::new();
        for r in &all {
            if r.entities.iter().any(|(id, _)| id == entity) {
                for (id, _) in r.entities.iter().filter(|(id, _)| id != entity) {
                    *docs.entry(id.as_str()).or_insert(0) += 1;
                }
            }
        }
        let mut rows: Vec<(&str, u64, f64)> = together
            .into_iter()
            .filter(|(_, c)| *c >= min_stories)
            .map(|(b, c)| (b, c, c as f64 * n / (na as f64 * df[b] as f64)))
            .collect();
        rows.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.total_cmp(&a.2)).then(a.0.cmp(b.0)));
        rows.truncate(top);
        let searcher = self.reader.searcher();
        rows.into_iter()
            .map(|(id, c, lift)| {
                let (name, kind) = self.entity_name_in(&searcher, id)?.unwrap_or_else(|| (id.to_string(), EntityType::Other));
                Ok(CooccurRow {
                    id: id.to_string(),
                    name,
                    kind,
                    stories: c,
                    documents: docs.get(id).copied().unwrap_or(0),
                    lift,
                    pmi: lift.log2(),
                })
            })
            .collect()
    }
}
