//! `vigie enrich` then `vigie ingest --enriched`, against a plain `vigie ingest` of the
//! same real articles: the split of the work (several processes, stdin, other batch
//! neighbours) changes nothing in the stored documents, and each line depends on its
//! record alone.

use crate::common::{shared_data, write, Vigie};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::Stdio;

/// WMT translation pairs (stories across languages) and MasakhaNEWS articles of one
/// source (the language prior), a copy under another id and a torn line.
fn corpus() -> Option<Vec<String>> {
    let wmt = std::fs::read_to_string(shared_data("crosslingual/wmt14_fren_dev.jsonl")?).unwrap();
    let mut lines: Vec<String> = wmt.lines().take(40).map(str::to_string).collect();
    for lang in ["fra", "eng"] {
        let records = vigie_engine::corpus::masakhanews(&shared_data(&format!("topics/{lang}_dev.tsv"))?).unwrap();
        for (i, r) in records.iter().take(14).enumerate() {
            lines.push(
                serde_json::json!({"id": format!("mn-{lang}-{i}"), "title": r.headline, "body": r.text, "source": format!("MasakhaNEWS {lang}")})
                    .to_string(),
            );
        }
    }
    let mut copy: Value = serde_json::from_str(&lines[45]).unwrap();
    copy["id"] = "copy-of-45".into();
    lines.push(copy.to_string());
    lines.insert(23, "{\"title\": \"torn".into());
    Some(lines)
}

/// Every stored document as the ordered stage left it: id → (lang, copy of, story,
/// topic, entity ids), and the mention table.
fn stored(v: &Vigie) -> (BTreeMap<String, Value>, Vec<String>) {
    let out = v.dir.path().join("docs.ndjson");
    v.ok(&["export", "documents", "--format", "ndjson", "--out", out.to_str().unwrap(), "--quiet"]);
    let docs = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| {
            let d: Value = serde_json::from_str(l).unwrap();
            let keep = serde_json::json!([d["lang"], d["dup_of"], d["story_id"], d["topic_id"], d["entity_ids"], d["title"]]);
            (d["id"].as_str().unwrap().to_string(), keep)
        })
        .collect();
    let out = v.dir.path().join("mentions.ndjson");
    v.ok(&["export", "mentions", "--format", "ndjson", "--out", out.to_str().unwrap(), "--quiet"]);
    let mut mentions: Vec<String> = std::fs::read_to_string(&out).unwrap().lines().map(str::to_string).collect();
    mentions.sort();
    (docs, mentions)
}

/// The document lines of an enrich output, without where each record was read.
fn lines_by_id(text: &str) -> BTreeMap<String, Value> {
    text.lines()
        .filter_map(|l| {
            let mut v: Value = serde_json::from_str(l).unwrap();
            let d = v.get_mut("document")?.take();
            let mut d = d.as_object().unwrap().clone();
            d.remove("origin");
            Some((d["id"].as_str().unwrap().to_string(), Value::Object(d)))
        })
        .collect()
}

#[test]
fn enrich_then_ingest_enriched_stores_what_a_plain_ingest_stores() {
    let Some(lines) = corpus() else { return };
    // fp32: with bf16 on AMX (oneDNN's brgemm kernels) an article's states depend on the
    // batch it shares with others by about bf16's rounding, and one NER boundary in 69
    // articles moved between a plain ingest and three enrich processes over uneven parts
    // ("South African" or "South" + "African"); this test is about what the two paths
    // store, not about that rounding
    let plain = Vigie { precision: Some("fp32"), ..Vigie::new() };
    let all = write(plain.dir.path(), "all.jsonl", (lines.join("\n") + "\n").as_bytes());
    let sum = plain.ingest(&[&all]);
    assert_eq!((sum["indexed"].as_u64(), sum["duplicates"].as_u64(), sum["rejected"].as_u64()), (Some(69), Some(1), Some(1)), "{sum}");

    // three processes over uneven parts, the second one reading stdin
    let split = Vigie { precision: Some("fp32"), ..Vigie::new() };
    let parts = split.dir.path().join("parts");
    std::fs::create_dir(&parts).unwrap();
    for (k, (from, to)) in [(0, 17), (17, 52), (52, lines.len())].into_iter().enumerate() {
        let text = lines[from..to].join("\n") + "\n";
        let out = parts.join(format!("part-{k:05}"));
        if k == 1 {
            let mut child =
                split.cmd().args(["enrich", "--quiet", "-", "--out"]).arg(&out).stdin(Stdio::piped()).spawn().expect("vigie enrich runs");
            child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
            assert!(child.wait().unwrap().success());
        } else {
            let input = write(split.dir.path(), &format!("in-{k}.jsonl"), text.as_bytes());
            split.ok(&["enrich", "--quiet", input.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        }
    }
    // one line per record, the torn one as a reject line
    let part1 = std::fs::read_to_string(parts.join("part-00001")).unwrap();
    assert_eq!(part1.lines().count(), 35);
    assert!(part1.lines().nth(6).unwrap().contains("\"reject\""), "{}", part1.lines().nth(6).unwrap());
    let sum = split.json(&["ingest", "--enriched", "--json", "--quiet", parts.to_str().unwrap()]);
    assert_eq!((sum["indexed"].as_u64(), sum["duplicates"].as_u64(), sum["rejected"].as_u64()), (Some(69), Some(1), Some(1)), "{sum}");
    assert_eq!(split.rejects().len(), 1);
    assert!(split.rejects()[0]["file"].as_str().unwrap().ends_with("-"), "the reject names the record's input: {:?}", split.rejects());

    let (docs_a, mentions_a) = stored(&plain);
    let (docs_b, mentions_b) = stored(&split);
    assert_eq!(docs_a.len(), 69);
    for (id, a) in &docs_a {
        assert_eq!(Some(a), docs_b.get(id), "{id}");
    }
    assert_eq!(docs_a, docs_b);
    assert_eq!(mentions_a, mentions_b);
    // the stages ran: entities, stories across languages, a copy, topics
    let a = &docs_a["copy-of-45"];
    assert!(a[1].is_string() && a[2].is_string() && a[4].as_array().is_some_and(|e| !e.is_empty()), "{a}");
    let fr = &docs_a["wmt14-1009-lemondefr-fr"];
    assert_eq!(fr[2], docs_a["wmt14-1009-lemondefr-en"][2], "a translation pair shares its story");

    // a second ingest of the same lines stores nothing again
    let again = split.json(&["ingest", "--enriched", "--json", "--quiet", parts.to_str().unwrap()]);
    assert_eq!((again["indexed"].as_u64(), again["existing"].as_u64()), (Some(0), Some(69)), "{again}");

    // each line depends on its record alone: the whole input in one process, in
    // reverse order, gives the same lines as the three parts
    let reversed: Vec<String> = lines.iter().rev().cloned().collect();
    let rev = write(split.dir.path(), "reversed.jsonl", (reversed.join("\n") + "\n").as_bytes());
    let whole = split.ok(&["enrich", "--quiet", rev.to_str().unwrap()]);
    let mut parted = String::new();
    for k in 0..3 {
        parted.push_str(&std::fs::read_to_string(parts.join(format!("part-{k:05}"))).unwrap());
    }
    let (one, three) = (lines_by_id(&whole), lines_by_id(&parted));
    assert_eq!(one.len(), 69);
    for (id, line) in &one {
        assert_eq!(Some(line), three.get(id), "{id}: the line depends on its neighbours");
    }
}

/// Rejects can go to a file instead; a line that is not enriched.v1 is a reject of the
/// ingest naming its file and line, and the rest is stored.
#[test]
fn rejects_to_a_file_and_bad_enriched_lines() {
    let v = Vigie::new();
    let input = write(
        v.dir.path(),
        "in.jsonl",
        b"{\"id\":\"a\",\"title\":\"Mistral AI l\xc3\xa8ve des fonds\",\"body\":\"La start-up Mistral AI a lev\xc3\xa9 600 millions d'euros.\"}\nnot json\n",
    );
    let rejects = v.dir.path().join("rejects.jsonl");
    let out = v.ok(&["enrich", "--quiet", "--no-entities", "--rejects", rejects.to_str().unwrap(), input.to_str().unwrap()]);
    assert_eq!(out.lines().count(), 1);
    let r = std::fs::read_to_string(&rejects).unwrap();
    assert!(r.contains("\"line\":2") && r.contains("invalid json"), "{r}");
    let lines = write(v.dir.path(), "e.jsonl", format!("{}{{\"schema\":\"enriched.v2\"}}\n", out).as_bytes());
    let sum = v.json(&["ingest", "--enriched", "--json", "--quiet", lines.to_str().unwrap()]);
    assert_eq!((sum["indexed"].as_u64(), sum["rejected"].as_u64()), (Some(1), Some(1)), "{sum}");
    let rej = v.rejects();
    assert!(rej[0]["reason"].as_str().unwrap().contains("unsupported schema") && rej[0]["line"] == 2, "{rej:?}");
    assert!(Path::new(rej[0]["file"].as_str().unwrap()).ends_with("e.jsonl"));
    // --strict still exits 1 once the accepted lines are stored
    let o = v.run(&["enrich", "--quiet", "--strict", "--no-entities", input.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 2);
}

/// An embedding that is not one of the encoder's (another length, a NaN or an infinite
/// value) is a reject naming the file, the line and why, and the valid line beside it
/// is stored with its embedding.
#[test]
fn enriched_embeddings_of_another_length_or_not_finite_are_rejects() {
    let v = Vigie::new();
    let input = write(
        v.dir.path(),
        "in.jsonl",
        "{\"id\":\"a\",\"title\":\"Mistral AI lève des fonds\",\"body\":\"La start-up parisienne Mistral AI a levé 600 millions d'euros auprès de ses investisseurs, a annoncé mardi son président.\"}\n".as_bytes(),
    );
    let out = v.ok(&["enrich", "--quiet", input.to_str().unwrap()]);
    let good: Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    let emb = good["document"]["embedding"].as_str().expect("the model stage ran").to_string();
    // 384 f16 values are 768 bytes, 1,024 base64 characters; 8 characters are 3 values,
    // and "AH4A" / "AHwA" are the bytes 00 7e 00 / 00 7c 00: value 0 becomes f16 NaN / inf
    assert_eq!(emb.len(), 1024);
    let variant = |id: &str, e: String| {
        let mut l = good.clone();
        l["document"]["id"] = id.into();
        l["document"]["embedding"] = e.into();
        l.to_string()
    };
    let lines = [
        good.to_string(),
        variant("short", emb[..emb.len() - 8].to_string()),
        variant("long", format!("{emb}AAAAAAAA")),
        variant("nan", format!("AH4A{}", &emb[4..])),
        variant("inf", format!("AHwA{}", &emb[4..])),
        variant("empty", String::new()),
    ];
    let file = write(v.dir.path(), "e.jsonl", (lines.join("\n") + "\n").as_bytes());
    let sum = v.json(&["ingest", "--enriched", "--json", "--quiet", file.to_str().unwrap()]);
    assert_eq!((sum["indexed"].as_u64(), sum["rejected"].as_u64()), (Some(1), Some(5)), "{sum}");
    let rej = v.rejects();
    let got: Vec<(u64, &str)> = rej.iter().map(|r| (r["line"].as_u64().unwrap(), r["reason"].as_str().unwrap())).collect();
    assert_eq!(
        got,
        [
            (2, "embedding: 381 values, expected 384 (the encoder's dimension)"),
            (3, "embedding: 387 values, expected 384 (the encoder's dimension)"),
            (4, "embedding: value 0 is not finite (NaN)"),
            (5, "embedding: value 0 is not finite (inf)"),
            (6, "embedding: 0 bytes is not a vector of f16"),
        ]
    );
    assert!(rej.iter().all(|r| Path::new(r["file"].as_str().unwrap()).ends_with("e.jsonl")), "{rej:?}");
    // the valid line is stored, through the story stage
    let (docs, _) = stored(&v);
    assert_eq!(docs.len(), 1);
    assert!(docs["a"][2].is_string(), "{:?}", docs["a"]);
}

/// Records relayed on stdin with where they came from (`--format jsonl-tagged`, as the
/// Spark job sends them): each document's origin and each reject name the relayed file
/// and line, through `enrich` and then `ingest --enriched`, as a plain ingest of that
/// file would; a line without its tag is a reject naming stdin's line.
#[test]
fn tagged_stdin_records_keep_their_file_and_line() {
    let v = Vigie::new();
    let tagged = "exports/a.jsonl\t3\t{\"id\":\"a\",\"title\":\"Mistral AI l\u{e8}ve des fonds\",\"body\":\"La start-up Mistral AI a lev\u{e9} 600 millions d'euros.\"}\n\
                  exports/b.jsonl\t41\tnot json\n\
                  {\"id\":\"untagged\",\"title\":\"t\",\"body\":\"b\"}\n";
    let mut child = v
        .cmd()
        .args(["enrich", "--quiet", "--no-entities", "--format", "jsonl-tagged", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("vigie enrich runs");
    child.stdin.take().unwrap().write_all(tagged.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8(o.stdout).unwrap();
    let lines: Vec<Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert_eq!(lines[0]["document"]["origin"], serde_json::json!({"file": "exports/a.jsonl", "line": 3}));
    assert_eq!((lines[1]["reject"]["file"].as_str(), lines[1]["reject"]["line"].as_u64()), (Some("exports/b.jsonl"), Some(41)));
    assert!(lines[1]["reject"]["reason"].as_str().unwrap().starts_with("invalid json"), "{}", lines[1]);
    assert_eq!((lines[2]["reject"]["file"].as_str(), lines[2]["reject"]["line"].as_u64()), (Some("-"), Some(3)));
    assert!(lines[2]["reject"]["reason"].as_str().unwrap().contains("FILE<TAB>LINE<TAB>"), "{}", lines[2]);
    // the ordered stage stores the document with its origin and logs the rejects as read
    let part = write(v.dir.path(), "part-00000", out.as_bytes());
    let sum = v.json(&["ingest", "--enriched", "--json", "--quiet", part.to_str().unwrap()]);
    assert_eq!((sum["indexed"].as_u64(), sum["rejected"].as_u64()), (Some(1), Some(2)), "{sum}");
    let shown = v.json(&["show", "a", "--json"]);
    assert_eq!(shown["origin"], serde_json::json!({"file": "exports/a.jsonl", "line": 3}));
    let rej = v.rejects();
    let at: Vec<(String, u64)> = rej.iter().map(|r| (r["file"].as_str().unwrap().to_string(), r["line"].as_u64().unwrap())).collect();
    assert_eq!(at, [("exports/b.jsonl".to_string(), 41), ("-".to_string(), 3)]);
}
