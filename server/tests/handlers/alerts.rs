//! `/api/alerts`: add (checked as `vigie alerts add` checks), list, test, delete.

use crate::common::{Api, Fixture};
use serde_json::{json, Value};

fn add(api: &Api, body: Value) -> crate::common::Answer {
    api.post("/api/alerts", body.to_string())
}

fn refused(api: &Api, body: Value, status: u16, message: &str) {
    let a = add(api, body.clone());
    assert_eq!(a.status.as_u16(), status, "{body}: {}", String::from_utf8_lossy(&a.body));
    let e = a.error();
    assert!(e.contains(message), "{body}: {e:?} lacks {message:?}");
}

#[test]
fn alerts_are_added_listed_tested_and_deleted() {
    let f = Fixture::new();
    let api = f.app();
    assert_eq!(api.ok("/api/alerts"), json!([]));
    let hits = f.tmp.path().join("chips.jsonl");
    let a = add(
        &api,
        json!({"name": "chips", "query": "nvidia OR h200", "lang": "en", "notify": format!("file:{}", hits.display()), "digest": "1h"}),
    );
    assert_eq!(a.status, 201, "{}", String::from_utf8_lossy(&a.body));
    let saved = a.json();
    assert_eq!(
        (saved["name"].as_str(), saved["query"].as_str(), saved["lang"].as_str()),
        (Some("chips"), Some("nvidia OR h200"), Some("en"))
    );
    assert_eq!(saved["notify"], json!({"kind": "file", "path": hits.display().to_string()}));
    assert_eq!((saved["digest_seconds"].as_u64(), saved["watermark"].as_u64()), (Some(3600), Some(8)), "watches from now on: {saved}");
    let plain = add(&api, json!({"name": "airbus", "query": "airbus", "entity": "company:airbus"}));
    assert_eq!(plain.status, 201);
    assert_eq!(plain.json()["notify"], json!({"kind": "stdout"}));
    assert!(plain.json().get("per").is_none(), "once per story, the default, is not written");
    // every development: once per copy group, stored in the rule
    let every = add(&api, json!({"name": "every", "query": "airbus", "per": "copy-group"}));
    assert_eq!(every.status, 201, "{}", String::from_utf8_lossy(&every.body));
    assert_eq!(every.json()["per"], "copy-group");
    assert_eq!(vigie_engine::alerts::get_rule(&f.data, "every").unwrap().per, vigie_schemas::NotifyPer::CopyGroup);
    refused(&api, json!({"name": "bad-per", "query": "airbus", "per": "article"}), 400, "unknown variant");
    assert_eq!(api.delete("/api/alerts/every").status, 200);

    // the list is `vigie alerts list --json`, line for line: the engine's rows, by name
    let list = api.ok("/api/alerts");
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["airbus", "chips"]);
    assert_eq!(list, serde_json::to_value(vigie_engine::alerts::list_rules(&f.data).unwrap()).unwrap());
    assert_eq!(list[1], saved);

    // a name in use
    refused(&api, json!({"name": "chips", "query": "amd"}), 409, "alert chips exists");

    // test: the back catalogue, delivering nothing
    let t = api.ok("/api/alerts/chips/test");
    assert_eq!(t["total"], 3, "{t}");
    let docs: Vec<&str> = t["notifications"].as_array().unwrap().iter().map(|n| n["document_id"].as_str().unwrap()).collect();
    assert!(docs.contains(&"en-stargate"), "{docs:?}");
    assert!(t["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .all(|n| n["rule"] == "chips" && !n["matched_terms"].as_array().unwrap().is_empty()));
    assert_eq!(api.ok("/api/alerts/chips/test?limit=1")["notifications"].as_array().unwrap().len(), 1);
    assert!(!hits.exists(), "a test delivers nothing");

    // delete
    let d = api.delete("/api/alerts/chips");
    assert_eq!(d.status, 200, "{}", String::from_utf8_lossy(&d.body));
    assert_eq!(d.json(), json!({"name": "chips", "discarded": 0}));
    let names: Vec<Value> = api.ok("/api/alerts").as_array().unwrap().iter().map(|r| r["name"].clone()).collect();
    assert_eq!(names, [json!("airbus")]);
}

#[test]
fn bad_rules_are_400_with_the_reason_and_unknown_ones_404() {
    let f = Fixture::new();
    let api = f.app();
    refused(&api, json!({"name": "broken", "query": "nvidia AND ("}), 400, "alert broken: malformed query");
    refused(&api, json!({"name": "blank", "query": "  "}), 400, "empty query");
    refused(&api, json!({"name": "../etc", "query": "nvidia"}), 400, "alert name \"../etc\"");
    refused(
        &api,
        json!({"name": "x", "query": "nvidia", "notify": "webhook:ftp://example.org/x"}),
        400,
        "the webhook must be an http:// or https:// URL",
    );
    refused(&api, json!({"name": "x", "query": "nvidia", "notify": "webhook:http://"}), 400, "webhook");
    refused(&api, json!({"name": "x", "query": "nvidia", "notify": "email:me"}), 400, "use stdout, file:PATH or webhook:URL");
    refused(&api, json!({"name": "x", "query": "nvidia", "digest": "soon"}), 400, "digest \"soon\"");
    refused(&api, json!({"name": "x", "query": "nvidia", "entity": "nvidia"}), 400, "an entity id looks like company:nvidia");
    refused(&api, json!({"name": "x", "query": "nvidia", "colour": "red"}), 400, "unknown field `colour`");
    refused(&api, json!({"query": "nvidia"}), 400, "missing field `name`");
    let a = api.post("/api/alerts", "{not json");
    assert_eq!(a.status, 400);
    assert!(a.error().starts_with("request body:"), "{}", a.error());
    assert_eq!(api.ok("/api/alerts"), json!([]), "nothing was saved");

    for (uri, message) in [("/api/alerts/nope/test", "no alert named nope"), ("/api/alerts/nope", "no alert named nope")] {
        let a = if uri.ends_with("/test") { api.get(uri) } else { api.delete(uri) };
        assert_eq!(a.status, 404, "{uri}");
        assert_eq!(a.error(), message);
    }
    assert_eq!(api.get("/api/alerts/nope/test?limit=many").status, 400);
    let put = api.call(axum::http::Request::put("/api/alerts").body(axum::body::Body::empty()).unwrap());
    assert_eq!(put.status, 405);
    assert!(put.header("allow").contains("POST"), "{:?}", put.headers);
}
