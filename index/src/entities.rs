//! Entity counts: documents per entity (duplicates left out), from the fast fields.

use crate::query::{with_filters, Filters};
use crate::{Error, Result, VigieIndex};
use serde::Serialize;
use tantivy::aggregation::agg_req::Aggregations;
use tantivy::aggregation::AggregationCollector;
use tantivy::collector::TopDocs;
use tantivy::query::{AllQuery, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::Term;
use vigie_schemas::EntityType;

#[derive(Debug, Clone, Serialize)]
pub struct EntityCount {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: EntityType,
    /// documents mentioning it, each counted once, duplicates left out
    pub documents: u64,
}

impl VigieIndex {
    /// The `top` entities (of one type, or all) by document count.
    pub fn top_entities(&self, kind: Option<EntityType>, filters: &Filters, top: usize) -> Result<Vec<EntityCount>> {
        let searcher = self.reader.searcher();
        let mut out = Vec::new();
        for (id, n) in self.entity_counts(kind, filters, top)? {
            let (name, kind) = self.entity_name_in(&searcher, &id)?.unwrap_or_else(|| (id.clone(), EntityType::Other));
            out.push(EntityCount { id, name, kind, documents: n });
        }
        // equal counts in a stable order
        out.sort_by(|a, b| b.documents.cmp(&a.documents).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    /// Documents per entity id (originals only), the `size` largest, without names.
    pub fn entity_counts(&self, kind: Option<EntityType>, filters: &Filters, size: usize) -> Result<Vec<(String, u64)>> {
        let field = match kind {
            Some(t) => crate::fields::entity_field_name(t),
            None => "ent".to_string(),
        };
        let mut f = filters.clone();
        f.originals_only = true;
        let q = with_filters(&self.fields, Box::new(AllQuery), &f);
        let req: Aggregations = serde_json::from_value(serde_json::json!({
            "top": { "terms": { "field": field, "size": size.max(1), "order": { "_count": "desc" } } }
        }))
        .map_err(|e| Error::Query(e.to_string()))?;
        let searcher = self.reader.searcher();
        let res = searcher.search(&*q, &AggregationCollector::from_aggs(req, Default::default()))?;
        let v = serde_json::to_value(&res).map_err(|e| Error::Corrupt(e.to_string()))?;
        Ok(v["top"]["buckets"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|b| Some((b["key"].as_str()?.to_string(), b["doc_count"].as_u64()?)))
            .collect())
    }

    /// Canonical name and type of an entity, from one document that has it.
    pub(crate) fn entity_name_in(&self, searcher: &tantivy::Searcher, id: &str) -> Result<Option<(String, EntityType)>> {
        let q = TermQuery::new(Term::from_field_text(self.fields.entity, id), IndexRecordOption::Basic);
        let Some((_, addr)) = searcher.search(&q, &TopDocs::with_limit(1).order_by_score())?.into_iter().next() else {
            return Ok(None);
        };
        let d = self.load(searcher, addr)?;
        Ok(d.entities.into_iter().find(|e| e.id.0 == id).map(|e| (e.name, e.kind)))
    }
}

impl VigieIndex {
    /// Canonical name and type of an entity id, from a document that has it.
    pub fn entity_name(&self, id: &str) -> Result<Option<(String, EntityType)>> {
        self.entity_name_in(&self.reader.searcher(), id)
    }
}
