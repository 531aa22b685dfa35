//! `/api/stats`, `/api/entities`, `/api/timeline`, `/api/trends` and `/api/cooccur`: the
//! analyst tables of `vigie stats|entities|timeline|trends|cooccur --json`.

use super::search::NoParams;
use super::{filter_spec, rows};
use crate::extract::{blocking, Params};
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use vigie_engine::params;
use vigie_engine::reports::{TimelineRow, Trends};
use vigie_index::analytics::{Bucket, CooccurRow, EntityRow, Selector, TimelineRequest, TrendRequest};
use vigie_index::{Filters, Stats};
use vigie_schemas::EntityType;

pub(crate) async fn stats(State(app): State<AppState>, Params(NoParams {}): Params<NoParams>) -> Result<Json<Stats>, ApiError> {
    blocking(move || Ok(Json(app.index()?.stats()?))).await
}

/// `/api/entities` parameters.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EntitiesParams {
    /// only entities of this type
    #[serde(rename = "type")]
    pub kind: Option<EntityType>,
    /// at most this many entities
    #[serde(default = "super::twenty")]
    pub top: usize,
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
}

pub(crate) async fn entities(State(app): State<AppState>, Params(p): Params<EntitiesParams>) -> Result<Json<Vec<EntityRow>>, ApiError> {
    blocking(move || {
        let top = rows(p.top, "top")?;
        let index = app.index()?;
        let filters = filter_spec!(p).build(app.topics(), "")?;
        Ok(Json(vigie_engine::reports::entity_table(&index, p.kind, &filters, top)?))
    })
    .await
}

/// Timeline buckets.
#[derive(Debug, Clone, Copy, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum By {
    Day,
    /// ISO weeks, Monday first
    #[default]
    Week,
    Month,
}

impl From<By> for Bucket {
    fn from(b: By) -> Bucket {
        match b {
            By::Day => Bucket::Day,
            By::Week => Bucket::Week,
            By::Month => Bucket::Month,
        }
    }
}

/// The most series one timeline compares.
const MAX_SERIES: usize = 20;

/// `/api/timeline` parameters.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TimelineParams {
    /// entity ids (company:nvidia) or search queries, one series each (repeat the
    /// parameter for several)
    pub series: Vec<String>,
    #[serde(default)]
    pub by: By,
    /// time zone the buckets are cut in (IANA name)
    #[serde(default = "utc")]
    pub tz: String,
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
    /// also give each row its share of all the stories (`share`) and documents
    /// (`document_share`) of its bucket within the filters (0 to 1)
    #[serde(default)]
    pub normalize: bool,
}

fn utc() -> String {
    "UTC".into()
}

pub(crate) async fn timeline(State(app): State<AppState>, Params(p): Params<TimelineParams>) -> Result<Json<Vec<TimelineRow>>, ApiError> {
    blocking(move || {
        if p.series.is_empty() || p.series.len() > MAX_SERIES {
            return Err(ApiError::bad_request(format!("series: give 1 to {MAX_SERIES} entity ids or queries")));
        }
        let tz = params::time_zone(&p.tz, "tz")?;
        let index = app.index()?;
        let filters = filter_spec!(p).build(app.topics(), "")?;
        let req = TimelineRequest {
            series: p.series.iter().map(|s| Selector::parse(s)).collect(),
            by: p.by.into(),
            tz,
            filters,
            normalize: p.normalize,
        };
        Ok(Json(vigie_engine::reports::timeline_rows(&index.timeline(&req)?)))
    })
    .await
}

/// `/api/trends` parameters.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrendsParams {
    /// the recent window (7d, 24h, 2w)
    #[serde(default = "seven_days")]
    pub window: String,
    /// the baseline period just before the window
    #[serde(default = "four_weeks")]
    pub baseline: String,
    /// end of the window (default: just after the latest publication date in the index)
    pub at: Option<String>,
    /// only entities of this type (and then no topics)
    #[serde(rename = "type")]
    pub kind: Option<EntityType>,
    /// at most this many rows of each kind
    #[serde(default = "super::twenty")]
    pub top: usize,
    /// least documents in the window to be ranked
    #[serde(default = "two")]
    pub min_count: u64,
    /// language code (fr, en)
    pub lang: Option<String>,
    /// source name
    pub source: Option<String>,
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

pub(crate) async fn trends(State(app): State<AppState>, Params(p): Params<TrendsParams>) -> Result<Json<Trends>, ApiError> {
    blocking(move || {
        let (window, baseline) = (params::window(&p.window, "window")?, params::window(&p.baseline, "baseline")?);
        let top = rows(p.top, "top")?;
        let index = app.index()?;
        let at = match p.at.as_deref() {
            Some(s) => params::when(s, "at")?,
            None => vigie_engine::reports::trend_end(&index)?,
        };
        let filters = Filters { lang: p.lang.clone(), source: p.source.clone(), ..Default::default() };
        let req = TrendRequest { at, window, baseline, kind: p.kind, filters, top, min_count: p.min_count };
        Ok(Json(vigie_engine::reports::trends(app.topics(), &index, &req)?))
    })
    .await
}

/// `/api/cooccur` parameters.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CooccurParams {
    /// an entity id (company:nvidia)
    pub entity: String,
    /// at most this many entities
    #[serde(default = "super::twenty")]
    pub top: usize,
    /// least shared stories to be listed
    #[serde(default = "one")]
    pub min_stories: u64,
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
}

fn one() -> u64 {
    1
}

pub(crate) async fn cooccur(State(app): State<AppState>, Params(p): Params<CooccurParams>) -> Result<Json<Vec<CooccurRow>>, ApiError> {
    blocking(move || {
        let top = rows(p.top, "top")?;
        let index = app.index()?;
        let filters = filter_spec!(p).build(app.topics(), "")?;
        Ok(Json(index.cooccur(&p.entity, &filters, top, p.min_stories)?))
    })
    .await
}
