//! The batched writer: documents are added to tantivy's writer and committed every
//! `commit_every` documents and at the end, never one commit per document. A crash
//! loses at most the uncommitted batch, which the next identical ingest adds again.

use crate::fields::Fields;
use crate::{Error, Result};
use tantivy::{DateTime as TDate, IndexWriter, TantivyDocument, Term};
use vigie_schemas::Document;

/// Separates the entity id from its mention count in the `entm` fast field.
pub(crate) const MENTIONS_SEP: char = '\u{1f}';

/// Writer memory budget: tantivy flushes a segment when it is reached.
const WRITER_HEAP_BYTES: usize = 128 * 1024 * 1024;

/// tantivy's indexing threads for a machine of `cores`: a third of them, 1 to 4. The
/// pipeline already runs one worker per core and indexing is about a third of an
/// ingest's work, so more threads only fight the workers for the cores; and each
/// thread writes its own segment at every commit: with one per core a 19,000-article
/// Reuters ingest on 2 cores (4 commits) ended in a merge of 8 segments, and took about
/// 12% more CPU time and 55 MB more peak memory than with one thread.
fn indexing_threads(cores: usize) -> usize {
    cores.div_ceil(3).clamp(1, 4)
}

/// What the pipeline keeps of a document besides the document itself: its state for
/// dedup and story clustering, stored as fast fields so that it is rebuilt from the last
/// commit instead of living in files that a crash could leave out of step.
#[derive(Debug, Clone, Copy, Default)]
pub struct Extras<'a> {
    /// the MinHash signature
    pub signature: &'a [u8],
    /// the L2-normalized document embedding (stored as f16)
    pub embedding: Option<&'a [f32]>,
    /// folded title terms
    pub title_terms: &'a [String],
}

pub struct Writer {
    pub(crate) writer: IndexWriter,
    pub(crate) fields: Fields,
    pub(crate) reader: tantivy::IndexReader,
    pub(crate) commit_every: usize,
    pub(crate) pending: usize,
    pub(crate) next_seq: u64,
    pub(crate) dir: String,
}

impl Writer {
    pub(crate) fn new(index: &tantivy::Index, fields: Fields, reader: tantivy::IndexReader, next_seq: u64, dir: String) -> Result<Self> {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        let threads = indexing_threads(cores);
        let writer = index.writer_with_num_threads(threads, WRITER_HEAP_BYTES).map_err(|e| match e {
            tantivy::TantivyError::LockFailure(..) => Error::Locked(dir.clone()),
            e => Error::Tantivy(e),
        })?;
        Ok(Writer { writer, fields, reader, commit_every: 5000, pending: 0, next_seq, dir })
    }

    /// Commits automatically after this many added documents (at least 1).
    pub fn set_commit_every(&mut self, n: usize) {
        self.commit_every = n.max(1);
    }

    /// Whether a document with this id is in the last commit.
    pub fn contains(&self, id: &str) -> bool {
        self.reader.searcher().doc_freq(&Term::from_field_text(self.fields.id, id)).map(|n| n > 0).unwrap_or(false)
    }

    /// Adds a document with its pipeline state; returns true when this add committed.
    pub fn add(&mut self, doc: &Document, extras: &Extras<'_>) -> Result<bool> {
        let d = tantivy_doc(&self.fields, doc, Some(extras), self.next_seq);
        self.next_seq += 1;
        self.writer.add_document(d)?;
        self.pending += 1;
        if self.pending >= self.commit_every {
            self.commit()?;
            return Ok(true);
        }
        Ok(false)
    }

    /// Documents added since the last commit.
    pub fn pending(&self) -> usize {
        self.pending
    }

    /// Makes everything added so far durable and visible.
    pub fn commit(&mut self) -> Result<u64> {
        let opstamp = self.writer.commit()?;
        self.reader.reload()?;
        tracing::debug!(dir = %self.dir, docs = self.pending, opstamp, "committed");
        self.pending = 0;
        Ok(opstamp)
    }

    /// Commits and waits for background merges, releasing the index lock.
    pub fn finish(mut self) -> Result<()> {
        if self.pending > 0 {
            self.commit()?;
        }
        self.writer.wait_merging_threads()?;
        Ok(())
    }
}

/// The tantivy document of a stored document. Without `extras` (the alert batch index)
/// only what queries and filters read is built: no stored JSON, no pipeline state.
pub(crate) fn tantivy_doc(f: &Fields, doc: &Document, extras: Option<&Extras<'_>>, seq: u64) -> TantivyDocument {
    let mut d = TantivyDocument::default();
    d.add_text(f.id, doc.id.as_str());
    if let Some(u) = &doc.url {
        d.add_text(f.url, u);
    }
    if let Some(s) = &doc.source {
        d.add_text(f.source, s);
        d.add_text(f.source_raw, s);
    }
    d.add_text(f.lang, doc.lang.as_str());
    // a date the index cannot hold is left out rather than wrapped (the normalizer
    // keeps such dates as raw text only)
    if let Some(p) = doc.published.filter(|p| crate::query::fits_index(p.timestamp())) {
        d.add_date(f.published, TDate::from_timestamp_secs(p.timestamp()));
    }
    d.add_date(f.ingested, TDate::from_timestamp_secs(doc.ingested_at.timestamp()));
    d.add_u64(f.seq, seq);
    d.add_u64(f.is_dup, u64::from(doc.dup_of.is_some()));
    if let Some(x) = &doc.dup_of {
        d.add_text(f.dup_of, x.as_str());
    }
    if let Some(x) = &doc.story_id {
        d.add_text(f.story_id, x);
    }
    if let Some(x) = &doc.topic_id {
        d.add_text(f.topic_id, x);
    }
    for e in &doc.entities {
        d.add_text(f.entity, e.id.as_str());
        d.add_text(f.entity_field(e.kind), e.id.as_str());
        if extras.is_some() {
            d.add_text(f.entity_mentions, format!("{}{MENTIONS_SEP}{}", e.id.as_str(), e.mentions));
        }
    }
    let pair = f.text_for(doc.lang.as_str());
    d.add_text(pair.title, &doc.title);
    d.add_text(pair.body, &doc.body);
    let Some(extras) = extras else { return d };
    d.add_text(f.title_raw, &doc.title);
    d.add_bytes(f.sig, extras.signature);
    if let Some(e) = extras.embedding {
        let bytes: Vec<u8> = e.iter().flat_map(|x| half::f16::from_f32(*x).to_le_bytes()).collect();
        d.add_bytes(f.emb, &bytes);
    }
    for t in extras.title_terms {
        d.add_text(f.title_terms, t);
    }
    d.add_text(f.doc, serde_json::to_string(doc).expect("a document always serializes"));
    d
}
