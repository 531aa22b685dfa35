//! Trends: entities whose document count in a recent window is unusual against their
//! rate in the baseline period just before it.
//!
//! Scoring: with `w` documents in the window and `b` in a baseline `k` times as long, the
//! expected count is `λ = (b + 0.5) / k` (the 0.5 keeps new entities finite); the score
//! is the Poisson surprise `-log10 P(X ≥ w | λ)`, so 3 means "one chance in a thousand at
//! the usual rate". Only entities with `w ≥ min_count` are ranked; `new` marks entities
//! first seen inside the window.

use super::matches::Selector;
use crate::query::Filters;
use crate::{Result, VigieIndex};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use std::collections::HashMap;
use vigie_schemas::EntityType;

#[derive(Debug, Clone)]
pub struct TrendRequest {
    /// end of the window (exclusive)
    pub at: DateTime<Utc>,
    pub window: Duration,
    pub baseline: Duration,
    pub kind: Option<EntityType>,
    pub filters: Filters,
    pub top: usize,
    pub min_count: u64,
}

/// An entity's trend row (`vigie trends --json`).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct TrendRow {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: EntityType,
    /// documents in the window
    pub window_count: u64,
    /// documents in the baseline period
    pub baseline_count: u64,
    /// expected documents per window at the baseline rate (smoothed)
    pub baseline_rate: f64,
    /// window count / baseline rate
    pub ratio: f64,
    /// -log10 of the Poisson probability of at least the window count at the baseline rate
    pub score: f64,
    pub new: bool,
    pub first_seen: Option<DateTime<Utc>>,
}

impl TrendRequest {
    /// How many windows the baseline period holds (`k`).
    pub fn baseline_windows(&self) -> f64 {
        self.baseline.num_seconds() as f64 / self.window.num_seconds().max(1) as f64
    }
}

/// The smoothed expected count `λ = (b + 0.5) / k` and the score `-log10 P(X ≥ w | λ)` of
/// `w` documents in the window against `b` in a baseline `k` windows long.
pub fn trend_score(w: u64, b: u64, k: f64) -> (f64, f64) {
    let lambda = (b as f64 + 0.5) / k.max(1e-9);
    (lambda, poisson_surprise(w, lambda))
}

/// `-log10 P(X >= k)` for X ~ Poisson(λ), computed in log space.
pub fn poisson_surprise(k: u64, lambda: f64) -> f64 {
    if k == 0 {
        return 0.0;
    }
    // P(X >= k) = 1 - sum_{i<k} p(i); for large k sum the upper tail instead
    let ln_p = |i: u64| -> f64 { -lambda + i as f64 * lambda.ln() - ln_factorial(i) };
    let tail: f64 = if (k as f64) > lambda {
        // upper tail terms decrease quickly past the mode
        let mut s = 0.0;
        let mut i = k;
        loop {
            let t = ln_p(i).exp();
            s += t;
            if t < s * 1e-12 || i > k + 1000 {
                break;
            }
            i += 1;
        }
        s
    } else {
        1.0 - (0..k).map(|i| ln_p(i).exp()).sum::<f64>()
    };
    if tail <= 0.0 {
        // beyond f64: use the first term's log
        return -ln_p(k) / std::f64::consts::LN_10;
    }
    (-tail.log10()).max(0.0)
}

fn ln_factorial(n: u64) -> f64 {
    (1..=n).map(|i| (i as f64).ln()).sum()
}

impl VigieIndex {
    pub fn trends(&self, req: &TrendRequest) -> Result<Vec<TrendRow>> {
        let start = req.at - req.window;
        let base_start = start - req.baseline;
        let counts = |since: DateTime<Utc>, until: DateTime<Utc>| -> Result<HashMap<String, u64>> {
            let mut f = req.filters.clone();
            f.since = Some(since);
            f.until = Some(until);
            Ok(self.entity_counts(req.kind, &f, 65_000)?.into_iter().collect())
        };
        let window = counts(start, req.at)?;
        let baseline = counts(base_start, start)?;
        let k = req.baseline_windows();
        let mut scored: Vec<(String, u64, u64, f64, f64)> = window
            .into_iter()
            .filter(|(_, w)| *w >= req.min_count)
            .map(|(id, w)| {
                let b = baseline.get(&id).copied().unwrap_or(0);
                let (lambda, score) = trend_score(w, b, k);
                (id, w, b, lambda, score)
            })
            .collect();
        scored.sort_by(|a, b| b.4.total_cmp(&a.4).then(b.1.cmp(&a.1)).then(a.0.cmp(&b.0)));
        scored.truncate(req.top);
        let searcher = self.reader.searcher();
        let mut out = Vec::new();
        for (id, w, b, lambda, score) in scored {
            let (name, kind) = self.entity_name_in(&searcher, &id)?.unwrap_or_else(|| (id.clone(), EntityType::Other));
            let mut f = req.filters.clone();
            f.originals_only = true;
            f.since = None;
            f.until = None;
            // only the dates are needed: no story ids materialized
            let first = self.match_keys(&Selector::Entity(id.clone()), &f, false, false)?.iter().map(|(r, _)| r.when).min();
            let first_seen = first.and_then(|t| DateTime::from_timestamp(t, 0));
            out.push(TrendRow {
                id,
                name,
                kind,
                window_count: w,
                baseline_count: b,
                baseline_rate: lambda,
                ratio: w as f64 / lambda,
                score,
                new: b == 0 && first_seen.is_some_and(|t| t >= start),
                first_seen,
            });
        }
        Ok(out)
    }

    /// The latest publication time in the index (the default end of a trend window).
    pub fn latest_published(&self) -> Result<Option<DateTime<Utc>>> {
        let searcher = self.reader.searcher();
        let mut best: Option<i64> = None;
        for seg in searcher.segment_readers() {
            let col = seg.fast_fields().date("published")?;
            if seg.num_docs() == 0 || col.num_docs() == 0 {
                continue;
            }
            let m = col.max_value().into_timestamp_secs();
            best = Some(best.map_or(m, |b| b.max(m)));
        }
        Ok(best.and_then(|t| DateTime::from_timestamp(t, 0)))
    }
}

#[cfg(test)]
mod tests {
    use super::poisson_surprise;

    #[test]
    fn surprise_grows_with_the_excess() {
        // P(X >= 1 | 1) = 1 - e^-1 = 0.632 -> 0.199
        assert!((poisson_surprise(1, 1.0) - 0.1992).abs() < 1e-3);
        assert!(poisson_surprise(10, 1.0) > poisson_surprise(5, 1.0));
        assert!(poisson_surprise(3, 10.0) < 0.01);
        assert!(poisson_surprise(500, 0.1).is_finite());
    }
}
