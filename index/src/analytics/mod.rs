//! Analyst tables computed from fast fields: timelines (and, to come, trends and
//! co-occurrence).

mod matches;
mod timeline;

pub use matches::{MatchRow, Selector};
pub use timeline::{local_midnight, Bucket, Counts, Timeline, TimelineRequest};
