//! The data directory and its layout, in one place: every path under `--data DIR` is
//! named here and nowhere else.
//!
//! ```text
//! DIR/index/            the tantivy index (documents, pipeline state as fast fields)
//! DIR/state/topics.json the topic state (labels, centroids, story -> topic)
//! DIR/state/watch.json  watch marks (files read, feeds polled)
//! DIR/alerts/           alert rules, per-rule state, the outbox
//! DIR/searches.json     saved searches (name, query, filters)
//! DIR/rejects.jsonl     every rejected input with file, line and reason
//! ```

use crate::{Error, Result};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// The layout under `root` (nothing is created until [`DataDir::create`]).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        DataDir { root: root.into() }
    }

    /// Creates the directory when it does not exist yet.
    pub fn create(&self) -> Result<()> {
        std::fs::create_dir_all(&self.root).map_err(|e| Error::io(&self.root, e))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn index_dir(&self) -> PathBuf {
        self.root.join("index")
    }

    pub fn state_dir(&self) -> PathBuf {
        self.root.join("state")
    }

    pub fn topics_path(&self) -> PathBuf {
        self.state_dir().join("topics.json")
    }

    pub fn watch_path(&self) -> PathBuf {
        self.state_dir().join("watch.json")
    }

    pub fn alerts_dir(&self) -> PathBuf {
        self.root.join("alerts")
    }

    pub fn searches_path(&self) -> PathBuf {
        self.root.join("searches.json")
    }

    pub fn rejects_path(&self) -> PathBuf {
        self.root.join("rejects.jsonl")
    }
}
