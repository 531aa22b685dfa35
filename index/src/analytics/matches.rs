//! The documents a query selects, read back from fast fields only: when (publication,
//! else ingestion), story, entity ids. Analytics (timelines, trends, co-occurrence) are
//! computed from these rows, never from stored documents.

use crate::query::{parse_user_query, with_filters, Filters};
use crate::{Error, Result, VigieIndex};
use std::collections::HashMap;
use tantivy::collector::DocSetCollector;
use tantivy::query::{Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::Term;

/// What selects a series: an entity id or a search query.
#[derive(Debug, Clone, PartialEq)]
pub enum Selector {
    Entity(String),
    Query(String),
}

impl Selector {
    /// `company:nvidia`-like strings (a known type prefix, no spaces) are entity ids;
    /// anything else is a search query.
    pub fn parse(s: &str) -> Selector {
        let is_id = s.split_once(':').is_some_and(|(t, rest)| {
            vigie_schemas::EntityType::ALL.iter().any(|x| x.as_str() == t) && !rest.is_empty() && !rest.contains(char::is_whitespace)
        });
        if is_id {
            Selector::Entity(s.to_string())
        } else {
            Selector::Query(s.to_string())
        }
    }

    pub fn label(&self) -> &str {
        match self {
            Selector::Entity(s) | Selector::Query(s) => s,
        }
    }
}

/// One matching document.
#[derive(Debug, Clone)]
pub struct MatchRow {
    /// publication time, else ingestion time (unix seconds)
    pub when: i64,
    pub story: Option<String>,
    pub is_dup: bool,
    /// entity ids with their mention counts (when asked for)
    pub entities: Vec<(String, u32)>,
}

impl VigieIndex {
    pub(crate) fn selector_query(&self, sel: &Selector, filters: &Filters) -> Result<Box<dyn Query>> {
        let q: Box<dyn Query> = match sel {
            Selector::Entity(id) => Box::new(TermQuery::new(Term::from_field_text(self.fields.entity, id), IndexRecordOption::Basic)),
            Selector::Query(q) => parse_user_query(&self.index, &self.fields, q)?,
        };
        Ok(with_filters(&self.fields, q, filters))
    }

    /// The rows of the documents `sel` and `filters` select; `entities` also reads
    /// their entity ids.
    pub fn matches(&self, sel: &Selector, filters: &Filters, entities: bool) -> Result<Vec<MatchRow>> {
        let q = self.selector_query(sel, filters)?;
        let searcher = self.reader.searcher();
        let hits = searcher.search(&*q, &DocSetCollector)?;
        let mut by_seg: HashMap<u32, Vec<u32>> = HashMap::new();
        for a in hits {
            by_seg.entry(a.segment_ord).or_default().push(a.doc_id);
        }
        let corrupt = |e: std::io::Error| Error::Corrupt(e.to_string());
        let mut out = Vec::new();
        let mut buf = String::new();
        for (seg, mut docs) in by_seg {
            docs.sort_unstable();
            let ff = searcher.segment_reader(seg).fast_fields();
            let published = ff.date("published")?;
            let ingested = ff.date("ingested")?;
            let dups = ff.u64("is_dup")?;
            let stories = ff.str("story_id")?;
            let ents = if entities { ff.str("entm")? } else { None };
            let mut story_names: HashMap<u64, String> = HashMap::new();
            let mut ent_names: HashMap<u64, String> = HashMap::new();
            for d in docs {
                let when = published.first(d).or_else(|| ingested.first(d)).map_or(0, |t| t.into_timestamp_secs());
                let story = match stories.as_ref().and_then(|c| c.ords().first(d).map(|o| (c, o))) {
                    Some((c, o)) => Some(match story_names.get(&o) {
                        Some(s) => s.clone(),
                        None => {
                            buf.clear();
                            c.ord_to_str(o, &mut buf).map_err(corrupt)?;
                            story_names.insert(o, buf.clone());
                            buf.clone()
                        }
                    }),
                    None => None,
                };
                let mut ids = Vec::new();
                if let Some(c) = &ents {
                    for o in c.ords().values_for_doc(d) {
                        if !ent_names.contains_key(&o) {
                            buf.clear();
                            c.ord_to_str(o, &mut buf).map_err(corrupt)?;
                            ent_names.insert(o, buf.clone());
                        }
                        ids.push(crate::fast::split_mentions(&ent_names[&o]));
                    }
                }
                out.push(MatchRow { when, story, is_dup: dups.first(d).unwrap_or(0) == 1, entities: ids });
            }
        }
        Ok(out)
    }
}
