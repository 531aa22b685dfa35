//! Dates as news inputs write them: RFC 3339, RFC 2822, ISO dates and times, and
//! French and English written dates ("29 janvier 2025", "mercredi 29 janvier 2025 à
//! 10h32", "January 29, 2025", "26-FEB-1987 15:01:01.79"). Times without a zone are
//! taken as UTC.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use regex::Regex;
use std::sync::OnceLock;

/// Parses a date, or returns `None` (the caller keeps the raw text and warns).
pub fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return Some(d.with_timezone(&Utc));
    }
    for f in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S %z", "%a, %d %b %Y %H:%M:%S %Z"] {
        if let Ok(d) = DateTime::parse_from_str(s, f) {
            return Some(d.with_timezone(&Utc));
        }
    }
    for f in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M"] {
        if let Ok(d) = NaiveDateTime::parse_from_str(s, f) {
            return Some(Utc.from_utc_datetime(&d));
        }
    }
    // "2025-01-29T10:00:00Z UTC" style leftovers, "2025-01-29 UTC"
    let s2 = s.trim_end_matches(" UTC").trim_end_matches(" GMT");
    for f in ["%Y-%m-%d", "%Y/%m/%d", "%d/%m/%Y", "%d.%m.%Y", "%Y%m%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(s2, f) {
            return Some(midnight(d));
        }
    }
    written(s)
}

fn midnight(d: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&d.and_time(NaiveTime::MIN))
}

fn month(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_lowercase();
    let w = w.as_str();
    const MONTHS: [(&[&str], u32); 12] = [
        (&["janvier", "janv", "jan", "january"], 1),
        (&["février", "fevrier", "févr", "fevr", "fév", "fev", "feb", "february"], 2),
        (&["mars", "mar", "march"], 3),
        (&["avril", "avr", "apr", "april"], 4),
        (&["mai", "may"], 5),
        (&["juin", "jun", "june"], 6),
        (&["juillet", "juil", "jul", "july"], 7),
        (&["août", "aout", "aug", "august"], 8),
        (&["septembre", "sept", "sep", "september"], 9),
        (&["octobre", "oct", "october"], 10),
        (&["novembre", "nov", "november"], 11),
        (&["décembre", "decembre", "déc", "dec", "december"], 12),
    ];
    MONTHS.iter().find(|(names, _)| names.contains(&w)).map(|(_, m)| *m)
}

/// Day-month-year and month-day-year written dates, with an optional time.
fn written(s: &str) -> Option<DateTime<Utc>> {
    static DMY: OnceLock<Regex> = OnceLock::new();
    static MDY: OnceLock<Regex> = OnceLock::new();
    static TIME: OnceLock<Regex> = OnceLock::new();
    let dmy = DMY.get_or_init(|| {
        Regex::new(r"(?i)(?:^|[\s,])(\d{1,2})(?:er|st|nd|rd|th)?[\s\-]+([a-zéèûôàç]{3,10}\.?)[\s\-,]+(\d{4})").expect("static regex")
    });
    let mdy = MDY.get_or_init(|| {
        Regex::new(r"(?i)(?:^|[\s,])([a-zéèûôàç]{3,10}\.?)\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})").expect("static regex")
    });
    let time = TIME.get_or_init(|| {
        Regex::new(r"(?i)(?:à|at|,|\s)\s*(\d{1,2})\s*(?:h|:)\s*(\d{2})?(?::(\d{2}))?(?:\.\d+)?\s*(am|pm)?").expect("static regex")
    });
    let (day, mon, year, rest) = if let Some(c) = dmy.captures(s) {
        let m = c.get(0).expect("whole match");
        (c[1].parse::<u32>().ok()?, month(&c[2])?, c[3].parse::<i32>().ok()?, &s[m.end()..])
    } else if let Some(c) = mdy.captures(s) {
        let m = c.get(0).expect("whole match");
        (c[2].parse::<u32>().ok()?, month(&c[1])?, c[3].parse::<i32>().ok()?, &s[m.end()..])
    } else {
        return None;
    };
    let date = NaiveDate::from_ymd_opt(year, mon, day)?;
    let t = time.captures(rest).and_then(|c| {
        let mut h: u32 = c[1].parse().ok()?;
        let m: u32 = c.get(2).map_or(Some(0), |m| m.as_str().parse().ok())?;
        let sec: u32 = c.get(3).map_or(Some(0), |m| m.as_str().parse().ok())?;
        match c.get(4).map(|m| m.as_str().to_ascii_lowercase()) {
            Some(ref p) if p == "pm" && h < 12 => h += 12,
            Some(ref p) if p == "am" && h == 12 => h = 0,
            _ => {}
        }
        NaiveTime::from_hms_opt(h, m, sec)
    });
    Some(Utc.from_utc_datetime(&date.and_time(t.unwrap_or(NaiveTime::MIN))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(s: &str) -> String {
        parse_date(s).map(|d| d.to_rfc3339()).unwrap_or_else(|| "none".into())
    }

    #[test]
    fn parses_the_forms_news_inputs_use() {
        assert_eq!(iso("2025-01-29T10:00:00+01:00"), "2025-01-29T09:00:00+00:00");
        assert_eq!(iso("Wed, 29 Jan 2025 10:00:00 GMT"), "2025-01-29T10:00:00+00:00");
        assert_eq!(iso("2025-01-29"), "2025-01-29T00:00:00+00:00");
        assert_eq!(iso("29 janvier 2025"), "2025-01-29T00:00:00+00:00");
        assert_eq!(iso("mercredi 29 janvier 2025 à 10h32"), "2025-01-29T10:32:00+00:00");
        assert_eq!(iso("1er février 2025"), "2025-02-01T00:00:00+00:00");
        assert_eq!(iso("Publié le 3 mars 2025 à 18:05"), "2025-03-03T18:05:00+00:00");
        assert_eq!(iso("January 29, 2025"), "2025-01-29T00:00:00+00:00");
        assert_eq!(iso("Jan. 29, 2025 3:15 pm"), "2025-01-29T15:15:00+00:00");
        assert_eq!(iso("26-FEB-1987 15:01:01.79"), "1987-02-26T15:01:01+00:00");
        assert_eq!(iso("29/01/2025"), "2025-01-29T00:00:00+00:00");
        assert_eq!(iso("hier soir"), "none");
        assert_eq!(iso("31 février 2025"), "none");
    }
}
