//! One poll of `watch`: the feeds that are due (fetched concurrently), the files that are
//! new or grew, one ingest batch through the session, the marks saved after the commit.
//! The schedule around it (interval, signals, alerts, printing) belongs to the front end.

use crate::fetch::{is_url, FetchError};
use crate::watch::{backoff, file_change, list_files, poll_feed, FeedPoll, WatchState};
use crate::{Clock, DataDir, IngestOptions, Result, Session};
use serde::Serialize;
use std::sync::atomic::AtomicBool;
use vigie_pipeline::ingest::Input;
use vigie_pipeline::reject::{Reject, RejectLog};
use vigie_pipeline::runner::Observer;

/// One poll's counts (the `--json` line of `vigie watch`).
#[derive(Debug, Default, Clone, Serialize)]
pub struct Poll {
    pub poll: u64,
    pub feeds_changed: usize,
    pub feeds_not_modified: usize,
    pub feeds_failed: usize,
    pub files_changed: usize,
    pub read: u64,
    pub indexed: u64,
    pub duplicates: u64,
    pub existing: u64,
    pub rejected: u64,
    pub notifications: usize,
    pub delivered: usize,
    /// the poll's time: fetching, ingesting, committing, alerts
    pub seconds: f64,
}

/// What happens during a poll that the front end reports: the ingest's progress and
/// rejects, and the problems that do not stop watching.
pub trait WatchEvents: Observer {
    /// A feed could not be fetched; it is tried again after `wait_seconds`.
    fn feed_failed(&mut self, _url: &str, _error: &FetchError, _failures: u32, _wait_seconds: i64) {}
    /// A watched file could not be read (it is tried again at the next poll).
    fn unreadable(&mut self, _file: &str, _error: &std::io::Error) {}
    /// The poll's batch failed; nothing is marked as read, the next poll tries again.
    fn batch_failed(&mut self, _poll: u64, _error: &crate::Error) {}
    /// A JSON line over the record limit, refused before parsing.
    fn line_rejected(&mut self, _reject: &Reject) {}
}

/// The watched paths and feeds and what was read of them.
pub struct Watcher {
    data: DataDir,
    paths: Vec<String>,
    urls: Vec<String>,
    interval: chrono::Duration,
    client: reqwest::Client,
    state: WatchState,
    polls: u64,
}

impl Watcher {
    /// `inputs` are paths (directories, files) and feed URLs; `interval` is the time
    /// between polls (failed feeds back off from it), `timeout` the feed request timeout.
    pub fn new(data: DataDir, inputs: &[String], interval: chrono::Duration, timeout: std::time::Duration) -> Result<Self> {
        let state = WatchState::load(&data)?;
        Ok(Watcher {
            paths: inputs.iter().filter(|i| !is_url(i)).cloned().collect(),
            urls: inputs.iter().filter(|i| is_url(i)).cloned().collect(),
            interval,
            client: crate::fetch::client_with(timeout)?,
            state,
            polls: 0,
            data,
        })
    }

    /// Polls run so far.
    pub fn polls(&self) -> u64 {
        self.polls
    }

    /// One poll through `session`: feeds due and files changed are ingested as one
    /// batch (finished even when a signal arrives meanwhile); the marks are saved after
    /// the commit, so a crash in between re-reads input already stored, whose ids are
    /// then skipped.
    pub fn poll(
        &mut self,
        rt: &tokio::runtime::Runtime,
        session: &mut Session,
        opts: &IngestOptions<'_>,
        clock: &dyn Clock,
        events: &mut dyn WatchEvents,
    ) -> Result<Poll> {
        self.polls += 1;
        let started = std::time::Instant::now();
        let mut p = Poll { poll: self.polls, ..Default::default() };
        let now = clock.now();
        let mut sources: Vec<Input> = Vec::new();
        let mut new_state = self.state.clone();

        // feeds that are due, fetched concurrently
        let due: Vec<String> =
            self.urls.iter().filter(|u| self.state.feeds.get(*u).and_then(|m| m.next_try).is_none_or(|t| t <= now)).cloned().collect();
        let polled = rt.block_on(async {
            let mut set = tokio::task::JoinSet::new();
            let mut ids = std::collections::HashMap::new();
            for (i, u) in due.iter().enumerate() {
                let (c, u, m) = (self.client.clone(), u.clone(), self.state.feeds.get(u).cloned().unwrap_or_default());
                let h = set.spawn(async move { poll_feed(&c, &u, &m).await });
                ids.insert(h.id(), i);
            }
            let mut out: Vec<(usize, FeedPoll)> = Vec::new();
            while let Some(r) = set.join_next_with_id().await {
                // a task that failed is a failed poll of its feed, never a crash of watch
                let (id, res) = match r {
                    Ok((id, res)) => (id, res),
                    Err(e) => (e.id(), FeedPoll::Failed(FetchError::Task(e.to_string()), None)),
                };
                if let Some(&i) = ids.get(&id) {
                    out.push((i, res));
                }
            }
            out.sort_by_key(|(i, _)| *i);
            out
        });
        for (i, res) in polled {
            let url = &due[i];
            let mark = new_state.feeds.entry(url.clone()).or_default();
            match res {
                FeedPoll::Changed { input, etag, last_modified, hash } => {
                    p.feeds_changed += 1;
                    sources.push(input);
                    (mark.etag, mark.last_modified, mark.hash) = (etag, last_modified, hash);
                    (mark.failures, mark.next_try) = (0, None);
                }
                FeedPoll::NotModified | FeedPoll::Unchanged => {
                    p.feeds_not_modified += 1;
                    (mark.failures, mark.next_try) = (0, None);
                }
                FeedPoll::Failed(reason, asked) => {
                    p.feeds_failed += 1;
                    let wait = backoff(mark, self.interval, asked, now);
                    events.feed_failed(url, &reason, mark.failures, wait.num_seconds());
                }
            }
        }

        // files: new ones, and what grew; JSON lines over the record limit are refused
        // here (written to the rejects once the poll's batch is committed)
        let mut line_rejects: Vec<Reject> = Vec::new();
        for f in list_files(&self.paths, &[self.data.root().to_path_buf()]) {
            let key = f.display().to_string();
            match file_change(&f, self.state.files.get(&key)) {
                Ok(Some(c)) => {
                    p.files_changed += 1;
                    sources.extend(c.input);
                    line_rejects.extend(c.rejects);
                    new_state.files.insert(c.key, c.mark);
                }
                Ok(None) => {}
                Err(e) => events.unreadable(&key, &e),
            }
        }

        let mut ingested = true;
        if !sources.is_empty() {
            match session.ingest(&sources, opts, events, &AtomicBool::new(false)) {
                Ok(s) => {
                    (p.read, p.indexed, p.duplicates, p.existing, p.rejected) = (s.read, s.indexed, s.duplicates, s.existing, s.rejected)
                }
                Err(e) => {
                    // nothing is marked as read: the next poll tries the same input again
                    events.batch_failed(p.poll, &e);
                    new_state = self.state.clone();
                    ingested = false;
                }
            }
        }
        if ingested && !line_rejects.is_empty() {
            let mut log = RejectLog::new(self.data.rejects_path());
            for r in &line_rejects {
                events.line_rejected(r);
                log.write(r)?;
            }
            p.read += line_rejects.len() as u64;
            p.rejected += line_rejects.len() as u64;
        }
        new_state.save(&self.data)?;
        self.state = new_state;
        p.seconds = started.elapsed().as_secs_f64();
        Ok(p)
    }
}
