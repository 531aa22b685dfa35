//! `vigie eval clusters --gold FILE`: ingests a gold set with the full pipeline and scores
//! its stories (B-cubed against gold story labels) and topics (NMI against gold
//! categories, and the share of articles left in no topic).

use super::common::{print_json, user_error, Ctx};
use anyhow::Context;
use clap::Args;
use serde::Serialize;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use vigie_engine::corpus;
use vigie_engine::IngestOptions;
use vigie_index::VigieIndex;
use vigie_pipeline::cluster_scores::{bcubed, nmi, BCubed};
use vigie_pipeline::ingest::{Format, FormatChoice};
use vigie_pipeline::lang::{LangConfig, LangDetector};
use vigie_pipeline::runner::Analyzer;
use vigie_schemas::Article;

#[derive(Args, Debug)]
pub struct ClustersArgs {
    /// JSON lines with a `pair`/`story` label (stories) or a `category`/`topic` label
    /// (topics), or a MasakhaNEWS TSV (category, headline, text, url)
    #[arg(long)]
    pub gold: PathBuf,
    /// Ingest into this data directory and keep it (default: a temporary one)
    #[arg(long)]
    pub into: Option<PathBuf>,
    #[arg(long)]
    pub models: Option<PathBuf>,
    #[arg(long)]
    pub ner_model: Option<PathBuf>,
    #[command(flatten)]
    pub model: super::common::ModelArgs,
    #[arg(long)]
    pub json: bool,
    /// (development) write each gold article's label, embedding, entities and title
    /// terms as JSON lines
    #[arg(long, hide = true)]
    pub dump: Option<PathBuf>,
}

/// A gold article and its label.
struct GoldItem {
    article: Article,
    label: String,
}

/// What the gold labels are.
#[derive(Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
enum LabelKind {
    Story,
    Topic,
}

fn read_gold(path: &Path) -> anyhow::Result<(LabelKind, Vec<GoldItem>)> {
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
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut kind = None;
    let mut items = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).map_err(|e| user_error(format!("{}:{}: {e}", path.display(), i + 1)))?;
        let (k, label) =
            [("pair", LabelKind::Story), ("story", LabelKind::Story), ("category", LabelKind::Topic), ("topic", LabelKind::Topic)]
                .iter()
                .find_map(|(f, k)| v[*f].as_str().map(|s| (*k, s.to_string())))
                .ok_or_else(|| user_error(format!("{}:{}: no pair, story, category or topic label", path.display(), i + 1)))?;
        kind.get_or_insert(k);
        let mut article: Article = serde_json::from_value(v).map_err(|e| user_error(format!("{}:{}: {e}", path.display(), i + 1)))?;
        article.id.get_or_insert_with(|| format!("{stem}-{i}"));
        items.push(GoldItem { article, label });
    }
    Ok((kind.unwrap_or(LabelKind::Story), items))
}

#[derive(Serialize)]
struct ClusterReport {
    gold: String,
    labels: LabelKind,
    articles: usize,
    gold_clusters: usize,
    stories: usize,
    /// B-cubed of stories against the gold labels
    stories_bcubed: BCubed,
    topics: usize,
    /// NMI of topics against the gold labels (articles in no topic form one cluster)
    topics_nmi: f64,
    /// share of articles in no topic
    outliers: f64,
    ingest_seconds: f64,
}

pub fn clusters(ctx: &Ctx, a: ClustersArgs) -> anyhow::Result<ExitCode> {
    let (kind, gold) = read_gold(&a.gold)?;
    if gold.is_empty() {
        return Err(user_error(format!("{}: no gold articles", a.gold.display())));
    }
    let tmp = tempfile::tempdir()?;
    let data = a.into.clone().unwrap_or_else(|| tmp.path().join("data"));
    let input = tmp.path().join("gold.jsonl");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&input)?);
    for g in &gold {
        serde_json::to_writer(&mut f, &g.article)?;
        f.write_all(b"\n")?;
    }
    f.flush()?;
    drop(f);
    let analyzer = super::ingest::load_analyzer(a.models.as_deref(), a.ner_model.as_deref(), &a.model)?;
    let lang = LangDetector::new(&LangConfig::default())?;
    let ictx = Ctx { data: data.clone(), quiet: ctx.quiet };
    let setup = IngestOptions::new(FormatChoice::Fixed(Format::Jsonl), &lang, Some(&analyzer as &dyn Analyzer));
    let summary = super::ingest::ingest(&ictx, &[input.display().to_string()], &setup, &AtomicBool::new(false))?;
    let index = VigieIndex::open(&ictx.index_dir())?;
    let stored: HashMap<String, vigie_index::StoredVector> =
        // scoring needs story ids only; the development dump also writes the embeddings
        if a.dump.is_some() { index.vectors()? } else { index.vectors_without_embeddings()? }.into_iter().map(|v| (v.id.0.clone(), v)).collect();
    let topics = vigie_engine::topics::topic_map(&ictx.dir())?;
    let mut gold_labels = Vec::new();
    let mut story_labels = Vec::new();
    let mut topic_labels = Vec::new();
    for g in &gold {
        let id = g.article.id.as_deref().expect("gold ids are set above");
        let Some(v) = stored.get(id) else {
            tracing::warn!(id, "gold article not stored (rejected?)");
            continue;
        };
        let story = v.story_id.clone().unwrap_or_else(|| format!("none:{id}"));
        gold_labels.push(g.label.clone());
        topic_labels.push(topics.get(&story).cloned().unwrap_or_else(|| "-".to_string()));
        story_labels.push(story);
    }
    if let Some(path) = &a.dump {
        let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
        for g in &gold {
            let Some(v) = stored.get(g.article.id.as_deref().unwrap_or_default()) else { continue };
            let row = serde_json::json!({"id": v.id.0, "label": g.label, "lang": v.lang, "when": v.when, "dup_of": v.dup_of,
                "story": v.story_id, "emb": v.embedding, "entities": v.entities, "terms": v.title_terms, "title": g.article.title});
            serde_json::to_writer(&mut w, &row)?;
            w.write_all(b"\n")?;
        }
    }
    let n = gold_labels.len();
    let distinct = |v: &[String]| v.iter().collect::<std::collections::HashSet<_>>().len();
    let report = ClusterReport {
        gold: a.gold.display().to_string(),
        labels: kind,
        articles: n,
        gold_clusters: distinct(&gold_labels),
        stories: distinct(&story_labels),
        stories_bcubed: bcubed(&gold_labels, &story_labels),
        topics: distinct(&topic_labels.iter().filter(|t| *t != "-").cloned().collect::<Vec<_>>()),
        topics_nmi: nmi(&gold_labels, &topic_labels),
        outliers: topic_labels.iter().filter(|t| *t == "-").count() as f64 / n.max(1) as f64,
        ingest_seconds: summary.seconds,
    };
    let mut out = std::io::stdout().lock();
    if a.json {
        print_json(&mut out, &report)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "{}: {} articles, {} gold {}s",
        report.gold,
        n,
        report.gold_clusters,
        if kind == LabelKind::Story { "storie" } else { "topic" }
    )?;
    let b = &report.stories_bcubed;
    writeln!(out, "stories {}  B-cubed precision {:.4}  recall {:.4}  F1 {:.4}", report.stories, b.precision, b.recall, b.f1)?;
    writeln!(out, "topics {}  NMI {:.4}  outliers {:.1}%", report.topics, report.topics_nmi, 100.0 * report.outliers)?;
    Ok(ExitCode::SUCCESS)
}
