//! Entities: GPUs from a catalogue, people/companies/organizations/locations from the
//! NER head, linked to a knowledge base.

mod analyzer;
mod extract;
mod gpu;
mod kb;
mod link;
mod spans;
mod tsv;

pub use analyzer::ArticleAnalyzer;
pub use extract::{sentences, words, EntityExtractor, Text};
pub use gpu::{GpuCatalog, GpuEntry, GpuMention};
pub use kb::{fold, slug, Kb, KbEntity};
pub use link::{link, resolve, Candidate, Source};
pub use spans::{repair, Article};
