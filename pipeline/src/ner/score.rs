//! Exact-span, exact-type micro precision/recall/F1, CoNLL style.

use super::tags::{decode_spans, Span};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

#[derive(Debug, Clone, Default, Serialize)]
pub struct TypeScores {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub gold: usize,
    pub predicted: usize,
    pub correct: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct NerScores {
    pub sentences: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// micro F1 over PER, ORG and LOC only
    pub f1_per_org_loc: f64,
    pub by_type: BTreeMap<String, TypeScores>,
}

fn prf(correct: usize, predicted: usize, gold: usize) -> TypeScores {
    let p = if predicted == 0 { 0.0 } else { correct as f64 / predicted as f64 };
    let r = if gold == 0 { 0.0 } else { correct as f64 / gold as f64 };
    let f = if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) };
    TypeScores { precision: p, recall: r, f1: f, gold, predicted, correct }
}

/// Scores predicted tag sequences against gold ones (same sentences, same words).
pub fn score(gold: &[Vec<String>], pred: &[Vec<String>]) -> NerScores {
    let mut counts: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    for (g, p) in gold.iter().zip(pred) {
        let gs: HashSet<Span> = decode_spans(g).into_iter().collect();
        let ps: HashSet<Span> = decode_spans(p).into_iter().collect();
        for s in &gs {
            counts.entry(s.kind.clone()).or_default().2 += 1;
        }
        for s in &ps {
            let c = counts.entry(s.kind.clone()).or_default();
            c.1 += 1;
            if gs.contains(s) {
                c.0 += 1;
            }
        }
    }
    let total = counts.values().fold((0, 0, 0), |a, c| (a.0 + c.0, a.1 + c.1, a.2 + c.2));
    let pol = counts
        .iter()
        .filter(|(k, _)| matches!(k.as_str(), "PER" | "ORG" | "LOC"))
        .fold((0, 0, 0), |a, (_, c)| (a.0 + c.0, a.1 + c.1, a.2 + c.2));
    let all = prf(total.0, total.1, total.2);
    NerScores {
        sentences: gold.len(),
        precision: all.precision,
        recall: all.recall,
        f1: all.f1,
        f1_per_org_loc: prf(pol.0, pol.1, pol.2).f1,
        by_type: counts.into_iter().map(|(k, (c, p, g))| (k, prf(c, p, g))).collect(),
    }
}
