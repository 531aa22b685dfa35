//! The API's routes in one table: the router is built from it and so is the OpenAPI
//! document, so that neither can list a route the other lacks.

use crate::auth::require_token;
use crate::handlers::{alerts, analytics, export, ingest, monitoring, search, searches, topics};
use crate::limits::{json_errors, limit_query, MAX_BODY_BYTES};
use crate::{ApiError, AppState, ServeConfig};
use axum::extract::DefaultBodyLimit;
use axum::extract::Request;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{delete, get, post, MethodRouter};
use axum::Router;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use std::convert::Infallible;
use std::sync::Arc;
use tower_http::limit::RequestBodyLimitLayer;

/// One route: what the router serves and the OpenAPI document says about it.
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    /// the OpenAPI operation id
    pub id: &'static str,
    pub summary: &'static str,
    /// the query parameters, as the schema of the struct they are read into
    pub params: fn(&mut SchemaGenerator) -> Schema,
    /// `{name}` segments of the path: (name, description, the values it takes if fixed)
    pub path_params: &'static [(&'static str, &'static str, &'static [&'static str])],
    pub response: Answer,
    handler: fn() -> MethodRouter<AppState>,
}

/// What a route answers with status 200.
pub enum Answer {
    /// JSON of this schema
    Json(fn(&mut SchemaGenerator) -> Schema),
    /// a file in the format asked for
    Download,
    /// 201 Created with JSON of this schema
    Created(fn(&mut SchemaGenerator) -> Schema),
}

fn schema<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.subschema_for::<T>()
}

fn params<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.root_schema_for::<T>()
}

const ID: &[(&str, &str, &[&str])] = &[("id", "a document id", &[])];

/// Every route of the API.
pub const ROUTES: &[Route] = &[
    Route {
        method: "GET",
        path: "/api/search",
        id: "search",
        summary: "Documents matching a query, one page of hits and the total (vigie search --json)",
        params: params::<search::SearchParams>,
        path_params: &[],
        response: Answer::Json(schema::<vigie_index::SearchResults>),
        handler: || get(search::search),
    },
    Route {
        method: "GET",
        path: "/api/documents/{id}",
        id: "document",
        summary: "One stored document with its entities (vigie show --json)",
        params: params::<search::NoParams>,
        path_params: ID,
        response: Answer::Json(schema::<vigie_schemas::Document>),
        handler: || get(search::document),
    },
    Route {
        method: "GET",
        path: "/api/stats",
        id: "stats",
        summary: "Corpus statistics (vigie stats --json)",
        params: params::<search::NoParams>,
        path_params: &[],
        response: Answer::Json(schema::<vigie_index::Stats>),
        handler: || get(analytics::stats),
    },
    Route {
        method: "GET",
        path: "/api/entities",
        id: "entities",
        summary: "The most mentioned entities with stories, mentions and first/last seen (vigie entities --json)",
        params: params::<analytics::EntitiesParams>,
        path_params: &[],
        response: Answer::Json(schema::<Vec<vigie_index::analytics::EntityRow>>),
        handler: || get(analytics::entities),
    },
    Route {
        method: "GET",
        path: "/api/timeline",
        id: "timeline",
        summary: "Documents and stories per bucket, one row per bucket and series (vigie timeline --json)",
        params: params::<analytics::TimelineParams>,
        path_params: &[],
        response: Answer::Json(schema::<Vec<vigie_engine::reports::TimelineRow>>),
        handler: || get(analytics::timeline),
    },
    Route {
        method: "GET",
        path: "/api/trends",
        id: "trends",
        summary: "Entities and topics whose recent count is unusual against their baseline (vigie trends --json: its entity rows, then its topic rows)",
        params: params::<analytics::TrendsParams>,
        path_params: &[],
        response: Answer::Json(schema::<vigie_engine::reports::Trends>),
        handler: || get(analytics::trends),
    },
    Route {
        method: "GET",
        path: "/api/cooccur",
        id: "cooccur",
        summary: "Entities most often in the same stories as an entity (vigie cooccur --json)",
        params: params::<analytics::CooccurParams>,
        path_params: &[],
        response: Answer::Json(schema::<Vec<vigie_index::analytics::CooccurRow>>),
        handler: || get(analytics::cooccur),
    },
    Route {
        method: "GET",
        path: "/api/topics",
        id: "topics",
        summary: "Topics with labels, keywords, sizes and top entities, largest first (vigie topics --json)",
        params: params::<topics::TopicsParams>,
        path_params: &[],
        response: Answer::Json(schema::<Vec<vigie_engine::reports::TopicRow>>),
        handler: || get(topics::topics),
    },
    Route {
        method: "GET",
        path: "/api/stories/{id}",
        id: "story",
        summary: "One story: articles, languages, sources, entities and topic (vigie story --json)",
        params: params::<topics::StoryParams>,
        path_params: &[("id", "a story id, or the id of one of its articles", &[])],
        response: Answer::Json(schema::<vigie_engine::reports::StoryReport>),
        handler: || get(topics::story),
    },
    Route {
        method: "GET",
        path: "/api/export/{what}",
        id: "export",
        summary: "A table of the index as a Parquet, CSV, NDJSON or Arrow IPC download (vigie export)",
        params: params::<export::ExportParams>,
        path_params: &[("what", "the table", export::EXPORTS)],
        response: Answer::Download,
        handler: || get(export::export),
    },
    Route {
        method: "GET",
        path: "/api/openapi.json",
        id: "openapi",
        summary: "This document",
        params: params::<search::NoParams>,
        path_params: &[],
        response: Answer::Json(schema::<serde_json::Value>),
        handler: || get(crate::openapi::serve),
    },
    Route {
        method: "GET",
        path: "/api/alerts",
        id: "alerts",
        summary: "The saved alert rules with their delivery state (vigie alerts list --json)",
        params: params::<search::NoParams>,
        path_params: &[],
        response: Answer::Json(schema::<Vec<vigie_engine::alerts::ListedRule>>),
        handler: || get(alerts::list),
    },
    Route {
        method: "POST",
        path: "/api/alerts",
        id: "alert_add",
        summary: "Save an alert rule, checked as vigie alerts add checks it (201 with its listing; 400 a bad name, query, \
            filter, sink or digest; 409 a name in use)",
        params: params::<search::NoParams>,
        path_params: &[],
        response: Answer::Created(schema::<vigie_engine::alerts::ListedRule>),
        handler: || post(alerts::add),
    },
    Route {
        method: "GET",
        path: "/api/alerts/{name}/test",
        id: "alert_test",
        summary: "What a rule matches in the index now: the total and the notifications of the newest stories, delivering \
            nothing (vigie alerts test)",
        params: params::<alerts::TestParams>,
        path_params: ALERT,
        response: Answer::Json(schema::<vigie_engine::alerts::RuleTest>),
        handler: || get(alerts::test),
    },
    Route {
        method: "DELETE",
        path: "/api/alerts/{name}",
        id: "alert_delete",
        summary: "Delete a rule and its delivery state (vigie alerts rm)",
        params: params::<search::NoParams>,
        path_params: ALERT,
        response: Answer::Json(schema::<alerts::Removed>),
        handler: || delete(alerts::remove),
    },
    Route {
        method: "POST",
        path: "/api/ingest",
        id: "ingest",
        summary: "Ingest the body (JSON lines, an RSS/Atom feed, or another format vigie ingest reads), then run the alert \
            rules: the vigie ingest --json summary, the request's rejects and the alert run (503 while another process \
            holds the index writer)",
        params: params::<ingest::IngestParams>,
        path_params: &[],
        response: Answer::Json(schema::<ingest::IngestAnswer>),
        handler: || post(ingest::ingest),
    },
    Route {
        method: "GET",
        path: "/api/sources",
        id: "sources",
        summary: "The sources of the documents a query selects: documents, copies, stories, share, first/last (vigie sources --json)",
        params: params::<monitoring::SourcesParams>,
        path_params: &[],
        response: Answer::Json(schema::<Vec<vigie_index::analytics::SourceRow>>),
        handler: || get(monitoring::sources),
    },
    Route {
        method: "GET",
        path: "/api/stories",
        id: "stories",
        summary: "The stories of the documents a query selects, the largest or the latest first, each with its first original's title, \
            documents, originals, sources, languages and dates (vigie stories --json)",
        params: params::<monitoring::StoriesParams>,
        path_params: &[],
        response: Answer::Json(schema::<Vec<vigie_index::analytics::StoryRow>>),
        handler: || get(monitoring::stories),
    },
    Route {
        method: "GET",
        path: "/api/terms",
        id: "terms",
        summary: "The title terms that set the articles a query selects apart from the corpus, by c-TF-IDF per language (vigie terms --json)",
        params: params::<monitoring::TermsParams>,
        path_params: &[],
        response: Answer::Json(schema::<Vec<vigie_index::analytics::TermRow>>),
        handler: || get(monitoring::terms),
    },
    Route {
        method: "GET",
        path: "/api/summary",
        id: "summary",
        summary: "Documents, stories, copies and copy rate of a query, each against the previous period of equal length (vigie summary --json)",
        params: params::<monitoring::SummaryParams>,
        path_params: &[],
        response: Answer::Json(schema::<vigie_index::analytics::Summary>),
        handler: || get(monitoring::summary),
    },
    Route {
        method: "GET",
        path: "/api/searches",
        id: "searches",
        summary: "The saved searches, by name (vigie searches list --json)",
        params: params::<search::NoParams>,
        path_params: &[],
        response: Answer::Json(schema::<Vec<vigie_engine::searches::SavedSearch>>),
        handler: || get(searches::list),
    },
    Route {
        method: "POST",
        path: "/api/searches",
        id: "add_search",
        summary: "Save a search (the JSON body: name, query, filters), answered as saved (vigie searches add)",
        params: params::<searches::AddParams>,
        path_params: &[],
        response: Answer::Json(schema::<vigie_engine::searches::SavedSearch>),
        handler: || post(searches::add),
    },
    Route {
        method: "DELETE",
        path: "/api/searches/{name}",
        id: "remove_search",
        summary: "Remove a saved search, answered as it was (vigie searches rm)",
        params: params::<search::NoParams>,
        path_params: &[("name", "the saved search's name", &[])],
        response: Answer::Json(schema::<vigie_engine::searches::SavedSearch>),
        handler: || delete(searches::remove),
    },
];

const ALERT: &[(&str, &str, &[&str])] = &[("name", "an alert rule's name", &[])];

/// Makes the schema of a type.
pub type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

/// The body a route takes: the routes not listed take none (and are refused one over
/// [`MAX_BODY_BYTES`]).
pub struct RequestBody {
    /// the route's operation id
    pub id: &'static str,
    pub description: &'static str,
    /// media types, with the body's schema when it is JSON
    pub content: &'static [(&'static str, Option<SchemaFn>)],
    /// the largest body accepted (413 beyond)
    pub max_bytes: usize,
}

/// The request bodies of the routes that take one.
pub const REQUEST_BODIES: &[RequestBody] = &[
    RequestBody {
        id: "alert_add",
        description: "the rule: vigie alerts add's arguments and flags",
        content: &[("application/json", Some(schema::<alerts::NewAlert>))],
        max_bytes: MAX_BODY_BYTES,
    },
    RequestBody {
        id: "ingest",
        description: "articles as JSON lines (article.v1), an RSS or Atom feed, or another format vigie ingest reads \
            (sniffed unless ?format= says), at most 32 MiB",
        content: &[
            ("application/x-ndjson", None),
            ("application/rss+xml", None),
            ("application/atom+xml", None),
            ("text/plain", None),
            ("application/octet-stream", None),
        ],
        max_bytes: ingest::MAX_INGEST_BYTES,
    },
    RequestBody {
        id: "add_search",
        description: "the saved search: name, query and filters (vigie searches add)",
        content: &[("application/json", Some(schema::<vigie_engine::searches::SavedSearch>))],
        max_bytes: MAX_BODY_BYTES,
    },
];

/// The largest body a request to `method path` may send.
pub(crate) fn body_limit(method: &str, path: &str) -> usize {
    let id = ROUTES.iter().find(|r| r.method.eq_ignore_ascii_case(method) && r.path == path).map(|r| r.id);
    REQUEST_BODIES.iter().find(|b| Some(b.id) == id).map_or(MAX_BODY_BYTES, |b| b.max_bytes)
}

async fn not_found(req: Request) -> ApiError {
    ApiError::not_found(format!("no route {} {}", req.method(), req.uri().path()))
}

/// The API over the configuration's data directory, with its limits and, when the
/// configuration has a token, the token check.
pub fn router(config: &ServeConfig) -> Router {
    let mut routes = Router::new();
    for r in ROUTES {
        // each route its body limit (the ingest's is larger than the others')
        let limit = body_limit(r.method, r.path);
        let handler =
            (r.handler)().layer::<_, Infallible>(DefaultBodyLimit::max(limit)).layer::<_, Infallible>(RequestBodyLimitLayer::new(limit));
        routes = routes.route(r.path, handler);
    }
    // the dashboard's pages and assets: not API routes (not in the OpenAPI document)
    routes = routes.merge(crate::dashboard::router());
    let mut app = routes
        .fallback(not_found)
        .with_state(AppState::build(config.data.clone(), config.stages.clone(), config.session.clone()))
        .layer(from_fn(limit_query));
    if let Some(token) = &config.token {
        app = app.layer(from_fn_with_state(Arc::new(token.clone()), require_token));
    }
    app.layer(from_fn(json_errors))
}
