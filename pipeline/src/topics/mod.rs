//! Topics: stories grouped by subject (average linkage over story centroids, no fixed
//! number of topics), labelled by c-TF-IDF keywords in each language.

mod agglo;
mod cluster;
mod ids;
mod label;
mod state;

pub use agglo::average_linkage;
pub use cluster::{cluster, nearest, Clustering, StoryPoint, TopicConfig};
pub use ids::match_ids;
pub use label::{Keywords, LabelDoc};
pub use state::{TopicInfo, TopicState, STATE_VERSION};
