//! Search: ranked or newest-first hits with highlighted snippets.

use crate::query::{parse_user_query, with_filters, Filters};
use crate::{Result, VigieIndex};
use chrono::{DateTime, Utc};
use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DateTime as TDate, DocAddress, Order};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortBy {
    /// BM25 score (newest first for `*`).
    #[default]
    Relevance,
    Date,
}

/// A search: tantivy query syntax plus filters.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub query: String,
    pub filters: Filters,
    pub limit: usize,
    pub offset: usize,
    pub sort: SortBy,
}

impl SearchRequest {
    pub fn new(query: &str) -> Self {
        SearchRequest { query: query.to_string(), filters: Filters::default(), limit: 10, offset: 0, sort: SortBy::Relevance }
    }
}

/// One hit, in the shape of the command-line contract.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Hit {
    pub id: String,
    pub title: String,
    pub url: Option<String>,
    pub source: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub lang: String,
    pub score: f32,
    pub snippet: String,
    pub story_id: Option<String>,
    pub topic_id: Option<String>,
    pub dup_of: Option<String>,
}

/// The hits of one page and how many documents match in all.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<Hit>,
}

const SNIPPET_CHARS: usize = 220;

/// A field the query names that the index lacks is the query's fault (a backstop:
/// the parser step refuses the names it can see).
fn query_error(e: tantivy::TantivyError) -> crate::Error {
    match e {
        tantivy::TantivyError::FieldNotFound(name) => crate::Error::Query(format!("unknown field {name:?}")),
        // the schema is fixed: a schema error at search time comes from the query
        tantivy::TantivyError::SchemaError(msg) => crate::Error::Query(msg.to_lowercase()),
        other => other.into(),
    }
}

impl VigieIndex {
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults> {
        let f = &self.fields;
        let user = parse_user_query(&self.index, f, &req.query)?;
        let match_all = req.query.trim().is_empty() || req.query.trim() == "*";
        let q = with_filters(f, user, &req.filters);
        let searcher = self.reader.searcher();
        let limit = req.limit.max(1);
        let top = TopDocs::with_limit(limit).and_offset(req.offset);
        let (total, addrs): (usize, Vec<(f32, DocAddress)>) = if req.sort == SortBy::Date || match_all {
            let (n, v) = searcher.search(&q, &(Count, top.order_by_fast_field::<TDate>("published", Order::Desc))).map_err(query_error)?;
            (n, v.into_iter().map(|(_, a)| (1.0, a)).collect())
        } else {
            searcher.search(&q, &(Count, top.order_by_score())).map_err(query_error)?
        };
        let mut gens = Vec::new();
        if !match_all {
            for p in f.all_text() {
                let mut g = SnippetGenerator::create(&searcher, &*q, p.body)?;
                g.set_max_num_chars(SNIPPET_CHARS);
                gens.push(g);
            }
        }
        let mut hits = Vec::with_capacity(addrs.len());
        for (score, addr) in addrs {
            let d = self.load(&searcher, addr)?;
            let snippet = match d.lang.as_str() {
                _ if gens.is_empty() => String::new(),
                "fr" => gens[0].snippet(&d.body).to_html(),
                "en" => gens[1].snippet(&d.body).to_html(),
                _ => gens[2].snippet(&d.body).to_html(),
            };
            let snippet = if snippet.is_empty() { lead(&d.body) } else { snippet };
            hits.push(Hit {
                id: d.id.0,
                title: d.title,
                url: d.url,
                source: d.source,
                published: d.published,
                lang: d.lang.0,
                score,
                snippet,
                story_id: d.story_id,
                topic_id: d.topic_id,
                dup_of: d.dup_of.map(|x| x.0),
            });
        }
        Ok(SearchResults { total, hits })
    }

    /// How many documents match, without loading any.
    pub fn count(&self, query: &str, filters: &Filters) -> Result<usize> {
        let q = with_filters(&self.fields, parse_user_query(&self.index, &self.fields, query)?, filters);
        self.reader.searcher().search(&q, &Count).map_err(query_error)
    }

    /// Checks a query's syntax.
    /// (the query is also run, counting only: some mistakes, such as a field name
    /// tantivy's grammar reads differently from the check above, show only then)
    pub fn validate_query(&self, query: &str) -> Result<()> {
        let q = parse_user_query(&self.index, &self.fields, query)?;
        self.reader.searcher().search(&*q, &Count).map(|_| ()).map_err(query_error)
    }
}

/// The first words of a body, HTML-escaped like a highlighted snippet.
fn lead(body: &str) -> String {
    let mut s: String = body.chars().take(SNIPPET_CHARS).collect();
    if s.len() < body.len() {
        if let Some(i) = s.rfind(' ') {
            s.truncate(i);
        }
        s.push('…');
    }
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('\n', " ")
}
