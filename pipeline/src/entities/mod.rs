//! Entities: GPUs from a catalogue, people/companies/organizations/locations from the
//! NER head, linked to a knowledge base.

mod analyzer;
mod companies;
mod extract;
mod gpu;
mod kb;
mod link;
mod mention_type;
mod spans;
mod tsv;
mod type_train;

pub use analyzer::ArticleAnalyzer;
pub use companies::{CompanyKb, ListedEntity};
pub use extract::{sentences, words, EntityExtractor, Text};
pub use gpu::{GpuCatalog, GpuEntry, GpuMention};
pub use kb::{fold, slug, Kb, KbEntity};
pub use link::{link, link_typed, resolve, Candidate, Source};
pub use mention_type::{cues, span_features, Cue, MentionIn, MentionTyper, SpanHints, TypeClassifier, Typed, CONTEXT_TOKENS};
pub use spans::{repair, Article};
pub use type_train::{distant_label, train_type_classifier, HeldOut, TypeTrainConfig, TypeTrainReport};
