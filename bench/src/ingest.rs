//! `vigie-bench ingest`: end-to-end ingest throughput and peak memory on the
//! Reuters-21578 corpus without the model stages, beside raw tantivy indexing of the same
//! texts. Each side runs in its own child process so that its peak memory is its own.

use crate::harness::{fmt_mb, peak_rss_mb, print_json, run_part, usage_error};
use clap::{Args, ValueEnum};
use serde::{Deserialize, Serialize};
use std::ffi::OsStr;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Instant;
use vigie_engine::{corpus, DataDir, IngestOptions, Session};
use vigie_pipeline::ingest::{FormatChoice, Input};
use vigie_pipeline::lang::{LangConfig, LangDetector};

#[derive(Args, Debug)]
pub struct IngestBench {
    /// Reuters-21578 directory (reut2-*.sgm)
    #[arg(long)]
    pub corpus: PathBuf,
    /// Repeat the corpus this many times (distinct ids) for a longer run
    #[arg(long, default_value_t = 1)]
    pub repeat: usize,
    /// The report as one JSON object instead of the table
    #[arg(long)]
    pub json: bool,
    /// Write the input and both indexes under this directory and keep them (to compare
    /// what two builds store); default: a temporary directory
    #[arg(long)]
    pub keep: Option<PathBuf>,
}

/// One side, in its child process.
#[derive(Args, Debug)]
pub struct IngestPart {
    #[arg(long, value_enum)]
    pub side: Side,
    /// The corpus as article.v1 JSON lines
    #[arg(long)]
    pub input: PathBuf,
    /// The data directory (vigie) or index directory (tantivy) to write
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
    /// user + system CPU time of the part, all threads (the figure that a busy machine
    /// changes least)
    #[serde(default)]
    cpu_seconds: Option<f64>,
    peak_rss_mb: Option<f64>,
}

#[derive(Serialize)]
struct Report {
    articles: usize,
    input_mb: f64,
    vigie_articles_per_s: f64,
    vigie_mb_per_s: f64,
    vigie_peak_rss_mb: Option<f64>,
    vigie_cpu_seconds: Option<f64>,
    vigie_indexed: u64,
    tantivy_articles_per_s: f64,
    tantivy_mb_per_s: f64,
    tantivy_peak_rss_mb: Option<f64>,
    tantivy_cpu_seconds: Option<f64>,
    /// vigie time / raw tantivy time
    ratio: f64,
    /// vigie CPU time / raw tantivy CPU time
    cpu_ratio: Option<f64>,
    cores: usize,
}

pub fn bench(a: IngestBench) -> anyhow::Result<()> {
    if !a.corpus.is_dir() {
        return Err(usage_error(format!("{}: not a directory (the Reuters-21578 corpus)", a.corpus.display())));
    }
    let tmp = tempfile::tempdir()?;
    let root = match &a.keep {
        Some(k) => {
            std::fs::create_dir_all(k)?;
            for side in ["vigie", "tantivy"] {
                if k.join(side).exists() {
                    std::fs::remove_dir_all(k.join(side))?;
                }
            }
            k.clone()
        }
        None => tmp.path().to_path_buf(),
    };
    let input = root.join("reuters.jsonl");
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
        w.flush()?;
    }
    let input_mb = std::fs::metadata(&input)?.len() as f64 / 1e6;
    let side = |name: &str| -> anyhow::Result<PartResult> {
        let out = root.join(name);
        let args: [&OsStr; 7] =
            ["ingest-part".as_ref(), "--side".as_ref(), name.as_ref(), "--input".as_ref(), input.as_ref(), "--out".as_ref(), out.as_ref()];
        run_part(&format!("the {name} side"), args)
    };
    let (v, t) = (side("vigie")?, side("tantivy")?);
    let report = Report {
        articles: n,
        input_mb,
        vigie_articles_per_s: n as f64 / v.seconds,
        vigie_mb_per_s: input_mb / v.seconds,
        vigie_peak_rss_mb: v.peak_rss_mb,
        vigie_cpu_seconds: v.cpu_seconds,
        vigie_indexed: v.docs,
        tantivy_articles_per_s: n as f64 / t.seconds,
        tantivy_mb_per_s: input_mb / t.seconds,
        tantivy_peak_rss_mb: t.peak_rss_mb,
        tantivy_cpu_seconds: t.cpu_seconds,
        ratio: v.seconds / t.seconds,
        cpu_ratio: v.cpu_seconds.zip(t.cpu_seconds).map(|(v, t)| v / t),
        cores: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
    };
    let mut out = std::io::stdout().lock();
    if a.json {
        return print_json(&mut out, &report);
    }
    writeln!(out, "{} articles, {:.1} MB of JSON lines, {} cores", n, input_mb, report.cores)?;
    let cpu = |s: Option<f64>| s.map_or_else(|| "-".to_string(), |s| format!("{s:.2}"));
    writeln!(
        out,
        "vigie ingest   {:>8.0} articles/s  {:>6.2} MB/s  cpu {:>6} s  peak {:>6} MB",
        report.vigie_articles_per_s,
        report.vigie_mb_per_s,
        cpu(report.vigie_cpu_seconds),
        fmt_mb(report.vigie_peak_rss_mb)
    )?;
    writeln!(
        out,
        "raw tantivy    {:>8.0} articles/s  {:>6.2} MB/s  cpu {:>6} s  peak {:>6} MB",
        report.tantivy_articles_per_s,
        report.tantivy_mb_per_s,
        cpu(report.tantivy_cpu_seconds),
        fmt_mb(report.tantivy_peak_rss_mb)
    )?;
    writeln!(out, "vigie takes {:.2}x the time of raw tantivy", report.ratio)?;
    if let Some(r) = report.cpu_ratio {
        writeln!(out, "vigie takes {r:.2}x the CPU time of raw tantivy")?;
    }
    Ok(())
}

/// One side in this (child) process; prints its result as JSON.
pub fn part(p: IngestPart) -> anyhow::Result<()> {
    let (t, cpu) = (Instant::now(), cpu_seconds());
    let docs = match p.side {
        Side::Vigie => vigie_ingest(&p)?,
        Side::Tantivy => raw_tantivy(&p)?,
    };
    let seconds = t.elapsed().as_secs_f64();
    let cpu_seconds = cpu.zip(cpu_seconds()).map(|(a, b)| b - a);
    let r = PartResult { docs, seconds, cpu_seconds, peak_rss_mb: peak_rss_mb() };
    print_json(&mut std::io::stdout().lock(), &r)
}

/// User + system CPU seconds of this process so far, all its threads (Linux: the
/// utime and stime fields of /proc/self/stat, in clock ticks of 1/100 s).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // the fields after the command name, which is in parentheses and may hold spaces
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let (utime, stime): (f64, f64) = (f.get(11)?.parse().ok()?, f.get(12)?.parse().ok()?);
    Some((utime + stime) / 100.0)
}

/// What `vigie ingest --no-entities FILE` does: one engine session on a new data
/// directory, one batch, default options (commits every 5,000 documents, all cores).
fn vigie_ingest(p: &IngestPart) -> anyhow::Result<u64> {
    let lang = LangDetector::new(&LangConfig::default())?;
    let opts = IngestOptions::new(FormatChoice::Auto, &lang, None);
    let mut session = Session::open(DataDir::new(&p.out))?;
    let result = session.ingest(&[Input::Path(p.input.clone())], &opts, &mut (), &AtomicBool::new(false));
    let closed = session.close();
    let summary = result?;
    closed?;
    Ok(summary.indexed)
}

/// The reference: parse the same JSON lines and index title and body with tantivy's
/// default analyzer, stored, one commit at the end, same writer budget; one indexing
/// thread per core up to 4, its fastest setting (vigie gives its own workers most cores).
fn raw_tantivy(p: &IngestPart) -> anyhow::Result<u64> {
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
