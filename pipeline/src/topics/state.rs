//! The topic state file `DATA/state/topics.json`: topics with labels, keywords and
//! centroids, and the story -> topic map. Written atomically (temporary file, fsync,
//! rename), so a crash leaves the previous state or the new one, never half of one;
//! stories the state does not know yet (a crash after an index commit) are assigned at
//! the next ingest.

use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

pub const STATE_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicState {
    pub version: u32,
    /// when the topics were last re-clustered
    pub built: chrono::DateTime<chrono::Utc>,
    pub threshold: f32,
    pub assign_threshold: f32,
    /// stories at the last re-clustering (a rebuild is due when they grow by a quarter)
    pub stories_at_build: usize,
    /// the next new topic gets `t{next_id}`
    pub next_id: u64,
    pub topics: Vec<TopicInfo>,
    /// story id -> topic id (stories in no topic are absent)
    pub story_topic: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicInfo {
    pub id: String,
    pub label: String,
    /// c-TF-IDF keywords per language
    pub keywords: BTreeMap<String, Vec<String>>,
    /// most frequent entities at the last re-clustering: (id, name)
    pub entities: Vec<(String, String)>,
    /// centred unit centroid (assignment of new stories)
    pub centroid: Vec<f32>,
}

impl TopicState {
    /// Reads the state (`None` when there is none); a state of another version is an
    /// error that says how to rebuild it.
    pub fn load(path: &Path) -> Result<Option<TopicState>> {
        let Some(s) = crate::atomic::load_json::<TopicState>(path, "topic state")? else { return Ok(None) };
        if s.version != STATE_VERSION {
            return Err(Error::StateVersion {
                path: path.to_path_buf(),
                what: "topic state",
                found: s.version,
                supported: STATE_VERSION,
                fix: "run `vigie topics rebuild`",
            });
        }
        Ok(Some(s))
    }

    /// Writes the state atomically.
    pub fn save(&self, path: &Path) -> Result<()> {
        crate::atomic::save_json(path, self)
    }

    pub fn topic(&self, id: &str) -> Option<&TopicInfo> {
        self.topics.iter().find(|t| t.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_missing() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("state/topics.json");
        assert!(TopicState::load(&p).unwrap().is_none());
        let s = TopicState {
            version: STATE_VERSION,
            built: chrono::Utc::now(),
            threshold: 0.1,
            assign_threshold: 0.15,
            stories_at_build: 1,
            next_id: 2,
            topics: vec![TopicInfo {
                id: "t1".into(),
                label: "x".into(),
                keywords: BTreeMap::new(),
                entities: vec![],
                centroid: vec![0.5, 0.5],
            }],
            story_topic: [("s1".to_string(), "t1".to_string())].into(),
        };
        s.save(&p).unwrap();
        let back = TopicState::load(&p).unwrap().unwrap();
        assert_eq!(back.story_topic["s1"], "t1");
        assert!(!p.with_extension("json.tmp").exists());
        // a state of another version says what to run
        let mut later = back;
        later.version = STATE_VERSION + 1;
        later.save(&p).unwrap();
        let e = TopicState::load(&p).unwrap_err();
        assert!(matches!(e, Error::StateVersion { found, .. } if found == STATE_VERSION + 1), "{e}");
        assert!(e.to_string().contains("vigie topics rebuild"), "{e}");
    }
}
