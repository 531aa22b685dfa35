//! `vigie eval ner`: precision, recall and F1 (exact span and type) of the NER head on
//! CoNLL-style or HIPE gold.

use crate::models::ModelDir;
use crate::Result;
use std::path::Path;
use vigie_pipeline::encoder::{Device, Encoder, EncoderOptions, Engine, Precision};
use vigie_pipeline::ner::{predict, read_gold, score, sentence_features, NerHead, NerScores};

/// The scores and how they were obtained.
#[derive(Debug)]
pub struct NerReport {
    pub scores: NerScores,
    pub seconds: f64,
    pub engine: Engine,
    pub precision: Precision,
}

/// Scores the NER head in `head` (`None`: the head built into vigie) over the encoder of
/// `models` on the gold sentences of `gold` (`FILE`, `FILE#dev`, `FILE#train`).
pub fn ner(gold: &str, head: Option<&Path>, models: &ModelDir, opts: &EncoderOptions) -> Result<NerReport> {
    let gold = read_gold(gold)?;
    let head = match head {
        Some(dir) => NerHead::load(dir, Device::Cpu)?,
        None => NerHead::builtin(Device::Cpu),
    };
    // the encoder stops at the deepest layer the head mixes
    let opts = EncoderOptions { max_layers: head.cfg.layers.iter().copied().max(), ..*opts };
    let encoder = Encoder::open(&models.require_encoder()?, &opts)?;
    tracing::info!(precision = %encoder.precision, engine = ?encoder.engine, "encoder");
    let t = std::time::Instant::now();
    let mut feats = Vec::with_capacity(gold.len());
    for chunk in gold.chunks(512) {
        let words: Vec<Vec<String>> = chunk.iter().map(|s| s.words.clone()).collect();
        feats.extend(sentence_features(&encoder, &words, &head.cfg.layers));
    }
    let pred = predict(&head, &feats);
    let tags: Vec<Vec<String>> = gold.iter().map(|s| s.tags.clone()).collect();
    Ok(NerReport { scores: score(&tags, &pred), seconds: t.elapsed().as_secs_f64(), engine: encoder.engine, precision: encoder.precision })
}
