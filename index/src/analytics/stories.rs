//! Stories of a query: the matching documents grouped by story, the largest or the latest
//! first, each with its first original's title (what the dashboard's story panels list).

use super::matches::{ord_hashes, ord_strings, Selector};
use crate::query::Filters;
use crate::{Error, Result, VigieIndex};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// How stories are ranked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum StoryOrder {
    /// most matching documents first (then the latest)
    #[default]
    Size,
    /// latest publication first
    Latest,
}

impl std::str::FromStr for StoryOrder {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "size" => Ok(StoryOrder::Size),
            "latest" => Ok(StoryOrder::Latest),
            _ => Err(format!("{s:?}: use size or latest")),
        }
    }
}

/// One story of the matching documents (`vigie stories --json`).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct StoryRow {
    pub story_id: String,
    /// the title of its first original among the matching documents
    pub title: Option<String>,
    /// matching documents in it, copies included
    pub documents: u64,
    /// of which originals (not copies)
    pub originals: u64,
    /// distinct sources of those documents
    pub sources: u64,
    pub languages: Vec<String>,
    pub first: Option<DateTime<Utc>>,
    pub last: Option<DateTime<Utc>>,
}

#[derive(Default)]
struct Acc {
    /// the story's id: (segment, term ordinal) where it was first seen
    id_at: (usize, u64),
    documents: u64,
    originals: u64,
    sources: BTreeSet<u64>,
    languages: BTreeSet<String>,
    first: Option<i64>,
    last: Option<i64>,
    /// the earliest original seen: (published, segment, title term ordinal)
    lead: Option<(i64, usize, Option<u64>)>,
}

fn column_text(col: &tantivy::columnar::StrColumn, ord: u64) -> Result<String> {
    let mut s = String::new();
    col.ord_to_str(ord, &mut s).map_err(|e| Error::Corrupt(e.to_string()))?;
    Ok(s)
}

impl VigieIndex {
    /// The `top` stories of the documents `sel` and `filters` select (documents without a
    /// story left out), ranked by `order`. Counting reads term ordinals only; the ids and
    /// titles of the `top` rows alone are looked up in the dictionaries.
    pub fn story_table(&self, sel: &Selector, filters: &Filters, order: StoryOrder, top: usize) -> Result<Vec<StoryRow>> {
        let mut acc: HashMap<u64, Acc> = HashMap::new();
        // per segment seen: its story and title columns, for the lookups at the end
        let mut columns: Vec<(tantivy::columnar::StrColumn, Option<tantivy::columnar::StrColumn>)> = Vec::new();
        self.scan(sel, filters, |seg, docs| {
            let ff = seg.fast_fields();
            let (published, dups) = (ff.date("published")?, ff.u64("is_dup")?);
            let (stories, sources, langs, titles) = (ff.str("story_id")?, ff.str("source_raw")?, ff.str("lang")?, ff.str("title_raw")?);
            let Some(stories) = stories else { return Ok(()) };
            let story_hash = ord_hashes(Some(&stories))?;
            let source_hash = ord_hashes(sources.as_ref())?;
            let lang_names = ord_strings(langs.as_ref())?;
            let here = columns.len();
            for &d in docs {
                let Some(ord) = stories.ords().first(d) else { continue };
                let a = acc.entry(story_hash[ord as usize]).or_default();
                if a.documents == 0 {
                    a.id_at = (here, ord);
                }
                a.documents += 1;
                let original = dups.first(d).unwrap_or(0) == 0;
                a.originals += u64::from(original);
                if let Some(o) = sources.as_ref().and_then(|c| c.ords().first(d)) {
                    a.sources.insert(source_hash[o as usize]);
                }
                if let Some(o) = langs.as_ref().and_then(|c| c.ords().first(d)) {
                    a.languages.insert(lang_names[o as usize].clone());
                }
                let t = published.first(d).map(|t| t.into_timestamp_secs());
                if let Some(t) = t {
                    a.first = Some(a.first.map_or(t, |f| f.min(t)));
                    a.last = Some(a.last.map_or(t, |l| l.max(t)));
                }
                // the lead: the earliest original (an undated one only when nothing else)
                let when = t.unwrap_or(i64::MAX);
                if original && a.lead.is_none_or(|(w, _, _)| when < w) {
                    a.lead = Some((when, here, titles.as_ref().and_then(|c| c.ords().first(d))));
                }
            }
            columns.push((stories, titles));
            Ok(())
        })?;
        let mut ranked: Vec<(u64, Acc)> = acc.into_iter().collect();
        // the story hash breaks ties: a stable order without reading every id
        match order {
            StoryOrder::Size => ranked.sort_by(|(h, a), (g, b)| b.documents.cmp(&a.documents).then(b.last.cmp(&a.last)).then(h.cmp(g))),
            StoryOrder::Latest => ranked.sort_by(|(h, a), (g, b)| b.last.cmp(&a.last).then(b.documents.cmp(&a.documents)).then(h.cmp(g))),
        }
        ranked.truncate(top);
        let ts = |t: Option<i64>| t.and_then(|t| DateTime::from_timestamp(t, 0));
        ranked
            .into_iter()
            .map(|(_, a)| {
                let title = match a.lead {
                    Some((_, seg, Some(ord))) => columns[seg].1.as_ref().map(|c| column_text(c, ord)).transpose()?,
                    _ => None,
                };
                Ok(StoryRow {
                    story_id: column_text(&columns[a.id_at.0].0, a.id_at.1)?,
                    title,
                    documents: a.documents,
                    originals: a.originals,
                    sources: a.sources.len() as u64,
                    languages: a.languages.into_iter().collect(),
                    first: ts(a.first),
                    last: ts(a.last),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{index, Doc};
    use super::*;

    #[test]
    fn stories_group_the_matching_documents_largest_or_latest_first() {
        let d = |id, lang, source, published, story, dup_of, title| Doc { lang, source, story, dup_of, title, ..Doc::new(id, published) };
        let (_dir, ix) = index(&[
            d("a", "en", Some("Reuters"), "2025-01-20T09:00:00Z", Some("s1"), None, "Nvidia ships H200"),
            d("b", "fr", Some("Le Monde"), "2025-01-20T08:00:00Z", Some("s1"), None, "Nvidia livre ses H200"),
            d("c", "en", Some("Wire"), "2025-01-21T10:00:00Z", Some("s1"), Some("a"), "Nvidia ships H200"),
            d("e", "en", Some("Reuters"), "2025-01-25T10:00:00Z", Some("s2"), None, "Airbus raises targets"),
            d("f", "en", None, "2025-01-26T10:00:00Z", None, None, "no story"),
        ]);
        let rows = ix.story_table(&Selector::Query("*".into()), &Filters::default(), StoryOrder::Size, 10).unwrap();
        let ts = |s: &str| Some(DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc));
        assert_eq!(
            rows[0],
            StoryRow {
                story_id: "s1".into(),
                title: Some("Nvidia livre ses H200".into()),
                documents: 3,
                originals: 2,
                sources: 3,
                languages: vec!["en".into(), "fr".into()],
                first: ts("2025-01-20T08:00:00Z"),
                last: ts("2025-01-21T10:00:00Z"),
            }
        );
        assert_eq!(rows.len(), 2, "a document without a story is in none");
        let latest = ix.story_table(&Selector::Query("*".into()), &Filters::default(), StoryOrder::Latest, 1).unwrap();
        assert_eq!((latest.len(), latest[0].story_id.as_str(), latest[0].title.as_deref()), (1, "s2", Some("Airbus raises targets")));
        // a query narrows the documents counted
        let airbus = ix.story_table(&Selector::Query("airbus".into()), &Filters::default(), StoryOrder::Size, 10).unwrap();
        assert_eq!(airbus.iter().map(|r| (r.story_id.as_str(), r.documents)).collect::<Vec<_>>(), [("s2", 1)]);
    }
}
