//! `/api/search` (`vigie search --json`, with the total) and `/api/documents/{id}`
//! (`vigie show --json`).

use super::{filter_spec, offset, rows};
use crate::extract::{blocking, Params};
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::Json;
use serde::Deserialize;
use vigie_index::{SearchRequest, SearchResults, SortBy};
use vigie_schemas::Document;

#[derive(Debug, Clone, Copy, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// BM25 score (newest first for `*`)
    #[default]
    Relevance,
    /// newest first
    Date,
}

/// `/api/search` parameters.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    /// tantivy query syntax: words (all required), "phrases", OR, -exclusion, title:word,
    /// lang:fr, source:..., ent:company:nvidia; `*` matches everything
    pub q: String,
    /// language code (fr, en)
    pub lang: Option<String>,
    /// published at or after (2025-01-29, RFC 3339, or 7d ago)
    pub since: Option<String>,
    /// published before
    pub until: Option<String>,
    /// source name
    pub source: Option<String>,
    /// only the documents of one topic (ids: /api/topics)
    pub topic: Option<String>,
    /// only documents mentioning this entity id
    pub entity: Option<String>,
    /// hits per page
    #[serde(default = "super::ten")]
    pub limit: usize,
    /// hits skipped
    #[serde(default)]
    pub offset: usize,
    /// relevance (BM25; newest first for `*`) or date (newest first)
    #[serde(default)]
    pub sort: Sort,
    /// leave out duplicates
    #[serde(default)]
    pub no_dups: bool,
}

pub(crate) async fn search(State(app): State<AppState>, Params(p): Params<SearchParams>) -> Result<Json<SearchResults>, ApiError> {
    blocking(move || {
        let (limit, offset) = (rows(p.limit, "limit")?.max(1), offset(p.offset)?);
        let index = app.index()?;
        let mut filters = filter_spec!(p).build(app.topics(), "")?;
        filters.entity = p.entity.clone();
        filters.originals_only = p.no_dups;
        let sort = match p.sort {
            Sort::Relevance => SortBy::Relevance,
            Sort::Date => SortBy::Date,
        };
        let req = SearchRequest { query: p.q, filters, limit, offset, sort };
        Ok(Json(vigie_engine::reports::search(app.topics(), &index, &req)?))
    })
    .await
}

/// `/api/documents/{id}` takes no parameters.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

pub(crate) async fn document(
    State(app): State<AppState>,
    Path(id): Path<String>,
    Params(NoParams {}): Params<NoParams>,
) -> Result<Json<Document>, ApiError> {
    blocking(move || {
        let index = app.index()?;
        match vigie_engine::reports::document(app.topics(), &index, &id)? {
            Some(d) => Ok(Json(d)),
            None => Err(ApiError::not_found(format!("no document with id {id:?}"))),
        }
    })
    .await
}
