//! Helpers: run the binary against a temporary data directory.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_vigie")
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The model directory the binary is pointed at: `VIGIE_MODELS` as `make test` sets it,
/// else the checkout's `models/` (what `make models` fills), so that a bare `cargo test`
/// runs too; the binary itself never looks inside the checkout.
pub fn models() -> PathBuf {
    std::env::var_os("VIGIE_MODELS").filter(|p| !p.is_empty()).map(PathBuf::from).unwrap_or_else(|| repo().join("models"))
}

pub fn samples() -> PathBuf {
    repo().join("data/samples")
}

/// `../shared/data` beside the checkout, when it is there.
pub fn shared_data(what: &str) -> Option<PathBuf> {
    let p = repo().join("../shared/data").join(what);
    if p.exists() {
        Some(p)
    } else {
        vigie_pipeline::testing::absent(&p, "the shared data sets live beside the checkout");
        None
    }
}

/// How long a process may take to stop on SIGTERM, or a watched file to show up,
/// before a test calls it a hang: far above the few seconds it takes, so that a busy
/// machine never fails a test, only a process that never gets there.
pub const HANG_LIMIT: std::time::Duration = std::time::Duration::from_secs(300);

/// Waits for `child` to exit (after a signal); fails the test past [`HANG_LIMIT`].
pub fn wait_exit(child: &mut std::process::Child, what: &str) -> std::process::ExitStatus {
    let t = std::time::Instant::now();
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        assert!(t.elapsed() < HANG_LIMIT, "{what}: still running after {HANG_LIMIT:?}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

pub struct Vigie {
    pub dir: tempfile::TempDir,
    /// `--precision` for every command (`VIGIE_PRECISION`), when the test fixes one
    pub precision: Option<&'static str>,
}

impl Vigie {
    pub fn new() -> Self {
        Vigie { dir: tempfile::tempdir().expect("temp dir"), precision: None }
    }

    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn cmd(&self) -> Command {
        let mut c = Command::new(bin());
        c.arg("--data").arg(self.data()).env_remove("VIGIE_DATA").env("VIGIE_LOG", "warn").env("VIGIE_MODELS", models());
        if let Some(p) = self.precision {
            c.env("VIGIE_PRECISION", p);
        }
        c.stdin(Stdio::null());
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().expect("vigie runs")
    }

    /// Runs and requires exit 0; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(
            o.status.success(),
            "vigie {args:?} failed ({:?}):\nstdout: {}\nstderr: {}",
            o.status.code(),
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).expect("utf-8 output")
    }

    pub fn json(&self, args: &[&str]) -> Value {
        let out = self.ok(args);
        serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"))
    }

    pub fn json_lines(&self, args: &[&str]) -> Vec<Value> {
        self.ok(args).lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
    }

    pub fn ingest(&self, paths: &[&Path]) -> Value {
        let mut args = vec!["ingest".to_string(), "--json".to_string(), "--quiet".to_string()];
        args.extend(paths.iter().map(|p| p.display().to_string()));
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        self.json(&a)
    }

    pub fn rejects(&self) -> Vec<Value> {
        match std::fs::read_to_string(self.data().join("rejects.jsonl")) {
            Ok(s) => s.lines().filter_map(|l| serde_json::from_str(l).ok()).collect(),
            Err(_) => Vec::new(),
        }
    }
}

pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write test file");
    p
}
