//! `vigie-bench queries`: latency of a monthly timeline and of the trends table on an
//! index of 100,000 real articles (Reuters-21578 with its place/people/organization tags
//! as entities, HuffPost with its authors; repeated with dates shifted by 20 years per
//! copy to reach the size), p50 and p99 over repeated runs.

use crate::documents::{bench_document, bench_origin};
use crate::harness::{print_json, timed, usage_error, Latency};
use anyhow::Context;
use clap::Args;
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;
use vigie_engine::corpus;
use vigie_index::analytics::{Bucket, Selector, TimelineRequest, TrendRequest};
use vigie_index::{Extras, Filters, VigieIndex};
use vigie_schemas::{Article, EntityType};

#[derive(Args, Debug)]
pub struct QueriesBench {
    #[arg(long)]
    pub reuters: PathBuf,
    #[arg(long)]
    pub huffpost: PathBuf,
    /// Articles in the index
    #[arg(long, default_value_t = 100_000)]
    pub articles: usize,
    /// Timed runs of each query (of each request, for `api`)
    #[arg(long, default_value_t = 50)]
    pub runs: usize,
    /// Keep the index (the data directory, for `api`) here (default: a temporary directory)
    #[arg(long)]
    pub into: Option<PathBuf>,
    /// The report as one JSON object instead of the table
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct QueryLatency {
    query: String,
    rows: usize,
    p50_ms: f64,
    p99_ms: f64,
}

impl QueryLatency {
    fn new(query: String, rows: usize, l: Latency) -> Self {
        QueryLatency { query, rows, p50_ms: l.p50_ms, p99_ms: l.p99_ms }
    }
}

#[derive(Serialize)]
struct Report {
    articles: usize,
    build_seconds: f64,
    queries: Vec<QueryLatency>,
}

/// Years between copies of the corpus.
const SHIFT_YEARS: i64 = 20;

/// Both corpora with their entity ids: Reuters' tags, HuffPost's authors.
fn tagged_articles(reuters: &Path, huffpost: &Path) -> anyhow::Result<Vec<(Article, Vec<String>)>> {
    let tags = corpus::reuters_tags(reuters)?;
    let mut raw: Vec<(Article, Vec<String>)> = corpus::reuters(reuters)?
        .into_iter()
        .map(|x| {
            let t = tags.get(x.id.as_deref().unwrap_or("")).cloned().unwrap_or_default();
            (x, t)
        })
        .collect();
    for art in corpus::huffpost(huffpost)? {
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
    Ok(raw)
}

/// Indexes `articles` documents (copies of the corpora in later years past its size),
/// with their title terms as the pipeline stores them.
pub(crate) fn build(reuters: &Path, huffpost: &Path, articles: usize, index: &VigieIndex) -> anyhow::Result<usize> {
    let raw = tagged_articles(reuters, huffpost)?;
    let normalizer = vigie_pipeline::normalize::Normalizer::default();
    let mut w = index.writer()?;
    w.set_commit_every(50_000);
    let mut n = 0;
    // at most 100 copies: a corpus whose articles all fail to normalize ends the loop
    'outer: for copy in 0..=100 {
        for (art, ents) in &raw {
            if n >= articles {
                break 'outer;
            }
            let Ok(x) = normalizer.normalize(art, bench_origin()) else { continue };
            let shift = chrono::Duration::days(365 * SHIFT_YEARS * copy);
            let id = if copy == 0 { x.id.0.clone() } else { format!("{}-c{copy}", x.id.0) };
            let doc = bench_document(x, id, shift, ents);
            let terms = vigie_pipeline::stories::title_terms(&doc.title);
            w.add(&doc, &Extras { signature: &[], embedding: None, title_terms: &terms })?;
            n += 1;
        }
    }
    w.finish()?;
    index.reload()?;
    Ok(n)
}

pub fn bench(a: QueriesBench) -> anyhow::Result<()> {
    if !a.reuters.is_dir() || !a.huffpost.is_file() {
        return Err(usage_error(format!("{} or {}: not found", a.reuters.display(), a.huffpost.display())));
    }
    let tmp = tempfile::tempdir()?;
    let dir = a.into.clone().unwrap_or_else(|| tmp.path().join("index"));
    let t = Instant::now();
    let index = VigieIndex::open_or_create(&dir)?;
    let n = build(&a.reuters, &a.huffpost, a.articles, &index)?;
    let build_seconds = t.elapsed().as_secs_f64();
    let mut queries = Vec::new();
    let monthly = |sel: &str| TimelineRequest {
        series: vec![Selector::parse(sel)],
        by: Bucket::Month,
        tz: chrono_tz::Europe::Paris,
        filters: Filters::default(),
        normalize: false,
    };
    for sel in ["location:usa", "organization:opec", "oil OR crude"] {
        let req = monthly(sel);
        let (rows, l) = timed(a.runs, || Ok(index.timeline(&req)?.rows.len()))?;
        queries.push(QueryLatency::new(format!("timeline {sel} --by month"), rows, l));
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
        let (rows, l) = timed(a.runs, || Ok(index.trends(&req)?.len()))?;
        let label = kind.map_or(String::new(), |k| format!(" --type {k}"));
        queries.push(QueryLatency::new(format!("trends --window 7d --baseline 28d{label}"), rows, l));
    }
    let report = Report { articles: n, build_seconds, queries };
    let mut out = std::io::stdout().lock();
    if a.json {
        return print_json(&mut out, &report);
    }
    writeln!(out, "{} articles indexed in {:.1} s", report.articles, report.build_seconds)?;
    for q in &report.queries {
        writeln!(out, "{:<48} {:>5} rows  p50 {:>8.1} ms  p99 {:>8.1} ms", q.query, q.rows, q.p50_ms, q.p99_ms)?;
    }
    Ok(())
}
