//! Stories: articles that tell the same story, in French and English alike, grouped
//! online as they arrive (see [`Stories`]).

mod figures;
mod online;
mod terms;
mod vector;

pub use figures::figures;
pub use online::{default_prior, story_id_for, Stories, Story, StoryConfig, StoryInput};
pub use terms::{content_words, content_words_with_forms, fold_key, is_stopword, title_terms};
pub use vector::{add_to, dot, norm, normalized, LangMeans};
