//! One handler per endpoint, each with the query parameters it reads (named after the
//! command line's flags, `-` as `_`) and the engine call the command line makes.

pub(crate) mod alerts;
pub(crate) mod analytics;
pub(crate) mod export;
pub(crate) mod ingest;
pub(crate) mod monitoring;
pub(crate) mod search;
pub(crate) mod searches;
pub(crate) mod topics;

use crate::limits::{MAX_OFFSET, MAX_ROWS};
use crate::ApiError;

/// A row count a request asks for, within [`MAX_ROWS`].
pub(crate) fn rows(n: usize, name: &str) -> Result<usize, ApiError> {
    if n > MAX_ROWS {
        return Err(ApiError::bad_request(format!("{name}: at most {MAX_ROWS}")));
    }
    Ok(n)
}

/// A page offset, within [`MAX_OFFSET`] (a deeper page costs a heap of that size).
pub(crate) fn offset(n: usize) -> Result<usize, ApiError> {
    if n > MAX_OFFSET {
        return Err(ApiError::bad_request(format!("offset: at most {MAX_OFFSET}")));
    }
    Ok(n)
}

/// The filters read commands share, from parameters of the same names.
macro_rules! filter_spec {
    ($p:expr) => {
        vigie_engine::params::FilterSpec {
            lang: $p.lang.clone(),
            since: $p.since.clone(),
            until: $p.until.clone(),
            source: $p.source.clone(),
            topic: $p.topic.clone(),
        }
    };
}
pub(crate) use filter_spec;

fn ten() -> usize {
    10
}
fn twenty() -> usize {
    20
}
