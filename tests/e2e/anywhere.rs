//! The binary outside its checkout: copied alone into another directory, it finds the
//! encoder through `VIGIE_MODELS` or the user cache directory and carries everything
//! else (NER head, knowledge base, catalogue, word lists) inside it.

use crate::common::{bin, models, samples};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// `vigie` copied alone into a fresh directory, run from another one with a clean
/// environment: an empty home, and nothing that points back at the checkout.
struct Elsewhere {
    _root: tempfile::TempDir,
    exe: PathBuf,
    work: PathBuf,
    home: PathBuf,
}

impl Elsewhere {
    fn new() -> Self {
        let root = tempfile::tempdir().expect("temp dir");
        let (bin_dir, work, home) = (root.path().join("bin"), root.path().join("work"), root.path().join("home"));
        for d in [&bin_dir, &work, &home] {
            std::fs::create_dir_all(d).unwrap();
        }
        let exe = bin_dir.join("vigie");
        std::fs::copy(bin(), &exe).expect("copy the binary");
        Elsewhere { _root: root, exe, work, home }
    }

    /// A command with only `PATH`, `HOME` and, where libtorch is found that way,
    /// `LD_LIBRARY_PATH` (the shared library, not a vigie setting).
    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(&self.exe);
        c.env_clear().env("HOME", &self.home).env("VIGIE_LOG", "warn").current_dir(&self.work).stdin(Stdio::null()).args(args);
        for keep in ["PATH", "LD_LIBRARY_PATH"] {
            if let Some(v) = std::env::var_os(keep) {
                c.env(keep, v);
            }
        }
        c
    }

    fn ok(&self, c: &mut Command) -> String {
        let o = c.output().expect("vigie runs");
        assert!(o.status.success(), "{c:?} failed:\n{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).expect("utf-8 output")
    }
}

/// The bundled samples, copied beside the run so that no path names the checkout.
fn copy_samples(to: &Path) -> PathBuf {
    let dir = to.join("samples");
    std::fs::create_dir_all(&dir).unwrap();
    for e in std::fs::read_dir(samples()).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
    }
    dir
}

fn entity_ids(doc: &Value) -> Vec<&str> {
    doc["entities"].as_array().unwrap_or_else(|| panic!("{doc:#}")).iter().map(|e| e["id"].as_str().unwrap()).collect()
}

#[test]
fn a_copied_binary_ingests_the_samples_with_entities() {
    let e = Elsewhere::new();
    copy_samples(&e.work);
    let models = models();
    let info: Value = serde_json::from_str(&e.ok(e.cmd(&["model", "info", "--json"]).env("VIGIE_MODELS", &models))).unwrap();
    assert_eq!(info["models"]["from"], "env", "{info}");
    assert_eq!(info["models"]["complete"], true, "{info}");
    assert_eq!(info["ner_head"], "built-in", "{info}");
    let summary: Value =
        serde_json::from_str(&e.ok(e.cmd(&["ingest", "samples", "--json", "--quiet"]).env("VIGIE_MODELS", &models))).unwrap();
    assert!(summary["indexed"].as_u64().unwrap() >= 10, "{summary}");
    let doc: Value = serde_json::from_str(&e.ok(&mut e.cmd(&["show", "sample-stargate-en", "--json"]))).unwrap();
    let ids = entity_ids(&doc);
    for id in ["company:openai", "person:sam-altman", "organization:white-house"] {
        assert!(ids.contains(&id), "{id} missing: {ids:?}");
    }
    assert!(e.work.join("vigie-data/index").is_dir(), "the default data directory is the current one");
}

/// Without `VIGIE_MODELS` the encoder is looked for in the user cache directory: a
/// one-line error that names it and says what to run, then, once it holds a model, the
/// same commands work and `model setup` leaves it as it is.
#[test]
fn without_vigie_models_the_user_cache_directory_is_used() {
    let e = Elsewhere::new();
    let cache = e.home.join("cache");
    let dir = cache.join("vigie/models");
    let article = crate::common::write(&e.work, "a.txt", b"Nvidia at Computex\nJensen Huang presented the Blackwell chips in Taipei.\n");
    let with_cache = |args: &[&str]| {
        let mut c = e.cmd(args);
        c.env("XDG_CACHE_HOME", &cache);
        c
    };
    let info: Value = serde_json::from_str(&e.ok(&mut with_cache(&["model", "info", "--json"]))).unwrap();
    assert_eq!(info["models"]["dir"], dir.display().to_string(), "{info}");
    assert_eq!((&info["models"]["from"], &info["models"]["complete"]), (&Value::from("cache"), &Value::from(false)), "{info}");

    let o = with_cache(&["ingest", article.to_str().unwrap()]).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("vigie model setup") && err.contains(&dir.display().to_string()), "{err}");

    std::fs::create_dir_all(dir.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(models(), &dir).unwrap();
    let info: Value = serde_json::from_str(&e.ok(&mut with_cache(&["model", "info", "--json"]))).unwrap();
    assert_eq!(info["models"]["complete"], true, "{info}");
    let o = with_cache(&["model", "setup"]).output().unwrap();
    assert!(o.status.success() && String::from_utf8_lossy(&o.stderr).contains("is ready"), "{}", String::from_utf8_lossy(&o.stderr));
    e.ok(&mut with_cache(&["ingest", "--quiet", article.to_str().unwrap()]));
    let hits: Value = serde_json::from_str(e.ok(&mut with_cache(&["search", "blackwell", "--json"])).trim()).unwrap();
    let doc: Value = serde_json::from_str(&e.ok(&mut with_cache(&["show", hits["id"].as_str().unwrap(), "--json"]))).unwrap();
    assert!(entity_ids(&doc).contains(&"person:jensen-huang"), "{doc:#}");

    // a head directory given by flag or environment replaces the built-in one
    let o = with_cache(&["ingest", "--ner-model", "no-such-head", article.to_str().unwrap()]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no-such-head"), "{}", String::from_utf8_lossy(&o.stderr));
    let o = with_cache(&["ingest", article.to_str().unwrap()]).env("VIGIE_NER_MODEL", "no-such-head").output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no-such-head"), "{}", String::from_utf8_lossy(&o.stderr));
}
