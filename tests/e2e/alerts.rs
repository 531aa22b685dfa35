//! Alerts: rules, reverse matching after each ingest, delivery once per story to stdout,
//! a file and webhooks on a real localhost server (retries, dead letters, kill -9 during
//! delivery), and digests.

use crate::common::{samples, write, Vigie, HANG_LIMIT};
use crate::server::{Response, Server};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Distinct English articles mentioning `word`, with the given ids, from subject
/// `first` on (six subjects).
fn articles(dir: &Path, name: &str, word: &str, ids: &[&str], first: usize) -> PathBuf {
    let subjects = [
        ("opens a data centre in Marseille", "The campus will host 18,000 accelerators and draw 100 megawatts from the grid."),
        ("wins a supercomputer contract in Texas", "The national laboratory will use the machine for climate and fusion research."),
        ("signs a chip supply deal with a Korean maker", "Memory shortages have slowed deliveries of high-bandwidth parts this year."),
        ("faces an antitrust probe in Brussels", "Regulators will examine bundling of software with hardware sales across Europe."),
        ("cuts prices of its inference cloud", "Start-ups had complained that renting capacity cost more than buying servers."),
        ("hires a new chief financial officer", "The executive previously ran treasury operations at a large bank in New York."),
    ];
    let lines: Vec<String> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let (t, b) = subjects[(first + i) % subjects.len()];
            json!({"id": id, "title": format!("{word} {t}"), "body": format!("{word} said on Monday it {t}. {b}"), "source": "Example Wire", "lang": "en"})
                .to_string()
        })
        .collect();
    write(dir, name, (lines.join("\n") + "\n").as_bytes())
}

fn list(v: &Vigie) -> HashMap<String, Value> {
    v.json_lines(&["alerts", "list", "--json"]).into_iter().map(|r| (r["name"].as_str().unwrap().to_string(), r)).collect()
}

fn lines(p: &Path) -> Vec<Value> {
    std::fs::read_to_string(p).map(|s| s.lines().map(|l| serde_json::from_str(l).unwrap()).collect()).unwrap_or_default()
}

#[test]
fn rules_are_saved_checked_listed_tested_and_removed() {
    let v = Vigie::new();
    v.ingest(&[&samples().join("news-fr-en.jsonl")]);
    let bad = v.run(&["alerts", "add", "broken", "nvidia AND ("]);
    assert_eq!(bad.status.code(), Some(1));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("alert broken: malformed query") && err.lines().count() == 1, "{err}");
    assert!(!v.run(&["alerts", "add", "../x", "nvidia"]).status.success());
    assert!(!v.run(&["alerts", "add", "x", "nvidia", "--notify", "email:me"]).status.success());
    let out = v.dir.path().join("out.jsonl");
    v.ok(&["alerts", "add", "chips", "nvidia OR amd", "--lang", "fr", "--notify", &format!("file:{}", out.display())]);
    v.ok(&["alerts", "add", "stargate", "stargate", "--digest", "1h"]);
    assert!(!v.run(&["alerts", "add", "chips", "x"]).status.success(), "a name is taken once");
    let l = list(&v);
    assert_eq!(l.len(), 2);
    assert_eq!(l["chips"]["query"], "nvidia OR amd");
    assert_eq!(l["chips"]["lang"], "fr");
    assert_eq!(l["chips"]["notify"]["kind"], "file");
    assert_eq!(l["stargate"]["digest_seconds"], 3600);
    assert!(v.data().join("alerts/rules/chips.json").exists());
    // test shows the back catalogue and delivers nothing; a new rule does not alert on it
    let hits = v.json_lines(&["alerts", "test", "chips", "--json"]);
    assert!(!hits.is_empty() && hits.iter().all(|h| h["lang"] == "fr" && h["rule"] == "chips"), "{hits:?}");
    assert!(hits.iter().all(|h| !h["matched_terms"].as_array().unwrap().is_empty()), "{hits:?}");
    let s = v.json(&["alerts", "run", "--json"]);
    assert_eq!((s["documents"].as_u64(), s["notifications"].as_u64()), (Some(0), Some(0)), "{s}");
    assert!(!out.exists());
    v.ok(&["alerts", "rm", "chips"]);
    assert!(!v.run(&["alerts", "rm", "chips"]).status.success());
    assert_eq!(list(&v).len(), 1);
}

#[test]
fn stdout_and_file_sinks_notify_each_story_once_across_batches_and_restarts() {
    let v = Vigie::new();
    let out = v.dir.path().join("notes.jsonl");
    v.ok(&["alerts", "add", "nvidia", "nvidia", "--notify", &format!("file:{}", out.display())]);
    v.ok(&["alerts", "add", "mistral-fr", "mistral", "--lang", "fr"]);
    v.ok(&["alerts", "add", "by-entity", "*", "--entity", "company:nvidia", "--notify", &format!("file:{}", out.display())]);
    // batch 1, with the model: entities and stories; the stdout sink prints NDJSON
    // before the ingest summary
    let o = v.ok(&["ingest", "--json", "--quiet", samples().join("news-fr-en.jsonl").to_str().unwrap()]);
    let printed: Vec<Value> = o.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let (notes, summary) = printed.split_at(printed.len() - 1);
    assert_eq!(summary[0]["indexed"], 6);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0]["rule"], "mistral-fr");
    assert_eq!(notes[0]["lang"], "fr");
    assert_eq!(notes[0]["matched_terms"], json!(["mistral"]));
    assert!(notes[0]["entities"].as_array().unwrap().iter().any(|e| e == "company:mistral-ai"), "{}", notes[0]);
    let filed = lines(&out);
    let nv: Vec<&Value> = filed.iter().filter(|n| n["rule"] == "nvidia").collect();
    // the three Stargate articles (fr, en, and the syndicated copy of the English one)
    // form fewer stories than articles: each story is notified once
    let docs = v.json_lines(&["search", "nvidia", "--json", "--limit", "50"]);
    let stories: std::collections::HashSet<String> = docs.iter().map(|d| d["story_id"].as_str().unwrap().to_string()).collect();
    assert!(stories.len() < docs.len(), "the sample holds a syndicated copy");
    assert_eq!(nv.len(), stories.len(), "{nv:?}");
    for n in &nv {
        for field in ["document_id", "title", "lang", "story_id", "matched_terms", "entities"] {
            assert!(!n[field].is_null(), "{field} missing: {n}");
        }
        assert_eq!(n["matched_terms"], json!(["nvidia"]));
    }
    assert!(filed.iter().any(|n| n["rule"] == "by-entity"));
    assert!(filed.iter().filter(|n| n["rule"] == "by-entity").all(|n| n["entities"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e == "company:nvidia")));

    // batch 2 (a new process): a syndicated copy of a notified article and one new story
    let first = &nv[0];
    let copy = json!({"id": "copy-1", "title": first["title"], "body": v.json(&["show", first["document_id"].as_str().unwrap(), "--json"])["body"], "source": "Another Wire"});
    let fresh = json!({"id": "fresh-1", "title": "Nvidia books its first sovereign AI order in Morocco", "body": "Nvidia will supply 4,000 Blackwell accelerators to a new national computing centre near Rabat, officials said on Friday.", "source": "Example News"});
    let p = write(v.dir.path(), "batch2.jsonl", format!("{copy}\n{fresh}\n").as_bytes());
    let s = v.json(&["ingest", "--json", "--quiet", p.to_str().unwrap()]);
    assert_eq!(s["duplicates"], 1, "{s}");
    let after: Vec<Value> = lines(&out).into_iter().filter(|n| n["rule"] == "nvidia").collect();
    assert_eq!(after.len(), nv.len() + 1, "only the new story: {after:?}");
    assert_eq!(after.last().unwrap()["document_id"], "fresh-1");
    // nothing new: nothing delivered
    let s = v.json(&["alerts", "run", "--json"]);
    assert_eq!((s["notifications"].as_u64(), s["pending"].as_u64()), (Some(0), Some(0)));
    assert_eq!(list(&v)["nvidia"]["delivered"].as_u64().unwrap() as usize, after.len());
}

/// On the focused stream of issue 16 (a capacity announcement, its French rewrite and a
/// syndicated copy on Monday, the first customers on Tuesday, the first delivery on
/// Wednesday in a later run), a rule notifies once per story by default, and with
/// `--per copy-group` every article that is not a copy: the rewrite too, never the copy.
#[test]
fn per_story_notifies_each_development_per_copy_group_each_new_article() {
    let v = Vigie::new();
    let (stories, groups) = (v.dir.path().join("stories.jsonl"), v.dir.path().join("groups.jsonl"));
    v.ok(&["alerts", "add", "by-story", "mistral", "--notify", &format!("file:{}", stories.display())]);
    v.ok(&["alerts", "add", "by-group", "mistral", "--per", "copy-group", "--notify", &format!("file:{}", groups.display())]);
    assert!(!v.run(&["alerts", "add", "bad-per", "mistral", "--per", "article"]).status.success());
    let l = list(&v);
    assert!(l["by-story"].get("per").is_none(), "the default is not written: {}", l["by-story"]);
    assert_eq!(l["by-group"]["per"], "copy-group");
    let rule: Value = serde_json::from_str(&std::fs::read_to_string(v.data().join("alerts/rules/by-group.json")).unwrap()).unwrap();
    assert_eq!(rule["per"], "copy-group");
    let (monday, wednesday) = crate::stories::focused_stream(&v);
    v.ingest(&[&monday]);
    v.ingest(&[&wednesday]);
    let ids = |p: &Path| {
        let mut v: Vec<String> = lines(p).iter().map(|n| n["document_id"].as_str().unwrap().to_string()).collect();
        v.sort();
        v
    };
    // the announcement (its rewrite and copy joined its story), the customers, the delivery
    assert_eq!(ids(&stories), ["mistral-a", "mistral-c", "mistral-e"]);
    // and the French rewrite, which is not a copy; the syndicated copy never
    assert_eq!(ids(&groups), ["mistral-a", "mistral-b", "mistral-c", "mistral-e"]);
    // alerts test follows the rule's setting
    let shown = v.json_lines(&["alerts", "test", "by-group", "--json"]);
    assert_eq!(shown.len(), 4, "{shown:?}");
    assert_eq!(v.json_lines(&["alerts", "test", "by-story", "--json"]).len(), 3);
}

#[test]
fn webhooks_retry_with_backoff_then_dead_letter() {
    let server = Server::start(|r| match r.path.as_str() {
        "/flaky" if r.nth < 2 => Response::status(503),
        "/flaky" => Response::status(200),
        _ => Response::status(500),
    });
    let v = Vigie::new();
    v.ok(&["alerts", "add", "flaky", "title:marseille", "--notify", &format!("webhook:{}", server.url("/flaky"))]);
    v.ok(&["alerts", "add", "down", "title:texas", "--notify", &format!("webhook:{}", server.url("/down"))]);
    let p = articles(v.dir.path(), "a.jsonl", "Nvidia", &["a1", "a2", "a3"], 0);
    let t = std::time::Instant::now();
    v.ok(&["ingest", "--quiet", "--no-entities", p.to_str().unwrap()]);
    let flaky = server.requests("/flaky");
    assert_eq!(flaky.iter().map(|r| r.status).collect::<Vec<_>>(), vec![503, 503, 200]);
    let keys: Vec<_> = flaky.iter().map(|r| r.header("idempotency-key").unwrap().to_string()).collect();
    assert!(keys.iter().all(|k| *k == keys[0]), "one key across retries: {keys:?}");
    let body = flaky[2].json();
    assert_eq!((body["rule"].as_str(), body["document_id"].as_str()), (Some("flaky"), Some("a1")));
    assert_eq!(flaky[2].method, "POST");
    assert_eq!(flaky[2].header("content-type"), Some("application/json"));
    assert!(flaky[2].header("user-agent").unwrap().starts_with("vigie/"));
    // the first attempt and three retries, 0.5 + 1 + 2 s apart
    assert_eq!(server.requests("/down").len(), 4);
    assert!(t.elapsed() >= Duration::from_millis(3500));
    let dead = lines(&v.data().join("alerts/dead-letter.jsonl"));
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(dead[0]["rule"], "down");
    assert_eq!(dead[0]["payload"]["document_id"], "a2");
    assert!(dead[0]["error"].as_str().unwrap().contains("http 500"), "{}", dead[0]);
    let l = list(&v);
    assert_eq!((l["flaky"]["delivered"].as_u64(), l["flaky"]["pending"].as_u64()), (Some(1), Some(0)));
    assert_eq!((l["down"]["dead_lettered"].as_u64(), l["down"]["pending"].as_u64()), (Some(1), Some(0)));
}

#[test]
fn kill_9_during_webhook_delivery_neither_loses_nor_repeats_a_confirmed_notification() {
    let hang = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let h = hang.clone();
    let server = Server::start(move |r| {
        if r.nth == 2 && h.load(std::sync::atomic::Ordering::SeqCst) {
            // the third delivery hangs until the client is killed
            Response { delay: Duration::from_secs(120), ..Response::status(200) }
        } else {
            Response::status(200)
        }
    });
    let v = Vigie::new();
    v.ok(&["alerts", "add", "hook", "nvidia", "--notify", &format!("webhook:{}", server.url("/hook"))]);
    let ids = ["k1", "k2", "k3", "k4", "k5", "k6"];
    let p = articles(v.dir.path(), "a.jsonl", "Nvidia", &ids, 0);
    v.ok(&["ingest", "--quiet", "--no-entities", "--no-alerts", p.to_str().unwrap()]);
    let mut child = v.cmd().args(["alerts", "run", "--quiet", "--webhook-timeout", "60s"]).spawn().unwrap();
    assert!(server.wait_for("/hook", 3, HANG_LIMIT), "the third delivery never came");
    child.kill().unwrap(); // SIGKILL while the sink has not confirmed
    child.wait().unwrap();
    hang.store(false, std::sync::atomic::Ordering::SeqCst);
    // the restarted run delivers what was not confirmed, and only that
    let s = v.json(&["alerts", "run", "--json"]);
    assert_eq!(s["pending"], 0, "{s}");
    let reqs = server.requests("/hook");
    let mut confirmed: HashMap<String, usize> = HashMap::new();
    for r in reqs.iter().filter(|r| r.status == 200) {
        *confirmed.entry(r.json()["document_id"].as_str().unwrap().to_string()).or_default() += 1;
    }
    assert_eq!(confirmed.len(), ids.len(), "every match delivered: {confirmed:?}");
    assert!(confirmed.values().all(|n| *n == 1), "a confirmed notification was sent again: {confirmed:?}");
    assert_eq!(reqs.len(), ids.len() + 1, "only the unconfirmed one is sent twice");
}

#[test]
fn digests_batch_a_rules_notifications_per_period() {
    let v = Vigie::new();
    let out = v.dir.path().join("digest.jsonl");
    v.ok(&["alerts", "add", "daily", "nvidia", "--digest", "8s", "--notify", &format!("file:{}", out.display())]);
    let a = articles(v.dir.path(), "a.jsonl", "Nvidia", &["d1", "d2"], 0);
    let b = articles(v.dir.path(), "b.jsonl", "Nvidia", &["d3", "d4", "d5", "d6"], 2);
    v.ok(&["ingest", "--quiet", "--no-entities", "--no-alerts", a.to_str().unwrap()]);
    v.ok(&["ingest", "--quiet", "--no-entities", "--no-alerts", b.to_str().unwrap()]);
    // periods end on the clock's multiples of 8 s: the one running when the rule was
    // made may already be over at the first run (its digest is then empty: nothing had
    // been matched before it ended), so the six wait for the end that `list` announces
    let first = v.json(&["alerts", "run", "--json"]);
    assert_eq!((first["digests"].as_u64(), first["delivered"].as_u64()), (Some(0), Some(0)), "{first}");
    assert_eq!(list(&v)["daily"]["pending"], 6);
    let next = chrono::DateTime::parse_from_rfc3339(list(&v)["daily"]["next_digest"].as_str().unwrap()).unwrap();
    assert_eq!(next.timestamp() % 8, 0, "{next}");
    let wait = (next.with_timezone(&chrono::Utc) - chrono::Utc::now()).to_std().unwrap_or_default();
    assert!(wait <= Duration::from_secs(8), "{wait:?}");
    std::thread::sleep(wait + Duration::from_millis(300));
    let s = v.json(&["alerts", "run", "--json"]);
    assert_eq!((s["digests"].as_u64(), s["delivered"].as_u64()), (Some(1), Some(6)), "{first} then {s}");
    let d = lines(&out);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0]["rule"], "daily");
    assert_eq!(d[0]["count"], 6);
    let ids: Vec<&str> = d[0]["notifications"].as_array().unwrap().iter().map(|n| n["document_id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["d1", "d2", "d3", "d4", "d5", "d6"]);
    assert!(d[0]["since"].as_str() < d[0]["until"].as_str());
    assert_eq!(d[0]["until"].as_str().map(|u| chrono::DateTime::parse_from_rfc3339(u).unwrap()), Some(next));
    // the next period starts empty
    let s = v.json(&["alerts", "run", "--json"]);
    assert_eq!(s["digests"], 0);
    assert_eq!(lines(&out).len(), 1);
}

#[test]
fn a_webhook_redirect_is_a_failed_attempt_never_a_delivery() {
    let server = Server::start(|r| match r.path.as_str() {
        "/hook" => Response::redirect(302, "/elsewhere"),
        "/elsewhere" => Response::status(200),
        _ => Response::status(404),
    });
    let v = Vigie::new();
    v.ok(&["alerts", "add", "moved", "title:marseille", "--notify", &format!("webhook:{}", server.url("/hook"))]);
    let p = articles(v.dir.path(), "a.jsonl", "Nvidia", &["r1"], 0);
    v.ok(&["ingest", "--quiet", "--no-entities", "--no-alerts", p.to_str().unwrap()]);
    let o = v.run(&["alerts", "run", "--json", "--webhook-retries", "1"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!((s["delivered"].as_u64(), s["dead_lettered"].as_u64()), (Some(0), Some(1)), "{s}");
    assert_eq!((s["failures"][0]["rule"].as_str(), s["failures"][0]["notifications"].as_u64()), (Some("moved"), Some(1)), "{s}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.lines().any(|l| l.starts_with("alert moved: ") && l.contains("1 notifications written to")), "{err}");
    // retried like a 5xx, never followed (a followed 302 turns the POST into a GET)
    let hook = server.requests("/hook");
    assert_eq!(hook.iter().map(|r| (r.method.as_str(), r.status)).collect::<Vec<_>>(), [("POST", 302), ("POST", 302)]);
    assert!(server.requests("/elsewhere").is_empty());
    let dead = lines(&v.data().join("alerts/dead-letter.jsonl"));
    assert_eq!(dead.len(), 1);
    assert!(dead[0]["error"].as_str().unwrap().contains("http 302"), "{}", dead[0]);
    assert_eq!(dead[0]["payload"]["document_id"], "r1");
    let l = list(&v);
    assert_eq!((l["moved"]["delivered"].as_u64(), l["moved"]["dead_lettered"].as_u64()), (Some(0), Some(1)));
}

#[test]
fn rule_files_written_by_hand_are_checked_and_then_fire() {
    let v = Vigie::new();
    let first = articles(v.dir.path(), "a.jsonl", "Nvidia", &["h1"], 0);
    v.ok(&["ingest", "--quiet", "--no-entities", first.to_str().unwrap()]);
    // ingest times are kept to the second: the rule is written in a later one
    std::thread::sleep(Duration::from_millis(1100));
    let rules = v.data().join("alerts/rules");
    std::fs::create_dir_all(&rules).unwrap();
    let out = v.dir.path().join("hand.jsonl");
    let rule = |name: &str, query: &str| json!({"version": 1, "name": name, "query": query, "notify": {"kind": "file", "path": out.display().to_string()}, "created": "2025-11-17T10:00:00Z"});
    std::fs::write(rules.join("hand.json"), rule("hand", "nvidia").to_string()).unwrap();
    // malformed: a query that does not parse, a name that is not the file's, bad JSON,
    // a relative sink path, a zero digest period
    std::fs::write(rules.join("badquery.json"), rule("badquery", "nvidia AND (").to_string()).unwrap();
    std::fs::write(rules.join("misnamed.json"), rule("other", "nvidia").to_string()).unwrap();
    std::fs::write(rules.join("notjson.json"), "{\"version\": 1, \"name\": ").unwrap();
    let mut rel = rule("relative", "nvidia");
    rel["notify"]["path"] = json!("out.jsonl");
    std::fs::write(rules.join("relative.json"), rel.to_string()).unwrap();
    let mut zero = rule("zero", "nvidia");
    zero["digest_seconds"] = json!(0);
    std::fs::write(rules.join("zero.json"), zero.to_string()).unwrap();
    let second = articles(v.dir.path(), "b.jsonl", "Nvidia", &["h2"], 1);
    let third = articles(v.dir.path(), "c.jsonl", "Nvidia", &["h3"], 2);
    let o = v.run(&["ingest", "--quiet", "--no-entities", second.to_str().unwrap(), third.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    for (file, why) in [
        ("badquery.json", "malformed query"),
        ("misnamed.json", "named \"other\""),
        ("notjson.json", "not an alert.v1 rule"),
        ("relative.json", "must be absolute"),
        ("zero.json", "digest_seconds 0"),
    ] {
        let hits: Vec<&str> = err.lines().filter(|l| l.contains(file)).collect();
        assert_eq!(hits.len(), 1, "{file} reported once: {err}");
        assert!(hits[0].contains(why) && hits[0].contains("skipped"), "{file}: {}", hits[0]);
    }
    // the rule written by hand fires on what was ingested after it was written; h1 came
    // before the file and is not replayed
    let got: Vec<String> = lines(&out).iter().map(|n| n["document_id"].as_str().unwrap().to_string()).collect();
    assert_eq!(got, ["h2", "h3"], "{err}");
    let l = list(&v);
    assert_eq!(l.keys().collect::<Vec<_>>(), ["hand"]);
    // and keeps firing on later ingests, once per story
    let fourth = articles(v.dir.path(), "d.jsonl", "Nvidia", &["h4"], 3);
    v.ok(&["ingest", "--quiet", "--no-entities", fourth.to_str().unwrap()]);
    let got: Vec<String> = lines(&out).iter().map(|n| n["document_id"].as_str().unwrap().to_string()).collect();
    assert_eq!(got, ["h2", "h3", "h4"]);
}

#[test]
fn the_alerts_lock_waits_with_a_timeout_then_fails_clearly() {
    let v = Vigie::new();
    let hang = Server::start(|_| Response { delay: Duration::from_secs(60), ..Response::status(200) });
    v.ok(&["alerts", "add", "slow", "nvidia", "--notify", &format!("webhook:{}", hang.url("/slow"))]);
    let p = articles(v.dir.path(), "a.jsonl", "Nvidia", &["l1"], 0);
    v.ok(&["ingest", "--quiet", "--no-entities", "--no-alerts", p.to_str().unwrap()]);
    // a run stuck on a slow webhook holds the lock
    let mut slow = v.cmd().args(["alerts", "run", "--quiet", "--webhook-timeout", "60s"]).spawn().unwrap();
    assert!(hang.wait_for("/slow", 1, HANG_LIMIT), "the slow run never called its webhook");
    let t = std::time::Instant::now();
    let o = v.cmd().args(["alerts", "run"]).env("VIGIE_ALERTS_LOCK_TIMEOUT", "2").output().unwrap();
    let waited = t.elapsed();
    slow.kill().unwrap();
    slow.wait().unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("another vigie process holds the alerts lock") && err.contains("alerts/.lock") && err.contains("more than 2 s"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    // the lock's own timeout ended the wait (the holder keeps it a minute)
    assert!(waited >= Duration::from_secs(2) && waited < Duration::from_secs(45), "{waited:?}");
    let bad = v.cmd().args(["alerts", "run"]).env("VIGIE_ALERTS_LOCK_TIMEOUT", "soon").output().unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("VIGIE_ALERTS_LOCK_TIMEOUT"));
}

/// Issue 13: `vigie ingest` runs the rules on the index its session holds; an alert store
/// that cannot be read is reported once, on one line naming the file, and the ingest
/// itself succeeds (its documents are committed; the next run picks them up).
#[test]
fn ingest_reports_a_failing_alert_store_once() {
    let v = Vigie::new();
    let out = v.dir.path().join("notes.jsonl");
    v.ok(&["alerts", "add", "nvidia", "nvidia", "--notify", &format!("file:{}", out.display())]);
    std::fs::write(v.data().join("alerts/watermarks.json"), "{\"version\":1,\"marks\":").unwrap();
    let p = articles(v.dir.path(), "a.jsonl", "Nvidia", &["w1", "w2"], 0);
    let o = v.run(&["ingest", "--json", "--no-entities", p.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(o.status.success(), "{err}");
    let s: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(s["indexed"], 2, "{s}");
    let errors: Vec<&str> = err.lines().filter(|l| l.contains("error")).collect();
    assert_eq!(errors.len(), 1, "{err}");
    assert!(errors[0].starts_with("error: alerts: ") && errors[0].contains("watermarks.json"), "{err}");
    assert!(!out.exists());
    // once the store is readable again, the next run delivers what the ingest stored
    std::fs::remove_file(v.data().join("alerts/watermarks.json")).unwrap();
    let s = v.json(&["alerts", "run", "--json"]);
    assert_eq!(s["notifications"], 2, "{s}");
    assert_eq!(lines(&out).len(), 2);
}
