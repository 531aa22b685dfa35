//! The dashboard at `/`: server-rendered HTML shells (one per page, the page's skeleton
//! in the HTML) and one small script that fills them from the JSON API. Every asset is
//! embedded in the binary (`server/assets/`), nothing is fetched from elsewhere, so it
//! works offline. The pages and assets are not API routes: they are not in the OpenAPI
//! document and need no token (the data they show comes from `/api`, which does; the
//! script sends the token it was given once with `?token=`).

use crate::ApiError;
use axum::extract::Path;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

/// The shell every page shares: `{{title}}`, `{{page}}` and `{{body}}` are filled in.
const SHELL: &str = include_str!("../assets/shell.html");

/// A page: its path, its name (the script's entry point), its title and its skeleton.
pub struct Page {
    pub path: &'static str,
    pub name: &'static str,
    pub title: &'static str,
    body: &'static str,
}

/// Every page of the dashboard.
pub const PAGES: &[Page] = &[
    Page { path: "/", name: "dashboard", title: "Dashboard", body: include_str!("../assets/pages/dashboard.html") },
    Page { path: "/story/{id}", name: "story", title: "Story", body: include_str!("../assets/pages/story.html") },
    Page { path: "/entity/{id}", name: "entity", title: "Entity", body: include_str!("../assets/pages/entity.html") },
    Page { path: "/topics", name: "topics", title: "Topics", body: include_str!("../assets/pages/topics.html") },
    Page { path: "/alerts", name: "alerts", title: "Alerts", body: include_str!("../assets/pages/alerts.html") },
];

/// The static assets under `/assets/`: (file name, media type, bytes).
pub const ASSETS: &[(&str, &str, &[u8])] = &[
    ("app.js", "text/javascript; charset=utf-8", include_bytes!("../assets/app.js")),
    ("app.css", "text/css; charset=utf-8", include_bytes!("../assets/app.css")),
    ("favicon.svg", "image/svg+xml", include_bytes!("../assets/favicon.svg")),
];

/// What the pages may load: this server only (no inline script, nothing from elsewhere).
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
    connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// The page as served: the shell with the page's title, name and skeleton.
pub fn render(page: &Page) -> String {
    SHELL.replace("{{title}}", page.title).replace("{{page}}", page.name).replace("{{body}}", page.body)
}

fn html(page: &'static Page) -> Response {
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
        (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        (header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
    ];
    (headers, render(page)).into_response()
}

async fn asset(Path(name): Path<String>) -> Result<Response, ApiError> {
    let Some((_, media, bytes)) = ASSETS.iter().find(|(n, _, _)| *n == name) else {
        return Err(ApiError::not_found(format!("no asset named {name:?}")));
    };
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static(media)),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        // the binary is the version: a new one may change them, so revalidate
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
    ];
    Ok((headers, *bytes).into_response())
}

/// The pages and `/assets/{name}`, to merge into the API's router.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    let mut r = Router::new();
    for page in PAGES {
        r = r.route(page.path, get(move || async move { html(page) }));
    }
    r.route("/assets/{name}", get(asset))
}
