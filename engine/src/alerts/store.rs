//! Where alerts live: `DATA/alerts/rules/NAME.json` (alert.v1), the per-rule delivery
//! state `DATA/alerts/state/NAME.json`, the dead-letter file, and the lock that keeps
//! two processes from delivering the same notifications.

use super::state::RuleState;
use crate::versioned::Kind;
use crate::{DataDir, Error, Result};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;
use vigie_schemas::{AlertRule, NotifySink};

pub const RULE_VERSION: u32 = 1;

/// How long a process waits for the alerts lock before giving up.
pub const LOCK_TIMEOUT_SECS: u64 = 120;

/// Env var overriding [`LOCK_TIMEOUT_SECS`] (seconds; 0 fails at once when busy).
pub const LOCK_TIMEOUT_ENV: &str = "VIGIE_ALERTS_LOCK_TIMEOUT";

/// The longest digest period: 1,000 years, as for every duration flag.
pub const MAX_DIGEST_SECONDS: u64 = 365_250 * 86_400;

/// The shared watermarks file: version 1 wraps the map that version 0 was.
#[derive(serde::Serialize, serde::Deserialize)]
struct Watermarks {
    version: u32,
    marks: BTreeMap<String, u64>,
}

const WATERMARKS: Kind = Kind {
    what: "alert watermarks",
    version: 1,
    migrate: |_, v| match v {
        serde_json::Value::Object(m) => Ok(serde_json::json!({"version": 1, "marks": m})),
        _ => Err(crate::versioned::MigrateError::NotAnObject),
    },
};

/// A rule's delivery state (version 1 since the first release: nothing to migrate).
const RULE_STATE: Kind = Kind { what: "alert state", version: 1, migrate: |_, v| crate::versioned::add_version(1)(v) };

pub struct AlertStore {
    dir: PathBuf,
}

/// Held while rules are matched and delivered; released on drop (or by the kernel when
/// the process dies).
pub struct StoreLock {
    _file: std::fs::File,
}

/// Rule names become file names: letters, digits, `_ . -`, at most 64.
pub fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(Error::Config(format!("alert name {name:?}: use letters, digits, '_', '.', '-' (at most 64, starting with a letter or digit)")))
    }
}

/// Everything `vigie alerts add` checks, for rules written by the command and rules
/// written by hand alike: the name, the query (it must parse), the filters, the sink
/// and the digest period. `checker` parses queries (one for many rules).
pub fn check_rule(rule: &AlertRule, checker: &vigie_index::alerts::BatchIndex) -> Result<()> {
    check_name(&rule.name)?;
    if rule.version != RULE_VERSION {
        return Err(Error::Config(format!("alert {}: version {} (this vigie reads alert.v{RULE_VERSION} rules)", rule.name, rule.version)));
    }
    if rule.query.trim().is_empty() {
        return Err(Error::Config(format!("alert {}: empty query", rule.name)));
    }
    checker.check(&rule.query).map_err(|e| Error::Config(format!("alert {}: malformed query: {e}", rule.name)))?;
    if let Some(e) = &rule.entity {
        if !e.0.contains(':') {
            return Err(Error::Config(format!("alert {}: entity {:?}: an entity id looks like company:nvidia", rule.name, e.0)));
        }
    }
    match &rule.notify {
        NotifySink::Stdout => {}
        NotifySink::File { path } => {
            if path.is_empty() || !Path::new(path).is_absolute() {
                return Err(Error::Config(format!("alert {}: notify file {path:?}: the path must be absolute", rule.name)));
            }
        }
        NotifySink::Webhook { url } => {
            super::sinks::check_webhook_url(url).map_err(|e| Error::Config(format!("alert {}: {e}", rule.name)))?
        }
    }
    if let Some(d) = rule.digest_seconds {
        if d == 0 || d > MAX_DIGEST_SECONDS {
            return Err(Error::Config(format!("alert {}: digest_seconds {d}: use 1 to {MAX_DIGEST_SECONDS}", rule.name)));
        }
    }
    match (rule.digest_offset_seconds, rule.digest_seconds) {
        (Some(o), None) => {
            return Err(Error::Config(format!("alert {}: digest_offset_seconds {o} without digest_seconds", rule.name)));
        }
        (Some(o), Some(d)) if o >= d => {
            return Err(Error::Config(format!(
                "alert {}: digest_offset_seconds {o}: use 0 to {} (less than the period)",
                rule.name,
                d - 1
            )));
        }
        _ => {}
    }
    Ok(())
}

/// Rule files already reported as malformed by this process (file and reason), so that
/// `watch` says it once, not at every poll.
static REPORTED: Mutex<Option<HashSet<(PathBuf, String)>>> = Mutex::new(None);

fn report_once(path: &Path, reason: &str) {
    let mut seen = REPORTED.lock().unwrap_or_else(|p| p.into_inner());
    if seen.get_or_insert_with(HashSet::new).insert((path.to_path_buf(), reason.to_string())) {
        // an error the user must fix, not a failure of the run: logged at error level so
        // that it shows with --quiet too, once per process (watch reloads every poll)
        tracing::error!("alerts: {}: skipped: {}", path.display(), vigie_pipeline::reject::truncate_chars(&reason.replace('\n', " "), 500));
    }
}

/// The lock timeout: `VIGIE_ALERTS_LOCK_TIMEOUT` seconds, else two minutes.
pub fn lock_timeout() -> Result<Duration> {
    match std::env::var(LOCK_TIMEOUT_ENV) {
        Err(_) => Ok(Duration::from_secs(LOCK_TIMEOUT_SECS)),
        Ok(v) => v
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|s| *s <= 365 * 86_400)
            .map(Duration::from_secs)
            .ok_or_else(|| Error::Config(format!("{LOCK_TIMEOUT_ENV}={v:?}: use a number of seconds (0 to 31536000)"))),
    }
}

/// Writes `value` as JSON to `path` atomically: a temporary file with a unique name in
/// the same directory (two processes never share one), fsync, rename, fsync of the
/// directory. A crash leaves the previous version or the new one.
pub fn save_json<T: serde::Serialize + ?Sized>(path: &Path, value: &T) -> Result<()> {
    Ok(vigie_pipeline::atomic::save_json(path, value)?)
}

impl AlertStore {
    /// The alerts of a data directory (`DATA/alerts/`).
    pub fn new(data: &DataDir) -> Self {
        AlertStore { dir: data.alerts_dir() }
    }

    fn rule_path(&self, name: &str) -> PathBuf {
        self.dir.join("rules").join(format!("{name}.json"))
    }

    fn state_path(&self, name: &str) -> PathBuf {
        self.dir.join("state").join(format!("{name}.json"))
    }

    pub fn dead_letter_path(&self) -> PathBuf {
        self.dir.join("dead-letter.jsonl")
    }

    pub fn lock_path(&self) -> PathBuf {
        self.dir.join(".lock")
    }

    /// Takes the alerts lock, waiting for another process to release it at most
    /// [`lock_timeout`] (a slow webhook run elsewhere never blocks this one for ever).
    pub fn lock(&self) -> Result<StoreLock> {
        self.lock_within(lock_timeout()?)
    }

    pub fn lock_within(&self, timeout: Duration) -> Result<StoreLock> {
        std::fs::create_dir_all(&self.dir).map_err(|e| Error::io(&self.dir, e))?;
        let file =
            crate::filelock::lock_file(&self.lock_path(), timeout, "the alerts lock", " (set VIGIE_ALERTS_LOCK_TIMEOUT to wait longer)")?;
        Ok(StoreLock { _file: file })
    }

    /// Every valid rule, sorted by name. A rule file that does not pass the checks of
    /// `vigie alerts add` (or cannot be read) is reported once on stderr, naming the
    /// file and the reason, and skipped: the other rules keep working.
    pub fn rules(&self) -> Result<Vec<AlertRule>> {
        let dir = self.dir.join("rules");
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::io(&dir, e)),
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.retain(|p| p.extension().and_then(|x| x.to_str()) == Some("json"));
        paths.sort();
        let mut rules = Vec::new();
        if paths.is_empty() {
            return Ok(rules);
        }
        let checker = vigie_index::alerts::BatchIndex::build(Vec::new())?;
        for p in paths {
            match read_rule(&p, &checker) {
                Ok(r) => rules.push(r),
                Err(reason) => report_once(&p, &reason),
            }
        }
        rules.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(rules)
    }

    /// When the rule's file was last written.
    pub fn rule_modified(&self, name: &str) -> Option<chrono::DateTime<chrono::Utc>> {
        std::fs::metadata(self.rule_path(name)).and_then(|m| m.modified()).ok().map(chrono::DateTime::<chrono::Utc>::from)
    }

    /// One rule, read from its own file.
    pub fn get(&self, name: &str) -> Result<Option<AlertRule>> {
        if check_name(name).is_err() {
            return Ok(None);
        }
        let path = self.rule_path(name);
        Ok(vigie_pipeline::atomic::load_json(&path, "alert.v1 rule")?)
    }

    /// Saves a new rule and its initial state (watching from `next_seq`).
    pub fn add(&self, rule: &AlertRule, next_seq: u64) -> Result<()> {
        let state = RuleState::new(next_seq, rule.created);
        self.save_state(&rule.name, &state)?;
        save_json(&self.rule_path(&rule.name), rule)
    }

    /// Removes a rule and its state; returns the state it had, if any.
    pub fn remove(&self, name: &str) -> Result<Option<RuleState>> {
        let state = self.state(name)?;
        let p = self.rule_path(name);
        std::fs::remove_file(&p).map_err(|e| Error::io(&p, e))?;
        let s = self.state_path(name);
        if s.exists() {
            std::fs::remove_file(&s).map_err(|e| Error::io(&s, e))?;
        }
        Ok(state)
    }

    /// The rule's delivery state; `None` when the rule has none yet.
    pub fn state(&self, name: &str) -> Result<Option<RuleState>> {
        RULE_STATE.load(&self.state_path(name))
    }

    fn watermarks_path(&self) -> PathBuf {
        self.dir.join("watermarks.json")
    }

    /// Every rule's watermark as of the last run (a rule's own state may be older: it is
    /// written only when the rule queues or delivers notifications).
    pub fn watermarks(&self) -> Result<BTreeMap<String, u64>> {
        let marks: Option<Watermarks> = WATERMARKS.load(&self.watermarks_path())?;
        Ok(marks.map(|m| m.marks).unwrap_or_default())
    }

    pub fn save_watermarks(&self, marks: BTreeMap<String, u64>) -> Result<()> {
        save_json(&self.watermarks_path(), &Watermarks { version: WATERMARKS.version, marks })
    }

    /// Writes the rule's delivery state atomically.
    pub fn save_state(&self, name: &str, state: &RuleState) -> Result<()> {
        save_json(&self.state_path(name), state)
    }
}

/// Reads and checks one rule file; the error is the reason it is skipped.
fn read_rule(p: &Path, checker: &vigie_index::alerts::BatchIndex) -> std::result::Result<AlertRule, String> {
    let meta = std::fs::metadata(p).map_err(|e| format!("cannot read: {e}"))?;
    if meta.len() > 1 << 20 {
        return Err(format!("{} bytes: a rule file holds at most 1 MiB", meta.len()));
    }
    let text = std::fs::read_to_string(p).map_err(|e| format!("cannot read: {e}"))?;
    let rule: AlertRule = serde_json::from_str(&text).map_err(|e| format!("not an alert.v1 rule: {e}"))?;
    check_rule(&rule, checker).map_err(|e| e.to_string())?;
    let stem = p.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    if stem != rule.name {
        return Err(format!("the rule is named {:?} but its file {stem}.json (name the file {}.json)", rule.name, rule.name));
    }
    Ok(rule)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A valid rule (query "nvidia", stdout) the tests vary.
    pub(crate) fn rule(name: &str) -> AlertRule {
        AlertRule {
            version: RULE_VERSION,
            name: name.into(),
            query: "nvidia".into(),
            lang: None,
            entity: None,
            source: None,
            notify: NotifySink::Stdout,
            digest_seconds: None,
            digest_offset_seconds: None,
            per: Default::default(),
            created: chrono::Utc::now(),
        }
    }

    #[test]
    fn rules_are_checked_as_alerts_add_does() {
        let c = vigie_index::alerts::BatchIndex::build(Vec::new()).unwrap();
        assert!(check_rule(&rule("ok"), &c).is_ok());
        let bad = |f: &dyn Fn(&mut AlertRule)| {
            let mut r = rule("r");
            f(&mut r);
            check_rule(&r, &c).unwrap_err().to_string()
        };
        assert!(bad(&|r| r.query = "nvidia AND (".into()).contains("malformed query"));
        assert!(bad(&|r| r.query = "  ".into()).contains("empty query"));
        assert!(bad(&|r| r.name = "../x".into()).contains("alert name"));
        assert!(bad(&|r| r.version = 9).contains("version 9"));
        assert!(bad(&|r| r.digest_seconds = Some(0)).contains("digest_seconds 0"));
        assert!(bad(&|r| r.digest_seconds = Some(u64::MAX)).contains("digest_seconds"));
        assert!(bad(&|r| r.digest_offset_seconds = Some(60)).contains("without digest_seconds"));
        assert!(bad(&|r| {
            r.digest_seconds = Some(3600);
            r.digest_offset_seconds = Some(3600);
        })
        .contains("less than the period"));
        assert!(bad(&|r| r.entity = Some(vigie_schemas::EntityId("nvidia".into()))).contains("entity"));
        assert!(bad(&|r| r.notify = NotifySink::File { path: "rel.jsonl".into() }).contains("absolute"));
        assert!(bad(&|r| r.notify = NotifySink::Webhook { url: "ftp://x".into() }).contains("http"));
        assert!(bad(&|r| r.notify = NotifySink::Webhook { url: "http://".into() }).contains("webhook"));
    }

    #[test]
    fn a_malformed_rule_file_is_skipped_and_the_others_kept() {
        let dir = tempfile::tempdir().unwrap();
        let store = AlertStore::new(&DataDir::new(dir.path()));
        let rules = dir.path().join("alerts/rules");
        std::fs::create_dir_all(&rules).unwrap();
        std::fs::write(rules.join("a.json"), serde_json::to_string(&rule("a")).unwrap()).unwrap();
        std::fs::write(rules.join("b.json"), serde_json::to_string(&rule("not-b")).unwrap()).unwrap();
        std::fs::write(rules.join("c.json"), "{").unwrap();
        std::fs::write(rules.join("notes.txt"), "not a rule").unwrap();
        let got: Vec<String> = store.rules().unwrap().into_iter().map(|r| r.name).collect();
        assert_eq!(got, ["a"]);
    }

    /// A rule file from before `per` existed loads as once per story; `per` is written
    /// only when it is not the default, so such files stay readable by older versions.
    #[test]
    fn rule_files_without_per_notify_once_per_story() {
        let dir = tempfile::tempdir().unwrap();
        let store = AlertStore::new(&DataDir::new(dir.path()));
        let rules = dir.path().join("alerts/rules");
        std::fs::create_dir_all(&rules).unwrap();
        let old = r#"{"version":1,"name":"old","query":"nvidia","notify":{"kind":"stdout"},"created":"2025-11-17T10:00:00Z"}"#;
        std::fs::write(rules.join("old.json"), old).unwrap();
        let mut every = rule("every");
        every.per = vigie_schemas::NotifyPer::CopyGroup;
        std::fs::write(rules.join("every.json"), serde_json::to_string(&every).unwrap()).unwrap();
        let mut got: Vec<(String, vigie_schemas::NotifyPer)> = store.rules().unwrap().into_iter().map(|r| (r.name, r.per)).collect();
        got.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(got, [("every".into(), vigie_schemas::NotifyPer::CopyGroup), ("old".into(), vigie_schemas::NotifyPer::Story)]);
        assert!(!serde_json::to_string(&rule("x")).unwrap().contains(r#""per""#));
        assert!(std::fs::read_to_string(rules.join("every.json")).unwrap().contains(r#""per":"copy-group""#));
    }

    #[test]
    fn the_lock_times_out_instead_of_waiting_for_ever() {
        let dir = tempfile::tempdir().unwrap();
        let store = AlertStore::new(&DataDir::new(dir.path()));
        let held = store.lock_within(Duration::from_secs(1)).unwrap();
        let t = std::time::Instant::now();
        let e = store.lock_within(Duration::from_millis(300)).err().unwrap().to_string();
        assert!(t.elapsed() >= Duration::from_millis(300));
        assert!(e.contains("another vigie process holds the alerts lock") && e.contains(".lock"), "{e}");
        drop(held);
        assert!(store.lock_within(Duration::ZERO).is_ok());
    }

    #[test]
    fn saves_use_unique_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("state/x.json");
        // two writers at once never share a temporary file: every save lands whole
        let hs: Vec<_> = (0..4)
            .map(|i| {
                let p = p.clone();
                std::thread::spawn(move || {
                    for j in 0..50 {
                        save_json(&p, &vec![i * 1000 + j; 200]).unwrap();
                    }
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        let v: Vec<u32> = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        assert!(v.len() == 200 && v.iter().all(|x| *x == v[0]));
        let left: Vec<_> = std::fs::read_dir(p.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left.len(), 1, "temporary files left: {left:?}");
    }
}
