//! What every request shares: the data directory, its index (opened once, refreshed
//! when another process commits) and its topic state (read again when its file changes).

use crate::ApiError;
use std::sync::{Arc, Mutex};
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
}

impl AppState {
    pub fn new(data: DataDir) -> Self {
        AppState { inner: Arc::new(Inner { topics: TopicCache::new(data), index: Mutex::new(None) }) }
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
