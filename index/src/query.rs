//! From the user's query string and filters to a tantivy query.

use crate::fields::Fields;
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use regex::Regex;
use std::ops::Bound;
use std::sync::OnceLock;
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, QueryParser, RangeQuery, TermQuery};
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
}

/// `title:x` and `body:x` stand for the three language variants of each field.
fn expand_aliases(q: &str) -> String {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r#"(^|[\s(+\-])(title|body|text):("[^"]*"|[^\s()"]+)"#).expect("static regex")
    });
    re.replace_all(q, |c: &regex::Captures| {
        let (pre, field, term) = (&c[1], &c[2], &c[3]);
        let fields: &[&str] = match field {
            "title" => &["title"],
            "body" => &["body"],
            _ => &["title", "body"],
        };
        let alts: Vec<String> = fields
            .iter()
            .flat_map(|f| ["fr", "en", "xx"].map(|l| format!("{f}_{l}:{term}")))
            .collect();
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
    parser(index, f).parse_query(&expand_aliases(q)).map_err(|e| Error::Query(query_error_text(&e)))
}

fn query_error_text(e: &tantivy::query::QueryParserError) -> String {
    use tantivy::query::QueryParserError as E;
    match e {
        E::FieldDoesNotExist(name) => format!(
            "unknown field {name:?} (fields: title, body, text, lang, source, id, url, ent, ent_person, ent_company, ent_gpu, story_id, topic_id)"
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
    if filters.since.is_some() || filters.until.is_some() {
        let b = |d: Option<DateTime<Utc>>, incl: bool| match d {
            None => Bound::Unbounded,
            Some(d) => {
                let t = Term::from_field_date_for_search(f.published, TDate::from_timestamp_secs(d.timestamp()));
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
        clauses.push((
            Occur::Must,
            Box::new(TermQuery::new(Term::from_field_u64(f.is_dup, 0), IndexRecordOption::Basic)),
        ));
    }
    if clauses.len() == 1 {
        return clauses.pop().expect("one clause").1;
    }
    Box::new(BooleanQuery::new(clauses))
}

#[cfg(test)]
mod tests {
    use super::*;

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
