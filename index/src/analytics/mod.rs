//! Analyst tables computed from fast fields: timelines (and shares of attention), the
//! entities table, trends, co-occurrence, top sources, top terms and period summaries.

mod cooccur;
mod entity_table;
mod matches;
mod sources;
mod stories;
mod summary;
mod terms;
#[cfg(test)]
mod testing;
mod timeline;
mod trends;

pub use cooccur::CooccurRow;
pub use entity_table::EntityRow;
pub use matches::{MatchRow, Selector};
pub use sources::SourceRow;
pub use stories::{StoryOrder, StoryRow};
pub use summary::{CountChange, Period, PeriodCounts, RateChange, Summary};
pub use terms::TermRow;
pub use timeline::{local_midnight, Bucket, Counts, Timeline, TimelineRequest};
pub use trends::{poisson_surprise, trend_score, TrendRequest, TrendRow};
