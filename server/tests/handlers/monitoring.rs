//! The monitoring endpoints over the fixture: shares of attention, top sources, top
//! terms, summaries against the previous period, and saved searches.

use crate::common::{shared, Fixture};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};

fn close(a: &Value, b: f64) -> bool {
    a.as_f64().is_some_and(|a| (a - b).abs() < 1e-9)
}

#[test]
fn a_normalized_timeline_gives_each_row_its_share_of_the_bucket() {
    let api = shared().app();
    let rows = api.ok("/api/timeline?series=company:nvidia&by=week&normalize=true");
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    // week of the 20th: 2 of 3 stories, 2 of 4 originals; of the 27th: 1 of 2, 2 of 3
    assert_eq!((rows[0]["period"].as_str(), rows[0]["stories"].as_u64()), (Some("2025-01-20"), Some(2)));
    assert!(close(&rows[0]["share"], 2.0 / 3.0) && close(&rows[0]["document_share"], 0.5), "{}", rows[0]);
    assert!(close(&rows[1]["share"], 0.5) && close(&rows[1]["document_share"], 2.0 / 3.0), "{}", rows[1]);
    // within the filters: in French, Nvidia is all of week 2's stories
    let fr = api.ok("/api/timeline?series=company:nvidia&by=week&normalize=true&lang=fr");
    assert!(close(&fr[1]["share"], 1.0), "{fr}");
    // not normalized: no share keys
    let plain = api.ok("/api/timeline?series=company:nvidia&by=week");
    assert!(plain[0].get("share").is_none() && plain[0].get("document_share").is_none(), "{plain}");
}

#[test]
fn stories_of_a_query_largest_or_latest_first() {
    let api = shared().app();
    let all = api.ok("/api/stories");
    let all = all.as_array().unwrap();
    // every article is in one story: five stories hold the eight
    assert_eq!((all.len(), all.iter().map(|r| r["documents"].as_u64().unwrap()).sum::<u64>()), (5, 8), "{all:?}");
    // largest first, the latest first among equals
    let keys: Vec<(u64, &str)> = all.iter().map(|r| (r["documents"].as_u64().unwrap(), r["last"].as_str().unwrap())).collect();
    assert!(keys.windows(2).all(|w| w[0].0 > w[1].0 || (w[0].0 == w[1].0 && w[0].1 >= w[1].1)), "{keys:?}");
    // the story with the wire copy: two documents, one original, two sources, its title
    let h200 = all.iter().find(|r| r["originals"] == 1 && r["documents"] == 2).expect("the story with the copy");
    assert_eq!((h200["sources"].as_u64(), &h200["languages"]), (Some(2), &json!(["en"])), "{h200}");
    assert_eq!(h200["title"], "Nvidia ships H200 accelerators to cloud providers");
    let latest = api.ok("/api/stories?order=latest&top=1");
    assert_eq!(latest[0]["title"], "Airbus raises its production targets for next year");
    let fr = api.ok("/api/stories?q=nvidia&lang=fr");
    assert!(fr.as_array().unwrap().iter().all(|r| r["languages"] == json!(["fr"])), "{fr}");
    assert_eq!(api.get("/api/stories?order=oldest").status, StatusCode::BAD_REQUEST);
}

#[test]
fn sources_of_a_query_with_documents_copies_stories_and_share() {
    let api = shared().app();
    let all = api.ok("/api/sources");
    let names: Vec<&str> = all.as_array().unwrap().iter().map(|r| r["source"].as_str().unwrap()).collect();
    assert_eq!(names, ["Reuters", "Le Monde", "Les Echos", "Wire"]);
    assert_eq!(
        all[0],
        json!({"source": "Reuters", "documents": 4, "copies": 0, "stories": 4, "share": 0.5,
               "first": "2025-01-20T09:00:00Z", "last": "2025-01-28T09:00:00Z"})
    );
    assert_eq!((all[3]["copies"].as_u64(), all[3]["share"].as_f64()), (Some(1), Some(0.125)));
    let nvidia = api.ok("/api/sources?q=nvidia&top=2");
    assert_eq!(nvidia.as_array().unwrap().len(), 2);
    assert_eq!((nvidia[0]["source"].as_str(), nvidia[0]["documents"].as_u64()), (Some("Le Monde"), Some(2)));
    assert!(close(&nvidia[0]["share"], 0.4), "{nvidia}");
    let entity = api.ok("/api/sources?q=company:airbus&lang=fr");
    assert_eq!(
        entity,
        json!([{"source": "Les Echos", "documents": 1, "copies": 0, "stories": 1, "share": 1.0,
        "first": "2025-01-22T10:00:00Z", "last": "2025-01-22T10:00:00Z"}])
    );
    assert_eq!(api.get("/api/sources?q=title:(").status, StatusCode::BAD_REQUEST);
}

#[test]
fn terms_set_the_matches_apart_per_language() {
    let api = shared().app();
    let rows = api.ok("/api/terms?q=nvidia");
    let rows = rows.as_array().unwrap();
    assert!(!rows.is_empty());
    for r in rows {
        let mut keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(keys, ["corpus_documents", "documents", "lang", "score", "term"]);
        assert!(r["documents"].as_u64().unwrap() >= 2, "{r}");
        assert!(["en", "fr"].contains(&r["lang"].as_str().unwrap()), "{r}");
    }
    let scores: Vec<f64> = rows.iter().map(|r| r["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    // the copy counts on neither side: Nvidia is in 2 English and 2 French originals
    for lang in ["en", "fr"] {
        let n = rows.iter().find(|r| r["term"] == "nvidia" && r["lang"] == lang).unwrap_or_else(|| panic!("nvidia/{lang}: {rows:?}"));
        assert_eq!((n["documents"].as_u64(), n["corpus_documents"].as_u64()), (Some(2), Some(2)), "{n}");
    }
    // aircraft words are not Nvidia's
    assert!(!rows.iter().any(|r| r["term"] == "airbus"));
    let fr = api.ok("/api/terms?q=nvidia&lang=fr&min_docs=1&top=3");
    assert_eq!(fr.as_array().unwrap().len(), 3);
    assert!(fr.as_array().unwrap().iter().all(|r| r["lang"] == "fr"), "{fr}");
}

#[test]
fn a_summary_compares_with_the_previous_period_of_equal_length() {
    let api = shared().app();
    let s = api.ok("/api/summary?since=2025-01-27&until=2025-02-03");
    assert_eq!(s["query"], "*");
    assert_eq!(s["period"], json!({"since": "2025-01-27T00:00:00Z", "until": "2025-02-03T00:00:00Z"}));
    assert_eq!(s["previous"], json!({"since": "2025-01-20T00:00:00Z", "until": "2025-01-27T00:00:00Z"}));
    assert_eq!(s["documents"], json!({"value": 3, "previous": 5, "change": -0.4}));
    assert_eq!((s["stories"]["value"].as_u64(), s["stories"]["previous"].as_u64()), (Some(2), Some(3)));
    assert!(close(&s["stories"]["change"], -1.0 / 3.0), "{s}");
    assert_eq!(s["duplicates"], json!({"value": 0, "previous": 1, "change": -1.0}));
    assert_eq!(s["copy_rate"], json!({"value": 0.0, "previous": 0.2, "change": -1.0}));
    // a query, no period: the counts alone
    let n = api.ok("/api/summary?q=nvidia");
    assert_eq!((n["period"].clone(), n["previous"].clone()), (Value::Null, Value::Null));
    assert_eq!(n["documents"], json!({"value": 5, "previous": null, "change": null}));
    assert_eq!(n["duplicates"]["value"], 1);
    assert!(close(&n["copy_rate"]["value"], 0.2), "{n}");
    let e = api.get("/api/summary?since=2025-02-01&until=2025-01-01");
    assert_eq!(e.status, StatusCode::BAD_REQUEST, "{}", e.error());
}

fn send(api: &crate::common::Api, method: &str, uri: &str, body: &str) -> crate::common::Answer {
    api.call(
        Request::builder().method(method).uri(uri).header("content-type", "application/json").body(Body::from(body.to_string())).unwrap(),
    )
}

#[test]
fn saved_searches_are_added_listed_and_removed() {
    let f = Fixture::new();
    let api = f.app();
    assert_eq!(api.ok("/api/searches"), json!([]));
    let chips = json!({"name": "chips", "query": "nvidia OR openai", "lang": "en", "since": "30d"});
    let a = send(&api, "POST", "/api/searches", &chips.to_string());
    assert_eq!(a.status, StatusCode::OK, "{}", String::from_utf8_lossy(&a.body));
    assert_eq!(a.json(), chips);
    send(&api, "POST", "/api/searches", r#"{"name": "air", "query": "airbus", "source": "Reuters"}"#);
    let names: Vec<Value> = api.ok("/api/searches").as_array().unwrap().iter().map(|s| s["name"].clone()).collect();
    assert_eq!(names, [json!("air"), json!("chips")]);
    // taken, then replaced
    let taken = send(&api, "POST", "/api/searches", r#"{"name": "chips", "query": "amd"}"#);
    assert_eq!(taken.status, StatusCode::BAD_REQUEST);
    assert!(taken.error().starts_with("search chips exists"), "{}", taken.error());
    assert_eq!(send(&api, "POST", "/api/searches?replace=true", r#"{"name": "chips", "query": "amd"}"#).status, StatusCode::OK);
    assert_eq!(api.ok("/api/searches")[1], json!({"name": "chips", "query": "amd"}));
    // refused: a bad query, a bad name, a bad date, an unknown key, not JSON
    for body in [
        r#"{"name": "q", "query": "title:("}"#,
        r#"{"name": "a b", "query": "x"}"#,
        r#"{"name": "d", "query": "x", "since": "soon"}"#,
        r#"{"name": "k", "query": "x", "colour": "red"}"#,
        "name=x",
    ] {
        let a = send(&api, "POST", "/api/searches", body);
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{body}");
        a.error();
    }
    let gone = send(&api, "DELETE", "/api/searches/chips", "");
    assert_eq!((gone.status, gone.json()["query"].clone()), (StatusCode::OK, json!("amd")));
    let again = send(&api, "DELETE", "/api/searches/chips", "");
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert_eq!(again.error(), "no saved search named \"chips\"");
    assert_eq!(api.ok("/api/searches").as_array().unwrap().len(), 1);
    // the file is the data directory's
    assert!(f.data.searches_path().exists());
}
