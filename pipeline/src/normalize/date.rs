//! Dates as news inputs write them: RFC 3339, RFC 2822 (odd spacing allowed), ISO dates
//! and times, GDELT's `20250129T101500Z`, epoch seconds and milliseconds (9 to 13
//! digits), French and English written dates ("29 janvier 2025", "mercredi 29 janvier
//! 2025 à 10h32", "January 29, 2025", "26-FEB-1987 15:01:01.79"), and any of these
//! followed (or, as `date(1)` writes, interrupted) by a time-zone abbreviation (CET,
//! CEST, GMT, EST, PDT, JST, AEST...; ambiguous ones such as IST are not read). Times
//! without a zone are taken as UTC.
//!
//! Only dates the index can store are returned: tantivy keeps i64 nanoseconds, so
//! anything outside [`MIN_YEAR`]-01-01 .. [`MAX_YEAR`]-12-31 is refused, never wrapped.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use regex::Regex;
use std::sync::OnceLock;

/// The first year a stored date may have (i64 nanoseconds start in 1677).
pub const MIN_YEAR: i32 = 1678;
/// The last year a stored date may have (i64 nanoseconds end in 2262).
pub const MAX_YEAR: i32 = 2261;

/// Why a date was not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateError {
    /// No known form matches.
    Unparsable,
    /// A real date, outside what the index stores.
    OutOfRange,
}

/// Parses a date, or returns `None` (the caller keeps the raw text and warns); dates
/// outside [`MIN_YEAR`]..=[`MAX_YEAR`] are `None` too.
pub fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    parse_date_checked(s).ok()
}

/// [`parse_date`], saying whether the text was not a date or a date out of range.
pub fn parse_date_checked(s: &str) -> Result<DateTime<Utc>, DateError> {
    let d = parse_any(s).ok_or(DateError::Unparsable)?;
    if (MIN_YEAR..=MAX_YEAR).contains(&d.year()) {
        Ok(d)
    } else {
        Err(DateError::OutOfRange)
    }
}

/// Time-zone abbreviations and their offsets in minutes east of UTC. Ambiguous ones
/// (IST: India, Ireland, Israel) are left out; CST is the North American one.
const ZONES: &[(&str, i32)] = &[
    ("UTC", 0),
    ("UT", 0),
    ("GMT", 0),
    ("Z", 0),
    ("WET", 0),
    ("WEST", 60),
    ("BST", 60),
    ("CET", 60),
    ("CEST", 120),
    ("MET", 60),
    ("MEST", 120),
    ("EET", 120),
    ("EEST", 180),
    ("MSK", 180),
    ("EST", -300),
    ("EDT", -240),
    ("CST", -360),
    ("CDT", -300),
    ("MST", -420),
    ("MDT", -360),
    ("PST", -480),
    ("PDT", -420),
    ("AKST", -540),
    ("AKDT", -480),
    ("HST", -600),
    ("JST", 540),
    ("KST", 540),
    ("HKT", 480),
    ("SGT", 480),
    ("AWST", 480),
    ("ACST", 570),
    ("ACDT", 630),
    ("AEST", 600),
    ("AEDT", 660),
    ("NZST", 720),
    ("NZDT", 780),
];

fn parse_any(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if s.is_empty() || s.len() > 200 {
        return None;
    }
    if let Some(d) = compact(s).or_else(|| epoch(s)) {
        return Some(d);
    }
    // odd spacing: runs of blanks, no blank after a comma
    let spaced = s.replace(',', ", ").split_whitespace().collect::<Vec<_>>().join(" ").replace(" ,", ",");
    // zone names first: chrono's RFC 2822 reads an unknown name ("CET") as UTC
    if let Some(d) = with_zone_abbreviation(&spaced) {
        return Some(d);
    }
    if let Some(d) = parse_plain(s) {
        return Some(d);
    }
    if spaced != s {
        return parse_plain(&spaced);
    }
    None
}

/// `YYYYMMDD`, `YYYYMMDDhhmm` and `YYYYMMDDhhmmss` (UTC), when they make a date of
/// 1900-2199: "202501291015" is 29 January 2025, not epoch milliseconds of 1976.
fn compact(s: &str) -> Option<DateTime<Utc>> {
    if !s.bytes().all(|b| b.is_ascii_digit())
        || !matches!(s.len(), 8 | 12 | 14)
        || !(s.starts_with("19") || s.starts_with("20") || s.starts_with("21"))
    {
        return None;
    }
    let padded = format!("{s:0<14}");
    chrono::NaiveDateTime::parse_from_str(&padded, "%Y%m%d%H%M%S").ok().map(|d| d.and_utc())
}

/// 9-10 digits are epoch seconds, 11-13 epoch milliseconds (a fraction allowed on seconds).
fn epoch(s: &str) -> Option<DateTime<Utc>> {
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => (i, Some(f)),
        Some(_) => return None,
        None => (s, None),
    };
    if !int.bytes().all(|b| b.is_ascii_digit()) || !(9..=13).contains(&int.len()) {
        return None;
    }
    let n: i64 = int.parse().ok()?;
    if int.len() <= 10 {
        let nanos = frac.map_or(0, |f| {
            let f = &f[..f.len().min(9)];
            f.parse::<u32>().unwrap_or(0) * 10u32.pow(9 - f.len() as u32)
        });
        DateTime::from_timestamp(n, nanos)
    } else if frac.is_none() {
        DateTime::from_timestamp_millis(n)
    } else {
        None
    }
}

/// A trailing (or `date(1)`-style inner) zone abbreviation: read the rest, then shift
/// by the zone's offset unless the rest carried a numeric offset of its own.
fn with_zone_abbreviation(s: &str) -> Option<DateTime<Utc>> {
    let tokens: Vec<&str> = s.split(' ').collect();
    for (i, tok) in tokens.iter().enumerate().rev() {
        let word = tok.trim_matches(|c| matches!(c, '(' | ')' | ',' | '.'));
        let Some(&(_, minutes)) = ZONES.iter().find(|(z, _)| *z == word) else { continue };
        let rest: Vec<&str> = tokens.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, t)| *t).collect();
        let rest = rest.join(" ");
        let rest = rest.trim().trim_end_matches(',');
        if has_numeric_offset(rest) {
            return parse_plain(rest);
        }
        let naive = parse_plain(rest)?.naive_utc();
        let zone = FixedOffset::east_opt(minutes * 60)?;
        return zone.from_local_datetime(&naive).single().map(|d| d.with_timezone(&Utc));
    }
    None
}

fn has_numeric_offset(s: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"\d:?\d\d(?::\d\d(?:\.\d+)?)?\s*(?:[+-]\d\d:?\d\d|Z)$").expect("static regex")).is_match(s)
}

fn parse_plain(s: &str) -> Option<DateTime<Utc>> {
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
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
        "%d/%m/%Y %H:%M:%S",
        "%d/%m/%Y %H:%M",
        "%Y%m%dT%H%M%SZ",
        "%Y%m%dT%H%M%S",
        "%Y%m%d%H%M%S",
        "%a, %d %b %Y %H:%M:%S",
        "%a, %d %b %Y %H:%M",
        "%d %b %Y %H:%M:%S",
        "%d %b %Y %H:%M",
        "%a %b %d %H:%M:%S %Y",
    ] {
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

    #[test]
    fn zone_abbreviations_shift_to_utc() {
        assert_eq!(iso("Wed, 29 Jan 2025 10:15:00 CET"), "2025-01-29T09:15:00+00:00");
        assert_eq!(iso("Tue, 29 Jul 2025 10:15:00 CEST"), "2025-07-29T08:15:00+00:00");
        assert_eq!(iso("Wed, 29 Jan 2025 10:15:00 UT"), "2025-01-29T10:15:00+00:00");
        assert_eq!(iso("2025-01-29 10:15:00 EST"), "2025-01-29T15:15:00+00:00");
        assert_eq!(iso("2025-01-29 10:15 PDT"), "2025-01-29T17:15:00+00:00");
        assert_eq!(iso("29 janvier 2025 à 10h15 CET"), "2025-01-29T09:15:00+00:00");
        assert_eq!(iso("January 29, 2025 10:15 (JST)"), "2025-01-29T01:15:00+00:00");
        assert_eq!(iso("Wed Jan 29 10:15:00 AEST 2025"), "2025-01-29T00:15:00+00:00");
        assert_eq!(iso("Wed, 29 Jan 2025 10:15:00 +0100 (CET)"), "2025-01-29T09:15:00+00:00");
        assert_eq!(iso("2025-01-29 10:15 BST"), "2025-01-29T09:15:00+00:00");
        assert_eq!(iso("2025-01-29 10:15 IST"), "none", "ambiguous");
        assert_eq!(iso("2025-01-29 10:15 est"), "none", "lower case is a word, not a zone");
    }

    #[test]
    fn zoneless_iso_epochs_odd_spacing_and_gdelt() {
        assert_eq!(parse_date("202501291015").unwrap().to_rfc3339(), "2025-01-29T10:15:00+00:00");
        assert_eq!(parse_date("20250129101500").unwrap().to_rfc3339(), "2025-01-29T10:15:00+00:00");
        assert_eq!(parse_date("20250129").unwrap().to_rfc3339(), "2025-01-29T00:00:00+00:00");
        assert_eq!(parse_date("1738145700000").unwrap().to_rfc3339(), "2025-01-29T10:15:00+00:00");
        assert_eq!(iso("2025-01-29T10:15:00"), "2025-01-29T10:15:00+00:00");
        assert_eq!(iso("2025-01-29 10:15"), "2025-01-29T10:15:00+00:00");
        assert_eq!(iso("20250129T101500Z"), "2025-01-29T10:15:00+00:00");
        assert_eq!(iso("1738145700"), "2025-01-29T10:15:00+00:00");
        assert_eq!(iso("1738145700000"), "2025-01-29T10:15:00+00:00");
        assert_eq!(iso("1738145700.5"), "2025-01-29T10:15:00.500+00:00");
        assert_eq!(iso("  Wed,29   Jan 2025  10:15:00   +0000 "), "2025-01-29T10:15:00+00:00");
        assert_eq!(iso("mercredi 29 janvier 2025 à 10h15"), "2025-01-29T10:15:00+00:00");
        assert_eq!(iso("12345"), "none");
        assert_eq!(iso("12345678901234"), "none");
    }

    #[test]
    fn dates_the_index_cannot_store_are_refused_not_wrapped() {
        assert_eq!(parse_date_checked("9999-12-31T00:00:00Z"), Err(DateError::OutOfRange));
        assert_eq!(parse_date_checked("1066-10-14"), Err(DateError::OutOfRange));
        assert_eq!(parse_date_checked("2262-01-01"), Err(DateError::OutOfRange));
        assert_eq!(parse_date_checked("9999999999999"), Err(DateError::OutOfRange), "year 2286 in ms");
        assert_eq!(parse_date_checked("1678-01-01").map(|d| d.year()), Ok(1678));
        assert_eq!(parse_date_checked("2261-12-31T23:59:59Z").map(|d| d.year()), Ok(2261));
        assert_eq!(parse_date_checked("n'importe quoi"), Err(DateError::Unparsable));
        assert_eq!(parse_date("+275760-09-13T00:00:00Z"), None);
        // generated garbage never panics
        let mut x: u64 = 1;
        for _ in 0..5000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            const ALPHABET: &[char] =
                &['0', '1', '2', '9', ' ', '-', ':', 'T', '+', 'Z', ',', '.', 'j', 'a', 'n', 'C', 'E', 'S', 'é', 'h', '’'];
            let s: String = (0..(x % 40)).map(|i| ALPHABET[((x >> (i % 60)) % ALPHABET.len() as u64) as usize]).collect();
            let _ = parse_date(&s);
        }
    }
}
