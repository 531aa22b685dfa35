//! `vigie export WHAT --format parquet|csv|ndjson|ipc --out FILE [filters]`: the index's
//! polars DataFrames written for pandas, polars, DuckDB or Spark.

use super::common::{open_index, print_json, user_error, Ctx, FilterArgs};
use clap::{Args, ValueEnum};
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;
use vigie_engine::reports::FrameRequest;
use vigie_index::analytics::{Bucket, Selector, TimelineRequest};
use vigie_index::frames::{self, FrameFormat};

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum What {
    /// one row per document (entity ids as a list)
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
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    pub what: What,
    /// parquet, csv, ndjson or ipc (Arrow IPC / Feather v2)
    #[arg(long)]
    pub format: FrameFormat,
    #[arg(long)]
    pub out: PathBuf,
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
}

pub fn run(ctx: &Ctx, a: ExportArgs) -> anyhow::Result<ExitCode> {
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
    };
    let mut df = vigie_engine::reports::frame(&ctx.dir(), &index, req, filters)?;
    frames::write_frame(&mut df, &a.out, a.format)?;
    let s = Summary {
        out: a.out.display().to_string(),
        rows: df.height(),
        columns: df.get_column_names().iter().map(|c| c.to_string()).collect(),
    };
    let mut out = std::io::stdout().lock();
    if a.json {
        print_json(&mut out, &s)?;
    } else {
        use std::io::Write;
        writeln!(out, "{} rows x {} columns -> {}", s.rows, s.columns.len(), s.out)?;
    }
    Ok(ExitCode::SUCCESS)
}
