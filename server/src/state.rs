//! What every request shares: the data directory, its index (opened once, refreshed
//! when another process commits) and its topic state (read again when its file changes).

use crate::writer::{SharedSession, Stages, Writing};
use crate::ApiError;
use std::sync::{Arc, Mutex, OnceLock};
use vigie_engine::{DataDir, TopicCache, TopicSource};
use vigie_index::VigieIndex;

/// The server's view of one data directory (cheap to clone: one per request).
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    topics: TopicCache,
    /// `None` until the index exists (a server may start before the first ingest)
    index: Mutex<Option<Arc<VigieIndex>>>,
    /// what ingests run with (made on the first ingest when not given)
    stages: OnceLock<Arc<Stages>>,
    writing: Writing,
}

impl AppState {
    /// The state of a server that opens a Session per ingest, without the model stage.
    pub fn new(data: DataDir) -> Self {
        AppState::build(data, None, None)
    }

    pub(crate) fn build(data: DataDir, stages: Option<Arc<Stages>>, session: Option<SharedSession>) -> Self {
        let writing = match session {
            Some(s) => Writing::Shared(s),
            None => Writing::PerRequest(Arc::new(tokio::sync::Mutex::new(()))),
        };
        let cell = OnceLock::new();
        if let Some(s) = stages {
            let _ = cell.set(s);
        }
        AppState { inner: Arc::new(Inner { topics: TopicCache::new(data), index: Mutex::new(None), stages: cell, writing }) }
    }

    /// What an ingest runs with.
    pub(crate) fn stages(&self) -> Result<Arc<Stages>, ApiError> {
        if let Some(s) = self.inner.stages.get() {
            return Ok(s.clone());
        }
        let made = Arc::new(Stages::without_model()?);
        Ok(self.inner.stages.get_or_init(|| made).clone())
    }

    pub(crate) fn writing(&self) -> &Writing {
        &self.inner.writing
    }

    pub fn data(&self) -> &DataDir {
        self.inner.topics.data()
    }

    /// The topic state, re-read only when its file changed.
    pub fn topics(&self) -> &TopicCache {
        &self.inner.topics
    }

    /// The index as of its latest commit: opened on first use, then reloaded when a
    /// commit (of an ingest in this process or another) changed it since the last request.
    pub fn index(&self) -> Result<Arc<VigieIndex>, ApiError> {
        let index = {
            let mut slot = self.inner.index.lock().unwrap_or_else(|p| p.into_inner());
            match slot.as_ref() {
                Some(i) => i.clone(),
                None => {
                    let i = Arc::new(VigieIndex::open(&self.data().index_dir())?);
                    *slot = Some(i.clone());
                    return Ok(i);
                }
            }
        };
        index.refresh()?;
        Ok(index)
    }
}
