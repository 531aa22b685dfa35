//! Analyst tables computed from fast fields: timelines, the entities table, trends and
//! co-occurrence.

mod cooccur;
mod entity_table;
mod matches;
mod timeline;
mod trends;

pub use cooccur::CooccurRow;
pub use entity_table::EntityRow;
pub use matches::{MatchRow, Selector};
pub use timeline::{local_midnight, Bucket, Counts, Timeline, TimelineRequest};
pub use trends::{poisson_surprise, trend_score, TrendRequest, TrendRow};
