//! Timelines: documents and distinct stories per calendar bucket (day, ISO week, month)
//! in a time zone, one series per entity id or query, empty buckets included, copies
//! counted once (only originals are counted). Normalized, each bucket also counts all
//! the documents and stories of the filters, so that a series reads as its share of
//! attention (Media Cloud, GDELT).

use super::matches::Selector;
use crate::query::Filters;
use crate::{Error, Result, VigieIndex};
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use std::collections::{BTreeMap, HashMap, HashSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    Day,
    Week,
    Month,
}

impl std::str::FromStr for Bucket {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "day" => Ok(Bucket::Day),
            "week" => Ok(Bucket::Week),
            "month" => Ok(Bucket::Month),
            _ => Err(format!("{s:?}: expected day, week or month")),
        }
    }
}

impl Bucket {
    /// The first day of the bucket holding `d`.
    pub fn start(self, d: NaiveDate) -> NaiveDate {
        match self {
            Bucket::Day => d,
            Bucket::Week => d - Duration::days(d.weekday().num_days_from_monday() as i64),
            Bucket::Month => d.with_day(1).expect("day 1 exists"),
        }
    }

    /// The first day of the next bucket.
    pub fn next(self, start: NaiveDate) -> NaiveDate {
        match self {
            Bucket::Day => start + Duration::days(1),
            Bucket::Week => start + Duration::days(7),
            Bucket::Month => {
                let (y, m) = if start.month() == 12 { (start.year() + 1, 1) } else { (start.year(), start.month() + 1) };
                NaiveDate::from_ymd_opt(y, m, 1).expect("first of a month exists")
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct TimelineRequest {
    pub series: Vec<Selector>,
    pub by: Bucket,
    pub tz: Tz,
    pub filters: Filters,
    /// also count every document and story of the filters per bucket
    /// ([`Timeline::totals`])
    pub normalize: bool,
}

/// Counts of one series in one bucket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub documents: u64,
    pub stories: u64,
}

#[derive(Debug, Clone)]
pub struct Timeline {
    pub series: Vec<String>,
    /// (first day of the bucket, counts per series)
    pub rows: Vec<(NaiveDate, Vec<Counts>)>,
    /// when normalized: every document and story of the filters, per row
    pub totals: Option<Vec<Counts>>,
}

impl Counts {
    /// This count's share of `total`: (stories, documents), 0 to 1 (0 for an empty total).
    pub fn share_of(&self, total: &Counts) -> (f64, f64) {
        let share = |n: u64, of: u64| if of == 0 { 0.0 } else { n as f64 / of as f64 };
        (share(self.stories, total.stories), share(self.documents, total.documents))
    }
}

fn local_date(t: i64, tz: Tz) -> NaiveDate {
    DateTime::<Utc>::from_timestamp(t, 0).unwrap_or_default().with_timezone(&tz).date_naive()
}

/// The UTC instant a local date starts at in `tz` (the earliest, across DST gaps).
pub fn local_midnight(d: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let naive = d.and_hms_opt(0, 0, 0).expect("midnight exists");
    match tz.from_local_datetime(&naive) {
        chrono::LocalResult::Single(x) | chrono::LocalResult::Ambiguous(x, _) => x.with_timezone(&Utc),
        chrono::LocalResult::None => tz
            .from_local_datetime(&(naive + Duration::hours(1)))
            .earliest()
            .map_or_else(|| Utc.from_utc_datetime(&naive), |x| x.with_timezone(&Utc)),
    }
}

/// Most buckets a timeline may have (a daily timeline over 100 years).
const MAX_BUCKETS: usize = 40_000;

impl VigieIndex {
    pub fn timeline(&self, req: &TimelineRequest) -> Result<Timeline> {
        let mut f = req.filters.clone();
        f.originals_only = true;
        let mut per_series: Vec<BTreeMap<NaiveDate, (u64, HashSet<u64>)>> = Vec::new();
        let all = Selector::Query("*".into());
        // the totals are counted last, as one more series
        let selectors: Vec<&Selector> = req.series.iter().chain(req.normalize.then_some(&all)).collect();
        for s in selectors {
            let mut m: BTreeMap<NaiveDate, (u64, HashSet<u64>)> = BTreeMap::new();
            // time zone conversion once per quarter hour (zone offsets are multiples of it)
            let mut day_bucket: HashMap<i64, NaiveDate> = HashMap::new();
            for (r, story) in self.match_keys(s, &f, false, false)? {
                let day = r.when.div_euclid(900);
                let b = *day_bucket.entry(day).or_insert_with(|| req.by.start(local_date(r.when, req.tz)));
                let e = m.entry(b).or_default();
                e.0 += 1;
                if story != 0 {
                    e.1.insert(story);
                }
            }
            per_series.push(m);
        }
        let totals = if req.normalize { per_series.pop() } else { None };
        let first = req
            .filters
            .since
            .map(|d| req.by.start(d.with_timezone(&req.tz).date_naive()))
            .or_else(|| per_series.iter().filter_map(|m| m.keys().next().copied()).min());
        let last = req
            .filters
            .until
            // until is exclusive
            .map(|d| req.by.start((d - Duration::seconds(1)).with_timezone(&req.tz).date_naive()))
            .or_else(|| per_series.iter().filter_map(|m| m.keys().next_back().copied()).max());
        let counts_at = |m: &BTreeMap<NaiveDate, (u64, HashSet<u64>)>, b: NaiveDate| {
            m.get(&b).map_or_else(Counts::default, |(d, s)| Counts { documents: *d, stories: s.len() as u64 })
        };
        let mut rows = Vec::new();
        if let (Some(first), Some(last)) = (first, last) {
            let mut b = first;
            while b <= last {
                if rows.len() >= MAX_BUCKETS {
                    return Err(Error::Query(format!("more than {MAX_BUCKETS} buckets: use a coarser --by or a shorter range")));
                }
                let counts = per_series.iter().map(|m| counts_at(m, b)).collect();
                rows.push((b, counts));
                b = req.by.next(b);
            }
        }
        let totals = totals.map(|m| rows.iter().map(|(b, _)| counts_at(&m, *b)).collect());
        Ok(Timeline { series: req.series.iter().map(|s| s.label().to_string()).collect(), rows, totals })
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{index, Doc};
    use super::*;

    #[test]
    fn normalized_buckets_count_every_story_of_the_filters() {
        let d = |id, title, published, story| Doc { title, story, ..Doc::new(id, published) };
        let (_dir, ix) = index(&[
            d("a", "Nvidia chips", "2025-01-20T09:00:00Z", Some("s1")),
            d("b", "Nvidia chips again", "2025-01-21T09:00:00Z", Some("s1")),
            d("c", "Airbus jets", "2025-01-21T10:00:00Z", Some("s2")),
            d("e", "Boeing jets", "2025-01-22T10:00:00Z", Some("s3")),
            d("f", "Nvidia and Airbus", "2025-01-28T10:00:00Z", Some("s4")),
            d("g", "Rain", "2025-01-29T10:00:00Z", Some("s5")),
            d("h", "Snow", "2025-01-29T11:00:00Z", Some("s6")),
            d("i", "Sun", "2025-01-30T11:00:00Z", Some("s7")),
        ]);
        let req = TimelineRequest {
            series: vec![Selector::Query("nvidia".into()), Selector::Query("jets".into())],
            by: Bucket::Week,
            tz: chrono_tz::UTC,
            filters: Filters::default(),
            normalize: true,
        };
        let t = ix.timeline(&req).unwrap();
        let weeks: Vec<String> = t.rows.iter().map(|(b, _)| b.to_string()).collect();
        assert_eq!(weeks, ["2025-01-20", "2025-01-27"]);
        let totals = t.totals.clone().unwrap();
        assert_eq!(totals, [Counts { documents: 4, stories: 3 }, Counts { documents: 4, stories: 4 }]);
        // week 1: nvidia 1 story of 3 (2 documents of 4), jets 2 of 3; week 2: nvidia 1 of 4
        assert_eq!(t.rows[0].1[0].share_of(&totals[0]), (1.0 / 3.0, 0.5));
        assert_eq!(t.rows[0].1[1].share_of(&totals[0]), (2.0 / 3.0, 0.5));
        assert_eq!(t.rows[1].1[0].share_of(&totals[1]), (0.25, 0.25));
        assert_eq!(t.rows[1].1[1].share_of(&totals[1]), (0.0, 0.0));
        assert_eq!(Counts::default().share_of(&Counts::default()), (0.0, 0.0));
        // not normalized: no totals, the same rows
        let plain = ix.timeline(&TimelineRequest { normalize: false, ..req }).unwrap();
        assert_eq!((plain.totals, plain.rows), (None, t.rows));
    }

    #[test]
    fn buckets_are_iso_weeks_and_real_months() {
        let d = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(); // a Wednesday
        assert_eq!(Bucket::Week.start(d), NaiveDate::from_ymd_opt(2024, 12, 30).unwrap());
        assert_eq!(Bucket::Month.start(d), d);
        assert_eq!(Bucket::Month.next(NaiveDate::from_ymd_opt(2024, 12, 1).unwrap()), d);
        assert_eq!(Bucket::Month.next(NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()), NaiveDate::from_ymd_opt(2025, 2, 1).unwrap());
        // 23:30 UTC on 31 January is already February in Paris
        let t = Utc.with_ymd_and_hms(2025, 1, 31, 23, 30, 0).unwrap().timestamp();
        assert_eq!(Bucket::Month.start(local_date(t, chrono_tz::Europe::Paris)), NaiveDate::from_ymd_opt(2025, 2, 1).unwrap());
        assert_eq!(Bucket::Month.start(local_date(t, chrono_tz::UTC)), d);
    }
}
