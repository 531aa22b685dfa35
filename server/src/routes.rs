//! The API's routes in one table: the router is built from it and so is the OpenAPI
//! document, so that neither can list a route the other lacks.

use crate::auth::require_token;
use crate::handlers::{analytics, export, monitoring, search, searches, topics};
use crate::limits::{json_errors, limit_query, MAX_BODY_BYTES};
use crate::{ApiError, AppState, ServeConfig};
use axum::extract::Request;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{delete, get, post, MethodRouter};
use axum::Router;
use schemars::{JsonSchema, Schema, SchemaGenerator};
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

/// A type's JSON Schema, generated on demand.
pub type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

/// The JSON request bodies of the routes that take one: (method, path, schema).
pub const BODIES: &[(&str, &str, SchemaFn)] = &[("POST", "/api/searches", schema::<vigie_engine::searches::SavedSearch>)];

async fn not_found(req: Request) -> ApiError {
    ApiError::not_found(format!("no route {} {}", req.method(), req.uri().path()))
}

/// The API over the configuration's data directory, with its limits and, when the
/// configuration has a token, the token check.
pub fn router(config: &ServeConfig) -> Router {
    let mut routes = Router::new();
    let mut by_path: Vec<(&str, MethodRouter<AppState>)> = Vec::new();
    for r in ROUTES {
        // one method router per path, holding the methods of every route on it
        match by_path.iter_mut().find(|(p, _)| *p == r.path) {
            Some((_, m)) => *m = std::mem::take(m).merge((r.handler)()),
            None => by_path.push((r.path, (r.handler)())),
        }
    }
    for (path, m) in by_path {
        routes = routes.route(path, m);
    }
    let mut app = routes
        .fallback(not_found)
        .with_state(AppState::new(config.data.clone()))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(from_fn(limit_query));
    if let Some(token) = &config.token {
        app = app.layer(from_fn_with_state(Arc::new(token.clone()), require_token));
    }
    app.layer(from_fn(json_errors))
}
