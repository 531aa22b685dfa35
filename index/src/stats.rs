//! Corpus statistics for `vigie stats`.

use crate::{Error, Result, VigieIndex};
use chrono::{DateTime, TimeZone, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

/// Corpus statistics (`vigie stats --json`).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Stats {
    pub documents: u64,
    pub duplicates: u64,
    pub by_lang: BTreeMap<String, u64>,
    pub sources: BTreeMap<String, u64>,
    pub first: Option<DateTime<Utc>>,
    pub last: Option<DateTime<Utc>>,
}

/// Document count of every term of an untokenized field (documents are never deleted,
/// so term document frequencies are exact).
fn term_counts(searcher: &Searcher, field: Field) -> Result<BTreeMap<String, u64>> {
    let mut out = BTreeMap::new();
    for seg in searcher.segment_readers() {
        let inv = seg.inverted_index(field)?;
        let mut stream = inv.terms().stream().map_err(|e| Error::Corrupt(e.to_string()))?;
        while stream.advance() {
            let k = String::from_utf8_lossy(stream.key()).into_owned();
            *out.entry(k).or_insert(0) += u64::from(stream.value().doc_freq);
        }
    }
    Ok(out)
}

impl VigieIndex {
    pub fn stats(&self) -> Result<Stats> {
        let searcher = self.reader.searcher();
        let duplicates = searcher.doc_freq(&Term::from_field_u64(self.fields.is_dup, 1))?;
        let (mut first, mut last) = (None::<i64>, None::<i64>);
        for seg in searcher.segment_readers() {
            let col = seg.fast_fields().date("published")?;
            if col.num_docs() == 0 || col.values.num_vals() == 0 {
                continue;
            }
            let (lo, hi) = (col.min_value().into_timestamp_secs(), col.max_value().into_timestamp_secs());
            first = Some(first.map_or(lo, |f| f.min(lo)));
            last = Some(last.map_or(hi, |l| l.max(hi)));
        }
        let ts = |s: Option<i64>| s.and_then(|s| Utc.timestamp_opt(s, 0).single());
        Ok(Stats {
            documents: searcher.num_docs(),
            duplicates,
            by_lang: term_counts(&searcher, self.fields.lang)?,
            sources: term_counts(&searcher, self.fields.source_raw)?,
            first: ts(first),
            last: ts(last),
        })
    }
}
