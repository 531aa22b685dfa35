//! The watch loop: polls one after another through one session, each followed by the
//! alert rules, paced by an injectable clock until a stop flag is set or enough polls
//! ran. One poll is the feeds that are due (fetched concurrently), the files that are
//! new or grew, one ingest batch, and the marks saved after the commit. The front end
//! (the CLI's `vigie watch`, the server's `--watch`) parses its settings and reports the
//! [`WatchEvents`]; signals come from [`crate::signals`].

use crate::alerts::{Notifier, RunSummary};
use crate::fetch::{is_url, FetchError};
use crate::watch::{backoff, file_change, list_files, poll_feed, FeedPoll, WatchState};
use crate::{Clock, DataDir, Error, IngestOptions, Result, Session, SystemClock};
use serde::Serialize;
use std::ops::{ControlFlow, DerefMut};
use std::sync::atomic::{AtomicBool, Ordering};
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
    /// `--fetch-articles`: the pages fetched for this poll's feed items
    #[serde(skip_serializing_if = "Option::is_none")]
    pub articles: Option<crate::articles::ArticleStats>,
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
    /// The alert rules ran after the poll's commit, or failed (watching goes on: the
    /// next run picks the same documents up again).
    fn alerts_ran(&mut self, _run: &Result<RunSummary>) {}
    /// A poll is over, alerts included; `Break` stops watching after it (the front end
    /// cannot report any more, say).
    fn polled(&mut self, _poll: &Poll) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }
}

/// Reports nothing.
impl WatchEvents for () {}

/// The engine's clock, waiting: the pause between two polls. The system clock sleeps;
/// a test's moves its time instead, so that polls follow one another at once.
pub trait Pause: Clock {
    /// Waits `d`, or returns as soon as `stop` is set.
    fn pause(&self, d: std::time::Duration, stop: &AtomicBool);
}

impl Pause for SystemClock {
    fn pause(&self, d: std::time::Duration, stop: &AtomicBool) {
        // a signal sets `stop` from another thread: looked at every 50 ms
        let until = std::time::Instant::now() + d;
        while !stop.load(Ordering::SeqCst) {
            let left = until.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return;
            }
            std::thread::sleep(left.min(std::time::Duration::from_millis(50)));
        }
    }
}

/// How long [`Watcher::run`] goes on and what paces it.
pub struct Schedule<'a> {
    /// stop after this many polls (`--once` is 1); `None`: until `stop` is set
    pub max_polls: Option<u64>,
    /// the time feeds back off and alerts run against, and the pause between polls
    pub clock: &'a dyn Pause,
}

impl Schedule<'static> {
    /// Polls on the system clock until stopped (or `max_polls`).
    pub fn system(max_polls: Option<u64>) -> Self {
        Schedule { max_polls, clock: &SystemClock }
    }
}

/// Checks the inputs of a watch: paths and feed URLs, never stdin. Returns the paths
/// that do not exist yet (they are polled anyway).
pub fn check_inputs(inputs: &[String]) -> Result<Vec<String>> {
    let mut missing = Vec::new();
    for i in inputs.iter().filter(|i| !is_url(i)) {
        if i == "-" {
            return Err(Error::Config("watch: stdin (-) cannot be polled; use vigie ingest -".into()));
        }
        if !std::path::Path::new(i).exists() {
            missing.push(i.clone());
        }
    }
    Ok(missing)
}

/// The watched paths and feeds and what was read of them.
pub struct Watcher {
    data: DataDir,
    paths: Vec<String>,
    urls: Vec<String>,
    interval: chrono::Duration,
    client: reqwest::Client,
    /// the feeds' I/O; the pipeline's CPU stages keep their own threads
    rt: tokio::runtime::Runtime,
    state: WatchState,
    polls: u64,
}

impl Watcher {
    /// `inputs` are paths (directories, files) and feed URLs; `interval` is the time
    /// between polls (failed feeds back off from it), `timeout` the feed request timeout.
    pub fn new(data: DataDir, inputs: &[String], interval: chrono::Duration, timeout: std::time::Duration) -> Result<Self> {
        check_inputs(inputs)?;
        if interval <= chrono::Duration::zero() {
            return Err(Error::Config(format!("watch: interval {}s: use a positive time between polls", interval.num_seconds())));
        }
        let state = WatchState::load(&data)?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| Error::Http(format!("cannot start the network runtime: {e}")))?;
        Ok(Watcher {
            rt,
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

    /// Watches until `stop` is set (a signal) or the schedule's polls are done: polls
    /// through `session` (opened once by the caller: the dedup and story state stay in
    /// memory and the index writer stays held), runs the alert rules after each when a
    /// notifier is given, and pauses the interval between polls. A signal during a poll
    /// lets its batch finish and commit. Returns the polls this run made; an error that
    /// is not the input's (the marks cannot be saved, say) ends it.
    pub fn run(
        &mut self,
        session: &mut Session,
        opts: &IngestOptions<'_>,
        alerts: Option<&mut dyn Notifier>,
        schedule: &Schedule<'_>,
        stop: &AtomicBool,
        events: &mut dyn WatchEvents,
    ) -> Result<u64> {
        let cell = std::cell::RefCell::new(session);
        self.run_borrowing(|| std::cell::RefMut::map(cell.borrow_mut(), |s| &mut **s), opts, alerts, schedule, stop, events)
    }

    /// [`Watcher::run`] with the session borrowed for each poll (its batch and the alert
    /// run after it) instead of for the whole run: `session` lends it, through a lock
    /// when another writer shares it (the server's ingest endpoint takes the same
    /// session between two polls), and it is given back during the pause.
    pub fn run_borrowing<S: DerefMut<Target = Session>>(
        &mut self,
        mut session: impl FnMut() -> S,
        opts: &IngestOptions<'_>,
        mut alerts: Option<&mut dyn Notifier>,
        schedule: &Schedule<'_>,
        stop: &AtomicBool,
        events: &mut dyn WatchEvents,
    ) -> Result<u64> {
        let clock: &dyn Clock = schedule.clock;
        let mut polls = 0u64;
        loop {
            let p = {
                let mut session = session();
                let mut p = self.poll(&mut session, opts, clock, events)?;
                if let Some(notifier) = alerts.as_deref_mut() {
                    let started = std::time::Instant::now();
                    let run = session.run_alerts(notifier, clock);
                    if let Ok(s) = &run {
                        (p.notifications, p.delivered) = (s.notifications, s.delivered);
                    }
                    events.alerts_ran(&run);
                    p.seconds += started.elapsed().as_secs_f64();
                }
                p
            };
            polls += 1;
            let flow = events.polled(&p);
            let done = flow.is_break() || schedule.max_polls.is_some_and(|m| polls >= m);
            if done || stop.load(Ordering::SeqCst) {
                break;
            }
            schedule.clock.pause(self.interval.to_std().unwrap_or_default(), stop);
            if stop.load(Ordering::SeqCst) {
                break;
            }
        }
        Ok(polls)
    }

    /// One poll through `session`: feeds due and files changed are ingested as one
    /// batch (finished even when a signal arrives meanwhile); the marks are saved after
    /// the commit, so a crash in between re-reads input already stored, whose ids are
    /// then skipped.
    pub fn poll(
        &mut self,
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
        let polled = self.rt.block_on(async {
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
        let articles_before = opts.fetch_articles.map(|f| f.stats());
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
        p.articles = opts.fetch_articles.zip(articles_before).map(|(f, before)| f.stats().since(&before));
        new_state.save(&self.data)?;
        self.state = new_state;
        p.seconds = started.elapsed().as_secs_f64();
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::AlertStore;
    use chrono::{DateTime, Utc};
    use std::sync::Mutex;
    use vigie_pipeline::ingest::FormatChoice;
    use vigie_pipeline::lang::{LangConfig, LangDetector};
    use vigie_schemas::{AlertRule, NotifySink};

    const STORIES: [(&str, &str, &str); 4] = [
        (
            "w1",
            "Nvidia opens a research lab in Paris",
            "The chip maker will hire two hundred engineers in the French capital over three years.",
        ),
        (
            "w2",
            "Nvidia shares fall after export rules",
            "Washington tightened the rules on selling accelerators to several countries on Friday.",
        ),
        ("w3", "Nvidia sponsors a cycling team", "The Tour de France squad will carry the company's logo on its jerseys next summer."),
        ("w4", "Nvidia builds a campus in Lyon", "The offices by the Rhone will house a thousand people working on robotics software."),
    ];

    fn line(i: usize) -> String {
        let (id, title, body) = STORIES[i];
        serde_json::json!({"id": id, "title": title, "body": body, "lang": "en"}).to_string() + "\n"
    }

    /// What happens during the `n`th pause (the stop flag at hand, as a signal sets it).
    type Between = Box<dyn Fn(usize, &AtomicBool) + Send + Sync>;

    /// A clock that moves by the pause instead of sleeping; each pause runs `between`
    /// (the world changing between two polls) and is recorded.
    struct Fake {
        now: Mutex<DateTime<Utc>>,
        pauses: Mutex<Vec<std::time::Duration>>,
        between: Between,
    }

    impl Clock for Fake {
        fn now(&self) -> DateTime<Utc> {
            *self.now.lock().unwrap()
        }
    }

    impl Pause for Fake {
        fn pause(&self, d: std::time::Duration, stop: &AtomicBool) {
            *self.now.lock().unwrap() += chrono::Duration::from_std(d).unwrap();
            let n = {
                let mut p = self.pauses.lock().unwrap();
                p.push(d);
                p.len()
            };
            (self.between)(n, stop);
        }
    }

    /// What the loop reported, and whether the data directory's writer was held (by the
    /// one session) at the end of every poll.
    #[derive(Default)]
    struct Seen {
        polls: Vec<Poll>,
        feed_failures: Vec<(u32, i64)>,
        alerts: Vec<usize>,
        locked_while_watching: Vec<bool>,
        data: Option<DataDir>,
    }

    impl Observer for Seen {}

    impl WatchEvents for Seen {
        fn feed_failed(&mut self, _url: &str, _error: &FetchError, failures: u32, wait_seconds: i64) {
            self.feed_failures.push((failures, wait_seconds));
        }
        fn alerts_ran(&mut self, run: &Result<RunSummary>) {
            self.alerts.push(run.as_ref().expect("alerts run").notifications);
        }
        fn polled(&mut self, poll: &Poll) -> ControlFlow<()> {
            let data = self.data.clone().expect("data dir");
            let second = Session::open(data);
            self.locked_while_watching.push(matches!(second, Err(Error::Index(vigie_index::Error::Locked(_)))));
            self.polls.push(poll.clone());
            ControlFlow::Continue(())
        }
    }

    /// The document ids of the notifications delivered.
    struct Recorder(Vec<String>);

    impl Notifier for Recorder {
        fn send(&mut self, _sink: &NotifySink, _key: &str, lines: &str) -> std::result::Result<(), crate::alerts::Failed> {
            for l in lines.lines() {
                let n: vigie_schemas::Notification = serde_json::from_str(l).expect("a notification");
                self.0.push(n.document_id.0);
            }
            Ok(())
        }
    }

    /// Issue 13: the watch loop is the engine's. Three polls on a fake clock (no
    /// sleeping): a file that grows between polls, a feed that fails and backs off on
    /// the clock, the alert rules after each commit, all through the one session the
    /// caller opened; a stop set during a pause ends the loop, and a later run of one
    /// poll finds nothing new.
    #[test]
    fn the_loop_polls_on_the_injected_clock_through_one_session() {
        let tmp = tempfile::tempdir().unwrap();
        let data = DataDir::new(tmp.path().join("data"));
        let inbox = tmp.path().join("inbox");
        std::fs::create_dir_all(&inbox).unwrap();
        let wire = inbox.join("wire.jsonl");
        std::fs::write(&wire, line(0)).unwrap();
        let t0 = "2026-03-02T08:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let rule = AlertRule { created: t0, ..crate::alerts::a_rule("nvidia") };
        AlertStore::new(&data).add(&rule, 0).unwrap();
        // a feed nobody serves: refused at once
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        let feed = format!("http://{closed}/feed.rss");

        let file = wire.clone();
        let clock = Fake {
            now: Mutex::new(t0),
            pauses: Mutex::new(Vec::new()),
            between: Box::new(move |n, stop| {
                if n < 3 {
                    let mut f = std::fs::OpenOptions::new().append(true).open(&file).unwrap();
                    std::io::Write::write_all(&mut f, line(n).as_bytes()).unwrap();
                } else {
                    // a signal while waiting for the fourth poll
                    stop.store(true, Ordering::SeqCst);
                }
            }),
        };
        let lang = LangDetector::new(&LangConfig::default()).unwrap();
        let opts = IngestOptions::new(FormatChoice::Auto, &lang, None);
        let mut session = Session::open(data.clone()).unwrap();
        let inputs = [feed, inbox.display().to_string()];
        let mut w = Watcher::new(data.clone(), &inputs, chrono::Duration::seconds(60), std::time::Duration::from_secs(5)).unwrap();
        let mut seen = Seen { data: Some(data.clone()), ..Default::default() };
        let mut rec = Recorder(Vec::new());
        let stop = AtomicBool::new(false);
        let schedule = Schedule { max_polls: None, clock: &clock };
        let polls = w.run(&mut session, &opts, Some(&mut rec), &schedule, &stop, &mut seen).unwrap();

        assert_eq!(polls, 3);
        let counts: Vec<(u64, u64, usize, usize, usize)> =
            seen.polls.iter().map(|p| (p.poll, p.indexed, p.files_changed, p.feeds_failed, p.notifications)).collect();
        // the feed fails at 0 s (next try in 60 s) and 60 s (in 120 s); at 120 s it is not due
        assert_eq!(counts, [(1, 1, 1, 1, 1), (2, 1, 1, 1, 1), (3, 1, 1, 0, 1)]);
        assert_eq!(seen.feed_failures, [(1, 60), (2, 120)]);
        assert_eq!(*clock.pauses.lock().unwrap(), [std::time::Duration::from_secs(60); 3]);
        assert_eq!(*clock.now.lock().unwrap(), t0 + chrono::Duration::seconds(180));
        // alerts after each commit, each story once, delivered through the notifier given
        assert_eq!(seen.alerts, [1, 1, 1]);
        assert_eq!(rec.0, ["w1", "w2", "w3"]);
        // one session throughout: its writer held at every poll, its index holding all
        assert_eq!(seen.locked_while_watching, [true, true, true]);
        assert_eq!(session.index().num_docs(), 3);

        // a later run of one poll (as --once): nothing new, no pause
        let once = Schedule { max_polls: Some(1), clock: &clock };
        assert_eq!(w.run(&mut session, &opts, None, &once, &AtomicBool::new(false), &mut seen).unwrap(), 1);
        let p = seen.polls.last().unwrap();
        assert_eq!((p.poll, p.files_changed, p.read, p.notifications), (4, 0, 0, 0), "{p:?}");
        assert_eq!(clock.pauses.lock().unwrap().len(), 3);
        assert_eq!(w.polls(), 4);
        session.close().unwrap();
        // the marks were saved: a new watcher over the same directory reads nothing again
        let mut session = Session::open(data.clone()).unwrap();
        let mut w = Watcher::new(data.clone(), &inputs[1..], chrono::Duration::seconds(60), std::time::Duration::from_secs(5)).unwrap();
        let p = w.poll(&mut session, &opts, &clock, &mut ()).unwrap();
        assert_eq!((p.files_changed, p.read), (0, 0), "{p:?}");
        session.close().unwrap();
    }

    /// `vigie serve --watch`: the loop borrows the session for each poll only, so that
    /// another writer of the process (the server's ingest endpoint) takes it in between.
    #[test]
    fn the_loop_borrows_the_session_per_poll() {
        let tmp = tempfile::tempdir().unwrap();
        let data = DataDir::new(tmp.path().join("data"));
        let inbox = tmp.path().join("inbox");
        std::fs::create_dir_all(&inbox).unwrap();
        std::fs::write(inbox.join("wire.jsonl"), line(0)).unwrap();
        let session = std::sync::Arc::new(Mutex::new(Session::open(data.clone()).unwrap()));
        let (other, posted) = (session.clone(), tmp.path().join("posted.jsonl"));
        let clock = Fake {
            now: Mutex::new("2026-03-02T08:00:00Z".parse().unwrap()),
            pauses: Mutex::new(Vec::new()),
            between: Box::new(move |n, stop| {
                if n == 1 {
                    // between two polls the session is free: another writer ingests through it
                    let mut s = other.try_lock().expect("the session is lent back during the pause");
                    std::fs::write(&posted, line(1)).unwrap();
                    let lang = LangDetector::new(&LangConfig::default()).unwrap();
                    let opts = IngestOptions::new(FormatChoice::Auto, &lang, None);
                    let sum = s.ingest(&[Input::Path(posted.clone())], &opts, &mut (), &AtomicBool::new(false)).unwrap();
                    assert_eq!(sum.indexed, 1);
                } else {
                    stop.store(true, Ordering::SeqCst);
                }
            }),
        };
        let lang = LangDetector::new(&LangConfig::default()).unwrap();
        let opts = IngestOptions::new(FormatChoice::Auto, &lang, None);
        let mut w =
            Watcher::new(data, &[inbox.display().to_string()], chrono::Duration::seconds(60), std::time::Duration::from_secs(5)).unwrap();
        let schedule = Schedule { max_polls: None, clock: &clock };
        let polls = w.run_borrowing(|| session.lock().unwrap(), &opts, None, &schedule, &AtomicBool::new(false), &mut ()).unwrap();
        assert_eq!(polls, 2);
        drop(clock);
        let s = std::sync::Arc::try_unwrap(session).ok().expect("one owner left").into_inner().unwrap();
        assert_eq!(s.index().num_docs(), 2);
        s.close().unwrap();
    }

    #[test]
    fn stdin_cannot_be_watched_and_missing_paths_are_named() {
        let e = check_inputs(&["-".into()]).unwrap_err();
        assert!(matches!(e.kind(), crate::ErrorKind::Usage) && e.to_string().contains("stdin (-) cannot be polled"), "{e}");
        let missing = check_inputs(&["/no/such/dir".into(), "https://example.org/feed".into()]).unwrap();
        assert_eq!(missing, ["/no/such/dir"]);
    }
}
