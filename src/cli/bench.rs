//! `vigie bench ingest|encode` (`cluster` has its own file). `ingest`: end-to-end ingest throughput and peak memory on the
//! Reuters-21578 corpus, beside raw tantivy indexing of the same texts. Each side runs
//! in its own child process so that peak memory (VmHWM) is its own.

use super::common::{print_json, user_error, Ctx};
use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use vigie_engine::corpus;
use vigie_pipeline::encoder::tch;
use vigie_pipeline::ingest::FormatChoice;
use vigie_pipeline::lang::{LangConfig, LangDetector};

#[derive(Subcommand, Debug)]
pub enum BenchCommand {
    /// Ingest throughput without the model stages, against raw tantivy
    Ingest(IngestBench),
    /// Encoder + NER throughput (tokens/s, articles/s) on real French and English news
    Encode(EncodeBench),
    /// Story and topic clustering time and peak memory at growing sizes (up to 100,000
    /// articles of Reuters and HuffPost)
    Cluster(super::bench_cluster::ClusterBench),
    /// Latency (p50/p99) of monthly timelines and trend tables on 100,000 articles
    Queries(super::bench_queries::QueriesBench),
    /// Reverse matching of 1,000 saved rules against 1,000-article batches (Reuters)
    Alerts(super::bench_alerts::AlertsBench),
    /// (internal) one side of the ingest benchmark
    #[command(hide = true)]
    IngestPart(Part),
    /// (internal) one size of the clustering benchmark
    #[command(hide = true)]
    ClusterPart(super::bench_cluster::ClusterPart),
}

#[derive(Args, Debug)]
pub struct IngestBench {
    /// Reuters-21578 directory (reut2-*.sgm)
    #[arg(long)]
    pub corpus: PathBuf,
    /// Repeat the corpus this many times (distinct ids) for a longer run
    #[arg(long, default_value_t = 1)]
    pub repeat: usize,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct EncodeBench {
    /// MasakhaNEWS-style TSV files (category, headline, text, url)
    #[arg(long, num_args = 1..)]
    pub tsv: Vec<PathBuf>,
    /// Reuters-21578 directory (reut2-*.sgm)
    #[arg(long)]
    pub reuters: Option<PathBuf>,
    /// Articles per corpus
    #[arg(long, default_value_t = 200)]
    pub limit: usize,
    #[command(flatten)]
    pub model: super::common::ModelArgs,
    /// Encoder model directory (default: VIGIE_MODELS, else the user cache directory)
    #[arg(long)]
    pub models: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct Part {
    #[arg(long, value_enum)]
    pub side: Side,
    #[arg(long)]
    pub input: PathBuf,
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum Side {
    Vigie,
    Tantivy,
}

#[derive(Serialize, Deserialize, Debug)]
struct PartResult {
    docs: u64,
    seconds: f64,
    peak_rss_mb: f64,
}

#[derive(Serialize)]
struct Report {
    articles: usize,
    input_mb: f64,
    vigie_articles_per_s: f64,
    vigie_mb_per_s: f64,
    vigie_peak_rss_mb: f64,
    vigie_indexed: u64,
    tantivy_articles_per_s: f64,
    tantivy_mb_per_s: f64,
    tantivy_peak_rss_mb: f64,
    /// vigie time / raw tantivy time
    ratio: f64,
    cores: usize,
}

pub fn run(ctx: &Ctx, c: BenchCommand) -> anyhow::Result<ExitCode> {
    match c {
        BenchCommand::Ingest(a) => ingest_bench(a),
        BenchCommand::IngestPart(p) => part(ctx, p),
        BenchCommand::Encode(a) => encode_bench(a),
        BenchCommand::Cluster(a) => super::bench_cluster::bench(ctx, a),
        BenchCommand::Queries(a) => super::bench_queries::bench(ctx, a),
        BenchCommand::Alerts(a) => super::bench_alerts::bench(ctx, a),
        BenchCommand::ClusterPart(p) => super::bench_cluster::part(p),
    }
}

pub fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn ingest_bench(a: IngestBench) -> anyhow::Result<ExitCode> {
    if !a.corpus.is_dir() {
        return Err(user_error(format!("{}: not a directory (the Reuters-21578 corpus)", a.corpus.display())));
    }
    let tmp = tempfile::tempdir()?;
    let input = tmp.path().join("reuters.jsonl");
    let articles = corpus::reuters(&a.corpus)?;
    let mut n = 0usize;
    {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&input)?);
        for r in 0..a.repeat.max(1) {
            for art in &articles {
                let mut art = art.clone();
                if r > 0 {
                    art.id = art.id.map(|i| format!("{i}-r{r}"));
                }
                serde_json::to_writer(&mut w, &art)?;
                w.write_all(b"\n")?;
                n += 1;
            }
        }
    }
    let input_mb = std::fs::metadata(&input)?.len() as f64 / 1e6;
    let exe = std::env::current_exe()?;
    let mut results = Vec::new();
    for side in ["vigie", "tantivy"] {
        let out = tmp.path().join(side);
        let o = std::process::Command::new(&exe)
            .args(["--quiet", "bench", "ingest-part", "--side", side, "--input"])
            .arg(&input)
            .arg("--out")
            .arg(&out)
            .output()
            .context("running the benchmark child")?;
        if !o.status.success() {
            anyhow::bail!("{side} side failed: {}", String::from_utf8_lossy(&o.stderr));
        }
        let r: PartResult = serde_json::from_slice(&o.stdout).context("reading the child's result")?;
        results.push(r);
    }
    let (v, t) = (&results[0], &results[1]);
    let report = Report {
        articles: n,
        input_mb,
        vigie_articles_per_s: n as f64 / v.seconds,
        vigie_mb_per_s: input_mb / v.seconds,
        vigie_peak_rss_mb: v.peak_rss_mb,
        vigie_indexed: v.docs,
        tantivy_articles_per_s: n as f64 / t.seconds,
        tantivy_mb_per_s: input_mb / t.seconds,
        tantivy_peak_rss_mb: t.peak_rss_mb,
        ratio: v.seconds / t.seconds,
        cores: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
    };
    let mut out = std::io::stdout().lock();
    if a.json {
        print_json(&mut out, &report)?;
    } else {
        writeln!(out, "{} articles, {:.1} MB of JSON lines, {} cores", n, input_mb, report.cores)?;
        writeln!(
            out,
            "vigie ingest   {:>8.0} articles/s  {:>6.2} MB/s  peak {:>6.0} MB",
            report.vigie_articles_per_s, report.vigie_mb_per_s, report.vigie_peak_rss_mb
        )?;
        writeln!(
            out,
            "raw tantivy    {:>8.0} articles/s  {:>6.2} MB/s  peak {:>6.0} MB",
            report.tantivy_articles_per_s, report.tantivy_mb_per_s, report.tantivy_peak_rss_mb
        )?;
        writeln!(out, "vigie takes {:.2}x the time of raw tantivy", report.ratio)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn part(ctx: &Ctx, p: Part) -> anyhow::Result<ExitCode> {
    let t = std::time::Instant::now();
    let docs = match p.side {
        Side::Vigie => {
            let sub = Ctx { data: p.out.clone(), quiet: true };
            let lang = LangDetector::new(&LangConfig::default())?;
            let input = p.input.display().to_string();
            let s = super::ingest::ingest(
                &sub,
                &[input],
                &vigie_engine::IngestOptions::new(FormatChoice::Auto, &lang, None),
                &AtomicBool::new(false),
            )?;
            s.indexed
        }
        Side::Tantivy => raw_tantivy(&p)?,
    };
    let _ = ctx;
    let r = PartResult { docs, seconds: t.elapsed().as_secs_f64(), peak_rss_mb: peak_rss_mb() };
    print_json(&mut std::io::stdout().lock(), &r)?;
    Ok(ExitCode::SUCCESS)
}

/// The reference: parse the same JSON lines and index title and body with tantivy's
/// default analyzer, stored, one commit at the end, same writer budget; one indexing
/// thread per core up to 4, its fastest setting (vigie gives its own workers most cores).
fn raw_tantivy(p: &Part) -> anyhow::Result<u64> {
    use tantivy::schema::{Schema, STORED, TEXT};
    let mut sb = Schema::builder();
    let title = sb.add_text_field("title", TEXT | STORED);
    let body = sb.add_text_field("body", TEXT | STORED);
    std::fs::create_dir_all(&p.out)?;
    let index = tantivy::Index::create_in_dir(&p.out, sb.build())?;
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).clamp(1, 4);
    let mut w: tantivy::IndexWriter = index.writer_with_num_threads(threads, 128 * 1024 * 1024)?;
    let f = std::io::BufReader::new(std::fs::File::open(&p.input)?);
    let mut n = 0;
    for line in f.lines() {
        let a: vigie_schemas::Article = serde_json::from_str(&line?)?;
        w.add_document(tantivy::doc!(title => a.title.unwrap_or_default(), body => a.body.unwrap_or_default()))?;
        n += 1;
    }
    w.commit()?;
    w.wait_merging_threads()?;
    Ok(n)
}

#[derive(Serialize)]
struct EncodeRow {
    corpus: String,
    articles: usize,
    tokens: usize,
    seconds: f64,
    articles_per_s: f64,
    tokens_per_s: f64,
    entities_per_article: f64,
}

#[derive(Serialize)]
struct EncodeReport {
    precision: &'static str,
    engine: vigie_pipeline::encoder::Engine,
    /// the CPU flags that decide `auto`
    cpu: Vec<&'static str>,
    rows: Vec<EncodeRow>,
    /// fp32 (and bf16) matrix-multiply rate of this machine through libtorch, GFLOP/s
    gemm_fp32_gflops: f64,
    gemm_bf16_gflops: f64,
    /// what the fp32 GEMM rate allows at about 52 MFLOP per token (12 layers, 512-token windows)
    gemm_bound_tokens_per_s: f64,
    threads: i32,
}

fn gemm_gflops(kind: tch::Kind) -> f64 {
    // without bf16 hardware (AVX2-only CPUs) libtorch falls back to a naive bf16 loop:
    // keep that measurement short
    let n = if kind == tch::Kind::Float { 1024i64 } else { 256 };
    let a = tch::Tensor::randn([n, n], (kind, tch::Device::Cpu));
    let b = tch::Tensor::randn([n, n], (kind, tch::Device::Cpu));
    let _ = a.matmul(&b);
    let t = std::time::Instant::now();
    let reps = 20;
    for _ in 0..reps {
        let _ = a.matmul(&b);
    }
    2.0 * (n * n * n) as f64 * reps as f64 / t.elapsed().as_secs_f64() / 1e9
}

fn encode_bench(a: EncodeBench) -> anyhow::Result<ExitCode> {
    use vigie_pipeline::runner::Analyzer;
    let mut corpora: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for p in &a.tsv {
        let docs: Vec<(String, String)> = corpus::masakhanews(p)?.into_iter().take(a.limit).map(|r| (r.headline, r.text)).collect();
        corpora.push((p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default(), docs));
    }
    if let Some(r) = &a.reuters {
        let docs = corpus::reuters(r)?
            .into_iter()
            .filter(|x| x.body.as_deref().is_some_and(|b| b.len() > 500))
            .take(a.limit)
            .map(|x| (x.title.unwrap_or_default(), x.body.unwrap_or_default()))
            .collect();
        corpora.push(("reuters21578".into(), docs));
    }
    if corpora.is_empty() {
        return Err(user_error("give --tsv FILE... and/or --reuters DIR"));
    }
    let an = super::ingest::load_analyzer(a.models.as_deref(), None, &a.model)?;
    let mut rows = Vec::new();
    for (name, docs) in &corpora {
        let mut prepared: Vec<vigie_pipeline::runner::Prepared> =
            docs.iter().map(|(t, b)| vigie_pipeline::runner::Prepared::from_text("bench", t, b)).collect();
        let tokens: usize = docs.iter().map(|(t, b)| an.encoder.count_tokens(&format!("{t}\n{b}")) + 2).sum();
        let t = std::time::Instant::now();
        for chunk in prepared.chunks_mut(16) {
            an.analyze(chunk);
        }
        let s = t.elapsed().as_secs_f64();
        let ents: usize = prepared.iter().map(|p| p.doc.entities.len()).sum();
        rows.push(EncodeRow {
            corpus: name.clone(),
            articles: docs.len(),
            tokens,
            seconds: s,
            articles_per_s: docs.len() as f64 / s,
            tokens_per_s: tokens as f64 / s,
            entities_per_article: ents as f64 / docs.len().max(1) as f64,
        });
    }
    let fp32 = gemm_gflops(tch::Kind::Float);
    let report = EncodeReport {
        precision: an.encoder.precision.as_str(),
        engine: an.encoder.engine,
        cpu: an.encoder.cpu.names(),
        rows,
        gemm_fp32_gflops: fp32,
        gemm_bf16_gflops: gemm_gflops(tch::Kind::BFloat16),
        gemm_bound_tokens_per_s: fp32 * 1e9 / 52e6,
        threads: tch::get_num_threads(),
    };
    let mut out = std::io::stdout().lock();
    if a.json {
        print_json(&mut out, &report)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "encoder + NER, {:?} engine, {} precision, {} threads, CPU flags: {}",
        report.engine,
        report.precision,
        report.threads,
        report.cpu.join(" ")
    )?;
    for r in &report.rows {
        writeln!(
            out,
            "{:<16} {:>4} articles {:>7} tokens {:>6.1} s  {:>6.2} articles/s  {:>6.0} tokens/s  {:.1} entities/article",
            r.corpus, r.articles, r.tokens, r.seconds, r.articles_per_s, r.tokens_per_s, r.entities_per_article
        )?;
    }
    writeln!(
        out,
        "GEMM fp32 {:.0} GFLOP/s, bf16 {:.0} GFLOP/s; fp32 GEMM bound at 52 MFLOP/token: {:.0} tokens/s",
        report.gemm_fp32_gflops, report.gemm_bf16_gflops, report.gemm_bound_tokens_per_s
    )?;
    Ok(ExitCode::SUCCESS)
}
