//! Where alerts live: `DATA/alerts/rules/NAME.json` (alert.v1), the per-rule delivery
//! state `DATA/alerts/state/NAME.json`, the dead-letter file, and the lock that keeps
//! two processes from delivering the same notifications.

use super::state::RuleState;
use anyhow::Context;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use vigie_schemas::AlertRule;

pub const RULE_VERSION: u32 = 1;

pub struct AlertStore {
    dir: PathBuf,
}

/// Held while rules are matched and delivered; released on drop (or by the kernel when
/// the process dies).
pub struct StoreLock {
    _file: std::fs::File,
}

/// Rule names become file names: letters, digits, `_ . -`, at most 64.
pub fn check_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(format!("alert name {name:?}: use letters, digits, '_', '.', '-' (at most 64, starting with a letter or digit)"))
    }
}

impl AlertStore {
    pub fn new(data: &Path) -> Self {
        AlertStore { dir: data.join("alerts") }
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

    /// Takes the alerts lock, waiting for another process to release it.
    pub fn lock(&self) -> anyhow::Result<StoreLock> {
        use std::os::fd::AsRawFd;
        std::fs::create_dir_all(&self.dir).with_context(|| format!("creating {}", self.dir.display()))?;
        let path = self.dir.join(".lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("opening {}", path.display()))?;
        // SAFETY: flock on a descriptor this function owns
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } != 0 {
            return Err(std::io::Error::last_os_error()).with_context(|| format!("locking {}", path.display()));
        }
        Ok(StoreLock { _file: file })
    }

    /// Every rule, sorted by name; an unreadable rule file is an error naming it.
    pub fn rules(&self) -> anyhow::Result<Vec<AlertRule>> {
        let dir = self.dir.join("rules");
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e).with_context(|| format!("reading {}", dir.display())),
        };
        let mut rules = Vec::new();
        for e in entries {
            let p = e?.path();
            if p.extension().and_then(|x| x.to_str()) != Some("json") {
                continue;
            }
            let text = std::fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()))?;
            let rule: AlertRule =
                serde_json::from_str(&text).map_err(|e| anyhow::anyhow!("{}: not an alert.v1 rule: {e}", p.display()))?;
            rules.push(rule);
        }
        rules.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(rules)
    }

    /// One rule, read from its own file.
    pub fn get(&self, name: &str) -> anyhow::Result<Option<AlertRule>> {
        if check_name(name).is_err() {
            return Ok(None);
        }
        vigie_pipeline::atomic::load_json(&self.rule_path(name), "alert.v1 rule").map_err(anyhow::Error::msg)
    }

    /// Saves a new rule and its initial state (watching from `next_seq`).
    pub fn add(&self, rule: &AlertRule, next_seq: u64) -> anyhow::Result<()> {
        let state = RuleState::new(next_seq, rule.created);
        self.save_state(&rule.name, &state)?;
        vigie_pipeline::atomic::save_json(&self.rule_path(&rule.name), rule).map_err(anyhow::Error::msg)
    }

    /// Removes a rule and its state; returns the state it had, if any.
    pub fn remove(&self, name: &str) -> anyhow::Result<Option<RuleState>> {
        let state = self.state(name)?;
        let p = self.rule_path(name);
        std::fs::remove_file(&p).with_context(|| format!("removing {}", p.display()))?;
        let s = self.state_path(name);
        if s.exists() {
            std::fs::remove_file(&s).with_context(|| format!("removing {}", s.display()))?;
        }
        Ok(state)
    }

    /// The rule's delivery state; `None` when the rule has none yet.
    pub fn state(&self, name: &str) -> anyhow::Result<Option<RuleState>> {
        vigie_pipeline::atomic::load_json(&self.state_path(name), "alert state").map_err(anyhow::Error::msg)
    }

    fn watermarks_path(&self) -> PathBuf {
        self.dir.join("watermarks.json")
    }

    /// Every rule's watermark as of the last run (a rule's own state may be older: it is
    /// written only when the rule queues or delivers notifications).
    pub fn watermarks(&self) -> anyhow::Result<BTreeMap<String, u64>> {
        let marks = vigie_pipeline::atomic::load_json(&self.watermarks_path(), "alert watermarks").map_err(anyhow::Error::msg)?;
        Ok(marks.unwrap_or_default())
    }

    pub fn save_watermarks(&self, marks: BTreeMap<String, u64>) -> anyhow::Result<()> {
        vigie_pipeline::atomic::save_json(&self.watermarks_path(), &marks).map_err(anyhow::Error::msg)
    }

    /// Writes the rule's delivery state atomically.
    pub fn save_state(&self, name: &str, state: &RuleState) -> anyhow::Result<()> {
        vigie_pipeline::atomic::save_json(&self.state_path(name), state).map_err(anyhow::Error::msg)
    }
}
