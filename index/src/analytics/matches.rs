//! The documents a query selects, read back from fast fields only: when (publication,
//! else ingestion), story, entity ids. Analytics (timelines, trends, co-occurrence) are
//! computed from these rows, never from stored documents.

use crate::query::{parse_user_query, with_filters, Filters};
use crate::{Error, Result, VigieIndex};
use std::collections::HashMap;
use tantivy::collector::{Collector, SegmentCollector};
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
        Ok(self.match_keys(sel, filters, entities, true)?.into_iter().map(|(r, _)| r).collect())
    }

    /// [`VigieIndex::matches`] with a 64-bit hash of each document's story id (0: none),
    /// for counting distinct stories; `story_ids` false leaves `MatchRow::story` empty
    /// (the hash is enough to count).
    pub(crate) fn match_keys(&self, sel: &Selector, filters: &Filters, entities: bool, story_ids: bool) -> Result<Vec<(MatchRow, u64)>> {
        let q = self.selector_query(sel, filters)?;
        let searcher = self.reader.searcher();
        let hits = searcher.search(&*q, &SegmentDocs)?;
        let mut out = Vec::new();
        for (seg, docs) in hits {
            if docs.is_empty() {
                continue;
            }
            let ff = searcher.segment_reader(seg).fast_fields();
            let published = ff.date("published")?;
            let ingested = ff.date("ingested")?;
            let dups = ff.u64("is_dup")?;
            let stories = ff.str("story_id")?;
            let ents = if entities { ff.str("entm")? } else { None };
            // one pass over the segment's story dictionary instead of a lookup per document
            let story_hash: Vec<u64> = match &stories {
                Some(c) => {
                    let mut v = Vec::with_capacity(c.num_terms());
                    let mut st = c.dictionary().stream().map_err(|e| Error::Corrupt(e.to_string()))?;
                    while st.advance() {
                        v.push(xxhash_rust::xxh3::xxh3_64(st.key()).max(1));
                    }
                    v
                }
                None => Vec::new(),
            };
            let mut ent_names: HashMap<u64, (String, u32)> = HashMap::new();
            let mut buf = String::new();
            for d in docs {
                let when = published.first(d).or_else(|| ingested.first(d)).map_or(0, |t| t.into_timestamp_secs());
                let ord = stories.as_ref().and_then(|c| c.ords().first(d));
                let key = ord.and_then(|o| story_hash.get(o as usize).copied()).unwrap_or(0);
                let story = if story_ids {
                    match (&stories, ord) {
                        (Some(c), Some(o)) => {
                            buf.clear();
                            c.ord_to_str(o, &mut buf).map_err(|e| Error::Corrupt(e.to_string()))?;
                            Some(buf.clone())
                        }
                        _ => None,
                    }
                } else {
                    None
                };
                let mut ids = Vec::new();
                if let Some(c) = &ents {
                    for o in c.ords().values_for_doc(d) {
                        if let std::collections::hash_map::Entry::Vacant(slot) = ent_names.entry(o) {
                            buf.clear();
                            c.ord_to_str(o, &mut buf).map_err(|e| Error::Corrupt(e.to_string()))?;
                            slot.insert(crate::fast::split_mentions(&buf));
                        }
                        ids.push(ent_names[&o].clone());
                    }
                }
                out.push((MatchRow { when, story, is_dup: dups.first(d).unwrap_or(0) == 1, entities: ids }, key));
            }
        }
        Ok(out)
    }
}

impl VigieIndex {
    /// The documents `sel` and `filters` select, per segment: `each` gets the segment's
    /// reader and its matching document ids in order (for passes over fast fields).
    pub(crate) fn scan(
        &self,
        sel: &Selector,
        filters: &Filters,
        mut each: impl FnMut(&tantivy::SegmentReader, &[u32]) -> Result<()>,
    ) -> Result<()> {
        let q = self.selector_query(sel, filters)?;
        let searcher = self.reader.searcher();
        for (seg, docs) in searcher.search(&*q, &SegmentDocs)? {
            if !docs.is_empty() {
                each(searcher.segment_reader(seg), &docs)?;
            }
        }
        Ok(())
    }
}

/// The 64-bit hash of every term of a segment's string column, by term ordinal (one pass
/// over the dictionary instead of a lookup per document); never 0 (0 means no value).
pub(crate) fn ord_hashes(col: Option<&tantivy::columnar::StrColumn>) -> Result<Vec<u64>> {
    let Some(c) = col else { return Ok(Vec::new()) };
    let mut v = Vec::with_capacity(c.num_terms());
    let mut st = c.dictionary().stream().map_err(|e| Error::Corrupt(e.to_string()))?;
    while st.advance() {
        v.push(xxhash_rust::xxh3::xxh3_64(st.key()).max(1));
    }
    Ok(v)
}

/// Every term of a segment's string column, by term ordinal.
pub(crate) fn ord_strings(col: Option<&tantivy::columnar::StrColumn>) -> Result<Vec<String>> {
    let Some(c) = col else { return Ok(Vec::new()) };
    let mut v = Vec::with_capacity(c.num_terms());
    let mut st = c.dictionary().stream().map_err(|e| Error::Corrupt(e.to_string()))?;
    while st.advance() {
        v.push(String::from_utf8_lossy(st.key()).into_owned());
    }
    Ok(v)
}

/// Collects matching document ids per segment, in order (no scores, no hashing).
struct SegmentDocs;

struct SegmentDocsChild(u32, Vec<u32>);

impl Collector for SegmentDocs {
    type Fruit = Vec<(u32, Vec<u32>)>;
    type Child = SegmentDocsChild;

    fn for_segment(&self, ord: u32, _: &tantivy::SegmentReader) -> tantivy::Result<SegmentDocsChild> {
        Ok(SegmentDocsChild(ord, Vec::new()))
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<(u32, Vec<u32>)>) -> tantivy::Result<Self::Fruit> {
        Ok(fruits)
    }
}

impl SegmentCollector for SegmentDocsChild {
    type Fruit = (u32, Vec<u32>);

    fn collect(&mut self, doc: u32, _: tantivy::Score) {
        self.1.push(doc);
    }

    fn harvest(self) -> (u32, Vec<u32>) {
        (self.0, self.1)
    }
}
