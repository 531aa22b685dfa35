//! Errors are JSON `{"error": ...}` with the status that fits, limits included.

use crate::common::{shared, Api, Fixture};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use vigie_engine::{DataDir, Session};
use vigie_server::{MAX_BODY_BYTES, MAX_QUERY_STRING_BYTES};

fn expect(api: &Api, uri: &str, status: u16, message: &str) {
    let a = api.get(uri);
    assert_eq!(a.status.as_u16(), status, "{uri}: {}", String::from_utf8_lossy(&a.body));
    let e = a.error();
    assert!(e.contains(message), "{uri}: {e:?} lacks {message:?}");
    assert!(!e.contains('\n'), "{e:?}");
}

#[test]
fn bad_parameters_are_400_naming_what_is_wrong() {
    let api = shared().app();
    expect(&api, "/api/search?q=nosuchfield:x", 400, "invalid query");
    expect(&api, "/api/search?q=%22unclosed", 400, "invalid query");
    expect(&api, "/api/search", 400, "missing field `q`");
    expect(&api, "/api/search?q=x&since=yesterday", 400, "since: cannot read \"yesterday\" as a date");
    expect(&api, "/api/search?q=x&until=9999-01-01", 400, "until: \"9999-01-01\" is outside the dates vigie stores");
    expect(&api, "/api/search?q=x&topic=t99", 400, "unknown topic \"t99\"");
    expect(&api, "/api/search?q=x&limit=ten", 400, "query string: invalid digit");
    expect(&api, "/api/search?q=x&limit=1000000", 400, "limit: at most");
    expect(&api, "/api/search?q=x&offset=10000000", 400, "offset: at most");
    expect(&api, "/api/search?q=x&sort=random", 400, "unknown variant `random`");
    expect(&api, "/api/stats?verbose=1", 400, "unknown field `verbose`");
    expect(&api, "/api/entities?type=planet", 400, "unknown variant `planet`");
    expect(&api, "/api/timeline", 400, "missing field `series`");
    expect(&api, "/api/timeline?series=x&tz=Mars/Olympus", 400, "tz: unknown time zone");
    expect(&api, "/api/timeline?series=x&by=year", 400, "unknown variant `year`");
    expect(&api, "/api/trends?window=soon", 400, "window: cannot read \"soon\"");
    expect(&api, "/api/cooccur", 400, "missing field `entity`");
    expect(&api, "/api/topics?topic=t1", 400, "unknown field `topic`");
    expect(&api, "/api/stories/en-h200?since=later", 400, "since: cannot read");
    expect(&api, "/api/export/documents", 400, "missing field `format`");
    expect(&api, "/api/export/documents?format=xlsx", 400, "unknown variant `xlsx`");
    expect(&api, "/api/export/timeline?format=csv", 400, "give series=");
}

#[test]
fn unknown_ids_routes_and_exports_are_404() {
    let api = shared().app();
    expect(&api, "/api/documents/nope", 404, "no document with id \"nope\"");
    expect(&api, "/api/stories/nope", 404, "no story or article with id \"nope\"");
    expect(&api, "/api/export/nope?format=csv", 404, "no export named \"nope\" (documents, entities");
    expect(&api, "/api/nope", 404, "no route GET /api/nope");
    expect(&api, "/nope", 404, "no route GET /nope");
    let post = api.call(Request::post("/api/stats").body(Body::empty()).unwrap());
    assert_eq!(post.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(post.error().contains("method not allowed"));
    assert!(post.header("allow").contains("GET"), "{:?}", post.headers);
}

#[test]
fn bodies_and_query_strings_over_the_limits_are_refused() {
    let api = shared().app();
    let big = vec![b'x'; MAX_BODY_BYTES + 1];
    let req = Request::builder().method(Method::GET).uri("/api/stats").header("content-length", big.len()).body(Body::from(big)).unwrap();
    let a = api.call(req);
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(a.error().contains("request body too large"), "{}", a.error());
    let small = Request::get("/api/stats").body(Body::from(vec![b'x'; 100])).unwrap();
    assert_eq!(api.call(small).status, StatusCode::OK, "a body under the limit is read past");
    let long = format!("/api/search?q={}", "a".repeat(MAX_QUERY_STRING_BYTES));
    expect(&api, &long, 414, "query string too long");
    let at_limit = format!("/api/search?q={}", "a".repeat(MAX_QUERY_STRING_BYTES - 2));
    expect(&api, &at_limit, 400, "query too long");
}

/// A server started before the first ingest answers 503 until the index exists, then
/// serves it without a restart.
#[test]
fn no_index_yet_is_503_until_the_first_ingest() {
    let fixture = Fixture::new();
    let tmp = tempfile::tempdir().unwrap();
    let data = DataDir::new(tmp.path().join("later"));
    let api =
        Api { app: vigie_server::router(&vigie_server::ServeConfig::new(data.clone(), "127.0.0.1:0".parse().unwrap(), None).unwrap()) };
    expect(&api, "/api/stats", 503, "run `vigie ingest` first");
    let mut session = Session::open(data).unwrap();
    crate::common::ingest(&mut session, crate::common::jsonl(fixture.tmp.path(), "more.jsonl", &crate::common::ARTICLES[..2]), 100);
    assert_eq!(api.ok("/api/stats")["documents"], 2);
    session.close().unwrap();
}
