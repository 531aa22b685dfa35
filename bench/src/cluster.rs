//! `vigie-bench cluster`: story and topic clustering time and peak memory on up to
//! 100,000 real articles (Reuters-21578 and HuffPost), at several sizes to show how time
//! grows. Embeddings are computed once (title and lead, encoder only) and cached; larger
//! sizes repeat the corpus with dates shifted by 20 years per copy, so copies form their
//! own stories instead of joining the originals'. Each size runs in a child process so
//! that its peak memory is its own.

use crate::documents::bench_origin;
use crate::harness::{fmt_mb, peak_rss_mb, print_json, print_json_lines, run_part, usage_error};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::{Deserialize, Serialize};
use std::ffi::OsStr;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;
use vigie_engine::corpus;
use vigie_engine::models::ModelDir;
use vigie_pipeline::encoder::{Device, Encoder};
use vigie_pipeline::normalize::first_chars as cut;
use vigie_pipeline::stories::{title_terms, Stories, StoryInput};
use vigie_pipeline::topics::{cluster, StoryPoint, TopicConfig};
use vigie_schemas::{Article, DocId};

#[derive(Args, Debug)]
pub struct ClusterBench {
    /// Reuters-21578 directory (reut2-*.sgm)
    #[arg(long)]
    pub reuters: PathBuf,
    /// HuffPost news category JSON lines
    #[arg(long)]
    pub huffpost: PathBuf,
    /// Where the embeddings are cached
    #[arg(long, default_value = "target/bench-cache/cluster")]
    pub cache: PathBuf,
    /// Article counts to cluster
    #[arg(long, value_delimiter = ',', default_value = "25000,50000,100000")]
    pub sizes: Vec<usize>,
    /// Model directory (default: VIGIE_MODELS, else ~/.cache/vigie/models)
    #[arg(long)]
    pub models: Option<PathBuf>,
    /// One JSON object per size instead of the table
    #[arg(long)]
    pub json: bool,
}

/// One size, in its child process.
#[derive(Args, Debug)]
pub struct ClusterPart {
    #[arg(long)]
    pub cache: PathBuf,
    #[arg(long)]
    pub n: usize,
}

#[derive(Serialize, Deserialize)]
struct Meta {
    id: String,
    when: i64,
    title: String,
}

#[derive(Serialize, Deserialize)]
struct PartResult {
    articles: usize,
    stories: usize,
    topics: usize,
    outlier_articles: f64,
    story_seconds: f64,
    topic_seconds: f64,
    articles_per_s: f64,
    peak_rss_mb: Option<f64>,
}

/// Characters of the body encoded with the title: the lead (about 128 tokens).
const LEAD_CHARS: usize = 500;
const DIM: usize = 384;
/// Years between copies of the corpus.
const SHIFT_SECS: i64 = 20 * 365 * 86_400;
const EMBEDDINGS: &str = "emb.f16";
const METAS: &str = "meta.jsonl";

/// Whether the embeddings are cached (else the benchmark runs the encoder first).
pub fn cache_ready(cache: &Path) -> bool {
    cache.join(EMBEDDINGS).exists() && cache.join(METAS).exists()
}

/// The two corpora, normalized (ids, dates), each with the text to embed.
fn articles(reuters: &Path, huffpost: &Path) -> anyhow::Result<Vec<(Meta, String)>> {
    let normalizer = vigie_pipeline::normalize::Normalizer::default();
    let mut raw: Vec<Article> = corpus::reuters(reuters)?;
    raw.extend(corpus::huffpost(huffpost)?);
    let mut out = Vec::with_capacity(raw.len());
    for a in raw {
        let Ok(n) = normalizer.normalize(&a, bench_origin()) else { continue };
        let when = n.published.map_or(0, |p| p.timestamp());
        let text = format!("{}\n{}", n.title, cut(&n.body, LEAD_CHARS));
        out.push((Meta { id: n.id.0, when, title: n.title }, text));
    }
    Ok(out)
}

/// A spinner on stderr, hidden when stderr is not a terminal or with --quiet.
fn spinner(what: &str, quiet: bool) -> ProgressBar {
    let pb = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    if quiet || !std::io::stderr().is_terminal() {
        pb.set_draw_target(ProgressDrawTarget::hidden());
    }
    pb.set_style(ProgressStyle::with_template("{spinner} {prefix} {msg} [{elapsed}]").expect("static template"));
    pb.set_prefix(what.to_string());
    pb.enable_steady_tick(std::time::Duration::from_millis(120));
    pb
}

fn build_cache(a: &ClusterBench, quiet: bool) -> anyhow::Result<()> {
    if cache_ready(&a.cache) {
        return Ok(());
    }
    let docs = articles(&a.reuters, &a.huffpost)?;
    let models = ModelDir::resolve(a.models.as_deref())?.require_encoder()?;
    let encoder = Encoder::load(&models, Device::Cpu).map_err(anyhow::Error::msg)?;
    std::fs::create_dir_all(&a.cache)?;
    let tmp = a.cache.join(format!("{EMBEDDINGS}.tmp"));
    let mut emb = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
    let pb = spinner("embedding", quiet);
    let t = Instant::now();
    for (i, chunk) in docs.chunks(64).enumerate() {
        let texts: Vec<&str> = chunk.iter().map(|(_, t)| t.as_str()).collect();
        for o in encoder.encode(&texts, &[]) {
            for x in &o.embedding {
                emb.write_all(&half::f16::from_f32(*x).to_le_bytes())?;
            }
        }
        let done = (i + 1) * 64;
        pb.set_message(format!("{done}/{} articles, {:.0}/s", docs.len(), done as f64 / t.elapsed().as_secs_f64()));
    }
    emb.flush()?;
    drop(emb);
    let mut meta = std::io::BufWriter::new(std::fs::File::create(a.cache.join(METAS))?);
    for (m, _) in &docs {
        serde_json::to_writer(&mut meta, m)?;
        meta.write_all(b"\n")?;
    }
    meta.flush()?;
    std::fs::rename(&tmp, a.cache.join(EMBEDDINGS))?;
    pb.finish_and_clear();
    tracing::info!(articles = docs.len(), seconds = t.elapsed().as_secs_f64(), "embeddings cached");
    Ok(())
}

pub fn bench(a: ClusterBench, quiet: bool) -> anyhow::Result<()> {
    if !a.reuters.is_dir() || !a.huffpost.is_file() {
        return Err(usage_error(format!("{} or {}: not found", a.reuters.display(), a.huffpost.display())));
    }
    build_cache(&a, quiet)?;
    let mut rows: Vec<PartResult> = Vec::new();
    for &n in &a.sizes {
        let n_arg = n.to_string();
        let args: [&OsStr; 5] = ["cluster-part".as_ref(), "--n".as_ref(), n_arg.as_ref(), "--cache".as_ref(), a.cache.as_ref()];
        rows.push(run_part(&format!("size {n}"), args)?);
    }
    let mut out = std::io::stdout().lock();
    if a.json {
        return print_json_lines(&mut out, &rows);
    }
    writeln!(
        out,
        "{:>8} {:>8} {:>7} {:>9} {:>9} {:>12} {:>9} {:>9}",
        "articles", "stories", "topics", "story s", "topic s", "articles/s", "outliers", "peak MB"
    )?;
    for r in &rows {
        writeln!(
            out,
            "{:>8} {:>8} {:>7} {:>9.1} {:>9.1} {:>12.0} {:>8.1}% {:>9}",
            r.articles,
            r.stories,
            r.topics,
            r.story_seconds,
            r.topic_seconds,
            r.articles_per_s,
            100.0 * r.outlier_articles,
            fmt_mb(r.peak_rss_mb)
        )?;
    }
    Ok(())
}

/// One size in this (child) process, from the cache; prints its result as JSON.
pub fn part(p: ClusterPart) -> anyhow::Result<()> {
    let metas: Vec<Meta> = std::io::BufReader::new(std::fs::File::open(p.cache.join(METAS))?)
        .lines()
        .map(|l| Ok(serde_json::from_str(&l?)?))
        .collect::<anyhow::Result<_>>()?;
    let bytes = std::fs::read(p.cache.join(EMBEDDINGS))?;
    if metas.is_empty() || bytes.len() != metas.len() * DIM * 2 {
        anyhow::bail!("{}: cache is empty or does not match its metadata; delete it", p.cache.display());
    }
    let emb: Vec<f32> = bytes.chunks_exact(2).map(|c| half::f16::from_le_bytes([c[0], c[1]]).to_f32()).collect();
    drop(bytes);
    let terms: Vec<Vec<String>> = metas.iter().map(|m| title_terms(&m.title)).collect();
    let t = Instant::now();
    let mut stories = Stories::with_defaults();
    for i in 0..p.n {
        let (k, copy) = (i % metas.len(), i / metas.len());
        let id = DocId(if copy == 0 { metas[k].id.clone() } else { format!("{}-c{copy}", metas[k].id) });
        stories.assign(&StoryInput {
            id: &id,
            when: metas[k].when + copy as i64 * SHIFT_SECS,
            lang: "en",
            embedding: Some(&emb[k * DIM..(k + 1) * DIM]),
            entities: Vec::new(),
            terms: &terms[k],
            body: "",
            dup_of: None,
            story: None,
        });
    }
    let story_seconds = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let centroids: Vec<Vec<f32>> = stories.stories().iter().map(|s| stories.centred_centroid(s)).collect();
    let points: Vec<StoryPoint<'_>> =
        stories.stories().iter().zip(&centroids).map(|(s, c)| StoryPoint { centroid: c, size: s.size }).collect();
    let c = cluster(&points, &TopicConfig::default());
    let topic_seconds = t.elapsed().as_secs_f64();
    let outlier_articles: u32 = stories.stories().iter().zip(&c.assignment).filter(|(_, a)| a.is_none()).map(|(s, _)| s.size).sum();
    let r = PartResult {
        articles: p.n,
        stories: stories.len(),
        topics: c.centroids.len(),
        outlier_articles: outlier_articles as f64 / p.n.max(1) as f64,
        story_seconds,
        topic_seconds,
        articles_per_s: p.n as f64 / (story_seconds + topic_seconds),
        peak_rss_mb: peak_rss_mb(),
    };
    print_json(&mut std::io::stdout().lock(), &r)
}
