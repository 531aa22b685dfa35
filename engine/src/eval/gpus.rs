//! `vigie eval gpus`: GPU and accelerator mentions in sentences the maintainers wrote
//! (`data/eval/gpus/*.jsonl`): catalogued chips, unlisted members of catalogued families
//! with the id they should get, and products that must not become GPUs (CPUs, phones,
//! monitors, AI model names, cars).

use super::companies::analyze;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use vigie_pipeline::runner::{Analyzer, Observer};
use vigie_schemas::{Article, EntityType};

/// What a gold sentence checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GpuCase {
    /// chips of `data/kb/gpus.tsv`
    Catalogued,
    /// members of a catalogued family that the catalogue does not list
    Family,
    /// no GPU in it
    Negative,
}

/// One gold sentence.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GpuSentence {
    pub id: String,
    pub lang: String,
    pub case: GpuCase,
    pub text: String,
    /// the GPU ids it mentions (none for a negative)
    #[serde(default)]
    pub expect: Vec<String>,
    /// what a negative holds that is not a GPU (cpu, phone, monitor, model, car...)
    #[serde(default)]
    pub trap: Option<String>,
}

pub fn read_gold(path: &Path) -> Result<Vec<GpuSentence>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut out: Vec<GpuSentence> = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let at = |m: String| Error::Config(format!("{}:{}: {m}", path.display(), i + 1));
        let s: GpuSentence = serde_json::from_str(line).map_err(|e| at(e.to_string()))?;
        if out.iter().any(|o| o.id == s.id) {
            return Err(at(format!("duplicate id {:?}", s.id)));
        }
        if (s.case == GpuCase::Negative) != s.expect.is_empty() {
            return Err(at("a negative expects no GPU and a positive at least one".into()));
        }
        if let Some(bad) = s.expect.iter().find(|x| !x.starts_with("gpu:")) {
            return Err(at(format!("{bad:?} is not a gpu: id")));
        }
        out.push(s);
    }
    if out.is_empty() {
        return Err(Error::Config(format!("{}: no gold sentences", path.display())));
    }
    Ok(out)
}

/// One sentence's outcome.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GpuResult {
    pub id: String,
    pub lang: String,
    pub case: GpuCase,
    pub expected: usize,
    pub found: usize,
    pub missed: Vec<String>,
    /// GPU ids found that the sentence does not mention
    pub false_positives: Vec<(String, String)>,
}

/// Compares the GPU entities `got` (id, surface) of one sentence with its gold.
pub fn score_sentence(s: &GpuSentence, got: &[(String, String)]) -> GpuResult {
    let missed: Vec<String> = s.expect.iter().filter(|x| !got.iter().any(|(id, _)| id == *x)).cloned().collect();
    let mut fps: Vec<(String, String)> = got.iter().filter(|(id, _)| !s.expect.contains(id)).cloned().collect();
    fps.sort();
    fps.dedup();
    GpuResult {
        id: s.id.clone(),
        lang: s.lang.clone(),
        case: s.case,
        expected: s.expect.len(),
        found: s.expect.len() - missed.len(),
        missed,
        false_positives: fps,
    }
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct GpuScores {
    pub sentences: usize,
    pub expected: usize,
    pub found: usize,
    pub recall: f64,
    /// GPU ids found that are not expected (on any sentence)
    pub false_positives: usize,
    /// negative sentences, and those where a GPU was found
    pub negatives: usize,
    pub negatives_with_gpu: usize,
}

pub fn aggregate<'a>(rs: impl IntoIterator<Item = &'a GpuResult>) -> GpuScores {
    let mut s = GpuScores::default();
    for r in rs {
        s.sentences += 1;
        s.expected += r.expected;
        s.found += r.found;
        s.false_positives += r.false_positives.len();
        if r.case == GpuCase::Negative {
            s.negatives += 1;
            s.negatives_with_gpu += usize::from(!r.false_positives.is_empty());
        }
    }
    s.recall = if s.expected == 0 { 0.0 } else { s.found as f64 / s.expected as f64 };
    s
}

#[derive(Debug, Serialize)]
pub struct GpuReport {
    pub gold: String,
    pub all: GpuScores,
    pub by_case: BTreeMap<GpuCase, GpuScores>,
    pub by_lang: BTreeMap<String, GpuScores>,
    /// sentences with a miss or a false positive
    pub errors: Vec<GpuResult>,
    pub ingest_seconds: f64,
}

/// Runs each gold sentence of `gold_path` through `analyzer` as an article of its own
/// (as `vigie ingest` reads it) and scores the `gpu:` entities found.
pub fn gpus(gold_path: &Path, analyzer: &dyn Analyzer, observer: &mut dyn Observer) -> Result<GpuReport> {
    let gold = read_gold(gold_path)?;
    let articles: Vec<Article> =
        gold.iter().map(|s| Article { id: Some(s.id.clone()), body: Some(s.text.clone()), ..Default::default() }).collect();
    let (docs, seconds) = analyze(&articles, analyzer, observer)?;
    let results: Vec<GpuResult> = gold
        .iter()
        .map(|s| {
            let got: Vec<(String, String)> = docs
                .get(&s.id)
                .map(|d| {
                    d.entities
                        .iter()
                        .filter(|e| e.kind == EntityType::Gpu)
                        .map(|e| (e.id.0.clone(), e.surface.first().cloned().unwrap_or_default()))
                        .collect()
                })
                .unwrap_or_default();
            if !docs.contains_key(&s.id) {
                tracing::warn!(id = s.id, "gold sentence not stored (rejected?)");
            }
            score_sentence(s, &got)
        })
        .collect();
    let mut by_case: BTreeMap<GpuCase, Vec<&GpuResult>> = BTreeMap::new();
    let mut by_lang: BTreeMap<String, Vec<&GpuResult>> = BTreeMap::new();
    for r in &results {
        by_case.entry(r.case).or_default().push(r);
        by_lang.entry(r.lang.clone()).or_default().push(r);
    }
    Ok(GpuReport {
        gold: gold_path.display().to_string(),
        all: aggregate(&results),
        by_case: by_case.into_iter().map(|(k, v)| (k, aggregate(v))).collect(),
        by_lang: by_lang.into_iter().map(|(k, v)| (k, aggregate(v))).collect(),
        errors: results.iter().filter(|r| !r.missed.is_empty() || !r.false_positives.is_empty()).cloned().collect(),
        ingest_seconds: seconds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentence(case: GpuCase, expect: &[&str]) -> GpuSentence {
        GpuSentence {
            id: "s".into(),
            lang: "en".into(),
            case,
            text: String::new(),
            expect: expect.iter().map(|s| s.to_string()).collect(),
            trap: None,
        }
    }

    fn got(ids: &[&str]) -> Vec<(String, String)> {
        ids.iter().map(|i| (i.to_string(), i.to_string())).collect()
    }

    #[test]
    fn misses_and_false_positives_are_counted_per_case() {
        let a = score_sentence(&sentence(GpuCase::Family, &["gpu:nvidia-rtx-6090", "gpu:intel-gaudi-4"]), &got(&["gpu:nvidia-rtx-6090"]));
        assert_eq!((a.found, a.missed.clone()), (1, vec!["gpu:intel-gaudi-4".to_string()]));
        let b = score_sentence(&sentence(GpuCase::Negative, &[]), &got(&["gpu:amd-rx-9950", "gpu:amd-rx-9950"]));
        assert_eq!(b.false_positives.len(), 1);
        let c = score_sentence(&sentence(GpuCase::Catalogued, &["gpu:nvidia-h100"]), &got(&["gpu:nvidia-h100", "gpu:nvidia-h100"]));
        assert!(c.missed.is_empty() && c.false_positives.is_empty());
        let s = aggregate([&a, &b, &c]);
        assert_eq!((s.sentences, s.expected, s.found, s.false_positives, s.negatives, s.negatives_with_gpu), (3, 3, 2, 1, 1, 1));
        assert!((s.recall - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn gold_sentences_must_be_consistent() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("g.jsonl");
        std::fs::write(&p, "{\"id\":\"n\",\"lang\":\"en\",\"case\":\"negative\",\"text\":\"a Ryzen\",\"expect\":[\"gpu:x\"]}\n").unwrap();
        assert!(read_gold(&p).unwrap_err().to_string().ends_with("g.jsonl:1: a negative expects no GPU and a positive at least one"));
        std::fs::write(&p, "{\"id\":\"n\",\"lang\":\"en\",\"case\":\"family\",\"text\":\"x\",\"expect\":[\"nvidia\"]}\n").unwrap();
        assert!(read_gold(&p).unwrap_err().to_string().contains("\"nvidia\" is not a gpu: id"));
        std::fs::write(&p, "").unwrap();
        assert!(read_gold(&p).unwrap_err().to_string().contains("no gold sentences"));
    }
}
