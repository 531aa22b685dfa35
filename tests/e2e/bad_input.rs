//! Bad input: every case is rejected with one stderr line naming file and line, written
//! to rejects.jsonl with its reason, and the rest of the batch is stored.

use crate::common::{write, Vigie};

fn stderr_lines(o: &std::process::Output) -> Vec<String> {
    String::from_utf8_lossy(&o.stderr).lines().map(str::to_string).collect()
}

#[test]
fn each_bad_record_is_rejected_and_the_batch_goes_on() {
    let v = Vigie::new();
    let d = v.dir.path();
    let big_body = "a".repeat(50 * 1024 * 1024);
    let mut jsonl = Vec::new();
    jsonl.extend_from_slice(br#"{"title":"Good one","body":"Nvidia ships the H200 to cloud providers in volume this quarter."}"#);
    jsonl.extend_from_slice(b"\n{\"title\": \"broken\", \"body\": \n"); // line 2: malformed json
    jsonl.extend_from_slice(b"{\"title\":\"bad \xff\xfe utf8\",\"body\":\"x\"}\n"); // line 3: invalid utf-8
    jsonl.extend_from_slice(b"{\"url\":\"https://example.com/nothing\"}\n"); // line 4: no title, no body
    jsonl.extend_from_slice(b"{\"title\":\"Empty\",\"body\":\"   \"}\n"); // line 5: empty body
    jsonl.extend_from_slice(format!("{{\"title\":\"Huge\",\"body\":\"{big_body}\"}}\n").as_bytes()); // line 6: 50 MB
    jsonl.extend_from_slice(b"\n"); // line 7: blank, skipped
    jsonl.extend_from_slice(br#"{"title":"Good two","body":"OpenAI signs a cloud contract with Oracle for the Stargate data centers."}"#); // line 8
    let f = write(d, "mixed.jsonl", &jsonl);
    let feed = write(
        d,
        "broken.rss",
        b"<rss version=\"2.0\"><channel><title>T</title>\n<item><title>Kept item</title><description>Intel delays its Falcon Shores GPU.</description></item>\n<item><title>Bad <b></title><description>x</description></item>\n<item><title>Cut off",
    );
    let missing = d.join("does-not-exist.jsonl");
    let o = v.run(&["ingest", "--json", f.to_str().unwrap(), feed.to_str().unwrap(), missing.to_str().unwrap()]);
    assert!(o.status.success(), "rejections are not failures without --strict: {}", String::from_utf8_lossy(&o.stderr));
    let s: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(s["indexed"], 3, "{s}");
    assert_eq!(s["rejected"], 8, "{s}");

    let fname = f.display().to_string();
    let err = stderr_lines(&o);
    let expect = [
        (format!("{fname}:2:"), "invalid json"),
        (format!("{fname}:3:"), "invalid utf-8"),
        (format!("{fname}:4:"), "neither title nor body"),
        (format!("{fname}:5:"), "empty body"),
        (format!("{fname}:6:"), "record too large"),
        (format!("{}:3:", feed.display()), "broken feed item"),
        (format!("{}:4:", feed.display()), "truncated item"),
        (format!("{}:", missing.display()), "no such file"),
    ];
    for (loc, reason) in &expect {
        assert!(err.iter().any(|l| l.contains(loc.as_str()) && l.contains(reason)), "no stderr line with {loc} and {reason:?} in {err:#?}");
    }
    assert!(err.iter().all(|l| l.len() < 400), "one short line each");

    let rejects = v.rejects();
    assert_eq!(rejects.len(), 8);
    for r in &rejects {
        assert!(r["file"].is_string() && r["reason"].is_string() && r["at"].is_string(), "{r}");
    }
    assert!(rejects.iter().any(|r| r["line"] == 2 && r["record"].as_str().unwrap().contains("broken")));

    let hits = v.json_lines(&["search", "*", "--json", "--limit", "10"]);
    let mut t: Vec<&str> = hits.iter().map(|h| h["title"].as_str().unwrap()).collect();
    t.sort();
    assert_eq!(t, vec!["Good one", "Good two", "Kept item"]);
}

#[test]
fn strict_fails_but_keeps_what_was_accepted() {
    let v = Vigie::new();
    let f = write(v.dir.path(), "x.jsonl", b"{\"title\":\"ok\",\"body\":\"Samsung starts mass production of HBM3E for AMD.\"}\nnot json\n");
    let o = v.run(&["ingest", "--strict", "--quiet", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(":2: invalid json"), "{err}");
    assert!(err.lines().last().unwrap().starts_with("error: 1 inputs rejected"), "{err}");
    assert_eq!(v.json(&["stats", "--json"])["documents"], 1);
}

#[test]
fn usage_and_query_errors_exit_1_with_one_line() {
    let v = Vigie::new();
    let o = v.run(&["search", "nvidia"]);
    assert_eq!(o.status.code(), Some(1), "no index yet");
    assert!(String::from_utf8_lossy(&o.stderr).contains("run `vigie ingest` first"));
    v.ingest(&[&crate::common::samples()]);
    let o = v.run(&["search", "title:(nvidia"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: invalid query"), "{err}");
    let o = v.run(&["search", "nvidia", "--since", "someday"]);
    assert_eq!(o.status.code(), Some(1));
    let o = v.run(&["ingest", "--format", "pdf", "x"]);
    assert_eq!(o.status.code(), Some(1));
    let o = v.run(&["show", "no-such-id"]);
    assert_eq!(o.status.code(), Some(1));
}

/// The model-stage flags are checked before anything loads: an unknown precision or a
/// worker count of 0 or beyond 64 is a usage error naming the value, not a panic or
/// thousands of threads.
#[test]
fn model_stage_flags_out_of_range_are_usage_errors() {
    let v = Vigie::new();
    let samples = crate::common::samples();
    let s = samples.to_str().unwrap();
    for (flag, value) in [("--precision", "fp8"), ("--model-workers", "0"), ("--model-workers", "100000")] {
        let o = v.run(&["ingest", s, flag, value]);
        assert_eq!(o.status.code(), Some(1), "{flag} {value}: {}", String::from_utf8_lossy(&o.stderr));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(value) && err.contains(flag), "{flag} {value}: {err}");
    }
    assert!(!v.data().join("index").exists(), "nothing was ingested");
}
