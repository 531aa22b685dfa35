//! Quality on gold data (`vigie eval`): language identification, near-duplicates,
//! named entities, story/topic clusters, companies in annotated articles and GPUs in
//! written sentences. Each evaluation returns a report type that
//! front ends print or serialise; none of them writes to stdout.

mod clusters;
pub mod companies;
mod dedup;
pub mod gpus;
mod ner;

pub use clusters::{clusters, ClusterReport, ClustersOptions, LabelKind};
pub use companies::{companies, CompaniesReport};
pub use dedup::{dedup, DedupReport};
pub use gpus::{gpus, GpuReport};
pub use ner::{ner, NerReport};

use crate::{Error, Result};
use std::path::Path;
use vigie_pipeline::lang::{eval_langid, LangConfig, LangDetector, LangEvalReport};

/// Language identification accuracy per language and kind of text on a directory of
/// `<lang>/<kind>.txt` files, for the languages `langs` (the detector's allow-list).
pub fn lang(gold: &Path, langs: &[String], errors: bool) -> Result<LangEvalReport> {
    if !gold.is_dir() {
        return Err(Error::Config(format!("{}: not a directory", gold.display())));
    }
    let det = LangDetector::new(&LangConfig { allow: langs.to_vec() })?;
    eval_langid(gold, &det, langs, errors).map_err(|e| Error::io(gold, e))
}
