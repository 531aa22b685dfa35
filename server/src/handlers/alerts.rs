//! `/api/alerts`: list (`vigie alerts list --json`), add (`vigie alerts add`, checked
//! the same way), test (`vigie alerts test`) and delete (`vigie alerts rm`), through the
//! engine functions the command line calls.

use super::rows;
use crate::extract::{blocking, Params};
use crate::{ApiError, AppState};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use vigie_engine::alerts::{self, AlertStore, ListedRule, NewRule, RuleTest};
use vigie_engine::SystemClock;
use vigie_schemas::{EntityId, NotifyPer};

/// The body of `POST /api/alerts`: the arguments and flags of `vigie alerts add`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAlert {
    /// letters, digits, '_', '.', '-' (at most 64, starting with a letter or digit)
    pub name: String,
    /// tantivy query syntax, as for search
    pub query: String,
    /// only documents in this language (fr, en)
    pub lang: Option<String>,
    /// only documents mentioning this entity id (company:nvidia)
    pub entity: Option<String>,
    /// only documents of this source
    pub source: Option<String>,
    /// stdout (the server's), file:PATH (written by the server) or webhook:URL; stdout
    /// when absent
    pub notify: Option<String>,
    /// one digest per period (90s, 30m, 1h, 1d, 7d) instead of each match at once; periods
    /// end on the UTC calendar (a daily digest at midnight UTC)
    pub digest: Option<String>,
    /// shifts where the period ends (8h with 1d: every day at 08:00 UTC)
    pub digest_offset: Option<String>,
    /// what is notified once: `story` (each story: an event and its rewrites; the
    /// default) or `copy-group` (every new article that matches, its copies not again)
    #[serde(default)]
    pub per: NotifyPer,
}

/// An alert name from a path: checked as rule names are (they are file names).
fn name(name: &str) -> Result<(), ApiError> {
    alerts::check_name(name).map_err(|e| ApiError::bad_request(e.to_string()))
}

fn exists(app: &AppState, n: &str) -> Result<bool, ApiError> {
    Ok(AlertStore::new(app.data()).get(n)?.is_some())
}

fn unknown(n: &str) -> ApiError {
    ApiError::not_found(format!("no alert named {n}"))
}

/// The saved rules with their delivery state, by name.
pub(crate) async fn list(
    State(app): State<AppState>,
    Params(super::search::NoParams {}): Params<super::search::NoParams>,
) -> Result<Json<Vec<ListedRule>>, ApiError> {
    blocking(move || Ok(Json(alerts::list_rules(app.data())?))).await
}

/// Saves a rule (201 with its listing row): a bad name, query, filter, sink or digest
/// is 400 with the reason, a name in use 409.
pub(crate) async fn add(
    State(app): State<AppState>,
    Params(super::search::NoParams {}): Params<super::search::NoParams>,
    body: Bytes,
) -> Result<(StatusCode, Json<ListedRule>), ApiError> {
    let a: NewAlert = serde_json::from_slice(&body).map_err(|e| ApiError::bad_request(format!("request body: {e}")))?;
    blocking(move || {
        name(&a.name)?;
        let notify = alerts::parse_sink(a.notify.as_deref().unwrap_or("stdout")).map_err(|e| ApiError::bad_request(e.to_string()))?;
        let (digest_seconds, digest_offset_seconds) =
            alerts::digest_schedule(a.digest.as_deref(), a.digest_offset.as_deref(), ("digest", "digest_offset"))
                .map_err(ApiError::bad_request)?;
        if let Some(e) = &a.entity {
            if !e.contains(':') {
                return Err(ApiError::bad_request(format!("entity {e:?}: an entity id looks like company:nvidia")));
            }
        }
        if exists(&app, &a.name)? {
            return Err(ApiError::new(StatusCode::CONFLICT, format!("alert {} exists (delete it first)", a.name)));
        }
        let new = NewRule {
            name: a.name.clone(),
            query: a.query,
            lang: a.lang,
            entity: a.entity.map(EntityId),
            source: a.source,
            notify,
            digest_seconds,
            digest_offset_seconds,
            per: a.per,
        };
        // the engine checks the query (and refuses a name taken meanwhile)
        alerts::add_rule(app.data(), new, &SystemClock)?;
        let listed = alerts::list_rules(app.data())?.into_iter().find(|l| l.rule.name == a.name);
        listed.map(|l| (StatusCode::CREATED, Json(l))).ok_or_else(|| ApiError::internal(format!("alert {} saved but not listed", a.name)))
    })
    .await
}

/// `/api/alerts/{name}/test` parameters.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TestParams {
    /// stories shown (newest first)
    #[serde(default = "super::twenty")]
    pub limit: usize,
}

/// What a rule matches in the index now (delivers nothing).
pub(crate) async fn test(
    State(app): State<AppState>,
    Path(n): Path<String>,
    Params(p): Params<TestParams>,
) -> Result<Json<RuleTest>, ApiError> {
    blocking(move || {
        name(&n)?;
        let limit = rows(p.limit, "limit")?;
        let rule = AlertStore::new(app.data()).get(&n)?.ok_or_else(|| unknown(&n))?;
        let index = app.index()?;
        Ok(Json(alerts::test_rule(&index, &rule, limit)?))
    })
    .await
}

/// What `DELETE /api/alerts/{name}` answers.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Removed {
    pub name: String,
    /// undelivered notifications that went with the rule
    pub discarded: usize,
}

/// Deletes a rule and its delivery state.
pub(crate) async fn remove(
    State(app): State<AppState>,
    Path(n): Path<String>,
    Params(super::search::NoParams {}): Params<super::search::NoParams>,
) -> Result<Json<Removed>, ApiError> {
    blocking(move || {
        name(&n)?;
        if !exists(&app, &n)? {
            return Err(unknown(&n));
        }
        let discarded = alerts::remove_rule(app.data(), &n)?;
        Ok(Json(Removed { name: n, discarded }))
    })
    .await
}
