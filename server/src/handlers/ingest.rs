//! `POST /api/ingest`: the body (JSON lines, an RSS/Atom feed, or any format
//! `vigie ingest` sniffs) through an engine Session, then the alert rules, as
//! `vigie ingest` does; the answer is its `--json` summary with the request's rejects
//! and the alert run.

use crate::extract::Params;
use crate::writer::Writing;
use crate::{ApiError, AppState};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use std::sync::atomic::AtomicBool;
use vigie_engine::alerts::{RunSummary, Sinks};
use vigie_engine::{IngestOptions, Session, SystemClock};
use vigie_pipeline::ingest::{FormatChoice, Input};
use vigie_pipeline::reject::Reject;
use vigie_pipeline::runner::{Analyzer, Observer, Summary};

/// The largest ingest body: 32 MiB.
pub const MAX_INGEST_BYTES: usize = 32 * 1024 * 1024;

/// The most rejects an answer lists (`rejected` counts them all; the rejects file
/// holds them all).
pub const MAX_LISTED_REJECTS: usize = 1000;

/// `POST /api/ingest` parameters.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IngestParams {
    /// auto (sniffed, the default), jsonl, feed, digest, html or text, as `vigie ingest --format`
    pub format: Option<String>,
}

/// What an ingest did: the summary of `vigie ingest --json`, the request's rejects and
/// the alert run that followed.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct IngestAnswer {
    #[serde(flatten)]
    pub summary: Summary,
    /// whether the model stage ran (entities, stories, topics): `vigie serve --entities`
    /// or `--watch`
    pub entities: bool,
    /// the rejected records, as written to the rejects file (at most 1,000; `rejected`
    /// counts them all); their `file` is the request's name there (`api:ingest@TIME`)
    pub rejects: Vec<Reject>,
    /// the alert rules' run after the commit; absent when it failed (`alerts_error`)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alerts: Option<RunSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alerts_error: Option<String>,
}

/// The rejects of one request.
#[derive(Default)]
struct Rejects(Vec<Reject>);

impl Observer for Rejects {
    fn rejected(&mut self, r: &Reject) {
        if self.0.len() < MAX_LISTED_REJECTS {
            self.0.push(r.clone());
        }
    }
}

fn format(p: &IngestParams) -> Result<FormatChoice, ApiError> {
    match &p.format {
        None => Ok(FormatChoice::Auto),
        Some(f) => f.parse().map_err(|e: String| ApiError::bad_request(format!("format: {e}"))),
    }
}

pub(crate) async fn ingest(
    State(app): State<AppState>,
    Params(p): Params<IngestParams>,
    body: Bytes,
) -> Result<Json<IngestAnswer>, ApiError> {
    let format = format(&p)?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request("the body is empty: send JSON lines, a feed, or another format vigie ingest reads"));
    }
    let name = format!("api:ingest@{}", chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
    let input = Input::Bytes { name, bytes: body.to_vec() };
    // one ingest at a time in this process: the others wait here, holding no thread
    match app.writing().clone() {
        Writing::PerRequest(turn) => {
            let turn = turn.lock_owned().await;
            crate::extract::blocking(move || {
                let _turn = turn;
                let mut session = Session::open(app.data().clone()).map_err(locked)?;
                let answer = ingest_through(&app, &mut session, input, format);
                let closed = session.close();
                let answer = answer?;
                closed?;
                Ok(Json(answer))
            })
            .await
        }
        Writing::Shared(slot) => {
            let mut slot = slot.lock_owned().await;
            crate::extract::blocking(move || {
                let Some(session) = slot.as_mut() else {
                    return Err(ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "the server is stopping"));
                };
                Ok(Json(ingest_through(&app, session, input, format)?))
            })
            .await
        }
    }
}

/// The index lock held by another process: 503, saying who and what to do.
fn locked(e: vigie_engine::Error) -> ApiError {
    match e {
        vigie_engine::Error::Index(vigie_index::Error::Locked(dir)) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the index in {dir} is locked by another vigie process writing to it (vigie ingest or vigie watch): try again when it is done"
            ),
        ),
        e => e.into(),
    }
}

/// One batch through `session`, then the alert rules over what it committed.
fn ingest_through(app: &AppState, session: &mut Session, input: Input, format: FormatChoice) -> Result<IngestAnswer, ApiError> {
    let stages = app.stages()?;
    let opts = IngestOptions::new(format, &stages.lang, stages.analyzer.as_deref().map(|a| a as &dyn Analyzer));
    let mut rejects = Rejects::default();
    let summary = session.ingest(&[input], &opts, &mut rejects, &AtomicBool::new(false))?;
    let run = session.run_alerts(&mut Sinks::new(stages.webhook.clone()), &SystemClock);
    for f in run.iter().flat_map(|s| &s.failures) {
        tracing::warn!("{f}");
    }
    let (alerts, alerts_error) = match run {
        Ok(s) => (Some(s), None),
        Err(e) => {
            tracing::error!(error = %e, "alerts after an ingest");
            (None, Some(e.to_string()))
        }
    };
    Ok(IngestAnswer { summary, entities: stages.analyzer.is_some(), rejects: rejects.0, alerts, alerts_error })
}
