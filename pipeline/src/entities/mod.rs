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

/// The Wikidata item of a knowledge-base entity id (`company:nvidia` -> `Q182477`): the
/// hand-written knowledge base first, then the generated lists; `None` for ids they do
/// not hold or hold without an item. Built once, on first use.
pub fn wikidata_of(id: &str) -> Option<&'static str> {
    static BY_ID: std::sync::OnceLock<std::collections::HashMap<String, String>> = std::sync::OnceLock::new();
    let map = BY_ID.get_or_init(|| {
        let mut m = std::collections::HashMap::new();
        for e in CompanyKb::builtin().entities {
            if let Some(q) = e.qid {
                m.insert(e.id, q);
            }
        }
        for e in Kb::builtin().entities {
            if let Some(q) = e.qid {
                m.insert(e.id, q);
            }
        }
        m
    });
    map.get(id).map(String::as_str)
}
