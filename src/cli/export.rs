//! `vigie export WHAT --format parquet|csv|ndjson|ipc [--out FILE] [filters]`: the index's
//! polars DataFrames written for pandas, polars, DuckDB or Spark; `vigie export documents
//! --format opensearch-bulk|quickwit`: every stored document for a search cluster, streamed;
//! `vigie export opensearch-template|quickwit-config`: what that cluster's index is made with.

use super::common::{open_index, print_json, user_error, Ctx, FilterArgs};
use anyhow::Context;
use clap::{Args, ValueEnum};
use serde::Serialize;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use vigie_engine::reports::FrameRequest;
use vigie_engine::TopicSource;
use vigie_index::analytics::{Bucket, Selector, TimelineRequest};
use vigie_index::bulk::{self, ClusterFormat};
use vigie_index::frames::{self, FrameFormat};

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum What {
    /// one row per document (entity ids as a list); or every document for a search
    /// cluster (--format opensearch-bulk|quickwit)
    Documents,
    /// the entities table (documents, stories, mentions, first/last seen)
    Entities,
    /// one row per (document, entity)
    Mentions,
    /// a timeline (--series ID|QUERY ..., --by, --tz)
    Timeline,
    /// the trends table (--window, --baseline)
    Trends,
    /// one row per story
    Stories,
    /// one row per topic
    Topics,
    /// the OpenSearch / Elasticsearch index template for --format opensearch-bulk
    /// (schemas/opensearch/vigie-template.json, patterns from --index-name)
    OpensearchTemplate,
    /// the Quickwit index config for --format quickwit (schemas/quickwit/vigie-index.yaml,
    /// index_id from --index-name)
    QuickwitConfig,
}

/// A table format, or a search cluster's bulk format (documents only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Frame(FrameFormat),
    OpensearchBulk,
    Quickwit,
}

impl std::str::FromStr for ExportFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "opensearch-bulk" | "opensearch" | "elasticsearch-bulk" | "elasticsearch" => Ok(ExportFormat::OpensearchBulk),
            "quickwit" => Ok(ExportFormat::Quickwit),
            _ => s
                .parse()
                .map(ExportFormat::Frame)
                .map_err(|_| format!("{s:?}: expected parquet, csv, ndjson, ipc, opensearch-bulk or quickwit")),
        }
    }
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    pub what: What,
    /// parquet, csv, ndjson or ipc (Arrow IPC / Feather v2); documents also
    /// opensearch-bulk (_bulk NDJSON) or quickwit (NDJSON)
    #[arg(long)]
    pub format: Option<ExportFormat>,
    /// The file to write (default: stdout, the summary then on stderr)
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// opensearch-bulk, opensearch-template, quickwit-config: the index name
    #[arg(long, default_value = bulk::DEFAULT_INDEX)]
    pub index_name: String,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// timeline: entity ids or queries, one series each
    #[arg(long, num_args = 1..)]
    pub series: Vec<String>,
    /// timeline: day, week or month
    #[arg(long, default_value = "week")]
    pub by: Bucket,
    /// timeline: time zone of the buckets
    #[arg(long, default_value = "UTC")]
    pub tz: String,
    /// trends: the recent window
    #[arg(long, default_value = "7d")]
    pub window: String,
    /// trends: the baseline before it
    #[arg(long, default_value = "28d")]
    pub baseline: String,
    /// trends: least documents in the window
    #[arg(long, default_value_t = 2)]
    pub min_count: u64,
    /// entities and trends: at most this many rows
    #[arg(long, default_value_t = 1000)]
    pub top: usize,
    /// Print a JSON summary (rows, columns)
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct Summary {
    out: String,
    rows: usize,
    columns: Vec<String>,
    /// search-cluster formats: the format and the lines written
    #[serde(skip_serializing_if = "Option::is_none")]
    format: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lines: Option<u64>,
}

/// Where the export goes: `--out FILE`, else stdout (`-` too).
struct Sink {
    out: Box<dyn Write>,
    name: String,
    stdout: bool,
}

impl Sink {
    fn open(out: &Option<PathBuf>) -> anyhow::Result<Sink> {
        match out {
            Some(p) if p.as_os_str() != "-" => {
                let f = std::fs::File::create(p).map_err(|e| user_error(format!("{}: {e}", p.display())))?;
                Ok(Sink { out: Box::new(std::io::BufWriter::with_capacity(1 << 16, f)), name: p.display().to_string(), stdout: false })
            }
            _ => Ok(Sink {
                out: Box::new(std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock())),
                name: "stdout".into(),
                stdout: true,
            }),
        }
    }
}

pub fn run(ctx: &Ctx, a: ExportArgs) -> anyhow::Result<ExitCode> {
    let format = match (a.what, a.format) {
        (What::OpensearchTemplate | What::QuickwitConfig, None) => None,
        (What::OpensearchTemplate | What::QuickwitConfig, Some(_)) => {
            return Err(user_error(format!("export {}: takes no --format", name(a.what))));
        }
        (_, None) => {
            return Err(user_error(format!(
                "export {}: give --format parquet|csv|ndjson|ipc{}",
                name(a.what),
                if a.what == What::Documents { "|opensearch-bulk|quickwit" } else { "" }
            )))
        }
        (What::Documents, Some(f)) => Some(f),
        (_, Some(ExportFormat::Frame(f))) => Some(ExportFormat::Frame(f)),
        (w, Some(_)) => {
            return Err(user_error(format!(
                "export {}: --format opensearch-bulk and quickwit export documents only (vigie export documents --format ...)",
                name(w)
            )))
        }
    };
    match format {
        None => template(&a),
        Some(ExportFormat::Frame(f)) => table(ctx, &a, f),
        Some(ExportFormat::OpensearchBulk) => {
            if let Some(p) = bulk::opensearch_index_problem(&a.index_name) {
                return Err(user_error(format!("--index-name: {p}")));
            }
            documents(ctx, &a, ClusterFormat::OpenSearch { index: a.index_name.clone() })
        }
        Some(ExportFormat::Quickwit) => documents(ctx, &a, ClusterFormat::Quickwit),
    }
}

fn name(w: What) -> String {
    w.to_possible_value().map_or_else(String::new, |v| v.get_name().to_string())
}

/// The summary: on stdout, or on stderr when the export itself went to stdout (not at
/// all then with --quiet).
fn report(ctx: &Ctx, a: &ExportArgs, sink_was_stdout: bool, s: &Summary) -> anyhow::Result<ExitCode> {
    if sink_was_stdout && ctx.quiet {
        return Ok(ExitCode::SUCCESS);
    }
    let mut out: Box<dyn Write> = if sink_was_stdout { Box::new(std::io::stderr().lock()) } else { Box::new(std::io::stdout().lock()) };
    if a.json {
        print_json(&mut out, s)?;
    } else if let Some(lines) = s.lines {
        writeln!(out, "{} documents ({lines} lines, {}) -> {}", s.rows, s.format.unwrap_or_default(), s.out)?;
    } else {
        writeln!(out, "{} rows x {} columns -> {}", s.rows, s.columns.len(), s.out)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn table(ctx: &Ctx, a: &ExportArgs, format: FrameFormat) -> anyhow::Result<ExitCode> {
    let to_stdout = a.out.as_ref().is_none_or(|p| p.as_os_str() == "-");
    if to_stdout && matches!(format, FrameFormat::Parquet | FrameFormat::Ipc) && std::io::stdout().is_terminal() {
        return Err(user_error(format!("export {}: {format:?} is binary: give --out FILE or redirect stdout", name(a.what))));
    }
    let index = open_index(ctx)?;
    let filters = a.filters.build(ctx)?;
    let req = match a.what {
        What::Documents => FrameRequest::Documents,
        What::Mentions => FrameRequest::Mentions,
        What::Stories => FrameRequest::Stories,
        What::Topics => FrameRequest::Topics,
        What::Entities => FrameRequest::Entities { top: a.top },
        What::Timeline => {
            if a.series.is_empty() {
                return Err(user_error("export timeline: give --series ID|QUERY ..."));
            }
            FrameRequest::Timeline(TimelineRequest {
                series: a.series.iter().map(|s| Selector::parse(s)).collect(),
                by: a.by,
                tz: vigie_engine::params::time_zone(&a.tz, "--tz")?,
                filters: filters.clone(),
                normalize: false,
            })
        }
        What::Trends => FrameRequest::Trends {
            window: vigie_engine::params::window(&a.window, "--window")?,
            baseline: vigie_engine::params::window(&a.baseline, "--baseline")?,
            min_count: a.min_count,
            top: a.top,
        },
        What::OpensearchTemplate | What::QuickwitConfig => unreachable!("templates take no --format"),
    };
    let mut df = vigie_engine::reports::frame(&ctx.dir(), &index, req, filters)?;
    let mut sink = Sink::open(&a.out)?;
    frames::write_frame_to(&mut df, &mut sink.out, format)?;
    sink.out.flush().with_context(|| sink.name.clone())?;
    let s = Summary {
        out: sink.name.clone(),
        rows: df.height(),
        columns: df.get_column_names().iter().map(|c| c.to_string()).collect(),
        format: None,
        lines: None,
    };
    report(ctx, a, sink.stdout, &s)
}

/// Every stored document the filters select, for a search cluster, a page at a time.
fn documents(ctx: &Ctx, a: &ExportArgs, format: ClusterFormat) -> anyhow::Result<ExitCode> {
    let index = open_index(ctx)?;
    let filters = a.filters.build(ctx)?;
    let state = ctx.dir().topic_state()?;
    let empty = Default::default();
    let topics = state.as_ref().map_or(&empty, |s| &s.story_topic);
    let mut sink = Sink::open(&a.out)?;
    let pb = ctx.spinner("export");
    let n = index
        .write_cluster_documents(&filters, topics, &format, &mut sink.out, &sink.name, &mut |n| pb.set_message(format!("{n} documents")))?;
    pb.finish_and_clear();
    let (fmt, lines) = match format {
        ClusterFormat::OpenSearch { .. } => ("opensearch-bulk", 2 * n),
        ClusterFormat::Quickwit => ("quickwit", n),
    };
    let s = Summary {
        out: sink.name.clone(),
        rows: n as usize,
        columns: bulk::DOCUMENT_FIELDS.iter().map(|c| c.to_string()).collect(),
        format: Some(fmt),
        lines: Some(lines),
    };
    drop(sink);
    report(ctx, a, a.out.as_ref().is_none_or(|p| p.as_os_str() == "-"), &s)
}

/// The index template or config (no index needed).
fn template(a: &ExportArgs) -> anyhow::Result<ExitCode> {
    let text = match a.what {
        What::OpensearchTemplate => bulk::opensearch_template(&a.index_name),
        _ => bulk::quickwit_config(&a.index_name),
    }
    .map_err(|p| user_error(format!("--index-name: {p}")))?;
    let mut sink = Sink::open(&a.out)?;
    sink.out.write_all(text.as_bytes()).and_then(|()| sink.out.flush()).with_context(|| sink.name.clone())?;
    if sink.stdout {
        return Ok(ExitCode::SUCCESS);
    }
    let s = Summary { out: sink.name.clone(), rows: 0, columns: Vec::new(), format: None, lines: Some(text.lines().count() as u64) };
    if a.json {
        print_json(&mut std::io::stdout().lock(), &s)?;
    } else {
        writeln!(std::io::stdout().lock(), "{} for index {:?} -> {}", name(a.what), a.index_name, s.out)?;
    }
    Ok(ExitCode::SUCCESS)
}
