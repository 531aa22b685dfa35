//! Hostile input: the real binary on crafted files (all generated here, none copied from
//! any test suite). Every case asserts that vigie exits 0 or 1 (never a panic's 101 or
//! an abort's 134), that the good articles of the batch are stored, and that each bad
//! input is a reject naming its file and a reason.
//!
//! Network cases (bounded bodies, gzip bombs, redirects, webhooks) live in `http.rs`
//! and `alerts.rs`; the long line in `watch` in `watch.rs`.

use crate::common::{wait_exit, write, Vigie, HANG_LIMIT};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A good article, distinct from every other `good(j)` (no near-duplicates).
fn good(i: usize) -> String {
    const WORDS: [&str; 16] = [
        "Nvidia",
        "OpenAI",
        "Mistral",
        "Oracle",
        "SoftBank",
        "Microsoft",
        "Intel",
        "AMD",
        "Meta",
        "Google",
        "Amazon",
        "Arm",
        "Samsung",
        "TSMC",
        "Broadcom",
        "Qualcomm",
    ];
    let w = |k: usize| WORDS[(i / 16usize.pow(k as u32)) % 16];
    serde_json::json!({
        "id": format!("good-{i}"),
        "title": format!("{} and {} sign deal number {i}", w(0), w(1)),
        "body": format!(
            "{} said on day {i} that it would buy {} chips from {} for its {} data centres, in a deal worth {} million dollars that {} and {} analysts discussed at length.",
            w(0), i * 7 + 3, w(1), w(2), i * 13 + 11, w(3), w(4)
        ),
    })
    .to_string()
}

fn goods(range: std::ops::Range<usize>) -> String {
    range.map(|i| good(i) + "\n").collect()
}

/// Exit 0 or 1: never a panic (101), an abort (134) or a signal.
fn assert_no_crash(o: &Output, what: &str) {
    let code = o.status.code();
    assert!(
        matches!(code, Some(0) | Some(1)),
        "{what}: exit {code:?}\nstderr: {}",
        String::from_utf8_lossy(&o.stderr).chars().take(3000).collect::<String>()
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("panicked") && !err.contains("internal error"), "{what}: {err}");
}

/// Runs to the end, within `limit` (a hang fails the test instead of blocking it).
fn run_within(mut cmd: Command, limit: Duration, what: &str) -> Output {
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("vigie starts");
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let o = child.wait_with_output().unwrap();
            panic!("{what}: still running after {limit:?}\nstderr: {}", String::from_utf8_lossy(&o.stderr));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

fn ingest(v: &Vigie, inputs: &[&Path], what: &str) -> (Value, Output) {
    let mut c = v.cmd();
    c.args(["ingest", "--json", "--quiet", "--no-entities"]).args(inputs);
    let o = run_within(c, HANG_LIMIT, what);
    assert_no_crash(&o, what);
    let s = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{what}: {e}: {}", String::from_utf8_lossy(&o.stdout)));
    (s, o)
}

fn rejects_for(v: &Vigie, file: &Path) -> Vec<Value> {
    let name = file.display().to_string();
    v.rejects().into_iter().filter(|r| r["file"].as_str() == Some(name.as_str())).collect()
}

fn doc(v: &Vigie, id: &str) -> Value {
    let hits = v.json_lines(&["search", &format!("id:\"{id}\""), "--json", "--limit", "5"]);
    assert_eq!(hits.len(), 1, "{id}: {hits:?}");
    v.json(&["show", hits[0]["id"].as_str().unwrap(), "--json"])
}

#[test]
fn a_multibyte_character_across_the_sniffing_window_is_read() {
    let v = Vigie::new();
    let d = v.dir.path();
    let mut text = "Titre de l'article sur Mistral\n".to_string();
    while text.len() < 1023 {
        text.push_str("mot ");
    }
    text.truncate(1023);
    text.push_str("é, le modèle de Mistral arrive en Europe’ selon l’entreprise.\n");
    let txt = write(d, "a.txt", text.as_bytes());
    let bare = write(d, "no-extension", text.replace("Mistral\n", "Mistral bis\n").as_bytes());
    let json = write(d, "one.json", format!("{}\n", good(1)).as_bytes());
    let (s, o) = ingest(&v, &[&txt, &bare, &json], "sniffing");
    assert_eq!(s["indexed"], 3, "{s} {}", String::from_utf8_lossy(&o.stderr));
    // the same text on stdin
    let mut c = v.cmd();
    c.args(["ingest", "--json", "--quiet", "--no-entities", "-"]).stdin(std::fs::File::open(d.join("no-extension")).unwrap());
    let o = run_within(c, HANG_LIMIT, "stdin");
    assert_no_crash(&o, "stdin");
}

#[test]
fn a_binary_file_in_a_folder_is_rejected_and_the_folder_is_read() {
    let v = Vigie::new();
    let folder = v.dir.path().join("in");
    std::fs::create_dir(&folder).unwrap();
    write(&folder, "a.jsonl", goods(0..25).as_bytes());
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let bin: Vec<u8> = (0..50_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    let binary = write(&folder, "b.bin", &bin);
    write(&folder, "c.jsonl", goods(25..50).as_bytes());
    // an extension that promises text, holding binary
    let lying = write(&folder, "d.json", &bin[..4000]);
    let (s, _) = ingest(&v, &[&folder], "binary in a folder");
    assert_eq!(s["indexed"], 50, "{s}");
    for f in [&binary, &lying] {
        let r = rejects_for(&v, f);
        assert!(!r.is_empty() && r[0]["reason"].as_str().is_some_and(|s| !s.is_empty()), "{}: {:?}", f.display(), v.rejects());
    }
}

fn utf16(s: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let units: Vec<u16> = (if bom { "\u{feff}" } else { "" }).encode_utf16().chain(s.encode_utf16()).collect();
    for u in units {
        out.extend_from_slice(&if big_endian { u.to_be_bytes() } else { u.to_le_bytes() });
    }
    out
}

#[test]
fn utf16_feeds_are_decoded_or_rejected_never_a_crash() {
    let v = Vigie::new();
    let d = v.dir.path();
    let feed = |n: &str, enc: &str| {
        format!(
            "<?xml version=\"1.0\" encoding=\"{enc}\"?>\n<rss version=\"2.0\"><channel><title>Flux</title><item><title>Article {n} sur Nvidia</title><link>https://example.com/{n}</link><description>Nvidia livre ses puces H200 {n} aux centres de données français, dit l’entreprise.</description></item></channel></rss>\n"
        )
    };
    let files = [
        write(d, "be-bom.rss", &utf16(&feed("un", "UTF-16"), true, true)),
        write(d, "be-nobom.xml", &utf16(&feed("deux", "UTF-16BE"), true, false)),
        write(d, "le-bom.rss", &utf16(&feed("trois", "UTF-16"), false, true)),
        write(d, "le-nobom-ext-less", &utf16(&feed("quatre", "UTF-16LE"), false, false)),
    ];
    let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let (s, o) = ingest(&v, &paths, "utf-16 feeds");
    assert_eq!(s["indexed"], 4, "every UTF-16 feed decoded: {s} {}", String::from_utf8_lossy(&o.stderr));
    let hits = v.json_lines(&["search", "centres", "--json"]);
    assert_eq!(hits.len(), 4, "{hits:?}");
}

#[test]
fn html_nested_twelve_thousand_deep_is_read_everywhere() {
    let v = Vigie::new();
    let d = v.dir.path();
    let deep = |tag: &str, n: usize, text: &str| format!("{}{text}{}", format!("<{tag}>").repeat(n), format!("</{tag}>").repeat(n));
    let body = deep("b", 12_000, "Intel retarde sa puce Falcon Shores, selon un document interne.");
    let jsonl = write(
        d,
        "deep.jsonl",
        format!("{}\n{}\n", serde_json::json!({"id": "deep-1", "title": "Profond", "body": body}), good(1)).as_bytes(),
    );
    let page = write(
        d,
        "deep.html",
        format!(
            "<!doctype html><html><head><title>Page profonde</title></head><body><article><h1>Page profonde</h1>{}</article></body></html>",
            deep(
                "div",
                12_000,
                "<p>AMD présente ses accélérateurs MI400 pour les centres de données en 2026, avec beaucoup de mémoire.</p>"
            )
        )
        .as_bytes(),
    );
    let rss = write(
        d,
        "deep.rss",
        format!(
            "<rss version=\"2.0\"><channel><title>F</title><item><title>Flux profond</title><description><![CDATA[{}]]></description></item></channel></rss>",
            deep("i", 12_000, "Arm annonce une nouvelle licence pour les serveurs.")
        )
        .as_bytes(),
    );
    let (s, o) = ingest(&v, &[&jsonl, &page, &rss], "deep html");
    assert_eq!(s["indexed"], 4, "{s} {}", String::from_utf8_lossy(&o.stderr));
    assert!(doc(&v, "deep-1")["body"].as_str().unwrap().contains("Falcon Shores"));
}

#[test]
fn a_page_of_fifty_thousand_paragraphs_is_read_without_hanging() {
    let v = Vigie::new();
    let mut page = String::from("<!doctype html><html><head><title>Long</title></head><body><article><h1>Long</h1>");
    for i in 0..50_000 {
        page.push_str(&format!("<p>Ligne {i}.</p>"));
    }
    page.push_str("</article></body></html>");
    let p = write(v.dir.path(), "long.html", page.as_bytes());
    // the binary ends (`ingest` fails the test past its hang limit); that the work is
    // linear in the paragraphs is counted, not timed, by the extractor's unit test
    // many_siblings_take_linear_time
    let (s, _) = ingest(&v, &[&p], "50,000 paragraphs");
    assert!(s["indexed"].as_u64().unwrap() + s["rejected"].as_u64().unwrap() == 1, "{s}");
}

#[test]
fn symlink_loops_end_and_the_data_directory_is_not_ingested() {
    let v = Vigie::new();
    let root = v.dir.path().join("root");
    std::fs::create_dir(&root).unwrap();
    write(&root, "a.jsonl", goods(0..3).as_bytes());
    std::fs::create_dir(root.join("sub")).unwrap();
    write(&root.join("sub"), "b.jsonl", goods(3..5).as_bytes());
    std::os::unix::fs::symlink(".", root.join("loop1")).unwrap();
    std::os::unix::fs::symlink("..", root.join("sub/loop2")).unwrap();
    std::os::unix::fs::symlink(&root, root.join("sub/loop3")).unwrap();
    // `vigie ingest .` run from the folder, its data directory inside it
    let run = || {
        let mut c = Command::new(crate::common::bin());
        c.current_dir(&root)
            .args(["--data", "vigie-data", "ingest", "--json", "--quiet", "--no-entities", "."])
            .env_remove("VIGIE_DATA")
            .env("VIGIE_LOG", "warn")
            .stdin(Stdio::null());
        let o = run_within(c, HANG_LIMIT, "symlink loops");
        assert_no_crash(&o, "symlink loops");
        serde_json::from_slice::<Value>(&o.stdout).unwrap()
    };
    let first = run();
    assert_eq!(first["indexed"], 5, "{first}");
    assert_eq!(first["rejected"], 0, "{first}");
    let second = run();
    assert_eq!((second["indexed"].as_u64(), second["rejected"].as_u64()), (Some(0), Some(0)), "{second}");
}

#[test]
fn dates_ids_and_short_bodies_are_kept_right() {
    let v = Vigie::new();
    let d = v.dir.path();
    let long_id = "x".repeat(100_000);
    let records = [
        serde_json::json!({"id": "old", "title": "Ancien", "body": "Une chronique ancienne sur les abaques et les bouliers des marchands romains.", "published": "0001-01-01T00:00:00Z"}),
        serde_json::json!({"id": "far", "title": "Futur", "body": "Un récit d'anticipation où des robots gouvernent les océans et la lune.", "published": "9999-12-31T23:59:59Z"}),
        serde_json::json!({"id": "cest", "title": "Heure d'été", "body": "OpenAI ouvre un bureau à Paris pour travailler avec Mistral.", "published": "Wed, 29 Jan 2025 10:15:00 CEST"}),
        serde_json::json!({"id": "zoneless", "title": "Sans zone", "body": "SoftBank investit dans le projet Stargate avec Oracle.", "published": "2025-01-29T10:15:00"}),
        serde_json::json!({"id": "francais", "title": "En français", "body": "Microsoft construit un centre de données près de Marseille.", "published": "29 janvier 2025"}),
        serde_json::json!({"id": long_id, "title": "Identifiant très long", "body": "Un identifiant plus long que la limite des termes de l'index."}),
        serde_json::json!({"id": "v1", "title": "Vidéo un", "body": "Watch the video."}),
        serde_json::json!({"id": "v2", "title": "Vidéo deux", "body": "Watch the video."}),
        serde_json::json!({"id": "v3", "title": "Vidéo trois", "body": "Watch the video."}),
        serde_json::json!({"id": "v4", "title": "Vidéo quatre", "body": "Watch the video."}),
    ];
    let lines: String = records.iter().map(|r| format!("{r}\n")).collect();
    let f = write(d, "dates.jsonl", lines.as_bytes());
    let (s, o) = ingest(&v, &[&f], "dates");
    assert_eq!(s["indexed"], 10, "{s} {}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(s["duplicates"], 0, "short bodies are not copies of each other: {s}");
    for id in ["old", "far"] {
        let d = doc(&v, id);
        assert!(d["published"].is_null(), "{id}: a date the index cannot hold is not wrapped: {}", d["published"]);
        assert!(d["published_raw"].as_str().is_some_and(|r| r.contains("-12-31") || r.contains("0001")), "{id}: {d}");
    }
    assert_eq!(doc(&v, "cest")["published"], "2025-01-29T08:15:00Z");
    assert_eq!(doc(&v, "zoneless")["published"], "2025-01-29T10:15:00Z");
    assert!(doc(&v, "francais")["published"].as_str().is_some_and(|p| p.starts_with("2025-01-29")));
    // the long id is stored under a stable shorter id: a re-run stores it once
    let (again, _) = ingest(&v, &[&f], "dates again");
    assert_eq!((again["indexed"].as_u64(), again["existing"].as_u64()), (Some(0), Some(10)), "{again}");
    assert_eq!(v.json(&["stats", "--json"])["documents"], 10);
}

#[test]
fn exports_in_the_shapes_people_have_are_read() {
    let v = Vigie::new();
    let d = v.dir.path();
    let newsapi = serde_json::json!({
        "source": {"id": "le-monde", "name": "Le Monde"}, "author": "A. Journaliste",
        "title": "Nvidia dévoile Blackwell Ultra", "description": "La nouvelle puce de Nvidia.",
        "url": "https://example.com/blackwell", "urlToImage": "https://example.com/i.png",
        "publishedAt": "2025-03-18T17:00:00Z", "content": "Nvidia a présenté mardi sa puce Blackwell Ultra pour les centres de données… [+2300 chars]"
    });
    let both = serde_json::json!({"id": 42, "title": "Deux liens", "url": "https://example.com/a", "link": "https://example.com/b",
        "body": "", "text": "OpenAI et Microsoft renégocient leur accord sur le calcul.", "published": 1738145700});
    let millis = serde_json::json!({"id": "ms", "title": "Millisecondes", "body": "Oracle livre les premiers racks du site d'Abilene.", "published": 1738145700000u64});
    let f = write(d, "shapes.jsonl", format!("{newsapi}\n{both}\n{millis}\n").as_bytes());
    let array = write(
        d,
        "array.json",
        serde_json::to_string_pretty(&serde_json::json!([
            {"id": "arr-1", "title": "Tableau un", "body": "Mistral lève des fonds auprès d'investisseurs européens."},
            {"id": "arr-2", "title": "Tableau deux", "body": "Samsung produit la mémoire HBM4 pour les accélérateurs."}
        ]))
        .unwrap()
        .as_bytes(),
    );
    let pretty = write(
        d,
        "pretty.json",
        format!(
            "{}\n{}\n",
            serde_json::to_string_pretty(
                &serde_json::json!({"id": "pp-1", "title": "Joli un", "body": "TSMC agrandit son usine en Arizona pour les puces d'IA."})
            )
            .unwrap(),
            serde_json::to_string_pretty(
                &serde_json::json!({"id": "pp-2", "title": "Joli deux", "body": "Broadcom conçoit des puces sur mesure pour Google."})
            )
            .unwrap()
        )
        .as_bytes(),
    );
    let (s, o) = ingest(&v, &[&f, &array, &pretty], "shapes");
    assert_eq!(s["indexed"], 7, "{s} {}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(s["rejected"], 0, "{s}");
    let both = doc(&v, "42");
    assert_eq!(both["url"], "https://example.com/a");
    assert!(both["body"].as_str().unwrap().contains("renégocient"));
    assert_eq!(both["published"], "2025-01-29T10:15:00Z");
    assert_eq!(doc(&v, "ms")["published"], "2025-01-29T10:15:00Z");
    let hits = v.json_lines(&["search", "blackwell", "--json"]);
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(doc(&v, hits[0]["id"].as_str().unwrap())["source"], "Le Monde");
}

#[test]
fn hostile_flags_and_queries_are_usage_errors() {
    let v = Vigie::new();
    let f = write(v.dir.path(), "a.jsonl", goods(0..3).as_bytes());
    ingest(&v, &[&f], "setup");
    let deep = format!("{}nvidia{}", "(".repeat(30_000), ")".repeat(30_000));
    let cases: Vec<Vec<String>> = vec![
        vec!["search".into(), deep],
        vec!["search".into(), "nvidia".into(), "--since".into(), "99999999999999d".into()],
        vec!["search".into(), "nvidia".into(), "--until".into(), "9999999999999999999999d".into()],
        vec!["alerts".into(), "add".into(), "big".into(), "nvidia".into(), "--digest".into(), "9999999999999999d".into()],
        ["alerts", "add", "late", "nvidia", "--digest", "1h", "--digest-offset", "9999999999999999h"].map(String::from).to_vec(),
        ["alerts", "add", "late", "nvidia", "--digest", "1h", "--digest-offset", "60m"].map(String::from).to_vec(),
        ["alerts", "add", "late", "nvidia", "--digest", "1d", "--digest-offset=-8h"].map(String::from).to_vec(),
        vec!["trends".into(), "--window".into(), "99999999999999d".into()],
        vec!["ingest".into(), "--model-workers".into(), "0".into(), f.display().to_string()],
    ];
    for args in cases {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = v.run(&a);
        let what = format!("{:?}", a.iter().map(|s| s.chars().take(40).collect::<String>()).collect::<Vec<_>>());
        assert_eq!(o.status.code(), Some(1), "{what}: {}", String::from_utf8_lossy(&o.stderr));
        assert_no_crash(&o, &what);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!err.trim().is_empty() && err.trim().lines().count() <= 3, "{what}: {err}");
    }
}

/// 100,000 generated articles through `vigie watch`, with bad lines and binary files
/// between them, a `kill -9` in the middle and a restart: every good article is stored
/// exactly once, every bad line is a reject.
#[test]
fn soak_a_hundred_thousand_articles_through_watch_with_a_kill_in_the_middle() {
    const FILES: usize = 20;
    const PER_FILE: usize = 5_000;
    let v = Vigie::new();
    let folder = v.dir.path().join("drop");
    std::fs::create_dir(&folder).unwrap();
    let mut bad_lines = 0;
    for f in 0..FILES {
        let mut s = String::with_capacity(PER_FILE * 400);
        for i in f * PER_FILE..(f + 1) * PER_FILE {
            s.push_str(&good(i));
            s.push('\n');
            if i % 997 == 0 {
                s.push_str("{\"title\": \"cut off\", \"body\": \n");
                bad_lines += 1;
            }
        }
        write(&folder, &format!("part-{f:02}.jsonl"), s.as_bytes());
        if f % 5 == 2 {
            write(&folder, &format!("blob-{f:02}.bin"), &[0u8, 159, 146, 150, 0, 255, 1, 2, 3].repeat(1000));
        }
    }
    let watch = |v: &Vigie| {
        let mut c = v.cmd();
        c.args(["watch", "--json", "--quiet", "--no-entities", "--interval", "1s"]).arg(&folder);
        c.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap()
    };
    let count = |v: &Vigie| -> u64 {
        if !v.data().join("index/meta.json").exists() {
            return 0;
        }
        v.json(&["stats", "--json"])["documents"].as_u64().unwrap()
    };
    // waits for `target` documents; fails when the count stops growing for the hang
    // limit (however long the whole takes on a busy machine)
    let wait_count = |v: &Vigie, child: &mut std::process::Child, target: u64| {
        let (mut last, mut since) = (count(v), Instant::now());
        while last < target {
            assert!(since.elapsed() < HANG_LIMIT, "stuck at {last} for {HANG_LIMIT:?}");
            assert!(child.try_wait().unwrap().is_none(), "watch exited early");
            std::thread::sleep(Duration::from_millis(300));
            let now = count(v);
            if now > last {
                (last, since) = (now, Instant::now());
            }
        }
    };
    // kill -9 once part of the articles is committed
    let mut child = watch(&v);
    wait_count(&v, &mut child, 20_000);
    child.kill().unwrap();
    child.wait().unwrap();
    let at_kill = count(&v);
    assert!(at_kill < (FILES * PER_FILE) as u64, "killed too late to test anything: {at_kill}");
    // restart: watch picks up where it was, stores the rest once
    let mut child = watch(&v);
    wait_count(&v, &mut child, (FILES * PER_FILE) as u64);
    // one more poll to be sure nothing else arrives
    std::thread::sleep(Duration::from_secs(3));
    // SAFETY-free SIGTERM through kill(1): watch stops cleanly on it
    let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
    let status = wait_exit(&mut child, "watch after SIGTERM");
    assert!(matches!(status.code(), Some(0) | Some(1)), "{status:?}");
    let stats = v.json(&["stats", "--json"]);
    assert_eq!(stats["documents"], (FILES * PER_FILE) as u64, "{stats}");
    for i in [0, 1, 4_999, 5_000, 49_999, 77_777, 99_999] {
        let hits = v.json_lines(&["search", &format!("id:\"good-{i}\""), "--json"]);
        assert_eq!(hits.len(), 1, "good-{i} stored {} times", hits.len());
    }
    let rejects = v.rejects();
    let torn = rejects.iter().filter(|r| r["reason"].as_str().is_some_and(|s| s.contains("json"))).count();
    assert!(torn >= bad_lines, "{torn} json rejects for {bad_lines} bad lines");
    assert!(rejects.iter().any(|r| r["file"].as_str().is_some_and(|f| f.ends_with(".bin"))), "binary files rejected");
}
