//! The language a source usually writes in, learnt in input order from the sure
//! decisions of the run, and given as one more vote to its unsure articles (tables of
//! figures, one-line items): a wire that publishes in English stays English.

use super::{LangDecision, LangDetector};
use std::collections::HashMap;

/// A source needs this many sure decisions...
const MIN_SURE: u32 = 10;
/// ...with this share in one language before it votes.
const MIN_DOMINANCE: f64 = 0.9;
/// The weight of its vote (lingua's confidences sum to 1)...
const SOURCE_VOTE: f64 = 0.6;
/// ...and on tables of figures, where letter statistics say little, a deciding one.
const SOURCE_VOTE_TABLE: f64 = 3.0;

#[derive(Default)]
pub struct SourcePrior {
    counts: HashMap<String, HashMap<String, u32>>,
}

impl SourcePrior {
    /// Learns from a sure decision, or corrects an unsure one.
    pub fn apply(&mut self, det: &LangDetector, source: Option<&str>, d: LangDecision) -> LangDecision {
        let Some(source) = source else { return d };
        if d.sure {
            *self.counts.entry(source.to_string()).or_default().entry(d.lang.0.clone()).or_insert(0) += 1;
            return d;
        }
        let Some(counts) = self.counts.get(source) else { return d };
        let total: u32 = counts.values().sum();
        let Some((lang, n)) = counts.iter().max_by_key(|(_, n)| **n) else { return d };
        if total < MIN_SURE || f64::from(*n) / f64::from(total) < MIN_DOMINANCE || d.lang.0 == *lang {
            return d;
        }
        match det.language(lang) {
            Some(l) => d.with_vote(l, if d.prose { SOURCE_VOTE } else { SOURCE_VOTE_TABLE }, "votes+source"),
            None => d,
        }
    }
}
