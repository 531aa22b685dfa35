//! `vigie story ID`: one story's articles, languages, sources, first/last seen, top
//! entities and topic. ID may also be the id of one of its articles.

use super::common::{fmt_date, open_index, parse_when, print_json, print_table, shorten, user_error, Ctx};
use super::topics::{top_entities, EntityRow};
use chrono::{DateTime, Utc};
use clap::Args;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::process::ExitCode;

/// The most articles listed for one story.
const MAX_ARTICLES: usize = 10_000;

#[derive(Args, Debug)]
pub struct StoryArgs {
    /// A story id (from `search --json` or `show`), or the id of one of its articles
    pub id: String,
    /// Only articles published at or after (2025-01-29, RFC 3339, or 7d ago)
    #[arg(long)]
    pub since: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct Article {
    id: String,
    title: String,
    url: Option<String>,
    source: Option<String>,
    published: Option<DateTime<Utc>>,
    lang: String,
    dup_of: Option<String>,
}

#[derive(Serialize)]
struct StoryReport {
    id: String,
    topic_id: Option<String>,
    topic_label: Option<String>,
    /// articles, copies included
    documents: usize,
    /// articles that are not copies
    originals: usize,
    languages: BTreeMap<String, usize>,
    sources: BTreeMap<String, usize>,
    first: Option<DateTime<Utc>>,
    last: Option<DateTime<Utc>>,
    top_entities: Vec<EntityRow>,
    articles: Vec<Article>,
}

pub fn run(ctx: &Ctx, a: StoryArgs) -> anyhow::Result<ExitCode> {
    let index = open_index(ctx)?;
    let since = a.since.as_deref().map(|s| parse_when(s, "--since")).transpose()?;
    let mut docs = index.story_docs(&a.id, MAX_ARTICLES)?;
    let mut story_id = a.id.clone();
    if docs.is_empty() {
        // an article id: its story
        if let Some(s) = index.get(&a.id)?.and_then(|d| d.story_id) {
            docs = index.story_docs(&s, MAX_ARTICLES)?;
            story_id = s;
        }
    }
    if docs.is_empty() {
        return Err(user_error(format!("no story or article with id {:?}", a.id)));
    }
    let when = |d: &vigie_schemas::Document| d.published.unwrap_or(d.ingested_at);
    docs.retain(|d| since.is_none_or(|s| when(d) >= s));
    let state = vigie_engine::topics::load_state(&ctx.dir())?;
    let topic = state.as_ref().and_then(|s| s.story_topic.get(&story_id).and_then(|t| s.topic(t)));
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
    let report = StoryReport {
        id: story_id.clone(),
        topic_id: topic.map(|t| t.id.clone()),
        topic_label: topic.map(|t| t.label.clone()),
        documents: docs.len(),
        originals: docs.iter().filter(|d| d.dup_of.is_none()).count(),
        languages,
        sources,
        first: docs.iter().map(when).min(),
        last: docs.iter().map(when).max(),
        top_entities: top_entities(&index, counts, &names, 10)?,
        articles: docs
            .iter()
            .map(|d| Article {
                id: d.id.0.clone(),
                title: d.title.clone(),
                url: d.url.clone(),
                source: d.source.clone(),
                published: d.published,
                lang: d.lang.0.clone(),
                dup_of: d.dup_of.as_ref().map(|x| x.0.clone()),
            })
            .collect(),
    };
    let mut out = std::io::stdout().lock();
    if a.json {
        print_json(&mut out, &report)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "story      {}", report.id)?;
    if let (Some(id), Some(l)) = (&report.topic_id, &report.topic_label) {
        writeln!(out, "topic      {id}  {l}")?;
    }
    let join = |m: &BTreeMap<String, usize>| m.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ");
    writeln!(out, "articles   {} ({} copies)", report.documents, report.documents - report.originals)?;
    writeln!(out, "languages  {}", join(&report.languages))?;
    writeln!(out, "sources    {}", join(&report.sources))?;
    writeln!(out, "seen       {} .. {}", fmt_date(report.first), fmt_date(report.last))?;
    let ents: Vec<String> = report.top_entities.iter().map(|e| format!("{} ({})", e.name, e.documents)).collect();
    writeln!(out, "entities   {}\n", ents.join(", "))?;
    let rows: Vec<Vec<String>> = report
        .articles
        .iter()
        .map(|x| {
            vec![
                fmt_date(x.published),
                x.lang.clone(),
                shorten(x.source.as_deref().unwrap_or("-"), 18),
                shorten(&x.title, 70) + if x.dup_of.is_some() { " (dup)" } else { "" },
                x.id.clone(),
            ]
        })
        .collect();
    print_table(&mut out, &["published", "lang", "source", "title", "id"], &rows)?;
    Ok(ExitCode::SUCCESS)
}
