//! Scores of a clustering against gold labels: B-cubed precision/recall/F1 (Bagga and
//! Baldwin 1998) and normalized mutual information (arithmetic mean normalization, as
//! scikit-learn's default).

use serde::Serialize;
use std::collections::HashMap;
use std::hash::Hash;

#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct BCubed {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// Joint counts of label pairs, and the counts of each side's labels.
type Counts<'a, T> = (HashMap<(&'a T, &'a T), f64>, HashMap<&'a T, f64>, HashMap<&'a T, f64>);

fn counts<'a, T: Eq + Hash>(a: &'a [T], b: &'a [T]) -> Counts<'a, T> {
    let mut joint = HashMap::new();
    let mut ca = HashMap::new();
    let mut cb = HashMap::new();
    for (x, y) in a.iter().zip(b) {
        *joint.entry((x, y)).or_insert(0.0) += 1.0;
        *ca.entry(x).or_insert(0.0) += 1.0;
        *cb.entry(y).or_insert(0.0) += 1.0;
    }
    (joint, ca, cb)
}

/// B-cubed of `pred` against `gold` (same length, one label per item).
pub fn bcubed<T: Eq + Hash>(gold: &[T], pred: &[T]) -> BCubed {
    let n = gold.len().min(pred.len()) as f64;
    if n == 0.0 {
        return BCubed { precision: 0.0, recall: 0.0, f1: 0.0 };
    }
    let (joint, cg, cp) = counts(gold, pred);
    // each item of cell (g, p) has precision |g∩p|/|p| and recall |g∩p|/|g|
    let (mut p, mut r) = (0.0, 0.0);
    for ((g, q), m) in &joint {
        p += m * m / cp[q];
        r += m * m / cg[g];
    }
    let (p, r) = (p / n, r / n);
    BCubed { precision: p, recall: r, f1: if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 } }
}

/// NMI of `pred` against `gold` (0 when either side has a single cluster and the other not).
pub fn nmi<T: Eq + Hash>(gold: &[T], pred: &[T]) -> f64 {
    let n = gold.len().min(pred.len()) as f64;
    if n == 0.0 {
        return 0.0;
    }
    let (joint, cg, cp) = counts(gold, pred);
    let h = |c: &HashMap<&T, f64>| -> f64 { c.values().map(|&x| -(x / n) * (x / n).ln()).sum() };
    let (hg, hp) = (h(&cg), h(&cp));
    let mi: f64 = joint.iter().map(|((g, p), &m)| (m / n) * ((m * n) / (cg[g] * cp[p])).ln()).sum();
    if hg + hp == 0.0 {
        return 1.0;
    }
    (2.0 * mi / (hg + hp)).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_and_merged() {
        let gold = ["a", "a", "b", "b"];
        assert_eq!(bcubed(&gold, &["x", "x", "y", "y"]).f1, 1.0);
        let merged = bcubed(&gold, &["x", "x", "x", "x"]);
        assert_eq!((merged.precision, merged.recall), (0.5, 1.0));
        let split = bcubed(&gold, &["1", "2", "3", "4"]);
        assert_eq!((split.precision, split.recall), (1.0, 0.5));
        assert!((nmi(&gold, &["x", "x", "y", "y"]) - 1.0).abs() < 1e-12);
        assert!(nmi(&gold, &["x", "y", "x", "y"]).abs() < 1e-12);
    }

    #[test]
    fn nmi_matches_scikit_learn() {
        // sklearn.metrics.normalized_mutual_info_score([0,0,0,1,1,1],[0,0,1,1,2,2]) = 0.5158037429793889
        let v = nmi(&[0, 0, 0, 1, 1, 1], &[0, 0, 1, 1, 2, 2]);
        assert!((v - 0.5158037429793889).abs() < 1e-9, "{v}");
    }
}
