//! Top terms for a query: the title terms that set the matching articles apart from the
//! whole corpus, by class-based TF-IDF (c-TF-IDF, Grootendorst 2022, as the topics'
//! keywords are chosen in the pipeline) with two classes, the matching articles and the
//! others, computed per language so that French and English terms each weigh against
//! their own language.
//!
//! A term weighs `tf · ln(1 + A / f)`: `tf` the matching articles holding it, `f` the
//! articles of the corpus holding it, `A` the average number of terms per class. The
//! terms are the folded content words of titles that the pipeline stores for every
//! document (stop words of both languages left out), read from fast fields: no stored
//! text is read. Copies are left out on both sides.

use super::matches::{ord_strings, Selector};
use crate::query::Filters;
use crate::{Result, VigieIndex};
use serde::Serialize;
use std::collections::HashMap;

/// One term (`vigie terms --json`).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct TermRow {
    /// the folded term (lowercase, no accents, plural s removed)
    pub term: String,
    /// the language of the articles it was counted in
    pub lang: String,
    /// c-TF-IDF weight
    pub score: f64,
    /// matching articles holding it
    pub documents: u64,
    /// articles of the corpus holding it
    pub corpus_documents: u64,
}

#[derive(Default, Clone, Copy)]
struct Df {
    matched: u64,
    corpus: u64,
}

impl VigieIndex {
    /// The `top` terms of the articles `sel` and `filters` select against the corpus,
    /// those in at least `min_documents` of them, best first (equal scores by language,
    /// then term).
    pub fn terms(&self, sel: &Selector, filters: &Filters, top: usize, min_documents: u64) -> Result<Vec<TermRow>> {
        let mut f = filters.clone();
        f.originals_only = true;
        let mut matched: HashMap<tantivy::index::SegmentId, Vec<u32>> = HashMap::new();
        self.scan(sel, &f, |seg, docs| {
            matched.insert(seg.segment_id(), docs.to_vec());
            Ok(())
        })?;
        // per language: term -> document frequencies
        let mut df: HashMap<String, HashMap<String, Df>> = HashMap::new();
        let corpus = Filters { originals_only: true, ..Default::default() };
        self.scan(&Selector::Query("*".into()), &corpus, |seg, docs| {
            let ff = seg.fast_fields();
            let (langs, terms) = (ff.str("lang")?, ff.str("tterm")?);
            let (Some(lang_col), Some(term_col)) = (langs.as_ref(), terms.as_ref()) else { return Ok(()) };
            let lang_names = ord_strings(Some(lang_col))?;
            let term_names = ord_strings(Some(term_col))?;
            let hits = matched.get(&seg.segment_id()).map_or(&[][..], Vec::as_slice);
            // counts by (language ord, term ord) in this segment
            let mut counts: HashMap<(u64, u64), Df> = HashMap::new();
            for &d in docs {
                let Some(l) = lang_col.ords().first(d) else { continue };
                let is_match = hits.binary_search(&d).is_ok();
                for t in term_col.ords().values_for_doc(d) {
                    let c = counts.entry((l, t)).or_default();
                    c.corpus += 1;
                    c.matched += u64::from(is_match);
                }
            }
            for ((l, t), c) in counts {
                let (Some(lang), Some(term)) = (lang_names.get(l as usize), term_names.get(t as usize)) else { continue };
                let e = df.entry(lang.clone()).or_default().entry(term.clone()).or_default();
                e.corpus += c.corpus;
                e.matched += c.matched;
            }
            Ok(())
        })?;
        let mut rows = Vec::new();
        for (lang, terms) in df {
            let total: u64 = terms.values().map(|c| c.corpus).sum();
            let in_matches: u64 = terms.values().map(|c| c.matched).sum();
            let classes = u64::from(in_matches > 0) + u64::from(total > in_matches);
            let a = total as f64 / classes.max(1) as f64;
            for (term, c) in terms {
                if c.matched == 0 || c.matched < min_documents {
                    continue;
                }
                let score = c.matched as f64 * (1.0 + a / c.corpus as f64).ln();
                rows.push(TermRow { term, lang: lang.clone(), score, documents: c.matched, corpus_documents: c.corpus });
            }
        }
        rows.sort_by(|x, y| y.score.total_cmp(&x.score).then_with(|| x.lang.cmp(&y.lang)).then_with(|| x.term.cmp(&y.term)));
        rows.truncate(top);
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{index, Doc};
    use super::*;

    #[test]
    fn terms_weigh_the_matches_against_the_corpus_per_language() {
        let d = |id, lang, title, terms| Doc { lang, title, terms, ..Doc::new(id, "2025-01-20T09:00:00Z") };
        let (_dir, ix) = index(&[
            d("a", "en", "Nvidia chips", &["nvidia", "chip"]),
            d("b", "en", "Nvidia chips ship", &["nvidia", "chip", "ship"]),
            d("c", "en", "Airbus jets ship", &["airbus", "jet", "ship"]),
            d("e", "en", "Airbus jets", &["airbus", "jet"]),
            d("f", "fr", "Nvidia puces", &["nvidia", "puce"]),
            d("g", "fr", "Nvidia et ses puces", &["nvidia", "puce"]),
            d("h", "fr", "Airbus avions", &["airbus", "avion"]),
            // a copy counts on neither side
            Doc { dup_of: Some("a"), ..d("i", "en", "Nvidia chips", &["nvidia", "chip"]) },
        ]);
        let rows = ix.terms(&Selector::Query("nvidia".into()), &Filters::default(), 10, 1).unwrap();
        let got: Vec<(&str, &str, u64, u64)> =
            rows.iter().map(|r| (r.term.as_str(), r.lang.as_str(), r.documents, r.corpus_documents)).collect();
        assert_eq!(got, [("chip", "en", 2, 2), ("nvidia", "en", 2, 2), ("nvidia", "fr", 2, 2), ("puce", "fr", 2, 2), ("ship", "en", 1, 2)]);
        // en: 10 term-documents in 2 classes, A = 5; fr: 6 in 2 classes, A = 3
        let expect = [2.0 * 3.5f64.ln(), 2.0 * 3.5f64.ln(), 2.0 * 2.5f64.ln(), 2.0 * 2.5f64.ln(), 3.5f64.ln()];
        for (r, e) in rows.iter().zip(expect) {
            assert!((r.score - e).abs() < 1e-12, "{r:?} vs {e}");
        }
        // in at least two matching articles, French only, top 1
        let fr = Filters { lang: Some("fr".into()), ..Default::default() };
        let rows = ix.terms(&Selector::Query("nvidia".into()), &fr, 1, 2).unwrap();
        assert_eq!(rows.iter().map(|r| r.term.as_str()).collect::<Vec<_>>(), ["nvidia"]);
        assert_eq!(ix.terms(&Selector::Query("nvidia".into()), &Filters::default(), 10, 2).unwrap().len(), 4);
        assert!(ix.terms(&Selector::Query("boeing".into()), &Filters::default(), 10, 1).unwrap().is_empty());
    }
}
