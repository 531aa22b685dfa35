//! `vigie bench queries`: latency of a monthly timeline and of the trends table on an
//! index of 100,000 real articles (Reuters-21578 with its place/people/organization tags
//! as entities, HuffPost with its authors; repeated with dates shifted by 20 years per
//! copy to reach the size), p50 and p99 over repeated runs.

use super::common::{print_json, user_error, Ctx};
use anyhow::Context;
use clap::Args;
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use vigie_engine::corpus;
use vigie_index::analytics::{Bucket, Selector, TimelineRequest, TrendRequest};
use vigie_index::{Extras, Filters, VigieIndex};
use vigie_schemas::{Article, Document, Entity, EntityId, EntityType, Lang, Origin};

#[derive(Args, Debug)]
pub struct QueriesBench {
    #[arg(long)]
    pub reuters: PathBuf,
    #[arg(long)]
    pub huffpost: PathBuf,
    /// Articles in the index
    #[arg(long, default_value_t = 100_000)]
    pub articles: usize,
    /// Timed runs of each query
    #[arg(long, default_value_t = 50)]
    pub runs: usize,
    /// Keep the index here (default: a temporary directory)
    #[arg(long)]
    pub into: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct Latency {
    query: String,
    rows: usize,
    p50_ms: f64,
    p99_ms: f64,
}

#[derive(Serialize)]
struct Report {
    articles: usize,
    build_seconds: f64,
    queries: Vec<Latency>,
}

const SHIFT_YEARS: i64 = 20;

pub(super) fn entity(id: &str) -> Entity {
    let (t, name) = id.split_once(':').unwrap_or(("other", id));
    Entity {
        id: EntityId(id.to_string()),
        kind: t.parse().unwrap_or(EntityType::Other),
        name: name.to_string(),
        surface: vec![name.to_string()],
        mentions: 1,
        in_title: false,
    }
}

/// A benchmark document: English, a story of its own, the given entity ids.
pub(super) fn bench_document(x: vigie_pipeline::normalize::Normalized, id: String, shift: chrono::Duration, ents: &[String]) -> Document {
    Document {
        id: id.clone().into(),
        title: x.title,
        body: x.body,
        url: x.url,
        source: x.source,
        published: x.published.map(|p| p + shift),
        published_raw: None,
        author: None,
        lang: Lang("en".into()),
        lang_confidence: 1.0,
        lang_hint: None,
        dup_of: None,
        story_id: Some(format!("s-{id}")),
        topic_id: None,
        entities: ents.iter().map(|e| entity(e)).collect(),
        ingested_at: chrono::Utc::now(),
        origin: Origin { file: "bench".into(), line: None },
    }
}

pub(super) fn time(runs: usize, mut f: impl FnMut() -> anyhow::Result<usize>) -> anyhow::Result<(usize, f64, f64)> {
    let rows = f()?; // warm-up
    let mut ms = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let t = std::time::Instant::now();
        f()?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    ms.sort_by(|a, b| a.total_cmp(b));
    let pct = |p: f64| ms[((ms.len() - 1) as f64 * p).round() as usize];
    Ok((rows, pct(0.5), pct(0.99)))
}

pub fn bench(_ctx: &Ctx, a: QueriesBench) -> anyhow::Result<ExitCode> {
    if !a.reuters.is_dir() || !a.huffpost.is_file() {
        return Err(user_error(format!("{} or {}: not found", a.reuters.display(), a.huffpost.display())));
    }
    let tags = corpus::reuters_tags(&a.reuters)?;
    let mut raw: Vec<(Article, Vec<String>)> = corpus::reuters(&a.reuters)?
        .into_iter()
        .map(|x| {
            let t = tags.get(x.id.as_deref().unwrap_or("")).cloned().unwrap_or_default();
            (x, t)
        })
        .collect();
    for art in corpus::huffpost(&a.huffpost)? {
        let authors: Vec<String> = art
            .author
            .as_ref()
            .map(|x| x.joined())
            .unwrap_or_default()
            .split(',')
            .map(|s| vigie_pipeline::entities::slug(s.trim()))
            .filter(|s| !s.is_empty())
            .map(|s| format!("person:{s}"))
            .collect();
        raw.push((art, authors));
    }
    let normalizer = vigie_pipeline::normalize::Normalizer::default();
    let tmp = tempfile::tempdir()?;
    let dir = a.into.clone().unwrap_or_else(|| tmp.path().join("index"));
    let t = std::time::Instant::now();
    let index = VigieIndex::open_or_create(&dir)?;
    let mut w = index.writer()?;
    w.set_commit_every(50_000);
    let mut n = 0;
    'outer: for copy in 0.. {
        for (art, ents) in &raw {
            if n >= a.articles {
                break 'outer;
            }
            let Ok(x) = normalizer.normalize(art, Origin { file: "bench".into(), line: None }) else { continue };
            let shift = chrono::Duration::days(365 * SHIFT_YEARS * copy);
            let id = if copy == 0 { x.id.0.clone() } else { format!("{}-c{copy}", x.id.0) };
            let doc = bench_document(x, id, shift, ents);
            w.add(&doc, &Extras { signature: &[], embedding: None, title_terms: &[] })?;
            n += 1;
        }
        if copy > 100 {
            break;
        }
    }
    w.finish()?;
    index.reload()?;
    let build_seconds = t.elapsed().as_secs_f64();
    let mut queries = Vec::new();
    let monthly = |sel: &str| TimelineRequest {
        series: vec![Selector::parse(sel)],
        by: Bucket::Month,
        tz: chrono_tz::Europe::Paris,
        filters: Filters::default(),
    };
    for sel in ["location:usa", "organization:opec", "oil OR crude"] {
        let req = monthly(sel);
        let (rows, p50, p99) = time(a.runs, || Ok(index.timeline(&req)?.rows.len()))?;
        queries.push(Latency { query: format!("timeline {sel} --by month"), rows, p50_ms: p50, p99_ms: p99 });
    }
    let at = index.latest_published()?.context("no dated documents")?;
    for kind in [None, Some(EntityType::Person)] {
        let req = TrendRequest {
            at,
            window: chrono::Duration::days(7),
            baseline: chrono::Duration::days(28),
            kind,
            filters: Filters::default(),
            top: 20,
            min_count: 2,
        };
        let (rows, p50, p99) = time(a.runs, || Ok(index.trends(&req)?.len()))?;
        let label = kind.map_or(String::new(), |k| format!(" --type {k}"));
        queries.push(Latency { query: format!("trends --window 7d --baseline 28d{label}"), rows, p50_ms: p50, p99_ms: p99 });
    }
    let report = Report { articles: n, build_seconds, queries };
    let mut out = std::io::stdout().lock();
    if a.json {
        print_json(&mut out, &report)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "{} articles indexed in {:.1} s", report.articles, report.build_seconds)?;
    for q in &report.queries {
        writeln!(out, "{:<48} {:>5} rows  p50 {:>8.1} ms  p99 {:>8.1} ms", q.query, q.rows, q.p50_ms, q.p99_ms)?;
    }
    Ok(ExitCode::SUCCESS)
}
