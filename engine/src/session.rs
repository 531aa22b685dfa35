//! A long-lived ingest session: the data directory opened once, the index writer, the
//! dedup signatures and the story state held between batches. `vigie ingest` runs one
//! batch; `vigie watch` (and the server to come) run one per poll without reloading
//! the state from the index each time.

use crate::alerts::{Notifier, RunSummary};
use crate::store::{load_dedup, IndexSink};
use crate::topics::{load_stories, update_topics};
use crate::{Clock, DataDir, Error, Result};
use std::sync::atomic::AtomicBool;
use vigie_index::{VigieIndex, Writer};
use vigie_pipeline::dedup::Dedup;
use vigie_pipeline::ingest::{FormatChoice, Input};
use vigie_pipeline::lang::LangDetector;
use vigie_pipeline::normalize::Normalizer;
use vigie_pipeline::reject::RejectLog;
use vigie_pipeline::runner::{self, Analyzer, Observer, RunConfig, Stages, Summary};
use vigie_pipeline::stories::Stories;

/// How a batch is ingested: input format, stages, commit size and worker threads.
pub struct IngestOptions<'a> {
    pub format: FormatChoice,
    pub lang: &'a LangDetector,
    /// the model stage (entities and embeddings); `None` for storage and search only
    pub analyzer: Option<&'a dyn Analyzer>,
    /// commit to the index every this many documents (and at the end of the batch)
    pub commit_every: usize,
    /// CPU worker threads (default: all cores)
    pub workers: Option<usize>,
    /// the inputs are `enriched.v1` lines (`vigie enrich`): the ordered stages only,
    /// no model
    pub enriched: bool,
    /// `--fetch-articles`: feed items that are only summaries get their page's text
    pub fetch_articles: Option<&'a crate::articles::ArticleFetcher>,
}

impl<'a> IngestOptions<'a> {
    /// Defaults for a batch: commits every 5,000 documents, all cores.
    pub fn new(format: FormatChoice, lang: &'a LangDetector, analyzer: Option<&'a dyn Analyzer>) -> Self {
        IngestOptions { format, lang, analyzer, commit_every: 5000, workers: None, enriched: false, fetch_articles: None }
    }
}

/// The writing side of a data directory, held by one process at a time (the index
/// lock): another process's ingest into the same directory is refused meanwhile.
pub struct Session {
    data: DataDir,
    index: VigieIndex,
    writer: Writer,
    dedup: Dedup,
    stories: Stories,
    normalizer: Normalizer,
    /// a batch failed part-way: the state in memory may hold articles the index does
    /// not, so it is read again from the last commit before the next batch
    stale: bool,
}

impl Session {
    /// Opens (or creates) the data directory, takes the index writer and reads the dedup
    /// and story state of the last commit.
    pub fn open(data: DataDir) -> Result<Self> {
        data.create()?;
        let index = VigieIndex::open_or_create(&data.index_dir())?;
        let writer = index.writer()?;
        let (dedup, stories) = read_state(&index)?;
        Ok(Session { data, index, writer, dedup, stories, normalizer: Normalizer::default(), stale: false })
    }

    pub fn data(&self) -> &DataDir {
        &self.data
    }

    /// The index as of the last commit.
    pub fn index(&self) -> &VigieIndex {
        &self.index
    }

    /// Ingests one batch: one pass of the pipeline, batched commits, then the topic
    /// update. Whatever was accepted is committed, even when the batch fails part-way.
    pub fn ingest(
        &mut self,
        sources: &[Input],
        opts: &IngestOptions<'_>,
        observer: &mut dyn Observer,
        stop: &AtomicBool,
    ) -> Result<Summary> {
        if self.stale {
            (self.dedup, self.stories) = read_state(&self.index)?;
            self.stale = false;
        }
        self.writer.set_commit_every(opts.commit_every);
        let mut rejects = RejectLog::new(self.data.rejects_path());
        let stages = Stages { normalizer: &self.normalizer, lang: opts.lang };
        // a walk of a folder that holds the data directory never reads the index back in
        let mut cfg = RunConfig { format: opts.format, skip_dirs: vec![self.data.root().to_path_buf()], ..Default::default() };
        if let Some(w) = opts.workers {
            cfg.workers = w.max(1);
        }
        let analyzer = if opts.enriched {
            cfg.mode = runner::Mode::IngestEnriched;
            None
        } else {
            opts.analyzer
        };
        // --fetch-articles: feeds are read here, their summaries replaced by the pages'
        // text; the feed records that could not be read are this batch's rejects
        let fetched = opts.fetch_articles.map(|f| f.enrich(sources, opts.format, &cfg.skip_dirs));
        let sources = fetched.as_ref().map_or(sources, |e| &e.sources[..]);
        let unread = fetched.as_ref().map_or(&[][..], |e| &e.rejects[..]);
        for r in unread {
            rejects.write(r)?;
            observer.rejected(r);
        }
        let mut sink = IndexSink { writer: &mut self.writer, commits: 0 };
        let (dedup, stories) = (&mut self.dedup, &mut self.stories);
        // a panic the stages did not catch (a bug in the ordered stage) still leaves the
        // articles accepted so far committed below
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            runner::run(sources, &cfg, &stages, analyzer, Some(stories), dedup, &mut sink, &mut rejects, observer, stop)
        }))
        .unwrap_or_else(|p| Err(vigie_pipeline::Error::Stage(format!("internal error: {}", vigie_pipeline::reject::panic_message(&*p)))));
        let committed = self.writer.commit();
        if result.is_err() || committed.is_err() {
            self.stale = true;
        }
        let mut summary = result.map_err(|e| Error::Ingest(Box::new(e.into())))?;
        (summary.read, summary.rejected) = (summary.read + unread.len() as u64, summary.rejected + unread.len() as u64);
        committed?;
        if summary.indexed > 0 {
            // topics follow the commit while this process holds the index lock
            self.index.reload()?;
            update_topics(&self.data, &self.index, &self.stories)?;
        }
        Ok(summary)
    }

    /// Ingests inputs as the user names them (paths, `-` for stdin, http(s) URLs) in one
    /// batch: URLs are fetched first (concurrently), and a URL that could not be fetched
    /// is a reject like any other: written to the rejects file, reported to `observer`,
    /// counted as read and rejected.
    pub fn ingest_inputs(
        &mut self,
        inputs: &[String],
        opts: &IngestOptions<'_>,
        observer: &mut dyn Observer,
        stop: &AtomicBool,
    ) -> Result<Summary> {
        let (sources, failed) = crate::fetch::resolve(inputs);
        let mut rejects = RejectLog::new(self.data.rejects_path());
        for r in &failed {
            rejects.write(r)?;
            observer.rejected(r);
        }
        let mut summary = self.ingest(&sources, opts, observer, stop)?;
        summary.read += failed.len() as u64;
        summary.rejected += failed.len() as u64;
        Ok(summary)
    }

    /// Runs the alert rules over what the batches committed since each rule's watermark
    /// (on the index this session holds: nothing is reopened) and delivers what is due.
    pub fn run_alerts(&self, notifier: &mut dyn Notifier, clock: &dyn Clock) -> Result<RunSummary> {
        crate::alerts::run(&self.data, &self.index, notifier, clock)
    }

    /// Waits for the index's background merges and releases the writer.
    pub fn close(self) -> Result<()> {
        Ok(self.writer.finish()?)
    }
}

/// The dedup signatures and the story state of the last commit.
fn read_state(index: &VigieIndex) -> Result<(Dedup, Stories)> {
    let dedup = load_dedup(index)?;
    let stories = load_stories(&index.vectors()?);
    Ok((dedup, stories))
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_pipeline::lang::LangConfig;

    fn articles(dir: &std::path::Path, name: &str, ids: &[&str], body: &str) -> Input {
        let p = dir.join(name);
        let lines: Vec<String> = ids
            .iter()
            .map(|id| {
                serde_json::json!({"id": id, "title": format!("Nvidia et OpenAI {id}"), "body": format!("{body} ({id})"), "lang": "fr"})
                    .to_string()
            })
            .collect();
        std::fs::write(&p, lines.join("\n")).unwrap();
        Input::Path(p)
    }

    const BODY: &str = "Nvidia a présenté lundi ses puces Blackwell, que Microsoft et OpenAI installeront \
        dans les centres de données du projet Stargate au Texas, selon les dirigeants des deux groupes, \
        qui ont détaillé le calendrier des livraisons et le coût des premiers sites.";

    /// One session ingests several batches: what a batch stored is known to the next
    /// (same ids are skipped, copies are found against earlier batches) without
    /// reopening, and a new session over the same directory sees it too.
    #[test]
    fn batches_share_the_state_of_one_session_and_the_next() {
        let tmp = tempfile::tempdir().unwrap();
        let lang = LangDetector::new(&LangConfig::default()).unwrap();
        let opts = IngestOptions::new(FormatChoice::Auto, &lang, None);
        let stop = AtomicBool::new(false);
        let mut s = Session::open(DataDir::new(tmp.path().join("data"))).unwrap();
        let first = s.ingest(&[articles(tmp.path(), "a.jsonl", &["a1"], BODY)], &opts, &mut (), &stop).unwrap();
        assert_eq!((first.indexed, first.duplicates), (1, 0));
        // the same article again, and a copy of it under another id
        let again = s.ingest(&[articles(tmp.path(), "a.jsonl", &["a1"], BODY)], &opts, &mut (), &stop).unwrap();
        assert_eq!((again.indexed, again.existing), (0, 1));
        let copy = s.ingest(&[articles(tmp.path(), "b.jsonl", &["b1"], BODY)], &opts, &mut (), &stop).unwrap();
        assert_eq!((copy.indexed, copy.duplicates), (1, 1));
        assert_eq!(s.index().num_docs(), 2);
        // the writer is held: a second session on the directory is refused meanwhile
        let locked = Session::open(DataDir::new(tmp.path().join("data")));
        assert!(matches!(locked, Err(Error::Index(vigie_index::Error::Locked(_)))), "{:?}", locked.err());
        s.close().unwrap();
        let mut s = Session::open(DataDir::new(tmp.path().join("data"))).unwrap();
        let later = s.ingest(&[articles(tmp.path(), "c.jsonl", &["c1"], BODY)], &opts, &mut (), &stop).unwrap();
        assert_eq!((later.indexed, later.duplicates), (1, 1));
        s.close().unwrap();
    }

    /// Inputs as a user names them: a URL that cannot be fetched is a reject (in the
    /// rejects file, to the observer, in the counts) and the paths are ingested; the
    /// alert rules then run on the session's own index.
    #[test]
    fn inputs_with_a_failed_fetch_are_ingested_and_the_failure_rejected() {
        struct Seen(Vec<String>);
        impl Observer for Seen {
            fn rejected(&mut self, r: &vigie_pipeline::reject::Reject) {
                self.0.push(r.to_string());
            }
        }
        let tmp = tempfile::tempdir().unwrap();
        // a port nobody listens on: the connection is refused at once
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        let url = format!("http://{closed}/feed.rss");
        let Input::Path(file) = articles(tmp.path(), "a.jsonl", &["a1"], BODY) else { unreachable!() };
        let lang = LangDetector::new(&LangConfig::default()).unwrap();
        let opts = IngestOptions::new(FormatChoice::Auto, &lang, None);
        let mut s = Session::open(DataDir::new(tmp.path().join("data"))).unwrap();
        let mut seen = Seen(Vec::new());
        let inputs = [url.clone(), file.display().to_string()];
        let sum = s.ingest_inputs(&inputs, &opts, &mut seen, &AtomicBool::new(false)).unwrap();
        assert_eq!((sum.read, sum.indexed, sum.rejected), (2, 1, 1), "{sum:?}");
        assert!(seen.0.len() == 1 && seen.0[0].contains(&url) && seen.0[0].contains("fetch failed"), "{:?}", seen.0);
        let rejects = std::fs::read_to_string(s.data().rejects_path()).unwrap();
        assert!(rejects.contains(&url) && rejects.lines().count() == 1, "{rejects}");
        // no rules: the run reads the store and the session's index, and finds nothing to do
        let run = s.run_alerts(&mut crate::alerts::Sinks::new(Default::default()), &crate::SystemClock).unwrap();
        assert_eq!(run.rules, 0);
        s.close().unwrap();
    }
}
