//! The model stage of ingest: one encoder pass per article (batched) gives its entities
//! and its document embedding.

use super::EntityExtractor;
use crate::encoder::{Device, Encoder};
use crate::runner::{Analyzer, Prepared};
use std::path::Path;
use crate::normalize::first_chars as cut;

/// Characters of an article given to the encoder (about 5,000 tokens): entities further
/// down are still found by the catalogue and knowledge-base matching of the full text.
const MAX_ENCODED_CHARS: usize = 20_000;

pub struct ArticleAnalyzer {
    pub encoder: Encoder,
    pub extractor: EntityExtractor,
}

impl ArticleAnalyzer {
    /// The encoder from `models_dir/e5-small`, the NER head from `head_dir`.
    pub fn load(models_dir: &Path, head_dir: &Path) -> Result<Self, String> {
        let encoder = Encoder::load(&models_dir.join("e5-small"), Device::Cpu)?;
        let extractor = EntityExtractor::load(head_dir)?;
        Ok(ArticleAnalyzer { encoder, extractor })
    }
}


impl Analyzer for ArticleAnalyzer {
    fn analyze(&self, docs: &mut [Prepared]) {
        let full: Vec<String> = docs.iter().map(|p| format!("{}\n{}", p.doc.title, p.doc.body)).collect();
        // the encoder sees the start; catalogue and KB matching see everything
        let encoded: Vec<&str> = docs
            .iter()
            .zip(&full)
            .map(|(p, t)| &t[..p.doc.title.len() + 1 + cut(&p.doc.body, MAX_ENCODED_CHARS).len()])
            .collect();
        let outs = self.encoder.encode(&encoded, self.extractor.layers());
        for (((p, full), encoded), out) in docs.iter_mut().zip(&full).zip(&encoded).zip(&outs) {
            let (entities, _mentions) = self.extractor.extract_with_tail(encoded, full, p.doc.title.len(), out);
            p.doc.entities = entities;
            p.embedding = Some(out.embedding.clone());
        }
    }
}
