//! `/api/topics` (`vigie topics --json`) and `/api/stories/{id}` (`vigie story --json`).

use super::rows;
use crate::extract::{blocking, Params};
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::Json;
use serde::Deserialize;
use vigie_engine::params::{self, FilterSpec};
use vigie_engine::reports::{Bounds, StoryReport, TopicRow};

/// `/api/topics` parameters (every topic is listed: no `topic` filter).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TopicsParams {
    /// language code (fr, en)
    pub lang: Option<String>,
    /// articles published at or after (2025-01-29, RFC 3339, or 7d ago)
    pub since: Option<String>,
    /// published before
    pub until: Option<String>,
    /// source name
    pub source: Option<String>,
    /// at most this many topics (largest first)
    #[serde(default = "fifty")]
    pub limit: usize,
}

fn fifty() -> usize {
    50
}

/// The topics, largest first; an empty list before the first topics are built (the
/// command line says so in an error instead).
pub(crate) async fn topics(State(app): State<AppState>, Params(p): Params<TopicsParams>) -> Result<Json<Vec<TopicRow>>, ApiError> {
    blocking(move || {
        let limit = rows(p.limit, "limit")?;
        let spec = FilterSpec { lang: p.lang, since: p.since, until: p.until, source: p.source, topic: None };
        let bounds = Bounds::new(&spec.build_without_topic("")?);
        let index = app.index()?;
        let mut rows = vigie_engine::reports::topic_listing(app.topics(), &index, &bounds)?.map(|l| l.rows).unwrap_or_default();
        rows.truncate(limit);
        Ok(Json(rows))
    })
    .await
}

/// `/api/stories/{id}` parameters.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StoryParams {
    /// only articles published at or after (2025-01-29, RFC 3339, or 7d ago)
    pub since: Option<String>,
}

pub(crate) async fn story(
    State(app): State<AppState>,
    Path(id): Path<String>,
    Params(p): Params<StoryParams>,
) -> Result<Json<StoryReport>, ApiError> {
    blocking(move || {
        let since = p.since.as_deref().map(|s| params::when(s, "since")).transpose()?;
        let index = app.index()?;
        match vigie_engine::reports::story(app.topics(), &index, &id, since)? {
            Some(r) => Ok(Json(r)),
            None => Err(ApiError::not_found(format!("no story or article with id {id:?}"))),
        }
    })
    .await
}
