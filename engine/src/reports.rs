//! Reports built from the index and the topic state, as types that front ends print or
//! serve (the `--json` shapes of the command line).

use crate::{Error, Result, TopicSource};
use chrono::{DateTime, NaiveDate, Utc};
use polars::prelude::{Column, DataFrame};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use vigie_index::analytics::{Timeline, TimelineRequest, TrendRequest};
use vigie_index::frames;
use vigie_index::{Filters, StoredVector, VigieIndex};
use vigie_pipeline::topics::TopicState;
use vigie_schemas::Document;

/// The most articles listed for one story.
const MAX_ARTICLES: usize = 10_000;

/// An entity with the number of documents it is in.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[schemars(rename = "TopEntity")]
pub struct EntityRow {
    pub id: String,
    pub name: String,
    pub documents: u32,
}

/// One article of a story.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct StoryArticle {
    pub id: String,
    pub title: String,
    pub url: Option<String>,
    pub source: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub lang: String,
    pub dup_of: Option<String>,
}

/// `vigie story ID`: one story's articles, languages, sources, first/last seen, top
/// entities and topic.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct StoryReport {
    pub id: String,
    pub topic_id: Option<String>,
    pub topic_label: Option<String>,
    /// articles, copies included
    pub documents: usize,
    /// articles that are not copies
    pub originals: usize,
    pub languages: BTreeMap<String, usize>,
    pub sources: BTreeMap<String, usize>,
    pub first: Option<DateTime<Utc>>,
    pub last: Option<DateTime<Utc>>,
    pub top_entities: Vec<EntityRow>,
    pub articles: Vec<StoryArticle>,
}

/// The `n` entities in most documents, named from `known` or else from the index.
/// The entities table (`vigie entities`, `GET /api/entities`, the entities frame) with
/// each known entity's Wikidata item from the knowledge base.
pub fn entity_table(
    index: &VigieIndex,
    kind: Option<vigie_schemas::EntityType>,
    filters: &Filters,
    top: usize,
) -> Result<Vec<vigie_index::analytics::EntityRow>> {
    let mut rows = index.entity_table(kind, filters, top)?;
    for r in &mut rows {
        r.wikidata = vigie_pipeline::entities::wikidata_of(&r.id).map(str::to_string);
    }
    Ok(rows)
}

pub fn top_entities(index: &VigieIndex, counts: HashMap<&str, u32>, known: &HashMap<&str, &str>, n: usize) -> Result<Vec<EntityRow>> {
    let mut v: Vec<(&str, u32)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v.truncate(n);
    v.into_iter()
        .map(|(id, documents)| {
            let name = match known.get(id) {
                Some(n) => n.to_string(),
                None => index.entity_name(id)?.map_or_else(|| id.to_string(), |(n, _)| n),
            };
            Ok(EntityRow { id: id.to_string(), name, documents })
        })
        .collect()
}

/// The report of a story (`id` may also be the id of one of its articles), with the
/// articles published at or after `since`; `None` when there is no such story or article.
pub fn story(
    topics: &(impl TopicSource + ?Sized),
    index: &VigieIndex,
    id: &str,
    since: Option<DateTime<Utc>>,
) -> Result<Option<StoryReport>> {
    let mut docs = index.story_docs(id, MAX_ARTICLES)?;
    let mut story_id = id.to_string();
    if docs.is_empty() {
        // an article id: its story
        if let Some(s) = index.get(id)?.and_then(|d| d.story_id) {
            docs = index.story_docs(&s, MAX_ARTICLES)?;
            story_id = s;
        }
    }
    if docs.is_empty() {
        return Ok(None);
    }
    let when = |d: &Document| d.published.unwrap_or(d.ingested_at);
    docs.retain(|d| since.is_none_or(|s| when(d) >= s));
    let state = topics.topic_state()?;
    let topic = state.as_deref().and_then(|s| s.story_topic.get(&story_id).and_then(|t| s.topic(t)));
    let mut languages = BTreeMap::new();
    let mut sources = BTreeMap::new();
    let mut counts: HashMap<&str, u32> = HashMap::new();
    let mut names: HashMap<&str, &str> = HashMap::new();
    for d in &docs {
        *languages.entry(d.lang.0.clone()).or_insert(0) += 1;
        *sources.entry(d.source.clone().unwrap_or_else(|| "-".into())).or_insert(0) += 1;
        if d.dup_of.is_none() {
            for e in &d.entities {
                *counts.entry(e.id.as_str()).or_insert(0) += 1;
                names.entry(e.id.as_str()).or_insert(e.name.as_str());
            }
        }
    }
    Ok(Some(StoryReport {
        id: story_id.clone(),
        topic_id: topic.map(|t| t.id.clone()),
        topic_label: topic.map(|t| t.label.clone()),
        documents: docs.len(),
        originals: docs.iter().filter(|d| d.dup_of.is_none()).count(),
        languages,
        sources,
        first: docs.iter().map(when).min(),
        last: docs.iter().map(when).max(),
        top_entities: top_entities(index, counts, &names, 10)?,
        articles: docs
            .iter()
            .map(|d| StoryArticle {
                id: d.id.0.clone(),
                title: d.title.clone(),
                url: d.url.clone(),
                source: d.source.clone(),
                published: d.published,
                lang: d.lang.0.clone(),
                dup_of: d.dup_of.as_ref().map(|x| x.0.clone()),
            })
            .collect(),
    }))
}

/// The window, language and source a listing counts, for stored vectors.
#[derive(Debug, Clone, Default)]
pub struct Bounds {
    since: Option<i64>,
    until: Option<i64>,
    lang: Option<String>,
    source: Option<String>,
}

impl Bounds {
    /// The window, language and source of `f` (its other filters do not apply).
    pub fn new(f: &Filters) -> Bounds {
        Bounds {
            since: f.since.map(|d| d.timestamp()),
            until: f.until.map(|d| d.timestamp()),
            lang: f.lang.clone(),
            source: f.source.as_deref().map(str::to_lowercase),
        }
    }

    pub fn admits(&self, v: &StoredVector) -> bool {
        self.since.is_none_or(|s| v.when >= s)
            && self.until.is_none_or(|u| v.when < u)
            && self.lang.as_ref().is_none_or(|l| *l == v.lang)
            && self.source.as_ref().is_none_or(|s| v.source.as_ref().is_some_and(|x| x.to_lowercase() == *s))
    }
}

/// One topic as `vigie topics` lists it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct TopicRow {
    pub id: String,
    pub label: String,
    pub keywords: BTreeMap<String, Vec<String>>,
    /// articles in the window, copies included
    pub size: u32,
    /// articles that are not copies
    pub originals: u32,
    pub stories: u32,
    pub languages: BTreeMap<String, u32>,
    pub top_entities: Vec<EntityRow>,
    pub first: Option<DateTime<Utc>>,
    pub last: Option<DateTime<Utc>>,
}

fn ts(t: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(t, 0)
}

/// The topics of `state` with their articles, stories, languages, dates and top
/// entities among `vectors` within `bounds`, largest first.
pub fn topic_rows(index: &VigieIndex, state: &TopicState, vectors: &[StoredVector], bounds: &Bounds) -> Result<Vec<TopicRow>> {
    struct Acc<'a> {
        size: u32,
        originals: u32,
        stories: HashSet<&'a str>,
        languages: BTreeMap<String, u32>,
        entities: HashMap<&'a str, u32>,
        first: i64,
        last: i64,
    }
    let mut acc: HashMap<&str, Acc<'_>> = HashMap::new();
    for v in vectors.iter().filter(|v| bounds.admits(v)) {
        let Some(story) = v.story_id.as_deref() else { continue };
        let Some(topic) = state.story_topic.get(story) else { continue };
        let a = acc.entry(topic.as_str()).or_insert_with(|| Acc {
            size: 0,
            originals: 0,
            stories: HashSet::new(),
            languages: BTreeMap::new(),
            entities: HashMap::new(),
            first: i64::MAX,
            last: i64::MIN,
        });
        a.size += 1;
        a.stories.insert(story);
        *a.languages.entry(v.lang.clone()).or_insert(0) += 1;
        a.first = a.first.min(v.when);
        a.last = a.last.max(v.when);
        if v.dup_of.is_none() {
            a.originals += 1;
            for e in &v.entities {
                *a.entities.entry(e.as_str()).or_insert(0) += 1;
            }
        }
    }
    let known: HashMap<&str, &str> = state.topics.iter().flat_map(|t| t.entities.iter().map(|(id, n)| (id.as_str(), n.as_str()))).collect();
    let mut rows = Vec::new();
    for t in &state.topics {
        let Some(a) = acc.remove(t.id.as_str()) else { continue };
        rows.push(TopicRow {
            id: t.id.clone(),
            label: t.label.clone(),
            keywords: t.keywords.clone(),
            size: a.size,
            originals: a.originals,
            stories: a.stories.len() as u32,
            languages: a.languages,
            top_entities: top_entities(index, a.entities, &known, 5)?,
            first: ts(a.first),
            last: ts(a.last),
        });
    }
    rows.sort_by(|a, b| b.size.cmp(&a.size).then(a.id.cmp(&b.id)));
    Ok(rows)
}

/// The topics of the current state counted within `bounds` (`None` before the first
/// topics are built).
pub fn topic_listing(topics: &(impl TopicSource + ?Sized), index: &VigieIndex, bounds: &Bounds) -> Result<Option<TopicListing>> {
    let Some(state) = topics.topic_state()? else { return Ok(None) };
    let vectors = index.vectors_without_embeddings()?;
    let rows = topic_rows(index, &state, &vectors, bounds)?;
    Ok(Some(TopicListing { rows, articles: vectors.iter().filter(|v| bounds.admits(v)).count() }))
}

/// `vigie topics`: the topics, largest first, and how many articles the bounds admit.
#[derive(Debug, Clone)]
pub struct TopicListing {
    pub rows: Vec<TopicRow>,
    /// articles within the bounds, in a topic or not
    pub articles: usize,
}

/// One bucket of one series of a timeline (`vigie timeline --json`).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct TimelineRow {
    /// first day of the bucket
    pub period: NaiveDate,
    /// the entity id or query of the series
    pub series: String,
    pub documents: u64,
    pub stories: u64,
    /// normalized timelines only: stories / all stories of the bucket (0 to 1)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share: Option<f64>,
    /// normalized timelines only: documents / all documents of the bucket (0 to 1)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_share: Option<f64>,
}

/// A timeline as rows: each bucket, then each series in it (with its shares when the
/// timeline was normalized).
pub fn timeline_rows(t: &Timeline) -> Vec<TimelineRow> {
    t.rows
        .iter()
        .enumerate()
        .flat_map(|(i, (period, counts))| {
            let total = t.totals.as_ref().and_then(|v| v.get(i));
            t.series.iter().zip(counts).map(move |(name, c)| {
                let shares = total.map(|x| c.share_of(x));
                TimelineRow {
                    period: *period,
                    series: name.clone(),
                    documents: c.documents,
                    stories: c.stories,
                    share: shares.map(|s| s.0),
                    document_share: shares.map(|s| s.1),
                }
            })
        })
        .collect()
}

/// The summary of `sel` within `filters` (`vigie summary`, `/api/summary`): a period
/// given only its start ends `now`, so that `--since 7d` compares the last seven days
/// with the seven before.
pub fn summary(
    index: &VigieIndex,
    sel: &vigie_index::analytics::Selector,
    filters: &Filters,
    now: DateTime<Utc>,
) -> Result<vigie_index::analytics::Summary> {
    let mut f = filters.clone();
    if f.since.is_some() && f.until.is_none() {
        f.until = Some(now);
    }
    if let (Some(s), Some(u)) = (f.since, f.until) {
        if u <= s {
            return Err(Error::Config(format!("until ({u}) is not after since ({s}): an empty period")));
        }
    }
    Ok(index.summary(sel, &f)?)
}

/// A topic's trend row (`"type": "topic"`, `name` is its label).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct TopicTrend {
    pub id: String,
    pub name: String,
    /// always `topic`
    #[serde(rename = "type")]
    #[schemars(extend("const" = "topic"))]
    pub kind: &'static str,
    pub window_count: u64,
    pub baseline_count: u64,
    pub baseline_rate: f64,
    pub ratio: f64,
    pub score: f64,
    pub new: bool,
    pub first_seen: Option<chrono::DateTime<chrono::Utc>>,
}

/// The documents `req` matches, each with its topic (topics live in the topic state:
/// a re-clustering does not rewrite the index).
pub fn search(
    topics: &(impl TopicSource + ?Sized),
    index: &VigieIndex,
    req: &vigie_index::SearchRequest,
) -> Result<vigie_index::SearchResults> {
    let mut res = index.search(req)?;
    let state = topics.topic_state()?;
    for h in &mut res.hits {
        h.topic_id = topic_of(state.as_deref(), h.story_id.as_deref());
    }
    Ok(res)
}

/// The topic of a story in `state`.
fn topic_of(state: Option<&TopicState>, story: Option<&str>) -> Option<String> {
    state.zip(story).and_then(|(s, story)| s.story_topic.get(story).cloned())
}

/// One stored document with its topic, `None` when no document has this id.
pub fn document(topics: &(impl TopicSource + ?Sized), index: &VigieIndex, id: &str) -> Result<Option<Document>> {
    let Some(mut d) = index.get(id)? else { return Ok(None) };
    if d.story_id.is_some() {
        d.topic_id = topic_of(topics.topic_state()?.as_deref(), d.story_id.as_deref());
    }
    Ok(Some(d))
}

/// The end of a trends window by default: just after the newest dated article, so that
/// it is inside the window.
pub fn trend_end(index: &VigieIndex) -> Result<DateTime<Utc>> {
    let latest = index.latest_published()?.ok_or_else(|| Error::Config("no dated documents: nothing to compare".into()))?;
    Ok(latest + chrono::Duration::seconds(1))
}

/// The trends table: entities, and topics when no entity type is asked for.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Trends {
    pub entities: Vec<vigie_index::analytics::TrendRow>,
    pub topics: Vec<TopicTrend>,
}

/// Entities and topics ranked by how far their count in the window of `req` exceeds
/// the baseline's.
pub fn trends(topics: &(impl TopicSource + ?Sized), index: &VigieIndex, req: &TrendRequest) -> Result<Trends> {
    let entities = index.trends(req)?;
    let topics = if req.kind.is_none() { topic_trends(topics, index, req)? } else { Vec::new() };
    Ok(Trends { entities, topics })
}

/// Topics ranked like entities: originals of the topic's stories in the window against
/// the baseline (when topics exist).
pub fn topic_trends(topics: &(impl TopicSource + ?Sized), index: &VigieIndex, req: &TrendRequest) -> Result<Vec<TopicTrend>> {
    let Some(state) = topics.topic_state()? else {
        return Ok(Vec::new());
    };
    let (start, base_start) = ((req.at - req.window).timestamp(), (req.at - req.window - req.baseline).timestamp());
    let at = req.at.timestamp();
    let mut acc: HashMap<&str, (u64, u64, i64)> = HashMap::new();
    let vectors = index.vectors_without_embeddings()?;
    for v in vectors.iter().filter(|v| v.dup_of.is_none()) {
        let Some(t) = v.story_id.as_deref().and_then(|s| state.story_topic.get(s)) else { continue };
        if req.filters.lang.as_ref().is_some_and(|l| *l != v.lang) {
            continue;
        }
        let e = acc.entry(t.as_str()).or_insert((0, 0, i64::MAX));
        e.2 = e.2.min(v.when);
        if (start..at).contains(&v.when) {
            e.0 += 1;
        } else if (base_start..start).contains(&v.when) {
            e.1 += 1;
        }
    }
    let k = req.baseline_windows();
    let mut rows: Vec<TopicTrend> = acc
        .into_iter()
        .filter(|(_, (w, _, _))| *w >= req.min_count)
        .map(|(id, (w, b, first))| {
            let (lambda, score) = vigie_index::analytics::trend_score(w, b, k);
            TopicTrend {
                id: id.to_string(),
                name: state.topic(id).map(|t| t.label.clone()).unwrap_or_default(),
                kind: "topic",
                window_count: w,
                baseline_count: b,
                baseline_rate: lambda,
                ratio: w as f64 / lambda,
                score,
                new: b == 0 && first >= start,
                first_seen: chrono::DateTime::from_timestamp(first, 0),
            }
        })
        .collect();
    rows.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
    rows.truncate(req.top);
    Ok(rows)
}

/// The topics as a DataFrame: label, keywords per language joined, counts, top entities,
/// first and last article.
pub fn topics_frame(topics: &(impl TopicSource + ?Sized), index: &VigieIndex) -> Result<DataFrame> {
    let Some(state) = topics.topic_state()? else {
        return Err(Error::Config(format!("{}: no topics yet", topics.data().root().display())));
    };
    let rows = topic_rows(index, &state, &index.vectors_without_embeddings()?, &Bounds::default())?;
    let kw = |r: &TopicRow, l: &str| r.keywords.get(l).map(|v| v.join(", "));
    let ents = |r: &TopicRow| r.top_entities.iter().map(|e| e.id.as_str()).collect::<Vec<_>>().join("|");
    let df = DataFrame::new_infer_height(vec![
        Column::new("topic_id".into(), rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>()),
        Column::new("label".into(), rows.iter().map(|r| r.label.as_str()).collect::<Vec<_>>()),
        Column::new("keywords_en".into(), rows.iter().map(|r| kw(r, "en")).collect::<Vec<_>>()),
        Column::new("keywords_fr".into(), rows.iter().map(|r| kw(r, "fr")).collect::<Vec<_>>()),
        Column::new("size".into(), rows.iter().map(|r| r.size).collect::<Vec<_>>()),
        Column::new("stories".into(), rows.iter().map(|r| r.stories).collect::<Vec<_>>()),
        Column::new("top_entities".into(), rows.iter().map(ents).collect::<Vec<_>>()),
        Column::new("first".into(), rows.iter().map(|r| r.first.map(|d| d.naive_utc())).collect::<Vec<_>>()),
        Column::new("last".into(), rows.iter().map(|r| r.last.map(|d| d.naive_utc())).collect::<Vec<_>>()),
    ]);
    df.map_err(|e| Error::Index(e.into()))
}

/// A table of the index as a DataFrame (`vigie export`, the server's downloads).
#[derive(Debug, Clone)]
pub enum FrameRequest {
    /// one row per document (entity ids as a list)
    Documents,
    /// the entities table, the `top` first
    Entities { top: usize },
    /// one row per (document, entity)
    Mentions,
    /// one row per story
    Stories,
    /// one row per topic
    Topics,
    /// a timeline of series (its own filters)
    Timeline(TimelineRequest),
    /// the trends table of the `window` before the newest article against the
    /// `baseline` before it
    Trends { window: chrono::Duration, baseline: chrono::Duration, min_count: u64, top: usize },
}

/// The DataFrame of `req` over the documents `filters` admit.
pub fn frame(topics: &(impl TopicSource + ?Sized), index: &VigieIndex, req: FrameRequest, filters: Filters) -> Result<DataFrame> {
    let state = topics.topic_state()?;
    let empty = BTreeMap::new();
    let map = state.as_ref().map_or(&empty, |s| &s.story_topic);
    Ok(match req {
        FrameRequest::Documents => index.documents_frame(&filters, map)?,
        FrameRequest::Mentions => index.mentions_frame(&filters)?,
        FrameRequest::Stories => index.stories_frame(&filters, map)?,
        FrameRequest::Entities { top } => frames::entities_frame(&entity_table(index, None, &filters, top)?)?,
        FrameRequest::Topics => topics_frame(topics, index)?,
        FrameRequest::Timeline(req) => frames::timeline_frame(&index.timeline(&req)?)?,
        FrameRequest::Trends { window, baseline, min_count, top } => {
            let req = TrendRequest { at: trend_end(index)?, window, baseline, kind: None, filters, top, min_count };
            frames::trends_frame(&index.trends(&req)?)?
        }
    })
}
