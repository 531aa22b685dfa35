//! `/api/export/{what}`: a table of the index as a download (`vigie export WHAT`), built
//! in memory.

use super::{filter_spec, rows};
use crate::extract::{blocking, Params};
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use vigie_engine::params;
use vigie_engine::reports::FrameRequest;
use vigie_index::analytics::{Selector, TimelineRequest};
use vigie_index::frames::{self, FrameFormat};

/// The tables `/api/export/{what}` serves, as the command line names them.
pub const EXPORTS: &[&str] = &["documents", "entities", "mentions", "timeline", "trends", "stories", "topics"];

/// File formats.
#[derive(Debug, Clone, Copy, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Parquet,
    Csv,
    Ndjson,
    /// Arrow IPC (Feather v2)
    Ipc,
}

impl Format {
    fn frame_format(self) -> FrameFormat {
        match self {
            Format::Parquet => FrameFormat::Parquet,
            Format::Csv => FrameFormat::Csv,
            Format::Ndjson => FrameFormat::Ndjson,
            Format::Ipc => FrameFormat::Ipc,
        }
    }

    /// The media type and the file name extension of a download.
    pub fn media_type(self) -> (&'static str, &'static str) {
        match self {
            Format::Parquet => ("application/vnd.apache.parquet", "parquet"),
            Format::Csv => ("text/csv; charset=utf-8", "csv"),
            Format::Ndjson => ("application/x-ndjson", "ndjson"),
            Format::Ipc => ("application/vnd.apache.arrow.file", "arrow"),
        }
    }
}

/// `/api/export/{what}` parameters.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportParams {
    pub format: Format,
    /// language code (fr, en)
    pub lang: Option<String>,
    /// published at or after (2025-01-29, RFC 3339, or 7d ago)
    pub since: Option<String>,
    /// published before
    pub until: Option<String>,
    /// source name
    pub source: Option<String>,
    /// only the documents of one topic
    pub topic: Option<String>,
    /// timeline: entity ids or queries, one series each (repeat the parameter)
    #[serde(default)]
    pub series: Vec<String>,
    /// timeline: day, week or month
    #[serde(default)]
    pub by: super::analytics::By,
    /// timeline: time zone of the buckets
    #[serde(default = "utc")]
    pub tz: String,
    /// trends: the recent window
    #[serde(default = "seven_days")]
    pub window: String,
    /// trends: the baseline before it
    #[serde(default = "four_weeks")]
    pub baseline: String,
    /// trends: least documents in the window
    #[serde(default = "two")]
    pub min_count: u64,
    /// entities and trends: at most this many rows
    #[serde(default = "thousand")]
    pub top: usize,
}

fn utc() -> String {
    "UTC".into()
}
fn seven_days() -> String {
    "7d".into()
}
fn four_weeks() -> String {
    "28d".into()
}
fn two() -> u64 {
    2
}
fn thousand() -> usize {
    1000
}

pub(crate) async fn export(
    State(app): State<AppState>,
    Path(what): Path<String>,
    Params(p): Params<ExportParams>,
) -> Result<Response, ApiError> {
    blocking(move || {
        if !EXPORTS.contains(&what.as_str()) {
            return Err(ApiError::not_found(format!("no export named {what:?} ({})", EXPORTS.join(", "))));
        }
        let filters = filter_spec!(p).build(app.topics(), "")?;
        let req = match what.as_str() {
            "documents" => FrameRequest::Documents,
            "mentions" => FrameRequest::Mentions,
            "stories" => FrameRequest::Stories,
            "topics" => FrameRequest::Topics,
            "entities" => FrameRequest::Entities { top: rows(p.top, "top")? },
            "timeline" => {
                if p.series.is_empty() {
                    return Err(ApiError::bad_request("export timeline: give series=ID|QUERY (repeat for several)"));
                }
                FrameRequest::Timeline(TimelineRequest {
                    series: p.series.iter().map(|s| Selector::parse(s)).collect(),
                    by: p.by.into(),
                    tz: params::time_zone(&p.tz, "tz")?,
                    filters: filters.clone(),
                    normalize: false,
                })
            }
            "trends" => FrameRequest::Trends {
                window: params::window(&p.window, "window")?,
                baseline: params::window(&p.baseline, "baseline")?,
                min_count: p.min_count,
                top: rows(p.top, "top")?,
            },
            _ => unreachable!("checked against EXPORTS above"),
        };
        let index = app.index()?;
        let mut df = vigie_engine::reports::frame(app.topics(), &index, req, filters)?;
        let mut bytes = Vec::new();
        frames::write_frame_to(&mut df, &mut bytes, p.format.frame_format())?;
        let (media, ext) = p.format.media_type();
        let disposition = format!("attachment; filename=\"vigie-{what}.{ext}\"");
        let headers = [
            (header::CONTENT_TYPE, HeaderValue::from_static(media)),
            (header::CONTENT_DISPOSITION, HeaderValue::from_str(&disposition).expect("the name is one of EXPORTS")),
        ];
        Ok((headers, bytes).into_response())
    })
    .await
}
