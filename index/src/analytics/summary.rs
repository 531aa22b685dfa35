//! The summary of a query over a period: documents, stories, copies and the copy rate,
//! each with its value in the previous period of equal length and the relative change
//! (the dashboard's tiles; `vigie summary`).

use super::matches::{ord_hashes, Selector};
use crate::query::Filters;
use crate::{Result, VigieIndex};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashSet;

/// What a query selects in one period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PeriodCounts {
    /// documents, copies included
    pub documents: u64,
    /// of which copies of an earlier document
    pub duplicates: u64,
    /// distinct stories
    pub stories: u64,
}

impl PeriodCounts {
    /// duplicates / documents (0 without documents)
    pub fn copy_rate(&self) -> f64 {
        if self.documents == 0 {
            0.0
        } else {
            self.duplicates as f64 / self.documents as f64
        }
    }
}

/// A count and its value in the previous period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct CountChange {
    pub value: u64,
    /// in the previous period of equal length (`null`: no period to compare with)
    pub previous: Option<u64>,
    /// (value - previous) / previous (`null` without a previous period or when it is 0)
    pub change: Option<f64>,
}

/// A rate (0 to 1) and its value in the previous period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct RateChange {
    pub value: f64,
    pub previous: Option<f64>,
    /// (value - previous) / previous (`null` without a previous period or when it is 0)
    pub change: Option<f64>,
}

/// A period: since (inclusive) to until (exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Period {
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

/// `vigie summary --json`, `/api/summary`.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Summary {
    /// the entity id or query
    pub query: String,
    /// the period counted (`null`: all of the index)
    pub period: Option<Period>,
    /// the period of equal length just before it (`null` without a bounded period)
    pub previous: Option<Period>,
    pub documents: CountChange,
    pub stories: CountChange,
    pub duplicates: CountChange,
    /// duplicates / documents
    pub copy_rate: RateChange,
}

fn relative(value: f64, previous: Option<f64>) -> Option<f64> {
    previous.filter(|p| *p > 0.0).map(|p| (value - p) / p)
}

fn count(value: u64, previous: Option<u64>) -> CountChange {
    CountChange { value, previous, change: relative(value as f64, previous.map(|p| p as f64)) }
}

impl VigieIndex {
    /// Documents, copies and distinct stories that `sel` and `filters` select.
    pub fn period_counts(&self, sel: &Selector, filters: &Filters) -> Result<PeriodCounts> {
        let mut c = PeriodCounts::default();
        let mut stories = HashSet::new();
        self.scan(sel, filters, |seg, docs| {
            let ff = seg.fast_fields();
            let dups = ff.u64("is_dup")?;
            let col = ff.str("story_id")?;
            let hashes = ord_hashes(col.as_ref())?;
            for &d in docs {
                c.documents += 1;
                c.duplicates += dups.first(d).unwrap_or(0);
                if let Some(h) = col.as_ref().and_then(|s| s.ords().first(d)).and_then(|o| hashes.get(o as usize)) {
                    stories.insert(*h);
                }
            }
            Ok(())
        })?;
        c.stories = stories.len() as u64;
        Ok(c)
    }

    /// The summary of `sel` within `filters`; when the filters bound both ends of the
    /// period, each count also in the period of equal length just before.
    pub fn summary(&self, sel: &Selector, filters: &Filters) -> Result<Summary> {
        let now = self.period_counts(sel, filters)?;
        let period = filters.since.zip(filters.until).map(|(since, until)| Period { since, until });
        let previous = period.filter(|p| p.until > p.since).map(|p| Period { since: p.since - (p.until - p.since), until: p.since });
        let before = match previous {
            Some(p) => Some(self.period_counts(sel, &Filters { since: Some(p.since), until: Some(p.until), ..filters.clone() })?),
            None => None,
        };
        Ok(Summary {
            query: sel.label().to_string(),
            period,
            previous,
            documents: count(now.documents, before.map(|b| b.documents)),
            stories: count(now.stories, before.map(|b| b.stories)),
            duplicates: count(now.duplicates, before.map(|b| b.duplicates)),
            copy_rate: RateChange {
                value: now.copy_rate(),
                previous: before.map(|b| b.copy_rate()),
                change: relative(now.copy_rate(), before.map(|b| b.copy_rate())),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{index, Doc};
    use super::*;

    fn ts(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn counts_compare_with_the_previous_period_of_equal_length() {
        let d = |id, published, story, dup_of| Doc { story, dup_of, ..Doc::new(id, published) };
        let (_dir, ix) = index(&[
            // previous week: 2 documents, 2 stories, no copy
            d("p1", "2025-01-13T09:00:00Z", Some("s0"), None),
            d("p2", "2025-01-15T09:00:00Z", Some("s1"), None),
            // this week: 4 documents, 2 stories, 1 copy
            d("a", "2025-01-20T09:00:00Z", Some("s1"), None),
            d("b", "2025-01-20T10:00:00Z", Some("s1"), Some("a")),
            d("c", "2025-01-22T09:00:00Z", Some("s2"), None),
            d("e", "2025-01-26T23:59:59Z", None, None),
            // after
            d("z", "2025-01-27T00:00:00Z", Some("s3"), None),
        ]);
        let f = Filters { since: Some(ts("2025-01-20T00:00:00Z")), until: Some(ts("2025-01-27T00:00:00Z")), ..Default::default() };
        let s = ix.summary(&Selector::Query("*".into()), &f).unwrap();
        assert_eq!(s.previous, Some(Period { since: ts("2025-01-13T00:00:00Z"), until: ts("2025-01-20T00:00:00Z") }));
        assert_eq!(s.documents, CountChange { value: 4, previous: Some(2), change: Some(1.0) });
        assert_eq!(s.stories, CountChange { value: 2, previous: Some(2), change: Some(0.0) });
        assert_eq!(s.duplicates, CountChange { value: 1, previous: Some(0), change: None });
        assert_eq!(s.copy_rate, RateChange { value: 0.25, previous: Some(0.0), change: None });
        // no bounded period: no comparison
        let all = ix.summary(&Selector::Query("*".into()), &Filters::default()).unwrap();
        assert_eq!((all.period, all.previous), (None, None));
        assert_eq!(all.documents, CountChange { value: 7, previous: None, change: None });
        assert_eq!(all.stories.value, 4);
    }
}
