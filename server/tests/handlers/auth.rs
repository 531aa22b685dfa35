//! The token rules: none needed on loopback without one; with one, every /api request
//! presents it.

use crate::common::{shared, Api};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use vigie_server::{ServeConfig, Token};

fn with_auth(api: &Api, uri: &str, auth: Option<&str>) -> crate::common::Answer {
    let mut req = Request::get(uri);
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    api.call(req.body(Body::empty()).unwrap())
}

#[test]
fn loopback_without_a_token_needs_no_header() {
    let api = shared().app();
    assert_eq!(with_auth(&api, "/api/stats", None).status, StatusCode::OK);
    assert_eq!(with_auth(&api, "/api/stats", Some("Bearer anything")).status, StatusCode::OK, "no token configured: ignored");
}

#[test]
fn with_a_token_every_api_request_presents_it() {
    let f = shared();
    let api = Api { app: vigie_server::router(&f.config(Some("s3cret-token"))) };
    for uri in ["/api/stats", "/api/search?q=nvidia", "/api/openapi.json", "/api/nope", "/api/export/documents?format=csv"] {
        let none = with_auth(&api, uri, None);
        assert_eq!(none.status, StatusCode::UNAUTHORIZED, "{uri}");
        assert_eq!(none.header("www-authenticate"), "Bearer");
        assert!(none.error().contains("needs a token"), "{}", none.error());
        let wrong = with_auth(&api, uri, Some("Bearer s3cret-tokem"));
        assert_eq!((wrong.status, wrong.error()), (StatusCode::UNAUTHORIZED, "wrong token".to_string()), "{uri}");
        for bad in ["Bearer s3cret", "Bearer s3cret-token-and-more", "Basic czNjcmV0LXRva2Vu", "s3cret-token", "Bearer"] {
            assert_eq!(with_auth(&api, uri, Some(bad)).status, StatusCode::UNAUTHORIZED, "{uri} {bad}");
        }
    }
    assert_eq!(with_auth(&api, "/api/stats", Some("Bearer s3cret-token")).status, StatusCode::OK);
    assert_eq!(with_auth(&api, "/api/stats", Some("bearer  s3cret-token")).status, StatusCode::OK, "the scheme in any case");
    assert_eq!(with_auth(&api, "/api/documents/nope", Some("Bearer s3cret-token")).status, StatusCode::NOT_FOUND);
    // outside /api (the dashboard's place) the API's token rule does not apply
    assert_eq!(with_auth(&api, "/", None).status, StatusCode::OK, "the dashboard's page");
    assert_eq!(with_auth(&api, "/nope", None).status, StatusCode::NOT_FOUND);
}

#[test]
fn an_address_other_than_loopback_without_a_token_is_refused() {
    let data = shared().data.clone();
    for addr in ["0.0.0.0:8080", "10.0.0.2:8080", "[::]:8080"] {
        let e = ServeConfig::new(data.clone(), addr.parse().unwrap(), None).unwrap_err();
        assert_eq!(e.kind(), vigie_engine::ErrorKind::Usage);
        assert!(e.to_string().starts_with(&format!("refusing to serve on {addr} without a token")), "{e}");
        assert!(ServeConfig::new(data.clone(), addr.parse().unwrap(), Some(Token::new("t").unwrap())).is_ok());
    }
    for addr in ["127.0.0.1:8080", "127.0.0.2:0", "[::1]:8080"] {
        assert!(ServeConfig::new(data.clone(), addr.parse().unwrap(), None).is_ok(), "{addr}");
    }
}
