//! Shared command-line plumbing: the data directory, errors and exit codes, dates,
//! output.

use anyhow::Context;
use chrono::{DateTime, Utc};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

/// What every command gets.
pub struct Ctx {
    pub data: PathBuf,
    pub quiet: bool,
}

impl Ctx {
    /// The data directory's layout.
    pub fn dir(&self) -> vigie_engine::DataDir {
        vigie_engine::DataDir::new(&self.data)
    }
    pub fn index_dir(&self) -> PathBuf {
        self.dir().index_dir()
    }
    pub fn rejects_path(&self) -> PathBuf {
        self.dir().rejects_path()
    }
    /// A spinner on stderr, hidden when stderr is not a terminal or with --quiet.
    pub fn spinner(&self, what: &str) -> ProgressBar {
        let pb = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if self.quiet || !std::io::stderr().is_terminal() {
            pb.set_draw_target(ProgressDrawTarget::hidden());
        }
        pb.set_style(ProgressStyle::with_template("{spinner} {prefix} {msg} [{elapsed}]").expect("static template"));
        pb.set_prefix(what.to_string());
        pb.enable_steady_tick(std::time::Duration::from_millis(120));
        pb
    }
}

/// The filters read commands share (`--lang --since --until --source`).
#[derive(clap::Args, Debug, Clone, Default)]
pub struct FilterArgs {
    #[arg(long)]
    pub lang: Option<String>,
    /// Published at or after (2025-01-29, RFC 3339, or 7d ago)
    #[arg(long)]
    pub since: Option<String>,
    /// Published before
    #[arg(long)]
    pub until: Option<String>,
    #[arg(long)]
    pub source: Option<String>,
    /// Only the documents of one topic (ids: vigie topics)
    #[arg(long)]
    pub topic: Option<String>,
}

impl FilterArgs {
    /// The filters as the engine reads them.
    pub fn spec(&self) -> vigie_engine::params::FilterSpec {
        vigie_engine::params::FilterSpec {
            lang: self.lang.clone(),
            since: self.since.clone(),
            until: self.until.clone(),
            source: self.source.clone(),
            topic: self.topic.clone(),
        }
    }

    /// The index filters, dates parsed (an unreadable date is a usage error) and a topic
    /// resolved to its stories from the data directory's topic state.
    pub fn build(&self, ctx: &Ctx) -> anyhow::Result<vigie_index::Filters> {
        Ok(self.spec().build(&ctx.dir(), "--")?)
    }

    /// The filters other than `--topic` (for commands that list topics themselves).
    pub fn build_without_topic(&self) -> anyhow::Result<vigie_index::Filters> {
        Ok(self.spec().build_without_topic("--")?)
    }
}

pub use vigie_engine::frontend::{error_line, one_line};

/// An error in what the user gave (exit code 1), as opposed to an internal one (2).
pub fn user_error(msg: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(vigie_engine::frontend::UsageError(msg.into()))
}

/// The exit code of a failed command (see [`vigie_engine::frontend::exit_code`]).
pub fn exit_code(e: &anyhow::Error) -> u8 {
    vigie_engine::frontend::exit_code(e.as_ref())
}

pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    vigie_engine::frontend::is_broken_pipe(e.as_ref())
}

/// `2025-01-29`, RFC 3339, or a time ago: `7d`, `24h`, `2w` (see the engine's params).
pub fn parse_when(s: &str, flag: &str) -> anyhow::Result<DateTime<Utc>> {
    Ok(vigie_engine::params::when(s, flag)?)
}

/// `7d`, `24h`, `2w`, `30m`, `90s` (see the engine's params).
pub fn parse_duration(s: &str) -> Option<chrono::Duration> {
    vigie_engine::params::duration(s)
}

/// One JSON object per row, one per line; the command's exit status.
pub fn print_json_lines<T: Serialize>(out: &mut impl Write, rows: &[T]) -> anyhow::Result<std::process::ExitCode> {
    for r in rows {
        print_json(out, r)?;
    }
    Ok(std::process::ExitCode::SUCCESS)
}

/// One JSON object on one line of stdout.
pub fn print_json<T: Serialize>(out: &mut impl Write, v: &T) -> anyhow::Result<()> {
    serde_json::to_writer(&mut *out, v)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// Prints rows as an aligned table (the human form of read commands).
pub fn print_table(out: &mut impl Write, header: &[&str], rows: &[Vec<String>]) -> anyhow::Result<()> {
    let n = header.len();
    let mut w: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate().take(n) {
            w[i] = w[i].max(c.chars().count());
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                s.push_str(c);
            } else {
                s.push_str(c);
                s.push_str(&" ".repeat(w[i] - c.chars().count() + 2));
            }
        }
        s.trim_end().to_string()
    };
    writeln!(out, "{}", line(header.to_vec()))?;
    for r in rows {
        writeln!(out, "{}", line(r.iter().map(String::as_str).collect()))?;
    }
    Ok(())
}

pub fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_string();
    }
    let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
    t.push('…');
    t
}

pub fn fmt_date(d: Option<DateTime<Utc>>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "-".into())
}

pub fn open_index(ctx: &Ctx) -> anyhow::Result<vigie_index::VigieIndex> {
    vigie_index::VigieIndex::open(&ctx.index_dir()).with_context(|| format!("opening {}", ctx.data.display()))
}

/// How the encoder runs (ingest, watch, eval): precision and engine.
#[derive(clap::Args, Debug, Clone)]
pub struct ModelArgs {
    /// Encoder precision: auto (bf16 where the CPU has AVX512-BF16 or AMX, else fp32),
    /// fp32, bf16 or int8 (VNNI; holds NER but moves topic clusters: see the README)
    #[arg(long, default_value = "auto", env = "VIGIE_PRECISION")]
    pub precision: vigie_pipeline::encoder::PrecisionChoice,
    /// Encoder engine: native (vigie's forward, stops at the last layer it needs) or
    /// rust-bert (the fp32/bf16 reference, all layers)
    #[arg(long, default_value = "native", hide = true)]
    pub engine: vigie_pipeline::encoder::Engine,
    /// Where document embeddings come from: all-windows (last layer of every window) or
    /// first-window (last layer of the title and lead only)
    #[arg(long, default_value = "all-windows", hide = true)]
    pub embedding_from: vigie_pipeline::encoder::EmbeddingFrom,
    /// Encoder worker threads, each on batches of its own, the cores shared between them
    /// (default: one per core up to two, then one per two cores; 1 to 64)
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=64))]
    pub model_workers: Option<u8>,
    /// Cores to use: the encoder's threads and the CPU workers (default: all; one vigie
    /// per Spark executor core runs with 1)
    #[arg(long, env = "VIGIE_THREADS", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
}

impl ModelArgs {
    /// Applies `--threads` to the stages of this process.
    pub fn apply_threads(&self) {
        if let Some(t) = self.threads {
            vigie_pipeline::set_cores(usize::from(t));
        }
    }

    pub fn options(&self) -> vigie_pipeline::encoder::EncoderOptions {
        vigie_pipeline::encoder::EncoderOptions {
            precision: self.precision,
            engine: self.engine,
            embedding: self.embedding_from,
            ..Default::default()
        }
    }
}
