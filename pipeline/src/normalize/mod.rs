//! Normalization: clean text (Unicode NFC, whitespace, HTML entities, boilerplate),
//! parse dates and derive stable document ids.

mod boilerplate;
mod date;
mod id;
mod text;

pub use boilerplate::Boilerplate;
pub use date::parse_date;
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
    pub fn normalize(&self, a: &Article, origin: Origin) -> Result<Normalized, String> {
        let title = a.title.as_deref().map(|t| one_line(&clean_text(t))).unwrap_or_default();
        let raw_body = a.body.as_deref().unwrap_or_default();
        if raw_body.len() > MAX_BODY_CHARS * 4 {
            return Err(format!("body too large ({} bytes, limit {MAX_BODY_CHARS} characters)", raw_body.len()));
        }
        let body = self.boilerplate.strip(&clean_text(raw_body));
        if title.is_empty() && body.is_empty() {
            return Err(if a.title.is_none() && a.body.is_none() {
                "record has neither title nor body".to_string()
            } else {
                "empty title and body".to_string()
            });
        }
        if body.is_empty() {
            return Err("empty body".to_string());
        }
        let chars = body.chars().count();
        if chars > MAX_BODY_CHARS {
            return Err(format!("body too large ({chars} characters, limit {MAX_BODY_CHARS})"));
        }
        let title = if title.is_empty() { first_words(&body, 12) } else { title };
        let (published, published_raw) = match a.published.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => (None, None),
            Some(raw) => match parse_date(raw) {
                Some(d) => (Some(d), None),
                None => {
                    tracing::warn!(file = %origin.file, line = ?origin.line, date = raw, "unparsable date kept as text");
                    (None, Some(raw.to_string()))
                }
            },
        };
        let url = a.url.as_deref().map(|u| u.trim().to_string()).filter(|u| !u.is_empty());
        let source = a.source.as_deref().map(|s| one_line(&clean_text(s))).filter(|s| !s.is_empty());
        let id = match a.id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(given) => DocId(given.to_string()),
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
            lang_hint: a.lang.as_deref().map(|l| l.trim().to_lowercase()).filter(|l| !l.is_empty()),
            origin,
        })
    }
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
        assert_eq!(n.normalize(&art(None, None), o()).unwrap_err(), "record has neither title nor body");
        assert_eq!(n.normalize(&art(Some("T"), Some("  Lire la suite ")), o()).unwrap_err(), "empty body");
        assert!(n.normalize(&art(Some("T"), Some(&"x ".repeat(MAX_BODY_CHARS))), o()).unwrap_err().starts_with("body too large"));
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
    fn ids_are_stable_across_tracking_parameters() {
        let n = Normalizer::default();
        let mut a = art(Some("T"), Some("b"));
        a.url = Some("https://www.lemonde.fr/a.html?utm_source=rss#x".into());
        let mut b = art(Some("T2"), Some("b2"));
        b.url = Some("http://lemonde.fr/a.html".into());
        assert_eq!(n.normalize(&a, o()).unwrap().id, n.normalize(&b, o()).unwrap().id);
    }
}
