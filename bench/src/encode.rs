//! `vigie-bench encode`: the model stage alone (encoder + NER head + catalogue/KB
//! matching + linking) in tokens/s and articles/s on real French and English news, with
//! this machine's matrix-multiply rate for scale.

use crate::harness::{print_json, usage_error};
use clap::Args;
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;
use vigie_engine::corpus;
use vigie_engine::models::{ner_head_dir, open_analyzer, ModelDir};
use vigie_pipeline::encoder::{tch, EmbeddingFrom, EncoderOptions, Engine, PrecisionChoice};
use vigie_pipeline::runner::{Analyzer, Prepared};

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
    pub encoder: EncoderArgs,
    /// Encoder model directory (default: VIGIE_MODELS, else the user cache directory)
    #[arg(long)]
    pub models: Option<PathBuf>,
    /// The report as one JSON object instead of the table
    #[arg(long)]
    pub json: bool,
}

/// How the encoder runs (the same flags and defaults as `vigie ingest`'s).
#[derive(Args, Debug, Clone)]
pub struct EncoderArgs {
    /// Encoder precision: auto (bf16 where the CPU has AVX512-BF16 or AMX, else fp32),
    /// fp32, bf16 or int8 (VNNI)
    #[arg(long, default_value = "auto", env = "VIGIE_PRECISION")]
    pub precision: PrecisionChoice,
    /// Encoder engine: native (vigie's forward) or rust-bert (the fp32/bf16 reference)
    #[arg(long, default_value = "native", hide = true)]
    pub engine: Engine,
    /// Where document embeddings come from: all-windows or first-window
    #[arg(long, default_value = "all-windows", hide = true)]
    pub embedding_from: EmbeddingFrom,
}

impl EncoderArgs {
    pub fn options(&self) -> EncoderOptions {
        EncoderOptions { precision: self.precision, engine: self.engine, embedding: self.embedding_from, ..Default::default() }
    }
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
    engine: Engine,
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
    let t = Instant::now();
    let reps = 20;
    for _ in 0..reps {
        let _ = a.matmul(&b);
    }
    2.0 * (n * n * n) as f64 * reps as f64 / t.elapsed().as_secs_f64() / 1e9
}

/// One corpus to encode: its name and its articles as (title, body).
struct Corpus {
    name: String,
    docs: Vec<(String, String)>,
}

/// The corpora given, `--limit` articles each.
fn corpora(a: &EncodeBench) -> anyhow::Result<Vec<Corpus>> {
    let mut corpora = Vec::new();
    for p in &a.tsv {
        let docs = corpus::masakhanews(p)?.into_iter().take(a.limit).map(|r| (r.headline, r.text)).collect();
        corpora.push(Corpus { name: p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default(), docs });
    }
    if let Some(r) = &a.reuters {
        let docs = corpus::reuters(r)?
            .into_iter()
            .filter(|x| x.body.as_deref().is_some_and(|b| b.len() > 500))
            .take(a.limit)
            .map(|x| (x.title.unwrap_or_default(), x.body.unwrap_or_default()))
            .collect();
        corpora.push(Corpus { name: "reuters21578".into(), docs });
    }
    Ok(corpora)
}

pub fn bench(a: EncodeBench) -> anyhow::Result<()> {
    let corpora = corpora(&a)?;
    if corpora.is_empty() {
        return Err(usage_error("give --tsv FILE... and/or --reuters DIR"));
    }
    let models = ModelDir::resolve(a.models.as_deref())?;
    let an = open_analyzer(&models, ner_head_dir(None).as_deref(), &a.encoder.options(), None)?;
    let mut rows = Vec::new();
    for Corpus { name, docs } in &corpora {
        let mut prepared: Vec<Prepared> = docs.iter().map(|(t, b)| Prepared::from_text("bench", t, b)).collect();
        let tokens: usize = docs.iter().map(|(t, b)| an.encoder.count_tokens(&format!("{t}\n{b}")) + 2).sum();
        let t = Instant::now();
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
        return print_json(&mut out, &report);
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
    Ok(())
}
