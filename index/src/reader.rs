//! Opening the index, looking documents up, and reading the dedup signatures back.

use crate::analyzers;
use crate::fields::{build_schema, Fields};
use crate::writer::Writer;
use crate::{Error, Result};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument, Term};
use vigie_schemas::{DocId, Document};

/// An opened index.
pub struct VigieIndex {
    pub(crate) index: Index,
    pub(crate) fields: Fields,
    pub(crate) reader: IndexReader,
    dir: PathBuf,
    /// `meta.json` as it was when the reader last loaded it ([`VigieIndex::refresh`])
    seen: Mutex<Option<MetaStamp>>,
}

/// What tells two commits apart without reading `meta.json`: tantivy replaces the file
/// by a rename at each commit (a new inode, a new modification time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct MetaStamp {
    modified: Option<SystemTime>,
    len: u64,
    inode: u64,
}

impl MetaStamp {
    fn of(dir: &Path) -> Option<MetaStamp> {
        let m = std::fs::metadata(dir.join("meta.json")).ok()?;
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(&m);
        #[cfg(not(unix))]
        let inode = 0;
        Some(MetaStamp { modified: m.modified().ok(), len: m.len(), inode })
    }
}

/// One stored document's dedup state.
pub struct StoredSignature {
    pub id: DocId,
    pub is_dup: bool,
    pub signature: Vec<u8>,
}

impl VigieIndex {
    /// Opens the index in `dir`, creating it (and `dir`) when there is none.
    pub fn open_or_create(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| Error::Io { path: dir.display().to_string(), source: e })?;
        let index = if dir.join("meta.json").exists() { Index::open_in_dir(dir)? } else { Index::create_in_dir(dir, build_schema())? };
        Self::from_index(index, dir)
    }

    /// Opens an existing index for reading.
    pub fn open(dir: &Path) -> Result<Self> {
        if !dir.join("meta.json").exists() {
            return Err(Error::Missing(dir.display().to_string()));
        }
        Self::from_index(Index::open_in_dir(dir)?, dir)
    }

    fn from_index(index: Index, dir: &Path) -> Result<Self> {
        analyzers::register(index.tokenizers());
        let fields = Fields::from_schema(&index.schema()).map_err(|source| Error::Outdated { dir: dir.display().to_string(), source })?;
        // stamped before the reader loads the commit: a commit in between is seen as a
        // change by the next refresh, never hidden under a newer stamp
        let seen = Mutex::new(MetaStamp::of(dir));
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(VigieIndex { index, fields, reader, dir: dir.to_path_buf(), seen })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The writer; only one process can hold it at a time.
    pub fn writer(&self) -> Result<Writer> {
        let next_seq = self.max_seq()?.map_or(0, |s| s + 1);
        Writer::new(&self.index, self.fields.clone(), self.reader.clone(), next_seq, self.dir.display().to_string())
    }

    /// Sees the latest commit (of this or another process).
    pub fn reload(&self) -> Result<()> {
        Ok(self.reader.reload()?)
    }

    /// Sees the latest commit when there was one since the last look (one `stat` of
    /// `meta.json` otherwise): a long-lived reader such as the server calls it before each
    /// request. Returns whether the reader reloaded.
    pub fn refresh(&self) -> Result<bool> {
        let now = MetaStamp::of(&self.dir);
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if *seen == now {
            return Ok(false);
        }
        self.reader.reload()?;
        *seen = now;
        Ok(true)
    }

    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub(crate) fn max_seq(&self) -> Result<Option<u64>> {
        let searcher = self.reader.searcher();
        let mut max = None;
        for seg in searcher.segment_readers() {
            if seg.num_docs() == 0 {
                continue;
            }
            let col = seg.fast_fields().u64("seq")?;
            let m = col.max_value();
            max = Some(max.map_or(m, |x: u64| x.max(m)));
        }
        Ok(max)
    }

    /// The stored document with this id.
    pub fn get(&self, id: &str) -> Result<Option<Document>> {
        let searcher = self.reader.searcher();
        let q = TermQuery::new(Term::from_field_text(self.fields.id, id), IndexRecordOption::Basic);
        let top = searcher.search(&q, &TopDocs::with_limit(1).order_by_score())?;
        match top.first() {
            None => Ok(None),
            Some((_, addr)) => self.load(&searcher, *addr).map(Some),
        }
    }

    pub(crate) fn load(&self, searcher: &tantivy::Searcher, addr: tantivy::DocAddress) -> Result<Document> {
        let d: TantivyDocument = searcher.doc(addr)?;
        let json = d
            .get_first(self.fields.doc)
            .and_then(|v| v.as_str())
            .ok_or_else(|| Error::Corrupt(format!("document at {addr:?} has no stored body")))?;
        serde_json::from_str(json).map_err(|e| Error::Corrupt(e.to_string()))
    }

    /// Every document's dedup signature, from the fast fields (no stored document is read).
    pub fn signatures(&self) -> Result<Vec<StoredSignature>> {
        let searcher = self.reader.searcher();
        let mut out = Vec::with_capacity(searcher.num_docs() as usize);
        let (mut id, mut sig) = (String::new(), Vec::new());
        for seg in searcher.segment_readers() {
            let ff = seg.fast_fields();
            let (Some(ids), Some(sigs)) = (ff.str("id")?, ff.bytes("sig")?) else { continue };
            let dups = ff.u64("is_dup")?;
            for doc in seg.doc_ids_alive() {
                let (Some(io), Some(so)) = (ids.ords().first(doc), sigs.ords().first(doc)) else { continue };
                id.clear();
                sig.clear();
                ids.ord_to_str(io, &mut id).map_err(|e| Error::Corrupt(e.to_string()))?;
                sigs.ord_to_bytes(so, &mut sig).map_err(|e| Error::Corrupt(e.to_string()))?;
                out.push(StoredSignature { id: DocId(id.clone()), is_dup: dups.first(doc).unwrap_or(0) == 1, signature: sig.clone() });
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An index from an earlier vigie (a schema without a field this one needs) is
    /// refused with the missing field and what to do, not as a corrupt document.
    #[test]
    fn an_index_without_a_field_says_which_and_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let mut b = tantivy::schema::Schema::builder();
        b.add_text_field("id", tantivy::schema::STRING | tantivy::schema::STORED);
        Index::create_in_dir(dir.path(), b.build()).unwrap();
        let e = VigieIndex::open(dir.path()).err().expect("refused");
        assert!(matches!(&e, Error::Outdated { source, .. } if source.0 == "url"), "{e}");
        let msg = e.to_string();
        assert!(msg.contains("\"url\" missing") && msg.contains("earlier vigie") && msg.contains("--data"), "{msg}");
    }
}
