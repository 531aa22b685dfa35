//! The dashboard in headless Chromium: `vigie ingest` on the samples (with the model),
//! `vigie serve` with a token, then tests/browser/dashboard.mjs (playwright-core driving
//! Debian's chromium, both installed by `make browser-tools`) loads the dashboard with
//! the token once, types a query, sees the documents tile and the timeline change,
//! clicks an entity (the URL gains it), goes back, opens a story and its articles in
//! both languages, an entity page, the topics and the alerts (one with a digest offset,
//! its next digest listed), at 1280 px and at 390 px.
//! Screenshots land in target/dashboard-shots/; `VIGIE_DOCS_SHOT=docs/dashboard.png`
//! writes the README's picture too.

use crate::common::{repo, samples, Vigie};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

const TOKEN: &str = "dashboard-e2e-token";

/// What the browser test needs: node, chromium and playwright-core; `None` (skip, or a
/// panic under CI=1) when one is absent.
fn tools() -> Option<(PathBuf, PathBuf)> {
    let chromium = std::env::var_os("CHROMIUM").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    let playwright = repo().join(".tools/node/node_modules/playwright-core");
    for (path, hint) in [(&chromium, "Debian's chromium: make browser-tools"), (&playwright, "playwright-core: make browser-tools")] {
        if !path.exists() {
            vigie_pipeline::testing::absent(path, hint);
            return None;
        }
    }
    if Command::new("node").arg("--version").stdout(Stdio::null()).status().map(|s| !s.success()).unwrap_or(true) {
        vigie_pipeline::testing::absent(std::path::Path::new("node"), "node.js: make browser-tools");
        return None;
    }
    Some((chromium, playwright))
}

#[test]
fn dashboard_in_headless_chromium() {
    let Some((chromium, playwright)) = tools() else { return };
    let v = Vigie::new();
    let summary = v.ingest(&[&samples()]);
    assert!(summary["indexed"].as_u64() > Some(10), "{summary}");

    let mut child = v
        .cmd()
        .args(["serve", "--addr", "127.0.0.1:0", "--token", TOKEN])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("vigie serve runs");
    let (tx, rx) = std::sync::mpsc::channel();
    let lines = BufReader::new(child.stderr.take().unwrap());
    std::thread::spawn(move || {
        for l in lines.lines().map_while(Result::ok) {
            let _ = tx.send(l);
        }
    });
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _server = Kill(child);
    let first = rx.recv_timeout(Duration::from_secs(60)).expect("a first line on stderr");
    let base = first
        .strip_prefix("vigie: serving ")
        .map(|a| a.trim_end_matches('/').to_string())
        .unwrap_or_else(|| panic!("unexpected first line: {first}"));

    let shots = repo().join("target/dashboard-shots");
    let mut node = Command::new("node");
    node.arg(repo().join("tests/browser/dashboard.mjs"))
        .current_dir(repo())
        .env("BASE", &base)
        .env("TOKEN", TOKEN)
        .env("SHOTS", &shots)
        .env("CHROMIUM", &chromium)
        .env("PLAYWRIGHT_CORE", &playwright)
        .stdin(Stdio::null());
    if let Some(p) = std::env::var_os("VIGIE_DOCS_SHOT") {
        node.env("DOCS_SHOT", repo().join(p));
    }
    let out = node.output().expect("node runs");
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let log: Vec<String> = rx.try_iter().collect();
    assert!(
        out.status.success(),
        "the browser test failed ({:?}); screenshots in {}\nstdout: {stdout}\nstderr: {stderr}\nserver: {}",
        out.status.code(),
        shots.display(),
        log.join("\n")
    );
    assert!(stdout.contains("at 1280 px: ok") && stdout.contains("at 390 px: ok"), "{stdout}");
    for shot in ["dashboard-1280.png", "dashboard-390.png", "story-1280.png", "alerts-390.png"] {
        assert!(shots.join(shot).exists(), "{shot}");
    }
}
