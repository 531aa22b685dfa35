//! From the user's query string and filters to a tantivy query.

use crate::fields::Fields;
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use regex::Regex;
use std::ops::Bound;
use std::sync::OnceLock;
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, QueryParser, RangeQuery, TermQuery, TermSetQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DateTime as TDate, Index, Term};

/// Filters shared by search, counts and alerts.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub lang: Option<String>,
    pub source: Option<String>,
    pub entity: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Leave out duplicates (`dup_of` set).
    pub originals_only: bool,
    /// Only documents of these stories (a topic's stories, resolved by the engine from
    /// the topic state: topics are not stored in the index, they change when they are
    /// re-clustered). An empty list matches nothing.
    pub stories: Option<Vec<String>>,
}

/// `title:x` and `body:x` stand for the three language variants of each field.
fn expand_aliases(q: &str) -> String {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| Regex::new(r#"(^|[\s(+\-])(title|body|text):("[^"]*"|[^\s()"]+)"#).expect("static regex"));
    re.replace_all(q, |c: &regex::Captures| {
        let (pre, field, term) = (&c[1], &c[2], &c[3]);
        let fields: &[&str] = match field {
            "title" => &["title"],
            "body" => &["body"],
            _ => &["title", "body"],
        };
        let alts: Vec<String> = fields.iter().flat_map(|f| ["fr", "en", "xx"].map(|l| format!("{f}_{l}:{term}"))).collect();
        format!("{pre}({})", alts.join(" OR "))
    })
    .into_owned()
}

pub(crate) fn parser(index: &Index, f: &Fields) -> QueryParser {
    let mut defaults = Vec::new();
    for p in f.all_text() {
        defaults.push(p.title);
        defaults.push(p.body);
    }
    let mut qp = QueryParser::for_index(index, defaults);
    qp.set_conjunction_by_default();
    for p in f.all_text() {
        qp.set_field_boost(p.title, 2.0);
    }
    qp
}

/// Parses the user's query (tantivy syntax; `*` or empty matches everything).
pub(crate) fn parse_user_query(index: &Index, f: &Fields, q: &str) -> Result<Box<dyn Query>> {
    let q = q.trim();
    if q.is_empty() || q == "*" {
        return Ok(Box::new(AllQuery));
    }
    check_query_shape(q)?;
    let q = expand_aliases(q);
    check_field_names(index, &q)?;
    parser(index, f).parse_query(&q).map_err(|e| Error::Query(query_error_text(&e)))
}

/// The longest query accepted, in bytes.
pub const MAX_QUERY_BYTES: usize = 16 * 1024;
/// The deepest nesting of parentheses accepted (tantivy's parser recurses per level).
pub const MAX_QUERY_DEPTH: usize = 32;
/// The most clauses (words, phrases, operators) in one query.
pub const MAX_QUERY_TERMS: usize = 1024;

/// Refuses queries that are too long, too deep or too wide before the parser sees them:
/// the parser recurses per parenthesis level, and a query of 30,000 levels overflowed
/// the stack.
pub fn check_query_shape(q: &str) -> Result<()> {
    if q.len() > MAX_QUERY_BYTES {
        return Err(Error::Query(format!("query too long ({} bytes, limit {MAX_QUERY_BYTES})", q.len())));
    }
    // brackets count inside phrases too: escapes (`\"`) and quote styles make "inside"
    // easy to fake, and refusing a phrase of 33 parentheses costs nothing
    let (mut depth, mut deepest) = (0usize, 0usize);
    for c in q.chars() {
        match c {
            '(' | '[' | '{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if deepest > MAX_QUERY_DEPTH {
        return Err(Error::Query(format!("query nested {deepest} levels deep (limit {MAX_QUERY_DEPTH})")));
    }
    let terms = q.split_whitespace().count();
    if terms > MAX_QUERY_TERMS {
        return Err(Error::Query(format!("query has {terms} terms (limit {MAX_QUERY_TERMS})")));
    }
    Ok(())
}

/// Every `field:` of the query names a field of the index: tantivy's parser accepts
/// `nosuchfield:*` and the search then fails on it. Names are cut as tantivy cuts
/// them: at spaces only (a tab or a newline belongs to the name).
fn check_field_names(index: &Index, q: &str) -> Result<()> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| Regex::new(r#"(?:^|[ (+\-])([^ :()"]+) *:"#).expect("static regex"));
    let schema = index.schema();
    for c in re.captures_iter(q) {
        let m = c.get(1).expect("group 1");
        // a colon inside a phrase is a word
        let quoted = q[..m.start()].matches('"').count() % 2 == 1;
        if quoted {
            continue;
        }
        if m.as_str() == "topic_id" {
            return Err(Error::Query(
                "topic_id: topics are not a query field (they change when re-clustered): filter with --topic ID (ids: vigie topics)".into(),
            ));
        }
        let Ok(field) = schema.get_field(m.as_str()) else {
            return Err(Error::Query(query_error_text(&tantivy::query::QueryParserError::FieldDoesNotExist(m.as_str().to_string()))));
        };
        // `field:*` (the field has any value) and ranges (`field:>x`, `field:[a TO b]`)
        // run on fast fields only
        let after = q[c.get(0).expect("match").end()..].trim_start();
        let any_value = after.starts_with('*') && after[1..].chars().next().is_none_or(|ch| ch.is_whitespace() || ch == ')');
        let range = after.starts_with(['<', '>', '[', '{']);
        if (any_value || range) && !schema.get_field_entry(field).is_fast() {
            let what = if range { "a range" } else { "* (any value)" };
            return Err(Error::Query(format!("{}: {what} is not supported on this field: search for words in it instead", m.as_str())));
        }
    }
    Ok(())
}

fn query_error_text(e: &tantivy::query::QueryParserError) -> String {
    use tantivy::query::QueryParserError as E;
    match e {
        E::FieldDoesNotExist(name) => format!(
            "unknown field {name:?} (fields: title, body, text, lang, source, id, url, ent, ent_person, ent_company, ent_gpu, story_id)"
        ),
        E::SyntaxError(s) => format!("cannot parse {s:?} (tantivy query syntax: words, \"phrases\", AND, OR, -word, field:value)"),
        other => other.to_string().to_lowercase(),
    }
}

fn term(field: tantivy::schema::Field, v: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, v), IndexRecordOption::Basic))
}

/// The user's query with the filters as required clauses.
pub(crate) fn with_filters(f: &Fields, q: Box<dyn Query>, filters: &Filters) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, q)];
    if let Some(l) = &filters.lang {
        clauses.push((Occur::Must, term(f.lang, &l.to_lowercase())));
    }
    if let Some(s) = &filters.source {
        // the source field is keyword-normalized (lowercase, folded)
        let folded: String = crate::analyzers::fold_keyword(s);
        clauses.push((Occur::Must, term(f.source, &folded)));
    }
    if let Some(e) = &filters.entity {
        clauses.push((Occur::Must, term(f.entity, e)));
    }
    if let Some(stories) = &filters.stories {
        let terms = stories.iter().map(|s| Term::from_field_text(f.story_id, s));
        clauses.push((Occur::Must, Box::new(TermSetQuery::new(terms))));
    }
    if filters.since.is_some() || filters.until.is_some() {
        let b = |d: Option<DateTime<Utc>>, incl: bool| match d {
            None => Bound::Unbounded,
            Some(d) => {
                let t = Term::from_field_date_for_search(f.published, TDate::from_timestamp_secs(clamp_secs(d.timestamp())));
                if incl {
                    Bound::Included(t)
                } else {
                    Bound::Excluded(t)
                }
            }
        };
        clauses.push((Occur::Must, Box::new(RangeQuery::new(b(filters.since, true), b(filters.until, false)))));
    }
    if filters.originals_only {
        clauses.push((Occur::Must, Box::new(TermQuery::new(Term::from_field_u64(f.is_dup, 0), IndexRecordOption::Basic))));
    }
    if clauses.len() == 1 {
        return clauses.pop().expect("one clause").1;
    }
    Box::new(BooleanQuery::new(clauses))
}

/// The seconds tantivy can hold (it stores i64 nanoseconds: about 1677 to 2262); a
/// filter bound outside is moved to the nearest end instead of wrapping.
pub fn clamp_secs(t: i64) -> i64 {
    const LIMIT: i64 = i64::MAX / 1_000_000_000 - 1;
    t.clamp(-LIMIT, LIMIT)
}

/// Whether a time fits in the index's date fields without wrapping.
pub fn fits_index(t: i64) -> bool {
    clamp_secs(t) == t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_long_or_wide_queries_are_refused_before_parsing() {
        let deep = format!("{}nvidia{}", "(".repeat(5_000), ")".repeat(5_000));
        assert!(check_query_shape(&deep).unwrap_err().to_string().contains("nested 5000 levels"));
        assert!(check_query_shape(&format!("{}x{}", "(".repeat(32), ")".repeat(32))).is_ok());
        assert!(check_query_shape(&"a ".repeat(2000)).unwrap_err().to_string().contains("terms"));
        assert!(check_query_shape(&"a".repeat(20_000)).unwrap_err().to_string().contains("too long"));
        // an escaped quote does not hide nesting
        let sneaky = format!("x\\\" {}x{}", "(".repeat(8000), ")".repeat(8000));
        assert!(check_query_shape(&sneaky).unwrap_err().to_string().contains("nested"));
    }

    #[test]
    fn filter_bounds_outside_the_index_range_are_clamped() {
        assert_eq!(clamp_secs(0), 0);
        assert!(clamp_secs(i64::MAX) < i64::MAX / 1_000_000_000);
        assert!(!fits_index(-62_135_596_800)); // 0001-01-01
        assert!(!fits_index(253_402_300_799)); // 9999-12-31
        assert!(fits_index(1_738_000_000));
        // the clamped bound converts without overflow
        let _ = TDate::from_timestamp_secs(clamp_secs(i64::MIN));
    }

    #[test]
    fn aliases_expand_to_language_fields() {
        assert_eq!(expand_aliases("title:nvidia"), "(title_fr:nvidia OR title_en:nvidia OR title_xx:nvidia)");
        assert_eq!(
            expand_aliases("openai AND body:\"data center\""),
            "openai AND (body_fr:\"data center\" OR body_en:\"data center\" OR body_xx:\"data center\")"
        );
        assert_eq!(expand_aliases("lang:fr"), "lang:fr");
    }
}
