//! `article.v1`: one input article, as read from JSON lines and built from feeds,
//! digests, HTML pages and text files.

use schemars::JsonSchema;
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// An input article. Unknown fields are ignored so that exports from other tools load
/// (NewsAPI records, GDELT DOC records, scraper dumps). Each field is read from the
/// first of its names that holds a non-empty value, in this order: id: `id`; title:
/// `title`, `headline`; body: `body`, `text`, `content`, `description`,
/// `short_description`; url: `url`, `link`; source: `source` (a string, or an object's
/// `name` then `id`), `domain`; published: `published`, `date`, `pubDate`, `publishedAt`,
/// `seendate` (a string, or epoch seconds/milliseconds as a number); lang: `lang`,
/// `language`; author: `author`, `authors`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
pub struct Article {
    /// Becomes the document id when given (a string or a number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "headline")]
    pub title: Option<String>,
    /// The article text; `text` is accepted as a synonym.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "text",
        alias = "content",
        alias = "description",
        alias = "short_description"
    )]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "link")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// RFC 3339, RFC 2822, an ISO date or a French/English written date.
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "date", alias = "pubDate")]
    pub published: Option<String>,
    /// A hint only: the detected language wins when it is confident.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "authors")]
    pub author: Option<OneOrMany>,
}

const ID: &[&str] = &["id"];
const TITLE: &[&str] = &["title", "headline"];
const BODY: &[&str] = &["body", "text", "content", "description", "short_description"];
const URL: &[&str] = &["url", "link"];
const SOURCE: &[&str] = &["source", "domain"];
const PUBLISHED: &[&str] = &["published", "date", "pubDate", "publishedAt", "seendate"];
const LANG: &[&str] = &["lang", "language"];
const AUTHOR: &[&str] = &["author", "authors"];

/// The first non-empty value among `names`, as text; `Err` names a field whose value
/// has a type no export uses for it.
fn text_field(m: &mut Map<String, Value>, names: &[&str], numbers: bool) -> Result<Option<String>, String> {
    for name in names {
        match m.remove(*name) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if s.trim().is_empty() => {}
            Some(Value::String(s)) => return Ok(Some(s)),
            Some(Value::Number(n)) if numbers => return Ok(Some(n.to_string())),
            Some(Value::Object(mut o)) if *name == "source" => {
                // NewsAPI: {"id": "le-monde", "name": "Le Monde"}
                if let Some(s) = text_field(&mut o, &["name", "id"], false)? {
                    return Ok(Some(s));
                }
            }
            Some(other) => {
                return Err(format!("invalid type for \"{name}\": {}, expected a string", kind(&other)));
            }
        }
    }
    Ok(None)
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// NewsAPI cuts `content` with "… [+1234 chars]": the marker is not article text.
fn strip_truncation_marker(mut s: String) -> String {
    let t = s.trim_end();
    if let Some(open) = t.rfind("[+") {
        let tail = &t[open + 2..];
        if tail.ends_with(" chars]") && tail[..tail.len() - 7].bytes().all(|b| b.is_ascii_digit()) && tail.len() > 7 {
            s.truncate(open);
            let kept = s.trim_end().len();
            s.truncate(kept);
        }
    }
    s
}

/// Reads an object keeping only the fields an article is made of: the others (a
/// NewsAPI `urlToImage`, a scraper's raw HTML, arrays of numbers) are skipped without
/// being built, which keeps a record's memory near its size.
struct KnownFields;

impl<'de> de::Visitor<'de> for KnownFields {
    type Value = Map<String, Value>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an article object")
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
        let mut m = Map::new();
        while let Some(k) = a.next_key::<String>()? {
            let known = [ID, TITLE, BODY, URL, SOURCE, PUBLISHED, LANG, AUTHOR].iter().any(|names| names.contains(&k.as_str()));
            if known && !m.contains_key(&k) {
                let v: Value = a.next_value()?;
                m.insert(k, v);
            } else {
                a.next_value::<de::IgnoredAny>()?;
            }
        }
        Ok(m)
    }
}

impl<'de> Deserialize<'de> for Article {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut m = d.deserialize_any(KnownFields)?;
        let m = &mut m;
        let author = {
            let mut found = None;
            for name in AUTHOR {
                match m.remove(*name) {
                    None | Some(Value::Null) => {}
                    Some(Value::String(s)) if s.trim().is_empty() => {}
                    Some(Value::String(s)) => {
                        found = Some(OneOrMany::One(s));
                        break;
                    }
                    Some(Value::Array(items)) => {
                        let mut names = Vec::with_capacity(items.len());
                        for it in items {
                            match it {
                                Value::String(s) => names.push(s),
                                Value::Null => {}
                                // {"name": "..."} as schema.org writes authors
                                Value::Object(mut o) => {
                                    if let Some(Value::String(s)) = o.remove("name") {
                                        names.push(s);
                                    }
                                }
                                other => {
                                    return Err(de::Error::custom(format!(
                                        "invalid type in \"{name}\": {}, expected a string",
                                        kind(&other)
                                    )))
                                }
                            }
                        }
                        if !names.is_empty() {
                            found = Some(OneOrMany::Many(names));
                            break;
                        }
                    }
                    Some(other) => {
                        return Err(de::Error::custom(format!(
                            "invalid type for \"{name}\": {}, expected a string or a list",
                            kind(&other)
                        )))
                    }
                }
            }
            found
        };
        let e = de::Error::custom;
        Ok(Article {
            id: text_field(m, ID, true).map_err(e)?,
            title: text_field(m, TITLE, false).map_err(e)?,
            body: text_field(m, BODY, false).map_err(e)?.map(strip_truncation_marker),
            url: text_field(m, URL, false).map_err(e)?,
            source: text_field(m, SOURCE, false).map_err(e)?,
            published: text_field(m, PUBLISHED, true).map_err(e)?,
            lang: text_field(m, LANG, false).map_err(e)?,
            author,
        })
    }
}

/// A field that exports write either as one string or as a list of strings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    /// The values joined with ", ".
    pub fn joined(&self) -> String {
        match self {
            OneOrMany::One(s) => s.clone(),
            OneOrMany::Many(v) => v.join(", "),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(s: &str) -> Article {
        serde_json::from_str(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn newsapi_records_are_articles() {
        let a = read(
            r#"{"source":{"id":null,"name":"Le Monde"},"author":"A. Auteur","title":"Nvidia livre","description":"Résumé court","url":"https://ex.fr/a","urlToImage":"https://ex.fr/a.jpg","publishedAt":"2025-01-29T10:15:00Z","content":"Le fondeur a livré ses puces… [+2345 chars]"}"#,
        );
        assert_eq!(a.source.as_deref(), Some("Le Monde"));
        assert_eq!(a.body.as_deref(), Some("Le fondeur a livré ses puces…"));
        assert_eq!(a.published.as_deref(), Some("2025-01-29T10:15:00Z"));
        assert_eq!(a.author, Some(OneOrMany::One("A. Auteur".into())));
        let a = read(r#"{"source":{"id":"bbc-news","name":null},"title":"t","description":"d","content":null}"#);
        assert_eq!(a.source.as_deref(), Some("bbc-news"));
        assert_eq!(a.body.as_deref(), Some("d"), "description when content is null");
    }

    #[test]
    fn gdelt_doc_records_are_articles() {
        let a = read(
            r#"{"url":"https://ex.fr/b","url_mobile":"","title":"Mistral lève","seendate":"20250129T101500Z","socialimage":"","domain":"ex.fr","language":"French","sourcecountry":"France"}"#,
        );
        assert_eq!(a.url.as_deref(), Some("https://ex.fr/b"));
        assert_eq!(a.source.as_deref(), Some("ex.fr"));
        assert_eq!(a.published.as_deref(), Some("20250129T101500Z"));
        assert_eq!(a.lang.as_deref(), Some("French"));
        assert_eq!(a.body, None);
    }

    #[test]
    fn aliases_together_take_the_first_non_empty_and_numbers_are_read() {
        let a =
            read(r#"{"id":12345,"url":"https://a","link":"https://b","body":"","text":"t","title":"x","headline":"y","date":1738145700}"#);
        assert_eq!(a.id.as_deref(), Some("12345"));
        assert_eq!(a.url.as_deref(), Some("https://a"));
        assert_eq!(a.body.as_deref(), Some("t"));
        assert_eq!(a.title.as_deref(), Some("x"));
        assert_eq!(a.published.as_deref(), Some("1738145700"));
        let a = read(r#"{"title":"x","authors":[{"name":"A"},"B",null]}"#);
        assert_eq!(a.author.unwrap().joined(), "A, B");
        for bad in [r#"{"title":5}"#, r#"{"body":["x"]}"#, r#"[1]"#, r#""x""#, r#"{"author":true}"#] {
            assert!(serde_json::from_str::<Article>(bad).is_err(), "{bad}");
        }
        // round trip through the canonical names
        let back: Article = serde_json::from_str(&serde_json::to_string(&a_full()).unwrap()).unwrap();
        assert_eq!(back, a_full());
    }

    fn a_full() -> Article {
        Article {
            id: Some("i".into()),
            title: Some("t".into()),
            body: Some("b [+3 chars] suite".into()),
            url: Some("u".into()),
            source: Some("s".into()),
            published: Some("2025-01-29".into()),
            lang: Some("fr".into()),
            author: Some(OneOrMany::Many(vec!["a".into(), "b".into()])),
        }
    }
}
