//! Top sources for a query: the sources of the matching documents with their documents
//! (copies included: a source that republishes a wire story did publish it), copies,
//! distinct stories, share of the matching documents and first/last publication.

use super::matches::{ord_hashes, ord_strings, Selector};
use crate::query::Filters;
use crate::{Result, VigieIndex};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// One source of the matching documents (`vigie sources --json`).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct SourceRow {
    /// the source's name (`null`: documents without one)
    pub source: Option<String>,
    /// matching documents from it, copies included
    pub documents: u64,
    /// of which copies of an earlier document
    pub copies: u64,
    /// distinct stories of those documents
    pub stories: u64,
    /// documents / all matching documents (0 to 1)
    pub share: f64,
    pub first: Option<DateTime<Utc>>,
    pub last: Option<DateTime<Utc>>,
}

#[derive(Default)]
struct Acc {
    documents: u64,
    copies: u64,
    stories: HashSet<u64>,
    first: Option<i64>,
    last: Option<i64>,
}

impl VigieIndex {
    /// The `top` sources of the documents `sel` and `filters` select, by documents, then
    /// name (documents without a source last).
    pub fn sources(&self, sel: &Selector, filters: &Filters, top: usize) -> Result<Vec<SourceRow>> {
        let mut acc: HashMap<Option<String>, Acc> = HashMap::new();
        let mut total = 0u64;
        self.scan(sel, filters, |seg, docs| {
            let ff = seg.fast_fields();
            let (published, dups) = (ff.date("published")?, ff.u64("is_dup")?);
            let (sources, stories) = (ff.str("source_raw")?, ff.str("story_id")?);
            let names = ord_strings(sources.as_ref())?;
            let story_hash = ord_hashes(stories.as_ref())?;
            for &d in docs {
                let name = sources.as_ref().and_then(|c| c.ords().first(d)).and_then(|o| names.get(o as usize).cloned());
                let a = acc.entry(name).or_default();
                total += 1;
                a.documents += 1;
                a.copies += dups.first(d).unwrap_or(0);
                if let Some(h) = stories.as_ref().and_then(|c| c.ords().first(d)).and_then(|o| story_hash.get(o as usize)) {
                    a.stories.insert(*h);
                }
                // first/last are publication dates (an undated document has none)
                if let Some(t) = published.first(d) {
                    let t = t.into_timestamp_secs();
                    a.first = Some(a.first.map_or(t, |f| f.min(t)));
                    a.last = Some(a.last.map_or(t, |l| l.max(t)));
                }
            }
            Ok(())
        })?;
        let mut rows: Vec<SourceRow> = acc
            .into_iter()
            .map(|(source, a)| SourceRow {
                source,
                documents: a.documents,
                copies: a.copies,
                stories: a.stories.len() as u64,
                share: a.documents as f64 / total.max(1) as f64,
                first: a.first.and_then(|t| DateTime::from_timestamp(t, 0)),
                last: a.last.and_then(|t| DateTime::from_timestamp(t, 0)),
            })
            .collect();
        // documents without a source after the named ones of the same count
        rows.sort_by(|a, b| {
            b.documents.cmp(&a.documents).then(a.source.is_none().cmp(&b.source.is_none())).then_with(|| a.source.cmp(&b.source))
        });
        rows.truncate(top);
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{index, Doc};
    use super::*;

    #[test]
    fn sources_count_documents_copies_stories_and_shares() {
        let d = |id, source, published, story, dup_of| Doc { source, story, dup_of, ..Doc::new(id, published) };
        let (_dir, ix) = index(&[
            d("a", Some("Reuters"), "2025-01-20T09:00:00Z", Some("s1"), None),
            d("b", Some("Reuters"), "2025-01-22T09:00:00Z", Some("s2"), None),
            d("c", Some("Wire"), "2025-01-20T10:00:00Z", Some("s1"), Some("a")),
            d("e", Some("Wire"), "2025-01-21T10:00:00Z", Some("s1"), None),
            d("f", None, "2025-01-23T10:00:00Z", None, None),
        ]);
        let rows = ix.sources(&Selector::Query("*".into()), &Filters::default(), 10).unwrap();
        let ts = |s: &str| Some(DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc));
        assert_eq!(
            rows,
            [
                SourceRow {
                    source: Some("Reuters".into()),
                    documents: 2,
                    copies: 0,
                    stories: 2,
                    share: 0.4,
                    first: ts("2025-01-20T09:00:00Z"),
                    last: ts("2025-01-22T09:00:00Z")
                },
                SourceRow {
                    source: Some("Wire".into()),
                    documents: 2,
                    copies: 1,
                    stories: 1,
                    share: 0.4,
                    first: ts("2025-01-20T10:00:00Z"),
                    last: ts("2025-01-21T10:00:00Z")
                },
                SourceRow {
                    source: None,
                    documents: 1,
                    copies: 0,
                    stories: 0,
                    share: 0.2,
                    first: ts("2025-01-23T10:00:00Z"),
                    last: ts("2025-01-23T10:00:00Z")
                },
            ]
        );
        let since = Filters { since: ts("2025-01-21T00:00:00Z"), ..Default::default() };
        let rows = ix.sources(&Selector::Query("*".into()), &since, 1).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].source.as_deref(), rows[0].documents, rows[0].share), (Some("Reuters"), 1, 1.0 / 3.0));
    }
}
