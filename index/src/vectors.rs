//! Reading back, from the fast fields alone, what story and topic clustering need of
//! every stored document: no stored document is deserialized.

use crate::fast::{all_str, first_str};
use crate::{Error, Result, VigieIndex};
use vigie_schemas::DocId;

/// One stored document's clustering state.
#[derive(Debug, Clone)]
pub struct StoredVector {
    pub id: DocId,
    /// ingest order
    pub seq: u64,
    /// publication time, else ingestion time (unix seconds)
    pub when: i64,
    pub lang: String,
    pub source: Option<String>,
    pub dup_of: Option<DocId>,
    pub story_id: Option<String>,
    /// the L2-normalized embedding (None when ingested without the model)
    pub embedding: Option<Vec<f32>>,
    pub entities: Vec<String>,
    pub title_terms: Vec<String>,
}

fn f16_to_f32(bytes: &[u8]) -> Vec<f32> {
    bytes.chunks_exact(2).map(|c| half::f16::from_le_bytes([c[0], c[1]]).to_f32()).collect()
}

impl VigieIndex {
    /// Every live document's clustering state, in ingest order.
    pub fn vectors(&self) -> Result<Vec<StoredVector>> {
        self.read_vectors(true)
    }

    /// [`VigieIndex::vectors`] without the embeddings (counting by story and topic).
    pub fn vectors_without_embeddings(&self) -> Result<Vec<StoredVector>> {
        self.read_vectors(false)
    }

    fn read_vectors(&self, with_embeddings: bool) -> Result<Vec<StoredVector>> {
        let searcher = self.reader.searcher();
        let mut out = Vec::with_capacity(searcher.num_docs() as usize);
        let corrupt = |e: std::io::Error| Error::Corrupt(e.to_string());
        let mut buf = String::new();
        let mut bytes = Vec::new();
        for seg in searcher.segment_readers() {
            let ff = seg.fast_fields();
            let Some(ids) = ff.str("id")? else { continue };
            let seqs = ff.u64("seq")?;
            let published = ff.date("published")?;
            let ingested = ff.date("ingested")?;
            let langs = ff.str("lang")?;
            let sources = ff.str("source_raw")?;
            let dups = ff.str("dup_of")?;
            let stories = ff.str("story_id")?;
            let embs = ff.bytes("emb")?;
            let ents = ff.str("ent")?;
            let terms = ff.str("tterm")?;
            let text = |col: &Option<tantivy::columnar::StrColumn>, doc: u32, buf: &mut String| first_str(col.as_ref(), doc, buf);
            let all = |col: &Option<tantivy::columnar::StrColumn>, doc: u32, buf: &mut String| all_str(col.as_ref(), doc, buf);
            for doc in seg.doc_ids_alive() {
                let Some(id) = text(&Some(ids.clone()), doc, &mut buf)? else { continue };
                let when = published.first(doc).or_else(|| ingested.first(doc)).map_or(0, |d| d.into_timestamp_secs());
                let embedding = match embs.as_ref().filter(|_| with_embeddings) {
                    Some(c) => match c.ords().first(doc) {
                        Some(o) => {
                            bytes.clear();
                            c.ord_to_bytes(o, &mut bytes).map_err(corrupt)?;
                            (!bytes.is_empty()).then(|| f16_to_f32(&bytes))
                        }
                        None => None,
                    },
                    None => None,
                };
                out.push(StoredVector {
                    id: DocId(id),
                    seq: seqs.first(doc).unwrap_or(0),
                    when,
                    lang: text(&langs, doc, &mut buf)?.unwrap_or_default(),
                    source: text(&sources, doc, &mut buf)?,
                    dup_of: text(&dups, doc, &mut buf)?.map(DocId),
                    story_id: text(&stories, doc, &mut buf)?,
                    embedding,
                    entities: all(&ents, doc, &mut buf)?,
                    title_terms: all(&terms, doc, &mut buf)?,
                });
            }
        }
        out.sort_by_key(|v| v.seq);
        Ok(out)
    }
}

impl VigieIndex {
    /// Calls `f` with every live stored document (segment order).
    pub fn for_each_doc(&self, mut f: impl FnMut(vigie_schemas::Document)) -> Result<()> {
        use tantivy::schema::Value;
        let searcher = self.reader.searcher();
        for seg in searcher.segment_readers() {
            let store = seg.get_store_reader(64).map_err(|e| Error::Corrupt(e.to_string()))?;
            for d in store.iter::<tantivy::TantivyDocument>(seg.alive_bitset()) {
                let d = d?;
                let json = d
                    .get_first(self.fields.doc)
                    .and_then(|v| v.as_str())
                    .ok_or_else(|| Error::Corrupt("document without stored body".into()))?;
                f(serde_json::from_str(json).map_err(|e| Error::Corrupt(e.to_string()))?);
            }
        }
        Ok(())
    }

    /// The documents of one story (copies included), in ingest order.
    pub fn story_docs(&self, story_id: &str, limit: usize) -> Result<Vec<vigie_schemas::Document>> {
        use tantivy::collector::TopDocs;
        use tantivy::query::TermQuery;
        use tantivy::schema::IndexRecordOption;
        let searcher = self.reader.searcher();
        let q = TermQuery::new(tantivy::Term::from_field_text(self.fields.story_id, story_id), IndexRecordOption::Basic);
        let top = searcher.search(&q, &TopDocs::with_limit(limit.max(1)).order_by_u64_field("seq", tantivy::Order::Asc))?;
        top.into_iter().map(|(_, addr)| self.load(&searcher, addr)).collect()
    }
}
