//! `vigie eval clusters`: ingests a gold set with the full pipeline and scores its
//! stories (B-cubed against gold story labels) and topics (NMI against gold categories,
//! and the share of articles left in no topic).
//!
//! A gold set is JSON lines of articles with a label, a MasakhaNEWS TSV, or a selection
//! (`data/eval/stories/hard-negatives.tsv`): a TSV of `half`, `family`, `story` and `ref`
//! columns whose refs (`reuters:NEWID`) name articles of the shared corpora, read from
//! `--shared` so that no corpus text is copied into the repository.

use crate::{corpus, DataDir, Error, IngestOptions, Result, Session};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use vigie_pipeline::cluster_scores::{bcubed, nmi, BCubed};
use vigie_pipeline::ingest::{Format, FormatChoice, Input};
use vigie_pipeline::lang::{LangConfig, LangDetector};
use vigie_pipeline::runner::{Analyzer, Observer};
use vigie_schemas::Article;

/// Where `clusters` works and what it keeps.
#[derive(Debug, Clone, Default)]
pub struct ClustersOptions {
    /// Ingest into this data directory and keep it (default: a temporary one).
    pub into: Option<PathBuf>,
    /// (development) write each gold article's label, embedding, entities and title
    /// terms to this file as JSON lines.
    pub dump: Option<PathBuf>,
    /// Where a selection's refs are read from (default `../shared/data`).
    pub shared: Option<PathBuf>,
    /// Only this half of a selection (`tune` or `held`); default both.
    pub half: Option<String>,
}

/// The header line of a selection file.
const SELECTION_HEADER: &str = "half\tfamily\tstory\tref";

/// Whether `path` is a selection (its first line that is not a `#` comment is the header).
fn is_selection(path: &Path) -> Result<bool> {
    if path.extension().is_none_or(|e| e != "tsv") {
        return Ok(false);
    }
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    Ok(text.lines().find(|l| !l.starts_with('#')).is_some_and(|l| l.trim_end() == SELECTION_HEADER))
}

/// The articles a selection names, in publication order (a stream arrives in that
/// order), labelled with their story.
fn read_selection(path: &Path, opts: &ClustersOptions) -> Result<Vec<GoldItem>> {
    if let Some(h) = opts.half.as_deref().filter(|h| !matches!(*h, "tune" | "held")) {
        return Err(Error::Config(format!("unknown half {h:?} (tune or held)")));
    }
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let shared = opts.shared.clone().unwrap_or_else(|| PathBuf::from("../shared/data"));
    let mut wanted: Vec<(String, String)> = Vec::new();
    let mut seen_header = false;
    for (i, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if !seen_header {
            seen_header = true;
            continue;
        }
        let bad = |what: &str| Error::Config(format!("{}:{}: {what}", path.display(), i + 1));
        let cols: Vec<&str> = line.split('\t').collect();
        let [half, _family, story, r] = cols[..] else { return Err(bad("expected 4 tab-separated columns")) };
        if !matches!(half, "tune" | "held") {
            return Err(bad(&format!("unknown half {half:?}")));
        }
        if opts.half.as_deref().is_some_and(|h| h != half) {
            continue;
        }
        let Some(newid) = r.strip_prefix("reuters:") else { return Err(bad(&format!("unknown ref {r:?} (reuters:NEWID)"))) };
        wanted.push((format!("reuters-{newid}"), story.to_string()));
    }
    let dir = shared.join("corpus/reuters21578");
    let mut by_id: HashMap<String, Article> = corpus::reuters(&dir)?.into_iter().filter_map(|a| Some((a.id.clone()?, a))).collect();
    let mut items = Vec::with_capacity(wanted.len());
    for (id, label) in wanted {
        let article = by_id.remove(&id).ok_or_else(|| Error::Config(format!("{}: {id} is not in {}", path.display(), dir.display())))?;
        items.push(GoldItem { article, label });
    }
    items.sort_by_cached_key(|g| (g.article.published.as_deref().and_then(reuters_time), g.article.id.clone()));
    Ok(items)
}

/// A Reuters date stamp (`26-FEB-1987 15:01:01.79`) as seconds.
fn reuters_time(s: &str) -> Option<i64> {
    chrono::NaiveDateTime::parse_from_str(s.trim(), "%d-%b-%Y %H:%M:%S%.f").ok().map(|t| t.and_utc().timestamp())
}

/// A gold article and its label.
struct GoldItem {
    article: Article,
    label: String,
}

/// What the gold labels are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LabelKind {
    Story,
    Topic,
}

fn read_gold(path: &Path, opts: &ClustersOptions) -> Result<(LabelKind, Vec<GoldItem>)> {
    if is_selection(path)? {
        return Ok((LabelKind::Story, read_selection(path, opts)?));
    }
    let stem = path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
    if path.extension().is_some_and(|e| e == "tsv") {
        let lang = if stem.starts_with("fra") {
            Some("fr")
        } else if stem.starts_with("eng") {
            Some("en")
        } else {
            None
        };
        let items = corpus::masakhanews(path)?
            .into_iter()
            .enumerate()
            .map(|(i, r)| GoldItem {
                article: Article {
                    id: Some(format!("{stem}-{i}")),
                    title: Some(r.headline),
                    body: Some(r.text),
                    url: (!r.url.is_empty()).then_some(r.url),
                    lang: lang.map(String::from),
                    ..Default::default()
                },
                label: r.category,
            })
            .collect();
        return Ok((LabelKind::Topic, items));
    }
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut kind = None;
    let mut items = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).map_err(|e| Error::Config(format!("{}:{}: {e}", path.display(), i + 1)))?;
        let (k, label) =
            [("pair", LabelKind::Story), ("story", LabelKind::Story), ("category", LabelKind::Topic), ("topic", LabelKind::Topic)]
                .iter()
                .find_map(|(f, k)| v[*f].as_str().map(|s| (*k, s.to_string())))
                .ok_or_else(|| Error::Config(format!("{}:{}: no pair, story, category or topic label", path.display(), i + 1)))?;
        kind.get_or_insert(k);
        let mut article: Article = serde_json::from_value(v).map_err(|e| Error::Config(format!("{}:{}: {e}", path.display(), i + 1)))?;
        article.id.get_or_insert_with(|| format!("{stem}-{i}"));
        items.push(GoldItem { article, label });
    }
    Ok((kind.unwrap_or(LabelKind::Story), items))
}

#[derive(Debug, Serialize)]
pub struct ClusterReport {
    pub gold: String,
    /// the half of a selection scored (none: all of it, or not a selection)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub half: Option<String>,
    pub labels: LabelKind,
    pub articles: usize,
    pub gold_clusters: usize,
    pub stories: usize,
    /// B-cubed of stories against the gold labels
    pub stories_bcubed: BCubed,
    pub topics: usize,
    /// NMI of topics against the gold labels (articles in no topic form one cluster)
    pub topics_nmi: f64,
    /// share of articles in no topic
    pub outliers: f64,
    pub ingest_seconds: f64,
}

/// Ingests the gold set `gold` (JSON lines with a `pair`/`story` or `category`/`topic`
/// label, or a MasakhaNEWS TSV) with `analyzer` and scores the stories and topics it
/// makes; `observer` sees the ingest's progress and rejects.
pub fn clusters(gold_path: &Path, analyzer: &dyn Analyzer, opts: &ClustersOptions, observer: &mut dyn Observer) -> Result<ClusterReport> {
    let (kind, gold) = read_gold(gold_path, opts)?;
    if gold.is_empty() {
        return Err(Error::Config(format!("{}: no gold articles", gold_path.display())));
    }
    let tmp = tempfile::tempdir().map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let data = DataDir::new(opts.into.clone().unwrap_or_else(|| tmp.path().join("data")));
    let input = tmp.path().join("gold.jsonl");
    write_jsonl(&input, gold.iter().map(|g| &g.article)).map_err(|e| Error::io(&input, e))?;
    let lang = LangDetector::new(&LangConfig::default())?;
    let setup = IngestOptions::new(FormatChoice::Fixed(Format::Jsonl), &lang, Some(analyzer));
    let mut session = Session::open(data.clone())?;
    // the vectors come from the index the session holds, as of its last commit
    let result = session.ingest(&[Input::Path(input)], &setup, observer, &AtomicBool::new(false)).and_then(|summary| {
        let index = session.index();
        // scoring needs story ids only; the development dump also writes the embeddings
        let vectors = if opts.dump.is_some() { index.vectors()? } else { index.vectors_without_embeddings()? };
        Ok((summary, vectors))
    });
    let closed = session.close();
    let (summary, vectors) = result?;
    closed?;
    let stored: HashMap<String, vigie_index::StoredVector> = vectors.into_iter().map(|v| (v.id.0.clone(), v)).collect();
    let topics = crate::topics::topic_map(&data)?;
    let mut gold_labels = Vec::new();
    let mut story_labels = Vec::new();
    let mut topic_labels = Vec::new();
    for g in &gold {
        let id = g.article.id.as_deref().expect("gold ids are set by read_gold");
        let Some(v) = stored.get(id) else {
            tracing::warn!(id, "gold article not stored (rejected?)");
            continue;
        };
        let story = v.story_id.clone().unwrap_or_else(|| format!("none:{id}"));
        gold_labels.push(g.label.clone());
        topic_labels.push(topics.get(&story).cloned().unwrap_or_else(|| "-".to_string()));
        story_labels.push(story);
    }
    if let Some(path) = &opts.dump {
        let rows = gold.iter().filter_map(|g| {
            let v = stored.get(g.article.id.as_deref().unwrap_or_default())?;
            Some(serde_json::json!({"id": v.id.0, "label": g.label, "lang": v.lang, "when": v.when, "dup_of": v.dup_of,
                "story": v.story_id, "emb": v.embedding, "entities": v.entities, "terms": v.title_terms, "title": g.article.title,
                "body": g.article.body}))
        });
        write_jsonl(path, rows).map_err(|e| Error::io(path, e))?;
    }
    let n = gold_labels.len();
    let distinct = |v: &[String]| v.iter().collect::<HashSet<_>>().len();
    Ok(ClusterReport {
        gold: gold_path.display().to_string(),
        half: opts.half.clone(),
        labels: kind,
        articles: n,
        gold_clusters: distinct(&gold_labels),
        stories: distinct(&story_labels),
        stories_bcubed: bcubed(&gold_labels, &story_labels),
        topics: distinct(&topic_labels.iter().filter(|t| *t != "-").cloned().collect::<Vec<_>>()),
        topics_nmi: nmi(&gold_labels, &topic_labels),
        outliers: topic_labels.iter().filter(|t| *t == "-").count() as f64 / n.max(1) as f64,
        ingest_seconds: summary.seconds,
    })
}

/// `rows` as JSON lines in a new file at `path`.
fn write_jsonl<T: Serialize>(path: &Path, rows: impl Iterator<Item = T>) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    for row in rows {
        serde_json::to_writer(&mut w, &row)?;
        w.write_all(b"\n")?;
    }
    w.flush()
}
