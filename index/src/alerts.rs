//! Reverse search for alerts: the documents of a new batch go into a small in-memory
//! index and every saved query runs against it, as Lucene's Monitor does, instead of
//! every rule searching the whole corpus. A rule's cost then depends on the batch, not
//! on the size of the archive.

use crate::fields::{build_schema, Fields};
use crate::query::{parse_user_query, with_filters, Filters};
use crate::writer::tantivy_doc;
use crate::{analyzers, Error, Result, VigieIndex};
use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Bound;
use tantivy::collector::DocSetCollector;
use tantivy::query::{RangeQuery, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Index, Searcher, Term};
use vigie_schemas::Document;

/// A committed document and its ingest sequence number (the alert watermark).
#[derive(Debug, Clone)]
pub struct BatchDoc {
    pub seq: u64,
    pub doc: Document,
}

impl VigieIndex {
    /// The sequence number the next added document will get: documents below it are
    /// committed. A new rule starts watching from here.
    pub fn next_seq(&self) -> Result<u64> {
        Ok(self.max_seq()?.map_or(0, |s| s + 1))
    }

    /// Committed documents with `from <= seq < to`, in sequence order.
    pub fn documents_between(&self, from: u64, to: u64) -> Result<Vec<BatchDoc>> {
        let searcher = self.reader.searcher();
        let lower = Term::from_field_u64(self.fields.seq, from);
        let upper = Term::from_field_u64(self.fields.seq, to);
        let q = RangeQuery::new(Bound::Included(lower), Bound::Excluded(upper));
        let addrs = searcher.search(&q, &DocSetCollector)?;
        let mut out = Vec::with_capacity(addrs.len());
        for addr in addrs {
            let seq = searcher
                .segment_reader(addr.segment_ord)
                .fast_fields()
                .u64("seq")?
                .first(addr.doc_id)
                .ok_or_else(|| Error::Corrupt(format!("document at {addr:?} has no sequence number")))?;
            out.push(BatchDoc { seq, doc: self.load(&searcher, addr)? });
        }
        out.sort_by_key(|d| d.seq);
        Ok(out)
    }
}

impl VigieIndex {
    /// The sequence number of the first committed document ingested at or after `t`
    /// (second precision), `None` when there is none: where a rule written by hand at
    /// `t` starts watching.
    pub fn first_seq_ingested_since(&self, t: chrono::DateTime<chrono::Utc>) -> Result<Option<u64>> {
        let searcher = self.reader.searcher();
        let from = tantivy::DateTime::from_timestamp_secs(crate::query::clamp_secs(t.timestamp()));
        let q = RangeQuery::new(Bound::Included(Term::from_field_date_for_search(self.fields.ingested, from)), Bound::Unbounded);
        let addrs = searcher.search(&q, &DocSetCollector)?;
        let mut first: Option<u64> = None;
        for addr in addrs {
            let seq = searcher.segment_reader(addr.segment_ord).fast_fields().u64("seq")?.first(addr.doc_id);
            if let Some(s) = seq {
                first = Some(first.map_or(s, |f| f.min(s)));
            }
        }
        Ok(first)
    }
}

/// A rule as the matcher sees it: a query in the search syntax and its filters.
#[derive(Debug, Clone)]
pub struct RuleQuery {
    pub query: String,
    pub filters: Filters,
}

/// One document a rule matched: its position in the batch and the query terms it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleMatch {
    pub doc: usize,
    pub terms: Vec<String>,
}

/// A batch of new documents indexed in memory, ready to run every rule against.
pub struct BatchIndex {
    index: Index,
    fields: Fields,
    searcher: Searcher,
    docs: Vec<BatchDoc>,
    /// per segment, local doc id -> position in `docs`
    positions: Vec<Vec<usize>>,
    /// documents holding each term, shared by every rule that uses the term
    postings: RefCell<HashMap<Term, Vec<DocAddress>>>,
}

impl BatchIndex {
    /// Indexes `docs` in memory with the archive's schema and analyzers.
    pub fn build(docs: Vec<BatchDoc>) -> Result<Self> {
        let index = Index::create_in_ram(build_schema());
        analyzers::register(index.tokenizers());
        let fields = Fields::from_schema(&index.schema()).map_err(Error::Schema)?;
        let mut writer: tantivy::IndexWriter = index.writer_with_num_threads(1, 20 << 20)?;
        for d in &docs {
            writer.add_document(tantivy_doc(&fields, &d.doc, None, d.seq))?;
        }
        writer.commit()?;
        let reader = index.reader()?;
        let searcher = reader.searcher();
        let by_seq: HashMap<u64, usize> = docs.iter().enumerate().map(|(i, d)| (d.seq, i)).collect();
        let mut positions = Vec::new();
        for seg in searcher.segment_readers() {
            let col = seg.fast_fields().u64("seq")?;
            let pos = (0..seg.max_doc()).map(|doc| col.first(doc).and_then(|s| by_seq.get(&s).copied()).unwrap_or(usize::MAX)).collect();
            positions.push(pos);
        }
        Ok(BatchIndex { index, fields, searcher, docs, positions, postings: RefCell::new(HashMap::new()) })
    }

    pub fn docs(&self) -> &[BatchDoc] {
        &self.docs
    }

    /// Checks a rule's query against the schema (a malformed query is refused).
    pub fn check(&self, query: &str) -> Result<()> {
        parse_user_query(&self.index, &self.fields, query).map(|_| ())
    }

    /// The batch documents with `seq >= from` that match the rule, in sequence order,
    /// each with the rule's terms found in it.
    pub fn run(&self, rule: &RuleQuery, from: u64) -> Result<Vec<RuleMatch>> {
        let user = parse_user_query(&self.index, &self.fields, &rule.query)?;
        let mut terms: Vec<Term> = Vec::new();
        user.query_terms(&mut |t, _| {
            if t.value().as_str().is_some() && !terms.contains(t) {
                terms.push(t.clone());
            }
        });
        let q = with_filters(&self.fields, user, &rule.filters);
        let hits = self.searcher.search(&q, &DocSetCollector)?;
        // most rules match nothing in a batch: the query's surface forms only when needed
        let surface = if terms.is_empty() || hits.is_empty() { HashMap::new() } else { self.surface_forms(&rule.query) };
        let mut out: Vec<RuleMatch> = Vec::with_capacity(hits.len());
        for addr in hits {
            let pos = self.positions[addr.segment_ord as usize][addr.doc_id as usize];
            if pos == usize::MAX || self.docs[pos].seq < from {
                continue;
            }
            let mut found: Vec<String> = Vec::new();
            for t in &terms {
                if self.holds(t, addr)? {
                    let value = t.value();
                    let stem = value.as_str().unwrap_or_default();
                    let text = surface.get(stem).cloned().unwrap_or_else(|| stem.to_string());
                    if !found.contains(&text) {
                        found.push(text);
                    }
                }
            }
            out.push(RuleMatch { doc: pos, terms: found });
        }
        out.sort_by_key(|m| self.docs[m.doc].seq);
        Ok(out)
    }

    /// The query's words keyed by what each analyzer makes of them, so that matched
    /// terms are reported as the analyst typed them ("données", not "donne").
    fn surface_forms(&self, query: &str) -> HashMap<String, String> {
        let mut out = HashMap::new();
        let words = query
            .split(|c: char| c.is_whitespace() || "()\"+^~".contains(c))
            .map(|w| w.rsplit(':').next().unwrap_or(w).trim_start_matches('-'))
            .filter(|w| !w.is_empty() && !matches!(*w, "AND" | "OR" | "NOT"));
        for w in words {
            for name in [analyzers::FR, analyzers::EN, analyzers::STD, analyzers::KEYWORD] {
                let Some(mut a) = self.index.tokenizers().get(name) else { continue };
                let mut stream = a.token_stream(w);
                while stream.advance() {
                    out.entry(stream.token().text.clone()).or_insert_with(|| w.to_lowercase());
                }
            }
            out.entry(w.to_string()).or_insert_with(|| w.to_string());
        }
        out
    }

    fn holds(&self, t: &Term, addr: DocAddress) -> Result<bool> {
        if let Some(v) = self.postings.borrow().get(t) {
            return Ok(v.binary_search(&addr).is_ok());
        }
        let q = TermQuery::new(t.clone(), IndexRecordOption::Basic);
        let mut v: Vec<DocAddress> = self.searcher.search(&q, &DocSetCollector)?.into_iter().collect();
        v.sort();
        let found = v.binary_search(&addr).is_ok();
        self.postings.borrow_mut().insert(t.clone(), v);
        Ok(found)
    }
}

/// Whether `q` parses, without any index at hand.
pub fn check_query(q: &str) -> Result<()> {
    BatchIndex::build(Vec::new())?.check(q)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use vigie_schemas::{DocId, Lang, Origin};

    fn doc(id: &str, lang: &str, title: &str, body: &str) -> Document {
        Document {
            id: DocId(id.into()),
            title: title.into(),
            body: body.into(),
            url: None,
            source: Some("Le Monde".into()),
            published: None,
            published_raw: None,
            author: None,
            lang: Lang(lang.into()),
            lang_confidence: 1.0,
            lang_hint: None,
            dup_of: None,
            story_id: None,
            topic_id: None,
            entities: Vec::new(),
            ingested_at: Utc::now(),
            origin: Origin { file: "t".into(), line: None },
        }
    }

    #[test]
    fn rules_match_the_batch_with_their_terms_and_watermark() {
        let batch = BatchIndex::build(vec![
            BatchDoc { seq: 10, doc: doc("a", "en", "Nvidia ships H100 chips", "Data centers buy them.") },
            BatchDoc { seq: 11, doc: doc("b", "fr", "Les centres de données", "Nvidia et OpenAI investissent.") },
            BatchDoc { seq: 12, doc: doc("c", "en", "Weather", "Rain tomorrow.") },
        ])
        .unwrap();
        let r = |q: &str| RuleQuery { query: q.into(), filters: Filters::default() };
        let m = batch.run(&r("nvidia"), 0).unwrap();
        assert_eq!(m.iter().map(|m| m.doc).collect::<Vec<_>>(), vec![0, 1]);
        assert_eq!(m[0].terms, vec!["nvidia"]);
        assert_eq!(batch.run(&r("\"data centers\""), 0).unwrap()[0].terms, vec!["data", "centers"]);
        // the watermark leaves older batch documents out
        assert_eq!(batch.run(&r("nvidia"), 11).unwrap().len(), 1);
        // French stemming: "données" matches "donnée"
        let m = batch.run(&r("nvidia AND donnée"), 0).unwrap();
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].doc, 1);
        assert_eq!(m[0].terms, vec!["nvidia", "donnée"]);
        let fr = RuleQuery { query: "nvidia".into(), filters: Filters { lang: Some("fr".into()), ..Default::default() } };
        assert_eq!(batch.run(&fr, 0).unwrap().len(), 1);
        let src = RuleQuery { query: "*".into(), filters: Filters { source: Some("le monde".into()), ..Default::default() } };
        assert_eq!(batch.run(&src, 0).unwrap().len(), 3);
        assert!(check_query("nvidia AND (").is_err());
        assert!(check_query("nosuchfield:x").is_err());
    }
}
