//! `vigie enrich`: the stateless stages (normalization, language, signature, encoder,
//! entities, embedding) over articles, written out as `enriched.v1` lines in input
//! order, one per input record. Nothing depends on other articles, so the work can be
//! split anywhere (Spark partitions) and `vigie ingest --enriched` then runs the
//! ordered stages on one machine with no model.

use crate::{Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use vigie_pipeline::dedup::{Dedup, DedupConfig};
use vigie_pipeline::enriched::{document_line, reject_line};
use vigie_pipeline::ingest::FormatChoice;
use vigie_pipeline::lang::LangDetector;
use vigie_pipeline::normalize::Normalizer;
use vigie_pipeline::reject::{Reject, RejectLog};
use vigie_pipeline::runner::{self, Analyzer, Mode, Observer, Prepared, RunConfig, Sink, Stages, Summary};
use vigie_schemas::DocId;

/// How articles are enriched.
pub struct EnrichOptions<'a> {
    pub format: FormatChoice,
    pub lang: &'a LangDetector,
    /// the model stage; `None` gives lines with no entities and no embedding
    pub analyzer: Option<&'a dyn Analyzer>,
    /// where rejects go: `None` writes them in line with the documents
    pub rejects: Option<PathBuf>,
    /// CPU worker threads (default: all cores)
    pub workers: Option<usize>,
}

/// Writes the lines; `out_name` names the output in errors.
struct LineSink<'w> {
    out: &'w mut dyn Write,
    out_name: PathBuf,
    inline_rejects: bool,
    buf: Vec<u8>,
}

impl LineSink<'_> {
    fn write(&mut self, line: &vigie_schemas::EnrichedLine) -> vigie_pipeline::Result<()> {
        self.buf.clear();
        serde_json::to_writer(&mut self.buf, line).expect("an enriched line always serializes");
        self.buf.push(b'\n');
        self.out.write_all(&self.buf).map_err(|e| vigie_pipeline::Error::io(&self.out_name, e))
    }
}

impl Sink for LineSink<'_> {
    fn contains(&mut self, _id: &DocId) -> vigie_pipeline::Result<bool> {
        Ok(false)
    }
    fn add(&mut self, p: &Prepared) -> vigie_pipeline::Result<()> {
        self.write(&document_line(p))
    }
    fn reject(&mut self, r: &Reject) -> vigie_pipeline::Result<bool> {
        if self.inline_rejects {
            self.write(&reject_line(r))?;
        }
        Ok(self.inline_rejects)
    }
}

/// Enriches the inputs as the user names them (paths, `-`, http(s) URLs; a URL that
/// cannot be fetched is the first reject) into `out`, one line per input record.
pub fn enrich(
    inputs: &[String],
    opts: &EnrichOptions<'_>,
    out: &mut dyn Write,
    out_name: &Path,
    observer: &mut dyn Observer,
    stop: &AtomicBool,
) -> Result<Summary> {
    let (sources, failed) = crate::fetch::resolve(inputs);
    let mut sink = LineSink { out, out_name: out_name.to_path_buf(), inline_rejects: opts.rejects.is_none(), buf: Vec::new() };
    // a rejects file is only opened when something is rejected
    let mut rejects = RejectLog::new(opts.rejects.clone().unwrap_or_default());
    for r in &failed {
        if !sink.reject(r)? {
            rejects.write(r)?;
        }
        observer.rejected(r);
    }
    let normalizer = Normalizer::default();
    let stages = Stages { normalizer: &normalizer, lang: opts.lang };
    let mut cfg = RunConfig { format: opts.format, mode: Mode::Enrich, ..Default::default() };
    if let Some(w) = opts.workers {
        cfg.workers = w.max(1);
    }
    // the ordered stage of an enrich run neither dedups nor assigns stories
    let mut dedup = Dedup::new(DedupConfig::default());
    let mut summary = runner::run(&sources, &cfg, &stages, opts.analyzer, None, &mut dedup, &mut sink, &mut rejects, observer, stop)
        .map_err(|e| Error::Ingest(Box::new(e.into())))?;
    sink.out.flush().map_err(|e| Error::Io { path: out_name.to_path_buf(), source: e })?;
    summary.read += failed.len() as u64;
    summary.rejected += failed.len() as u64;
    Ok(summary)
}
