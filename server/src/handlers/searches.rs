//! `/api/searches`: saved searches (`vigie searches list|add|rm`): list, add (a JSON
//! body), delete by name.

use super::search::NoParams;
use crate::extract::{blocking, Params};
use crate::{ApiError, AppState};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::Json;
use serde::Deserialize;
use vigie_engine::searches::{self, SavedSearch};

pub(crate) async fn list(State(app): State<AppState>, Params(NoParams {}): Params<NoParams>) -> Result<Json<Vec<SavedSearch>>, ApiError> {
    blocking(move || Ok(Json(searches::list(app.data())?))).await
}

/// `POST /api/searches` parameters (the search itself is the JSON body).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddParams {
    /// replace a saved search of the same name instead of refusing
    #[serde(default)]
    pub replace: bool,
}

/// Saves the search of the body (checked as `vigie searches add` checks it, the query
/// also against the index when there is one) and answers it.
pub(crate) async fn add(State(app): State<AppState>, Params(p): Params<AddParams>, body: Bytes) -> Result<Json<SavedSearch>, ApiError> {
    let search: SavedSearch = serde_json::from_slice(&body).map_err(|e| ApiError::bad_request(format!("body: {e}")))?;
    blocking(move || {
        search.check()?;
        match app.index() {
            Ok(index) if search.query.trim() != "*" => index.validate_query(&search.query)?,
            // no index yet: the syntax check above is all there is to do
            _ => {}
        }
        searches::add(app.data(), search.clone(), p.replace)?;
        Ok(Json(search))
    })
    .await
}

/// Removes a saved search and answers it; 404 when there is none of this name.
pub(crate) async fn remove(
    State(app): State<AppState>,
    Path(name): Path<String>,
    Params(NoParams {}): Params<NoParams>,
) -> Result<Json<SavedSearch>, ApiError> {
    blocking(move || match searches::remove(app.data(), &name)? {
        Some(s) => Ok(Json(s)),
        None => Err(ApiError::not_found(format!("no saved search named {name:?}"))),
    })
    .await
}
