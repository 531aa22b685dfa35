//! The fuzz targets over their seed and regression corpora (`fuzz/seeds/TARGET/`,
//! `fuzz/regressions/TARGET/`), plus one named test per crash the fuzzers or hostile
//! testing found, with its input generated here when it is large.
//!
//! A stack overflow aborts the whole process, so each test runs its body in a child
//! process (this test binary again, filtered to that one test): an abort fails that test
//! with its signal instead of killing every other test.

use std::path::{Path, PathBuf};
use std::process::Command;
use vigie_fuzz_targets::{Target, TARGETS};

const CHILD_ENV: &str = "VIGIE_FUZZ_TEST_CHILD";

/// Runs `body` in a child process (this test alone) and fails when the child fails,
/// whether by a panic or by a signal (stack overflow, abort).
fn isolated(test: &str, body: impl FnOnce()) {
    if std::env::var_os(CHILD_ENV).is_some() {
        body();
        return;
    }
    let exe = std::env::current_exe().expect("the test binary");
    let out = Command::new(exe)
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, "1")
        .output()
        .expect("run the test in a child process");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("1 passed") || !out.status.success(), "the child ran no test named {test}:\n{stdout}");
    if !out.status.success() {
        let tail: String = {
            let lines: Vec<&str> = stderr.lines().collect();
            lines[lines.len().saturating_sub(40)..].join("\n")
        };
        panic!("{test} failed in its child process ({}):\n{tail}", describe(&out.status));
    }
}

fn describe(status: &std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            let name = match sig {
                6 => " SIGABRT (a stack overflow or an abort)",
                11 => " SIGSEGV",
                9 => " SIGKILL",
                _ => "",
            };
            return format!("killed by signal {sig}{name}");
        }
    }
    status.to_string()
}

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut v: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect();
    v.sort();
    v
}

fn target(name: &str) -> &'static Target {
    TARGETS.iter().find(|t| t.name == name).unwrap_or_else(|| panic!("no fuzz target {name}"))
}

/// Runs a target over every seed and regression file; each failure is named, and the
/// file being run is printed first so that an abort still names it.
fn run_corpus(name: &str) {
    let t = target(name);
    let seeds = files_in(&fuzz_dir().join("seeds").join(name));
    assert!(seeds.len() >= 5, "fuzz/seeds/{name}/ holds {} files: the seed corpus is missing", seeds.len());
    let files: Vec<PathBuf> = seeds.into_iter().chain(files_in(&fuzz_dir().join("regressions").join(name))).collect();
    let mut failed = Vec::new();
    for f in &files {
        eprintln!("{name}: {}", f.display());
        let bytes = std::fs::read(f).expect("read a corpus file");
        if std::panic::catch_unwind(|| (t.run)(&bytes)).is_err() {
            failed.push(f.display().to_string());
        }
    }
    assert!(failed.is_empty(), "target {name} failed on {} of {} files:\n{}", failed.len(), files.len(), failed.join("\n"));
}

#[test]
fn every_target_has_a_seed_folder_and_nothing_else_is_there() {
    for t in TARGETS {
        assert!(fuzz_dir().join("seeds").join(t.name).is_dir(), "fuzz/seeds/{} missing", t.name);
    }
    for dir in ["seeds", "regressions"] {
        for d in std::fs::read_dir(fuzz_dir().join(dir)).expect("corpus folder").flatten() {
            let n = d.file_name().to_string_lossy().into_owned();
            assert!(TARGETS.iter().any(|t| t.name == n), "fuzz/{dir}/{n} is no target's folder: its files would never run");
        }
    }
}

#[test]
fn corpus_jsonl() {
    isolated("corpus_jsonl", || run_corpus("jsonl"));
}

#[test]
fn corpus_feed() {
    isolated("corpus_feed", || run_corpus("feed"));
}

#[test]
fn corpus_digest() {
    isolated("corpus_digest", || run_corpus("digest"));
}

#[test]
fn corpus_html() {
    isolated("corpus_html", || run_corpus("html"));
}

#[test]
fn corpus_sniff() {
    isolated("corpus_sniff", || run_corpus("sniff"));
}

#[test]
fn corpus_dates() {
    isolated("corpus_dates", || run_corpus("dates"));
}

#[test]
fn corpus_query() {
    isolated("corpus_query", || run_corpus("query"));
}

/// Sniffing cut the first 1024 bytes of the text as a `&str`: a multibyte character
/// across byte 1024 panicked (`fuzz/regressions/sniff/sniff-multibyte-at-1024`). Every
/// offset of a 2, 3 and 4 byte character around the cut, in text and in JSON.
#[test]
fn sniff_multibyte_at_1024() {
    isolated("sniff_multibyte_at_1024", || {
        for ch in ["é", "’", "😀"] {
            for pad in 1016..1028 {
                let text = format!("{}{}{}\nsuite du texte\n", "a".repeat(pad), ch, ch.repeat(300));
                vigie_fuzz_targets::sniff_and_parse(text.as_bytes());
                let json = format!("{{\"title\":\"{}{}\",\"body\":\"corps\"}}\n", "a".repeat(pad - 10), ch.repeat(300));
                vigie_fuzz_targets::sniff_and_parse(json.as_bytes());
                // leading spaces and a BOM shift where the cut falls
                let spaced = format!("\u{feff}   {text}");
                vigie_fuzz_targets::sniff_and_parse(spaced.as_bytes());
            }
        }
    });
}

const FEED: &str = r#"<?xml version="1.0" encoding="UTF-16"?>
<rss version="2.0"><channel><title>Le Fil</title>
<item><title>Nvidia livre ses H100</title><link>https://example.org/h100</link>
<description>Les puces arrivent à Paris l’été prochain.</description></item>
</channel></rss>
"#;

fn utf16(s: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let units = bom.then_some(0xfeff_u16).into_iter().chain(s.encode_utf16());
    for u in units {
        out.extend_from_slice(&if big_endian { u.to_be_bytes() } else { u.to_le_bytes() });
    }
    out
}

/// UTF-16BE feeds, with or without a BOM, panicked inside the XML parser
/// (`fuzz/regressions/feed/feed-utf16be-*`). A UTF-16 feed is decoded or rejected with
/// a reason: when an item comes out, its title is the real one, not mojibake.
#[test]
fn feed_utf16_with_and_without_bom() {
    isolated("feed_utf16_with_and_without_bom", || {
        for (be, bom) in [(true, true), (true, false), (false, true), (false, false)] {
            let bytes = utf16(FEED, be, bom);
            vigie_fuzz_targets::feed(&bytes);
            vigie_fuzz_targets::sniff_and_parse(&bytes);
            let items = vigie_pipeline::ingest::parse_bytes("f.rss", &bytes, vigie_pipeline::ingest::Format::Feed);
            assert!(!items.is_empty(), "UTF-16 (be={be}, bom={bom}): neither an item nor a reject");
            for item in &items {
                if let Ok(a) = &item.article {
                    assert_eq!(a.title.as_deref(), Some("Nvidia livre ses H100"), "UTF-16 (be={be}, bom={bom}) misread");
                }
            }
        }
    });
}

/// HTML nested 12,000 levels deep (60 KB) overflowed the stack of the recursive text
/// extraction: as a page, as a feed description and as a JSON lines body.
#[test]
fn html_deep_nesting() {
    isolated("html_deep_nesting", || {
        let depth = 12_000;
        let nested = format!("{}<p>Nvidia livre ses H100</p>{}", "<div>".repeat(depth), "</div>".repeat(depth));
        let page = format!("<!doctype html><html><head><title>Profond</title></head><body>{nested}</body></html>");
        vigie_fuzz_targets::html(page.as_bytes());
        let inline = format!("{}texte{}", "<b>".repeat(depth), "</b>".repeat(depth));
        vigie_fuzz_targets::html(inline.as_bytes());
        let escaped = nested.replace('<', "&lt;").replace('>', "&gt;");
        let rss = format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title><item><title>Profond</title><description>{escaped}</description></item></channel></rss>"
        );
        vigie_fuzz_targets::feed(rss.as_bytes());
        let jsonl = format!("{{\"title\":\"Profond\",\"body\":\"{}\"}}\n", nested.replace('"', "\\\""));
        vigie_fuzz_targets::jsonl(jsonl.as_bytes());
    });
}

/// 30,000 nested parentheses in a search query overflowed the query parser's stack: a
/// deep query is a clean usage error (or a result), never an abort.
#[test]
fn query_deep_parentheses() {
    isolated("query_deep_parentheses", || {
        for depth in [1_000, 30_000] {
            let q = format!("{}nvidia{}", "(".repeat(depth), ")".repeat(depth));
            vigie_fuzz_targets::query(q.as_bytes());
            let unbalanced = format!("{}nvidia", "(".repeat(depth));
            vigie_fuzz_targets::query(unbalanced.as_bytes());
            let negated = "-(".repeat(depth) + "a";
            vigie_fuzz_targets::query(negated.as_bytes());
        }
    });
}

/// Found by the feed fuzzer (`fuzz/regressions/feed/feed-quick-xml-set-encoding-after-prefix`):
/// an XML declaration whose `encoding=` follows bytes that are not UTF-8, or that is not
/// closed by `?>`, makes quick-xml,
/// inside feed-rs, panic ("set_encoding() called after prefix buffer was drained"); the
/// guard in parse_bytes turns it into an "internal error" reject of the whole feed.
#[test]
fn feed_encoding_declared_after_invalid_bytes() {
    isolated("feed_encoding_declared_after_invalid_bytes", || {
        for junk in [&b"\xff\xff\xff\xff\xff\xff\xff\x83"[..], b"\xe9", b"\xc3"] {
            let mut feed = b"<?xml versio".to_vec();
            feed.extend_from_slice(junk);
            feed.extend_from_slice(
                b"n=\"1.0\" encoding=\"ISO-8859-1\"?>\n<rss version=\"2.0\"><channel><title>Latin</title><item><title>Caf\xe9</title></item></channel></rss>\n",
            );
            vigie_fuzz_targets::feed(&feed);
        }
        // `fuzz/regressions/feed/feed-quick-xml-encoding-declaration-unclosed`: the same
        // panic when the declaration ends in `?(` instead of `?>`
        let unclosed = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?(\n<rss version=\"2.0\"><channel><title>T</title><item><title>x</title></item></channel></rss>\n";
        vigie_fuzz_targets::feed(unclosed.as_bytes());
    });
}

/// Found by the query fuzzer (`fuzz/regressions/query/query-unknown-field-star`):
/// `field:*` on a field the index lacks passes the parser and `validate_query`, then
/// fails at search time with an index error ("The field does not exist") instead of
/// the "unknown field" query error that `field:value` gives.
#[test]
fn query_unknown_field_star_is_a_query_error() {
    isolated("query_unknown_field_star_is_a_query_error", || {
        for q in ["trgle:*", "nosuchfield:*", "nvidia AND nosuchfield:*", "-nosuchfield:*"] {
            vigie_fuzz_targets::query(q.as_bytes());
        }
    });
}

/// `fuzz/regressions/feed/feed-second-xml-declaration-inside-the-document`: a second
/// `<?xml ... encoding=...?>` in the middle of a feed made quick-xml switch encodings
/// mid-stream and panic.
#[test]
fn feed_second_xml_declaration_inside_the_document() {
    isolated("feed_second_xml_declaration_inside_the_document", || {
        for decl in ["<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>", "<?XML encoding='utf-16'?>", "<?xml"] {
            let feed = format!(
                "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>T</title><id>urn:x{decl}</id><entry><title>A</title><id>urn:a</id></entry></feed>\n"
            );
            vigie_fuzz_targets::feed(feed.as_bytes());
            // and with no declaration at the start
            vigie_fuzz_targets::feed(&feed.as_bytes()[39..]);
        }
    });
}

/// `fuzz/regressions/query/query-unknown-field-with-control-bytes`: a field name with
/// NUL bytes passed the field check and failed at search time.
#[test]
fn query_unknown_field_with_control_bytes() {
    isolated("query_unknown_field_with_control_bytes", || {
        for q in [
            "publis\0hed\0hed5:* 4",
            "no\u{1}field:x",
            "é:*",
            "lid~:*\t<",
            "a^b:*",
            "x!y:z",
            "nv        :   *       t",
            "nvidia AND body:*",
            "title:*",
            "source:*",
            "lang:* x",
            "id:<=x",
            "body:[a TO b]",
            "title:>abc",
        ] {
            vigie_fuzz_targets::query(q.as_bytes());
        }
    });
}
