//! `vigie export`: every table in every format, read back with polars; the Parquet
//! opened once by pyarrow in a throwaway venv (skipped when pip cannot install it).

use crate::common::{samples, Vigie};
use polars::prelude::*;
use std::process::Command;

fn read(path: &std::path::Path, format: &str) -> DataFrame {
    let f = std::fs::File::open(path).unwrap();
    match format {
        "parquet" => ParquetReader::new(f).finish(),
        "csv" => CsvReader::new(f).finish(),
        "ndjson" => JsonReader::new(f).with_json_format(JsonFormat::JsonLines).finish(),
        "ipc" => IpcReader::new(f).finish(),
        _ => unreachable!(),
    }
    .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_table_round_trips_in_every_format() {
    let v = Vigie::new();
    v.ingest(&[&samples()]);
    let docs = v.json(&["stats", "--json"])["documents"].as_u64().unwrap() as usize;
    let tables: &[(&str, &[&str], &[&str])] = &[
        ("documents", &[], &["id", "title", "url", "source", "published", "lang", "dup_of", "story_id", "topic_id", "entity_ids"]),
        ("mentions", &[], &["document_id", "entity_id", "type", "mentions", "published", "story_id"]),
        ("entities", &[], &["id", "name", "type", "documents", "stories", "mentions", "first_seen", "last_seen", "wikidata"]),
        ("timeline", &["--series", "company:nvidia", "stargate", "--by", "month"], &["period", "series", "documents", "stories"]),
        (
            "trends",
            &["--window", "60d", "--baseline", "365d", "--min-count", "1"],
            &["id", "window_count", "baseline_rate", "ratio", "score", "new"],
        ),
        ("stories", &[], &["story_id", "topic_id", "documents", "originals", "languages", "first", "last"]),
        ("topics", &[], &["topic_id", "label", "keywords_en", "keywords_fr", "size", "stories"]),
    ];
    for (what, extra, columns) in tables {
        let mut heights = Vec::new();
        for format in ["parquet", "csv", "ndjson", "ipc"] {
            let out = v.dir.path().join(format!("{what}.{format}"));
            let mut args = vec!["export", what, "--format", format, "--out", out.to_str().unwrap(), "--json"];
            args.extend_from_slice(extra);
            let summary = v.json(&args);
            let df = read(&out, format);
            assert_eq!(df.height() as u64, summary["rows"].as_u64().unwrap(), "{what} {format}");
            for c in *columns {
                assert!(df.get_column_names().iter().any(|n| n.as_str() == *c), "{what}.{format} lacks {c}: {:?}", df.get_column_names());
            }
            heights.push(df.height());
        }
        assert!(heights.iter().all(|h| *h == heights[0]), "{what}: {heights:?}");
        assert!(heights[0] > 0, "{what} is empty");
    }
    // the document export holds every stored document, copies included, with entity lists
    let df = read(&v.dir.path().join("documents.parquet"), "parquet");
    assert_eq!(df.height(), docs);
    let ents = df.column("entity_ids").unwrap().as_materialized_series().clone();
    let has_nvidia = (0..ents.len()).any(|i| match ents.get(i).unwrap() {
        AnyValue::List(inner) => inner.str().unwrap().iter().flatten().any(|x| x == "company:nvidia"),
        _ => false,
    });
    assert!(has_nvidia, "no document lists company:nvidia");
    let dups = df.column("dup_of").unwrap().str().unwrap().iter().flatten().count();
    assert_eq!(dups, 1);
    // filters apply
    let out = v.dir.path().join("fr.parquet");
    let fr = v.json(&["export", "documents", "--format", "parquet", "--out", out.to_str().unwrap(), "--lang", "fr", "--json"]);
    assert!(fr["rows"].as_u64().unwrap() < docs as u64 && fr["rows"].as_u64().unwrap() > 0);
    let bad = v.run(&["export", "documents", "--format", "xlsx", "--out", "x"]);
    assert_eq!(bad.status.code(), Some(1), "an unknown format is a usage error");

    // pyarrow (what pandas and DuckDB users have) opens the Parquet
    let venv = v.dir.path().join("venv");
    let ok = Command::new("python3").args(["-m", "venv"]).arg(&venv).status().is_ok_and(|s| s.success())
        && Command::new(venv.join("bin/pip")).args(["install", "-q", "pyarrow"]).status().is_ok_and(|s| s.success());
    if !ok {
        eprintln!("skipped: the pyarrow check needs python3 -m venv and pip access to PyPI");
        return;
    }
    let py = "import pyarrow.parquet as pq, sys; t = pq.read_table(sys.argv[1]); print(t.num_rows, ','.join(t.column_names))";
    let o = Command::new(venv.join("bin/python")).args(["-c", py]).arg(v.dir.path().join("documents.parquet")).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let line = String::from_utf8(o.stdout).unwrap();
    assert!(line.starts_with(&format!("{docs} ")), "{line}");
    assert!(line.contains("entity_ids") && line.contains("story_id"), "{line}");
}
