//! Topics: stories grouped by subject (average linkage over story centroids, no fixed
//! number of topics), labelled by entities and by keywords in each language that are
//! distinctive in the corpus (c-TF-IDF) and against general news (a background of word
//! frequencies).

mod agglo;
mod background;
mod cluster;
mod ids;
mod label;
mod state;

pub use agglo::average_linkage;
pub use background::Background;
pub use cluster::{cluster, nearest, Clustering, StoryPoint, TopicConfig};
pub use ids::match_ids;
pub use label::{Keyword, Keywords, LabelDoc, MIN_LIFT};
pub use state::{TopicInfo, TopicState, STATE_VERSION};
