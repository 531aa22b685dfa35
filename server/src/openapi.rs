//! The OpenAPI 3.1 document of the API, built from the route table and the types: query
//! parameters from the structs they are read into, responses from the report types
//! (JSON Schema 2020-12, which OpenAPI 3.1 uses as is).

use crate::api_error::ErrorBody;
use crate::extract::Params;
use crate::handlers::export::Format;
use crate::handlers::search::NoParams;
use crate::routes::{Answer, BODIES, ROUTES};
use axum::Json;
use schemars::generate::SchemaSettings;
use serde_json::{json, Map, Value};
use std::sync::OnceLock;

/// The document (built once).
pub fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(build)
}

pub(crate) async fn serve(Params(NoParams {}): Params<NoParams>) -> Json<Value> {
    Json(document().clone())
}

fn build() -> Value {
    let mut responses = SchemaSettings::draft2020_12()
        .with(|s| {
            s.definitions_path = "/components/schemas".into();
            s.meta_schema = None;
        })
        .for_serialize()
        .into_generator();
    let mut params = SchemaSettings::draft2020_12()
        .with(|s| {
            s.inline_subschemas = true;
            s.meta_schema = None;
        })
        .into_generator();
    let error = json!({
        "description": "{\"error\": \"one line message\"}: 400 a bad parameter or query, 401 no or a wrong token, 404 no such \
            route, document, story or export, 413 body too large, 414 query string too long, 500 an internal error, \
            503 no index yet",
        "content": { "application/json": { "schema": responses.subschema_for::<ErrorBody>() } }
    });
    let mut paths = Map::new();
    for r in ROUTES {
        let mut parameters: Vec<Value> = r
            .path_params
            .iter()
            .map(|(name, description, values)| {
                let schema = if values.is_empty() { json!({ "type": "string" }) } else { json!({ "type": "string", "enum": values }) };
                json!({ "name": name, "in": "path", "required": true, "description": description, "schema": schema })
            })
            .collect();
        parameters.extend(query_parameters((r.params)(&mut params).as_value()));
        let ok = match &r.response {
            Answer::Json(schema) => json!({
                "description": "OK",
                "content": { "application/json": { "schema": schema(&mut responses) } }
            }),
            Answer::Download => {
                let content: Map<String, Value> = [Format::Parquet, Format::Csv, Format::Ndjson, Format::Ipc]
                    .iter()
                    .map(|f| (f.media_type().0.to_string(), json!({ "schema": {} })))
                    .collect();
                json!({ "description": "the table as a file (Content-Disposition names it)", "content": content })
            }
        };
        let mut op = json!({
            "operationId": r.id,
            "summary": r.summary,
            "parameters": parameters,
            "responses": { "200": ok, "4XX": error, "5XX": error }
        });
        if let Some((_, _, body)) = BODIES.iter().find(|(m, p, _)| *m == r.method && *p == r.path) {
            op["requestBody"] = json!({ "required": true, "content": { "application/json": { "schema": body(&mut responses) } } });
        }
        let item = paths.entry(r.path).or_insert_with(|| json!({}));
        item[r.method.to_ascii_lowercase()] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "vigie",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The HTTP API of vigie serve: the --json shapes of the command line. With a token \
                (vigie serve --token), every /api request needs Authorization: Bearer TOKEN."
        },
        "paths": paths,
        "components": {
            "schemas": responses.take_definitions(true),
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } }
        },
        // the token is optional: a server on loopback may run without one
        "security": [{}, { "bearer": [] }]
    })
}

/// The properties of a parameter struct's schema as query parameters.
fn query_parameters(schema: &Value) -> Vec<Value> {
    let required: Vec<&str> = schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    let Some(props) = schema["properties"].as_object() else { return Vec::new() };
    props
        .iter()
        .map(|(name, s)| {
            let mut s = s.clone();
            let description = s.as_object_mut().and_then(|o| o.remove("description"));
            without_null(&mut s);
            let mut p = json!({ "name": name, "in": "query", "required": required.contains(&name.as_str()), "schema": s });
            if let Some(d) = description {
                p["description"] = d;
            }
            if p["schema"]["type"] == "array" {
                // series=a&series=b
                p["style"] = json!("form");
                p["explode"] = json!(true);
            }
            p
        })
        .collect()
}

/// An optional parameter is absent, never null: `null` leaves its schema.
fn without_null(s: &mut Value) {
    let Some(o) = s.as_object_mut() else { return };
    if let Some(Value::Array(types)) = o.get_mut("type") {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let t = types.remove(0);
            o.insert("type".into(), t);
        }
    }
    if let Some(Value::Array(values)) = o.get_mut("enum") {
        values.retain(|v| !v.is_null());
    }
    for key in ["anyOf", "oneOf"] {
        let Some(Value::Array(alts)) = o.get_mut(key) else { continue };
        alts.retain(|a| a.get("type") != Some(&json!("null")));
        if alts.len() == 1 {
            let only = alts.remove(0);
            o.remove(key);
            if let Value::Object(inner) = only {
                for (k, v) in inner {
                    o.entry(k).or_insert(v);
                }
            }
        }
    }
}
