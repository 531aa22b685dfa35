//! `vigie eval dedup`: near-duplicate precision and recall on copies built from real
//! articles (syndicated with another header and footer, cut short, or edited).

use crate::{corpus, Error, Result};
use serde::Serialize;
use std::collections::HashSet;
use std::path::Path;
use vigie_pipeline::dedup::{Dedup, DedupConfig, Signature};
use vigie_pipeline::normalize::Normalizer;
use vigie_pipeline::rng::Lcg;
use vigie_schemas::{Article, DocId, Origin};

const WIRE_HEADERS: &[&str] = &["NEW YORK (Wire Service) -", "LONDON, March 3 (WS) -", "By a Staff Reporter\n", "UPDATE 1-"];
const WIRE_FOOTERS: &[&str] = &[
    "Copyright 1987 The Wire Service. Redistribution prohibited.",
    "Reporting by the markets desk; editing by the night team.",
    "For more business news visit our website and sign up for alerts.",
    "Related coverage: markets wrap, currencies, commodities.",
];
const KINDS: [&str; 3] = ["syndicated", "cut", "edited"];

/// One copy of `body`, of kind `kind`: a syndicated copy with another header and
/// footer, a cut ending, or an edited copy with a sentence dropped and case changed.
fn make_copy(body: &str, kind: usize, rng: &mut Lcg) -> String {
    let words: Vec<&str> = body.split_whitespace().collect();
    match kind {
        0 => format!("{} {}\n\n{}", WIRE_HEADERS[rng.below(WIRE_HEADERS.len())], body, WIRE_FOOTERS[rng.below(WIRE_FOOTERS.len())]),
        1 => {
            let keep = words.len() * (55 + rng.below(31)) / 100;
            words[..keep.max(1)].join(" ")
        }
        _ => {
            let sentences: Vec<&str> = body.split_inclusive(". ").collect();
            let drop = if sentences.len() > 2 { 1 + rng.below(sentences.len() - 2) } else { usize::MAX };
            let kept: String = sentences.iter().enumerate().filter(|(i, _)| *i != drop).map(|(_, s)| *s).collect();
            kept.replace("  ", " ").to_uppercase()
        }
    }
}

#[derive(Debug, Serialize)]
pub struct DedupReport {
    pub originals: usize,
    pub copies: usize,
    pub copies_found: usize,
    pub copies_wrong_original: usize,
    pub recall: f64,
    pub precision: f64,
    /// originals the detector linked to an earlier original (the corpus's own repeats)
    pub originals_flagged: usize,
    pub examples_flagged: Vec<(String, String)>,
    /// per kind of copy: its name, the copies made, the copies found
    pub by_kind: Vec<(String, usize, usize)>,
    pub seconds: f64,
}

/// Near-duplicate detection on the first `originals` Reuters-21578 stories of 60 words
/// or more in `reuters` (a directory of `reut2-*.sgm`) and a copy of every other one.
pub fn dedup(reuters: &Path, originals: usize) -> Result<DedupReport> {
    if !reuters.is_dir() {
        return Err(Error::Config(format!("{}: not a directory", reuters.display())));
    }
    let t = std::time::Instant::now();
    let normalizer = Normalizer::default();
    let origin = || Origin { file: "eval".into(), line: None };
    let originals: Vec<(DocId, String)> = corpus::reuters(reuters)?
        .into_iter()
        .filter(|x| x.body.as_deref().is_some_and(|b| b.split_whitespace().count() >= 60))
        .take(originals)
        .filter_map(|art| normalizer.normalize(&art, origin()).ok().map(|n| (n.id, n.body)))
        .collect();
    let mut d = Dedup::new(DedupConfig::default());
    let mut flagged = Vec::new();
    for (id, body) in &originals {
        let sig = Signature::of(body);
        let m = d.check(&sig);
        if let Some(m) = &m {
            flagged.push((id.0.clone(), m.of.0.clone()));
        }
        d.insert(id.clone(), m.as_ref().map(|m| &m.of), sig);
    }
    let flagged_set: HashSet<&str> = flagged.iter().map(|(a, _)| a.as_str()).collect();
    let mut by_kind = [(0usize, 0usize); 3];
    let (mut copies, mut found, mut wrong) = (0, 0, 0);
    let mut rng = Lcg(42);
    for (i, (id, body)) in originals.iter().enumerate() {
        // every other original gets a copy; copies of originals that are themselves
        // repeats are left out (their right answer is ambiguous)
        if i % 2 == 1 || flagged_set.contains(id.0.as_str()) {
            continue;
        }
        let kind = (i / 2) % 3;
        let copy = make_copy(body, kind, &mut rng);
        let article = Article { title: Some("t".into()), body: Some(copy), ..Default::default() };
        let copy = normalizer.normalize(&article, origin()).map(|n| n.body).unwrap_or_default();
        copies += 1;
        by_kind[kind].0 += 1;
        match d.check(&Signature::of(&copy)) {
            Some(m) if m.of == *id => {
                found += 1;
                by_kind[kind].1 += 1;
            }
            Some(_) => wrong += 1,
            None => {}
        }
    }
    Ok(DedupReport {
        originals: originals.len(),
        copies,
        copies_found: found,
        copies_wrong_original: wrong,
        recall: found as f64 / copies.max(1) as f64,
        precision: found as f64 / (found + wrong).max(1) as f64,
        originals_flagged: flagged.len(),
        examples_flagged: flagged,
        by_kind: KINDS.iter().zip(&by_kind).map(|(k, (n, f))| (k.to_string(), *n, *f)).collect(),
        seconds: t.elapsed().as_secs_f64(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_of_each_kind_differ_from_the_original_the_same_way_every_run() {
        let body = "First sentence here. Second sentence follows. Third one ends. Fourth closes it all.";
        for kind in 0..3 {
            let (a, b) = (make_copy(body, kind, &mut Lcg(1)), make_copy(body, kind, &mut Lcg(1)));
            assert_eq!(a, b);
            assert_ne!(a, body, "kind {kind}");
        }
        assert!(make_copy(body, 0, &mut Lcg(1)).contains(body));
        assert!(body.starts_with(&make_copy(body, 1, &mut Lcg(1))));
        assert!(make_copy(body, 2, &mut Lcg(1)).starts_with("FIRST SENTENCE HERE."));
    }
}
