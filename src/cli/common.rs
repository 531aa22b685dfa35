//! Shared command-line plumbing: the data directory, errors and exit codes, dates,
//! output.

use anyhow::Context;
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
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
    /// The index filters, dates parsed (an unreadable date is a usage error) and a topic
    /// resolved to its stories from the data directory's topic state.
    pub fn build(&self, ctx: &Ctx) -> anyhow::Result<vigie_index::Filters> {
        Ok(vigie_index::Filters {
            stories: self.topic.as_deref().map(|t| vigie_engine::topics::stories_of(&ctx.dir(), t)).transpose()?,
            ..self.build_without_topic()?
        })
    }

    /// The filters other than `--topic` (for commands that list topics themselves).
    pub fn build_without_topic(&self) -> anyhow::Result<vigie_index::Filters> {
        Ok(vigie_index::Filters {
            lang: self.lang.clone(),
            source: self.source.clone(),
            entity: None,
            since: self.since.as_deref().map(|s| parse_when(s, "--since")).transpose()?,
            until: self.until.as_deref().map(|s| parse_when(s, "--until")).transpose()?,
            originals_only: false,
            stories: None,
        })
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

/// `2025-01-29`, RFC 3339, or a time ago: `7d`, `24h`, `2w`.
pub fn parse_when(s: &str, flag: &str) -> anyhow::Result<DateTime<Utc>> {
    let t = parse_when_unbounded(s, flag)?;
    // the index holds 1678-2261; a date far outside would overflow the arithmetic of
    // windows and periods built on it
    if !(vigie_pipeline::normalize::MIN_YEAR..=vigie_pipeline::normalize::MAX_YEAR).contains(&t.year()) {
        return Err(user_error(format!(
            "{flag}: {s:?} is outside the dates vigie stores ({}-{})",
            vigie_pipeline::normalize::MIN_YEAR,
            vigie_pipeline::normalize::MAX_YEAR
        )));
    }
    Ok(t)
}

fn parse_when_unbounded(s: &str, flag: &str) -> anyhow::Result<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Ok(d.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight exists")));
    }
    if let Some(d) = parse_duration(s) {
        if let Some(t) = Utc::now().checked_sub_signed(d) {
            return Ok(t);
        }
    }
    Err(user_error(format!(
        "{flag}: cannot read {s:?} as a date (2025-01-29, RFC 3339, or 7d/24h/2w ago, at most {MAX_DURATION_DAYS} days)"
    )))
}

/// `7d`, `24h`, `2w`, `30m`, `90s`; at most [`MAX_DURATION_DAYS`] days (a larger or
/// overflowing number reads as no duration, which callers turn into a usage error).
pub fn parse_duration(s: &str) -> Option<Duration> {
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit())?);
    let n: i64 = num.parse().ok()?;
    let d = match unit {
        "s" => Duration::try_seconds(n),
        "m" | "min" => Duration::try_minutes(n),
        "h" => Duration::try_hours(n),
        "d" => Duration::try_days(n),
        "w" => Duration::try_weeks(n),
        _ => None,
    }?;
    (d <= Duration::days(MAX_DURATION_DAYS)).then_some(d)
}

/// The longest duration a flag accepts: 1,000 years.
pub const MAX_DURATION_DAYS: i64 = 365_250;

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
    /// (default: one per two cores; 1 to 64)
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=64))]
    pub model_workers: Option<u8>,
}

impl ModelArgs {
    pub fn options(&self) -> vigie_pipeline::encoder::EncoderOptions {
        vigie_pipeline::encoder::EncoderOptions {
            precision: self.precision,
            engine: self.engine,
            embedding: self.embedding_from,
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_dates_overflow_into_errors_not_panics() {
        assert_eq!(parse_duration("7d"), Some(Duration::days(7)));
        assert_eq!(parse_duration("90s"), Some(Duration::seconds(90)));
        assert_eq!(parse_duration("99999999999999d"), None);
        assert_eq!(parse_duration("9999999999999999d"), None);
        assert_eq!(parse_duration("99999999999999999999999d"), None);
        assert_eq!(parse_duration("400000d"), None);
        assert!(parse_when("99999999999999d", "--since").is_err());
        assert!(parse_when("36500d", "--since").is_ok());
        assert!(parse_when("365000d", "--since").is_err(), "before 1678");
        assert!(parse_when("-262143-01-01T00:00:00Z", "--at").is_err());
        assert!(parse_when("9999-12-31", "--until").is_err());
    }
}
