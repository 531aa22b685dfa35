//! `vigie export documents --format opensearch-bulk|quickwit`: the lines checked against
//! the shipped index template (schemas/opensearch/) and Quickwit config (schemas/quickwit/),
//! read as the clusters would read them: field names, types, dates, analyzers, tokenizers.
//! Neither cluster runs here; what they would refuse is what these checks look for.

use crate::common::{repo, samples, write, Vigie};
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// Analyzers and token filters OpenSearch and Elasticsearch have without a definition.
const OS_BUILTIN_ANALYZERS: &[&str] = &["standard", "simple", "whitespace", "keyword", "french", "english"];
const OS_BUILTIN_FILTERS: &[&str] = &["lowercase", "asciifolding"];
/// Tokenizers Quickwit 0.8 and 0.9 both have (0.9 dropped `en_stem`).
const QW_BUILTIN_TOKENIZERS: &[&str] = &["raw", "default", "whitespace", "lowercase", "chinese_compatible"];

fn read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn json_lines(text: &str) -> Vec<Value> {
    assert!(text.ends_with('\n'), "the last line ends with a newline (_bulk requires it)");
    text.lines().enumerate().map(|(i, l)| serde_json::from_str(l).unwrap_or_else(|e| panic!("line {}: {e}: {l}", i + 1))).collect()
}

fn rfc3339(v: &Value, what: &str) -> chrono::DateTime<chrono::FixedOffset> {
    let s = v.as_str().unwrap_or_else(|| panic!("{what}: {v} is not a string"));
    chrono::DateTime::parse_from_rfc3339(s).unwrap_or_else(|e| panic!("{what}: {s:?}: {e}"))
}

/// `value` is what an OpenSearch mapping `m` indexes without a mapping error.
fn check_os_value(m: &Value, value: &Value, path: &str) {
    let ty = m["type"].as_str().unwrap_or("object");
    let one = |v: &Value| match ty {
        "keyword" | "text" => assert!(v.is_string(), "{path}: {ty} given {v}"),
        "date" => {
            // strict_date_optional_time reads RFC 3339 (ISO 8601 with a zone)
            assert_eq!(m["format"], "strict_date_optional_time", "{path}");
            rfc3339(v, path);
        }
        "float" | "double" => assert!(v.is_number(), "{path}: {ty} given {v}"),
        "integer" => assert!(v.as_i64().is_some_and(|n| i32::try_from(n).is_ok()), "{path}: {ty} given {v}"),
        "boolean" => assert!(v.is_boolean(), "{path}: {ty} given {v}"),
        "nested" | "object" => {
            let o = v.as_object().unwrap_or_else(|| panic!("{path}: {ty} given {v}"));
            check_os_object(&m["properties"], o, path);
        }
        other => panic!("{path}: mapping type {other} not checked here"),
    };
    match value {
        // every field type takes an array of its values
        Value::Array(items) => items.iter().for_each(one),
        v => one(v),
    }
}

fn check_os_object(properties: &Value, doc: &Map<String, Value>, path: &str) {
    for (k, v) in doc {
        let m = properties.get(k).unwrap_or_else(|| panic!("{path}.{k}: not in the template's mappings (dynamic: strict refuses it)"));
        check_os_value(m, v, &format!("{path}.{k}"));
    }
}

/// Every analyzer a mapping names, with its field path.
fn os_analyzers(properties: &Map<String, Value>, path: &str, out: &mut Vec<(String, String)>) {
    for (k, m) in properties {
        let p = format!("{path}{k}");
        if let Some(a) = m["analyzer"].as_str() {
            out.push((p.clone(), a.to_string()));
        }
        for sub in ["properties", "fields"] {
            if let Some(o) = m[sub].as_object() {
                os_analyzers(o, &format!("{p}."), out);
            }
        }
    }
}

/// A German article (written for this test), undated: text for the standard fields, and
/// a timestamp from its ingestion.
const GERMAN: &str = r#"{"id":"test-de-1","title":"Rechenzentren in Frankfurt verbrauchen immer mehr Strom","body":"Die Betreiber der Rechenzentren in Frankfurt am Main rechnen damit, dass sich ihr Stromverbrauch bis zum Ende des Jahrzehnts verdoppeln wird. Die Stadt prüft deshalb neue Auflagen für die Nutzung der Abwärme.","source":"Beispiel Zeitung"}"#;

#[test]
fn opensearch_bulk_lines_fit_the_shipped_template() {
    let v = Vigie::new();
    let german = write(v.dir.path(), "de.jsonl", format!("{GERMAN}\n").as_bytes());
    v.ingest(&[&samples(), &german]);
    let stats = v.json(&["stats", "--json"]);
    let docs = stats["documents"].as_u64().unwrap() as usize;
    assert!(docs > 10);

    // the template the command prints is the file shipped in the checkout
    let template_path = repo().join("schemas/opensearch/vigie-template.json");
    let template_text = read(&template_path);
    assert_eq!(v.ok(&["export", "opensearch-template"]), template_text);
    let template: Value = serde_json::from_str(&template_text).expect("the template is JSON");
    assert_eq!(template["index_patterns"], serde_json::json!(["vigie", "vigie-*"]));
    let settings = &template["template"]["settings"];
    let mappings = &template["template"]["mappings"];
    assert_eq!(mappings["dynamic"], "strict");
    let properties = mappings["properties"].as_object().expect("mappings.properties");

    // every analyzer a field names is built in or defined, and so is every filter of those
    let analyzers = settings["analysis"]["analyzer"].as_object().expect("analysis.analyzer");
    let filters = settings["analysis"]["filter"].as_object().expect("analysis.filter");
    for (name, a) in analyzers {
        for f in a["filter"].as_array().unwrap() {
            let f = f.as_str().unwrap();
            assert!(OS_BUILTIN_FILTERS.contains(&f) || filters.contains_key(f), "analyzer {name}: filter {f} is not defined");
        }
    }
    let mut used = Vec::new();
    os_analyzers(properties, "", &mut used);
    for (field, a) in &used {
        assert!(OS_BUILTIN_ANALYZERS.contains(&a.as_str()) || analyzers.contains_key(a), "{field}: analyzer {a} is not defined");
    }
    // French text is stemmed as French, English as English
    let stemmer = |field: &str| -> String {
        let a = properties[field]["analyzer"].as_str().unwrap();
        let chain: Vec<&str> = analyzers[a]["filter"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
        chain
            .iter()
            .filter_map(|f| filters.get(*f))
            .filter(|f| f["type"] == "stemmer")
            .map(|f| f["language"].as_str().unwrap().to_string())
            .collect()
    };
    for f in ["title_fr", "body_fr"] {
        assert!(stemmer(f).contains("french"), "{f}: {}", stemmer(f));
    }
    for f in ["title_en", "body_en"] {
        assert!(stemmer(f).ends_with("english"), "{f}: {}", stemmer(f));
    }
    assert_eq!(stemmer("body_std"), "", "other languages are not stemmed");

    // the bulk file: action, document, action, document ...
    let out = v.dir.path().join("docs.ndjson");
    let summary = v.json(&["export", "documents", "--format", "opensearch-bulk", "--out", out.to_str().unwrap(), "--json"]);
    assert_eq!(summary["rows"].as_u64().unwrap() as usize, docs);
    assert_eq!(summary["lines"].as_u64().unwrap() as usize, 2 * docs);
    let text = read(&out);
    let lines = json_lines(&text);
    assert_eq!(lines.len(), 2 * docs, "one action and one document per stored document, as vigie stats counts them");
    let mut ids = BTreeSet::new();
    let (mut by_lang, mut with_entities, mut copies, mut in_topic) = (std::collections::BTreeMap::new(), 0, 0, 0);
    for (i, pair) in lines.chunks(2).enumerate() {
        let (action, doc) = (&pair[0], &pair[1]);
        let a = action.as_object().unwrap();
        assert_eq!(a.keys().collect::<Vec<_>>(), ["index"], "line {}: {action}", 2 * i + 1);
        assert_eq!(action["index"]["_index"], "vigie", "line {}", 2 * i + 1);
        assert_eq!(action["index"]["_id"], doc["id"], "line {}: the action names the next line's document", 2 * i + 1);
        assert!(ids.insert(doc["id"].as_str().unwrap().to_string()), "{} twice", doc["id"]);
        let d = doc.as_object().unwrap_or_else(|| panic!("line {}: not an object", 2 * i + 2));
        check_os_object(&mappings["properties"], d, "");
        for f in ["id", "title", "timestamp", "ingested_at", "lang", "lang_confidence"] {
            assert!(d.contains_key(f), "line {}: no {f}", 2 * i + 2);
        }
        // the text is in the fields of the document's language, and only there
        let lang = doc["lang"].as_str().unwrap();
        let suffix = match lang {
            "fr" | "en" => lang,
            _ => "std",
        };
        let text_fields: Vec<&String> = d.keys().filter(|k| k.starts_with("title_") || k.starts_with("body_")).collect();
        assert_eq!(text_fields, [&format!("body_{suffix}"), &format!("title_{suffix}")], "{}", doc["id"]);
        assert_eq!(doc[format!("title_{suffix}")], doc["title"]);
        *by_lang.entry(lang.to_string()).or_insert(0u64) += 1;
        if let Some(e) = doc["entities"].as_array() {
            with_entities += 1;
            let ids: Vec<&Value> = e.iter().map(|e| &e["id"]).collect();
            assert_eq!(doc["entity_ids"].as_array().unwrap().iter().collect::<Vec<_>>(), ids);
            assert!(e.iter().all(|e| e["type"].is_string() && e["name"].is_string() && e["mentions"].as_u64() >= Some(1)));
        }
        copies += usize::from(doc["dup_of"].is_string());
        in_topic += usize::from(doc["topic_id"].is_string());
        if let Some(p) = doc.get("published") {
            assert_eq!(p, &doc["timestamp"], "the timestamp is the publication date when there is one");
        }
    }
    assert_eq!(serde_json::to_value(&by_lang).unwrap(), stats["by_lang"]);
    assert_eq!(copies as u64, stats["duplicates"].as_u64().unwrap());
    assert!(with_entities > docs / 2, "{with_entities} of {docs} documents with entities");
    assert!(in_topic > 0, "no document carries its topic");
    let de = lines.iter().find(|d| d["id"] == "test-de-1").expect("the German article");
    assert!(de["title_std"].is_string() && de["body_std"].is_string() && de.get("published").is_none(), "{de}");

    // stdout gives the same lines; --index-name names the index
    assert_eq!(v.ok(&["export", "documents", "--format", "opensearch-bulk", "--quiet"]), text);
    let news = v.ok(&["export", "documents", "--format", "opensearch-bulk", "--index-name", "news", "--lang", "fr", "--quiet"]);
    let news = json_lines(&news);
    assert_eq!(news.len() as u64, 2 * stats["by_lang"]["fr"].as_u64().unwrap(), "filters apply");
    assert!(news.chunks(2).all(|p| p[0]["index"]["_index"] == "news" && p[1]["lang"] == "fr"));
    let t: Value = serde_json::from_str(&v.ok(&["export", "opensearch-template", "--index-name", "news"])).unwrap();
    assert_eq!(t["index_patterns"], serde_json::json!(["news"]));
    assert_eq!(t["template"], template["template"]);
    // what the clusters would refuse is refused here, as usage errors
    for bad in [
        &["export", "documents", "--format", "opensearch-bulk", "--index-name", "News"][..],
        &["export", "entities", "--format", "opensearch-bulk"],
        &["export", "documents"],
        &["export", "quickwit-config", "--index-name", "9x"],
    ] {
        let o = v.run(bad);
        assert_eq!(o.status.code(), Some(1), "{bad:?}: {}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(String::from_utf8_lossy(&o.stderr).lines().count(), 1, "{bad:?}: one line");
    }
}

/// `value` is what a Quickwit field mapping `m` accepts (with its input formats).
fn check_qw_value(m: &Value, value: &Value, path: &str) {
    let ty = m["type"].as_str().unwrap();
    let (inner, items): (&str, Vec<&Value>) = match ty.strip_prefix("array<").and_then(|t| t.strip_suffix('>')) {
        Some(t) => (t, value.as_array().unwrap_or_else(|| panic!("{path}: {ty} given {value}")).iter().collect()),
        None => (ty, vec![value]),
    };
    for v in items {
        match inner {
            "text" => assert!(v.is_string(), "{path}: {ty} given {v}"),
            "datetime" => {
                let formats: Vec<&str> =
                    m["input_formats"].as_array().expect("input_formats").iter().map(|f| f.as_str().unwrap()).collect();
                let ok = formats.iter().any(|f| match *f {
                    "rfc3339" => v.as_str().is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok()),
                    "unix_timestamp" => v.is_number(),
                    _ => false,
                });
                assert!(ok, "{path}: {v} does not parse as any of {formats:?}");
            }
            "f64" => assert!(v.is_number(), "{path}: {ty} given {v}"),
            "i64" => assert!(v.is_i64(), "{path}: {ty} given {v}"),
            "u64" => assert!(v.is_u64(), "{path}: {ty} given {v}"),
            "bool" => assert!(v.is_boolean(), "{path}: {ty} given {v}"),
            "json" => assert!(v.is_object(), "{path}: {ty} given {v}"),
            other => panic!("{path}: field type {other} not checked here"),
        }
    }
}

#[test]
fn quickwit_lines_fit_the_shipped_index_config() {
    let v = Vigie::new();
    v.ingest(&[&samples()]);
    let docs = v.json(&["stats", "--json"])["documents"].as_u64().unwrap() as usize;

    let config_path = repo().join("schemas/quickwit/vigie-index.yaml");
    let config_text = read(&config_path);
    assert_eq!(v.ok(&["export", "quickwit-config"]), config_text);
    let config: Value = serde_norway::from_str(&config_text).unwrap_or_else(|e| panic!("{}: {e}", config_path.display()));
    // 0.8: the format both Quickwit 0.8 and 0.9 read
    assert!(config["version"] == 0.8 || config["version"] == "0.8", "{}", config["version"]);
    assert_eq!(config["index_id"], "vigie");
    let mapping = &config["doc_mapping"];
    assert_eq!(mapping["mode"], "strict");
    let fields: Vec<&Value> = mapping["field_mappings"].as_array().expect("field_mappings").iter().collect();
    let field = |name: &str| fields.iter().find(|f| f["name"] == name).copied();
    let names: BTreeSet<&str> = fields.iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), fields.len(), "a field is mapped twice");
    // the tokenizers fields name are built in (in 0.8 and 0.9) or declared
    let declared: Vec<&str> =
        mapping["tokenizers"].as_array().map_or(Vec::new(), |t| t.iter().map(|t| t["name"].as_str().unwrap()).collect());
    for f in &fields {
        if let Some(t) = f["tokenizer"].as_str() {
            assert!(
                QW_BUILTIN_TOKENIZERS.contains(&t) || declared.contains(&t),
                "{}: tokenizer {t} is neither built in nor declared",
                f["name"]
            );
        }
    }
    for t in &declared {
        assert!(!QW_BUILTIN_TOKENIZERS.contains(t), "{t}: a custom tokenizer may not take a built-in name");
    }
    // the timestamp field is a fast datetime; tags are raw text; search fields exist
    let ts_name = mapping["timestamp_field"].as_str().expect("timestamp_field");
    let ts = field(ts_name).expect("the timestamp field is mapped");
    assert_eq!((ts["type"].as_str(), ts["fast"].as_bool()), (Some("datetime"), Some(true)));
    for t in mapping["tag_fields"].as_array().unwrap() {
        let f = field(t.as_str().unwrap()).unwrap();
        assert_eq!((f["type"].as_str(), f["tokenizer"].as_str()), (Some("text"), Some("raw")), "{t}");
    }
    for s in config["search_settings"]["default_search_fields"].as_array().unwrap() {
        assert!(field(s.as_str().unwrap()).is_some(), "default search field {s} is not mapped");
    }

    let out = v.dir.path().join("qw.ndjson");
    let summary = v.json(&["export", "documents", "--format", "quickwit", "--out", out.to_str().unwrap(), "--json"]);
    assert_eq!(summary["rows"].as_u64().unwrap() as usize, docs);
    let lines = json_lines(&read(&out));
    assert_eq!(lines.len(), docs, "one line per stored document, as vigie stats counts them");
    let mut ids = BTreeSet::new();
    for (i, doc) in lines.iter().enumerate() {
        let d = doc.as_object().unwrap_or_else(|| panic!("line {}: not an object", i + 1));
        assert!(ids.insert(d["id"].as_str().unwrap()));
        for (k, v) in d {
            let m = field(k).unwrap_or_else(|| panic!("line {}: {k} is not in field_mappings (mode: strict refuses the line)", i + 1));
            check_qw_value(m, v, &format!("line {}: {k}", i + 1));
        }
        assert!(d.contains_key(ts_name), "line {}: no {ts_name}: Quickwit refuses a document without its timestamp field", i + 1);
        rfc3339(&d[ts_name], ts_name);
    }
    // the same documents as the bulk export, without the action lines
    let bulk = json_lines(&v.ok(&["export", "documents", "--format", "opensearch-bulk", "--quiet"]));
    let bulk_docs: Vec<&Value> = bulk.iter().skip(1).step_by(2).collect();
    assert_eq!(bulk_docs, lines.iter().collect::<Vec<_>>());
    // --index-name sets the config's index id
    let c: Value = serde_norway::from_str(&v.ok(&["export", "quickwit-config", "--index-name", "news-fr"])).unwrap();
    assert_eq!(c["index_id"], "news-fr");
    assert_eq!(c["doc_mapping"], config["doc_mapping"]);
}
