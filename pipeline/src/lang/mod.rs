//! Language detection: on running prose a clear count of each language's function
//! words decides first; then whatlang restricted to an allowlist decides when it is sure
//! (the fast paths); otherwise lingua, restricted to the same allowlist, gives a second
//! opinion, and the input's own `lang` breaks near ties. `und` when nobody is sure.

mod detector;
mod eval;
mod source_prior;

pub(crate) use detector::to_lingua;
pub use detector::{LangConfig, LangDecision, LangDetector};
pub use eval::{eval_langid, LangEvalReport, LangEvalRow};
pub use source_prior::SourcePrior;
