//! A rule's delivery state: its watermark, the stories it already notified, and the
//! outbox of notifications matched but not yet confirmed by the sink.
//!
//! The order of writes is what makes delivery exactly-once per story: matching adds the
//! new notifications to the outbox and advances the watermark in one atomic write; each
//! notification leaves the outbox only in the write that follows the sink's
//! confirmation. A crash therefore never loses a match (it waits in the outbox) and
//! never repeats a confirmed one. For file sinks the file length is recorded before
//! writing, so that even lines written just before a crash are recognised and not
//! written twice.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use vigie_schemas::Notification;

/// Stories notified longer ago than this are forgotten (a story stops growing after a
/// few days without articles; see the story window).
const NOTIFIED_KEEP_DAYS: i64 = 90;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RuleState {
    pub version: u32,
    /// Documents with a sequence number below this were matched already.
    pub next_seq: u64,
    /// Keys already notified (story id, else the original's id; per copy group, the
    /// original's id), with when.
    pub notified: BTreeMap<String, DateTime<Utc>>,
    /// Matched, not yet confirmed by the sink.
    pub outbox: Vec<Notification>,
    /// End of the last digest period (digest rules).
    pub last_digest: DateTime<Utc>,
    /// File sinks: the file's length before the write in progress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_mark: Option<u64>,
    pub delivered: u64,
    pub dead_lettered: u64,
}

impl RuleState {
    pub fn new(next_seq: u64, created: DateTime<Utc>) -> Self {
        RuleState {
            version: 1,
            next_seq,
            notified: BTreeMap::new(),
            outbox: Vec::new(),
            last_digest: created,
            file_mark: None,
            delivered: 0,
            dead_lettered: 0,
        }
    }

    /// Forgets notified stories older than the retention.
    pub fn prune(&mut self, now: DateTime<Utc>) {
        let cutoff = now - chrono::Duration::days(NOTIFIED_KEEP_DAYS);
        self.notified.retain(|_, t| *t >= cutoff);
    }
}
