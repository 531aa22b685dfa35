//! polars DataFrames: the analytical API of the index. Every frame is built from fast
//! fields and aggregations (no stored document is read) and exports as Parquet, CSV,
//! NDJSON or Arrow IPC.

use crate::analytics::{Selector, Timeline, TrendRow};
use crate::fast::{all_str, first_str, split_mentions};
use crate::query::Filters;
use crate::{Error, Result, VigieIndex};
use chrono::{DateTime, NaiveDateTime};
use polars::prelude::*;
use std::collections::BTreeMap;
use tantivy::collector::DocSetCollector;

/// The export file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameFormat {
    Parquet,
    Csv,
    Ndjson,
    Ipc,
}

impl std::str::FromStr for FrameFormat {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "parquet" => Ok(FrameFormat::Parquet),
            "csv" => Ok(FrameFormat::Csv),
            "ndjson" | "jsonl" => Ok(FrameFormat::Ndjson),
            "ipc" | "arrow" | "feather" => Ok(FrameFormat::Ipc),
            _ => Err(format!("{s:?}: expected parquet, csv, ndjson or ipc")),
        }
    }
}

fn naive(t: Option<i64>) -> Option<NaiveDateTime> {
    t.and_then(|t| DateTime::from_timestamp(t, 0)).map(|d| d.naive_utc())
}

/// CSV has no list type: list columns become `|`-joined strings.
fn flatten_lists(df: &DataFrame) -> Result<DataFrame> {
    let mut cols = Vec::new();
    for c in df.columns() {
        if let DataType::List(_) = c.dtype() {
            let series = c.as_materialized_series();
            let mut joined: Vec<Option<String>> = Vec::with_capacity(series.len());
            for i in 0..series.len() {
                joined.push(match series.get(i)? {
                    AnyValue::List(inner) => Some(inner.str()?.iter().flatten().collect::<Vec<_>>().join("|")),
                    _ => None,
                });
            }
            cols.push(Column::new(c.name().clone(), joined));
        } else {
            cols.push(c.clone());
        }
    }
    Ok(DataFrame::new_infer_height(cols)?)
}

/// Writes `df` to `path` in `format`.
pub fn write_frame(df: &mut DataFrame, path: &std::path::Path, format: FrameFormat) -> Result<()> {
    let io = |e: std::io::Error| Error::Io { path: path.display().to_string(), source: e };
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).map_err(io)?);
    write_frame_to(df, &mut f, format)?;
    std::io::Write::flush(&mut f).map_err(io)?;
    Ok(())
}

/// Writes `df` in `format` to any writer (a download answered from memory).
pub fn write_frame_to(df: &mut DataFrame, out: &mut impl std::io::Write, format: FrameFormat) -> Result<()> {
    match format {
        FrameFormat::Parquet => {
            ParquetWriter::new(out).finish(df)?;
        }
        FrameFormat::Csv => CsvWriter::new(out).finish(&mut flatten_lists(df)?)?,
        FrameFormat::Ndjson => JsonWriter::new(out).with_json_format(JsonFormat::JsonLines).finish(df)?,
        FrameFormat::Ipc => IpcWriter::new(out).finish(df)?,
    }
    Ok(())
}

/// Reads a frame written by [`write_frame`] back (tests, round trips).
pub fn read_frame(path: &std::path::Path, format: FrameFormat) -> Result<DataFrame> {
    let io = |e: std::io::Error| Error::Io { path: path.display().to_string(), source: e };
    let f = std::fs::File::open(path).map_err(io)?;
    Ok(match format {
        FrameFormat::Parquet => ParquetReader::new(f).finish()?,
        FrameFormat::Csv => CsvReader::new(f).finish()?,
        FrameFormat::Ndjson => JsonReader::new(f).with_json_format(JsonFormat::JsonLines).finish()?,
        FrameFormat::Ipc => IpcReader::new(f).finish()?,
    })
}

struct DocCols {
    id: Vec<String>,
    title: Vec<Option<String>>,
    url: Vec<Option<String>>,
    source: Vec<Option<String>>,
    lang: Vec<Option<String>>,
    published: Vec<Option<NaiveDateTime>>,
    dup_of: Vec<Option<String>>,
    story_id: Vec<Option<String>>,
    entities: Vec<Vec<(String, u32)>>,
}

impl VigieIndex {
    /// Fast-field columns of the documents `filters` select, in ingest order.
    fn doc_columns(&self, filters: &Filters) -> Result<DocCols> {
        let q = self.selector_query(&Selector::Query("*".into()), filters)?;
        let searcher = self.reader.searcher();
        let mut hits: Vec<tantivy::DocAddress> = searcher.search(&*q, &DocSetCollector)?.into_iter().collect();
        hits.sort();
        let mut rows: Vec<(u64, DocRow)> = Vec::with_capacity(hits.len());
        let mut buf = String::new();
        let mut seg_cache: Option<(u32, SegCols)> = None;
        for a in hits {
            if seg_cache.as_ref().is_none_or(|(s, _)| *s != a.segment_ord) {
                let ff = searcher.segment_reader(a.segment_ord).fast_fields();
                seg_cache = Some((
                    a.segment_ord,
                    SegCols {
                        id: ff.str("id")?,
                        title: ff.str("title_raw")?,
                        url: ff.str("url")?,
                        source: ff.str("source_raw")?,
                        lang: ff.str("lang")?,
                        dup_of: ff.str("dup_of")?,
                        story: ff.str("story_id")?,
                        entm: ff.str("entm")?,
                        published: ff.date("published")?,
                        seq: ff.u64("seq")?,
                    },
                ));
            }
            let c = &seg_cache.as_ref().expect("set above").1;
            let d = a.doc_id;
            let mut one = |col: &Option<tantivy::columnar::StrColumn>| first_str(col.as_ref(), d, &mut buf);
            let row = DocRow {
                id: one(&c.id)?.unwrap_or_default(),
                title: one(&c.title)?,
                url: one(&c.url)?,
                source: one(&c.source)?,
                lang: one(&c.lang)?,
                dup_of: one(&c.dup_of)?,
                story: one(&c.story)?,
                published: c.published.first(d).map(|t| t.into_timestamp_secs()),
                entities: all_str(c.entm.as_ref(), d, &mut String::new())?.iter().map(|v| split_mentions(v)).collect(),
            };
            rows.push((c.seq.first(d).unwrap_or(0), row));
        }
        rows.sort_by_key(|(s, _)| *s);
        let mut out = DocCols {
            id: Vec::new(),
            title: Vec::new(),
            url: Vec::new(),
            source: Vec::new(),
            lang: Vec::new(),
            published: Vec::new(),
            dup_of: Vec::new(),
            story_id: Vec::new(),
            entities: Vec::new(),
        };
        for (_, r) in rows {
            out.id.push(r.id);
            out.title.push(r.title);
            out.url.push(r.url);
            out.source.push(r.source);
            out.lang.push(r.lang);
            out.published.push(naive(r.published));
            out.dup_of.push(r.dup_of);
            out.story_id.push(r.story);
            out.entities.push(r.entities);
        }
        Ok(out)
    }

    /// One row per document: id, title, url, source, published, lang, dup_of, story_id,
    /// topic_id (from `topics`, story id -> topic id) and entity ids (a list).
    pub fn documents_frame(&self, filters: &Filters, topics: &BTreeMap<String, String>) -> Result<DataFrame> {
        let c = self.doc_columns(filters)?;
        let topic: Vec<Option<String>> = c.story_id.iter().map(|s| s.as_ref().and_then(|s| topics.get(s).cloned())).collect();
        let ents: Vec<Series> =
            c.entities.iter().map(|v| Series::new("".into(), v.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>())).collect();
        let mut entity_ids = Series::new("entity_ids".into(), ents);
        if c.id.is_empty() {
            entity_ids = Series::new_empty("entity_ids".into(), &DataType::List(Box::new(DataType::String)));
        }
        Ok(DataFrame::new_infer_height(vec![
            Column::new("id".into(), c.id),
            Column::new("title".into(), c.title),
            Column::new("url".into(), c.url),
            Column::new("source".into(), c.source),
            Column::new("published".into(), c.published),
            Column::new("lang".into(), c.lang),
            Column::new("dup_of".into(), c.dup_of),
            Column::new("story_id".into(), c.story_id),
            Column::new("topic_id".into(), topic),
            entity_ids.into(),
        ])?)
    }

    /// One row per (document, entity): document id, entity id, type, mentions, published,
    /// story id, and whether the document is a copy.
    pub fn mentions_frame(&self, filters: &Filters) -> Result<DataFrame> {
        let c = self.doc_columns(filters)?;
        let (mut doc, mut ent, mut kind, mut n, mut published, mut story, mut copy) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for i in 0..c.id.len() {
            for (id, m) in &c.entities[i] {
                doc.push(c.id[i].clone());
                kind.push(id.split_once(':').map_or("other", |(t, _)| t).to_string());
                ent.push(id.clone());
                n.push(*m);
                published.push(c.published[i]);
                story.push(c.story_id[i].clone());
                copy.push(c.dup_of[i].is_some());
            }
        }
        Ok(DataFrame::new_infer_height(vec![
            Column::new("document_id".into(), doc),
            Column::new("entity_id".into(), ent),
            Column::new("type".into(), kind),
            Column::new("mentions".into(), n),
            Column::new("published".into(), published),
            Column::new("story_id".into(), story),
            Column::new("is_copy".into(), copy),
        ])?)
    }

    /// One row per story: story id, topic id, documents, originals, languages (list),
    /// sources, first and last article time.
    pub fn stories_frame(&self, filters: &Filters, topics: &BTreeMap<String, String>) -> Result<DataFrame> {
        let c = self.doc_columns(filters)?;
        #[derive(Default)]
        struct Acc {
            docs: u32,
            originals: u32,
            langs: std::collections::BTreeSet<String>,
            sources: std::collections::BTreeSet<String>,
            first: Option<NaiveDateTime>,
            last: Option<NaiveDateTime>,
        }
        let mut by: BTreeMap<String, Acc> = BTreeMap::new();
        for i in 0..c.id.len() {
            let Some(s) = &c.story_id[i] else { continue };
            let a = by.entry(s.clone()).or_default();
            a.docs += 1;
            a.originals += u32::from(c.dup_of[i].is_none());
            a.langs.extend(c.lang[i].clone());
            a.sources.extend(c.source[i].clone());
            if let Some(p) = c.published[i] {
                a.first = Some(a.first.map_or(p, |f| f.min(p)));
                a.last = Some(a.last.map_or(p, |l| l.max(p)));
            }
        }
        let ids: Vec<&str> = by.keys().map(String::as_str).collect();
        let topic: Vec<Option<&str>> = ids.iter().map(|s| topics.get(*s).map(String::as_str)).collect();
        let langs: Vec<Series> =
            by.values().map(|a| Series::new("".into(), a.langs.iter().map(String::as_str).collect::<Vec<_>>())).collect();
        let langs = if ids.is_empty() {
            Series::new_empty("languages".into(), &DataType::List(Box::new(DataType::String)))
        } else {
            Series::new("languages".into(), langs)
        };
        Ok(DataFrame::new_infer_height(vec![
            Column::new("story_id".into(), ids.clone()),
            Column::new("topic_id".into(), topic),
            Column::new("documents".into(), by.values().map(|a| a.docs).collect::<Vec<_>>()),
            Column::new("originals".into(), by.values().map(|a| a.originals).collect::<Vec<_>>()),
            langs.into(),
            Column::new("sources".into(), by.values().map(|a| a.sources.len() as u32).collect::<Vec<_>>()),
            Column::new("first".into(), by.values().map(|a| a.first).collect::<Vec<_>>()),
            Column::new("last".into(), by.values().map(|a| a.last).collect::<Vec<_>>()),
        ])?)
    }
}

struct SegCols {
    id: Option<tantivy::columnar::StrColumn>,
    title: Option<tantivy::columnar::StrColumn>,
    url: Option<tantivy::columnar::StrColumn>,
    source: Option<tantivy::columnar::StrColumn>,
    lang: Option<tantivy::columnar::StrColumn>,
    dup_of: Option<tantivy::columnar::StrColumn>,
    story: Option<tantivy::columnar::StrColumn>,
    entm: Option<tantivy::columnar::StrColumn>,
    published: tantivy::columnar::Column<tantivy::DateTime>,
    seq: tantivy::columnar::Column<u64>,
}

struct DocRow {
    id: String,
    title: Option<String>,
    url: Option<String>,
    source: Option<String>,
    lang: Option<String>,
    dup_of: Option<String>,
    story: Option<String>,
    published: Option<i64>,
    entities: Vec<(String, u32)>,
}

/// A timeline as a long frame: period (date), series, documents, stories.
pub fn timeline_frame(t: &Timeline) -> Result<DataFrame> {
    let (mut period, mut series, mut docs, mut stories) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (p, counts) in &t.rows {
        for (name, c) in t.series.iter().zip(counts) {
            period.push(*p);
            series.push(name.as_str());
            docs.push(c.documents);
            stories.push(c.stories);
        }
    }
    Ok(DataFrame::new_infer_height(vec![
        Column::new("period".into(), period),
        Column::new("series".into(), series),
        Column::new("documents".into(), docs),
        Column::new("stories".into(), stories),
    ])?)
}

/// Trend rows as a frame.
pub fn trends_frame(rows: &[TrendRow]) -> Result<DataFrame> {
    Ok(DataFrame::new_infer_height(vec![
        Column::new("id".into(), rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>()),
        Column::new("name".into(), rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>()),
        Column::new("type".into(), rows.iter().map(|r| r.kind.as_str()).collect::<Vec<_>>()),
        Column::new("window_count".into(), rows.iter().map(|r| r.window_count).collect::<Vec<_>>()),
        Column::new("baseline_count".into(), rows.iter().map(|r| r.baseline_count).collect::<Vec<_>>()),
        Column::new("baseline_rate".into(), rows.iter().map(|r| r.baseline_rate).collect::<Vec<_>>()),
        Column::new("ratio".into(), rows.iter().map(|r| r.ratio).collect::<Vec<_>>()),
        Column::new("score".into(), rows.iter().map(|r| r.score).collect::<Vec<_>>()),
        Column::new("new".into(), rows.iter().map(|r| r.new).collect::<Vec<_>>()),
        Column::new("first_seen".into(), rows.iter().map(|r| r.first_seen.map(|d| d.naive_utc())).collect::<Vec<_>>()),
    ])?)
}

/// The entities table as a frame.
pub fn entities_frame(rows: &[crate::analytics::EntityRow]) -> Result<DataFrame> {
    Ok(DataFrame::new_infer_height(vec![
        Column::new("id".into(), rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>()),
        Column::new("name".into(), rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>()),
        Column::new("type".into(), rows.iter().map(|r| r.kind.as_str()).collect::<Vec<_>>()),
        Column::new("documents".into(), rows.iter().map(|r| r.documents).collect::<Vec<_>>()),
        Column::new("stories".into(), rows.iter().map(|r| r.stories).collect::<Vec<_>>()),
        Column::new("mentions".into(), rows.iter().map(|r| r.mentions).collect::<Vec<_>>()),
        Column::new("first_seen".into(), rows.iter().map(|r| r.first_seen.map(|d| d.naive_utc())).collect::<Vec<_>>()),
        Column::new("last_seen".into(), rows.iter().map(|r| r.last_seen.map(|d| d.naive_utc())).collect::<Vec<_>>()),
        Column::new("wikidata".into(), rows.iter().map(|r| r.wikidata.as_deref()).collect::<Vec<_>>()),
    ])?)
}
