//! The OpenAPI document: valid JSON, every route of the table and no other, every
//! reference resolved, and each response schema true to a real response.

use crate::common::{shared, Fixture};
use serde_json::Value;
use std::collections::BTreeSet;
use vigie_server::{Answer, REQUEST_BODIES, ROUTES};

/// A request answered 200 (201) for each route (a route added without one fails the
/// test), and the body of those that take one.
const SAMPLES: &[(&str, &str)] = &[
    ("search", "/api/search?q=nvidia"),
    ("document", "/api/documents/fr-h200"),
    ("stats", "/api/stats"),
    ("entities", "/api/entities"),
    ("timeline", "/api/timeline?series=company:nvidia&series=airbus"),
    ("trends", "/api/trends"),
    ("cooccur", "/api/cooccur?entity=company:nvidia"),
    ("topics", "/api/topics"),
    ("story", "/api/stories/en-h200"),
    ("export", "/api/export/documents?format=csv"),
    ("openapi", "/api/openapi.json"),
    // `saved` is added before the requests, `added` by one, in the order of ROUTES
    ("alerts", "/api/alerts"),
    ("alert_add", "/api/alerts"),
    ("alert_test", "/api/alerts/saved/test"),
    ("alert_delete", "/api/alerts/added"),
    ("ingest", "/api/ingest"),
    ("sources", "/api/sources?q=nvidia"),
    ("stories", "/api/stories?q=nvidia&order=latest"),
    ("terms", "/api/terms?q=nvidia"),
    ("summary", "/api/summary?q=nvidia&since=2025-01-27&until=2025-02-03"),
    ("searches", "/api/searches"),
    ("add_search", "/api/searches?replace=true"),
    ("remove_search", "/api/searches/openapi-sample"),
];

const BODIES: &[(&str, &str)] = &[
    ("alert_add", r#"{"name": "added", "query": "airbus OR turbine", "lang": "en", "digest": "1h"}"#),
    (
        "ingest",
        r#"{"id": "api-1", "title": "Offshore turbines approved", "body": "The harbour authority said on Tuesday that the offshore wind turbine project would go ahead after a long review."}
{"id": "api-2"}"#,
    ),
    ("add_search", r#"{"name": "openapi-sample", "query": "nvidia", "lang": "en"}"#),
];

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let target = doc.pointer(r.strip_prefix('#').expect("a local reference")).unwrap_or_else(|| panic!("{r} does not resolve"));
            resolve(doc, target)
        }
        None => schema,
    }
}

fn type_ok(t: &str, v: &Value) -> bool {
    match t {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "string" => v.is_string(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        _ => panic!("unknown type {t}"),
    }
}

/// Whether `v` fits `schema`: types, an object's keys against its properties (every key
/// declared, every required key present), recursively.
fn fits(doc: &Value, schema: &Value, v: &Value, at: &str) -> Result<(), String> {
    let schema = resolve(doc, schema);
    if schema == &Value::Bool(true) || schema.as_object().is_some_and(|o| o.is_empty()) {
        return Ok(());
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(alts) = schema.get(key).and_then(Value::as_array) {
            if !alts.iter().any(|a| fits(doc, a, v, at).is_ok()) {
                return Err(format!("{at}: {v} fits none of {key}"));
            }
        }
    }
    if let Some(c) = schema.get("const") {
        if c != v {
            return Err(format!("{at}: {v} is not {c}"));
        }
    }
    if let Some(e) = schema.get("enum").and_then(Value::as_array) {
        if !e.contains(v) {
            return Err(format!("{at}: {v} is not one of {e:?}"));
        }
    }
    match schema.get("type") {
        Some(Value::String(t)) if !type_ok(t, v) => return Err(format!("{at}: {v} is not {t}")),
        Some(Value::Array(ts)) if !ts.iter().any(|t| type_ok(t.as_str().unwrap(), v)) => return Err(format!("{at}: {v} is not {ts:?}")),
        _ => {}
    }
    if let (Some(props), Some(obj)) = (schema.get("properties").and_then(Value::as_object), v.as_object()) {
        for (k, x) in obj {
            let Some(p) = props.get(k) else { return Err(format!("{at}: key {k:?} is not in the schema")) };
            fits(doc, p, x, &format!("{at}.{k}"))?;
        }
        for r in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
            if !obj.contains_key(r.as_str().unwrap()) {
                return Err(format!("{at}: required key {r} missing"));
            }
        }
        let declared: BTreeSet<&str> = props.keys().map(String::as_str).collect();
        let optional: BTreeSet<&str> = declared.iter().copied().filter(|k| !obj.contains_key(*k)).collect();
        for k in optional {
            // a declared key may be absent only when it is optional
            if schema["required"].as_array().is_some_and(|r| r.iter().any(|x| x == k)) {
                return Err(format!("{at}: {k} missing"));
            }
        }
    } else if let (Some(add), Some(obj)) = (schema.get("additionalProperties"), v.as_object()) {
        for (k, x) in obj {
            fits(doc, add, x, &format!("{at}.{k}"))?;
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), v.as_array()) {
        for (i, x) in arr.iter().enumerate() {
            fits(doc, items, x, &format!("{at}[{i}]"))?;
        }
    }
    Ok(())
}

/// Every `$ref` in the document points into it.
fn refs_resolve(doc: &Value, v: &Value) {
    match v {
        Value::Object(o) => {
            if let Some(r) = o.get("$ref").and_then(Value::as_str) {
                resolve(doc, v);
                assert!(r.starts_with("#/components/schemas/"), "{r}");
            }
            o.values().for_each(|x| refs_resolve(doc, x));
        }
        Value::Array(a) => a.iter().for_each(|x| refs_resolve(doc, x)),
        _ => {}
    }
}

#[test]
fn the_document_lists_every_route_and_its_schemas_fit_real_responses() {
    // routes that write: a data directory of this test's own
    let f = Fixture::new();
    let api = f.app();
    let saved =
        serde_json::json!({"name": "saved", "query": "nvidia", "notify": format!("file:{}", f.tmp.path().join("saved.jsonl").display())});
    assert_eq!(api.post("/api/alerts", saved.to_string()).status, 201);
    let served = api.get("/api/openapi.json");
    assert_eq!(served.header("content-type"), "application/json");
    let doc: Value = serde_json::from_slice(&served.body).expect("valid JSON");
    assert_eq!(doc["openapi"], "3.1.0");
    refs_resolve(&doc, &doc);
    let documented: BTreeSet<&str> = doc["paths"].as_object().unwrap().keys().map(String::as_str).collect();
    let routed: BTreeSet<&str> = ROUTES.iter().map(|r| r.path).collect();
    assert_eq!(documented, routed);
    for r in ROUTES {
        let op = &doc["paths"][r.path][r.method.to_ascii_lowercase()];
        assert_eq!(op["operationId"], r.id);
        let params: Vec<&Value> = op["parameters"].as_array().unwrap().iter().collect();
        // every {name} of the path is a declared path parameter
        for seg in r.path.split('/').filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}'))) {
            assert!(params.iter().any(|p| p["name"] == seg && p["in"] == "path" && p["required"] == true), "{}: {seg}", r.path);
        }
        let (_, uri) = SAMPLES.iter().find(|(id, _)| *id == r.id).unwrap_or_else(|| panic!("no sample request for {}", r.id));
        let body = BODIES.iter().find(|(id, _)| *id == r.id).map(|(_, b)| *b);
        // a route takes a body when the document says so, and only then
        assert_eq!(op.get("requestBody").is_some(), body.is_some(), "{}", r.id);
        assert_eq!(REQUEST_BODIES.iter().any(|b| b.id == r.id), body.is_some(), "{}", r.id);
        let req = axum::http::Request::builder().method(r.method).uri(*uri).body(axum::body::Body::from(body.unwrap_or(""))).unwrap();
        let a = api.call(req);
        let status = if matches!(r.response, Answer::Created(_)) { 201 } else { 200 };
        assert_eq!(a.status, status, "{} {uri}: {}", r.method, String::from_utf8_lossy(&a.body));
        if op["requestBody"]["content"]["application/json"]["schema"].is_object() {
            // the documented JSON request body fits the sample
            let schema = &op["requestBody"]["content"]["application/json"]["schema"];
            fits(&doc, schema, &serde_json::from_str(body.expect("a sample body")).unwrap(), r.id).unwrap_or_else(|e| panic!("{e}"));
        }
        match r.response {
            Answer::Json(_) | Answer::Created(_) => {
                let schema = &op["responses"][status.to_string()]["content"]["application/json"]["schema"];
                let value = a.json();
                fits(&doc, schema, &value, r.id).unwrap_or_else(|e| panic!("{e}"));
                if let Some(first) = value.as_array().and_then(|v| v.first()) {
                    assert!(first.is_object(), "{}: a list of objects", r.id);
                }
                if r.id == "ingest" {
                    assert_eq!((value["indexed"].as_u64(), value["rejects"].as_array().map(Vec::len)), (Some(1), Some(1)), "{value}");
                }
                if r.id == "alerts" {
                    assert_eq!(value.as_array().map(Vec::len), Some(1), "{value}");
                }
            }
            Answer::Download => {
                let media = a.header("content-type").to_string();
                assert!(op["responses"]["200"]["content"].get(&media).is_some(), "{}: {media} undocumented", r.id);
            }
        }
        let error = &op["responses"]["4XX"]["content"]["application/json"]["schema"];
        fits(&doc, error, &serde_json::json!({"error": "x"}), "error").unwrap();
        assert!(fits(&doc, error, &serde_json::json!({"message": "x"}), "error").is_err());
    }
    // the request bodies: the new rule's fields, and the ingest's media types
    let add = &doc["paths"]["/api/alerts"]["post"]["requestBody"]["content"]["application/json"]["schema"];
    assert!(fits(&doc, add, &serde_json::from_str(BODIES[0].1).unwrap(), "alert").is_ok(), "{add}");
    assert!(fits(&doc, add, &serde_json::json!({"name": "x", "query": "y", "colour": "red"}), "alert").is_err(), "{add}");
    assert!(doc["paths"]["/api/ingest"]["post"]["requestBody"]["content"]["application/x-ndjson"].is_object());
    // the query parameters are the structs' fields, with their constraints
    let search = &doc["paths"]["/api/search"]["get"]["parameters"];
    let names: BTreeSet<&str> = search.as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["entity", "lang", "limit", "no_dups", "offset", "q", "since", "sort", "source", "topic", "until"].into_iter().collect()
    );
    let q = search.as_array().unwrap().iter().find(|p| p["name"] == "q").unwrap();
    assert_eq!((q["required"].as_bool(), q["schema"]["type"].as_str()), (Some(true), Some("string")));
    // an optional parameter is absent, never null
    for r in ROUTES {
        for p in doc["paths"][r.path][r.method.to_ascii_lowercase()]["parameters"].as_array().unwrap() {
            assert!(!p["schema"].to_string().contains("null"), "{}: {p}", r.path);
        }
    }
    // each type under its own name (two types of one name would be EntityRow and EntityRow2)
    for name in doc["components"]["schemas"].as_object().unwrap().keys() {
        assert!(!name.ends_with(|c: char| c.is_ascii_digit()), "{name}");
    }
    let series =
        &doc["paths"]["/api/timeline"]["get"]["parameters"].as_array().unwrap().iter().find(|p| p["name"] == "series").unwrap().clone();
    assert_eq!((series["schema"]["type"].as_str(), series["explode"].as_bool()), (Some("array"), Some(true)));
}

/// A schema check that accepts anything would prove nothing: it refuses an extra key,
/// a missing required key and a wrong type.
#[test]
fn the_schema_check_refuses_what_does_not_fit() {
    let api = shared().app();
    let doc = api.ok("/api/openapi.json");
    let schema = &doc["paths"]["/api/stats"]["get"]["responses"]["200"]["content"]["application/json"]["schema"];
    let mut stats = api.ok("/api/stats");
    assert!(fits(&doc, schema, &stats, "stats").is_ok());
    stats["extra"] = Value::from(1);
    assert!(fits(&doc, schema, &stats, "stats").is_err());
    stats.as_object_mut().unwrap().remove("extra");
    stats.as_object_mut().unwrap().remove("documents");
    assert!(fits(&doc, schema, &stats, "stats").is_err());
    stats["documents"] = Value::from("eight");
    assert!(fits(&doc, schema, &stats, "stats").is_err());
}
