//! What front ends read from their users (command-line flags, query parameters), parsed
//! one way with one set of messages: dates, durations, time zones, entity types and the
//! filters read commands share. `name` is how the front end spells the parameter
//! (`--since` on the command line, `since` in a query string); a refusal names it and is
//! a usage error ([`Error::Config`]).

use crate::topic_source::TopicSource;
use crate::{Error, Result};
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use vigie_index::Filters;
use vigie_pipeline::normalize::{MAX_YEAR, MIN_YEAR};
use vigie_schemas::EntityType;

/// The longest duration accepted: 1,000 years.
pub const MAX_DURATION_DAYS: i64 = 365_250;

/// `2025-01-29`, RFC 3339, or a time ago (`7d`, `24h`, `2w`), within the dates the index
/// stores.
pub fn when(s: &str, name: &str) -> Result<DateTime<Utc>> {
    let t = when_unbounded(s, name)?;
    // the index holds 1678-2261; a date far outside would overflow the arithmetic of
    // windows and periods built on it
    if !(MIN_YEAR..=MAX_YEAR).contains(&t.year()) {
        return Err(Error::Config(format!("{name}: {s:?} is outside the dates vigie stores ({MIN_YEAR}-{MAX_YEAR})")));
    }
    Ok(t)
}

fn when_unbounded(s: &str, name: &str) -> Result<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Ok(d.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight exists")));
    }
    if let Some(d) = duration(s) {
        if let Some(t) = Utc::now().checked_sub_signed(d) {
            return Ok(t);
        }
    }
    Err(Error::Config(format!(
        "{name}: cannot read {s:?} as a date (2025-01-29, RFC 3339, or 7d/24h/2w ago, at most {MAX_DURATION_DAYS} days)"
    )))
}

/// `7d`, `24h`, `2w`, `30m`, `90s`; at most [`MAX_DURATION_DAYS`] days (a larger or
/// overflowing number reads as no duration, which callers turn into a usage error).
pub fn duration(s: &str) -> Option<Duration> {
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit())?);
    let n: i64 = num.parse().ok()?;
    let d = match unit {
        "s" => Duration::try_seconds(n),
        "m" | "min" => Duration::try_minutes(n),
        "h" => Duration::try_hours(n),
        "d" => Duration::try_days(n),
        "w" => Duration::try_weeks(n),
        _ => None,
    }?;
    (d <= Duration::days(MAX_DURATION_DAYS)).then_some(d)
}

/// A window or a baseline (`7d`, `24h`, `2w`).
pub fn window(s: &str, name: &str) -> Result<Duration> {
    duration(s).ok_or_else(|| Error::Config(format!("{name}: cannot read {s:?} (7d, 24h, 2w)")))
}

/// An IANA time zone (`Europe/Paris`, `UTC`).
pub fn time_zone(s: &str, name: &str) -> Result<chrono_tz::Tz> {
    s.parse().map_err(|_| Error::Config(format!("{name}: unknown time zone {s:?} (IANA names like Europe/Paris)")))
}

/// person, company, gpu, organization, location or other.
pub fn entity_type(s: &str, name: &str) -> Result<EntityType> {
    s.parse().map_err(|e: String| Error::Config(format!("{name}: {e}")))
}

/// The filters read commands share, as the user gave them: language, window, source
/// and topic.
#[derive(Debug, Clone, Default)]
pub struct FilterSpec {
    pub lang: Option<String>,
    /// published at or after ([`when`])
    pub since: Option<String>,
    /// published before
    pub until: Option<String>,
    pub source: Option<String>,
    /// only the documents of one topic's stories
    pub topic: Option<String>,
}

impl FilterSpec {
    /// The index filters, dates parsed and a topic resolved to its stories from the
    /// current topic state (an unknown topic is a usage error). `prefix` goes before the
    /// parameter names in messages (`--` on the command line).
    pub fn build(&self, topics: &(impl TopicSource + ?Sized), prefix: &str) -> Result<Filters> {
        Ok(Filters {
            stories: self.topic.as_deref().map(|t| crate::topics::stories_of(topics, t)).transpose()?,
            ..self.build_without_topic(prefix)?
        })
    }

    /// The filters other than the topic (for listings of topics themselves).
    pub fn build_without_topic(&self, prefix: &str) -> Result<Filters> {
        Ok(Filters {
            lang: self.lang.clone(),
            source: self.source.clone(),
            entity: None,
            since: self.since.as_deref().map(|s| when(s, &format!("{prefix}since"))).transpose()?,
            until: self.until.as_deref().map(|s| when(s, &format!("{prefix}until"))).transpose()?,
            originals_only: false,
            stories: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_dates_overflow_into_errors_not_panics() {
        assert_eq!(duration("7d"), Some(Duration::days(7)));
        assert_eq!(duration("90s"), Some(Duration::seconds(90)));
        assert_eq!(duration("99999999999999d"), None);
        assert_eq!(duration("9999999999999999d"), None);
        assert_eq!(duration("99999999999999999999999d"), None);
        assert_eq!(duration("400000d"), None);
        assert!(when("99999999999999d", "--since").is_err());
        assert!(when("36500d", "--since").is_ok());
        assert!(when("365000d", "--since").is_err(), "before 1678");
        assert!(when("-262143-01-01T00:00:00Z", "--at").is_err());
        assert!(when("9999-12-31", "--until").is_err());
    }

    #[test]
    fn refusals_name_the_parameter_and_are_usage_errors() {
        let e = when("yesterday", "since").unwrap_err();
        assert!(e.to_string().starts_with("since: cannot read \"yesterday\""), "{e}");
        assert_eq!(e.kind(), crate::ErrorKind::Usage);
        assert!(time_zone("Mars/Olympus", "--tz").unwrap_err().to_string().starts_with("--tz: unknown time zone"));
        assert!(entity_type("planet", "type").unwrap_err().to_string().starts_with("type: unknown entity type"));
        assert!(window("soon", "window").is_err());
        let f = FilterSpec { since: Some("2025-01-29".into()), ..Default::default() }.build_without_topic("--").unwrap();
        assert_eq!(f.since.unwrap().to_rfc3339(), "2025-01-29T00:00:00+00:00");
        let e = FilterSpec { until: Some("x".into()), ..Default::default() }.build_without_topic("--").unwrap_err();
        assert!(e.to_string().starts_with("--until:"), "{e}");
    }
}
