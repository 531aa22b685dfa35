//! Normalization: clean text (Unicode NFC, whitespace, HTML entities, boilerplate),
//! parse dates and derive stable document ids.

mod boilerplate;
mod date;
mod id;
mod text;

pub use boilerplate::Boilerplate;
pub use date::{parse_date, parse_date_checked, DateError, MAX_YEAR, MIN_YEAR};
pub use id::{canonical_url, doc_id};
pub use text::{clean_text, first_chars};

use chrono::{DateTime, Utc};
use vigie_schemas::{Article, DocId, Origin};

/// Bodies larger than this (after cleaning) are rejected: no news article is this long,
/// and one would stall every later stage.
pub const MAX_BODY_CHARS: usize = 1_000_000;

/// An article after cleaning, before language detection.
#[derive(Debug, Clone)]
pub struct Normalized {
    pub id: DocId,
    pub title: String,
    pub body: String,
    pub url: Option<String>,
    pub source: Option<String>,
    pub published: Option<DateTime<Utc>>,
    /// The raw date when it could not be parsed (a warning, not a rejection).
    pub published_raw: Option<String>,
    pub author: Option<String>,
    pub lang_hint: Option<String>,
    pub origin: Origin,
}

/// Why an article cannot be kept: its reject reason (a bad article is data, not an
/// error of the run).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NormalizeError {
    #[error("record has neither title nor body")]
    NoContent,
    #[error("empty title and body")]
    Empty,
    /// Nothing left of the body once cleaned (boilerplate only, say).
    #[error("empty body")]
    EmptyBody,
    /// A raw body too large to clean (more than four bytes per allowed character).
    #[error("body too large ({bytes} bytes, limit {MAX_BODY_CHARS} characters)")]
    RawTooLarge { bytes: usize },
    #[error("body too large ({chars} characters, limit {MAX_BODY_CHARS})")]
    TooLarge { chars: usize },
}

/// Cleans articles; cheap to share between worker threads.
pub struct Normalizer {
    boilerplate: Boilerplate,
}

impl Default for Normalizer {
    fn default() -> Self {
        Normalizer { boilerplate: Boilerplate::builtin() }
    }
}

impl Normalizer {
    pub fn new(boilerplate: Boilerplate) -> Self {
        Normalizer { boilerplate }
    }

    /// Cleans one article, or says why it cannot be kept.
    pub fn normalize(&self, a: &Article, origin: Origin) -> Result<Normalized, NormalizeError> {
        let title = a.title.as_deref().map(|t| one_line(&clean_text(t))).unwrap_or_default();
        let raw_body = a.body.as_deref().unwrap_or_default();
        if raw_body.len() > MAX_BODY_CHARS * 4 {
            return Err(NormalizeError::RawTooLarge { bytes: raw_body.len() });
        }
        let body = self.boilerplate.strip(&clean_text(raw_body));
        if title.is_empty() && body.is_empty() {
            return Err(if a.title.is_none() && a.body.is_none() { NormalizeError::NoContent } else { NormalizeError::Empty });
        }
        if body.is_empty() {
            return Err(NormalizeError::EmptyBody);
        }
        let chars = body.chars().count();
        if chars > MAX_BODY_CHARS {
            return Err(NormalizeError::TooLarge { chars });
        }
        let title = if title.is_empty() { first_words(&body, 12) } else { title };
        let (published, published_raw) = match a.published.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => (None, None),
            Some(raw) => match parse_date_checked(raw) {
                Ok(d) => (Some(d), None),
                Err(why) => {
                    let at = match origin.line {
                        Some(l) => format!("{}:{l}", origin.file),
                        None => origin.file.clone(),
                    };
                    let raw_short: String = raw.chars().take(200).collect();
                    match why {
                        DateError::OutOfRange => tracing::warn!("{at}: date {raw_short:?} is outside {MIN_YEAR}..{MAX_YEAR}, kept as text"),
                        DateError::Unparsable => tracing::warn!("{at}: unparsable date {raw_short:?} kept as text"),
                    }
                    (None, Some(raw.to_string()))
                }
            },
        };
        let url = a.url.as_deref().map(|u| u.trim().to_string()).filter(|u| !u.is_empty());
        let source = a.source.as_deref().map(|s| one_line(&clean_text(s))).filter(|s| !s.is_empty());
        let id = match a.id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(given) => given_id(given),
            None => doc_id(url.as_deref(), source.as_deref(), &title, &body),
        };
        Ok(Normalized {
            id,
            title,
            body,
            url,
            source,
            published,
            published_raw,
            author: a.author.as_ref().map(|x| x.joined()).filter(|s| !s.trim().is_empty()),
            lang_hint: a.lang.as_deref().and_then(lang_code),
            origin,
        })
    }
}

/// The longest id kept as given; longer ones (tantivy refuses terms over ~65 KB, and
/// such ids are noise) become [`given_id`]'s hash.
pub const MAX_ID_BYTES: usize = 512;

/// An input's own id, or `sha:` and the xxh3-128 hex of it when it is longer than
/// [`MAX_ID_BYTES`]: stable, so re-ingesting the same record stores it once.
pub fn given_id(given: &str) -> DocId {
    if given.len() <= MAX_ID_BYTES {
        DocId(given.to_string())
    } else {
        DocId(format!("sha:{:032x}", xxhash_rust::xxh3::xxh3_128(given.as_bytes())))
    }
}

/// A language hint as a lower-case ISO 639-1 code: `fr-FR` is `fr`, and the names
/// exports write (GDELT's `French`, `English`; `français`) are mapped.
fn lang_code(l: &str) -> Option<String> {
    let l = l.trim().to_lowercase();
    let code = match l.as_str() {
        "" => return None,
        "french" | "français" | "francais" => "fr",
        "english" | "anglais" => "en",
        "german" | "allemand" | "deutsch" => "de",
        "spanish" | "espagnol" | "español" => "es",
        "italian" | "italien" | "italiano" => "it",
        "portuguese" | "portugais" | "português" => "pt",
        "dutch" | "néerlandais" | "nederlands" => "nl",
        other => other.split(['-', '_']).next().unwrap_or(other),
    };
    (!code.is_empty()).then(|| code.to_string())
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn first_words(s: &str, n: usize) -> String {
    let words: Vec<&str> = s.split_whitespace().take(n + 1).collect();
    if words.len() > n {
        format!("{}…", words[..n].join(" "))
    } else {
        words.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn art(title: Option<&str>, body: Option<&str>) -> Article {
        Article { title: title.map(Into::into), body: body.map(Into::into), ..Default::default() }
    }

    fn o() -> Origin {
        Origin { file: "t".into(), line: Some(1) }
    }

    #[test]
    fn rejects_empty_and_missing_records_with_reasons() {
        let n = Normalizer::default();
        assert_eq!(n.normalize(&art(None, None), o()).unwrap_err().to_string(), "record has neither title nor body");
        assert_eq!(n.normalize(&art(Some("T"), Some("  Lire la suite ")), o()).unwrap_err(), NormalizeError::EmptyBody);
        assert_eq!(
            n.normalize(&art(Some("T"), Some(&"x ".repeat(MAX_BODY_CHARS))), o()).unwrap_err(),
            NormalizeError::TooLarge { chars: 2 * MAX_BODY_CHARS - 1 }
        );
        assert!(n
            .normalize(&art(Some("T"), Some(&"x ".repeat(MAX_BODY_CHARS))), o())
            .unwrap_err()
            .to_string()
            .starts_with("body too large"));
    }

    #[test]
    fn unparsable_date_is_kept_raw_not_rejected() {
        let mut a = art(Some("T"), Some("corps"));
        a.published = Some("la semaine dernière".into());
        let d = Normalizer::default().normalize(&a, o()).unwrap();
        assert_eq!(d.published, None);
        assert_eq!(d.published_raw.as_deref(), Some("la semaine dernière"));
    }

    #[test]
    fn deeply_nested_markup_in_a_json_body_is_text() {
        let body = format!("<p>{}Texte profond</p>", "<b>".repeat(12_000));
        let d = Normalizer::default().normalize(&art(Some("T"), Some(&body)), o()).unwrap();
        assert_eq!(d.body, "Texte profond");
        let body = format!("{}Texte profond{}", "<div>".repeat(100_000), "</div>".repeat(100_000));
        assert_eq!(Normalizer::default().normalize(&art(Some("T"), Some(&body)), o()).unwrap().body, "Texte profond");
    }

    #[test]
    fn out_of_range_dates_are_kept_raw_not_wrapped() {
        for raw in ["9999-12-31T23:59:59Z", "0001-01-01", "99999999999999999999", "Wed, 29 Jan 2025 10:15:00 CET"] {
            let mut a = art(Some("T"), Some("corps"));
            a.published = Some(raw.into());
            let d = Normalizer::default().normalize(&a, o()).unwrap();
            if raw.ends_with("CET") {
                assert_eq!(d.published.unwrap().to_rfc3339(), "2025-01-29T09:15:00+00:00");
                assert_eq!(d.published_raw, None);
            } else {
                assert_eq!(d.published, None, "{raw}");
                assert_eq!(d.published_raw.as_deref(), Some(raw));
            }
        }
    }

    #[test]
    fn long_ids_are_hashed_stably_and_language_names_mapped() {
        let n = Normalizer::default();
        let mut a = art(Some("T"), Some("b"));
        let long = "x".repeat(70_000);
        a.id = Some(long.clone());
        let id = n.normalize(&a, o()).unwrap().id;
        assert!(id.0.starts_with("sha:") && id.0.len() == 36, "{}", id.0);
        assert_eq!(n.normalize(&a, o()).unwrap().id, id);
        a.id = Some(format!("{long}y"));
        assert_ne!(n.normalize(&a, o()).unwrap().id, id);
        a.id = Some("x".repeat(MAX_ID_BYTES));
        assert_eq!(n.normalize(&a, o()).unwrap().id.0.len(), MAX_ID_BYTES, "kept as given up to the limit");
        for (hint, code) in [("French", "fr"), ("English", "en"), ("fr-FR", "fr"), ("EN_us", "en"), ("de", "de")] {
            a.lang = Some(hint.into());
            assert_eq!(n.normalize(&a, o()).unwrap().lang_hint.as_deref(), Some(code));
        }
    }

    #[test]
    fn ids_are_stable_across_tracking_parameters() {
        let n = Normalizer::default();
        let mut a = art(Some("T"), Some("b"));
        a.url = Some("https://www.lemonde.fr/a.html?utm_source=rss#x".into());
        let mut b = art(Some("T2"), Some("b2"));
        b.url = Some("http://lemonde.fr/a.html".into());
        assert_eq!(n.normalize(&a, o()).unwrap().id, n.normalize(&b, o()).unwrap().id);
    }
}
