//! The staged runner: a reader thread parses inputs, a pool of workers normalizes,
//! detects the language and signs each article, the calling thread dedups in input
//! order, a model thread runs the [`Analyzer`] on batches, and the calling thread
//! assigns stories and hands the analysed batches to the [`Sink`] in input order while
//! the model works on the next batch. Stages are joined by bounded channels, so a slow
//! stage slows the reader instead of filling memory.

use crate::dedup::{Dedup, Signature};
use crate::ingest::{read_input_skipping, FormatChoice, Input, RawItem};
use crate::lang::{LangDecision, LangDetector, SourcePrior};
use crate::model_stage::ModelStage;
use crate::normalize::Normalizer;
use crate::reject::{panic_message, Reject, RejectLog};
use crate::stories::{title_terms, Stories, StoryInput};
use crate::Result;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use vigie_schemas::{DocId, Document};

/// A document ready to store, with its dedup signature.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub doc: Document,
    pub signature: Signature,
    /// The worker's language decision (the ordered stage may revise it by source).
    pub lang: LangDecision,
    /// The document embedding from the model stage (L2-normalized), when it ran.
    pub embedding: Option<Vec<f32>>,
    /// Folded content terms of the title (story similarity).
    pub title_terms: Vec<String>,
}

impl Prepared {
    /// What story clustering needs of this document.
    pub fn story_input(&self) -> StoryInput<'_> {
        StoryInput {
            id: &self.doc.id,
            when: self.doc.published.unwrap_or(self.doc.ingested_at).timestamp(),
            lang: self.doc.lang.as_str(),
            embedding: self.embedding.as_deref(),
            entities: self.doc.entities.iter().map(|e| e.id.as_str()).collect(),
            terms: &self.title_terms,
            body: &self.doc.body,
            dup_of: self.doc.dup_of.as_ref(),
            story: None,
        }
    }

    /// A document of only a title and a body, with no language decision (benchmarks,
    /// tests).
    pub fn from_text(id: &str, title: &str, body: &str) -> Self {
        use vigie_schemas::{Lang, Origin};
        Prepared::new(Document {
            id: id.into(),
            title: title.to_string(),
            body: body.to_string(),
            url: None,
            source: None,
            published: None,
            published_raw: None,
            author: None,
            lang: Lang::und(),
            lang_confidence: 0.0,
            lang_hint: None,
            dup_of: None,
            story_id: None,
            topic_id: None,
            entities: vec![],
            ingested_at: chrono::Utc::now(),
            origin: Origin { file: id.into(), line: None },
        })
    }

    /// A document as it is, signed, with no language decision (benchmarks, tests).
    pub fn new(doc: Document) -> Self {
        let signature = Signature::of(&doc.body);
        let title_terms = title_terms(&doc.title);
        Prepared { doc, signature, lang: LangDecision::undetermined(), embedding: None, title_terms }
    }
}

/// What the first phase of the model stage hands to the second.
pub type Encoded = Box<dyn std::any::Any + Send>;

/// The model stage: fills entities and the embedding of a batch of documents, in two
/// phases. `encode` (the encoder pass) runs on a thread of its own, libtorch spreading
/// each batch over the cores; `complete` (NER head, catalogue and knowledge-base
/// matching, linking) runs on the ordered stage's thread, overlapping the encoder pass
/// of the next batch.
pub trait Analyzer: Sync {
    fn encode(&self, docs: &[Prepared]) -> Encoded;
    fn complete(&self, docs: &mut [Prepared], encoded: Encoded);
    /// How many model workers suit this analyser on this machine.
    fn workers(&self) -> usize {
        1
    }
    /// Called once on each model worker's thread before its first batch.
    fn worker_init(&self, _workers: usize) {}
    /// Both phases, one after the other.
    fn analyze(&self, docs: &mut [Prepared]) {
        let e = self.encode(docs);
        self.complete(docs, e);
    }
}

/// How many times `channel_capacity` prepared documents may wait for the ordered stage.
const PREPARED_AHEAD: usize = 4;

/// Documents analysed together (one padded encoder batch holds several articles).
const ANALYZE_BATCH: usize = 16;

/// Where accepted documents go (the binary wires the index here).
pub trait Sink {
    /// Whether a document with this id is already stored.
    fn contains(&mut self, id: &DocId) -> Result<bool>;
    fn add(&mut self, p: &Prepared) -> Result<()>;
    /// Takes a reject in line with the documents (`vigie enrich` writes one line per
    /// record); `false` leaves it to the rejects file.
    fn reject(&mut self, _r: &Reject) -> Result<bool> {
        Ok(false)
    }
}

/// Which stages a run has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Articles in, every stage: the plain ingest.
    #[default]
    Ingest,
    /// Articles in, the stateless stages only (normalization, language, signature,
    /// model), in input order, to the sink: `vigie enrich`.
    Enrich,
    /// `enriched.v1` lines in, the ordered stages only (source language prior, stored
    /// ids, dedup, stories, storage): `vigie ingest --enriched`.
    IngestEnriched,
}

/// Counts of one run; the `--json` summary of `vigie ingest`.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct Summary {
    /// Records read (accepted, already stored and rejected).
    pub read: u64,
    /// Documents added to the index (duplicates included).
    pub indexed: u64,
    /// Added documents that copy an earlier one (`dup_of` set).
    pub duplicates: u64,
    /// Records whose id was already stored (a re-run of the same ingest).
    pub existing: u64,
    pub rejected: u64,
    pub by_lang: BTreeMap<String, u64>,
    /// Title and body bytes of the added documents.
    pub bytes: u64,
    pub seconds: f64,
}

pub struct RunConfig {
    pub format: FormatChoice,
    pub workers: usize,
    /// Model worker threads (default: what the analyser suggests).
    pub model_workers: Option<usize>,
    pub channel_capacity: usize,
    /// Directories a walk never enters (the data directory being written).
    pub skip_dirs: Vec<std::path::PathBuf>,
    pub mode: Mode,
}

impl Default for RunConfig {
    fn default() -> Self {
        let cores = crate::cores();
        RunConfig {
            format: FormatChoice::Auto,
            workers: cores.max(1),
            model_workers: None,
            channel_capacity: 512,
            skip_dirs: Vec::new(),
            mode: Mode::Ingest,
        }
    }
}

/// The stateless stages, shared by the workers.
pub struct Stages<'a> {
    pub normalizer: &'a Normalizer,
    pub lang: &'a LangDetector,
}

impl Stages<'_> {
    /// Normalization, language and signature of one raw item.
    pub fn prepare(&self, item: RawItem) -> std::result::Result<Prepared, Reject> {
        let article = match item.article {
            Ok(a) => a,
            Err(reason) => return Err(Reject::new(&item.origin, reason, item.raw.as_deref())),
        };
        let n = match self.normalizer.normalize(&article, item.origin.clone()) {
            Ok(n) => n,
            Err(reason) => {
                let raw = serde_json::to_string(&article).ok();
                return Err(Reject::new(&item.origin, reason.to_string(), raw.as_deref()));
            }
        };
        let lang = self.lang.detect(&n.title, &n.body, n.lang_hint.as_deref());
        let signature = Signature::of(&n.body);
        let doc = Document {
            id: n.id,
            title: n.title,
            body: n.body,
            url: n.url,
            source: n.source,
            published: n.published,
            published_raw: n.published_raw,
            author: n.author,
            lang: lang.lang.clone(),
            lang_confidence: lang.confidence,
            lang_hint: n.lang_hint,
            dup_of: None,
            story_id: None,
            topic_id: None,
            entities: Vec::new(),
            ingested_at: chrono::Utc::now(),
            origin: n.origin,
        };
        let title_terms = title_terms(&doc.title);
        Ok(Prepared { doc, signature, lang, embedding: None, title_terms })
    }

    /// [`Stages::prepare`], with a panic on this one record turned into its reject.
    pub fn prepare_guarded(&self, item: RawItem) -> std::result::Result<Prepared, Reject> {
        let origin = item.origin.clone();
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.prepare(item))).unwrap_or_else(|p| {
            Err(Reject::new(&origin, format!("internal error while preparing this record: {}", panic_message(&*p)), None))
        })
    }
}

/// What the reader hands to the workers: a parsed input record, or a line of an
/// enriched input.
enum Job {
    Raw(RawItem),
    Line(crate::enriched::RawLine),
}

impl Stages<'_> {
    fn run_job(&self, job: Job) -> std::result::Result<Prepared, Reject> {
        match job {
            Job::Raw(item) => self.prepare_guarded(item),
            Job::Line((origin, Ok(line))) => crate::enriched::decode(&origin, &line),
            Job::Line((origin, Err(reason))) => Err(Reject::new(&origin, reason, None)),
        }
    }
}

/// The model's second phase over a batch; a panic (on input no test foresaw) is
/// narrowed to the articles that cause it, by analysing them one at a time: those
/// come back as rejects, the others are analysed.
fn complete_guarded(a: &dyn Analyzer, batch: &mut Vec<Prepared>, encoded: Encoded, failed: &mut Vec<(DocId, Reject)>) {
    use std::panic::{catch_unwind, AssertUnwindSafe};
    if catch_unwind(AssertUnwindSafe(|| a.complete(batch, encoded))).is_err() {
        analyze_one_by_one(a, batch, failed);
    }
}

/// Both phases of the model, one article at a time, each guarded (after a batch
/// panicked in either phase).
fn analyze_one_by_one(a: &dyn Analyzer, batch: &mut Vec<Prepared>, failed: &mut Vec<(DocId, Reject)>) {
    use std::panic::{catch_unwind, AssertUnwindSafe};
    let docs = std::mem::take(batch);
    for mut p in docs {
        p.doc.entities.clear();
        p.embedding = None;
        match catch_unwind(AssertUnwindSafe(|| a.analyze(std::slice::from_mut(&mut p)))) {
            Ok(()) => batch.push(p),
            Err(e) => failed.push((
                p.doc.id.clone(),
                Reject::new(&p.doc.origin, format!("internal error while enriching this article: {}", panic_message(&*e)), None),
            )),
        }
    }
}

/// Callbacks for progress and rejects (the binary prints them).
pub trait Observer {
    fn rejected(&mut self, _r: &Reject) {}
    fn progress(&mut self, _s: &Summary) {}
}

impl Observer for () {}

/// Writes the rejects of articles whose enrichment failed; they were counted as
/// originals for dedup when they passed the ordered stage, and are forgotten there.
fn write_failed(
    failed: &std::cell::RefCell<Vec<(DocId, Reject)>>,
    dedup: &mut Dedup,
    sink: &mut dyn Sink,
    rejects: &mut RejectLog,
    observer: &mut dyn Observer,
    summary: &mut Summary,
) -> Result<()> {
    for (id, r) in failed.borrow_mut().drain(..) {
        dedup.forget(&id);
        summary.rejected += 1;
        if !sink.reject(&r)? {
            rejects.write(&r)?;
        }
        observer.rejected(&r);
    }
    Ok(())
}

/// Runs the pipeline over `inputs`; returns the counts. Stops early, cleanly, when
/// `stop` is set (the batch read so far is still handed to the sink).
#[allow(clippy::too_many_arguments)]
pub fn run(
    inputs: &[Input],
    cfg: &RunConfig,
    stages: &Stages<'_>,
    analyzer: Option<&dyn Analyzer>,
    mut stories: Option<&mut Stories>,
    dedup: &mut Dedup,
    sink: &mut dyn Sink,
    rejects: &mut RejectLog,
    observer: &mut dyn Observer,
    stop: &AtomicBool,
) -> Result<Summary> {
    let started = std::time::Instant::now();
    let (raw_tx, raw_rx) = crossbeam_channel::bounded::<(u64, Job)>(cfg.channel_capacity);
    let mode = cfg.mode;
    // the workers may run this far ahead of the ordered stage: it stops while the sink
    // commits (a segment written by one tantivy thread), and with room for only
    // `channel_capacity` prepared documents the workers stopped soon after, leaving one
    // core idle through each commit
    let (done_tx, done_rx) =
        crossbeam_channel::bounded::<(u64, std::result::Result<Prepared, Reject>)>(cfg.channel_capacity * PREPARED_AHEAD);
    let mut summary = Summary::default();
    let result = std::thread::scope(|s| -> Result<()> {
        if mode != Mode::IngestEnriched {
            s.spawn(|| stages.lang.warm());
        }
        let (format, skip) = (cfg.format, &cfg.skip_dirs);
        s.spawn(move || {
            let mut seq = 0u64;
            let mut send = |job: Job| {
                if stop.load(Ordering::Relaxed) {
                    return false;
                }
                let ok = raw_tx.send((seq, job)).is_ok();
                seq += 1;
                ok
            };
            for input in inputs {
                let go_on = if mode == Mode::IngestEnriched {
                    crate::enriched::read_lines(input, skip, &mut |line| send(Job::Line(line)))
                } else {
                    read_input_skipping(input, format, skip, &mut |item| send(Job::Raw(item)))
                };
                if !go_on {
                    break;
                }
            }
        });
        for _ in 0..cfg.workers.max(1) {
            let rx = raw_rx.clone();
            let tx = done_tx.clone();
            s.spawn(move || {
                for (seq, job) in rx {
                    if tx.send((seq, stages.run_job(job))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(raw_rx);
        drop(done_tx);
        // `done_rx` is moved in here: an early return drops it, which stops the workers
        // and then the reader instead of leaving them blocked on full channels
        // reorder to input order, so that "the first copy" is the first one read
        let mut next = 0u64;
        let mut waiting: BTreeMap<u64, std::result::Result<Prepared, Reject>> = BTreeMap::new();
        let mut seen: HashSet<DocId> = HashSet::new();
        let mut source_prior = SourcePrior::default();
        let mut batch: Vec<Prepared> = Vec::with_capacity(ANALYZE_BATCH);
        // the model stage's second phase, stories and storage of a batch, in input order
        // articles whose enrichment panicked, written to the rejects file by the loop
        let failed = std::cell::RefCell::new(Vec::<(DocId, Reject)>::new());
        let mut finish = |(mut batch, encoded): crate::model_stage::Batch, sink: &mut dyn Sink, summary: &mut Summary| -> Result<()> {
            match (analyzer, encoded) {
                (Some(a), Some(e)) => complete_guarded(a, &mut batch, e, &mut failed.borrow_mut()),
                // the encoder pass panicked on this batch (see ModelStage)
                (Some(a), None) => analyze_one_by_one(a, &mut batch, &mut failed.borrow_mut()),
                (None, _) => {}
            }
            if let Some(st) = stories.as_deref_mut() {
                for p in batch.iter_mut() {
                    let id = st.assign(&p.story_input());
                    p.doc.story_id = Some(id);
                }
            }
            for p in batch.drain(..) {
                sink.add(&p)?;
                summary.indexed += 1;
                summary.bytes += (p.doc.title.len() + p.doc.body.len()) as u64;
                *summary.by_lang.entry(p.doc.lang.0.clone()).or_insert(0) += 1;
            }
            Ok(())
        };
        // the model workers: batches in, analysed batches out, in order
        let workers = analyzer.map_or(0, |a| cfg.model_workers.unwrap_or_else(|| a.workers()));
        let mut model = ModelStage::start(s, analyzer, workers);
        let arrivals = model.arrivals().clone();
        let mut last_progress = std::time::Instant::now();
        loop {
            // without a model stage nothing else arrives: a plain receive (a select
            // costs ~8% of an ingest without the model)
            let next_item = if analyzer.is_none() {
                done_rx.recv().ok()
            } else {
                crossbeam_channel::select! {
                    recv(done_rx) -> m => m.ok(),
                    recv(arrivals) -> b => {
                        if let Ok(b) = b {
                            model.accept(b, &mut finish, sink, &mut summary)?;
                        }
                        continue;
                    },
                }
            };
            let Some((seq, res)) = next_item else { break };
            waiting.insert(seq, res);
            while let Some(res) = waiting.remove(&next) {
                next += 1;
                summary.read += 1;
                match res {
                    Err(r) => {
                        summary.rejected += 1;
                        if mode == Mode::Enrich {
                            // in line with the documents read before it
                            model.submit(&mut batch, &mut finish, sink, &mut summary)?;
                            model.flush(&mut finish, sink, &mut summary)?;
                        }
                        if !sink.reject(&r)? {
                            rejects.write(&r)?;
                        }
                        observer.rejected(&r);
                    }
                    Ok(p) if mode == Mode::Enrich => {
                        batch.push(p);
                        if batch.len() >= ANALYZE_BATCH {
                            model.submit(&mut batch, &mut finish, sink, &mut summary)?;
                        }
                    }
                    Ok(mut p) => {
                        let d = source_prior.apply(stages.lang, p.doc.source.as_deref(), p.lang.clone());
                        p.doc.lang = d.lang.clone();
                        p.doc.lang_confidence = d.confidence;
                        p.lang = d;
                        if seen.contains(&p.doc.id) || sink.contains(&p.doc.id)? {
                            summary.existing += 1;
                            continue;
                        }
                        if let Some(m) = dedup.check(&p.signature) {
                            p.doc.dup_of = Some(m.of);
                            summary.duplicates += 1;
                        }
                        dedup.insert(p.doc.id.clone(), p.doc.dup_of.as_ref(), p.signature.clone());
                        seen.insert(p.doc.id.clone());
                        batch.push(p);
                        if batch.len() >= ANALYZE_BATCH {
                            model.submit(&mut batch, &mut finish, sink, &mut summary)?;
                        }
                    }
                }
            }
            // nothing else is ready: analyse what is waiting rather than sit on it
            if !batch.is_empty() && waiting.is_empty() && done_rx.is_empty() {
                model.submit(&mut batch, &mut finish, sink, &mut summary)?;
            }
            write_failed(&failed, dedup, sink, rejects, observer, &mut summary)?;
            if last_progress.elapsed().as_millis() >= 100 {
                summary.seconds = started.elapsed().as_secs_f64();
                observer.progress(&summary);
                last_progress = std::time::Instant::now();
            }
        }
        model.submit(&mut batch, &mut finish, sink, &mut summary)?;
        model.close(&mut finish, sink, &mut summary)?;
        write_failed(&failed, dedup, sink, rejects, observer, &mut summary)?;
        Ok(())
    });
    summary.seconds = started.elapsed().as_secs_f64();
    observer.progress(&summary);
    result.map(|_| summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedup::DedupConfig;
    use crate::lang::LangConfig;
    use vigie_schemas::{Entity, EntityType};

    /// An analyser that panics on marked articles, in either phase.
    struct Touchy;

    impl Analyzer for Touchy {
        fn encode(&self, docs: &[Prepared]) -> Encoded {
            assert!(!docs.iter().any(|p| p.doc.body.contains("boom-encode")), "encoder blew up");
            Box::new(docs.len())
        }
        fn complete(&self, docs: &mut [Prepared], encoded: Encoded) {
            assert_eq!(*encoded.downcast::<usize>().unwrap(), docs.len());
            for p in docs {
                assert!(!p.doc.body.contains("boom-complete"), "head blew up on {}", p.doc.title);
                p.doc.entities.push(Entity {
                    id: "company:acme".into(),
                    kind: EntityType::Company,
                    name: "Acme".into(),
                    surface: vec!["Acme".into()],
                    mentions: 1,
                    in_title: false,
                    wikidata: None,
                });
            }
        }
    }

    #[derive(Default)]
    struct Memory(Vec<Document>);

    impl Sink for Memory {
        fn contains(&mut self, _id: &DocId) -> Result<bool> {
            Ok(false)
        }
        fn add(&mut self, p: &Prepared) -> Result<()> {
            self.0.push(p.doc.clone());
            Ok(())
        }
    }

    /// A sink that already holds some ids.
    struct Holding {
        have: std::collections::HashSet<String>,
        docs: Vec<Document>,
    }

    impl Sink for Holding {
        fn contains(&mut self, id: &DocId) -> Result<bool> {
            Ok(self.have.contains(id.as_str()))
        }
        fn add(&mut self, p: &Prepared) -> Result<()> {
            self.docs.push(p.doc.clone());
            Ok(())
        }
    }

    /// Many workers, one order: documents reach the sink in input order; a copy of an
    /// earlier article points at it; an id the sink holds is counted, not added again; a
    /// bad line is one reject; the counts add up.
    #[test]
    fn the_runner_keeps_input_order_marks_copies_and_skips_stored_ids() {
        let words = ["market", "chip", "river", "vote", "storm", "league", "court", "harvest", "rocket", "museum", "strike", "bridge"];
        let body = |i: usize| -> String {
            (0..40).map(|k| format!("{} {}", words[(i * 7 + k * 5) % words.len()], i * 1000 + k)).collect::<Vec<_>>().join(" ")
        };
        let mut lines = Vec::new();
        for i in 0..300 {
            lines.push(
                serde_json::json!({"id": format!("a{i}"), "title": format!("Report {i}"), "body": body(i), "lang": "en"}).to_string(),
            );
        }
        // copies of a5 and a100 under other ids, a bad line, an id already stored
        lines.push(serde_json::json!({"id": "copy-5", "title": "Report 5", "body": body(5), "lang": "en"}).to_string());
        lines.push("{not json".to_string());
        lines.push(serde_json::json!({"id": "copy-100", "title": "Report 100", "body": body(100), "lang": "en"}).to_string());
        lines.push(serde_json::json!({"id": "stored", "title": "Old", "body": body(999), "lang": "en"}).to_string());
        let inputs = [Input::Bytes { name: "batch.jsonl".into(), bytes: lines.join("\n").into_bytes() }];
        let normalizer = Normalizer::default();
        let lang = LangDetector::new(&LangConfig::default()).unwrap();
        let stages = Stages { normalizer: &normalizer, lang: &lang };
        let dir = tempfile::tempdir().unwrap();
        let mut rejects = RejectLog::new(dir.path().join("rejects.jsonl"));
        let mut sink = Holding { have: ["stored".to_string()].into(), docs: Vec::new() };
        let mut dedup = Dedup::new(DedupConfig::default());
        let cfg = RunConfig { workers: 4, channel_capacity: 8, ..RunConfig::default() };
        let s = run(&inputs, &cfg, &stages, None, None, &mut dedup, &mut sink, &mut rejects, &mut (), &AtomicBool::new(false)).unwrap();
        assert_eq!((s.read, s.indexed, s.duplicates, s.existing, s.rejected), (304, 302, 2, 1, 1), "{s:?}");
        let ids: Vec<&str> = sink.docs.iter().map(|d| d.id.as_str()).collect();
        let mut want: Vec<String> = (0..300).map(|i| format!("a{i}")).collect();
        want.extend(["copy-5".to_string(), "copy-100".to_string()]);
        assert_eq!(ids, want.iter().map(String::as_str).collect::<Vec<_>>());
        let dup = |id: &str| sink.docs.iter().find(|d| d.id.as_str() == id).and_then(|d| d.dup_of.clone()).map(|d| d.0);
        assert_eq!((dup("copy-5").as_deref(), dup("copy-100").as_deref(), dup("a6")), (Some("a5"), Some("a100"), None));
        assert_eq!(s.by_lang.get("en"), Some(&302));
        let text = std::fs::read_to_string(dir.path().join("rejects.jsonl")).unwrap();
        assert!(text.lines().count() == 1 && text.contains("\"line\":302"), "{text}");
    }

    #[test]
    fn a_panic_while_enriching_one_article_rejects_it_and_keeps_the_batch() {
        let mut lines = String::new();
        for i in 0..40 {
            let mark = match i {
                7 => " boom-encode",
                23 => " boom-complete",
                _ => "",
            };
            lines.push_str(&format!(
                "{{\"id\":\"a{i}\",\"title\":\"Article {i}\",\"body\":\"Acme ships chip number {i} to customer {i} this quarter, it says.{mark}\"}}\n"
            ));
        }
        let inputs = [Input::Bytes { name: "batch.jsonl".into(), bytes: lines.into_bytes() }];
        let normalizer = Normalizer::default();
        let lang = LangDetector::new(&LangConfig::default()).unwrap();
        let stages = Stages { normalizer: &normalizer, lang: &lang };
        let dir = tempfile::tempdir().unwrap();
        let mut rejects = RejectLog::new(dir.path().join("rejects.jsonl"));
        let mut sink = Memory::default();
        let mut dedup = Dedup::new(DedupConfig::default());
        let stop = AtomicBool::new(false);
        let s =
            run(&inputs, &RunConfig::default(), &stages, Some(&Touchy), None, &mut dedup, &mut sink, &mut rejects, &mut (), &stop).unwrap();
        assert_eq!((s.read, s.indexed, s.rejected), (40, 38, 2), "{s:?}");
        assert!(sink.0.iter().all(|d| d.entities.len() == 1), "the others are enriched once");
        let ids: Vec<&str> = sink.0.iter().map(|d| d.id.as_str()).collect();
        assert!(!ids.contains(&"a7") && !ids.contains(&"a23") && ids.contains(&"a8"));
        let text = std::fs::read_to_string(dir.path().join("rejects.jsonl")).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(text.contains("\"line\":8") && text.contains("encoder blew up"), "{text}");
        assert!(text.contains("\"line\":24") && text.contains("head blew up on Article 23"), "{text}");
    }
}
