//! The writing side of the server: what `POST /api/ingest` ingests with, and the engine
//! Session it ingests through.
//!
//! A Session holds the index writer (the data directory's lock). Without `--watch` the
//! server holds none between requests, so that a `vigie ingest` or `vigie watch` of
//! another process can write to the same directory: each ingest request opens a
//! Session, ingests, runs the alert rules and closes it, one request at a time (a tokio
//! mutex: the others wait for their turn without holding a thread). With `--watch` the
//! watch loop's Session is opened once at start and shared: the loop takes it for each
//! poll and the ingest requests take it between two polls.

use std::sync::Arc;
use vigie_engine::alerts::WebhookPolicy;
use vigie_engine::Session;
use vigie_pipeline::lang::LangDetector;
use vigie_pipeline::runner::Analyzer;

/// The stages an ingest runs (`vigie serve`'s model flags, as `vigie ingest`'s).
pub struct Stages {
    pub lang: LangDetector,
    /// the model stage (entities and embeddings), loaded once at start; `None`: storage
    /// and search only (`vigie ingest --no-entities`)
    pub analyzer: Option<Box<dyn Analyzer + Send + Sync>>,
    /// how the alert rules that run after an ingest deliver to webhooks
    pub webhook: WebhookPolicy,
}

impl Stages {
    /// The language detector of `vigie ingest`'s default languages, no model stage and
    /// the default webhook policy.
    pub fn without_model() -> vigie_engine::Result<Stages> {
        let lang = LangDetector::new(&vigie_pipeline::lang::LangConfig::default())?;
        Ok(Stages { lang, analyzer: None, webhook: WebhookPolicy::default() })
    }
}

impl std::fmt::Debug for Stages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stages").field("model", &self.analyzer.is_some()).field("webhook", &self.webhook).finish()
    }
}

/// A Session several writers of one process take in turn: `None` when the server
/// opens one per ingest, or once the watch loop closed its own at the end.
pub type SharedSession = Arc<tokio::sync::Mutex<Option<Session>>>;

/// How ingest requests get a Session.
#[derive(Clone)]
pub(crate) enum Writing {
    /// one Session per request, opened and closed around it; the mutex makes the
    /// requests of this process wait for each other instead of failing on the lock
    PerRequest(Arc<tokio::sync::Mutex<()>>),
    /// the watch loop's Session
    Shared(SharedSession),
}
