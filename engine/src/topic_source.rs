//! Where reports get the topic state from: the data directory read on each call (a
//! command runs once), or a [`TopicCache`] that reads the file again only when it
//! changed (the server answers many requests while ingests replace the file).

use crate::{DataDir, Result};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;
use vigie_pipeline::topics::TopicState;

/// A data directory and its current topic state.
pub trait TopicSource {
    fn data(&self) -> &DataDir;
    /// The current topic state (`None` before the first topics are built).
    fn topic_state(&self) -> Result<Option<Arc<TopicState>>>;
}

impl TopicSource for DataDir {
    fn data(&self) -> &DataDir {
        self
    }

    fn topic_state(&self) -> Result<Option<Arc<TopicState>>> {
        Ok(crate::topics::load_state(self)?.map(Arc::new))
    }
}

/// What tells a file's versions apart without reading it: the state is replaced by a
/// rename, so a new version has a new inode as well as a new modification time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
    inode: u64,
}

impl Stamp {
    /// `None` when there is no file.
    fn of(path: &Path) -> Option<Stamp> {
        let m = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(&m);
        #[cfg(not(unix))]
        let inode = 0;
        Some(Stamp { modified: m.modified().ok(), len: m.len(), inode })
    }
}

/// The topic state of a data directory, read again only when its file changed (one
/// `stat` per call otherwise).
#[derive(Debug)]
pub struct TopicCache {
    data: DataDir,
    cached: Mutex<Option<Seen>>,
}

/// The state last read, and the file it was read from (`None`: there was none).
#[derive(Debug)]
struct Seen {
    stamp: Option<Stamp>,
    state: Option<Arc<TopicState>>,
}

impl TopicCache {
    pub fn new(data: DataDir) -> Self {
        TopicCache { data, cached: Mutex::new(None) }
    }
}

impl TopicSource for TopicCache {
    fn data(&self) -> &DataDir {
        &self.data
    }

    fn topic_state(&self) -> Result<Option<Arc<TopicState>>> {
        // the stamp is taken before the file is read: a file replaced in between is read
        // again on the next call, never kept under the newer stamp
        let stamp = Stamp::of(&self.data.topics_path());
        let mut cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(seen) = cached.as_ref().filter(|s| s.stamp == stamp) {
            return Ok(seen.state.clone());
        }
        let state = self.data.topic_state()?;
        *cached = Some(Seen { stamp, state: state.clone() });
        Ok(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_pipeline::topics::STATE_VERSION;

    fn state(next_id: u64) -> TopicState {
        TopicState {
            version: STATE_VERSION,
            built: chrono::Utc::now(),
            threshold: 0.5,
            assign_threshold: 0.5,
            stories_at_build: 0,
            next_id,
            topics: Vec::new(),
            story_topic: Default::default(),
        }
    }

    /// The cache answers the same state while the file is unchanged and the new one
    /// after it is replaced (as an ingest replaces it), without a restart.
    #[test]
    fn the_cache_follows_the_file() {
        let tmp = tempfile::tempdir().unwrap();
        let data = DataDir::new(tmp.path());
        let cache = TopicCache::new(data.clone());
        assert!(cache.topic_state().unwrap().is_none());
        std::fs::create_dir_all(data.state_dir()).unwrap();
        state(7).save(&data.topics_path()).unwrap();
        let first = cache.topic_state().unwrap().unwrap();
        assert_eq!(first.next_id, 7);
        assert!(Arc::ptr_eq(&first, &cache.topic_state().unwrap().unwrap()), "unchanged: not read again");
        state(8).save(&data.topics_path()).unwrap();
        assert_eq!(cache.topic_state().unwrap().unwrap().next_id, 8);
        std::fs::remove_file(data.topics_path()).unwrap();
        assert!(cache.topic_state().unwrap().is_none());
    }
}
