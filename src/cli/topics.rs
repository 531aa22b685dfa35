//! `vigie topics [rebuild]`: the topics with their labels, keywords, sizes, top entities
//! and first/last article, counted live from the index (within `--since/--until`).

use super::common::{fmt_date, open_index, print_json, print_table, shorten, user_error, Ctx, FilterArgs};
use clap::{Args, Subcommand};
use serde::Serialize;
use std::collections::HashSet;
use std::io::Write;
use std::process::ExitCode;
use vigie_engine::reports::{topic_rows, Bounds, TopicRow};
use vigie_engine::topics::{load_state, load_stories, rebuild_topics, topic_config};
use vigie_index::VigieIndex;

#[derive(Args, Debug)]
pub struct TopicsArgs {
    #[command(subcommand)]
    pub action: Option<TopicsAction>,
    #[command(flatten)]
    pub window: FilterArgs,
    /// At most this many topics (largest first)
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand, Debug)]
pub enum TopicsAction {
    /// Re-cluster all stories into topics from the stored embeddings (no re-encoding);
    /// topic ids survive where a topic kept most of its stories
    Rebuild(RebuildArgs),
}

#[derive(Args, Debug)]
pub struct RebuildArgs {
    /// Average centred cosine two groups of stories need to merge (higher: more,
    /// narrower topics)
    #[arg(long)]
    pub threshold: Option<f32>,
    /// Cosine to a topic centroid a story needs to join it (higher: more outliers)
    #[arg(long)]
    pub assign_threshold: Option<f32>,
    #[arg(long)]
    pub json: bool,
}

/// The window, language and source of a listing (every topic is listed: no --topic).
fn bounds(f: &FilterArgs) -> anyhow::Result<Bounds> {
    if f.topic.is_some() {
        return Err(user_error("--topic does not apply here: `vigie topics` lists every topic"));
    }
    Ok(Bounds::new(&f.build_without_topic()?))
}

pub fn run(ctx: &Ctx, a: TopicsArgs) -> anyhow::Result<ExitCode> {
    if let Some(TopicsAction::Rebuild(r)) = a.action {
        return rebuild(ctx, r);
    }
    let index = open_index(ctx)?;
    let Some(state) = load_state(&ctx.dir())? else {
        return Err(user_error(format!("{}: no topics yet (ingest with the model, or run `vigie topics rebuild`)", ctx.data.display())));
    };
    let bounds = bounds(&a.window)?;
    let vectors = index.vectors_without_embeddings()?;
    let rows = topic_rows(&index, &state, &vectors, &bounds)?;
    let mut out = std::io::stdout().lock();
    if a.json {
        for r in rows.iter().take(a.limit) {
            print_json(&mut out, r)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let table: Vec<Vec<String>> = rows
        .iter()
        .take(a.limit)
        .map(|r| {
            let langs: Vec<String> = r.languages.iter().map(|(l, n)| format!("{l} {n}")).collect();
            vec![
                r.id.clone(),
                r.size.to_string(),
                r.stories.to_string(),
                langs.join(", "),
                fmt_date(r.first),
                fmt_date(r.last),
                shorten(&r.label, 90),
            ]
        })
        .collect();
    print_table(&mut out, &["topic", "articles", "stories", "languages", "first", "last", "label"], &table)?;
    let in_topics: u32 = rows.iter().map(|r| r.size).sum();
    let all = vectors.iter().filter(|v| bounds.admits(v)).count();
    writeln!(out, "{} topics; {} of {} articles in no topic", rows.len(), all.saturating_sub(in_topics as usize), all)?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct RebuildReport {
    stories: usize,
    topics: usize,
    /// stories in no topic
    outlier_stories: usize,
    /// topics that kept their id
    kept_ids: usize,
    seconds: f64,
}

fn rebuild(ctx: &Ctx, r: RebuildArgs) -> anyhow::Result<ExitCode> {
    let t = std::time::Instant::now();
    let index = open_index(ctx)?;
    let path = ctx.dir().topics_path();
    let old = load_state(&ctx.dir())?;
    let mut cfg = topic_config(old.as_ref());
    if let Some(x) = r.threshold {
        cfg.threshold = x;
    }
    if let Some(x) = r.assign_threshold {
        cfg.assign_threshold = x;
    }
    // the ingest lock: a rebuild must not interleave with an ingest's topic update
    let _lock = index.writer()?;
    let pb = ctx.spinner("topics");
    pb.set_message("reading stories");
    let stories = load_stories(&index.vectors()?);
    pb.set_message(format!("clustering {} stories", stories.len()));
    let state = rebuild_topics(&index, &stories, old.as_ref(), &cfg)?;
    state.save(&path)?;
    pb.finish_and_clear();
    let old_ids: HashSet<&str> = old.as_ref().map(|o| o.topics.iter().map(|t| t.id.as_str()).collect()).unwrap_or_default();
    let report = RebuildReport {
        stories: stories.len(),
        topics: state.topics.len(),
        outlier_stories: stories.stories().iter().filter(|s| !state.story_topic.contains_key(&s.id)).count(),
        kept_ids: state.topics.iter().filter(|t| old_ids.contains(t.id.as_str())).count(),
        seconds: t.elapsed().as_secs_f64(),
    };
    let mut out = std::io::stdout().lock();
    if r.json {
        print_json(&mut out, &report)?;
    } else {
        writeln!(
            out,
            "{} stories -> {} topics ({} kept their id), {} stories in no topic, {:.1} s",
            report.stories, report.topics, report.kept_ids, report.outlier_stories, report.seconds
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The topics as a polars frame (label, keywords per language joined, counts, dates).
pub fn topics_frame(ctx: &Ctx, index: &VigieIndex) -> anyhow::Result<polars::prelude::DataFrame> {
    use polars::prelude::{Column, DataFrame};
    let Some(state) = load_state(&ctx.dir())? else {
        return Err(user_error("no topics yet"));
    };
    let rows = topic_rows(index, &state, &index.vectors_without_embeddings()?, &Bounds::default())?;
    let kw = |r: &TopicRow, l: &str| r.keywords.get(l).map(|v| v.join(", "));
    let ents = |r: &TopicRow| r.top_entities.iter().map(|e| e.id.as_str()).collect::<Vec<_>>().join("|");
    Ok(DataFrame::new_infer_height(vec![
        Column::new("topic_id".into(), rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>()),
        Column::new("label".into(), rows.iter().map(|r| r.label.as_str()).collect::<Vec<_>>()),
        Column::new("keywords_en".into(), rows.iter().map(|r| kw(r, "en")).collect::<Vec<_>>()),
        Column::new("keywords_fr".into(), rows.iter().map(|r| kw(r, "fr")).collect::<Vec<_>>()),
        Column::new("size".into(), rows.iter().map(|r| r.size).collect::<Vec<_>>()),
        Column::new("stories".into(), rows.iter().map(|r| r.stories).collect::<Vec<_>>()),
        Column::new("top_entities".into(), rows.iter().map(ents).collect::<Vec<_>>()),
        Column::new("first".into(), rows.iter().map(|r| r.first.map(|d| d.naive_utc())).collect::<Vec<_>>()),
        Column::new("last".into(), rows.iter().map(|r| r.last.map(|d| d.naive_utc())).collect::<Vec<_>>()),
    ])?)
}
