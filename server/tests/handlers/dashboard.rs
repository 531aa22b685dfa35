//! The dashboard: every page and asset answers 200 with its media type (with or without a
//! token: the data comes from /api, which needs it), an unknown asset 404, the pages stay
//! out of the OpenAPI document, and no embedded file points outside the server.

use crate::common::{Answer, Api};
use axum::http::StatusCode;
use std::path::{Path, PathBuf};
use vigie_engine::DataDir;
use vigie_server::dashboard::{render, ASSETS, PAGES};
use vigie_server::{router, ServeConfig, Token};

fn api(token: Option<&str>) -> (tempfile::TempDir, Api) {
    let tmp = tempfile::tempdir().unwrap();
    let addr = if token.is_some() { "0.0.0.0:0" } else { "127.0.0.1:0" };
    let config = ServeConfig::new(DataDir::new(tmp.path()), addr.parse().unwrap(), token.map(|t| Token::new(t).unwrap())).unwrap();
    (tmp, Api { app: router(&config) })
}

/// A request path for a page's route (`{id}` filled in).
fn page_uri(path: &str) -> String {
    path.replace("{id}", "company%3Anvidia")
}

fn assets_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets")
}

fn html_ok(a: &Answer, uri: &str) -> String {
    assert_eq!(a.status, StatusCode::OK, "{uri}");
    assert_eq!(a.header("content-type"), "text/html; charset=utf-8", "{uri}");
    assert!(a.header("content-security-policy").contains("default-src 'self'"), "{uri}");
    String::from_utf8(a.body.clone()).unwrap()
}

#[test]
fn every_page_and_asset_answers_with_its_media_type() {
    let (_tmp, api) = api(None);
    for page in PAGES {
        let uri = page_uri(page.path);
        let html = html_ok(&api.get(&uri), &uri);
        assert!(html.starts_with("<!doctype html>"), "{uri}");
        assert!(html.contains(&format!("<body data-page=\"{}\">", page.name)), "{uri}");
        assert!(html.contains(&format!("<title>{} · vigie</title>", page.title)), "{uri}");
        assert!(!html.contains("{{"), "{uri}: a placeholder left");
        assert_eq!(html, render(page));
    }
    for (name, media, bytes) in ASSETS {
        let a = api.get(&format!("/assets/{name}"));
        assert_eq!(a.status, StatusCode::OK, "{name}");
        assert_eq!(a.header("content-type"), *media, "{name}");
        assert_eq!(a.header("x-content-type-options"), "nosniff");
        assert_eq!(&a.body[..], *bytes, "{name}");
        assert_eq!(a.body, std::fs::read(assets_dir().join(name)).unwrap(), "{name}: the embedded file is the one on disk");
    }
    // a page's skeleton names the assets it loads, and each is served
    let shell = render(&PAGES[0]);
    for (name, _, _) in ASSETS {
        assert!(shell.contains(&format!("/assets/{name}")), "the shell loads {name}");
    }
}

#[test]
fn an_unknown_asset_or_page_is_a_json_404() {
    let (_tmp, api) = api(None);
    for uri in ["/assets/nope.js", "/assets/app.js.map", "/assets/", "/assets/..%2Fsrc%2Flib.rs", "/nope", "/story/"] {
        let a = api.get(uri);
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(!a.error().is_empty(), "{uri}");
    }
    assert_eq!(api.call(axum::http::Request::post("/").body(axum::body::Body::empty()).unwrap()).status, StatusCode::METHOD_NOT_ALLOWED);
}

#[test]
fn with_a_token_the_pages_load_and_the_data_stays_behind_it() {
    let (_tmp, api) = api(Some("s3cret-token"));
    for page in PAGES {
        let uri = page_uri(page.path);
        html_ok(&api.get(&uri), &uri);
    }
    for (name, _, _) in ASSETS {
        assert_eq!(api.get(&format!("/assets/{name}")).status, StatusCode::OK, "{name}");
    }
    assert_eq!(api.get("/api/stats").status, StatusCode::UNAUTHORIZED);
    assert_eq!(api.get("/api/openapi.json").status, StatusCode::UNAUTHORIZED);
}

#[test]
fn the_pages_are_not_in_the_openapi_document() {
    let (_tmp, api) = api(None);
    let doc = api.ok("/api/openapi.json");
    for path in doc["paths"].as_object().unwrap().keys() {
        assert!(path.starts_with("/api/"), "{path} in the OpenAPI document");
    }
}

/// Every file under server/assets, with its path relative to it.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[test]
fn no_embedded_file_points_outside_the_server() {
    // an XML namespace is a name, never fetched; vendored licence texts may cite their home
    const ALLOWED: &[&str] = &["http://www.w3.org/2000/svg"];
    let mut all = Vec::new();
    files(&assets_dir(), &mut all);
    // the assets, the pages and the shell
    assert!(all.len() > ASSETS.len() + PAGES.len(), "{all:?}");
    for p in &all {
        let name = p.file_name().unwrap().to_string_lossy().to_lowercase();
        if name.starts_with("license") || name.starts_with("licence") || name == "readme.md" {
            continue;
        }
        let text = String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned();
        let mut rest = text.as_str();
        while let Some(i) = rest.find("http") {
            let tail = &rest[i..];
            if tail.starts_with("http://") || tail.starts_with("https://") {
                assert!(ALLOWED.iter().any(|a| tail.starts_with(a)), "{}: an external URL: {}", p.display(), &tail[..tail.len().min(60)]);
            }
            rest = &rest[i + 4..];
        }
        // nor protocol-relative ones (//host/...) in attributes
        for quote in ["\"//", "'//", "(//"] {
            assert!(!text.contains(quote), "{}: a protocol-relative URL", p.display());
        }
    }
    // and every asset file is served (no file in the folder that the binary lacks)
    let served: Vec<PathBuf> = ASSETS.iter().map(|(n, _, _)| assets_dir().join(n)).collect();
    for p in &all {
        let rel = p.strip_prefix(assets_dir()).unwrap();
        let is_page = rel.starts_with("pages") || rel == Path::new("shell.html");
        let is_doc = rel.file_name().is_some_and(|n| n == "README.md");
        assert!(is_page || is_doc || served.contains(p), "{} is in server/assets but not served", rel.display());
    }
}
