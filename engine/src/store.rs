//! Wiring the pipeline to the index: the dedup state read back from the index, and the
//! [`Sink`] that writes documents in batched commits.

use crate::Result;
use vigie_index::{Extras, VigieIndex, Writer};
use vigie_pipeline::dedup::{Dedup, DedupConfig, Signature};
use vigie_pipeline::runner::{Prepared, Sink};
use vigie_schemas::DocId;

/// Rebuilds the dedup state from the signatures stored in the index: always the state
/// of the last commit, so a crash cannot leave the two out of step.
pub fn load_dedup(index: &VigieIndex) -> Result<Dedup> {
    let t = std::time::Instant::now();
    let mut dedup = Dedup::new(DedupConfig::default());
    // copies are never candidates: every copy points at its original
    for s in index.signatures()?.into_iter().filter(|s| !s.is_dup) {
        match Signature::from_bytes(&s.signature) {
            Some(sig) => dedup.insert(s.id, None, sig),
            None => tracing::warn!(id = %s.id, "stored dedup signature unreadable; skipped"),
        }
    }
    tracing::info!(originals = dedup.len(), ms = t.elapsed().as_millis() as u64, "dedup state loaded");
    Ok(dedup)
}

/// The index writer as the pipeline's sink.
pub struct IndexSink<'w> {
    pub writer: &'w mut Writer,
    pub commits: u64,
}

impl Sink for IndexSink<'_> {
    fn contains(&mut self, id: &DocId) -> vigie_pipeline::Result<bool> {
        Ok(self.writer.contains(id.as_str()))
    }

    fn add(&mut self, p: &Prepared) -> vigie_pipeline::Result<()> {
        let committed = self
            .writer
            .add(&p.doc, &Extras { signature: &p.signature.to_bytes(), embedding: p.embedding.as_deref(), title_terms: &p.title_terms })
            .map_err(|e| vigie_pipeline::Error::Sink(Box::new(e)))?;
        if committed {
            self.commits += 1;
        }
        Ok(())
    }
}
