//! Small dense-vector helpers and the per-language mean that centres embeddings.
//!
//! E5 embeddings share a large common component (cosines of unrelated news sit around
//! 0.8) and a language component (a French text and its English translation are further
//! apart than two French texts on different subjects). Subtracting the mean embedding of
//! each language removes both: on the WMT FR/EN pairs the translation becomes the nearest
//! document for 172 of 176 texts instead of 140, and unrelated pairs fall to a cosine
//! around 0, so one threshold means the same thing in every corpus.

use std::collections::BTreeMap;

pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

pub fn norm(a: &[f32]) -> f32 {
    dot(a, a).sqrt()
}

/// `a / |a|`, or zeros for a zero vector.
pub fn normalized(mut a: Vec<f32>) -> Vec<f32> {
    let n = norm(&a);
    if n > 1e-12 {
        a.iter_mut().for_each(|x| *x /= n);
    }
    a
}

pub fn add_to(acc: &mut [f32], v: &[f32], scale: f32) {
    acc.iter_mut().zip(v).for_each(|(a, x)| *a += scale * x);
}

/// Running sums of the embeddings of each language, blended with a prior mean so that
/// the first articles of a corpus are centred sensibly too.
#[derive(Debug, Clone, Default)]
pub struct LangMeans {
    sums: BTreeMap<String, (Vec<f32>, f64)>,
    prior: BTreeMap<String, Vec<f32>>,
    prior_weight: f32,
}

impl LangMeans {
    /// `prior`: a mean embedding per language (`"*"` for any other language), counted as
    /// `prior_weight` articles.
    pub fn new(prior: BTreeMap<String, Vec<f32>>, prior_weight: f32) -> Self {
        LangMeans { sums: BTreeMap::new(), prior, prior_weight }
    }

    pub fn add(&mut self, lang: &str, e: &[f32]) {
        let (s, n) = self.sums.entry(lang.to_string()).or_insert_with(|| (vec![0.0; e.len()], 0.0));
        add_to(s, e, 1.0);
        *n += 1.0;
    }

    /// The current mean of `lang` (dimension `dim`).
    pub fn mean(&self, lang: &str, dim: usize) -> Vec<f32> {
        let prior = self.prior.get(lang).or_else(|| self.prior.get("*"));
        let mut m = vec![0.0; dim];
        let mut w = 0.0f32;
        if let Some(p) = prior.filter(|p| p.len() == dim) {
            add_to(&mut m, p, self.prior_weight);
            w += self.prior_weight;
        }
        if let Some((s, n)) = self.sums.get(lang).filter(|(s, _)| s.len() == dim) {
            add_to(&mut m, s, 1.0);
            w += *n as f32;
        }
        if w > 0.0 {
            m.iter_mut().for_each(|x| *x /= w);
        }
        m
    }

    /// `e` minus its language mean, L2-normalized.
    pub fn center(&self, lang: &str, e: &[f32]) -> Vec<f32> {
        let m = self.mean(lang, e.len());
        normalized(e.iter().zip(&m).map(|(x, y)| x - y).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn centering_removes_the_language_offset() {
        let mut m = LangMeans::default();
        // two "languages" offset along the first axis, same subjects along the others
        for (lang, off) in [("fr", 1.0), ("en", -1.0)] {
            m.add(lang, &[off, 1.0, 0.0]);
            m.add(lang, &[off, 0.0, 1.0]);
        }
        let a = m.center("fr", &[1.0, 1.0, 0.0]);
        let b = m.center("en", &[-1.0, 1.0, 0.0]);
        assert!((dot(&a, &b) - 1.0).abs() < 1e-6);
        let c = m.center("en", &[-1.0, 0.0, 1.0]);
        assert!(dot(&a, &c) < -0.9);
    }
}
