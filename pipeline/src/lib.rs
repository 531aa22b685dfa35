//! vigie's pipeline: ingestion of every input format, normalization, dedup and
//! language detection, connected by the staged [`runner`].
//!
//! ```
//! use vigie_pipeline::ingest::{parse_bytes, Format};
//! let items = parse_bytes("demo.txt", b"Nvidia livre ses H100\nLe fondeur a annonce...", Format::Text);
//! let article = items[0].article.as_ref().unwrap();
//! assert_eq!(article.title.as_deref(), Some("Nvidia livre ses H100"));
//! ```

pub mod atomic;
pub mod cluster_scores;
pub mod dedup;
pub mod encoder;
pub mod enriched;
pub mod entities;
mod error;
pub mod ingest;
pub mod lang;
pub(crate) mod model_stage;
pub mod ner;
pub mod normalize;
pub mod reject;
pub mod rng;
pub mod runner;
pub mod stories;
pub mod testing;
pub mod topics;

pub use error::{BoxError, Error, ModelError, Result};

static CORES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Caps the cores vigie's stages use (CPU workers and the encoder's threads): one
/// vigie per Spark executor core, or a share of a machine. 0 lifts the cap.
pub fn set_cores(n: usize) {
    CORES.store(n, std::sync::atomic::Ordering::Relaxed);
}

/// The cores the stages use: the cap of [`set_cores`], else the machine's.
pub fn cores() -> usize {
    match CORES.load(std::sync::atomic::Ordering::Relaxed) {
        0 => std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2),
        n => n,
    }
}
