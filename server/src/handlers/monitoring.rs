//! `/api/sources`, `/api/stories`, `/api/terms` and `/api/summary`: the monitoring
//! tables of `vigie sources|stories|terms|summary --json` (top sources, the largest or
//! latest stories, top terms, counts against the previous period).

use super::{filter_spec, rows};
use crate::extract::{blocking, Params};
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use vigie_engine::{Clock, SystemClock};
use vigie_index::analytics::{Selector, SourceRow, StoryOrder, StoryRow, Summary, TermRow};
use vigie_index::Filters;

fn everything() -> String {
    "*".into()
}

/// The query and filters the monitoring tables share.
macro_rules! selection {
    ($app:expr, $p:expr) => {{
        let mut filters: Filters = filter_spec!($p).build($app.topics(), "")?;
        filters.entity = $p.entity.clone();
        (Selector::parse(&$p.q), filters)
    }};
}

/// `/api/sources` parameters.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourcesParams {
    /// an entity id (company:nvidia) or a query in the search syntax; `*` (the default)
    /// matches everything
    #[serde(default = "everything")]
    pub q: String,
    /// at most this many sources
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
    /// only documents mentioning this entity id
    pub entity: Option<String>,
}

pub(crate) async fn sources(State(app): State<AppState>, Params(p): Params<SourcesParams>) -> Result<Json<Vec<SourceRow>>, ApiError> {
    blocking(move || {
        let top = rows(p.top, "top")?;
        let index = app.index()?;
        let (sel, filters) = selection!(app, p);
        Ok(Json(index.sources(&sel, &filters, top)?))
    })
    .await
}

/// `/api/stories` parameters.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StoriesParams {
    /// an entity id (company:nvidia) or a query in the search syntax; `*` (the default)
    /// matches everything
    #[serde(default = "everything")]
    pub q: String,
    /// size (most matching documents first, the default) or latest
    #[serde(default)]
    pub order: StoryOrder,
    /// at most this many stories
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
    /// only documents mentioning this entity id
    pub entity: Option<String>,
}

pub(crate) async fn stories(State(app): State<AppState>, Params(p): Params<StoriesParams>) -> Result<Json<Vec<StoryRow>>, ApiError> {
    blocking(move || {
        let top = rows(p.top, "top")?;
        let index = app.index()?;
        let (sel, filters) = selection!(app, p);
        Ok(Json(index.story_table(&sel, &filters, p.order, top)?))
    })
    .await
}

/// `/api/terms` parameters.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TermsParams {
    /// an entity id (company:nvidia) or a query in the search syntax; `*` (the default)
    /// matches everything
    #[serde(default = "everything")]
    pub q: String,
    /// at most this many terms
    #[serde(default = "super::twenty")]
    pub top: usize,
    /// least matching articles holding a term
    #[serde(default = "two")]
    pub min_docs: u64,
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
    /// only documents mentioning this entity id
    pub entity: Option<String>,
}

fn two() -> u64 {
    2
}

pub(crate) async fn terms(State(app): State<AppState>, Params(p): Params<TermsParams>) -> Result<Json<Vec<TermRow>>, ApiError> {
    blocking(move || {
        let top = rows(p.top, "top")?;
        let index = app.index()?;
        let (sel, filters) = selection!(app, p);
        Ok(Json(index.terms(&sel, &filters, top, p.min_docs)?))
    })
    .await
}

/// `/api/summary` parameters.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SummaryParams {
    /// an entity id (company:nvidia) or a query in the search syntax; `*` (the default)
    /// matches everything
    #[serde(default = "everything")]
    pub q: String,
    /// start of the period (2025-01-29, RFC 3339, or 7d ago); with it, each count is
    /// compared with the period of equal length just before
    pub since: Option<String>,
    /// end of the period, exclusive (default: now when since is given)
    pub until: Option<String>,
    /// language code (fr, en)
    pub lang: Option<String>,
    /// source name
    pub source: Option<String>,
    /// only the documents of one topic
    pub topic: Option<String>,
    /// only documents mentioning this entity id
    pub entity: Option<String>,
}

pub(crate) async fn summary(State(app): State<AppState>, Params(p): Params<SummaryParams>) -> Result<Json<Summary>, ApiError> {
    blocking(move || {
        let index = app.index()?;
        let (sel, filters) = selection!(app, p);
        Ok(Json(vigie_engine::reports::summary(&index, &sel, &filters, SystemClock.now())?))
    })
    .await
}
